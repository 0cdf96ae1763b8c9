"""Speed (CMP-4): the worker flags each missed deadline of first response and of resolution once
and escalates it to the handler's manager — a real Huey consumer runs the task twice, and the
second run flags and tells nobody again."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from conftest import rule
from kehu.reminders.models import Reminder
from kehu.service import services, tasks
from kehu.service.models import Breach, ComplaintPolicy
from kehu.service.tests.builders import new_complaint, walk

# The consumer's worker thread reads what the test wrote: committed data, the file database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

LONG_AGO = timezone.now() - timedelta(days=30)


def breaches():
    return sorted(Breach.objects.values_list("complaint_id", "kind", "escalated_to__username"))


@rule("CMP-4")
def test_cmp4_the_worker_flags_and_escalates_a_missed_deadline_exactly_once(users, customer, consumer):
    late = new_complaint(customer=customer, by=users["owner"], received_at=LONG_AGO)
    new_complaint(customer=customer, by=users["owner"])  # its deadlines are still ahead
    first = tasks.complaint_breaches().get(blocking=True, timeout=60)
    assert first == {"response": 1, "resolution": 1}
    # The salesperson's manager: the director of the Shanghai office above the team.
    assert breaches() == [(late.pk, "resolution", "director"), (late.pk, "response", "director")]
    told = sorted(Reminder.objects.filter(kind="complaint_breach").values_list("recipient__username", flat=True))
    assert told == ["director", "director", "owner", "owner"]
    again = tasks.complaint_breaches().get(blocking=True, timeout=60)
    assert again == {"response": 0, "resolution": 0}
    assert len(breaches()) == 2 and Reminder.objects.filter(kind="complaint_breach").count() == 4


@rule("CMP-4")
def test_cmp4_the_deadlines_follow_the_severity_and_a_deadline_met_is_no_breach(users, customer):
    policy = ComplaintPolicy.current()
    policy.respond_critical_hours, policy.resolve_critical_hours = 1, 5
    policy.save()
    hours_ago = timezone.now() - timedelta(hours=3)
    answered = new_complaint(customer=customer, by=users["service"], severity="critical", received_at=hours_ago)
    walk(answered, by=users["service"], through="listen")  # answered now: 2 hours late
    closed = walk(new_complaint(customer=customer, by=users["owner"], severity="low", received_at=hours_ago),
                  by=users["owner"])
    services.complaint_close(by=users["owner"], complaint=closed)
    assert services.flag_breaches() == {"response": 1, "resolution": 0}
    assert breaches() == [(answered.pk, "response", "vp")]  # service staff at headquarters: no director above
    # Past the resolution deadline of 5 hours.
    assert services.flag_breaches(now=timezone.now() + timedelta(hours=3)) == {"response": 0, "resolution": 1}


@rule("CMP-4")
def test_cmp4_the_breach_run_is_scheduled_every_quarter_of_an_hour():
    moment = timezone.now().replace(minute=15, second=0, microsecond=0).astimezone(UTC).replace(tzinfo=None)
    assert "complaint_breaches_periodic" in [t.name for t in HUEY.read_periodic(moment)]
    assert "complaint_breaches_periodic" not in [t.name for t in HUEY.read_periodic(moment.replace(minute=16))]
