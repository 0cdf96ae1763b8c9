"""The order's timeline (ORD-1) as explicit events: written by the services in the step's
transaction, the same steps, users and times as the order's change history showed before,
and filled in from that history for the orders written earlier (migration 0002)."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.credit import services as credit
from kehu.credit.models import CreditAccount
from kehu.receivables import services as receivables
from kehu.sales import selectors, services
from kehu.sales.models import Order, OrderEvent
from kehu.sales.tests.builders import advance

pytestmark = pytest.mark.django_db


def from_history(order):
    """What sales.selectors.order_status_changes read before the events: the order's change
    history reduced to its changes of status."""
    changes, last = [], None
    for record in order.history.order_by("history_date", "history_id"):
        if record.status != last:
            changes.append((record.status, record.history_date, record.history_user_id))
            last = record.status
    return changes


def timeline(order):
    return [(e.status, e.at, e.by_id) for e in selectors.order_status_changes(order)]


def through_every_step(users, customer, product):
    CreditAccount.objects.update_or_create(customer=customer, defaults={"limit": Decimal("100000")})
    order = services.order_create(by=users["owner"], customer=customer, lines=[{"product": product, "quantity": 3}])
    order = services.order_replace_lines(by=users["teammate"], order=order, version=order.version,
                                         lines=[{"product": product, "quantity": 4}])  # no step
    order = credit.order_confirm(by=users["owner"], order=order, version=order.version)
    order = services.order_advance(by=users["teammate"], order=order, version=order.version, to="delivered")
    order = receivables.order_invoice(by=users["finance"], order=order, version=order.version)
    line = order.lines.get()
    receivables.return_record(by=users["owner"], order=order, version=order.version, kind="returned",
                              reason="defect", responsible="厂家", lines=[{"order_line": line.pk, "quantity": "1"}])
    order.refresh_from_db()
    return advance(order, "closed", by=users["finance"])


@rule("ORD-1")
def test_the_services_write_each_step_as_the_history_showed_it(users, customer, product):
    order = through_every_step(users, customer, product)
    assert [(status, by) for status, _at, by in timeline(order)] == [
        ("draft", users["owner"].pk), ("confirmed", users["owner"].pk), ("delivered", users["teammate"].pk),
        ("invoiced", users["finance"].pk), ("closed", users["finance"].pk)]
    assert timeline(order) == from_history(order)


@rule("ORD-1")
def test_a_refused_delivery_is_the_cancelling_step(users, customer, product):
    CreditAccount.objects.update_or_create(customer=customer, defaults={"limit": Decimal("100000")})
    order = services.order_create(by=users["owner"], customer=customer, lines=[{"product": product, "quantity": 3}])
    order = credit.order_confirm(by=users["owner"], order=order, version=order.version)
    services.return_record(by=users["teammate"], order=order, version=order.version, kind="refused",
                           reason="customer", responsible="客户")
    assert [(s, by) for s, _at, by in timeline(order)] == [
        ("draft", users["owner"].pk), ("confirmed", users["owner"].pk), ("cancelled", users["teammate"].pk)]
    assert timeline(order) == from_history(order)


@rule("ORD-1")
def test_a_refused_step_writes_no_event(users, customer, product):
    order = services.order_create(by=users["owner"], customer=customer, lines=[{"product": product, "quantity": 3}])
    with pytest.raises(ValidationFailed):  # a draft cannot be delivered
        services.order_advance(by=users["owner"], order=order, version=order.version, to="delivered")
    assert [s for s, _at, _by in timeline(order)] == ["draft"]


@rule("ORD-1")
def test_the_migration_fills_the_timeline_of_earlier_orders_from_their_history(users, customer, product):
    order = through_every_step(users, customer, product)
    written = timeline(order)
    OrderEvent.objects.all().delete()
    # Written in bulk like the demo's orders: no history, so no timeline (as before).
    Order.objects.bulk_create([Order(number="SO-NO-HISTORY", customer=customer, owner=customer.owner,
                                     office=customer.office, ordered_on=order.ordered_on, total=Decimal("0"),
                                     created_by=users["owner"])])
    import_module("kehu.sales.migrations.0002_order_events").events_from_history(apps, None)
    assert timeline(order) == written
    assert OrderEvent.objects.filter(order__number="SO-NO-HISTORY").count() == 0


@rule("ORD-1")
def test_the_order_page_shows_the_timeline(english_client, users, customer, product):
    order = through_every_step(users, customer, product)
    text = english_client(users["director"]).get(reverse("sales:order_detail", args=[order.pk])).text
    history = text.split('id="status-history"')[1].split("</ul>")[0]
    steps = [item.split("</li>")[0] for item in history.split("<li>")[1:]]
    assert [step.split(" · ", 1)[1] for step in steps] == [
        "Draft · 张伟", "Confirmed · 张伟", "Delivered · 李娜", "Invoiced · finance", "Closed · finance"]
    assert [step.split(" · ", 1)[0] for step in steps] == [
        timezone.localtime(at).strftime("%Y-%m-%d %H:%M") for _s, at, _by in from_history(order)]


@pytest.fixture
def english_client(client_for):
    def login(user):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        return client
    return login
