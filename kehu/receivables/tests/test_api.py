"""REST API for receivables (kehu/receivables/api.py): invoices and their import, payments and
their allocations, promises, collection plans, ageing and collection rate — same scopes, same
rules, same messages as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import api_list, rule
from kehu.receivables import services
from kehu.receivables.models import (
    Allocation,
    CollectionAttempt,
    CollectionPlan,
    Instalment,
    Invoice,
    Payment,
    Promise,
)
from kehu.receivables.tests.builders import invoices_aged
from kehu.sales import services as sales
from kehu.sales.tests.builders import confirmed_order

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("in_english", "english_client", "old_invoices_allowed")]

API = "/api/v1/"
INVOICES = f"{API}invoices/"
IMPORT = f"{INVOICES}import/"
PAYMENTS = f"{API}payments/"
ALLOCATIONS = f"{API}allocations/"
PROMISES = f"{API}promises/"
PLANS = f"{API}collection-plans/"
AGEING = f"{API}ageing/"
RATE = f"{API}collection-rate/"


def today():
    return timezone.localdate()


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def post(api, url, data):
    return api.post(url, data, content_type="application/json")


def ledger():
    """Every figure a refused request must leave alone."""
    return (sorted(Invoice.objects.values_list("id", "number", "open_amount", "credited")),
            sorted(Payment.objects.values_list("id", "number", "amount", "unallocated", "reversed_on")),
            sorted(Allocation.objects.values_list("id", "invoice_id", "payment_id", "amount", "withdrawn_on")),
            sorted(Promise.objects.values_list("id", "status")), CollectionAttempt.objects.count(),
            sorted(CollectionPlan.objects.values_list("id", "status")),
            sorted(Instalment.objects.values_list("id", "status")))


def allocations_of(body):
    return [(a["invoice_number"], a["amount"], a["on"], a["withdrawn_on"]) for a in body["allocations"]]


def open_amounts(*invoices):
    return [str(Invoice.objects.get(pk=i.pk).open_amount) for i in invoices]


# --- payments (AR-1) -------------------------------------------------------------------------------------

@rule("AR-1")
def test_it_records_a_payment_against_two_invoices_to_the_cent(users, client_for, customer, product):
    # ¥1,000 and ¥500
    first, second = invoices_aged(customer=customer, product=product, specs=[("10", 20), ("5", 10)])
    api = client_for(users["owner"])
    response = post(api, PAYMENTS, {
        "customer": customer.pk, "amount": "1200.50", "method": "transfer", "reference": "BANK-7781",
        "note": "三月货款", "allocations": [{"invoice": first.pk, "amount": "1000"},
                                         {"invoice": second.pk, "amount": "200.50"}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("number", "office_name", "customer", "customer_name", "received_on", "method",
                                 "amount", "unallocated", "collector", "collector_name", "reference", "note",
                                 "reversed_on")} == {
        "number": "SH1-000001", "office_name": "上海一组", "customer": customer.pk, "customer_name": "上海恒丰商贸有限公司",
        "received_on": day(0), "method": "transfer", "amount": "1200.50", "unallocated": "0.00",
        "collector": users["owner"].pk, "collector_name": "张伟", "reference": "BANK-7781", "note": "三月货款",
        "reversed_on": None}
    assert allocations_of(body) == [("INV00000001", "1000.00", day(0), None), ("INV00000002", "200.50", day(0), None)]
    assert [(row["number"], row["amount"], row["open_amount"], row["settled"], row["days_overdue"])
            for row in api.get(INVOICES).json()["results"]] == [
        ("INV00000001", "1000.00", "0.00", "1000.00", 0), ("INV00000002", "500.00", "299.50", "200.50", 0)]
    assert open_amounts(first, second) == ["0.00", "299.50"]


@rule("AR-1")
def test_ar1_the_collector_is_one_the_payment_form_offers(users, client_for, customer, product):
    """AR-1: the API took any user as collector (the GM, a salesperson of another office, finance
    staff); now only the recorder or a salesperson in their scope — the payment form's choices."""
    from kehu.receivables.forms import PaymentForm

    director = client_for(users["director"])
    offered = {pk for pk, _label in PaymentForm(user=users["director"]).fields["collector"].choices}
    for user in ("owner", "teammate", "director", "outsider", "gm", "finance", "vp", "other_director"):
        response = post(director, PAYMENTS, {"customer": customer.pk, "amount": "10", "method": "cash",
                                             "collector": users[user].pk})
        assert response.status_code == (201 if users[user].pk in offered else 400), (user, response.content)
        if response.status_code == 201:
            assert response.json()["collector"] == users[user].pk
    assert offered == {users["owner"].pk, users["teammate"].pk, users["director"].pk}
    assert Payment.objects.count() == 3


@rule("AR-1")
def test_it_settles_the_oldest_invoices_first_and_keeps_the_rest_on_account(users, client_for, customer, product):
    newer, older = invoices_aged(customer=customer, product=product, specs=[("5", 5), ("10", 25)])
    api = client_for(users["director"])
    response = post(api, PAYMENTS, {"customer": customer.pk, "amount": "1700", "method": "cash"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["unallocated"], body["collector_name"]) == ("1700.00", "200.00", "刘洋")
    assert allocations_of(body) == [(older.number, "1000.00", day(0), None), (newer.number, "500.00", day(0), None)]
    assert open_amounts(newer, older) == ["0.00", "0.00"]
    on_account = post(api, PAYMENTS, {"customer": customer.pk, "amount": "80", "method": "cash", "allocations": []})
    assert (on_account.json()["number"], on_account.json()["unallocated"], on_account.json()["allocations"]) == (
        "SH1-000002", "80.00", [])


@rule("AR-1")
def test_it_reverses_a_payment_keeping_both_entries_and_reopening_the_invoices(users, client_for, customer,
                                                                              product):
    first, second = invoices_aged(customer=customer, product=product, specs=[("10", 20), ("5", 10)])
    payment = services.payment_post(by=users["owner"], customer=customer, amount="1300", method="cheque")
    url = f"{PAYMENTS}{payment.pk}/reverse/"
    before = ledger()
    refused = post(client_for(users["owner"]), url, {"reason": "支票退票"})
    assert (refused.status_code, refused.json()["detail"]) == (403, "Only finance can reverse a payment.")
    finance = client_for(users["finance"])
    no_reason = post(finance, url, {"reason": "  "})
    assert (no_reason.status_code, no_reason.json()["detail"], no_reason.json()["errors"]) == (
        400, "Give the reason for reversing the payment.", {"reason": ["Required."]})
    assert ledger() == before

    response = post(finance, url, {"reason": "支票退票"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["number"], body["amount"], body["unallocated"], body["reversed_on"], body["reversed_by"],
            body["reversal_reason"]) == ("SH1-000001", "1300.00", "0.00", day(0), users["finance"].pk, "支票退票")
    assert allocations_of(body) == [(first.number, "1000.00", day(0), day(0)), (second.number, "300.00", day(0), day(0))]
    assert open_amounts(first, second) == ["1000.00", "500.00"]
    # The receipt stays in the list and each allocation keeps its row, now withdrawn.
    assert [p["number"] for p in finance.get(PAYMENTS).json()["results"]] == ["SH1-000001"]
    rows = finance.get(ALLOCATIONS, {"payment": payment.pk}).json()["results"]
    assert [(a["invoice"], a["source_kind"], a["payment_number"], a["amount"], a["withdrawn_on"]) for a in rows] == [
        (first.pk, "payment", "SH1-000001", "1000.00", day(0)), (second.pk, "payment", "SH1-000001", "300.00", day(0))]
    again = post(finance, url, {"reason": "重复"})
    assert (again.status_code, again.json()["detail"]) == (
        400, f"Receipt SH1-000001 was already reversed on {day(0)}.")
    assert finance.get(PAYMENTS, {"reversed": "yes"}).json()["count"] == 1


@rule("AR-1")
def test_it_changes_what_a_payment_settles(users, client_for, customer, product):
    first, second = invoices_aged(customer=customer, product=product, specs=[("10", 20), ("5", 10)])
    payment = services.payment_post(by=users["owner"], customer=customer, amount="1000", method="transfer",
                                    allocations=[{"invoice": first.pk, "amount": "500"},
                                                 {"invoice": second.pk, "amount": "500"}])
    api = client_for(users["owner"])
    url = f"{PAYMENTS}{payment.pk}/allocate/"
    response = post(api, url, {"allocations": [{"invoice": first.pk, "amount": "1000.00"}]})
    assert response.status_code == 200, response.content
    assert (response.json()["unallocated"], allocations_of(response.json())) == ("0.00", [
        (first.number, "500.00", day(0), day(0)), (second.number, "500.00", day(0), day(0)),
        (first.number, "1000.00", day(0), None)])
    assert open_amounts(first, second) == ["0.00", "500.00"]

    emptied = post(api, url, {"allocations": []})
    assert (emptied.status_code, emptied.json()["unallocated"]) == (200, "1000.00")
    assert open_amounts(first, second) == ["1000.00", "500.00"]
    oldest = post(api, url, {})  # no allocations: the credit on account settles the oldest first
    assert (oldest.status_code, oldest.json()["unallocated"]) == (200, "0.00")
    assert [a[1:] for a in allocations_of(oldest.json()) if a[3] is None] == [("1000.00", day(0), None)]
    assert open_amounts(first, second) == ["0.00", "500.00"]
    assert Allocation.objects.filter(withdrawn_on__isnull=True).count() == 1
    assert Allocation.objects.count() == 4  # two withdrawn, one made and withdrawn, one standing


BAD_PAYMENTS = [
    ({"amount": "-5"}, 400, "The amount must be more than zero."),
    ({"amount": "0"}, 400, "The amount must be more than zero."),
    ({"amount": "abc"}, 400, "amount must be a number."),
    ({"amount": "10.005"}, 400, "The amount has more than two decimals."),
    ({"amount": "99999999999999999999"}, 400, "amount is too large."),
    ({"amount": "1e400"}, 400, "amount is too large."),
    ({"amount": ""}, 400, None),
    ({"amount": "600", "allocations": [{"invoice": "SECOND", "amount": "600"}]}, 400,
     "Invoice INV00000002 has ¥500.00 open; ¥600.00 cannot be allocated to it."),
    ({"amount": "1200", "allocations": [{"invoice": "FIRST", "amount": "1000"}, {"invoice": "SECOND", "amount": "500"}]},
     400, "The allocations add up to ¥1,500.00, more than the ¥1,200.00 available."),
    ({"allocations": [{"invoice": 999999, "amount": "10"}]}, 400, "Invoice #999999 is not one of this customer's invoices."),
    ({"allocations": [{"invoice": "THEIRS", "amount": "10"}]}, 400, "Invoice #{THEIRS} is not one of this customer's invoices."),
    ({"allocations": [{"invoice": 10**30, "amount": "10"}]}, 400, f"Unknown invoice “{10**30}”."),
    ({"allocations": [{"invoice": "FIRST", "amount": "-10"}]}, 400, "The allocated amount must be more than zero."),
    ({"allocations": [{"invoice": "FIRST", "amount": "5"}, {"invoice": "FIRST", "amount": "5"}]}, 400,
     "An invoice appears twice in the allocation."),
    ({"allocations": [{"invoice": "abc", "amount": "10"}]}, 400, None),
    ({"allocations": "oldest"}, 400, None),
    ({"allocations": [["FIRST", "10"]]}, 400, None),
    ({"office": "HANGZHOU"}, 400, "Customer 上海恒丰商贸有限公司 is served by another office: write the receipt in that "
                                  "office's book."),
    ({"office": 10**30}, 400, "Customer 上海恒丰商贸有限公司 is served by another office: write the receipt in that "
                               "office's book."),
    ({"received_on": "TOMORROW"}, 400, "A payment cannot be received in the future."),
    ({"received_on": "31.12.2025"}, 400, None),
    ({"collector": 999999}, 400, "The collector must be you or a salesperson in your scope."),
    # AR-1: the collector is the recorder or a salesperson in their scope, as the payment form offers.
    ({"collector": "GM"}, 400, "The collector must be you or a salesperson in your scope."),
    ({"collector": "OUTSIDER_USER"}, 400, "The collector must be you or a salesperson in your scope."),
    ({"collector": "TEAMMATE"}, 400, "The collector must be you or a salesperson in your scope."),
    ({"collector": "FINANCE"}, 400, "The collector must be you or a salesperson in your scope."),
    ({"collector": "abc"}, 400, None),
    ({"method": "bitcoin"}, 400, None),
    ({"customer": "abc"}, 400, None),
    ({"customer": 999999}, 404, None),
    ({"customer": 10**30}, 404, None),
    ({"customer": "OUTSIDER"}, 404, None),
]


@rule("AR-1")
@pytest.mark.parametrize(("change", "status", "message"), BAD_PAYMENTS)
def test_it_answers_bad_payment_input_with_the_services_message_and_changes_nothing(
        users, offices, client_for, customer, outsider_customer, product, change, status, message):
    first, second = invoices_aged(customer=customer, product=product, specs=[("10", 20), ("5", 10)])
    theirs = invoices_aged(customer=outsider_customer, product=product, specs=[("1", 1)],
                           by=users["outsider"])[0]
    names = {"FIRST": first.pk, "SECOND": second.pk, "THEIRS": theirs.pk, "HANGZHOU": offices["hangzhou"].pk,
             "TOMORROW": day(1), "OUTSIDER": outsider_customer.pk, "GM": users["gm"].pk,
             "OUTSIDER_USER": users["outsider"].pk, "TEAMMATE": users["teammate"].pk, "FINANCE": users["finance"].pk}
    change = {k: names.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    if isinstance(change.get("allocations"), list):
        change["allocations"] = [{k: names.get(v, v) if isinstance(v, str) else v for k, v in row.items()}
                                 if isinstance(row, dict) else row for row in change["allocations"]]
    before = ledger()
    response = post(client_for(users["owner"]), PAYMENTS,
                    {"customer": customer.pk, "amount": "100", "method": "cash", **change})
    assert response.status_code == status, response.content
    if message:
        assert response.json()["detail"] == message.format(**names)
    else:
        assert set(response.json()) & {*change, "detail"}, response.json()
    assert ledger() == before
    # A refused payment takes no receipt number: the next one is still the first of the book.
    assert services.payment_post(by=users["owner"], customer=customer, amount="1", method="cash").number == "SH1-000001"


@rule("AR-1")
def test_it_refuses_malformed_bodies_and_changes_nothing(users, client_for, customer, product):
    invoices_aged(customer=customer, product=product, specs=[("10", 20)])
    payment = services.payment_post(by=users["owner"], customer=customer, amount="100", method="cash")
    api = client_for(users["owner"])
    before = ledger()
    for url in (PAYMENTS, f"{PAYMENTS}{payment.pk}/allocate/", f"{PAYMENTS}{payment.pk}/reverse/", PROMISES, PLANS):
        assert api.post(url, "{not json", content_type="application/json").status_code == 400, url
        assert post(api, url, [{"customer": customer.pk}]).status_code in (400, 403), url
    # The import is finance's: anyone else is refused before the body is read, whatever it holds.
    assert api.post(IMPORT, "{not json", content_type="application/json").status_code == 403
    finance = client_for(users["finance"])
    assert finance.post(IMPORT, "{not json", content_type="application/json").status_code == 400
    assert post(finance, IMPORT, {"rows": "not a list"}).status_code == 400
    assert post(api, f"{PAYMENTS}{payment.pk}/allocate/", {"allocations": {"invoice": 1}}).status_code == 400
    assert ledger() == before


@rule("AR-1")
@pytest.mark.parametrize(("allocations", "message"), [
    ([{"invoice": "SECOND", "amount": "500.01"}], "Invoice INV00000002 has ¥500.00 open; ¥500.01 cannot be allocated to it."),
    ([{"invoice": "SECOND", "amount": "500"}, {"invoice": "FIRST", "amount": "600"}],
     "The allocations add up to ¥1,100.00, more than the ¥1,000.00 available."),
    ([{"invoice": 999999, "amount": "1"}], "Invoice #999999 is not one of this customer's invoices."),
    ([{"invoice": "SECOND", "amount": "1.001"}], "The allocated amount has more than two decimals."),
])
def test_it_refuses_a_bad_allocation_edit_and_changes_nothing(users, client_for, customer, product, allocations,
                                                             message):
    first, second = invoices_aged(customer=customer, product=product, specs=[("10", 20), ("5", 10)])
    payment = services.payment_post(by=users["owner"], customer=customer, amount="1000", method="transfer")
    names = {"FIRST": first.pk, "SECOND": second.pk}
    rows = [{**row, "invoice": names.get(row["invoice"], row["invoice"])} for row in allocations]
    before = ledger()
    response = post(client_for(users["owner"]), f"{PAYMENTS}{payment.pk}/allocate/", {"allocations": rows})
    assert (response.status_code, response.json()["detail"]) == (400, message)
    assert ledger() == before


@rule("AR-1")
def test_it_refuses_to_allocate_a_reversed_payment(users, client_for, customer, product):
    invoices_aged(customer=customer, product=product, specs=[("10", 20)])
    payment = services.payment_post(by=users["owner"], customer=customer, amount="100", method="cash")
    services.payment_reverse(by=users["finance"], payment=payment, reason="错账")
    before = ledger()
    response = post(client_for(users["owner"]), f"{PAYMENTS}{payment.pk}/allocate/", {})
    assert (response.status_code, response.json()["detail"]) == (400, "Receipt SH1-000001 was reversed; it settles nothing.")
    assert ledger() == before


@rule("AR-1")
def test_it_lists_payments_with_filters_in_a_fixed_number_of_queries(users, client_for, customer, outsider_customer,
                                                                    product, django_assert_max_num_queries):
    invoices = invoices_aged(customer=customer, product=product, specs=[("1", n) for n in range(8)])
    payments = [services.payment_post(by=users["owner"], customer=customer, amount="200", method="cash",
                                      allocations=[{"invoice": invoices[2 * n].pk, "amount": "100"},
                                                   {"invoice": invoices[2 * n + 1].pk, "amount": "100"}])
                for n in range(4)]
    services.payment_post(by=users["outsider"], customer=outsider_customer, amount="50", method="transfer")
    api = client_for(users["director"])
    api.get(PAYMENTS)  # warm the session
    with django_assert_max_num_queries(7):  # session, user, office subtree (2), count, rows, allocations
        response = api.get(PAYMENTS)
    body = response.json()
    assert (body["count"], [len(p["allocations"]) for p in body["results"]]) == (4, [2, 2, 2, 2])
    assert [p["number"] for p in body["results"]] == ["SH1-000004", "SH1-000003", "SH1-000002", "SH1-000001"]
    gm = client_for(users["gm"])

    def numbers(params):
        response = gm.get(PAYMENTS, params)
        assert response.status_code == 200, response.content
        return [p["number"] for p in response.json()["results"]]

    assert numbers({"customer": outsider_customer.pk}) == ["HZ-000001"]
    assert numbers({"method": "transfer"}) == ["HZ-000001"]
    assert numbers({"ordering": "amount"}) == ["HZ-000001", "SH1-000001", "SH1-000002", "SH1-000003", "SH1-000004"]
    assert numbers({"reversed": "yes"}) == []
    assert gm.get(f"{PAYMENTS}{payments[0].pk}/").json()["allocations"][0]["invoice"] == invoices[0].pk
    for bad in ({"customer": "abc"}, {"customer": str(10**30)}, {"method": "bitcoin"}, {"ordering": "colour"},
                {"received_from": "yesterday"}, {"reversed": "maybe"}):
        assert gm.get(PAYMENTS, bad).status_code == 400, bad
    director = client_for(users["director"])
    assert director.get(f"{PAYMENTS}{Payment.objects.get(customer=outsider_customer).pk}/").status_code == 404
    for bad_id in ("abc", "999999", str(10**30)):
        assert gm.get(f"{PAYMENTS}{bad_id}/").status_code == 404


# --- invoices (AR-1) -----------------------------------------------------------------------------------

@pytest.fixture
def four_invoices(users, customer, outsider_customer, product):
    """A ¥1,000 70 days overdue, B ¥500 15 days overdue, C ¥200 paid, D ¥300 of Hangzhou."""
    a, b, c = invoices_aged(customer=customer, product=product, specs=[("10", 100), ("5", 45), ("2", 0)])
    services.payment_post(by=users["owner"], customer=customer, amount="200", method="cash",
                          allocations=[{"invoice": c.pk, "amount": "200"}])
    d = invoices_aged(customer=outsider_customer, product=product, specs=[("3", 0)], by=users["outsider"])[0]
    return a, b, c, d


@rule("AR-1")
def test_it_shows_an_invoice_with_what_is_open_and_how_late(users, client_for, customer, four_invoices):
    a = four_invoices[0]
    response = client_for(users["owner"]).get(f"{INVOICES}{a.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": a.pk, "number": "INV00000001", "customer": customer.pk, "customer_name": "上海恒丰商贸有限公司",
        "order": a.order_id, "order_number": "SO0000001", "issued_on": day(-100), "due_on": day(-70),
        "amount": "1000.00", "open_amount": "1000.00", "settled": "0.00", "credited": "0.00", "days_overdue": 70,
        "source": "order", "note": "", "created_at": response.json()["created_at"]}


@rule("AR-1")
def test_it_lists_invoices_with_filters_and_ordering(users, client_for, customer, outsider_customer, four_invoices):
    gm = client_for(users["gm"])

    def numbers(params=None, api=gm):
        return [number[-1] for number in api_list(api, INVOICES, params, field="number")]  # INV00000001 → "1"

    assert numbers() == ["1", "2", "3", "4"]  # by due date
    assert numbers({"status": "open"}) == ["1", "2", "4"]
    assert numbers({"status": "overdue"}) == ["1", "2"]
    assert numbers({"status": "paid"}) == ["3"]
    assert numbers({"due_before": day(-15)}) == ["1", "2"]
    assert numbers({"due_before": day(-16)}) == ["1"]
    assert numbers({"due_after": day(-15), "status": "open"}) == ["2", "4"]
    assert numbers({"customer": outsider_customer.pk}) == ["4"]
    assert numbers({"ordering": "-amount"}) == ["1", "2", "4", "3"]
    assert numbers({"ordering": "open_amount"}) == ["3", "4", "2", "1"]
    assert numbers({"ordering": "-issued_on"}) == ["4", "3", "2", "1"]
    assert [row["days_overdue"] for row in gm.get(INVOICES).json()["results"]] == [70, 15, 0, 0]
    for bad_id in ("abc", "999999", str(10**30)):
        assert gm.get(f"{INVOICES}{bad_id}/").status_code == 404
    owner = client_for(users["owner"])
    assert numbers(api=owner) == ["1", "2", "3"]
    assert numbers({"customer": outsider_customer.pk}, api=owner) == []  # a filter never widens the scope
    assert owner.get(f"{INVOICES}{four_invoices[3].pk}/").status_code == 404


@rule("AR-1")
@pytest.mark.parametrize("params", [{"status": "lost"}, {"due_before": "yesterday"}, {"due_after": "2026-02-30"},
                                    {"customer": "abc"}, {"customer": str(10**30)}, {"ordering": "colour"}])
def test_it_answers_400_for_bad_invoice_filters(users, client_for, four_invoices, params):
    response = client_for(users["gm"]).get(INVOICES, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(params)


@rule("AR-1")
def test_it_lists_invoices_in_a_fixed_number_of_queries(users, client_for, customer, product,
                                                        django_assert_max_num_queries):
    invoices_aged(customer=customer, product=product, specs=[("1", n) for n in range(6)])
    api = client_for(users["director"])
    api.get(INVOICES)  # warm the session
    with django_assert_max_num_queries(6):  # session, user, office subtree (2), count, rows
        response = api.get(INVOICES)
    assert (response.json()["count"], response.json()["results"][0]["order_number"]) == (6, "SO0000006")


@rule("AR-1")
def test_it_imports_invoices_all_or_nothing(users, client_for, customer, outsider_customer):
    finance = client_for(users["finance"])
    rows = [{"customer": "KH000001", "number": "OLD-001", "issued_on": "2025-12-01", "due_on": "2026-01-15",
             "amount": "1,234.50", "note": "期初余额"},
            {"customer": "KH000002", "number": "OLD-002", "issued_on": "2025-12-10", "amount": 800}]
    bad = [rows[0],
           {"customer": "KH999999", "number": "OLD-003", "issued_on": "2025-12-01", "amount": "-1"},
           {"customer": "KH000001", "number": "OLD-001", "issued_on": "soon", "amount": "5"}]
    response = post(finance, IMPORT, {"rows": bad})
    # A background job (PLT-4); a small one has already ended in the answer.
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["done"], job["total"], response.headers["Location"]) == (
        "done", 3, 3, job["api_url"])
    assert finance.get(job["api_url"]).json() == job
    assert {k: job["result"][k] for k in ("message", "refused", "errors")} == {
        "message": "Nothing was imported: 2 rows have problems.", "refused": True, "errors": [
        {"line": 2, "messages": ["customer: no customer with code “KH999999” in your scope.",
                                 "amount: The amount must be more than zero."]},
        {"line": 3, "messages": ["number: OLD-001 is already used.",
                                 "issued_on: The invoice date is not a date (YYYY-MM-DD)."]}]}
    assert Invoice.objects.count() == 0
    for body in ({"rows": []}, {"rows": "OLD-001"}, {"rows": [["KH000001", "OLD-001"]]}, {},
                 {"rows": [{**rows[0], "amount": {"value": 1}}]}):
        assert post(finance, IMPORT, body).status_code == 400, body
    refused = post(client_for(users["owner"]), IMPORT, {"rows": rows})
    assert (refused.status_code, refused.json()["detail"]) == (403, "Only finance imports invoices.")
    assert Invoice.objects.count() == 0

    finance = client_for(users["finance"])
    response = post(finance, IMPORT, {"rows": rows})
    assert (response.status_code, response.json()["status"], response.json()["result"]["counts"]["created"],
            response.json()["result"]["errors"]) == (202, "done", 2, [])
    assert [(i["number"], i["customer"], i["issued_on"], i["due_on"], i["amount"], i["open_amount"], i["source"],
             i["note"], i["order"]) for i in finance.get(INVOICES).json()["results"]] == [
        ("OLD-002", outsider_customer.pk, "2025-12-10", "2026-01-09", "800.00", "800.00", "import", "", None),
        ("OLD-001", customer.pk, "2025-12-01", "2026-01-15", "1234.50", "1234.50", "import", "期初余额", None)]


# --- promises (AR-2) -------------------------------------------------------------------------------------

@rule("AR-2")
def test_it_records_and_cancels_a_promise_to_pay(users, client_for, customer, product):
    invoice = invoices_aged(customer=customer, product=product, specs=[("10", 40)])[0]
    api = client_for(users["owner"])
    response = post(api, PROMISES, {"customer": customer.pk, "promised_on": day(7), "amount": "300",
                                    "invoice": invoice.pk, "contact": "王经理", "note": "月底前付"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("customer", "customer_name", "invoice", "invoice_number", "promised_on", "amount",
                                 "made_on", "contact", "status", "resolved_on", "note", "recorded_by_name")} == {
        "customer": customer.pk, "customer_name": "上海恒丰商贸有限公司", "invoice": invoice.pk,
        "invoice_number": "INV00000001", "promised_on": day(7), "amount": "300.00", "made_on": day(0),
        "contact": "王经理", "status": "open", "resolved_on": None, "note": "月底前付", "recorded_by_name": "张伟"}
    attempt = CollectionAttempt.objects.get()
    assert (attempt.channel, attempt.outcome, attempt.promise_id, attempt.invoice_id) == (
        "call", "promised", body["id"], invoice.pk)
    assert [p["id"] for p in api.get(PROMISES, {"status": "open"}).json()["results"]] == [body["id"]]

    read_only = post(client_for(users["gm"]), f"{PROMISES}{body['id']}/cancel/", {})
    assert (read_only.status_code, read_only.json()["detail"]) == (403, "Your role does not collect payments.")
    cancelled = post(client_for(users["owner"]), f"{PROMISES}{body['id']}/cancel/", {"reason": "客户已改期"})
    assert (cancelled.status_code, cancelled.json()["status"], cancelled.json()["resolved_on"],
            cancelled.json()["note"]) == (200, "cancelled", day(0), "月底前付 客户已改期")
    again = post(client_for(users["owner"]), f"{PROMISES}{body['id']}/cancel/", {})
    assert (again.status_code, again.json()["detail"]) == (
        400, "Only an open promise can be cancelled; this one is Cancelled.")


@rule("AR-2")
@pytest.mark.parametrize(("change", "status", "message"), [
    ({"promised_on": "YESTERDAY"}, 400, "A promise to pay names the day it was made or a later day."),
    ({"made_on": "WEEKS_AGO"}, 400, "A promise is recorded on the day it was made, today or up to 7 days ago."),
    ({"amount": "0"}, 400, "The amount promised must be more than zero."),
    ({"amount": "lots"}, 400, "amount promised must be a number."),
    ({"amount": "1.234"}, 400, "The amount promised has more than two decimals."),
    ({"invoice": "THEIRS"}, 400, "Unknown invoice “{THEIRS}”."),
    ({"invoice": 10**30}, 400, f"Unknown invoice “{10**30}”."),
    ({"channel": "pigeon"}, 400, None),
    ({"promised_on": "next week"}, 400, None),
    ({"customer": "OUTSIDER"}, 404, None),
])
def test_it_refuses_a_bad_promise_and_records_nothing(users, client_for, customer, outsider_customer, product, change,
                                                      status, message):
    theirs = invoices_aged(customer=outsider_customer, product=product, specs=[("1", 1)],
                           by=users["outsider"])[0]
    names = {"YESTERDAY": day(-1), "THEIRS": theirs.pk, "OUTSIDER": outsider_customer.pk, "WEEKS_AGO": day(-8)}
    change = {k: names.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    before = ledger()
    response = post(client_for(users["owner"]), PROMISES,
                    {"customer": customer.pk, "promised_on": day(3), "amount": "100", **change})
    assert response.status_code == status, response.content
    if message:
        assert response.json()["detail"] == message.format(**names)
    assert ledger() == before


# --- collection plans (AR-5) ------------------------------------------------------------------------------

@rule("AR-5")
def test_it_plans_an_order_in_instalments_and_voids_the_plan(users, client_for, customer, product):
    order = confirmed_order(customer=customer, product=product, quantity="10")  # ¥1,000
    api = client_for(users["owner"])
    response = post(api, PLANS, {"order": order.pk, "note": "分两期", "instalments": [
        {"due_on": day(60), "amount": "400.00"}, {"due_on": day(30), "amount": "600", "reminder_days": 5}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("order", "order_number", "customer", "customer_name", "status", "note",
                                 "created_by_name", "void_reason")} == {
        "order": order.pk, "order_number": "SO0000001", "customer": customer.pk, "customer_name": "上海恒丰商贸有限公司",
        "status": "active", "note": "分两期", "created_by_name": "张伟", "void_reason": ""}
    assert [(i["due_on"], i["amount"], i["reminder_days"], i["paid"], i["status"]) for i in body["instalments"]] == [
        (day(30), "600.00", 5, "0.00", "pending"), (day(60), "400.00", 3, "0.00", "pending")]
    assert [p["id"] for p in api.get(PLANS, {"order": order.pk}).json()["results"]] == [body["id"]]
    twice = post(api, PLANS, {"order": order.pk, "instalments": [{"due_on": day(30), "amount": "1000"}]})
    assert (twice.status_code, twice.json()["detail"]) == (400, "Order SO0000001 already has a plan: void it first.")

    url = f"{PLANS}{body['id']}/void/"
    no_reason = post(api, url, {})
    assert (no_reason.status_code, no_reason.json()["detail"]) == (400, "Give the reason for voiding the plan.")
    voided = post(api, url, {"reason": "合同改为一次付清"})
    assert (voided.status_code, voided.json()["status"], voided.json()["void_reason"],
            [i["status"] for i in voided.json()["instalments"]]) == (200, "void", "合同改为一次付清", ["void", "void"])
    again = post(api, url, {"reason": "再次"})
    assert (again.status_code, again.json()["detail"]) == (400, "This plan is already void.")
    replanned = post(api, PLANS, {"order": order.pk, "instalments": [{"due_on": day(30), "amount": "1000"}]})
    assert replanned.status_code == 201


@rule("AR-5")
@pytest.mark.parametrize(("instalments", "status", "message"), [
    ([{"due_on": "IN30", "amount": "600"}, {"due_on": "IN60", "amount": "300"}], 400,
     "The instalments add up to ¥900.00; the order asks ¥1,000.00."),
    ([], 400, "A plan needs at least one instalment."),
    ([{"due_on": "IN30", "amount": "1000", "reminder_days": 99}], 400, "Instalment 1: remind 0 to 60 days before."),
    ([{"due_on": "IN30", "amount": "1000", "reminder_days": 10**30}], 400, "Instalment 1: remind 0 to 60 days before."),
    ([{"due_on": "IN30", "amount": "-1000"}], 400, "Instalment 1: The amount must be more than zero."),
    ([{"due_on": "IN30", "amount": "999.999"}], 400, "Instalment 1: The amount has more than two decimals."),
    ([{"due_on": "AGO", "amount": "1000"}], 400, "An instalment cannot fall due before the order date ({TODAY})."),
    ([{"due_on": "someday", "amount": "1000"}], 400, None),
    ("two", 400, None),
])
def test_it_refuses_a_bad_plan_and_writes_nothing(users, client_for, customer, product, instalments, status, message):
    order = confirmed_order(customer=customer, product=product, quantity="10")
    names = {"IN30": day(30), "IN60": day(60), "AGO": day(-1), "TODAY": day(0)}
    if isinstance(instalments, list):
        instalments = [{**row, "due_on": names.get(row["due_on"], row["due_on"])} for row in instalments]
    before = ledger()
    response = post(client_for(users["owner"]), PLANS, {"order": order.pk, "instalments": instalments})
    assert response.status_code == status, response.content
    if message:
        assert response.json()["detail"] == message.format(**names)
    else:
        assert any(key.split(".")[0] == "instalments" for key in response.json()["errors"])
    assert ledger() == before


@rule("AR-5")
def test_it_refuses_a_plan_for_a_draft_or_unknown_order(users, client_for, customer, outsider_customer, product):
    order = sales.order_create(by=users["owner"], customer=customer, lines=[{"product": product, "quantity": 1}])
    theirs = confirmed_order(customer=outsider_customer, product=product, quantity="1", by=users["outsider"])
    api = client_for(users["owner"])
    instalments = [{"due_on": day(30), "amount": "100"}]
    draft = post(api, PLANS, {"order": order.pk, "instalments": instalments})
    assert (draft.status_code, draft.json()["detail"]) == (
        400, "Order SO0000001 is Draft: only a confirmed, delivered or invoiced order is paid by a plan.")
    for other in (theirs.pk, 999999, 10**30):
        assert post(api, PLANS, {"order": other, "instalments": instalments}).status_code == 404, other
    assert post(api, PLANS, {"order": "abc", "instalments": instalments}).status_code == 400
    assert CollectionPlan.objects.count() == 0


# --- ageing (AR-3) and collection rate (AR-4) -----------------------------------------------------------------

def money_row(row):
    return {k: row[k] for k in ("label", "current", "d1_30", "d31_60", "d61_90", "d91_180", "over_180", "open_total",
                                "on_account", "balance")}


@rule("AR-3")
def test_it_ages_receivables_per_customer_and_reconciles(users, client_for, customer, outsider_customer, product):
    # 70 and 15 days late, current
    a, _b, _c = invoices_aged(customer=customer, product=product, specs=[("10", 100), ("5", 45), ("2", 0)])
    invoices_aged(customer=outsider_customer, product=product, specs=[("3", 0)], by=users["outsider"])
    services.payment_post(by=users["owner"], customer=customer, amount="700", method="cash",
                          allocations=[{"invoice": a.pk, "amount": "400"}])  # ¥300 stays on account
    gm = client_for(users["gm"])
    response = gm.get(AGEING)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["as_of"], body["by"], [row["key"] for row in body["rows"]]) == (
        day(0), "customer", [customer.pk, outsider_customer.pk])
    zero = "0.00"
    assert [money_row(row) for row in body["rows"]] == [
        {"label": "上海恒丰商贸有限公司", "current": "200.00", "d1_30": "500.00", "d31_60": zero, "d61_90": "600.00",
         "d91_180": zero, "over_180": zero, "open_total": "1300.00", "on_account": "300.00", "balance": "1000.00"},
        {"label": "杭州西湖百货商店", "current": "300.00", "d1_30": zero, "d31_60": zero, "d61_90": zero,
         "d91_180": zero, "over_180": zero, "open_total": "300.00", "on_account": zero, "balance": "300.00"}]
    assert body["total"] == {"key": None, "label": "Total", "current": "500.00", "d1_30": "500.00", "d31_60": zero,
                             "d61_90": "600.00", "d91_180": zero, "over_180": zero, "open_total": "1600.00",
                             "on_account": "300.00", "balance": "1300.00"}
    # Thirty days ago: only the two older invoices were issued, A 40 days late, B not yet due; no payment yet.
    past = gm.get(AGEING, {"as_of": day(-30)}).json()
    assert [money_row(row) for row in past["rows"]] == [
        {"label": "上海恒丰商贸有限公司", "current": "500.00", "d1_30": zero, "d31_60": "1000.00", "d61_90": zero,
         "d91_180": zero, "over_180": zero, "open_total": "1500.00", "on_account": zero, "balance": "1500.00"}]
    by_owner = gm.get(AGEING, {"by": "owner"}).json()
    assert [(row["key"], row["label"], row["balance"]) for row in by_owner["rows"]] == [
        (users["owner"].pk, "张伟", "1000.00"), (users["outsider"].pk, "王芳", "300.00")]
    company = gm.get(AGEING, {"by": "company"}).json()
    assert [(row["key"], row["label"], row["balance"]) for row in company["rows"]] == [(None, "Company", "1300.00")]
    for bad in ({"by": "planet"}, {"as_of": "yesterday"}, {"as_of": "99999-01-01"}, {"as_of": "0001-01-01"}):
        response = gm.get(AGEING, bad)
        assert (response.status_code, list(response.json()["errors"])) == (400, list(bad)), bad
    director = client_for(users["director"]).get(AGEING).json()
    assert ([row["key"] for row in director["rows"]], director["total"]["balance"]) == ([customer.pk], "1000.00")


@rule("AR-4")
def test_it_measures_the_collection_rate_of_a_period(users, client_for, customer, outsider_customer, product):
    # due 70 and 15 days ago
    a, _b = invoices_aged(customer=customer, product=product, specs=[("10", 100), ("5", 45)])
    # due in 30 days
    invoices_aged(customer=outsider_customer, product=product, specs=[("3", 0)], by=users["outsider"])
    services.payment_post(by=users["owner"], customer=customer, amount="400", method="transfer",
                          received_on=today() - timedelta(days=20), allocations=[{"invoice": a.pk, "amount": "400"}])
    services.payment_post(by=users["owner"], customer=customer, amount="100", method="cash")  # after the period
    gm = client_for(users["gm"])
    response = gm.get(RATE, {"start": day(-80), "end": day(-10)})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "start": day(-80), "end": day(-10), "by": "owner",
        "rows": [{"key": users["owner"].pk, "label": "张伟", "due": "1500.00", "collected": "400.00", "rate": "26.7"}],
        "total": {"key": None, "label": "Total", "due": "1500.00", "collected": "400.00", "rate": "26.7"}}
    by_customer = gm.get(RATE, {"start": day(-80), "end": day(40), "by": "customer"}).json()
    assert [(row["label"], row["due"], row["collected"], row["rate"]) for row in by_customer["rows"]] == [
        ("杭州西湖百货商店", "300.00", "0.00", "0.0"), ("上海恒丰商贸有限公司", "1500.00", "500.00", "33.3")]
    empty = gm.get(RATE, {"start": day(-400), "end": day(-300)}).json()
    assert (empty["rows"], empty["total"]["due"], empty["total"]["rate"]) == ([], "0.00", None)
    this_month = gm.get(RATE).json()
    assert (this_month["start"][-2:], this_month["end"] >= day(0)) == ("01", True)
    for bad in ({"start": day(0), "end": day(-1)}, {"start": "x"}, {"by": "planet"}):
        response = gm.get(RATE, bad)
        assert response.status_code == 400, bad
    assert gm.get(RATE, {"start": day(0), "end": day(-1)}).json()["errors"] == {"end": ["The period ends before it starts."]}


@rule("AR-2")
def test_a_second_open_promise_on_an_invoice_is_refused_with_409_unless_kept_both(users, client_for, customer, product):
    """AR-2: the API answers a second open promise on the same invoice with 409 second_promise
    and records it with keep_both; a promise made yesterday is recorded with its day."""
    invoice = invoices_aged(customer=customer, product=product, specs=[("1", 1)], by=users["owner"])[0]
    api = client_for(users["owner"])
    first = post(api, PROMISES, {"customer": customer.pk, "invoice": invoice.pk, "promised_on": day(3),
                                 "amount": "100", "made_on": day(-1)})
    assert (first.status_code, first.json()["made_on"]) == (201, day(-1))
    second = post(api, PROMISES, {"customer": customer.pk, "invoice": invoice.pk, "promised_on": day(5), "amount": "50"})
    assert (second.status_code, second.json()["code"]) == (409, "second_promise")
    assert Promise.objects.count() == 1
    kept = post(api, PROMISES, {"customer": customer.pk, "invoice": invoice.pk, "promised_on": day(5), "amount": "50",
                                "keep_both": True})
    assert kept.status_code == 201 and Promise.objects.count() == 2


@rule("INS-2")
def test_ins2_over_long_invoice_numbers_are_refused_line_by_line(users, client_for, customer):
    """INS-2: two 32-character numbers that differ after the 30th were checked for duplicates
    before being cut to 30 — a 500 IntegrityError —, and a 36-character number was silently
    shortened; now each over-long value is refused with its line and nothing is written."""
    finance = client_for(users["finance"])
    base = "INV-2025-" + "0" * 21  # 30 characters
    rows = [{"customer": "KH000001", "number": base + "-A", "issued_on": "2025-12-01", "amount": "100"},
            {"customer": "KH000001", "number": base + "-B", "issued_on": "2025-12-01", "amount": "100"}]
    response = post(finance, IMPORT, {"rows": rows})
    assert response.status_code == 202, response.content
    assert response.json()["result"]["errors"] == [
        {"line": 1, "messages": ["invoice number longer than 30 characters (it has 32)."]},
        {"line": 2, "messages": ["invoice number longer than 30 characters (it has 32)."]}]
    assert Invoice.objects.count() == 0
    single = post(finance, IMPORT, {"rows": [rows[0] | {"number": "N" * 36}]})
    assert (single.json()["result"]["refused"], single.json()["result"]["errors"]) == (True, [
        {"line": 1, "messages": ["invoice number longer than 30 characters (it has 36)."]}])
    assert Invoice.objects.count() == 0
    fits = post(finance, IMPORT, {"rows": [rows[0] | {"number": base}]})
    assert (fits.json()["result"]["refused"], Invoice.objects.get().number) == (False, base)


@rule("AR-4")
def test_ar4_the_api_refuses_a_payment_dated_1990(users, client_for, customer, settings):
    """AR-4: POST a payment received on 1990-01-01 was answered 201; now 400 with the reason."""
    settings.KEHU_BACKDATE_DAYS = 31
    response = post(client_for(users["finance"]), PAYMENTS, {"customer": customer.pk, "amount": "10",
                                                             "method": "cash", "received_on": "1990-01-01"})
    assert response.status_code == 400, response.content
    earliest = today() - timedelta(days=31)
    assert response.json()["detail"] == (
        f"This payment is dated 1990-01-01, more than 31 days back (the earliest allowed is {earliest}). "
        "Post an adjusting entry dated today instead.")
    assert Payment.objects.count() == 0
