"""Orders (ORD-1) and returns (ORD-2)."""

from decimal import Decimal

import pytest

from conftest import rule
from kehu.core.errors import PermissionDeniedError, StaleEdit, ValidationFailed
from kehu.receivables import services as receivables
from kehu.sales import services
from kehu.sales.models import CreditNote, Order, Product, Return
from kehu.sales.tests.builders import advance, confirmed_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def confirmed(users, customer, product):
    return confirmed_order(customer=customer, limit="100000", lines=[
        {"product": product, "quantity": "10", "discount_pct": "5"},  # 10 × 100 − 5% = 950
        {"product": product, "quantity": "3", "unit_price": "80.50"},  # 241.50
    ])


@rule("ORD-1")
def test_it_totals_lines_with_discounts_to_the_cent(confirmed):
    assert [line.amount for line in confirmed.lines.all()] == [Decimal("950.00"), Decimal("241.50")]
    assert (confirmed.total, confirmed.status, confirmed.number) == (Decimal("1191.50"), "confirmed", "SO0000001")


@rule("ORD-1")
def test_it_refuses_bad_lines_and_writes_nothing(users, customer, product):
    for lines, message in [([], "at least one line"), ([{"product": product, "quantity": "0"}], "more than zero"),
                           ([{"product": product, "quantity": "abc"}], "must be a number"),
                           ([{"product": product, "quantity": "1", "discount_pct": "120"}], "0 to 100"),
                           ([{"product": 99999, "quantity": "1"}], "choose a product")]:
        with pytest.raises(ValidationFailed, match=message):
            services.order_create(by=users["owner"], customer=customer, lines=lines)
    Product.objects.filter(pk=product.pk).update(active=False)
    with pytest.raises(ValidationFailed, match="no longer sold"):
        services.order_create(by=users["owner"], customer=customer, lines=[{"product": product, "quantity": 1}])
    with pytest.raises(PermissionDeniedError):
        services.order_create(by=users["finance"], customer=customer, lines=[{"product": product, "quantity": 1}])
    assert Order.objects.count() == 0


@rule("ORD-1")
def test_it_follows_the_status_flow_and_refuses_skipped_steps(users, confirmed):
    with pytest.raises(ValidationFailed, match="cannot become Invoiced"):
        receivables.order_invoice(by=users["finance"], order=confirmed, version=confirmed.version)
    order = services.order_advance(by=users["owner"], order=confirmed, version=confirmed.version, to="delivered")
    with pytest.raises(StaleEdit):
        receivables.order_invoice(by=users["finance"], order=order, version=order.version - 1)
    with pytest.raises(PermissionDeniedError):
        receivables.order_invoice(by=users["service"], order=order, version=order.version)
    order = advance(receivables.order_invoice(by=users["finance"], order=order, version=order.version), "closed",
                    by=users["finance"])
    assert [h.status for h in order.history.order_by("history_date")] == [
        "draft", "confirmed", "delivered", "invoiced", "closed"]
    with pytest.raises(ValidationFailed, match="Give a reason"):
        draft = services.order_create(by=users["owner"], customer=order.customer,
                                      lines=[{"product": order.lines.first().product, "quantity": 1}])
        services.order_advance(by=users["owner"], order=draft, version=draft.version, to="cancelled")


@rule("ORD-2")
def test_it_cancels_a_refused_order_and_frees_the_credit(users, customer, confirmed):
    from kehu.credit.selectors import exposure_of

    assert exposure_of(customer).total == Decimal("1191.50")
    ret = services.return_record(by=users["owner"], order=confirmed, version=confirmed.version, kind="refused",
                                 reason="customer", responsible="客户")
    confirmed.refresh_from_db()
    assert (ret.amount, confirmed.status, confirmed.returned) == (Decimal("1191.50"), "cancelled", Decimal("1191.50"))
    assert exposure_of(customer).total == 0
    assert not CreditNote.objects.exists()  # nothing was invoiced


@rule("ORD-2")
def test_it_issues_a_credit_note_for_goods_returned_after_invoicing(users, customer, confirmed):
    order = services.order_advance(by=users["owner"], order=confirmed, version=confirmed.version, to="delivered")
    order = receivables.order_invoice(by=users["finance"], order=order, version=order.version)
    first, second = order.lines.all()
    ret = services.return_record(by=users["owner"], order=order, version=order.version, kind="returned",
                                 reason="defect", responsible="生产部", lines=[{"order_line": first.pk, "quantity": "3"}],
                                 follow_up="换货")
    assert ret.amount == Decimal("285.00")  # 3 of 10 at ¥95 after discount
    assert CreditNote.objects.get(ret=ret).amount == Decimal("285.00")
    # The rest of the line: its amount is what is left, so the cents add up.
    order.refresh_from_db()
    rest = services.return_record(by=users["owner"], order=order, version=order.version, kind="returned",
                                  reason="defect", responsible="生产部", lines=[{"order_line": first.pk, "quantity": "7"}])
    assert ret.amount + rest.amount == first.amount
    order.refresh_from_db()
    with pytest.raises(ValidationFailed, match="at most 0.00 can still be returned"):
        services.return_record(by=users["owner"], order=order, version=order.version, kind="returned",
                               reason="defect", responsible="x", lines=[{"order_line": first.pk, "quantity": "1"}])
    with pytest.raises(ValidationFailed, match="not on order"):
        services.return_record(by=users["owner"], order=order, version=order.version, kind="returned",
                               reason="defect", responsible="x", lines=[{"order_line": 99999, "quantity": "1"}])
    with pytest.raises(ValidationFailed, match="only after delivery|Only a confirmed"):
        services.return_record(by=users["owner"], order=order, version=order.version, kind="refused",
                               reason="customer", responsible="x")
    assert (order.returned, Return.objects.count()) == (Decimal("950.00"), 2)
    assert second.returned_quantity == 0


@rule("ORD-2")
def test_it_analyses_returns_by_reason_product_and_month(users, customer, confirmed, outsider_customer, product):
    import datetime

    from kehu.sales.selectors import returns_analysis

    order = services.order_advance(by=users["owner"], order=confirmed, version=confirmed.version, to="delivered")
    first = order.lines.first()
    services.return_record(by=users["owner"], order=order, version=order.version, kind="returned", reason="defect",
                           responsible="生产部", lines=[{"order_line": first.pk, "quantity": "2"}])
    today = datetime.date.today()
    year = (today - datetime.timedelta(days=365), today)
    assert [(r["key"], r["amount"], r["count"]) for r in returns_analysis(users["director"], start=year[0], end=year[1],
                                                                         by="reason")] == [("defect", Decimal("190.00"), 1)]
    assert [(r["label"], r["amount"]) for r in returns_analysis(users["gm"], start=year[0], end=year[1],
                                                                by="product")] == [("洗衣粉 5kg", Decimal("190.00"))]
    assert returns_analysis(users["outsider"], start=year[0], end=year[1], by="customer") == []
    assert [r["key"] for r in returns_analysis(users["gm"], start=year[0], end=year[1], by="month")] == [
        today.strftime("%Y-%m")]


@rule("ORD-1")
def test_it_lets_an_administrator_add_and_edit_a_product_from_the_version_read(users):
    product = services.product_save(by=users["admin"], data={
        "code": " YL001 ", "name": "矿泉水 550ml", "spec": "550ml×24瓶/箱", "unit": "箱", "list_price": Decimal("28.80"),
        "line": "饮料"})
    assert (product.code, product.version, product.active, product.history.get().history_user) == (
        "YL001", 1, True, users["admin"])
    product = services.product_save(by=users["admin"], product=product, version=1,
                                    data={"list_price": Decimal("30.00"), "active": False})
    assert (product.list_price, product.active, product.version, product.name) == (Decimal("30.00"), False, 2, "矿泉水 550ml")
    with pytest.raises(StaleEdit, match="YL001 was changed by someone else"):
        services.product_save(by=users["admin"], product=product, version=1, data={"name": "改名"})
    with pytest.raises(ValidationFailed, match="YL001 is already used"):
        services.product_save(by=users["admin"], data={"code": "YL001", "name": "重复", "list_price": 1, "line": "饮料"})
    with pytest.raises(ValidationFailed) as bad:
        services.product_save(by=users["admin"], data={"code": "YL002", "name": "负价", "list_price": Decimal("-1"),
                                                       "line": "饮料"})
    assert list(bad.value.field_errors) == ["list_price"]
    with pytest.raises(PermissionDeniedError, match="Only administrators"):
        services.product_save(by=users["director"], product=product, version=2, data={"name": "改名"})
    product.refresh_from_db()
    assert (Product.objects.count(), product.name, product.version) == (1, "矿泉水 550ml", 2)
