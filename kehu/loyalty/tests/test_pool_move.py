"""The nightly pool move (CUS-7): a customer nobody touched or sold to for the days of its grade
returns to the pool, its owner told a few days before; key accounts and customers with open
receivables never drop; a second run moves nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from conftest import rule
from kehu.customers import services as customers
from kehu.customers.models import Customer, CustomerEvent, PoolPolicy
from kehu.customers.tests.builders import new_customer, owned_for
from kehu.loyalty import registrations, services, tasks
from kehu.receivables.tests.builders import invoiced_order
from kehu.relations.tests.builders import touch
from kehu.reminders.models import Reminder

pytestmark = pytest.mark.usefixtures("in_english", "c_after_30_days")


@pytest.fixture
def c_after_30_days(db):
    """These tests' company lets a C customer go after 30 days (the default is 240)."""
    policy = PoolPolicy.current()
    policy.days_c = 30
    policy.save()


@rule("CUS-7")
@rule("REL-1")
def test_cus7_by_default_a_customer_contacted_as_its_cadence_asks_never_drops(users, customer):
    """The default days of each grade exceed its contact cadence (REL-1), and by its notice days:
    a salesperson who keeps the cadence never sees a customer announced or dropped."""
    from kehu.relations.models import CadencePolicy

    pool, cadence = PoolPolicy(), CadencePolicy()  # the defaults, as a new company has them
    PoolPolicy.objects.update(days_a=pool.days_a, days_b=pool.days_b, days_c=pool.days_c)
    for grade in ("A", "B", "C"):
        assert pool.days(grade) > cadence.interval(grade) + pool.notice_days
        kept = owned_for(new_customer(by=users["owner"], name=f"按时联系的{grade}级店", grade=grade), days=400)
        touch(by=users["owner"], customer=kept, days_ago=cadence.interval(grade))
    assert services.pool_nightly() == {"told": 0, "moved": 0}


def in_pool() -> set[str]:
    return set(Customer.objects.filter(in_pool=True).values_list("name", flat=True))


@rule("CUS-7")
def test_cus7_a_customer_quiet_for_the_days_of_its_grade_drops_and_a_second_run_moves_nothing(users, customer):
    owned_for(customer, days=31)  # grade C: 30 days
    grade_a = owned_for(new_customer(by=users["owner"], name="甲级批发商", grade="A"), days=31)  # 90 days
    touched = owned_for(new_customer(by=users["owner"], name="上周拜访过的店"), days=100)
    touch(by=users["owner"], customer=touched, days_ago=7)
    assert services.pool_nightly()["moved"] == 1
    assert in_pool() == {customer.name}
    customer.refresh_from_db()
    assert customer.owner is None and customer.pooled_at is not None
    event = CustomerEvent.objects.get(customer=customer, kind="pool_dropped")
    assert "张伟" in event.message and "no touch or sale" in event.message
    assert services.pool_nightly()["moved"] == 0  # twice in a row: nothing more
    assert CustomerEvent.objects.filter(kind="pool_dropped").count() == 1
    grade_a.refresh_from_db()
    assert grade_a.owner == users["owner"]


@rule("CUS-7")
def test_cus7_a_key_account_or_a_customer_with_open_receivables_never_drops(users, customer, product):
    owing = new_customer(by=users["owner"], name="欠款未清的店")
    invoiced_order(customer=owing, product=product, quantity=1, days_ago=200)
    key = new_customer(by=users["owner"], name="全国大客户")
    customers.key_account_set(by=users["director"], customer=key, tier="NKA")
    for quiet in (owing, key):
        Customer.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - timedelta(days=400),
                                                    owned_since=timezone.now() - timedelta(days=400))
    services.pool_nightly(today=timezone.localdate() + timedelta(days=365))
    assert in_pool() == {customer.name}  # the quiet one without either drops
    assert Customer.objects.get(pk=owing.pk).owner == users["owner"]


@rule("CUS-7")
def test_cus7_a_sale_keeps_the_customer_and_a_claimed_one_starts_its_days_anew(users, customer, product):
    invoiced = invoiced_order(customer=customer, product=product, quantity=1, days_ago=10)
    from kehu.receivables.tests.builders import new_payment

    new_payment(customer=customer, amount=invoiced.amount, by=users["finance"])  # owes nothing now
    owned_for(customer, days=60)
    assert services.pool_nightly()["moved"] == 0  # sold to 10 days ago
    assert services.pool_nightly(today=timezone.localdate() + timedelta(days=25))["moved"] == 1
    customers.pool_claim(by=users["teammate"], customer_id=customer.pk)
    assert services.pool_nightly(today=timezone.localdate() + timedelta(days=25))["moved"] == 0


@rule("CUS-7")
def test_cus7_the_owner_is_told_once_a_few_days_before_and_sees_it_on_the_daily_plan(users, customer):
    owned_for(customer, days=25)  # drops at 30 days: in 5 days, within the 7 days' notice
    policy = PoolPolicy.current()
    assert services.pool_nightly() == {"told": 1, "moved": 0}
    assert services.pool_nightly() == {"told": 0, "moved": 0}  # told once
    reminder = Reminder.objects.get(recipient=users["owner"], kind="pool_notice")
    drops_on = timezone.localdate() + timedelta(days=5)
    assert customer.name in reminder.title and drops_on.isoformat() in reminder.title
    assert reminder.url == f"/customers/{customer.pk}/"
    assert CustomerEvent.objects.filter(customer=customer, kind="pool_notice").count() == 1
    items = registrations.pool_notices_due(users["owner"], timezone.localdate())
    assert [(i.customer_id, i.due_on) for i in items] == [(customer.pk, drops_on)]
    assert registrations.pool_notices_due(users["teammate"], timezone.localdate()) == []
    policy.notice_days = 3
    policy.save()
    assert services.pool_nightly() == {"told": 0, "moved": 0}  # 5 days ahead: not yet within 3


@rule("CUS-7")
@pytest.mark.django_db(transaction=True)
def test_cus7_the_worker_runs_the_nightly_move_and_a_second_run_moves_nothing(users, customer, consumer):
    owned_for(customer, days=45)
    assert tasks.pool_move().get(blocking=True, timeout=60) == {"told": 0, "moved": 1}
    assert tasks.pool_move().get(blocking=True, timeout=60) == {"told": 0, "moved": 0}
    assert in_pool() == {customer.name}


@rule("CUS-7")
def test_cus7_the_pool_move_is_scheduled_nightly_on_kehus_clock():
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from django.conf import settings

    night = datetime.combine(date(2027, 1, 4), time(1, 30), tzinfo=ZoneInfo(settings.TIME_ZONE))

    def huey_clock(moment):  # the naive moment Huey's scheduler reads
        return moment.astimezone(ZoneInfo("UTC") if HUEY.utc else None).replace(tzinfo=None)

    assert "pool_move_nightly" in [t.name for t in HUEY.read_periodic(huey_clock(night))]
    for other in (night + timedelta(minutes=1), night + timedelta(hours=8)):
        assert "pool_move_nightly" not in [t.name for t in HUEY.read_periodic(huey_clock(other))]
