"""The worker's collection run (kehu/receivables/tasks.py, AR-2, PLT-4) taken from the queue by
a real Huey consumer, its 06:00 schedule, and `kehu collection-day` (the management command)."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from conftest import rule
from kehu.receivables import tasks
from kehu.receivables.models import CollectionTask, Promise
from kehu.receivables.tests.builders import invoiced_order, new_promise

# The consumer's worker thread reads what the test wrote: committed data, the file database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

TODAY = timezone.localdate()


@pytest.fixture
def ledger(users, customer, product):
    """An invoice due in two days, one due today, one due in ten days, and a promise to pay today."""
    soon = invoiced_order(customer=customer, product=product, quantity="10", on=TODAY - timedelta(days=28))
    due = invoiced_order(customer=customer, product=product, quantity="20", on=TODAY - timedelta(days=30))
    later = invoiced_order(customer=customer, product=product, quantity="30", on=TODAY - timedelta(days=20))
    new_promise(customer=customer, by=users["owner"], promised_on=TODAY, amount="500.00", invoice=due,
                contact="王经理")
    return {"soon": soon, "due": due, "later": later, "promise": Promise.objects.get()}


def task_rows():
    return sorted(CollectionTask.objects.values_list("kind", "invoice__number", "promise_id", "due_on", "amount",
                                                     "status"), key=str)


def expected_tasks(ledger):
    return sorted([
        ("reminder", ledger["soon"].number, None, TODAY, Decimal("1000.00"), "open"),
        ("visit", ledger["due"].number, None, TODAY, Decimal("2000.00"), "open"),
        ("promise", None, ledger["promise"].pk, TODAY, Decimal("500.00"), "open"),
    ], key=str)


@rule("AR-2")
@rule("PLT-4")
def test_it_makes_the_days_collection_tasks_in_the_worker_and_nothing_twice(ledger, consumer):
    assert CollectionTask.objects.count() == 0
    counts = tasks.collection_day(TODAY.isoformat()).get(blocking=True, timeout=60)
    assert counts == {"kept": 0, "broken": 0, "tasks": 3, "dropped": 0}
    # A reminder before the due date, the visit on it, the follow-up of the promise.
    assert task_rows() == expected_tasks(ledger)
    again = tasks.collection_day(TODAY.isoformat()).get(blocking=True, timeout=60)
    assert again == {"kept": 0, "broken": 0, "tasks": 0, "dropped": 0}
    assert task_rows() == expected_tasks(ledger)


@rule("AR-2")
@rule("PLT-4")
def test_it_runs_today_when_queued_without_a_day(ledger, consumer):
    assert tasks.collection_day().get(blocking=True, timeout=60)["tasks"] == 3
    assert task_rows() == expected_tasks(ledger)


@rule("PLT-4")
def test_it_schedules_the_run_at_six_in_the_morning_on_kehus_clock():
    six = datetime.combine(TODAY, time(6, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))

    def huey_clock(moment):  # the naive moment Huey's scheduler reads
        return moment.astimezone(ZoneInfo("UTC") if HUEY.utc else None).replace(tzinfo=None)

    assert "collection_morning" in [t.name for t in HUEY.read_periodic(huey_clock(six))]
    for other in (six + timedelta(minutes=1), six - timedelta(hours=1), six + timedelta(hours=8)):
        assert "collection_morning" not in [t.name for t in HUEY.read_periodic(huey_clock(other))], other


@rule("AR-2")
def test_it_prints_what_the_command_did(ledger):
    out = io.StringIO()
    call_command("collection_day", "--date", TODAY.isoformat(), stdout=out)
    assert out.getvalue() == (f"Collection day {TODAY.isoformat()}: new collection tasks 3, promises kept 0, "
                              "promises broken 0, tasks no longer needed 0.\n")
    assert task_rows() == expected_tasks(ledger)
    # The next morning the promise of today is broken: nothing was paid.
    tomorrow = TODAY + timedelta(days=1)
    out = io.StringIO()
    call_command("collection_day", "--date", tomorrow.isoformat(), stdout=out)
    assert out.getvalue() == (f"Collection day {tomorrow.isoformat()}: new collection tasks 0, promises kept 0, "
                              "promises broken 1, tasks no longer needed 0.\n")
    assert Promise.objects.get().status == "broken"


@rule("AR-2")
def test_it_runs_for_today_without_a_date(ledger):
    out = io.StringIO()
    call_command("collection_day", stdout=out)
    assert out.getvalue().startswith(f"Collection day {TODAY.isoformat()}: new collection tasks 3,")


@rule("AR-2")
def test_it_refuses_a_date_that_is_not_one_and_changes_nothing(ledger):
    with pytest.raises(CommandError) as refused:
        call_command("collection_day", "--date", "2026-02-30", stdout=io.StringIO())
    assert str(refused.value) == "--date must be a date as YYYY-MM-DD, not “2026-02-30”."
    assert CollectionTask.objects.count() == 0
    assert Promise.objects.get().status == "open"
