"""Closing an order (ORD-1, AR-1): 结案 is refused while the order's receivable has money
open — on the service, the order page and the API alike — and nothing is changed then; once
the receivable is settled the order closes, and the confirmation says only what is true."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.receivables import services
from kehu.receivables.models import Invoice
from kehu.receivables.tests.builders import invoiced_order, new_payment
from kehu.sales.models import Order
from kehu.sales.tests.builders import advance, delivered_order, goods_return

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def order_state(order):
    return Order.objects.values_list("status", "closed_on", "version").get(pk=order.pk)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def open_invoice(users, customer, product):
    """An invoiced order of ¥1,000.00 of which ¥400.00 is paid: ¥600.00 stays open."""
    invoice = invoiced_order(customer=customer, product=product, quantity=10, invoiced_by=users["finance"])
    new_payment(customer=customer, amount="400", by=users["finance"], allocations=[(invoice, "400")])
    invoice.refresh_from_db()
    return invoice


@rule("AR-1")
def test_ar1_an_order_with_money_open_on_its_receivable_is_not_closed(users, open_invoice):
    order = open_invoice.order
    before = order_state(order)
    with pytest.raises(ValidationFailed, match=rf"¥600.00 is still open on receivable {open_invoice.number}"):
        services.order_close(by=users["finance"], order=order, version=order.version)
    assert order_state(order) == before == ("invoiced", None, order.version)
    new_payment(customer=order.customer, amount="600", by=users["finance"], allocations=[(open_invoice, "600")])
    closed = services.order_close(by=users["finance"], order=order, version=order.version)
    assert (closed.status, closed.closed_on is not None) == ("closed", True)


@rule("AR-1")
def test_ar1_the_order_page_offers_close_only_when_the_receivable_is_settled(en, users, open_invoice):
    order = open_invoice.order
    finance = en(users["finance"])
    page = finance.get(reverse("sales:order_detail", args=[order.pk]))
    button = re.search(r'<button[^>]*id="close-order"[^>]*>', page.text).group(0)
    assert "disabled" in button and "It is paid" not in page.text
    assert "¥600.00 is still open" in html.unescape(button)
    refused = finance.post(reverse("receivables:order_close", args=[order.pk]), {"version": order.version},
                           follow=True)
    assert any(f"¥600.00 is still open on receivable {open_invoice.number}" in m for m in messages_of(refused))
    assert order_state(order)[0] == "invoiced"

    new_payment(customer=order.customer, amount="600", by=users["finance"], allocations=[(open_invoice, "600")])
    page = finance.get(reverse("sales:order_detail", args=[order.pk]))
    button = re.search(r'<button[^>]*id="close-order"[^>]*>(.*?)</button>', page.text)
    assert "disabled" not in button.group(0) and button.group(1) == "Close the order"
    assert "Its receivable is settled" in html.unescape(button.group(0))
    done = finance.post(reverse("receivables:order_close", args=[order.pk]), {"version": order.version}, follow=True)
    assert f"Order {order.number} closed." in messages_of(done)
    assert order_state(order)[0] == "closed"


@rule("AR-1")
def test_ar1_the_close_button_reads_jie_an_in_chinese(client_for, users, open_invoice):
    new_payment(customer=open_invoice.customer, amount="600", by=users["finance"],
                allocations=[(open_invoice, "600")])
    with translation.override("zh-hans"):
        page = client_for(users["finance"]).get(reverse("sales:order_detail", args=[open_invoice.order_id]),
                                                HTTP_ACCEPT_LANGUAGE="zh-hans")
    button = re.search(r'<button[^>]*id="close-order"[^>]*>(.*?)</button>', page.text)
    assert button.group(1) == "结案"
    assert "应收单已结清" in html.unescape(button.group(0)) and "已付清并完结" not in page.text


@rule("AR-1")
def test_ar1_the_api_refuses_to_close_an_order_with_an_open_receivable(client_for, english_client, users,
                                                                        open_invoice):
    order = open_invoice.order
    api = client_for(users["finance"])
    url = f"/api/v1/orders/{order.pk}/close/"
    refused = api.post(url, {"version": order.version}, content_type="application/json")
    assert refused.status_code == 400, refused.content
    assert f"¥600.00 is still open on receivable {open_invoice.number}" in refused.json()["detail"]
    assert order_state(order)[0] == "invoiced"
    new_payment(customer=order.customer, amount="600", by=users["finance"], allocations=[(open_invoice, "600")])
    done = api.post(url, {"version": order.version}, content_type="application/json")
    assert (done.status_code, done.json()["status"]) == (200, "closed")


@rule("ORD-1")
def test_ord1_sales_own_step_no_longer_closes_an_order(en, users, open_invoice):
    """The old way round — the sales step with to=closed — is refused and changes nothing."""
    order = open_invoice.order
    before = order_state(order)
    en(users["finance"]).post(reverse("sales:order_advance", args=[order.pk]),
                              {"to": "closed", "version": order.version})
    assert order_state(order) == before


@rule("AR-1")
def test_ar1_an_order_whose_returns_left_nothing_to_pay_closes_and_says_so(en, users, customer, product):
    """No receivable was written (everything came back before invoicing): the order may be
    closed, and the confirmation says why — not that a receivable is settled."""
    made = delivered_order(customer=customer, product=product, quantity=3)
    goods_return(order=made)
    made.refresh_from_db()
    made = advance(made, "invoiced", by=users["finance"])
    assert not Invoice.objects.filter(order=made).exists()
    page = en(users["finance"]).get(reverse("sales:order_detail", args=[made.pk]))
    button = re.search(r'<button[^>]*id="close-order"[^>]*>', page.text).group(0)
    assert "Returns left nothing to pay on it" in html.unescape(button) and "disabled" not in button
    closed = services.order_close(by=users["finance"], order=made, version=made.version)
    assert closed.status == "closed"
