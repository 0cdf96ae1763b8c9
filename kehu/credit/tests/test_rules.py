"""The pure rule of CRD-4: which grade a customer's payment behaviour fits."""

from decimal import Decimal

import pytest
from django.utils import translation

from conftest import rule
from kehu.credit.models import CreditCard, CreditPolicy
from kehu.credit.rules import grade_fit

pytestmark = pytest.mark.django_db


def fit(**kw):
    policy = CreditPolicy.current()
    args = {"grade": "A", "limit": policy.limit_for_grade("A"), "overdue_days": 0, "broken_promises": 0,
            "card": None} | kw
    return policy, grade_fit(policy=policy, **args)


@rule("CRD-4")
def test_it_keeps_the_grade_of_a_customer_who_pays_on_time():
    policy, result = fit()
    assert (result.fitting_grade, result.proposed_limit, result.reasons) == ("A", policy.limit_for_grade("A"), [])


@rule("CRD-4")
def test_it_lowers_the_grade_one_step_for_late_days_or_broken_promises():
    with translation.override("en"):
        policy, late = fit(overdue_days=policy_days() + 1)
    assert late.fitting_grade == "B" and late.proposed_limit == policy.limit_for_grade("B")
    assert late.reasons == [f"{policy_days() + 1} days overdue"]
    _policy, broken = fit(grade="B", limit=Decimal("1"), broken_promises=policy.broken_promises_warning)
    assert (broken.fitting_grade, broken.proposed_limit) == ("C", Decimal("1"))  # never above today's limit


@rule("CRD-4")
def test_it_drops_to_grade_c_for_very_late_payers_or_a_difficult_attitude():
    _policy, very_late = fit(overdue_days=2 * policy_days() + 1)
    assert very_late.fitting_grade == "C"
    card = CreditCard(payment_attitude=CreditCard.PaymentAttitude.DIFFICULT)
    _policy, difficult = fit(card=card)
    assert difficult.fitting_grade == "C" and len(difficult.reasons) == 1


def policy_days() -> int:
    return CreditPolicy.current().late_days_warning
