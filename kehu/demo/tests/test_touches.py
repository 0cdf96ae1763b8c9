"""The demo's touches (REL-1, REL-2): each owned, active customer contacted about as its grade
asks, a few let slip, so the due list, the plan and the customer list's 最后联系 show something."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from kehu.accounts.models import User
from kehu.demo.generate import generate
from kehu.relations import selectors
from kehu.relations.models import Touch

pytestmark = pytest.mark.django_db


@pytest.mark.rule("REL-2")
def referred():
    from kehu.loyalty.models import Referral

    return Referral.objects.values("referred")


def test_the_demo_writes_touches_that_the_services_would_accept():
    made = generate(customers=120, seed=11)
    today = timezone.localdate()
    # The year of touches, then the referred prospects' first calls and the referrers' thank-yous (REF-2).
    from kehu.loyalty.models import Referral

    thanks = Referral.objects.filter(thank_touch__isnull=False).values("thank_touch")
    assert made["touches"] == Touch.objects.exclude(customer__in=referred()).exclude(pk__in=thanks).count() > 120
    assert not Touch.objects.filter(on__gt=today).exists()
    assert not Touch.objects.filter(next_step_on__lt=F("on")).exists()
    assert not Touch.objects.filter(customer__in_pool=False).exclude(by=F("customer__owner")).exists()
    sales1 = User.objects.get(username="sales1")
    rows = selectors.due_customers(sales1, today=today, include_ok=True)
    assert rows and any(r.status == "ok" for r in rows) and any(r.status == "overdue" for r in rows)


@pytest.mark.rule("REL-5")
def test_the_demo_writes_a_year_of_market_information_read_and_acted_on_by_the_offices():
    from django.db.models import Q

    from kehu.relations.models import MarketReport

    made = generate(customers=120, seed=12)
    today = timezone.localdate()
    assert made["market_reports"] == MarketReport.objects.count() > 12
    assert Touch.objects.filter(on__lt=today - timedelta(days=200)).exists()  # a year of touches
    assert MarketReport.objects.filter(created_at__date__lt=today - timedelta(days=300)).exists()
    assert not MarketReport.objects.exclude(office=F("by__office")).exists()
    assert not MarketReport.objects.filter(Q(acted_at__isnull=False, read_at__isnull=True)).exists()
    statuses = {r.status for r in MarketReport.objects.all()}
    assert statuses == {"new", "read", "acted"}
    # The director of sales1's office sees their reports and counts them.
    director = User.objects.get(username="director1")
    rows, total = selectors.market_counts(director, start=today - timedelta(days=365), end=today)
    assert total.total > 0 and any(r.by_id == User.objects.get(username="sales1").pk for r in rows)


@pytest.mark.rule("REL-6")
def test_rel6_rel7_the_demo_writes_a_year_of_dealer_checks_and_this_years_support_plans():
    from kehu.relations.models import DealerCheck, SupportItem, SupportPlan

    made = generate(customers=120, seed=13)
    today = timezone.localdate()
    assert made["dealer_checks"] == DealerCheck.objects.count() > 12
    assert not DealerCheck.objects.filter(customer__in_pool=False).exclude(by=F("customer__owner")).exists()
    assert not DealerCheck.objects.filter(month__gt=today.replace(day=1)).exists()
    assert DealerCheck.objects.filter(month__lte=today.replace(day=1) - timedelta(days=300)).exists()
    assert made["support_plans"] == SupportPlan.objects.filter(year=today.year).count() > 0
    assert SupportItem.objects.exists() and not SupportItem.objects.filter(done_on__gt=today).exists()
    assert not SupportItem.objects.filter(done_on__isnull=False, done_by__isnull=True).exists()


@pytest.mark.rule("REL-3")
def test_the_demo_writes_family_occasions_one_of_each_salesperson_soon_to_be_greeted():
    from kehu.relations.greetings import occasions
    from kehu.relations.models import FamilyOccasion

    made = generate(customers=120, seed=14)
    today = timezone.localdate()
    assert made["family_occasions"] == FamilyOccasion.objects.count() > 0
    assert not FamilyOccasion.objects.exclude(created_by=F("key_person__customer__owner")).exists()
    assert not FamilyOccasion.objects.filter(yearly=False, on__lt=today).exists()
    sales1 = User.objects.get(username="sales1")
    assert "family" in {o.kind for o in occasions(user=sales1, today=today, days_before=7)}
