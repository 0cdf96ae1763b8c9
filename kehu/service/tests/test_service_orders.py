"""Service orders (SVC-1): packaging, delivery, installation, maintenance (periodic: doing one
schedules the next), training, credit support — assignee, due date, outcome, the customer's
rating, parts and cost; the queue of service staff."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.reminders.models import Reminder
from kehu.service import services
from kehu.service.models import ServiceOrder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

TODAY = timezone.localdate()
QUEUE = reverse("service:service_order_list")


def plan(users, customer, **extra):
    values = {"kind": "maintenance", "description": "检修冷柜", "assignee": users["service"], "due_on": TODAY}
    return services.service_order_create(by=users["owner"], customer=customer, **{**values, **extra})


@rule("SVC-1")
def test_svc1_a_service_is_planned_for_its_assignee_who_finds_it_in_the_queue(users, customer, en):
    planned = plan(users, customer)
    assert Reminder.objects.filter(recipient=users["service"], kind="service_order").count() == 1
    queue = en(users["service"]).get(QUEUE)
    assert [s.pk for s in queue.context["page"]] == [planned.pk]
    assert "检修冷柜" in queue.content.decode()
    assert [s.pk for s in en(users["director"]).get(QUEUE).context["page"]] == []  # not theirs
    assert [s.pk for s in en(users["director"]).get(QUEUE, {"mine": ""}).context["page"]] == [planned.pk]


@rule("SVC-1")
def test_svc1_doing_a_service_records_outcome_rating_parts_and_cost(users, customer, en):
    planned = plan(users, customer, kind="installation", every_days=None)
    response = en(users["service"]).post(reverse("service:service_order_done", args=[planned.pk]),
                                         {"outcome": "货架已安装", "rating": "4", "parts": "螺丝 20 个", "cost": "¥80"})
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.outcome, planned.rating, planned.parts, planned.cost) == (
        "done", "货架已安装", 4, "螺丝 20 个", Decimal("80.00"))
    assert ServiceOrder.objects.count() == 1  # a one-off: nothing scheduled after it
    with pytest.raises(ValidationFailed, match="already done"):
        services.service_order_done(by=users["service"], service_order=planned, outcome="再来一次")


@rule("SVC-1")
def test_svc1_a_periodic_maintenance_schedules_the_next_visit_when_one_is_done(users, customer):
    planned = plan(users, customer, every_days=30, due_on=TODAY - timedelta(days=2))
    services.service_order_done(by=users["service"], service_order=planned, outcome="已保养", rating=5)
    following = ServiceOrder.objects.exclude(pk=planned.pk).get()
    assert (following.status, following.due_on, following.every_days, following.assignee) == (
        "open", TODAY + timedelta(days=30), 30, users["service"])


@rule("SVC-1")
def test_svc1_bad_input_is_refused_and_nothing_is_planned(users, customer, outsider_customer):
    with pytest.raises(ValidationFailed) as refused:
        services.service_order_create(by=users["owner"], customer=customer, kind="magic", description=" ",
                                      assignee=users["outsider"], due_on=None, every_days=0)
    assert set(refused.value.field_errors) == {"kind", "description", "due_on", "every_days", "assignee"}
    planned = plan(users, customer)
    with pytest.raises(ValidationFailed, match="1 to 5"):
        services.service_order_done(by=users["service"], service_order=planned, outcome="好", rating=9)
    with pytest.raises(ValidationFailed, match="Say how it went"):
        services.service_order_done(by=users["service"], service_order=planned, outcome="")
    assert list(ServiceOrder.objects.values_list("status", flat=True)) == ["open"]


@rule("SVC-1")
def test_svc1_the_customer_page_shows_its_services(users, customer, en):
    planned = plan(users, customer)
    panel = en(users["owner"]).get(reverse("panel", args=["customer", "service-orders", customer.pk])).content.decode()
    assert reverse("service:service_order_detail", args=[planned.pk]) in panel
    assert reverse("service:service_order_create", args=[customer.pk]) in panel
