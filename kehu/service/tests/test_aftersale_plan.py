"""The daily plan 日工作计划 (REL-4) gathers what after-sales work is due for the user on the day:
promises due (SVC-2), open services assigned (SVC-1), follow-up calls (SVC-3) and the deadlines
of the complaints the user handles (CMP-4)."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.relations import services as relations
from kehu.service import aftersale_services, services
from kehu.service.models import Complaint
from kehu.service.tests.builders import new_complaint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def today():
    return timezone.localdate()


def service_items(user, day=None):
    return sorted((e.kind, e.customer_id) for e in relations.plan_for(user, day or today())
                  if e.kind in {"commitment", "service_order", "follow_up", "complaint_deadline"})


@rule("REL-4")
def test_rel4_the_salespersons_plan_shows_promises_services_follow_ups_and_complaint_deadlines(
        users, customer, product, en, settings):
    from kehu.sales.tests.builders import delivered_order

    settings.KEHU_FOLLOW_UP_DAYS = 7
    aftersale_services.commitment_create(by=users["owner"], customer=customer, description="今天上门收保费",
                                         starts_on=today())
    aftersale_services.commitment_create(by=users["owner"], customer=customer, description="下周送样品",
                                         starts_on=today() + timedelta(days=7))  # not today
    services.service_order_create(by=users["owner"], customer=customer, kind="installation", description="安装货架",
                                  assignee=users["owner"], due_on=today())
    services.service_order_create(by=users["owner"], customer=customer, kind="training", description="培训店员",
                                  assignee=users["service"], due_on=today())  # someone else's
    delivered_order(customer=customer, product=product, quantity="1", delivered_on=today() - timedelta(days=7))
    aftersale_services.follow_ups_plan()
    complaint = new_complaint(customer=customer, by=users["owner"])
    end_of_day = timezone.make_aware(datetime.combine(today(), time(23, 0)), timezone.get_current_timezone())
    Complaint.objects.filter(pk=complaint.pk).update(resolve_by=end_of_day)
    assert service_items(users["owner"]) == sorted([("commitment", customer.pk), ("service_order", customer.pk),
                                                    ("follow_up", customer.pk), ("complaint_deadline", customer.pk)])
    page = en(users["owner"]).get(reverse("relations:plan")).content.decode()
    assert "Promise · 上海恒丰商贸有限公司: 今天上门收保费" in page
    assert f"Resolution due · complaint #{complaint.pk} of 上海恒丰商贸有限公司" in page
    assert service_items(users["service"]) == [("service_order", customer.pk)]
    assert service_items(users["finance"]) == []  # finance neither serves nor keeps promises


@rule("REL-4")
def test_rel4_a_promise_kept_leaves_the_next_days_plan(users, customer):
    made = aftersale_services.commitment_create(by=users["owner"], customer=customer, description="送会员卡",
                                                starts_on=today())
    aftersale_services.occurrence_fulfil(by=users["owner"], occurrence=made.occurrences.get(), note="已送")
    assert service_items(users["owner"], today() + timedelta(days=1)) == []
