import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.customers import services
from kehu.customers.tests.builders import new_key_person
from kehu.receivables.tests.builders import invoiced_order, new_payment, new_promise
from kehu.sales.tests.builders import advance, confirmed_order, delivered_order, draft_order, goods_return

pytestmark = pytest.mark.django_db


@rule("CUS-5")
@pytest.mark.parametrize(("role", "count"), [("owner", 1), ("teammate", 0), ("director", 1), ("manager", 2),
                                             ("other_director", 1), ("gm", 2)])
def test_it_counts_the_customers_in_the_users_scope(role, count, client_for, users, customer, outsider_customer):
    response = client_for(users[role]).get(reverse("home"))
    assert response.context["customer_count"] == count


@rule("CUS-2")
def test_it_shows_personnel_changes_at_customers(client_for, users, customer):
    buyer = new_key_person(by=users["owner"], customer=customer, role="buyer", name="周强")
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
    from kehu.receivables import services as receivables

    today, long_ago = timezone.localdate(), timezone.localdate() - timedelta(days=90)
    confirmed_order(customer=customer, product=product, quantity=10, limit="1000000")
    goods_return(order=delivered_order(customer=customer, product=product, quantity=5, limit=None),
                 quantities=[(0, 1)])
    draft_order(customer=customer, product=product, quantity=3)
    advance(confirmed_order(customer=customer, product=product, quantity=7, limit=None), "cancelled", reason="改单")
    invoiced_order(customer=customer, product=product, quantity=20, ordered_on=long_ago,
                   due_on=today - timedelta(days=40), invoiced_by=users["finance"], limit=None)
    receivables.collection_day(today=today)
    new_promise(customer=customer, by=users["owner"], promised_on=today, amount="5000")
    due_this_month = invoiced_order(customer=customer, product=product, quantity=10, ordered_on=long_ago,
                                    due_on=month_bounds(today)[1], invoiced_by=users["finance"], limit=None)
    new_payment(customer=customer, amount="600", by=users["owner"], method="cash",
                allocations=[(due_this_month, "600")])


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
