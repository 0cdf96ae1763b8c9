"""Referral conversion and the ambassador list (REF-3): per referrer and per salesperson, the
referrals of the period, how many became customers and what the referred customers bought."""

from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import rule
from kehu.loyalty import selectors, services
from kehu.loyalty.tests.builders import referral
from kehu.sales.tests.builders import confirmed_order

pytestmark = pytest.mark.usefixtures("in_english")


@pytest.fixture
def referrals(users, customer, outsider_customer, product):
    won = referral(by=users["owner"], referrer=customer, name="成交的新客户")
    services.referral_outcome(by=users["owner"], referral=won, outcome="won")
    confirmed_order(customer=won.referred, product=product, quantity=3)  # ¥300
    confirmed_order(customer=won.referred, product=product, quantity=2)  # ¥200
    lost = referral(by=users["owner"], referrer=customer, name="未成交的新客户")
    services.referral_outcome(by=users["owner"], referral=lost, outcome="lost")
    referral(by=users["outsider"], referrer=outsider_customer, name="杭州介绍的新客户")
    return won


@rule("REF-3")
def test_ref3_the_conversion_per_referrer_counts_the_won_and_what_they_bought(users, customer, referrals):
    today = timezone.localdate()
    rows = selectors.referral_conversion(users["gm"], start=today, end=today)
    shanghai = next(r for r in rows if r.key == customer.pk)
    assert (shanghai.referrals, shanghai.won, shanghai.rate, shanghai.value) == (2, 1, Decimal("50.0"),
                                                                              Decimal("500.00"))
    assert rows[0] == shanghai  # the best ambassador first
    total = selectors.conversion_total(rows)
    assert (total.referrals, total.won, total.value) == (3, 1, Decimal("500.00"))
    own = selectors.referral_conversion(users["owner"], start=today, end=today, by="owner")
    assert [(r.name, r.referrals, r.won) for r in own] == [("张伟", 2, 1)]  # only their scope
    assert selectors.referral_conversion(users["gm"], start=today.replace(year=today.year - 1),
                                         end=today.replace(year=today.year - 1)) == []


@rule("REF-3")
def test_ref3_the_ambassador_page_exports_and_the_endpoint_answers(users, customer, referrals, en, client_for):
    client = en(users["director"])
    page = client.get("/loyalty/ambassadors/").content.decode()
    assert customer.name in page and "50.0" in page and "500.00" in page
    assert "“from” ignored" in client.get("/loyalty/ambassadors/", {"start": "soon"}).content.decode()
    export = client.get("/loyalty/ambassadors/export.xlsx", {"by": "owner"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    api = client_for(users["owner"])
    answer = api.get("/api/v1/referral-conversion/").json()
    assert answer["total"]["won"] == 1 and answer["rows"][0]["rate"] == "50.0"
    assert api.get("/api/v1/referral-conversion/", {"start": "2026-02-01", "end": "2026-01-01"}).status_code == 400
