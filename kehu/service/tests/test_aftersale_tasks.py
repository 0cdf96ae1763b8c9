"""The after-sale run of the worker (SVC-2, SVC-3): a real Huey consumer runs it twice — the
first marks a promise past its day missed and tells the owner's manager and plans the follow-up
call of a delivered order; the second marks, tells and plans nothing again."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from conftest import rule
from kehu.reminders.models import Reminder
from kehu.service import aftersale_services, tasks
from kehu.service.models import FollowUp, Occurrence

# The consumer's worker thread reads what the test wrote: committed data, the file database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@rule("SVC-2")
def test_svc2_svc3_the_worker_marks_a_missed_promise_and_plans_follow_ups_exactly_once(users, customer, product,
                                                                                      consumer, settings):
    from kehu.sales.tests.builders import delivered_order

    settings.KEHU_FOLLOW_UP_DAYS = 7
    today = timezone.localdate()
    made = aftersale_services.commitment_create(by=users["owner"], customer=customer, description="每月10日上门收保费",
                                                starts_on=today)
    Occurrence.objects.filter(commitment=made).update(due_on=today - timedelta(days=1))
    order = delivered_order(customer=customer, product=product, quantity="1", delivered_on=today - timedelta(days=2))
    first = tasks.after_sale_now().get(blocking=True, timeout=60)
    assert first == {"missed": 1, "follow_ups": 1}
    assert made.occurrences.get().status == "missed"
    assert list(Reminder.objects.filter(kind="commitment_missed").values_list("recipient__username", flat=True)) == [
        "director"]
    follow_up = FollowUp.objects.get()
    assert (follow_up.order, follow_up.assignee, follow_up.due_on) == (order, users["owner"], today + timedelta(days=5))
    again = tasks.after_sale_now().get(blocking=True, timeout=60)
    assert again == {"missed": 0, "follow_ups": 0}
    assert Reminder.objects.filter(kind="commitment_missed").count() == 1 and FollowUp.objects.count() == 1


@rule("SVC-2")
def test_svc2_the_after_sale_run_is_scheduled_every_hour():
    moment = timezone.now().replace(minute=5, second=0, microsecond=0).astimezone(UTC).replace(tzinfo=None)
    assert "after_sale_periodic" in [t.name for t in HUEY.read_periodic(moment)]
    assert "after_sale_periodic" not in [t.name for t in HUEY.read_periodic(moment.replace(minute=6))]
