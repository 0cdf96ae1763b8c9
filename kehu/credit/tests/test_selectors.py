"""Credit reads the pages need for many customers at once, and the card's history."""

import datetime
from decimal import Decimal

import pytest

from conftest import rule
from kehu.credit import selectors, services
from kehu.credit.tests.builders import limit_request
from kehu.receivables.tests.builders import invoiced_order
from kehu.sales.tests.builders import draft_order

pytestmark = pytest.mark.django_db


@rule("CRD-3")
def test_it_gives_the_exposure_of_many_customers_in_a_fixed_number_of_queries(
        users, customer, outsider_customer, product, thresholds, django_assert_max_num_queries):
    limit_request(customer=customer, by=users["owner"], amount="5000", signers=[users["director"]])
    invoiced_order(customer=customer, product=product, quantity=3, days_ago=50, limit=None)
    open_order = draft_order(customer=customer, product=product, quantity=4)
    services.order_confirm(by=users["owner"], order=open_order, version=open_order.version)
    with django_assert_max_num_queries(5):  # limits, open invoices, receipts and credit notes on account, open orders
        exposures = selectors.exposures_of([customer, outsider_customer])
    assert exposures[customer.pk] == selectors.exposure_of(customer)
    assert (exposures[customer.pk].limit, exposures[customer.pk].receivables, exposures[customer.pk].open_orders,
            exposures[customer.pk].available, exposures[customer.pk].overdue_days) == (
        Decimal("5000.00"), Decimal("300.00"), Decimal("400.00"), Decimal("4300.00"), 20)
    assert exposures[outsider_customer.pk] == selectors.Exposure(limit=Decimal("0"), receivables=Decimal("0"),
                                                                  open_orders=Decimal("0"), overdue_days=0)
    assert selectors.exposures_of([]) == {}


@rule("CRD-2")
def test_it_gives_each_customers_latest_orders_in_one_query(users, customer, outsider_customer, product, thresholds,
                                                            django_assert_num_queries):
    for by, signer, target in (("owner", "director", customer), ("outsider", "other_director", outsider_customer)):
        limit_request(customer=target, by=users[by], amount="5000", signers=[users[signer]])
    today = datetime.date.today()
    numbers = []
    for days in (5, 1, 3):
        order = draft_order(customer=customer, product=product, quantity=1,
                            ordered_on=today - datetime.timedelta(days=days))
        services.order_confirm(by=users["owner"], order=order, version=order.version)
        numbers.append(order.number)
    draft_order(customer=customer, product=product, quantity=1)  # a draft is not history
    other = draft_order(customer=outsider_customer, product=product, quantity=1)
    services.order_confirm(by=users["outsider"], order=other, version=other.version)
    with django_assert_num_queries(1):
        histories = selectors.payment_histories([customer.pk, outsider_customer.pk], limit=2)
    assert [o.number for o in histories[customer.pk]] == [numbers[1], numbers[2]]
    assert [o.number for o in histories[outsider_customer.pk]] == [other.number]
    assert [o.number for o in histories[customer.pk]] == [o.number for o in selectors.payment_history(customer,
                                                                                                      limit=2)]


@rule("CRD-1")
def test_it_tells_who_changed_which_item_of_the_card(users, customer):
    card = services.credit_card_save(by=users["owner"], customer=customer, version=None,
                                     data={"payment_attitude": "prompt", "floors": 2})
    services.credit_card_save(by=users["director"], customer=customer, version=card.version,
                              data={"payment_attitude": "delays", "floors": 2})
    newest, created = selectors.credit_card_history(card)
    assert newest["record"].history_user == users["director"]
    assert [(c["field"], c["old"], c["new"]) for c in newest["changes"]] == [("payment_attitude", "prompt", "delays")]
    assert (created["record"].history_type, created["record"].history_user, created["changes"]) == (
        "+", users["owner"], [])
    assert len(selectors.credit_card_history(card, limit=1)) == 1


@rule("CRD-2")
def test_it_finds_the_waiting_requests_and_the_last_approved_limit_of_a_customer(users, customer, thresholds):
    first = services.credit_limit_request(by=users["owner"], customer=customer, amount="5000", reasons="x")
    services.credit_request_decide(by=users["director"], request=first, approve=True, comment="同意")
    waiting = services.credit_limit_request(by=users["owner"], customer=customer, amount="150000", reasons="y")
    services.credit_request_decide(by=users["director"], request=waiting, approve=True, comment="同意")
    assert [r.pk for r in selectors.pending_requests_of(customer)] == [waiting.pk]
    assert selectors.pending_requests_of(customer)[0].next_level == "sales_manager"
    last = selectors.last_approved_limit_request(customer)
    assert (last.pk, [(s.level, s.decided_by.username) for s in last.steps.all()]) == (
        first.pk, [("director", "director")])
    assert [t.level for t in selectors.approval_thresholds()] == [
        "director", "sales_manager", "marketing_vp", "general_manager"]
