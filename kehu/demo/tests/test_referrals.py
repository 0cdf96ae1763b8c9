"""The demo's referrals and pool (REF-1 … REF-3, CUS-7): referrals waiting, contacted, won, lost and
thanked; the nightly pool move already run once, so the pool has customers and a second run
moves none."""

import pytest

from conftest import rule
from kehu.customers.models import Customer
from kehu.demo.generate import generate
from kehu.loyalty.models import Referral
from kehu.loyalty.services import pool_nightly

pytestmark = pytest.mark.django_db


@rule("REF-3")
@rule("CUS-7")
def test_the_demo_has_referrals_in_every_state_and_a_pool_the_worker_has_filled():
    made = generate(customers=400, seed=5)
    referrals = Referral.objects.all()
    assert made["referrals"] == referrals.count() > 0
    assert set(referrals.values_list("outcome", flat=True)) == set(Referral.Outcome.values)
    # One referred prospect waits in the pool, not contacted (CUS-7, REF-1).
    assert referrals.filter(referred__in_pool=True, referred__touches__isnull=True).exists()
    assert made["referrals_thanked"] == referrals.filter(thank_touch__isnull=False).count() > 0
    # Every thank-you is a touch with the referrer (REF-2); no one is thanked before the outcome is known.
    assert not referrals.filter(thank_touch__isnull=False, outcome=Referral.Outcome.PENDING).exists()
    for referral in referrals.filter(thank_touch__isnull=False):
        assert referral.thank_touch.customer_id == referral.referrer_id
    assert made["pool"] == Customer.objects.filter(in_pool=True).count() > 0
    assert not Customer.objects.filter(in_pool=True, owner__isnull=False).exists()
    assert pool_nightly() == {"told": 0, "moved": 0}  # the demo's night has passed: nothing more to do
