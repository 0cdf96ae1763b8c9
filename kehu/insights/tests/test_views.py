import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.customers import services

pytestmark = pytest.mark.django_db


@rule("CUS-5")
@pytest.mark.parametrize(("role", "count"), [("owner", 1), ("teammate", 0), ("director", 1), ("manager", 2),
                                             ("other_director", 1), ("gm", 2)])
def test_it_counts_the_customers_in_the_users_scope(role, count, client_for, users, customer, outsider_customer):
    response = client_for(users[role]).get(reverse("home"))
    assert response.context["customer_count"] == count


@rule("CUS-2")
def test_it_shows_personnel_changes_at_customers(client_for, users, customer):
    buyer = services.key_person_add(by=users["owner"], customer=customer, data={"role": "buyer", "name": "周强"})
    services.key_person_end(by=users["owner"], person=buyer, version=buyer.version)
    response = client_for(users["director"]).get(reverse("home"))
    assert "周强" in response.text
    assert "周强" not in client_for(users["outsider"]).get(reverse("home")).text


# --- receivables cards (AR-2, AR-3, AR-4) ------------------------------------------------------------------

def _cards(users, customer, product):
    """This month the owner sold ¥1,000 (confirmed) and ¥500 less ¥100 returned (delivered); a
    draft and a cancelled order do not count. Of ¥1,000 falling due this month ¥600 came in;
    ¥2,000 are 40 days overdue with a collection visit due; a promise falls due today."""
    from kehu.core.periods import month_bounds
    from kehu.credit import services as credit
    from kehu.credit.models import CreditAccount
    from kehu.receivables import services as receivables
    from kehu.receivables.models import Invoice
    from kehu.sales import services as sales

    owner, today = users["owner"], timezone.localdate()
    CreditAccount.objects.create(customer=customer, limit=Decimal("1000000"))

    def order(quantity, *, on=None):
        return sales.order_create(by=owner, customer=customer, lines=[{"product": product, "quantity": quantity}],
                                  ordered_on=on)

    def confirmed(quantity, *, on=None):
        made = order(quantity, on=on)
        return credit.order_confirm(by=owner, order=made, version=made.version)

    def delivered(quantity, *, on=None):
        made = confirmed(quantity, on=on)
        return sales.order_advance(by=owner, order=made, version=made.version, to="delivered")

    def invoice(made, *, due):
        made = receivables.order_invoice(by=users["finance"], order=made, version=made.version,
                                         on=due - timedelta(days=30))
        return Invoice.objects.get(order=made)

    confirmed(10)
    returned = delivered(5)
    sales.return_record(by=owner, order=returned, version=returned.version, kind="returned", reason="defect",
                        responsible="厂家", lines=[{"order_line": returned.lines.get().pk, "quantity": 1}])
    order(3)
    cancelled = confirmed(7)
    sales.order_advance(by=owner, order=cancelled, version=cancelled.version, to="cancelled", reason="改单")
    long_ago = today - timedelta(days=90)
    old, this_month = delivered(20, on=long_ago), delivered(10, on=long_ago)
    invoice(old, due=today - timedelta(days=40))
    receivables.collection_day(today=today)
    receivables.attempt_log(by=owner, customer=customer, channel="call", outcome="promised", promised_on=today,
                            promised_amount="5000")
    due_this_month = invoice(this_month, due=month_bounds(today)[1])
    receivables.payment_post(by=owner, customer=customer, amount="600", method="cash",
                             allocations=[{"invoice": due_this_month.pk, "amount": "600"}])


@rule("AR-4")
def test_it_puts_sales_and_collection_rate_side_by_side_with_overdue_and_todays_work(client_for, users, customer,
                                                                                     product):
    _cards(users, customer, product)
    response = client_for(users["owner"]).get(reverse("home"))
    text = response.text
    figures = [re.search(rf'id="{name}">(.*?)</div>', text).group(1) for name in
               ("sales-this-month", "collection-rate-this-month", "overdue-total", "collection-today")]
    assert figures == ["¥1,400.00", "60.0%", "¥2,000.00", "2"]
    assert text.index("sales-this-month") < text.index("collection-rate-this-month")
    assert reverse("receivables:ageing") in text and reverse("receivables:collection_work") in text
    assert 'id="customer-count">1<' in text  # the cards that were there stay


@rule("AR-4")
@pytest.mark.parametrize(("role", "shown"), [("director", ("¥1,400.00", "60.0%", "¥2,000.00", "2")),
                                             ("outsider", ("¥0.00", "—", "¥0.00", "0")),
                                             ("finance", ("¥1,400.00", "60.0%", "¥2,000.00", "2"))])
def test_it_reads_the_cards_in_the_users_scope(client_for, users, customer, product, role, shown):
    _cards(users, customer, product)
    text = client_for(users[role]).get(reverse("home")).text
    assert tuple(re.search(rf'id="{name}">(.*?)</div>', text).group(1) for name in
                 ("sales-this-month", "collection-rate-this-month", "overdue-total", "collection-today")) == shown


@rule("AR-4")
def test_it_shows_no_money_cards_to_after_sales_service(client_for, users, customer, product):
    _cards(users, customer, product)
    response = client_for(users["service"]).get(reverse("home"))
    assert response.status_code == 200
    assert 'id="money-cards"' not in response.text and 'id="customer-count">' in response.text
