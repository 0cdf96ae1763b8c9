"""REL-3: greetings — birthdays of key people, founding anniversaries and Chinese holidays
(lunar dates computed) produce reminders a configurable number of days before, once."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from conftest import rule
from kehu.customers.models import Customer
from kehu.customers.tests.builders import new_key_person
from kehu.relations import services, tasks
from kehu.relations.greetings import holidays, next_anniversary, occasions
from kehu.relations.models import CadencePolicy
from kehu.reminders.models import Reminder

pytestmark = pytest.mark.django_db


@rule("REL-3")
def test_the_lunar_holidays_are_computed_for_each_year():
    assert dict(holidays(2026))["spring_festival"] == date(2026, 2, 17)
    assert dict(holidays(2027))["spring_festival"] == date(2027, 2, 6)
    assert dict(holidays(2026))["dragon_boat"] == date(2026, 6, 19)
    assert dict(holidays(2026))["mid_autumn"] == date(2026, 9, 25)
    assert dict(holidays(2025))["mid_autumn"] == date(2025, 10, 6)


@rule("REL-3")
def test_anniversaries_cross_the_year_end_and_keep_the_leap_day():
    assert next_anniversary(date(1980, 1, 3), date(2026, 12, 30)) == date(2027, 1, 3)
    assert next_anniversary(date(1980, 12, 31), date(2026, 12, 31)) == date(2026, 12, 31)
    assert next_anniversary(date(1988, 2, 29), date(2027, 2, 1)) == date(2027, 2, 28)
    assert next_anniversary(date(1988, 2, 29), date(2028, 2, 1)) == date(2028, 2, 29)


@pytest.fixture
def boss(users, customer):
    Customer.objects.filter(pk=customer.pk).update(founded_on=date(2016, 1, 2))
    return new_key_person(by=users["owner"], customer=customer, role="in_charge", name="王老板",
                          birth_date=date(1975, 1, 5))


@rule("REL-3")
def test_it_finds_the_occasions_of_the_coming_days_across_the_new_year(users, boss, customer):
    found = occasions(user=users["owner"], today=date(2026, 12, 30), days_before=7)
    assert [(o.kind, o.on) for o in found] == [
        ("holiday", date(2027, 1, 1)), ("founding", date(2027, 1, 2)), ("birthday", date(2027, 1, 5))]
    assert "11" in found[1].title  # founded 11 years ago
    assert [o.kind for o in occasions(user=users["owner"], today=date(2026, 12, 30), days_before=3)] == [
        "holiday", "founding"]
    assert occasions(user=users["teammate"], today=date(2026, 12, 30), days_before=7)[0].kind == "holiday"
    assert len(occasions(user=users["teammate"], today=date(2026, 12, 30), days_before=7)) == 1


@rule("REL-3")
def test_the_spring_festival_is_announced_before_its_lunar_date(users, customer):
    found = occasions(user=users["owner"], today=date(2027, 2, 1), days_before=7)
    assert [(o.kind, o.on) for o in found] == [("holiday", date(2027, 2, 6))]


@rule("REL-3")
@rule("PLT-4")
def test_the_morning_run_reminds_the_owner_once_however_often_it_runs(users, boss, customer):
    policy = CadencePolicy.current()
    policy.greeting_days_before = 4
    policy.save()
    first = services.greetings_send(today=date(2027, 1, 1))
    assert first["reminded"] == 3  # New Year today, founding on the 2nd, the birthday on the 5th
    services.greetings_send(today=date(2027, 1, 1))
    services.greetings_send(today=date(2027, 1, 2))  # the next morning: the same occasions, no new reminder
    reminders = Reminder.objects.filter(recipient=users["owner"], kind="greeting")
    assert reminders.count() == 3
    assert any("王老板" in r.title for r in reminders)
    assert not Reminder.objects.filter(recipient=users["teammate"], kind="greeting").exclude(
        dedupe_key__startswith="greeting:holiday").exists()


@rule("REL-3")
def test_the_greetings_run_is_scheduled_each_morning_on_kehus_clock(boss):
    six = datetime.combine(date(2027, 1, 1), time(6, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    naive = six.astimezone(ZoneInfo("UTC") if HUEY.utc else None).replace(tzinfo=None)
    assert "greetings_morning" in [t.name for t in HUEY.read_periodic(naive)]
    assert tasks.greetings_day.call_local(day="2027-01-01")["occasions"] >= 1


@rule("REL-3")
@rule("REL-4")
def test_greetings_reach_the_daily_plan(users, boss):
    from kehu.core.registry import registry

    day = boss.birth_date.replace(year=2027) - timedelta(days=2)
    plan = dict((source.key, items) for source, items in registry.due_for(users["owner"], day))
    assert "birthday" in [item.kind if item.kind != "greeting" else item.key.split(":")[0]
                          for item in plan["greetings"]]
