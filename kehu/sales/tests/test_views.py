"""Sales pages: what the owner sees, filters and bad input, orders taken and moved through
their steps from the pages, credit refusals and overrides, returns and their analysis,
products and their import, and query counts of every list."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.credit import services as credit
from kehu.credit.models import CreditRequest
from kehu.customers.tests.builders import new_customer
from kehu.sales.models import CreditNote, Order, Product, Return
from kehu.sales.tests.builders import (
    ProductFactory,
    advance,
    confirm,
    confirmed_order,
    credit_limit,
    delivered_order,
    draft_order,
    goods_return,
    settle_invoice_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def soap(db):
    return ProductFactory(code="P002", name="香皂 100g", unit="块", list_price=Decimal("5.50"))


@pytest.fixture
def tea(db):
    return ProductFactory(code="T001", name="绿茶 250g", unit="盒", list_price=Decimal("48.00"), line="食品")


def listed(response, attr="data-order"):
    """The row keys a list page shows, in order."""
    return re.findall(rf'{attr}="([^"]+)"', response.text)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- order list --------------------------------------------------------------------------------------------

@rule("ORD-1")
def test_it_lists_the_owners_orders_with_totals_and_nothing_outside_the_scope(en, users, customer, outsider_customer,
                                                                             product):
    mine = draft_order(customer=customer, lines=[(product, 10, None, 5)])  # 950.00
    theirs = draft_order(customer=outsider_customer, lines=[(product, 1)])
    response = en(users["owner"]).get(reverse("sales:order_list"))
    assert response.status_code == 200
    assert listed(response) == [mine.number]
    assert theirs.number not in response.text
    assert "¥950.00" in response.text and customer.name in response.text
    assert 'id="result-count">1<' in response.text


@rule("ORD-1")
def test_it_filters_orders_by_status_period_office_owner_customer_and_line(en, users, customer, outsider_customer,
                                                                           product, tea):
    old = draft_order(customer=customer, lines=[(product, 1)], ordered_on=date(2024, 1, 10))
    new = draft_order(customer=customer, lines=[(tea, 1)], ordered_on=date(2024, 3, 5))
    credit_limit(customer, "100000")
    confirm(new)
    away = draft_order(customer=outsider_customer, lines=[(tea, 2)], ordered_on=date(2024, 3, 6))
    client = en(users["gm"])

    def numbers(**params):
        return set(listed(client.get(reverse("sales:order_list"), params)))

    assert numbers() == {old.number, new.number, away.number}
    assert numbers(status="confirmed") == {new.number}
    assert numbers(date_from="2024-02-01") == {new.number, away.number}
    assert numbers(date_from="2024-01-01", date_to="2024-03-05") == {old.number, new.number}
    assert numbers(office=users["director"].office_id) == {old.number, new.number}  # Shanghai and its team
    assert numbers(office=users["outsider"].office_id) == {away.number}
    assert numbers(owner=users["outsider"].pk) == {away.number}
    assert numbers(customer="恒丰") == {old.number, new.number}
    assert numbers(customer_id=outsider_customer.pk) == {away.number}
    assert numbers(line="食品") == {new.number, away.number}
    assert numbers(line="食品", status="draft") == {away.number}


@rule("ORD-1")
def test_it_lists_an_order_once_when_several_lines_share_the_product_line(en, users, customer, product, soap):
    order = draft_order(customer=customer, lines=[(product, 1), (soap, 2), (soap, 3)])
    response = en(users["owner"]).get(reverse("sales:order_list"), {"line": "日化"})
    assert listed(response) == [order.number]
    assert 'id="result-count">1<' in response.text


@rule("ORD-1")
def test_it_reports_bad_filter_values_and_ignores_them(en, users, customer, product):
    order = draft_order(customer=customer, lines=[(product, 1)])
    response = en(users["owner"]).get(reverse("sales:order_list"), {
        "date_from": "2024-13-45", "date_to": "yesterday", "status": "evil",
        "customer_id": "x", "sort": "drop table", "page": "-3"})
    assert response.status_code == 200
    assert listed(response) == [order.number]
    ignored = [m for m in messages_of(response) if m.startswith("Filter")]
    assert len(ignored) == 5  # the page number is not a filter: a bad one shows page 1
    assert any("“from” ignored: Enter a valid date." in m for m in ignored)
    huge = en(users["owner"]).get(reverse("sales:order_list"), {"customer_id": "9" * 30})
    assert huge.status_code == 200 and listed(huge) == [order.number]
    # A salesperson or office that is not one to choose (unknown, or outside the scope) is
    # refused: nothing is shown rather than the whole list (issue 12, item 6).
    for refused in ({"office": "abc"}, {"owner": "999999"}, {"owner": "9" * 30}):
        response = en(users["owner"]).get(reverse("sales:order_list"), refused)
        assert response.status_code == 200 and listed(response) == []
        assert [m for m in messages_of(response) if m.startswith("Filter")] == [
            f"Filter “{'office' if 'office' in refused else 'salesperson'}” refused: Not one you can choose: "
            "it is outside the records you can see, or does not exist. Nothing is shown."]


@rule("ORD-1")
def test_it_sorts_and_pages_orders(en, users, customer, product, django_capture_on_commit_callbacks):
    orders = [draft_order(customer=customer, lines=[(product, n)]) for n in (3, 1, 2)]
    client = en(users["owner"])
    by_total = listed(client.get(reverse("sales:order_list"), {"sort": "total"}))
    assert by_total == [orders[1].number, orders[2].number, orders[0].number]
    assert listed(client.get(reverse("sales:order_list"), {"sort": "-total"})) == by_total[::-1]
    with django_capture_on_commit_callbacks(execute=True):  # committed: the kept count is renewed
        for n in range(50):
            draft_order(customer=customer, lines=[(product, 1)],
                        ordered_on=date(2023, 1, 1) + timedelta(days=n))
    page2 = client.get(reverse("sales:order_list"), {"page": 2})
    assert len(listed(page2)) == 3 and "Page 2 of 2" in page2.text


@rule("ORD-1")
def test_it_exports_the_filtered_orders_to_excel(en, users, customer, outsider_customer, product):
    order = draft_order(customer=customer, lines=[(product, 2)], note="=HYPERLINK(\"x\")")
    draft_order(customer=customer, lines=[(product, 1)], ordered_on=date(2020, 1, 1))
    draft_order(customer=outsider_customer, lines=[(product, 1)])
    response = en(users["owner"]).get(reverse("sales:order_export"), {"date_from": "2021-01-01"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("order number", "order date", "customer code")
    assert [(r[0], r[3], r[6], r[7], r[10]) for r in rows[1:]] == [
        (order.number, customer.name, "Draft", 200, "'=HYPERLINK(\"x\")")]


@rule("ORD-1")
def test_it_keeps_the_order_list_free_of_n_plus_one(en, users, customer, outsider_customer, product,
                                                   django_assert_max_num_queries):
    for n in range(30):
        draft_order(customer=customer if n % 2 else outsider_customer, lines=[(product, n + 1)])
    client = en(users["gm"])
    client.get(reverse("sales:order_list"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("sales:order_list"), {"line": "日化", "sort": "-total"})
    assert len(listed(response)) == 30
    with django_assert_max_num_queries(8):
        assert client.get(reverse("sales:order_export")).status_code == 200


@rule("ORD-1")
def test_it_lists_the_orders_of_one_customer_from_the_360_page(en, users, customer, product):
    other = new_customer(by=users["owner"], name="上海另一家商店", category="other")
    order = draft_order(customer=customer, lines=[(product, 1)])
    draft_order(customer=other, by=users["owner"], lines=[(product, 1)])
    client = en(users["owner"])
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    link = f'{reverse("sales:order_list")}?customer_id={customer.pk}'
    assert link in page.text
    assert f'{reverse("sales:order_create")}?customer={customer.pk}' in page.text
    assert reverse("sales:order_detail", args=[order.pk]) in page.text
    response = client.get(link)
    assert listed(response) == [order.number]
    assert f'id="only-customer">{customer.name}<' in response.text


@rule("ORD-1")
def test_it_offers_no_new_order_link_to_roles_that_do_not_take_orders(en, users, customer, product):
    draft_order(customer=customer, lines=[(product, 1)])
    page = en(users["finance"]).get(reverse("customers:detail", args=[customer.pk]))
    assert 'id="customer-orders"' in page.text and "SO0000001" in page.text
    assert 'id="customer-new-order"' not in page.text


# --- taking and editing orders ---------------------------------------------------------------------------

def line_data(*lines):
    data = {}
    for n, line in enumerate(lines):
        for field, value in zip(("product", "quantity", "unit_price", "discount_pct"), line, strict=False):
            data[f"lines-{n}-{field}"] = value
    return data


@rule("ORD-1")
def test_it_creates_an_order_from_the_page_at_list_prices_with_discounts(en, users, customer, product, soap):
    response = en(users["owner"]).post(reverse("sales:order_create"), {
        "customer": customer.pk, "ordered_on": "2024-05-06", "note": "春节备货",
        # a blank row in between is skipped
        **line_data((product.pk, "10", "", "5"), ("", "", "", ""), (soap.pk, "4", "5.00", ""))})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sales:order_detail", args=[order.pk])
    assert (order.total, order.status, order.ordered_on, order.owner, order.note) == (
        Decimal("970.00"), "draft", date(2024, 5, 6), users["owner"], "春节备货")
    assert [(line.product, line.unit_price, line.amount) for line in order.lines.all()] == [
        (product, Decimal("100.00"), Decimal("950.00")), (soap, Decimal("5.00"), Decimal("20.00"))]


@rule("ORD-1")
def test_it_prefills_the_customer_and_shows_list_prices(en, users, customer, product):
    response = en(users["owner"]).get(reverse("sales:order_create"), {"customer": customer.pk})
    assert response.status_code == 200
    assert f'<option value="{customer.pk}" selected>{customer.name} · {customer.code}</option>' in response.text
    assert f'"{product.pk}": "100.00"' in response.text
    assert response.text.count('data-line-product aria-label') == 10


@rule("ORD-1")
def test_it_narrows_the_customers_offered_by_a_search(en, users, customer):
    new_customer(by=users["owner"], name="苏州新华五金批发部", category="other")
    response = en(users["owner"]).get(reverse("sales:order_create"), {"q": "新华"})
    assert "苏州新华五金批发部" in response.text and customer.name not in response.text


@rule("ORD-1")
def test_it_reports_a_bad_line_with_its_number_and_creates_nothing(en, users, customer, product):
    client = en(users["owner"])
    response = client.post(reverse("sales:order_create"), {
        "customer": customer.pk, **line_data((product.pk, "1"), ("", "", "", ""), (product.pk, "0"))})
    assert response.status_code == 200
    assert "Line 2: the quantity must be more than zero." in response.text
    # The page shows the filled lines renumbered, as the message counts them.
    assert 'name="lines-1-quantity" value="0"' in response.text
    response = client.post(reverse("sales:order_create"), {"customer": customer.pk, **line_data(("", ""))})
    assert "An order needs at least one line." in response.text
    response = client.post(reverse("sales:order_create"), {"customer": customer.pk,
                                                           **line_data((product.pk, "很多"))})
    assert "Quantity must be a number." in response.text
    response = client.post(reverse("sales:order_create"), {"customer": customer.pk,
                                                           **line_data((product.pk, "1e999999"))})
    assert "Quantity is too large." in response.text
    response = client.post(reverse("sales:order_create"), {"customer": customer.pk, **line_data(("9" * 30, "1"))})
    assert "Line 1: choose a product." in response.text
    assert Order.objects.count() == 0


@rule("ORD-1")
def test_it_refuses_a_customer_outside_the_scope_on_the_order_form(en, users, outsider_customer, product):
    client = en(users["owner"])
    assert client.get(reverse("sales:order_create"), {"customer": outsider_customer.pk}).status_code == 404
    assert client.get(reverse("sales:order_create"), {"customer": "abc"}).status_code == 404
    response = client.post(reverse("sales:order_create"), {"customer": outsider_customer.pk,
                                                           **line_data((product.pk, "1"))})
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert Order.objects.count() == 0


@rule("ORD-1")
def test_it_edits_the_lines_of_a_draft_and_refuses_a_stale_copy(en, users, customer, product, soap):
    order = draft_order(customer=customer, lines=[(product, 1)])
    client = en(users["owner"])
    page = client.get(reverse("sales:order_edit", args=[order.pk]))
    assert 'name="lines-0-quantity" value="1.00"' in page.text
    response = client.post(reverse("sales:order_edit", args=[order.pk]), {
        "version": order.version, "note": "改单", **line_data((product.pk, "2"), (soap.pk, "10", "", "10"))})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.total, order.version, order.note) == (Decimal("249.50"), 2, "改单")
    stale = client.post(reverse("sales:order_edit", args=[order.pk]), {
        "version": 1, **line_data((product.pk, "99"))})
    assert "was changed by someone else" in stale.text
    order.refresh_from_db()
    assert (order.total, order.lines.count()) == (Decimal("249.50"), 2)


@rule("ORD-1")
def test_it_sends_a_confirmed_order_back_from_the_edit_page(en, users, customer, product):
    order = confirmed_order(customer=customer, lines=[(product, 1)], limit="100000")
    response = en(users["owner"]).get(reverse("sales:order_edit", args=[order.pk]), follow=True)
    assert "Only a draft can be changed; this order is Confirmed." in messages_of(response)


# --- the order page: confirm, override, steps -----------------------------------------------------------

@rule("ORD-1")
def test_it_shows_lines_totals_dates_history_and_returns(en, users, customer, product, soap):
    order = delivered_order(customer=customer, lines=[(product, 10, None, 5), (soap, 4)],  # 950 + 22
                            delivered_on=date(2024, 6, 1), limit="100000")
    goods_return(order=order, quantities=[(order.lines.get(product=soap), "2")])
    response = en(users["director"]).get(reverse("sales:order_detail", args=[order.pk]))
    assert response.status_code == 200
    text = response.text
    assert 'id="order-total">¥972.00<' in text and 'id="order-returned">−¥11.00<' in text
    assert 'id="order-net">¥961.00<' in text
    assert "2024-06-01" in text and "TH0000001" in text and "Product defect" in text
    history = text.split('id="status-history"')[1].split("</ul>")[0]
    assert [s in history for s in ("Draft", "Confirmed", "Delivered")] == [True, True, True]
    assert history.count("<li>") == 3  # the return changed the order but not its status
    assert 'id="record-return"' in text and 'id="invoice-order"' in text and 'id="confirm-order"' not in text


@rule("CRD-3")
def test_it_confirms_an_order_within_the_limit(en, users, customer, product):
    credit_limit(customer, "1000")
    order = draft_order(customer=customer, lines=[(product, 10)])
    response = en(users["owner"]).post(reverse("credit:order_confirm", args=[order.pk]), {"version": order.version},
                                       follow=True)
    order.refresh_from_db()
    assert (order.status, order.confirmed_by) == ("confirmed", users["owner"])
    assert f"Order {order.number} confirmed." in messages_of(response)


@rule("CRD-3")
def test_it_shows_the_numbers_when_credit_refuses_and_changes_nothing(en, users, customer, product):
    credit_limit(customer, "1000")
    confirm(draft_order(customer=customer, lines=[(product, 4)]))  # exposure 400
    order = draft_order(customer=customer, lines=[(product, 8)])  # 800: 200 short
    response = en(users["owner"]).post(reverse("credit:order_confirm", args=[order.pk]), {"version": order.version},
                                       follow=True)
    assert response.status_code == 200
    refusal = response.text.split('id="credit-refused"')[1].split("</div>")[0]
    assert "Credit limit ¥1,000.00, exposure ¥400.00, this order ¥800.00: ¥200.00 short." in refusal
    assert 'id="override-box"' in response.text and "<details open" in response.text
    order.refresh_from_db()
    assert (order.status, order.version, order.confirmed_at) == ("draft", 1, None)
    assert not CreditRequest.objects.exists()


@rule("CRD-3")
def test_it_asks_for_an_override_from_the_page_and_confirms_once_approved(en, users, customer, product, thresholds):
    credit_limit(customer, "500")
    order = draft_order(customer=customer, lines=[(product, 8)])
    client = en(users["owner"])
    empty = client.post(reverse("credit:order_override", args=[order.pk]), {"reasons": " "}, follow=True)
    assert "Give the reasons for the override; nothing was asked for." in messages_of(empty)
    response = client.post(reverse("credit:order_override", args=[order.pk]), {"reasons": "老客户，春节备货"},
                           follow=True)
    request = CreditRequest.objects.get()
    assert (request.kind, request.order, request.amount, request.levels) == ("override", order, Decimal("800.00"),
                                                                              ["director"])
    assert "Waiting for approval" in response.text and "Office director" in response.text
    assert 'id="request-override"' not in response.text  # one open request at a time
    credit.credit_request_decide(by=users["director"], request=request, approve=True)
    response = client.post(reverse("credit:order_confirm", args=[order.pk]), {"version": order.version}, follow=True)
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert "Approved" in response.text and "used" in response.text


@rule("ORD-1")
def test_it_moves_an_order_through_delivery_invoice_and_close(en, users, customer, product):
    order = confirmed_order(customer=customer, lines=[(product, 1)], limit="100000")
    owner = en(users["owner"])
    url = reverse("sales:order_advance", args=[order.pk])
    owner.post(url, {"to": "delivered", "version": order.version, "on": "2024-07-01"})
    order.refresh_from_db()
    assert (order.status, order.delivered_on) == ("delivered", date(2024, 7, 1))
    invoice = reverse("receivables:order_invoice", args=[order.pk])
    stale = owner.post(invoice, {"version": order.version - 1}, follow=True)
    assert any("was changed by someone else" in m for m in messages_of(stale))
    finance = en(users["finance"])
    page = finance.get(reverse("sales:order_detail", args=[order.pk]))
    assert 'id="invoice-order"' in page.text and 'id="record-return"' not in page.text
    finance.post(invoice, {"version": order.version})
    order.refresh_from_db()
    settle_invoice_of(order, by=users["finance"])
    response = finance.post(reverse("receivables:order_close", args=[order.pk]), {"version": order.version},
                            follow=True)
    order.refresh_from_db()
    assert (order.status, order.invoiced_on, order.closed_on) == ("closed", timezone.localdate(), timezone.localdate())
    assert f"Order {order.number} closed." in messages_of(response)
    skipped = finance.post(invoice, {"version": order.version}, follow=True)
    assert f"Order {order.number} is Closed: it cannot become Invoiced." in messages_of(skipped)
    garbage = finance.post(url, {"to": "shipped", "version": "x"}, follow=True)
    assert any("nothing was changed" in m for m in messages_of(garbage))


@rule("ORD-1")
def test_it_cancels_an_order_only_with_a_reason(en, users, customer, product):
    order = draft_order(customer=customer, lines=[(product, 1)])
    client = en(users["owner"])
    url = reverse("sales:order_advance", args=[order.pk])
    response = client.post(url, {"to": "cancelled", "version": order.version, "reason": "  "}, follow=True)
    assert "Give a reason for cancelling." in messages_of(response)
    order.refresh_from_db()
    assert order.status == "draft"
    client.post(url, {"to": "cancelled", "version": order.version, "reason": "客户改主意"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "客户改主意")


@rule("ORD-1")
def test_it_changes_nothing_on_get_of_an_action(en, users, customer, product):
    order = draft_order(customer=customer, lines=[(product, 1)])
    client = en(users["owner"])
    for name in ("credit:order_confirm", "sales:order_advance", "credit:order_override", "receivables:order_invoice"):
        assert client.get(reverse(name, args=[order.pk])).status_code == 405
    order.refresh_from_db()
    assert (order.status, order.version) == ("draft", 1)


# --- returns ----------------------------------------------------------------------------------------------

@pytest.fixture
def delivered(users, customer, product, soap):
    return delivered_order(customer=customer, lines=[(product, 10), (soap, 4)], limit="100000")  # 1000 + 22


def return_data(order, **extra):
    return {"version": order.version, "kind": "returned", "reason": "defect", "responsible": "厂家",
            "returned_on": "2024-08-01", "follow_up": "", **extra}


@rule("ORD-2")
def test_it_records_a_refusal_from_the_page(en, users, customer, product):
    order = confirmed_order(customer=customer, lines=[(product, 3)], limit="100000")
    client = en(users["owner"])
    page = client.get(reverse("receivables:return_create", args=[order.pk]))
    assert re.search(r'value="refused"[^>]*checked', page.text) and not re.search(r'value="returned"[^>]*checked',
                                                                                  page.text)
    response = client.post(reverse("receivables:return_create", args=[order.pk]),
                           {"version": order.version, "kind": "refused", "reason": "customer", "responsible": "客户",
                            "follow_up": "下月再联系"})
    ret = Return.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sales:return_detail", args=[ret.pk])
    order.refresh_from_db()
    assert (ret.amount, ret.kind, order.status, order.returned) == (Decimal("300.00"), "refused", "cancelled",
                                                                    Decimal("300.00"))


@rule("ORD-2")
def test_it_records_returned_goods_and_issues_a_credit_note_after_invoicing(en, users, delivered, soap):
    order = advance(delivered, "invoiced", by=users["finance"])
    line = order.lines.get(product=soap)
    client = en(users["owner"])
    response = client.post(reverse("receivables:return_create", args=[order.pk]),
                           return_data(order, **{f"qty_{line.pk}": "2"}), follow=True)
    ret = Return.objects.get()
    note = CreditNote.objects.get()
    assert (ret.amount, note.amount, note.ret) == (Decimal("11.00"), Decimal("11.00"), ret)
    assert f"Return {ret.number} recorded: ¥11.00." in messages_of(response)
    assert f'id="credit-note">{note.number} · ¥11.00 · 2024-08-01' in response.text
    assert 'id="return-amount">¥11.00<' in response.text


@rule("ORD-2")
def test_it_refuses_a_bad_return_and_records_nothing(en, users, delivered, product):
    line = delivered.lines.get(product=product)
    client = en(users["owner"])
    url = reverse("receivables:return_create", args=[delivered.pk])
    too_many = client.post(url, return_data(delivered, **{f"qty_{line.pk}": "11"}))
    assert "at most 10.00 can still be returned." in too_many.text
    nothing = client.post(url, return_data(delivered))
    assert "Enter the quantity returned of at least one line." in nothing.text
    refused = client.post(url, return_data(delivered, kind="refused"))
    assert "Only a confirmed order that is not delivered yet can be refused" in refused.text
    missing = client.post(url, return_data(delivered, reason="", responsible=""))
    assert missing.text.count("This field is required.") == 2
    assert not Return.objects.exists()
    delivered.refresh_from_db()
    assert (delivered.returned, delivered.version) == (Decimal("0"), 3)


@rule("ORD-2")
def test_it_lists_returns_with_filters_and_ignores_bad_dates(en, users, customer, delivered, soap, product):
    lines = {line.product_id: line for line in delivered.lines.all()}
    first = goods_return(order=delivered, quantities=[(lines[soap.pk], 1)], returned_on=date(2024, 1, 5))
    second = goods_return(order=delivered, quantities=[(lines[product.pk], 1)], reason="salesperson",
                          responsible="张伟", returned_on=date(2024, 2, 5))
    client = en(users["owner"])

    def numbers(**params):
        return listed(client.get(reverse("sales:return_list"), params), "data-return")

    assert numbers() == [second.number, first.number]
    assert numbers(reason="defect") == [first.number]
    assert numbers(kind="refused") == []
    assert numbers(date_from="2024-02-01") == [second.number]
    assert numbers(sort="amount") == [first.number, second.number]
    response = client.get(reverse("sales:return_list"), {"date_to": "2024-02-30", "reason": "bad"})
    assert listed(response, "data-return") == [second.number, first.number]
    assert len([m for m in messages_of(response) if m.startswith("Filter")]) == 2
    assert listed(en(users["outsider"]).get(reverse("sales:return_list")), "data-return") == []


@rule("ORD-2")
def test_it_saves_the_follow_up_of_a_return(en, users, delivered, soap):
    ret = goods_return(order=delivered, quantities=[(delivered.lines.get(product=soap), 4)], reason="delivery",
                       responsible="司机")
    client = en(users["owner"])
    response = client.post(reverse("sales:return_follow_up", args=[ret.pk]),
                           {"follow_up": "已培训送货员", "done": "on"}, follow=True)
    ret.refresh_from_db()
    assert (ret.follow_up, ret.follow_up_done) == ("已培训送货员", True)
    assert f"Follow-up of return {ret.number} saved." in messages_of(response)
    assert "None: the order was not invoiced." in response.text


# --- returns analysis -------------------------------------------------------------------------------------

@pytest.fixture
def analysed(users, customer, outsider_customer, product, soap):
    """Three returns of the owner's customer and one of the outsider's, this month and last."""
    today = timezone.localdate()
    return [goods_return(order=delivered_order(customer=cust, lines=[(product_, qty)], limit="100000"),
                         reason=reason, responsible="x", returned_on=on)
            for cust, product_, qty, reason, on in [
                (customer, product, 2, "defect", today),                                # 200
                (customer, soap, 10, "defect", today),                                  # 55
                (customer, product, 1, "salesperson", today - timedelta(days=40)),      # 100
                (outsider_customer, product, 5, "customer", today)]]                    # 500


def table(response):
    body = response.text.split('id="analysis-table"')[1].split("</tbody>")[0]
    return [(key, amount, int(count), share) for key, amount, count, share in re.findall(
        r'data-key="([^"]+)">.*?<td class="text-end">(¥[\d,.]+)</td><td class="text-end">(\d+)</td>'
        r'<td class="text-end">([\d.]+)%</td>', body, re.S)]


@rule("ORD-2")
def test_it_analyses_returns_by_reason_product_customer_salesperson_and_month(en, users, customer, analysed):
    client = en(users["gm"])
    url = reverse("sales:returns_analysis")
    assert table(client.get(url)) == [("customer", "¥500.00", 1, "58.5"), ("defect", "¥255.00", 2, "29.8"),
                                      ("salesperson", "¥100.00", 1, "11.7")]
    assert table(client.get(url, {"by": "product"})) == [("P001", "¥800.00", 3, "93.6"), ("P002", "¥55.00", 1, "6.4")]
    assert [r[:3] for r in table(client.get(url, {"by": "salesperson"}))] == [
        (str(users["outsider"].pk), "¥500.00", 1), (str(users["owner"].pk), "¥355.00", 3)]
    assert [r[0] for r in table(client.get(url, {"by": "customer"}))][1] == str(customer.pk)
    months = table(client.get(url, {"by": "month"}))
    this_month = timezone.localdate().strftime("%Y-%m")
    assert months[-1][:3] == (this_month, "¥755.00", 3) and len(months) == 2
    # The owner's analysis covers the owner's scope only; the chart gets the same numbers.
    mine = en(users["owner"]).get(url)
    assert table(mine) == [("defect", "¥255.00", 2, "71.8"), ("salesperson", "¥100.00", 1, "28.2")]
    assert '"data": [255.0, 100.0]' in mine.text and "vendor/echarts.min.js" in mine.text


@rule("ORD-2")
def test_it_defaults_the_analysis_to_the_last_twelve_months_and_ignores_bad_input(en, users, analysed):
    client = en(users["owner"])
    today = timezone.localdate()
    response = client.get(reverse("sales:returns_analysis"))
    months = today.year * 12 + today.month - 1 - 11
    start = date(months // 12, months % 12 + 1, 1)
    assert (response.context["start"], response.context["end"]) == (start, today)
    bad = client.get(reverse("sales:returns_analysis"), {"date_from": "soon", "by": "colour"})
    assert bad.status_code == 200 and bad.context["by"] == "reason" and bad.context["start"] == start
    assert len(messages_of(bad)) == 2
    backwards = client.get(reverse("sales:returns_analysis"), {"date_from": "2024-05-01", "date_to": "2024-01-01"})
    assert "The period ends before it starts." in " ".join(messages_of(backwards))
    empty = client.get(reverse("sales:returns_analysis"), {"date_from": "2000-01-01", "date_to": "2000-12-31"})
    assert 'id="empty-state"' in empty.text and 'id="returns-chart"' not in empty.text


@rule("ORD-2")
def test_it_keeps_the_returns_list_and_analysis_free_of_n_plus_one(en, users, analysed, page_within):
    client = en(users["gm"])
    response = page_within(client, reverse("sales:return_list"), {"sort": "-amount"}, queries=8)
    assert len(listed(response, "data-return")) == 4
    page_within(client, reverse("sales:returns_analysis"), {"by": "customer"}, queries=8)


# --- products ---------------------------------------------------------------------------------------------

@rule("ORD-1")
def test_it_lists_searches_filters_and_sorts_products(en, users, product, soap, tea):
    Product.objects.filter(pk=soap.pk).update(active=False)
    client = en(users["owner"])

    def codes(**params):
        return listed(client.get(reverse("sales:product_list"), params), "data-product")

    assert codes() == ["P001", "P002", "T001"]
    assert codes(q="绿茶") == ["T001"] and codes(q="p00") == ["P001", "P002"]
    assert codes(line="日化") == ["P001", "P002"]
    assert codes(active="no") == ["P002"] and codes(active="yes") == ["P001", "T001"]
    assert codes(sort="-list_price") == ["P001", "T001", "P002"]
    response = client.get(reverse("sales:product_list"), {"line": "nope", "active": "maybe"})
    assert listed(response, "data-product") == ["P001", "P002", "T001"] and len(messages_of(response)) == 2
    assert "¥48.00" in response.text


@rule("ORD-1")
def test_it_keeps_the_product_list_free_of_n_plus_one(en, users, page_within):
    Product.objects.bulk_create([Product(code=f"X{n:03d}", name=f"产品{n}", list_price=n, line="日化")
                                 for n in range(40)])
    client = en(users["owner"])
    response = page_within(client, reverse("sales:product_list"), {"sort": "name"}, queries=8)
    assert len(listed(response, "data-product")) == 40
    export = page_within(client, reverse("sales:product_export"), queries=6)
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)
    assert len(rows) == 41 and rows[1][:2] == ("X000", "产品0")


def upload(text: str, name="products.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@rule("ORD-1")
def test_it_imports_products_with_chinese_headers(en, users, product):
    client = en(users["admin"])
    csv = ("产品编码,名称,规格,单位,价格,产品线,启用,备注\n"
           "P001,洗衣粉 5kg,5kg/袋,袋,105.50,日化,是,\n"
           "N100,酱油 500ml,500ml,瓶,12.8,食品,否,新品\n")
    response = client.post(reverse("sales:product_import"), {"file": upload(csv)}, follow=True)
    assert "Products imported: 1 new, 1 updated." in messages_of(response)
    product.refresh_from_db()
    assert (product.list_price, product.version) == (Decimal("105.50"), 2)
    new = Product.objects.get(code="N100")
    assert (new.name, new.unit, new.list_price, new.line, new.active) == ("酱油 500ml", "瓶", Decimal("12.80"), "食品",
                                                                          False)


@rule("INS-2")
def test_the_import_page_reads_a_traditional_chinese_file_in_the_encoding_chosen(en, users):
    client = en(users["admin"])
    csv = "code,name,list_price,line\nT100,凍頂烏龍茶,88,茶葉\n"
    response = client.post(reverse("sales:product_import"), {
        "file": SimpleUploadedFile("p.csv", csv.encode("big5")), "encoding": "big5"}, follow=True)
    assert "Products imported: 1 new, 0 updated." in messages_of(response)
    assert Product.objects.get(code="T100").name == "凍頂烏龍茶"
    refused = client.post(reverse("sales:product_import"), {
        "file": SimpleUploadedFile("p.csv", csv.encode("big5")), "encoding": "utf-8"})
    assert "Line 2 of the CSV file is not UTF-8" in refused.text


@rule("ORD-1")
def test_it_reports_every_bad_product_row_with_its_line_and_saves_nothing(en, users, product):
    client = en(users["admin"])
    csv = ("code,name,list_price,line,colour\n"
           "A1,好产品,10,日化,red\n"
           "A2,,abc,日化,\n"
           "A1,重复,5,日化,\n")
    response = client.post(reverse("sales:product_import"), {"file": upload(csv)})
    assert response.status_code == 200
    errors = response.text.split('id="import-errors"')[1].split("</table>")[0]
    assert "<td>3</td>" in errors and "<td>4</td>" in errors and "<td>2</td>" not in errors
    # Every problem of a row, each named by its column.
    assert "<td>3</td><td class=\"text-wrap\">list price: Enter a number.；product name: This field cannot be blank." in errors
    assert "product code: The code A1 appears twice in the file." in errors
    assert "colour" in response.text.split('id="unknown-headers"')[1]
    assert list(Product.objects.values_list("code", flat=True)) == ["P001"]
    no_code = client.post(reverse("sales:product_import"), {"file": upload("name,price\nx,1\n")})
    assert "The file has no column for the product code" in no_code.text
    wrong = client.post(reverse("sales:product_import"), {"file": upload("code\nx\n", name="products.txt")})
    assert "Please upload an .xlsx or .csv file." in wrong.text


@rule("INS-2")
def test_ins2_over_long_product_codes_are_refused_before_the_duplicate_check(en, users, product):
    """INS-2: two codes longer than the field (30), equal in their first 30 characters, are
    each refused for their length, by line, not reported as a duplicate; nothing is saved."""
    client = en(users["admin"])
    long = "C" * 30
    csv = f"code,name,list_price,line\n{long}1,甲,10,日化\n{long}2,乙,10,日化\n{long}1,丙,10,日化\n"
    response = client.post(reverse("sales:product_import"), {"file": upload(csv)})
    errors = response.text.split('id="import-errors"')[1].split("</table>")[0]
    for line in (2, 3, 4):
        assert (f'<td>{line}</td><td class="text-wrap">product code longer than 30 characters (it has 31).</td>'
                in errors), errors
    assert "appears twice" not in errors
    assert list(Product.objects.values_list("code", flat=True)) == ["P001"]


@rule("ORD-1")
def test_it_imports_products_from_an_excel_export(en, users, product):
    client = en(users["admin"])
    export = client.get(reverse("sales:product_export"))
    product.list_price = Decimal("1")
    product.save()
    sheet = SimpleUploadedFile("products.xlsx", export.content)
    response = client.post(reverse("sales:product_import"), {"file": sheet}, follow=True)
    assert "Products imported: 0 new, 1 updated." in messages_of(response)
    product.refresh_from_db()
    assert (product.list_price, product.active, product.spec) == (Decimal("100.00"), True, "5kg/袋")


# --- admin ------------------------------------------------------------------------------------------------

@rule("ORD-1")
def test_it_shows_products_orders_returns_and_credit_notes_in_the_admin(client_for, users, delivered):
    from kehu.accounts.models import User

    admin_client = client_for(User.objects.create_superuser("root", password="x", role="admin"))
    advance(delivered, "invoiced", by=users["finance"])
    ret = goods_return(order=delivered, quantities=[(0, 1)])
    line = delivered.lines.first()
    for url in (reverse("admin:sales_product_changelist"), reverse("admin:sales_order_changelist"),
                reverse("admin:sales_order_change", args=[delivered.pk]),
                reverse("admin:sales_product_history", args=[line.product_id]),
                reverse("admin:sales_return_change", args=[ret.pk]),
                reverse("admin:sales_creditnote_changelist")):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert delivered.number in admin_client.get(reverse("admin:sales_order_changelist")).text


@rule("ORD-1")
def test_the_order_forms_customer_search_answers_the_matching_customers_in_scope(en, users, customer,
                                                                                outsider_customer):
    """The new-order form's customer list follows what is typed (htmx), within the user's scope,
    instead of one list capped at the first hundred."""
    client = en(users["owner"])
    url = reverse("sales:order_customer_options")
    found = client.get(url, {"q": customer.name[:4]})
    assert f'<option value="{customer.pk}">' in found.text and found.text.startswith('<option value="">')
    assert str(outsider_customer.pk) not in client.get(url, {"q": outsider_customer.name[:4]}).text
    form = client.get(reverse("sales:order_create"))
    assert f'hx-get="{url}"' in form.text and 'data-filter-options="[data-line-product]"' in form.text
    assert 'id="order-total"' in form.text
    assert en(users["service"]).get(url, {"q": "x"}).status_code == 403
