"""kehu/sales/selectors.py called directly: orders and returns in each user's scope, who may
take, handle and maintain what (ORD-1), an order's history of status, the returns analysis
(ORD-2), and the sales amount and open orders that receivables and credit read (AR-4, CRD-3)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from conftest import ROLES, SEES_HANGZHOU, SEES_SHANGHAI, make_user, rule
from kehu.core.capabilities import user_can
from kehu.core.errors import PermissionDeniedError
from kehu.core.roles import Role
from kehu.core.scopes import office_subtree_ids
from kehu.sales import selectors, services
from kehu.sales.capabilities import HANDLE_ORDERS, MAINTAIN_PRODUCTS, TAKE_ORDERS
from kehu.sales.tests.builders import (
    ProductFactory,
    advance,
    confirmed_order,
    credit_limit,
    delivered_order,
    draft_order,
    goods_return,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
TODAY = timezone.localdate()


@pytest.fixture
def soap(db):
    return ProductFactory(code="P002", name="香皂 100g", unit="块", list_price=Decimal("5.50"))


@pytest.fixture
def two_orders(customer, outsider_customer, product):
    """A draft of the owner's customer (SO0000001) and one of the Hangzhou customer (SO0000002)."""
    return (draft_order(customer=customer, product=product, quantity=1),
            draft_order(customer=outsider_customer, product=product, quantity=2))


# --- products ---------------------------------------------------------------------------------------------

@rule("ORD-1")
def test_it_offers_active_products_and_the_product_lines(product, soap):
    ProductFactory(code="T001", name="绿茶", line="食品", active=False)
    assert list(selectors.products_active().values_list("code", flat=True)) == ["P001", "P002"]
    assert selectors.product_lines() == ["日化", "食品"]


# --- scopes and roles -------------------------------------------------------------------------------------

@rule("CUS-5")
@pytest.mark.parametrize("role", ROLES)
def test_it_shows_each_role_the_orders_in_its_scope(users, two_orders, role):
    mine, theirs = two_orders
    expected = [o for o, sees in ((mine, SEES_SHANGHAI), (theirs, SEES_HANGZHOU)) if role in sees]
    assert list(selectors.orders_visible_to(users[role]).order_by("pk")) == expected


@rule("CUS-5")
def test_it_gives_an_order_in_scope_and_404_outside_it(users, two_orders):
    mine, theirs = two_orders
    assert selectors.order_get_for_user(user=users["director"], pk=mine.pk) == mine
    assert selectors.order_get_for_user(user=users["director"], pk=str(mine.pk)) == mine
    for user, pk in ((users["director"], theirs.pk), (users["teammate"], mine.pk), (users["gm"], 999_999),
                     (users["gm"], "abc"), (users["gm"], None), (users["gm"], "")):
        with pytest.raises(Http404):
            selectors.order_get_for_user(user=user, pk=pk)


@rule("ORD-1")
def test_it_lets_service_staff_read_orders_but_not_change_them(users, two_orders):
    mine, _theirs = two_orders
    assert selectors.order_get_for_user(user=users["service"], pk=mine.pk) == mine
    with pytest.raises(PermissionDeniedError, match="can read orders but not change them"):
        selectors.order_get_for_user(user=users["service"], pk=mine.pk, write=True)
    assert selectors.order_get_for_user(user=users["finance"], pk=mine.pk, write=True) == mine


@rule("ORD-1")
@pytest.mark.parametrize(("role", "handles", "takes", "maintains"), [
    ("owner", True, True, False), ("director", True, True, False), ("manager", True, True, False),
    ("vp", True, True, False), ("gm", True, True, False), ("service", False, False, False),
    ("finance", True, False, False), ("admin", True, True, True)])
def test_it_says_who_handles_takes_orders_and_maintains_products(users, role, handles, takes, maintains):
    assert can_do(users[role]) == (handles, takes, maintains)


@rule("ORD-1")
def test_it_lets_a_superuser_do_everything_and_an_inactive_user_nothing(users, offices):
    root = make_user("root", Role.SERVICE, offices["hq"], is_superuser=True)
    assert can_do(root) == (True, True, True)
    users["admin"].is_active = False
    assert can_do(users["admin"]) == (False, False, False)


def can_do(user) -> tuple[bool, bool, bool]:
    """What the capability table lets the user do with orders and products."""
    return tuple(user_can(user, cap) for cap in (HANDLE_ORDERS, TAKE_ORDERS, MAINTAIN_PRODUCTS))


# --- the order list and the order's page --------------------------------------------------------------------

@rule("ORD-1")
def test_it_reads_list_rows_with_customer_salesperson_and_office_in_one_query(users, two_orders,
                                                                            django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = [(o.number, o.customer.name, o.owner.username, o.office.name, o.net)
                for o in selectors.order_list_rows().filter(pk__in=[o.pk for o in two_orders])]
    assert [row[:3] for row in rows] == [("SO0000002", "杭州西湖百货商店", "outsider"),
                                         ("SO0000001", "上海恒丰商贸有限公司", "owner")]
    assert all(row[3] and row[4] is not None for row in rows)  # every column the list shows, in that one query


@rule("ORD-1")
def test_it_gives_the_lines_and_the_customers_latest_orders(customer, product, soap):
    first = draft_order(customer=customer, lines=[(product, 2), (soap, 4, "5.00", "10")],
                        ordered_on=TODAY - timedelta(days=3))
    second = draft_order(customer=customer, product=product, quantity=1)
    assert [(line.product.code, line.quantity, line.amount) for line in selectors.order_lines_of(first)] == [
        ("P001", Decimal("2.00"), Decimal("200.00")), ("P002", Decimal("4.00"), Decimal("18.00"))]
    assert list(selectors.orders_of_customer(customer)) == [second, first]
    assert list(selectors.orders_of_customer(customer, limit=1)) == [second]


@rule("ORD-1")
def test_it_reads_the_orders_timeline_of_status_steps_in_one_query(users, customer, product,
                                                                  django_assert_num_queries):
    credit_limit(customer)
    order = draft_order(customer=customer, product=product, quantity=1)
    order = services.order_replace_lines(by=users["owner"], order=order, version=order.version,
                                         lines=[{"product": product, "quantity": 2}])  # still a draft
    order = advance(order, "confirmed", "delivered")
    order = advance(order, "invoiced", "closed", by=users["finance"])
    with django_assert_num_queries(1):
        changes = [(c.status, c.by.username) for c in selectors.order_status_changes(order)]
    # Changing a draft's lines is no step of its status.
    assert changes == [("draft", "owner"), ("confirmed", "owner"), ("delivered", "owner"),
                       ("invoiced", "finance"), ("closed", "finance")]


# --- returns -------------------------------------------------------------------------------------------------

@pytest.fixture
def analysed(users, customer, outsider_customer, product, soap):
    """Returns of the owner's customer — ¥200 and ¥55 (product defect) today, ¥100 (salesperson)
    40 days ago — and ¥500 (customer side) of the Hangzhou customer today."""
    return [goods_return(order=delivered_order(customer=target, lines=[(item, quantity)]), reason=reason,
                         responsible="x", returned_on=on)
            for target, item, quantity, reason, on in [
                (customer, product, 2, "defect", TODAY),
                (customer, soap, 10, "defect", TODAY),
                (customer, product, 1, "salesperson", TODAY - timedelta(days=40)),
                (outsider_customer, product, 5, "customer", TODAY)]]


@rule("ORD-2")
@pytest.mark.parametrize("role", ROLES)
def test_it_shows_each_role_the_returns_in_its_scope(users, analysed, role):
    expected = [r for r, sees in zip(analysed, [SEES_SHANGHAI] * 3 + [SEES_HANGZHOU], strict=True) if role in sees]
    assert sorted(selectors.returns_visible_to(users[role]), key=lambda r: r.pk) == expected


@rule("ORD-2")
def test_it_gives_a_return_in_scope_with_its_lines_and_404_outside_it(users, analysed):
    mine, theirs = analysed[1], analysed[3]
    assert selectors.return_get_for_user(user=users["owner"], pk=mine.pk) == mine
    assert [(line.product.code, line.quantity, line.amount, line.order_line.quantity)
            for line in selectors.return_lines_of(mine)] == [("P002", Decimal("10.00"), Decimal("55.00"),
                                                              Decimal("10.00"))]
    assert list(selectors.returns_of_order(mine.order)) == [mine]
    for pk in (theirs.pk, "abc", None, 999_999):
        with pytest.raises(Http404):
            selectors.return_get_for_user(user=users["owner"], pk=pk)


@rule("ORD-2")
@pytest.mark.parametrize(("by", "rows"), [
    ("reason", [("customer", "Customer side", Decimal("500.00"), 1), ("defect", "Product defect", Decimal("255.00"), 2),
                ("salesperson", "Salesperson error", Decimal("100.00"), 1)]),
    ("product", [("P001", "洗衣粉 5kg", Decimal("800.00"), 3), ("P002", "香皂 100g", Decimal("55.00"), 1)]),
    ("salesperson", [("outsider", Decimal("500.00"), 1), ("owner", Decimal("355.00"), 3)]),
])
def test_it_analyses_returns_largest_first(users, analysed, by, rows):
    found = selectors.returns_analysis(users["gm"], start=TODAY - timedelta(days=60), end=TODAY, by=by)
    if by == "salesperson":
        assert [(r["label"], r["amount"], r["count"]) for r in found] == rows
        assert [r["key"] for r in found] == [users["outsider"].pk, users["owner"].pk]
    else:
        assert [(r["key"], r["label"], r["amount"], r["count"]) for r in found] == rows


@rule("ORD-2")
def test_it_analyses_returns_by_customer_and_by_month_in_order(users, customer, outsider_customer, analysed):
    found = selectors.returns_analysis(users["gm"], start=TODAY - timedelta(days=60), end=TODAY, by="customer")
    assert [(r["key"], r["label"], r["amount"], r["count"]) for r in found] == [
        (outsider_customer.pk, "杭州西湖百货商店", Decimal("500.00"), 1), (customer.pk, "上海恒丰商贸有限公司", Decimal("355.00"), 3)]
    months = selectors.returns_analysis(users["gm"], start=TODAY - timedelta(days=60), end=TODAY, by="month")
    earlier, now = f"{TODAY - timedelta(days=40):%Y-%m}", f"{TODAY:%Y-%m}"
    assert months == [{"key": earlier, "label": earlier, "amount": Decimal("100.00"), "count": 1},
                      {"key": now, "label": now, "amount": Decimal("755.00"), "count": 3}]


@rule("ORD-2")
def test_it_analyses_only_the_returns_of_the_scope_and_the_period(users, analysed, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = selectors.returns_analysis(users["owner"], start=TODAY - timedelta(days=10), end=TODAY, by="reason")
    assert [(r["key"], r["amount"], r["count"]) for r in found] == [("defect", Decimal("255.00"), 2)]
    assert selectors.returns_analysis(users["teammate"], start=TODAY - timedelta(days=60), end=TODAY,
                                      by="product") == []
    assert selectors.returns_analysis(users["gm"], start=TODAY + timedelta(days=1), end=TODAY + timedelta(days=9),
                                      by="month") == []


@rule("ORD-2")
def test_it_lists_the_credit_notes_of_a_customer(users, customer, product):
    order = advance(delivered_order(customer=customer, product=product, quantity=3), "invoiced",
                    by=users["finance"])
    ret = goods_return(order=order, quantities=[(0, 1)])
    assert [(n.ret, n.amount) for n in selectors.credit_notes_of(customer)] == [(ret, Decimal("100.00"))]


# --- figures for receivables and credit ------------------------------------------------------------------------

@pytest.fixture
def this_week(users, customer, outsider_customer, product):
    """Orders of the owner's customer: confirmed ¥1,000, delivered ¥500 with ¥100 back, a draft
    of ¥300, a cancelled ¥700, an invoiced ¥200 and a confirmed ¥2,000 of 40 days ago; and a
    delivered ¥200 of the Hangzhou customer."""
    confirmed = confirmed_order(customer=customer, product=product, quantity=10)
    returned = delivered_order(customer=customer, product=product, quantity=5)
    goods_return(order=returned, quantities=[(0, 1)])
    draft_order(customer=customer, product=product, quantity=3)
    advance(confirmed_order(customer=customer, product=product, quantity=7), "cancelled", reason="改单")
    advance(delivered_order(customer=customer, product=product, quantity=2), "invoiced")
    old = confirmed_order(customer=customer, product=product, quantity=20, ordered_on=TODAY - timedelta(days=40))
    delivered_order(customer=outsider_customer, product=product, quantity=2)
    return {"confirmed": confirmed, "returned": returned, "old": old}


@rule("AR-4")
@pytest.mark.parametrize(("role", "amount"), [("owner", "1600.00"), ("teammate", "0"), ("director", "1600.00"),
                                              ("outsider", "200.00"), ("gm", "1800.00"), ("finance", "1800.00")])
def test_it_sums_the_sales_of_the_scope_in_a_period_less_returns(users, this_week, role, amount,
                                                                 django_assert_num_queries):
    office_subtree_ids(users[role])  # a director's offices are read once per request
    with django_assert_num_queries(1):
        sold = selectors.sales_amount(users[role], start=TODAY - timedelta(days=10), end=TODAY)
    assert sold == Decimal(amount)


@rule("AR-4")
def test_it_counts_sales_by_the_day_the_order_was_taken(users, this_week):
    forty_days_ago = TODAY - timedelta(days=40)
    assert selectors.sales_amount(users["owner"], start=forty_days_ago, end=forty_days_ago) == Decimal("2000.00")
    assert selectors.sales_amount(users["owner"], start=forty_days_ago, end=TODAY) == Decimal("3600.00")
    assert selectors.sales_amount(users["owner"], start=TODAY + timedelta(days=1), end=TODAY + timedelta(days=30)) == 0


@rule("CRD-3")
def test_it_sums_the_orders_not_yet_invoiced_per_customer_in_one_query(customer, outsider_customer, this_week,
                                                                      django_assert_num_queries):
    with django_assert_num_queries(1):  # confirmed and delivered, after returns; not drafts, cancelled or invoiced
        amounts = selectors.uninvoiced_order_amounts([customer.pk, outsider_customer.pk])
    assert amounts == {customer.pk: Decimal("3400.00"), outsider_customer.pk: Decimal("200.00")}
    without = selectors.uninvoiced_order_amounts([customer.pk], exclude_order=this_week["old"])
    assert without == {customer.pk: Decimal("1400.00")}
    assert selectors.uninvoiced_order_amounts([]) == {}
