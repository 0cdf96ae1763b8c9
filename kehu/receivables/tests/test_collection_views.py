"""Collection work and report pages as their users see them: ageing with its drill-down and
export (AR-3), collection rate with the previous period (AR-4), the day's collection work,
attempts and promises (AR-2); every page against every role."""

import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core import periods
from kehu.customers.models import Category
from kehu.customers.tests.builders import new_customer
from kehu.receivables import selectors, services
from kehu.receivables.models import CollectionAttempt, CollectionTask, Promise
from kehu.receivables.tests.builders import imported_invoice, invoiced_order, new_payment, new_promise

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "old_invoices_allowed")]
TODAY = timezone.localdate()



def days_ago(n: int):
    return TODAY - timedelta(days=n)


def teammate_customer(users):
    return new_customer(by=users["teammate"], name="上海永兴五金店", category=Category.KEY_RETAILER,
                        phone="021-6666 0303")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def row_cells(response, key, attr="data-bucket") -> dict[str, str]:
    """The visible text of each cell of one row of a report table, by the cell's `attr`."""
    match = re.search(rf'<tr data-key="{key}">(.*?)</tr>', response.text, re.S)
    assert match, f"no row {key}"
    return {name: text_of(cell) for name, cell in re.findall(rf'{attr}="([^"]+)"[^>]*>(.*?)</td>', match.group(1),
                                                             re.S)}


def total_cells(response, table_id) -> dict[str, str]:
    match = re.search(rf'<tr id="{table_id}">(.*?)</tr>', response.text, re.S)
    return {name: text_of(cell) for name, cell in re.findall(r'data-bucket="([^"]+)"[^>]*>(.*?)</th>',
                                                             match.group(1), re.S)}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def listed(response, attr="data-invoice") -> list[str]:
    return re.findall(rf'{attr}="([^"]+)"', response.text)


@pytest.fixture
def book(users, customer, product):
    """The owner's customer: invoices due 10, 45, 70 (partly paid), 100 and 200 days ago, one
    not yet due, and ¥200 on account."""
    # due so many days ago: quantity of ¥100 (¥800 of d70 paid with ¥300; "later" due in 20 days)
    made = {name: invoiced_order(customer=customer, product=product, quantity=quantity, due_on=days_ago(due))
            for name, quantity, due in [("d10", 10, 10), ("d45", 20, 45), ("d70", 8, 70), ("d100", 30, 100),
                                        ("d200", 40, 200), ("later", 5, -20)]}
    new_payment(customer=customer, amount="300", by=users["finance"], allocations=[(made["d70"], "300")])
    new_payment(customer=customer, amount="200", by=users["finance"], method="cash", allocations=[])
    return made


# --- AR-3: ageing ------------------------------------------------------------------------------------------

@rule("AR-3")
def test_it_ages_the_open_invoices_into_buckets_that_reconcile_with_the_balance(en, users, customer, book):
    response = en(users["owner"]).get(reverse("receivables:ageing"))
    assert response.status_code == 200
    assert response.context["by"] == "customer"  # a salesperson reads their customers
    expected = {"current": "¥500.00", "d1_30": "¥1,000.00", "d31_60": "¥2,000.00", "d61_90": "¥500.00",
                "d91_180": "¥3,000.00", "over_180": "¥4,000.00", "open": "¥11,000.00", "on_account": "¥200.00",
                "balance": "¥10,800.00"}
    assert row_cells(response, customer.pk) == expected
    assert total_cells(response, "ageing-total") == expected
    assert response.context["total"].balance == sum(selectors.balances([customer.pk]).values()) == Decimal("10800")


@rule("AR-3")
def test_it_groups_by_salesperson_for_a_manager_with_a_total_over_the_scope(en, users, customer, product, book):
    other = teammate_customer(users)
    invoiced_order(customer=other, product=product, quantity=7, due_on=days_ago(3))
    response = en(users["director"]).get(reverse("receivables:ageing"))
    assert response.context["by"] == "owner"
    assert row_cells(response, users["owner"].pk)["balance"] == "¥10,800.00"
    assert row_cells(response, users["teammate"].pk)["d1_30"] == "¥700.00"
    assert total_cells(response, "ageing-total")["d1_30"] == "¥1,700.00"
    assert response.context["total"].balance == sum(selectors.balances([customer.pk, other.pk]).values())
    company = en(users["director"]).get(reverse("receivables:ageing"), {"by": "company"})
    assert row_cells(company, "")["balance"] == "¥11,500.00"


@rule("AR-3")
def test_it_drills_down_to_exactly_the_invoices_of_a_cell(en, users, customer, product, book):
    invoiced_order(customer=teammate_customer(users), product=product, quantity=7, due_on=days_ago(12))
    client = en(users["director"])
    url = reverse("receivables:ageing_invoices")
    cell = client.get(url, {"as_of": TODAY.isoformat(), "by": "customer", "key": customer.pk, "bucket": "d1_30"})
    assert listed(cell) == [book["d10"].number]
    assert re.search(r'data-late="10"', cell.text)
    partly = client.get(url, {"by": "customer", "key": customer.pk, "bucket": "d61_90"})
    assert listed(partly) == [book["d70"].number]
    assert 'data-open="500.00"' in partly.text
    whole_row = client.get(url, {"by": "customer", "key": customer.pk})
    assert listed(whole_row) == [book[k].number for k in ("d200", "d100", "d70", "d45", "d10", "later")]
    whole_bucket = client.get(url, {"by": "company", "bucket": "d1_30"})
    assert len(listed(whole_bucket)) == 2  # both customers' invoices of 1–30 days
    # Every non-zero cell of the page links to its drill-down.
    page = client.get(reverse("receivables:ageing"), {"by": "customer"})
    assert (f"by=customer&amp;key={customer.pk}&amp;bucket=over_180") in page.text


@rule("AR-3")
def test_it_shows_the_ledger_as_it_stood_on_an_earlier_day(en, users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(10))
    # received today
    new_payment(customer=customer, amount="1000", by=users["finance"], allocations=[(invoice, "1000")])
    client = en(users["owner"])
    today = client.get(reverse("receivables:ageing"))
    assert today.context["rows"] == []
    before = client.get(reverse("receivables:ageing"), {"as_of": days_ago(1).isoformat()})
    assert row_cells(before, customer.pk)["d1_30"] == "¥1,000.00"
    assert row_cells(before, customer.pk)["balance"] == "¥1,000.00"
    drill = client.get(reverse("receivables:ageing_invoices"), {"as_of": days_ago(1).isoformat(), "bucket": "d1_30"})
    assert listed(drill) == [invoice.number]
    assert 'data-late="9"' in drill.text


@rule("AR-3")
@pytest.mark.parametrize(("query", "field"), [({"as_of": "garbage"}, "as of"), ({"by": "evil"}, "group by"),
                                               ({"as_of": "0001-01-01"}, "as of")])
def test_it_ignores_a_bad_query_with_a_message_and_shows_today(en, users, customer, book, query, field):
    response = en(users["owner"]).get(reverse("receivables:ageing"), query)
    assert response.status_code == 200
    assert response.context["as_of"] == TODAY and response.context["by"] == "customer"
    assert messages_of(response)[0].startswith(f"“{field}” ignored:")
    assert row_cells(response, customer.pk)["balance"] == "¥10,800.00"


@rule("AR-3")
def test_it_ignores_a_bad_drill_down_query_with_a_message(en, users, customer, book):
    response = en(users["owner"]).get(reverse("receivables:ageing_invoices"),
                                      {"as_of": "2025-13-45", "bucket": "evil", "by": "customer", "key": "abc"})
    assert response.status_code == 200
    assert len(messages_of(response)) == 3  # as of, bucket and row
    assert len(listed(response)) == 6  # every open invoice in the scope, as of today


@rule("AR-3")
def test_it_exports_the_ageing_with_its_total(en, users, customer, book):
    response = en(users["owner"]).get(reverse("receivables:ageing_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == ("customer", "Current", "1–30 days", "31–60 days", "61–90 days", "91–180 days",
                       "Over 180 days", "open total", "on account", "balance")
    assert rows[1] == (customer.name, 500, 1000, 2000, 500, 3000, 4000, 11000, 200, 10800)
    assert rows[2] == ("Total", 500, 1000, 2000, 500, 3000, 4000, 11000, 200, 10800)


@rule("AR-3")
def test_it_reads_the_ageing_in_a_fixed_number_of_queries(en, users, customer, product, book,
                                                          django_assert_num_queries):
    client = en(users["director"])
    client.get(reverse("receivables:ageing"))
    # session, user, office subtree (2), open amounts per group, payments and credit notes on account, names,
    # the user's office in the navigation bar
    with django_assert_num_queries(9):
        client.get(reverse("receivables:ageing"), {"by": "customer"})
    for n in range(3):
        other = new_customer(by=users["teammate"], name=f"上海客户{n}", category=Category.KEY_RETAILER,
                             phone=f"021-6666 030{n}")
        invoiced_order(customer=other, product=product, quantity=n + 1, due_on=days_ago(5 * n))
    with django_assert_num_queries(9):
        response = client.get(reverse("receivables:ageing"), {"by": "customer"})
    assert len(response.context["rows"]) == 4


# --- AR-4: collection rate -------------------------------------------------------------------------------

@pytest.fixture
def period():
    return {"start": days_ago(20).isoformat(), "end": TODAY.isoformat()}


@rule("AR-4")
def test_it_computes_the_collection_rate_and_follows_a_payment(en, users, customer, product, period):
    # ¥1,000 due in the period
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(10))
    new_payment(customer=customer, amount="600", by=users["finance"], allocations=[(invoice, "600")],
                received_on=days_ago(5))
    client = en(users["owner"])
    response = client.get(reverse("receivables:collection_rate"), {**period, "by": "customer"})
    row = re.search(rf'<tr data-key="{customer.pk}">(.*?)</tr>', response.text, re.S).group(1)
    assert [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][1:4] == [
        "¥1,000.00", "¥600.00", "60.0%"]
    new_payment(customer=customer, amount="100", by=users["finance"], allocations=[(invoice, "100")])
    response = client.get(reverse("receivables:collection_rate"), {**period, "by": "customer"})
    assert response.context["total"]["row"].rate == Decimal("70.0")
    assert 'data-rate="70.0"' in response.text


@rule("AR-4")
def test_it_lists_the_lowest_rate_first_and_compares_with_the_period_before(en, users, customer, product, period):
    due_now = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(10))
    new_payment(customer=customer, amount="600", by=users["finance"], allocations=[(due_now, "600")],
                received_on=days_ago(5))
    # the 21 days before the period
    earlier = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(30))
    new_payment(customer=customer, amount="1000", by=users["finance"], allocations=[(earlier, "1000")],
                received_on=days_ago(25))
    # nothing collected
    invoiced_order(customer=teammate_customer(users), product=product, quantity=5, due_on=days_ago(3))
    response = en(users["director"]).get(reverse("receivables:collection_rate"), period)
    assert response.context["by"] == "owner"
    lines = response.context["lines"]
    assert [(str(line["row"].label), line["row"].rate, line["before"], line["change"]) for line in lines] == [
        ("李娜", Decimal("0.0"), None, None), ("张伟", Decimal("60.0"), Decimal("100.0"), Decimal("-40.0"))]
    assert response.context["before_start"] == days_ago(41) and response.context["before_end"] == days_ago(21)
    assert "−40.0" in response.text and "—" in response.text


@rule("AR-4")
def test_it_offers_this_month_by_default_and_the_presets(en, users):
    client = en(users["owner"])
    start, end = periods.month_bounds(TODAY)
    response = client.get(reverse("receivables:collection_rate"))
    assert (response.context["start"], response.context["end"], response.context["preset"]) == (start, end,
                                                                                                "this_month")
    last = client.get(reverse("receivables:collection_rate"), {"preset": "last_month"})
    assert (last.context["start"], last.context["end"]) == periods.month_bounds(start - timedelta(days=1))
    assert last.context["before_end"] == last.context["start"] - timedelta(days=1)
    assert last.context["before_start"] == periods.month_bounds(last.context["before_end"])[0]
    quarter = client.get(reverse("receivables:collection_rate"), {"preset": "this_quarter"})
    assert quarter.context["start"].month == (TODAY.month - 1) // 3 * 3 + 1
    assert quarter.context["start"] <= TODAY <= quarter.context["end"]


@rule("AR-4")
@pytest.mark.parametrize("query", [{"start": "abc"}, {"by": "evil"}, {"start": "2026-05-01", "end": "2026-04-01"},
                                   {"preset": "next_year"}, {"end": "9999-12-31"}])
def test_it_ignores_a_bad_period_with_a_message(en, users, query):
    response = en(users["owner"]).get(reverse("receivables:collection_rate"), query)
    assert response.status_code == 200
    assert "ignored" in messages_of(response)[0]
    assert (response.context["start"], response.context["end"]) == periods.month_bounds(TODAY)


@rule("AR-4")
def test_it_exports_the_collection_rate(en, users, customer, product, period):
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(10))
    new_payment(customer=customer, amount="600", by=users["finance"], allocations=[(invoice, "600")],
                received_on=days_ago(5))
    response = en(users["owner"]).get(reverse("receivables:collection_rate_export"), {**period, "by": "customer"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == ("customer", "due", "collected", "collection rate %", "previous period %", "change (points)")
    assert rows[1] == (customer.name, 1000, 600, 60, None, None)
    assert rows[2] == ("Total", 1000, 600, 60, None, None)


# --- AR-2: collection work, attempts and promises ----------------------------------------------------------

@rule("AR-2")
def test_it_lists_the_days_tasks_promises_and_overdue_invoices_without_a_task(en, users, customer, product):
    tasked = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))
    services.collection_day(today=TODAY)
    # after the morning run
    untasked = invoiced_order(customer=customer, product=product, quantity=3, due_on=days_ago(2))
    new_promise(customer=customer, by=users["owner"], promised_on=TODAY, amount="800", contact="王会计")
    response = en(users["owner"]).get(reverse("receivables:collection_work"))
    task = CollectionTask.objects.get(invoice=tasked)
    assert listed(response, "data-task") == [str(task.pk)]
    assert listed(response, "data-promise") == [str(Promise.objects.get().pk)]
    assert listed(response) == [untasked.number]
    attempt_url = reverse("receivables:attempt_create", args=[customer.pk])
    assert f"{attempt_url}?task={task.pk}&amp;invoice={tasked.pk}" in response.text
    assert en(users["outsider"]).get(reverse("receivables:collection_work")).context["tasks"].paginator.count == 0


@rule("AR-2")
def test_it_logs_a_promise_against_a_task_and_closes_the_task(en, users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))
    services.collection_day(today=TODAY)
    task = CollectionTask.objects.get(invoice=invoice)
    client = en(users["owner"])
    url = reverse("receivables:attempt_create", args=[customer.pk])
    form = client.get(url, {"task": task.pk, "invoice": invoice.pk})
    assert str(form.context["form"]["invoice"].value()) == str(invoice.pk)
    promised_on = TODAY + timedelta(days=7)
    response = client.post(url, {"task": task.pk, "invoice": invoice.pk, "channel": "visit", "outcome": "promised",
                                 "promised_on": promised_on.isoformat(), "promised_amount": "1,000",
                                 "contact": "王会计", "note": "月底资金到位",
                                 "next": reverse("receivables:collection_work")})
    assert response.status_code == 302 and response["Location"] == reverse("receivables:collection_work")
    promise = Promise.objects.get()
    assert (promise.customer, promise.invoice, promise.promised_on, promise.amount, promise.contact,
            promise.status) == (customer, invoice, promised_on, Decimal("1000.00"), "王会计", "open")
    task.refresh_from_db()
    assert (task.status, task.done_by) == ("done", users["owner"])
    attempt = CollectionAttempt.objects.get()
    assert (attempt.task, attempt.promise, attempt.outcome, attempt.note) == (task, promise, "promised", "月底资金到位")
    assert messages_of(client.get(response["Location"])) == [
        f"Attempt logged: {customer.name} promised to pay ¥1,000.00 on {promised_on.isoformat()}."]


@rule("AR-2")
def test_it_logs_an_attempt_without_a_promise(en, users, customer):
    response = en(users["finance"]).post(reverse("receivables:attempt_create", args=[customer.pk]),
                                         {"channel": "call", "outcome": "unreachable"})
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert CollectionAttempt.objects.get().outcome == "unreachable"
    assert not Promise.objects.exists()


def collection_state():
    return (sorted(CollectionAttempt.objects.values_list("id", flat=True)), sorted(Promise.objects.values_list("id",
            flat=True)), sorted(CollectionTask.objects.values_list("id", "status")))


@rule("AR-2")
@pytest.mark.parametrize(("values", "message"), [
    ({"promised_on": "yesterday", "promised_amount": "500"}, "Enter a valid date."),
    ({"promised_on": "past", "promised_amount": "500"}, "A promise to pay names the day it was made or a later day."),
    ({"made_on": "long ago", "promised_amount": "500"},
     "A promise is recorded on the day it was made, today or up to 7 days ago."),
    ({"made_on": "tomorrow", "promised_amount": "500"},
     "A promise is recorded on the day it was made, today or up to 7 days ago."),
    ({"outcome": ""}, "This field is required."),
    ({"promised_amount": "0"}, "The amount promised must be more than zero."),
    ({"promised_amount": "-5"}, "The amount promised must be more than zero."),
    ({"promised_amount": "abc"}, "amount promised must be a number."),
    ({"promised_amount": ""}, "Enter the amount promised."),
    ({"task": "999999"}, "Unknown collection task “999999”."),
    ({"task": "abc"}, "Unknown collection task “abc”."),
    ({"invoice": "999999"}, "Select a valid choice. 999999 is not one of the available choices."),
])
def test_it_refuses_a_bad_attempt_and_changes_nothing(en, users, customer, product, values, message):
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))
    services.collection_day(today=TODAY)
    task = CollectionTask.objects.get(invoice=invoice)
    data = {"task": task.pk, "channel": "call", "outcome": "promised",
            "promised_on": (TODAY + timedelta(days=3)).isoformat(), "promised_amount": "500", **values}
    if data["promised_on"] == "past":
        data["promised_on"] = days_ago(1).isoformat()
    data["made_on"] = {"long ago": days_ago(8), "tomorrow": TODAY + timedelta(days=1)}.get(data.get("made_on"), TODAY)
    before = collection_state()
    response = en(users["owner"]).post(reverse("receivables:attempt_create", args=[customer.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in [str(e) for e in form.non_field_errors()] + [str(e) for f in form for e in f.errors]
    assert collection_state() == before


@rule("AR-2")
def test_it_refuses_another_customers_task(en, users, customer, product):
    other = teammate_customer(users)
    invoiced_order(customer=other, product=product, quantity=2, due_on=days_ago(5))
    services.collection_day(today=TODAY)
    task = CollectionTask.objects.get(customer=other)
    before = collection_state()
    response = en(users["director"]).post(reverse("receivables:attempt_create", args=[customer.pk]),
                                          {"task": task.pk, "channel": "call", "outcome": "reminded"})
    assert [str(e) for e in response.context["form"].non_field_errors()] == [
        "That collection task is not this customer's."]
    assert collection_state() == before


@rule("AR-2")
def test_it_lists_promises_by_status_and_cancels_one_after_confirmation(en, users, customer):
    for days in (3, 5):
        new_promise(customer=customer, by=users["owner"], promised_on=TODAY + timedelta(days=days),
                    amount="500")
    first, second = Promise.objects.order_by("promised_on")
    client = en(users["owner"])
    confirm = client.get(reverse("receivables:promise_cancel", args=[first.pk]))
    assert confirm.status_code == 200 and Promise.objects.get(pk=first.pk).status == "open"
    response = client.post(reverse("receivables:promise_cancel", args=[first.pk]), {"reason": "客户已改为分期"})
    assert response["Location"] == reverse("receivables:promise_list")
    first.refresh_from_db()
    assert (first.status, first.note) == ("cancelled", "客户已改为分期")
    open_only = client.get(reverse("receivables:promise_list"), {"status": "open"})
    assert listed(open_only, "data-promise") == [str(second.pk)]
    everything = client.get(reverse("receivables:promise_list"))
    assert listed(everything, "data-promise") == [str(second.pk), str(first.pk)]
    again = client.post(reverse("receivables:promise_cancel", args=[first.pk]), {})
    assert messages_of(client.get(again["Location"])) == [
        "Only an open promise can be cancelled; this one is Cancelled."]
    bad = client.get(reverse("receivables:promise_list"), {"status": "evil", "page": "abc"})
    assert bad.status_code == 200 and messages_of(bad)[0].startswith("“status” ignored:")


@rule("AR-3")
def test_it_pages_a_long_ageing_table_most_overdue_first_and_totals_all_of_it(en, users):
    for n in range(53):
        target = new_customer(by=users["owner"], name=f"账龄分页测试{n:02d}商行", category=Category.KEY_RETAILER,
                              phone=f"021-7{n:02d}0 8{n:02d}1", on_duplicate="keep_both")
        imported_invoice(by=users["finance"], customer=target, number=f"AGE-{n}", amount=100 + n,
                         issued_on=days_ago(40 + n))
    client = en(users["owner"])
    first = client.get(reverse("receivables:ageing"), {"by": "customer"})
    second = client.get(reverse("receivables:ageing"), {"by": "customer", "page": 2})
    keys = lambda r: re.findall(r'<tr data-key="(\d+)"', r.text)  # noqa: E731
    assert (len(keys(first)), len(keys(second))) == (50, 3)
    assert "账龄分页测试52商行" in first.text  # the most overdue comes first
    assert "账龄分页测试00商行" in second.text
    expected = sum(Decimal(100 + n) for n in range(53))
    assert total_cells(first, "ageing-total")["balance"] == f"¥{expected:,.2f}"


# --- AR-2: collection work defaults (issue 12, item 8) -----------------------------------------------------

@rule("AR-2")
def test_the_attempt_form_has_no_outcome_chosen_in_advance(en, users, customer):
    """AR-2: a rushed visit log must not record a payment that did not happen: the outcome
    starts empty and an attempt without one is refused, logging nothing."""
    url = reverse("receivables:attempt_create", args=[customer.pk])
    form = en(users["owner"]).get(url).context["form"]
    assert form["outcome"].value() in (None, "")
    assert list(form.fields["outcome"].choices)[0] == ("", "Choose the outcome")
    response = en(users["owner"]).post(url, {"channel": "visit"})
    assert response.status_code == 200 and response.context["form"].errors["outcome"] == ["This field is required."]
    assert not CollectionAttempt.objects.exists()


@rule("AR-2")
def test_the_promiser_is_chosen_among_the_customers_key_people_or_typed(en, users, customer):
    """AR-2 (CUS-2): the customer's current key people are offered as who promised; another
    name may be typed."""
    from kehu.customers.tests.builders import new_key_person

    new_key_person(by=users["owner"], customer=customer, role="buyer", name="王会计")
    new_key_person(by=users["owner"], customer=customer, role="in_charge", name="陈总")
    url = reverse("receivables:attempt_create", args=[customer.pk])
    page = en(users["owner"]).get(url)
    assert 'list="promiser-choices"' in page.text
    datalist = re.search(r'<datalist id="promiser-choices">(.*?)</datalist>', page.text, re.S).group(1)
    assert sorted(re.findall(r'<option value="([^"]+)"', datalist)) == ["王会计", "陈总"]
    for contact in ("王会计", "财务部小刘"):
        en(users["owner"]).post(url, {"channel": "call", "outcome": "promised", "contact": contact, "keep_both": "on",
                                      "promised_on": TODAY.isoformat(), "promised_amount": "100"})
    assert sorted(Promise.objects.values_list("contact", flat=True)) == ["王会计", "财务部小刘"]


@rule("AR-2")
def test_the_amount_promised_starts_at_what_is_open_on_the_invoice(en, users, customer, product):
    """AR-2: the promise is prefilled with the invoice's open amount (the one chosen, and the
    page carries every invoice's open amount for when another is chosen)."""
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))
    other = invoiced_order(customer=customer, product=product, quantity=3, due_on=days_ago(2))
    new_payment(customer=customer, amount="250", by=users["finance"], allocations=[(invoice, "250")])
    page = en(users["owner"]).get(reverse("receivables:attempt_create", args=[customer.pk]), {"invoice": invoice.pk})
    assert page.context["form"]["promised_amount"].value() == "750.00"
    amounts = re.search(r'<script id="invoice-open-amounts" type="application/json">(.*?)</script>', page.text).group(1)
    assert json.loads(amounts) == {str(invoice.pk): "750.00", str(other.pk): "300.00"}
    assert 'data-fill-amount="invoice-open-amounts"' in page.text and "receivables/attempt.js" in page.text


@rule("AR-2")
def test_a_second_open_promise_on_an_invoice_needs_a_confirmation(en, users, customer, product):
    """AR-2: a second open promise on the same invoice is refused with a warning naming the
    first, and recorded only once the user ticks "record this promise as well"."""
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))
    new_promise(customer=customer, by=users["owner"], promised_on=TODAY + timedelta(days=3), amount="400",
                invoice=invoice)
    url = reverse("receivables:attempt_create", args=[customer.pk])
    data = {"channel": "call", "outcome": "promised", "invoice": invoice.pk,
            "promised_on": (TODAY + timedelta(days=10)).isoformat(), "promised_amount": "600"}
    before = collection_state()
    refused = en(users["owner"]).post(url, data)
    assert [str(e) for e in refused.context["form"].non_field_errors()] == [
        f"Invoice {invoice.number} already has an open promise to pay ¥400.00 on "
        f"{(TODAY + timedelta(days=3)).isoformat()}. Confirm to record this one as well, or cancel the first."]
    assert 'id="keep-both"' in refused.text
    assert collection_state() == before
    assert 'id="keep-both"' not in en(users["owner"]).get(url).text  # asked only when it applies
    confirmed = en(users["owner"]).post(url, {**data, "keep_both": "on"})
    assert confirmed.status_code == 302
    assert sorted(Promise.objects.filter(invoice=invoice, status="open").values_list("amount", flat=True)) == [
        Decimal("400.00"), Decimal("600.00")]


@rule("AR-2")
def test_a_promise_made_by_phone_yesterday_is_recorded_with_its_day(en, users, customer, product, settings):
    """AR-2: a promise made within KEHU_PROMISE_BACKDATE_DAYS (7) may be recorded with the day it
    was made, and may name that past day for the payment; it is judged by the next morning run."""
    invoice = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))
    url = reverse("receivables:attempt_create", args=[customer.pk])
    response = en(users["owner"]).post(url, {"channel": "call", "outcome": "promised", "invoice": invoice.pk,
                                             "made_on": days_ago(1).isoformat(),
                                             "promised_on": days_ago(1).isoformat(), "promised_amount": "500"})
    assert response.status_code == 302
    promise = Promise.objects.get()
    assert (promise.made_on, promise.promised_on, promise.amount) == (days_ago(1), days_ago(1), Decimal("500.00"))
    assert services.collection_day(today=TODAY)["broken"] == 1
    settings.KEHU_PROMISE_BACKDATE_DAYS = 1
    refused = en(users["owner"]).post(url, {"channel": "call", "outcome": "promised", "made_on": days_ago(2).isoformat(),
                                            "promised_on": TODAY.isoformat(), "promised_amount": "500"})
    assert "A promise is recorded on the day it was made, today or up to 1 days ago." in [
        str(e) for e in refused.context["form"].non_field_errors()]
    assert Promise.objects.count() == 1


@rule("AR-2")
def test_todays_collection_count_includes_what_is_overdue_without_a_task(client_for, users, customer, product):
    """AR-2: 9 overdue invoices that no task covers (the morning run has not picked them up)
    are today's collection work: the home card counts them."""
    for n in range(9):
        invoiced_order(customer=customer, product=product, quantity=1, due_on=days_ago(n + 1))
    headline = selectors.headline_for(users["owner"])
    assert (headline.tasks_due, headline.promises_due, headline.overdue_untasked, headline.collection_today) == (
        0, 0, 9, 9)
    text = client_for(users["owner"]).get(reverse("home")).text
    assert re.search(r'id="collection-today">(.*?)</div>', text).group(1) == "9"
    services.collection_day(today=TODAY)  # the morning run makes their visits: counted once, not twice
    assert selectors.headline_for(users["owner"]).collection_today == 9
