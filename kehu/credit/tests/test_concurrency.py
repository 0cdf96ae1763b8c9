"""CRD-3 under concurrent writers: confirmations at the same moment never pass the limit
together (the customer's credit row is locked). Real threads, real database connections."""

from decimal import Decimal

import pytest

from conftest import at_once, rule
from kehu.credit import services
from kehu.sales.models import Order
from kehu.sales.tests.builders import credit_limit, draft_order


@rule("CRD-3")
@pytest.mark.django_db(transaction=True)
def test_it_never_exceeds_the_limit_when_orders_are_confirmed_at_the_same_moment(users, customer, product):
    credit_limit(customer, "1000")
    orders = [draft_order(customer=customer, product=product, quantity=3)
              for _ in range(6)]  # six orders of ¥300: only three fit under ¥1,000
    outcomes = at_once(lambda order: services.order_confirm(by=users["owner"], order=order, version=order.version),
                       orders, refused=services.CreditRefused)
    outcomes = ["refused" if isinstance(o, services.CreditRefused) else "confirmed" for o in outcomes]
    confirmed = Order.objects.filter(status="confirmed")
    assert sorted(outcomes) == ["confirmed"] * 3 + ["refused"] * 3
    assert confirmed.count() == 3
    assert sum(o.total for o in confirmed) == Decimal("900.00")
