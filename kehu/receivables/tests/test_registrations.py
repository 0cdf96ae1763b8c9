"""What receivables register on other pages: the block of the customer's 360° page (AR-1 … AR-4);
and the report filters."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core import periods
from kehu.customers.models import Category
from kehu.customers.tests.builders import new_customer
from kehu.receivables import registrations, selectors, services
from kehu.receivables.templatetags.receivables import change, rate
from kehu.receivables.tests.builders import invoiced_order, new_payment, new_promise

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "old_invoices_allowed")]
TODAY = timezone.localdate()


def days_ago(n: int):
    return TODAY - timedelta(days=n)


def render(user, customer) -> str:
    request = RequestFactory().get("/")
    request.user = user
    context = registrations.customer_block(request, customer)
    return "" if context is None else render_to_string("receivables/_customer_receivables.html", context, request)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def figure(html: str, name: str) -> str:
    return text_of(re.search(rf'data-figure="{name}"[^>]*>(.*?)</dd>', html, re.S).group(1))


def open_rows(html: str) -> list[list[str]]:
    table = re.search(r'id="customer-open-invoices">(.*?)</table>', html, re.S).group(1)
    return [[text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr data-invoice[^>]*>(.*?)</tr>", table, re.S)]


@rule("AR-3")
def test_it_shows_the_customers_open_invoices_ageing_and_payments(users, customer, product):
    late = invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(40))     # ¥1,000
    # ¥800, ¥300 paid
    partly = invoiced_order(customer=customer, product=product, quantity=8, due_on=days_ago(5))
    # ¥500, not yet due
    later = invoiced_order(customer=customer, product=product, quantity=5, due_on=days_ago(-10))
    new_payment(customer=customer, amount="300", by=users["finance"], allocations=[(partly, "300")])
    for n in range(6):
        services.payment_post(by=users["owner"], customer=customer, amount=f"{n + 1}0", method="cash",
                              received_on=days_ago(n), allocations=[])
    html = render(users["owner"], customer)
    assert open_rows(html) == [
        [late.number, late.due_on.isoformat(), "¥1,000.00", "40"],
        [partly.number, partly.due_on.isoformat(), "¥500.00", "5"],
        [later.number, later.due_on.isoformat(), "¥500.00", "–"],
    ]
    assert (figure(html, "open"), figure(html, "overdue"), figure(html, "on_account"), figure(html, "balance")) == (
        "¥2,000.00", "¥1,500.00", "¥210.00", "¥1,790.00")
    assert Decimal("1790") == sum(selectors.balances([customer.pk]).values())
    # The last five payments, newest first: today's ¥300 and ¥10, then ¥20 … ¥40.
    amounts = re.findall(r'<tr data-payment="[^"]+"[^>]*>.*?<td class="text-end">(.*?)</td>',
                         re.search(r'id="customer-payments">(.*?)</table>', html, re.S).group(1), re.S)
    assert len(amounts) == 5 and set(amounts) == {"¥300.00", "¥10.00", "¥20.00", "¥30.00", "¥40.00"}
    assert reverse("receivables:customer_ledger", args=[customer.pk]) in html


@rule("AR-2")
def test_it_shows_open_and_recent_promises_with_broken_ones_marked(users, customer, product):
    invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))
    for days, amount in ((1, "300"), (9, "400")):
        new_promise(customer=customer, by=users["owner"], promised_on=TODAY + timedelta(days=days),
                    amount=amount)
    services.collection_day(today=TODAY + timedelta(days=3))  # the first promise's day passes unpaid
    html = render(users["owner"], customer)
    promises = re.findall(r'<li data-promise="\d+" data-status="(\w+)">(.*?)</li>', html, re.S)
    assert [(status, text_of(body).split(" · ")[0]) for status, body in promises] == [
        ("open", "Open ¥400.00"), ("broken", "Broken ¥300.00")]
    assert 'class="badge text-bg-danger">Broken' in html


@rule("AR-4")
def test_it_shows_the_collection_rate_this_month_and_the_three_months_before(users, customer, product):
    month_start, month_end = periods.month_bounds(TODAY)
    # due month end
    this_month = invoiced_order(customer=customer, product=product, quantity=10, due_on=month_end)
    new_payment(customer=customer, amount="600", by=users["finance"], allocations=[(this_month, "600")])
    earlier = invoiced_order(customer=customer, product=product, quantity=5,
                             due_on=month_start - timedelta(days=40))
    new_payment(customer=customer, amount="500", by=users["finance"], allocations=[(earlier, "500")],
                received_on=earlier.due_on)
    html = render(users["owner"], customer)
    assert (figure(html, "rate_month"), figure(html, "rate_three")) == ("60.0%", "100.0%")
    newcomer = new_customer(by=users["owner"], name="上海新开商店", category=Category.KEY_RETAILER,
                            phone="021-7777 0404")
    nothing = render(users["director"], newcomer)
    assert (figure(nothing, "rate_month"), figure(nothing, "rate_three")) == ("—", "—")


@rule("AR-1")
@pytest.mark.parametrize(("role", "buttons"), [("owner", True), ("finance", True), ("director", True),
                                               ("vp", False), ("gm", False)])
def test_it_offers_payment_and_attempt_to_those_who_collect(users, customer, role, buttons, client_for):
    """AR-1, CUS-3: 登记收款 and 记录催收 sit in the 360° page's header, for those who collect."""
    page = client_for(users[role]).get(reverse("customers:detail", args=[customer.pk])).text
    header = page[page.index('id="customer-actions"'):page.index('role="tablist"')]
    assert (f'{reverse("receivables:payment_create")}?customer={customer.pk}' in header) is buttons
    assert (reverse("receivables:attempt_create", args=[customer.pk]) in header) is buttons


@rule("AR-1")
def test_it_shows_nothing_to_those_who_do_not_see_receivables(users, customer, product, client_for):
    invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(5))
    assert render(users["service"], customer).strip() == ""
    block = reverse("panel", args=["customer", "receivables", customer.pk])
    page = client_for(users["service"]).get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200 and block not in page.text
    assert client_for(users["service"]).get(block).status_code == 403
    # The 360° page fetches the block when its tab is shown; outside the scope it is not found.
    page = client_for(users["director"]).get(reverse("customers:detail", args=[customer.pk]))
    assert f'hx-get="{block}"' in page.text and 'hx-trigger="intersect once"' in page.text
    assert 'id="customer-receivables"' in client_for(users["director"]).get(block).text
    assert client_for(users["other_director"]).get(block).status_code == 404


@rule("AR-3")
def test_it_renders_the_block_in_a_fixed_number_of_queries(users, customer, product):
    invoiced_order(customer=customer, product=product, quantity=1, due_on=days_ago(5))
    director = users["director"]
    render(director, customer)  # the office subtree is kept on the user

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            render(director, customer)
        return len(captured)

    # Open invoices, payments, promises; open amounts, payments and credit notes on account;
    # what fell due, and what credit notes and payments settled of it, this month and the three before.
    assert queries() == 10
    for n in range(12):
        invoiced_order(customer=customer, product=product, quantity=n + 1, due_on=days_ago(n * 20))
        new_payment(customer=customer, amount="50", by=users["finance"])
    new_promise(customer=customer, by=users["owner"], promised_on=TODAY, amount="100")
    assert queries() == 10


def test_it_writes_rates_and_their_changes_for_people():
    assert (rate(Decimal("60.0")), rate(None)) == ("60.0%", "—")
    assert (change(Decimal("5.0")), change(Decimal("-2.5")), change(Decimal("0.0")), change(None)) == (
        "+5.0", "−2.5", "0.0", "—")


@rule("AR-1")
@rule("AR-3")
def test_the_customer_list_shows_what_each_customer_owes_and_how_late(client_for, users, customer, product):
    """The salesperson's own list spends no columns on their own name and office, and shows the
    balance owed with the days overdue (a column receivables register on the customers' list)."""
    invoiced_order(customer=customer, product=product, quantity=10, due_on=days_ago(12))
    owner = client_for(users["owner"]).get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en").text
    row = owner.split(f'href="/customers/{customer.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert "¥1,000.00" in row and "12 days overdue" in row
    assert ">balance owed</th>" in owner and ">office</th>" not in owner
    director = client_for(users["director"]).get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en").text
    assert ">office</th>" in director and ">balance owed</th>" in director
    service = client_for(users["service"]).get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en").text
    assert ">balance owed</th>" not in service  # money is not after-sales service's to see
