"""REST API for products, orders and returns (kehu/sales/api.py): same scopes, same rules."""

from datetime import date
from decimal import Decimal

import pytest

from conftest import api_list, rule
from kehu.sales import services
from kehu.sales.models import CreditNote, Order, OrderLine, Product, Return
from kehu.sales.tests.builders import (
    ProductFactory,
    advance,
    confirmed_order,
    delivered_order,
    draft_order,
    goods_return,
    settle_invoice_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "english_client")]

PRODUCTS = "/api/v1/products/"
ORDERS = "/api/v1/orders/"
RETURNS = "/api/v1/returns/"


@pytest.fixture
def soap(db):
    return ProductFactory(code="P002", name="香皂 125g", spec="125g×72块/箱", unit="箱",
                          list_price=Decimal("216.00"))


@pytest.fixture
def water(db):
    return ProductFactory(code="Y001", name="矿泉水 550ml", spec="550ml×24瓶/箱", unit="箱",
                          list_price=Decimal("28.80"),
                          line="饮料", active=False)


def post(api, url, data):
    return api.post(url, data, content_type="application/json")


def snapshot():
    return (sorted(Order.objects.values_list("id", "number", "status", "total", "returned", "version")),
            sorted(OrderLine.objects.values_list("id", "quantity", "returned_quantity")),
            Return.objects.count(), CreditNote.objects.count(), Order.history.count())


# --- products ------------------------------------------------------------------------------------------

@rule("ORD-1")
def test_it_lists_products_to_every_role_with_filters(users, client_for, product, soap, water):
    api = client_for(users["service"])
    body = api.get(PRODUCTS).json()
    assert body["count"] == 3
    assert body["results"][0] == {
        "id": product.pk, "code": "P001", "name": "洗衣粉 5kg", "spec": "5kg/袋", "unit": "袋", "list_price": "100.00",
        "line": "日化", "active": True, "version": 1, "created_at": body["results"][0]["created_at"],
        "updated_at": body["results"][0]["updated_at"]}

    def codes(params):
        return api_list(api, PRODUCTS, params, field="code")

    assert codes({"line": "日化"}) == ["P001", "P002"]
    assert codes({"active": "false"}) == ["Y001"]
    assert codes({"q": "香皂"}) == ["P002"]
    assert codes({"q": "y001"}) == ["Y001"]
    assert codes({"q": "72块"}) == ["P002"]
    assert api.get(f"{PRODUCTS}{soap.pk}/").json()["list_price"] == "216.00"
    assert api.get(PRODUCTS, {"active": "maybe"}).status_code == 400


@rule("ORD-1")
def test_it_lets_only_an_administrator_create_and_edit_products(users, client_for, product):
    payload = {"code": "Y002", "name": "橙汁 1L", "spec": "1L×12瓶/箱", "unit": "箱", "list_price": "66.00",
               "line": "饮料"}
    before = sorted(Product.objects.values_list("code", "name", "version"))
    for role in ("owner", "director", "gm", "finance"):
        api = client_for(users[role])
        assert post(api, PRODUCTS, payload).status_code == 403
        assert api.patch(f"{PRODUCTS}{product.pk}/", {"version": 1, "name": "改"},
                         content_type="application/json").status_code == 403
    assert sorted(Product.objects.values_list("code", "name", "version")) == before

    api = client_for(users["admin"])
    response = post(api, PRODUCTS, payload)
    assert response.status_code == 201, response.content
    assert {k: response.json()[k] for k in ("code", "list_price", "version", "active")} == {
        "code": "Y002", "list_price": "66.00", "version": 1, "active": True}
    response = api.patch(f"{PRODUCTS}{product.pk}/", {"version": 1, "list_price": "95.50"},
                         content_type="application/json")
    assert (response.status_code, response.json()["list_price"], response.json()["version"]) == (200, "95.50", 2)
    stale = api.patch(f"{PRODUCTS}{product.pk}/", {"version": 1, "name": "旧版本"}, content_type="application/json")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale")
    no_version = api.patch(f"{PRODUCTS}{product.pk}/", {"name": "无版本"}, content_type="application/json")
    assert (no_version.status_code, list(no_version.json()["errors"])) == (400, ["version"])
    product.refresh_from_db()
    assert (product.name, product.list_price, product.version) == ("洗衣粉 5kg", Decimal("95.50"), 2)


@rule("ORD-1")
@pytest.mark.parametrize(("payload", "field"), [
    ({"code": "P001", "name": "重复", "list_price": "1", "line": "日化"}, "code"),
    ({"code": "Y009", "name": "负价", "list_price": "-1", "line": "日化"}, "list_price"),
    ({"code": "Y009", "name": "乱价", "list_price": "cheap", "line": "日化"}, "list_price"),
    ({"code": "Y009", "list_price": "1", "line": "日化"}, "name"),
])
def test_it_answers_400_for_a_bad_product_and_saves_nothing(users, client_for, product, payload, field):
    response = post(client_for(users["admin"]), PRODUCTS, payload)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body or field in body.get("errors", {})
    assert list(Product.objects.values_list("code", flat=True)) == ["P001"]


# --- orders: create -----------------------------------------------------------------------------------

@rule("ORD-1")
def test_it_creates_a_draft_with_lines_totals_and_money_as_strings(users, client_for, customer, product, soap):
    response = post(client_for(users["owner"]), ORDERS, {
        "customer": customer.pk, "ordered_on": "2026-03-02", "note": "春节后补货",
        "lines": [{"product": product.pk, "quantity": "10", "discount_pct": "5"},
                  {"product": soap.pk, "quantity": 3, "unit_price": "80.50"}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("number", "customer", "customer_code", "customer_name", "owner", "owner_name",
                                 "office_name", "ordered_on", "status", "total", "returned", "net", "note",
                                 "version")} == {
        "number": "SO0000001", "customer": customer.pk, "customer_code": "KH000001", "customer_name": "上海恒丰商贸有限公司",
        "owner": users["owner"].pk, "owner_name": "张伟", "office_name": "上海一组", "ordered_on": "2026-03-02",
        "status": "draft", "total": "1191.50", "returned": "0.00", "net": "1191.50", "note": "春节后补货", "version": 1}
    assert [(ln["product_code"], ln["unit"], ln["quantity"], ln["unit_price"], ln["discount_pct"], ln["amount"])
            for ln in body["lines"]] == [("P001", "袋", "10.00", "100.00", "5.00", "950.00"),
                                         ("P002", "箱", "3.00", "80.50", "0.00", "241.50")]
    order = Order.objects.get()
    assert (order.total, order.created_by, order.history.get().history_user) == (
        Decimal("1191.50"), users["owner"], users["owner"])


@rule("ORD-1")
@pytest.mark.parametrize("who", ["teammate", "outsider", "other_director"])
def test_it_answers_404_for_a_customer_outside_the_scope_and_creates_nothing(users, client_for, customer, product,
                                                                           who):
    api = client_for(users[who])
    for customer_id in (customer.pk, 999999):
        response = post(api, ORDERS, {"customer": customer_id, "lines": [{"product": product.pk, "quantity": 1}]})
        assert response.status_code == 404
    assert Order.objects.count() == 0


@rule("ORD-1")
@pytest.mark.parametrize(("line", "status", "message"), [
    ({"quantity": "-2"}, 400, "Line 1: the quantity must be more than zero."),
    ({"quantity": "0"}, 400, "Line 1: the quantity must be more than zero."),
    ({"quantity": "lots"}, 400, None),
    ({"quantity": "1", "discount_pct": "120"}, 400, "Line 1: the discount is a percentage from 0 to 100."),
    ({"quantity": "1", "unit_price": "-5"}, 400, "Line 1: the price cannot be negative."),
    ({"quantity": "1", "product": 999999}, 400, None),
    ({"quantity": "1", "product": "abc"}, 400, None),
])
def test_it_answers_400_for_a_bad_line_and_creates_nothing(users, client_for, customer, product, line, status,
                                                          message):
    response = post(client_for(users["owner"]), ORDERS,
                    {"customer": customer.pk, "lines": [{"product": product.pk, **line}]})
    assert response.status_code == status, response.content
    if message:
        assert response.json()["detail"] == message
    else:
        assert any(key.split(".")[0] == "lines" for key in response.json()["errors"])
    assert Order.objects.count() == 0


@rule("ORD-1")
def test_it_refuses_an_empty_order_a_withdrawn_product_and_a_bad_body(users, client_for, customer, water):
    api = client_for(users["owner"])
    empty = post(api, ORDERS, {"customer": customer.pk, "lines": []})
    assert (empty.status_code, empty.json()["detail"]) == (400, "An order needs at least one line.")
    withdrawn = post(api, ORDERS, {"customer": customer.pk, "lines": [{"product": water.pk, "quantity": 1}]})
    assert (withdrawn.status_code, withdrawn.json()["detail"]) == (
        400, "Line 1: Y001 矿泉水 550ml is no longer sold.")
    assert post(api, ORDERS, {"lines": [{"product": water.pk, "quantity": 1}]}).json()["errors"] == {
        "customer": ["This field is required."]}
    assert api.post(ORDERS, "{not json", content_type="application/json").status_code == 400
    assert post(api, ORDERS, {"customer": "abc", "lines": []}).status_code == 400
    assert Order.objects.count() == 0


@rule("ORD-1")
def test_it_refuses_orders_from_roles_that_do_not_take_them(users, client_for, customer, product):
    for role in ("service", "finance"):
        response = post(client_for(users[role]), ORDERS,
                        {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": 1}]})
        assert response.status_code == 403
    assert Order.objects.count() == 0


# --- orders: list, detail, filters --------------------------------------------------------------------

@rule("ORD-1")
def test_it_lists_orders_in_scope_with_filters(users, offices, client_for, customer, outsider_customer, product,
                                               soap):
    first = draft_order(customer=customer, product=product, quantity="2")
    second = services.order_create(by=users["owner"], customer=customer, ordered_on=date(2026, 1, 15),
                                   lines=[{"product": soap, "quantity": 1}])
    third = confirmed_order(customer=outsider_customer, product=soap, quantity="1")
    gm = client_for(users["gm"])

    def numbers(params=None, api=gm):
        return api_list(api, ORDERS, params, field="number")

    assert numbers() == [third.number, first.number, second.number]  # newest first
    assert numbers({"status": "confirmed"}) == [third.number]
    assert numbers({"customer": customer.pk}) == [first.number, second.number]
    assert numbers({"owner": users["outsider"].pk}) == [third.number]
    assert numbers({"office": offices["shanghai"].pk}) == [first.number, second.number]  # with its teams
    assert numbers({"date_from": "2026-01-01", "date_to": "2026-01-31"}) == [second.number]
    assert numbers({"line": "日化"}) == [third.number, first.number, second.number]
    Product.objects.filter(pk=soap.pk).update(line="洗护")
    assert numbers({"line": "洗护"}) == [third.number, second.number]
    detail = gm.get(f"{ORDERS}{third.pk}/").json()
    assert (detail["status"], detail["confirmed_by"], detail["total"], detail["office_name"]) == (
        "confirmed", users["outsider"].pk, "216.00", "杭州办事处")
    owner = client_for(users["owner"])
    assert numbers(api=owner) == [first.number, second.number]
    # a filter never widens the scope
    assert numbers({"customer": outsider_customer.pk}, api=owner) == []


@rule("ORD-1")
@pytest.mark.parametrize("params", [{"status": "shipped"}, {"date_from": "yesterday"}, {"owner": "abc"},
                                    {"office": "x"}, {"customer": "abc"}])
def test_it_answers_400_for_bad_filter_values(users, client_for, customer, params):
    response = client_for(users["gm"]).get(ORDERS, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == list(params)


@rule("ORD-1")
def test_it_refuses_an_owner_or_office_outside_the_scope_as_a_filter(users, offices, client_for, customer):
    api = client_for(users["director"])
    assert api.get(ORDERS, {"owner": users["outsider"].pk}).status_code == 400
    assert api.get(ORDERS, {"office": offices["hangzhou"].pk}).status_code == 400


@rule("ORD-1")
@pytest.mark.parametrize("bad_id", ["abc", "999999", "-1"])
def test_it_answers_404_for_ids_that_are_not_orders(users, client_for, bad_id):
    assert client_for(users["gm"]).get(f"{ORDERS}{bad_id}/").status_code == 404


@rule("ORD-1")
def test_it_lists_orders_in_a_fixed_number_of_queries(users, client_for, customer, outsider_customer, product, soap,
                                                      django_assert_max_num_queries):
    for _n in range(6):
        services.order_create(by=users["owner"], customer=customer, lines=[{"product": product, "quantity": 1},
                                                                           {"product": soap, "quantity": 2}])
    api = client_for(users["director"])
    api.get(ORDERS)  # warm the session
    with django_assert_max_num_queries(7):  # session, user, office subtree (2), count, rows, lines
        response = api.get(ORDERS)
    assert (response.json()["count"], len(response.json()["results"][0]["lines"])) == (6, 2)


# --- orders: the status flow --------------------------------------------------------------------------

@rule("ORD-1")
def test_it_moves_an_order_through_delivery_invoicing_and_closing(users, client_for, customer, product):
    order = confirmed_order(customer=customer, product=product, quantity="10")
    response = post(client_for(users["owner"]), f"{ORDERS}{order.pk}/deliver/", {"version": order.version, "on": "2026-04-01"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["delivered_on"], response.json()["version"]) == (
        "delivered", "2026-04-01", 3)
    finance = client_for(users["finance"])
    response = post(finance, f"{ORDERS}{order.pk}/invoice/", {"version": 3, "on": "2026-04-02"})
    assert (response.status_code, response.json()["status"], response.json()["invoiced_on"]) == (
        200, "invoiced", "2026-04-02")
    settle_invoice_of(order, by=users["finance"])
    response = post(finance, f"{ORDERS}{order.pk}/close/", {"version": 4})
    assert (response.status_code, response.json()["status"], response.json()["closed_on"]) == (
        200, "closed", date.today().isoformat())
    order.refresh_from_db()
    assert [h.history_user.username for h in order.history.order_by("history_date")] == [
        "owner", "owner", "owner", "finance", "finance"]


@rule("ORD-1")
def test_it_cancels_only_with_a_reason(users, client_for, customer, product):
    order = draft_order(customer=customer, product=product, quantity="10")
    api = client_for(users["owner"])
    before = snapshot()
    response = post(api, f"{ORDERS}{order.pk}/cancel/", {"version": 1, "reason": "  "})
    assert (response.status_code, response.json()["detail"], response.json()["errors"]) == (
        400, "Give a reason for cancelling.", {"reason": ["Required."]})
    assert snapshot() == before
    response = post(api, f"{ORDERS}{order.pk}/cancel/", {"version": 1, "reason": "客户改订其他型号"})
    assert (response.status_code, response.json()["status"], response.json()["cancel_reason"],
            response.json()["cancelled_on"]) == (200, "cancelled", "客户改订其他型号", date.today().isoformat())


@rule("ORD-1")
@pytest.mark.parametrize(("step", "body", "status", "message"), [
    ("deliver", {"version": 1}, 409, "Order SO0000001 was changed by someone else since you opened it. "
                                     "Reload to see the change; nothing was saved."),
    ("deliver", {"version": "two"}, 400, None),
    ("deliver", {}, 400, None),
    ("deliver", {"version": 2, "on": "31.12.2026"}, 400, None),
    ("invoice", {"version": 2}, 400, "Order SO0000001 is Confirmed: it cannot become Invoiced."),
    ("close", {"version": 2}, 400, "Order SO0000001 is Confirmed: it cannot become Closed."),
])
def test_it_refuses_a_bad_step_and_changes_nothing(users, client_for, customer, product, step, body, status, message):
    order = confirmed_order(customer=customer, product=product, quantity="10")
    assert order.version == 2
    before = snapshot()
    response = post(client_for(users["owner"]), f"{ORDERS}{order.pk}/{step}/", body)
    assert response.status_code == status, response.content
    if message:
        assert response.json()["detail"] == message
    assert snapshot() == before


@rule("ORD-1")
def test_it_lets_finance_invoice_but_not_deliver_and_service_only_read(users, client_for, customer, product):
    order = confirmed_order(customer=customer, product=product, quantity="10")
    before = snapshot()
    assert post(client_for(users["finance"]), f"{ORDERS}{order.pk}/deliver/", {"version": 2}).status_code == 403
    assert post(client_for(users["service"]), f"{ORDERS}{order.pk}/deliver/", {"version": 2}).status_code == 403
    assert client_for(users["service"]).get(f"{ORDERS}{order.pk}/").status_code == 200
    assert snapshot() == before


# --- returns ------------------------------------------------------------------------------------------

@rule("ORD-2")
def test_it_records_goods_returned_after_invoicing_with_a_credit_note(users, client_for, customer, product, soap):
    order = confirmed_order(customer=customer, lines=[(product, "10", None, "5"), (soap, "2")],
                            limit="100000")
    order = advance(order, "delivered", "invoiced")
    first, second = order.lines.all()
    response = post(client_for(users["owner"]), f"{ORDERS}{order.pk}/returns/", {
        "version": order.version, "kind": "returned", "reason": "defect", "responsible": "生产部",
        "returned_on": "2026-05-06", "follow_up": "换货",
        "lines": [{"order_line": first.pk, "quantity": "3"}, {"order_line": second.pk, "quantity": "0"}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("number", "order_number", "kind", "reason", "responsible", "returned_on", "amount",
                                 "credit_note", "follow_up", "follow_up_done", "recorded_by_name")} == {
        "number": "TH0000001", "order_number": "SO0000001", "kind": "returned", "reason": "defect",
        "responsible": "生产部", "returned_on": "2026-05-06", "amount": "285.00", "credit_note": "CN0000001",
        "follow_up": "换货", "follow_up_done": False, "recorded_by_name": "张伟"}
    assert [(ln["product_code"], ln["quantity"], ln["amount"]) for ln in body["lines"]] == [("P001", "3.00", "285.00")]
    order = client_for(users["owner"]).get(f"{ORDERS}{order.pk}/").json()
    assert (order["total"], order["returned"], order["net"], order["lines"][0]["returned_quantity"]) == (
        "1382.00", "285.00", "1097.00", "3.00")


@rule("ORD-2")
def test_it_records_a_refusal_before_delivery_and_cancels_the_order(users, client_for, customer, product):
    order = confirmed_order(customer=customer, product=product, quantity="4")
    response = post(client_for(users["director"]), f"{ORDERS}{order.pk}/returns/", {
        "version": order.version, "kind": "refused", "reason": "customer", "responsible": "客户"})
    assert response.status_code == 201, response.content
    assert (response.json()["amount"], response.json()["credit_note"]) == ("400.00", None)
    order.refresh_from_db()
    assert (order.status, order.returned, order.cancel_reason) == (
        "cancelled", Decimal("400.00"), "Refused by the customer: Customer side")


@rule("ORD-2")
@pytest.mark.parametrize(("body", "message"), [
    ({"kind": "returned", "reason": "defect", "responsible": "x", "lines": [{"order_line": 999999, "quantity": 1}]},
     "A returned line is not on order SO0000001."),
    ({"kind": "returned", "reason": "defect", "responsible": "x", "lines": [{"order_line": "LINE", "quantity": 11}]},
     "P001 洗衣粉 5kg: at most 10.00 can still be returned."),
    ({"kind": "returned", "reason": "defect", "responsible": "x", "lines": [{"order_line": "LINE", "quantity": -1}]},
     "P001 洗衣粉 5kg: at most 10.00 can still be returned."),
    ({"kind": "returned", "reason": "defect", "responsible": "x", "lines": []},
     "Enter the quantity returned of at least one line."),
    ({"kind": "refused", "reason": "customer", "responsible": "x"},
     "Only a confirmed order that is not delivered yet can be refused; this one is Delivered."),
    ({"kind": "returned", "reason": "weather", "responsible": "x"}, None),
    ({"kind": "lost", "reason": "defect", "responsible": "x"}, None),
    ({"kind": "returned", "reason": "defect", "responsible": ""}, None),
    ({"kind": "returned", "reason": "defect", "responsible": "x", "lines": [{"order_line": "LINE", "quantity": "a"}]},
     None),
])
def test_it_answers_400_for_a_bad_return_and_changes_nothing(users, client_for, customer, product, body, message):
    order = delivered_order(customer=customer, product=product, quantity="10")
    line = order.lines.get()
    lines = [{**ln, "order_line": line.pk if ln["order_line"] == "LINE" else ln["order_line"]}
             for ln in body.get("lines", [])]
    before = snapshot()
    response = post(client_for(users["owner"]), f"{ORDERS}{order.pk}/returns/",
                    {**body, "lines": lines, "version": order.version})
    assert response.status_code == 400, response.content
    if message:
        assert response.json()["detail"] == message
    assert snapshot() == before


@rule("ORD-2")
def test_it_lists_returns_in_scope_in_a_fixed_number_of_queries(users, client_for, customer, outsider_customer,
                                                                product, django_assert_max_num_queries):
    for target in (customer, customer, outsider_customer):
        order = advance(delivered_order(customer=target, product=product, quantity="10"), "invoiced")
        goods_return(order=order, quantities=[(0, 1)], reason="delivery", responsible="配送员")
    outsiders = Return.objects.get(customer=outsider_customer)
    api = client_for(users["director"])
    api.get(RETURNS)
    with django_assert_max_num_queries(7):  # session, user, office subtree (2), count, rows, lines
        response = api.get(RETURNS)
    assert [(r["number"], r["amount"], r["credit_note"]) for r in response.json()["results"]] == [
        ("TH0000002", "100.00", "CN0000002"), ("TH0000001", "100.00", "CN0000001")]
    assert api.get(f"{RETURNS}{outsiders.pk}/").status_code == 404
    gm = client_for(users["gm"])
    assert gm.get(RETURNS, {"customer": outsider_customer.pk}).json()["count"] == 1
    assert gm.get(RETURNS, {"reason": "defect"}).json()["count"] == 0
    assert gm.get(RETURNS, {"reason": "weather"}).status_code == 400
    assert client_for(users["other_director"]).get(f"{RETURNS}{outsiders.pk}/").json()["lines"][0]["quantity"] == "1.00"


@rule("ORD-1")
def test_it_lists_products_in_a_fixed_number_of_queries(users, client_for, django_assert_max_num_queries):
    Product.objects.bulk_create([Product(code=f"P{n:03d}", name=f"产品{n}", list_price=n, line="日化")
                                 for n in range(30)])
    api = client_for(users["owner"])
    api.get(PRODUCTS)
    with django_assert_max_num_queries(4):
        assert api.get(PRODUCTS).json()["count"] == 30
