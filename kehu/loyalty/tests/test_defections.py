"""Lost customers 流失客户 (WIN-1): from each customer's own purchase interval (or its grade's
default), at risk and then lost, found by the daily run, the owner told once; buying again
takes the customer off the list; the reason recorded from a list."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.customers.tests.builders import new_customer
from kehu.loyalty import registrations, services, tasks
from kehu.loyalty.models import Defection, WinBackPolicy
from kehu.loyalty.tests.builders import bought, quiet
from kehu.reminders.models import Reminder

pytestmark = pytest.mark.usefixtures("in_english")


def states() -> dict[str, str]:
    return dict(Defection.objects.filter(state__in=Defection.OPEN).values_list("customer__name", "state"))


@rule("WIN-1")
def test_win1_a_customer_is_at_risk_then_lost_by_its_own_interval(users, customer):
    fin = users["finance"]
    quiet(by=fin, customer=customer, every=10, times=4, since=16)  # every 10 days, 16 days quiet: > 1.5 × 10
    steady = new_customer(by=users["owner"], name="按时进货的店")
    quiet(by=fin, customer=steady, every=10, times=4, since=5)
    slow = new_customer(by=users["owner"], name="每季度进货的店")
    quiet(by=fin, customer=slow, every=90, times=3, since=40)  # its own interval is 90 days: fine
    assert services.defections_daily() == {"at_risk": 1, "lost": 0, "won_back": 0, "cleared": 0}
    assert states() == {customer.name: "at_risk"}
    row = Defection.objects.get(customer=customer)
    today = timezone.localdate()
    assert (row.expected_days, row.last_purchase_on, row.at_risk_on) == (10, today - timedelta(days=16), today)
    assert row.lost_value == Decimal("4000.00")  # what it bought in the year up to its last purchase
    later = today + timedelta(days=15)  # 31 days quiet: > 3 × 10
    assert services.defections_daily(today=later)["lost"] == 1
    row.refresh_from_db()
    assert (row.state, row.lost_on, row.at_risk_on) == ("lost", later, today)


@rule("WIN-1")
def test_win1_with_fewer_than_three_purchases_the_grade_default_applies(users, customer):
    fin = users["finance"]
    bought(by=fin, customer=customer, days_ago=[140, 136])  # grade C: 90 days by default, 136 quiet: > 135
    grade_a = new_customer(by=users["owner"], name="甲级客户", grade="A")
    bought(by=fin, customer=grade_a, days_ago=[50])  # grade A: 30 days, 50 quiet: > 45
    grade_b = new_customer(by=users["owner"], name="乙级客户", grade="B")
    bought(by=fin, customer=grade_b, days_ago=[80])  # grade B: 60 days, 80 quiet: < 90
    services.defections_daily()
    assert states() == {customer.name: "at_risk", grade_a.name: "at_risk"}
    assert dict(Defection.objects.values_list("customer__name", "expected_days")) == {customer.name: 90,
                                                                                    grade_a.name: 30}


@rule("WIN-1")
def test_win1_the_rules_are_set_in_one_place_and_change_who_is_at_risk(users, customer):
    quiet(by=users["finance"], customer=customer, every=10, times=4, since=16)
    policy = WinBackPolicy.current()
    policy.at_risk_factor, policy.lost_factor = Decimal("2.0"), Decimal("4.0")
    policy.save()
    assert services.defections_daily()["at_risk"] == 0  # 16 days: not beyond 2 × 10
    policy.at_risk_factor, policy.lost_factor = Decimal("1.2"), Decimal("1.5")
    policy.save()
    assert services.defections_daily()["lost"] == 1  # 16 > 1.5 × 10
    assert states() == {customer.name: "lost"}
    policy.lost_factor = Decimal("1.0")
    with pytest.raises(Exception, match="later than at risk"):
        policy.full_clean()


@rule("WIN-1")
def test_win1_the_run_twice_finds_nothing_new_and_the_owner_is_told_exactly_once(users, customer):
    quiet(by=users["finance"], customer=customer, every=10, times=4, since=16)
    first = tasks.defections_daily_periodic.call_local()
    assert tasks.defections_daily_periodic.call_local() is None  # the day is claimed: a second worker skips it
    second = tasks.defections_run.call_local()  # run again on demand: nothing new
    assert first["at_risk"] == 1 and second == {"at_risk": 0, "lost": 0, "won_back": 0, "cleared": 0}
    assert Defection.objects.count() == 1
    reminder = Reminder.objects.get(kind="at_risk")
    assert reminder.recipient == users["owner"] and customer.name in reminder.title
    services.defections_daily(today=timezone.localdate() + timedelta(days=20))  # now lost: no second reminder
    assert Reminder.objects.filter(kind="at_risk").count() == 1


@rule("WIN-1")
def test_win1_buying_again_takes_the_customer_off_the_list(users, customer):
    quiet(by=users["finance"], customer=customer, every=10, times=4, since=16)
    services.defections_daily()
    bought(by=users["finance"], customer=customer, days_ago=[0])
    assert services.defections_daily()["cleared"] == 1
    assert states() == {}
    assert Defection.objects.get(customer=customer).state == "cleared"  # kept as history, not won back: no attempt
    assert registrations.at_risk_due(users["owner"], timezone.localdate()) == []


@rule("WIN-1")
def test_win1_a_reason_outside_the_list_is_refused_and_nothing_changes(users, customer):
    quiet(by=users["finance"], customer=customer, every=10, times=4, since=16)
    services.defections_daily()
    row = Defection.objects.get()
    with pytest.raises(ValidationFailed, match="from the list"):
        services.defection_reason_set(by=users["owner"], defection=row, reason="weather")
    with pytest.raises(ValidationFailed, match="other reason"):
        services.defection_reason_set(by=users["owner"], defection=row, reason="other")
    with pytest.raises(PermissionDeniedError):
        services.defection_reason_set(by=users["finance"], defection=row, reason="price")
    row.refresh_from_db()
    assert (row.reason, row.reason_note, row.reason_by) == ("", "", None)
    services.defection_reason_set(by=users["owner"], defection=row, reason="competitor", note="对手便宜5%")
    row.refresh_from_db()
    assert (row.reason, row.reason_note, row.reason_by) == ("competitor", "对手便宜5%", users["owner"])


@rule("WIN-1")
def test_win1_the_owner_sees_at_risk_customers_to_call_on_the_daily_plan(users, customer):
    quiet(by=users["finance"], customer=customer, every=10, times=4, since=16)
    services.defections_daily()
    items = registrations.at_risk_due(users["owner"], timezone.localdate())
    assert [(i.kind, i.customer_id) for i in items] == [("at_risk", customer.pk)]
    assert registrations.at_risk_due(users["teammate"], timezone.localdate()) == []
    row = Defection.objects.get()
    services.win_back_attempt_record(by=users["owner"], defection=row, channel="phone")
    assert registrations.at_risk_due(users["owner"], timezone.localdate()) == []  # called this week
