"""Pure rules of credit, without the database: which levels sign a request (CRD-2: never
the requester), and which grade a customer's payment behaviour fits (CRD-4: low credit →
smaller deals, high credit → larger deals)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from kehu.credit.models import CHAIN, LEVEL_ROLE, CreditCard
from kehu.customers.models import Grade

# One grade down for behaviour that no longer fits.
GRADE_DOWN = {Grade.A: Grade.B, Grade.B: Grade.C, Grade.C: Grade.C}


def signing_levels(*, top: int, requester_role: str) -> list[str]:
    """CRD-2: the levels that sign a request whose amount reaches the level CHAIN[top], asked by
    a user of `requester_role`. The requester never signs: a request of someone who signs for a
    level of the chain goes to the levels above theirs, at least the next one up; the general
    manager's own request goes to the top level, where someone else signs it (the second
    signer, or another general manager)."""
    own = next((i for i, level in enumerate(CHAIN) if LEVEL_ROLE[level] == requester_role), None)
    first = 0 if own is None else min(own + 1, len(CHAIN) - 1)
    return [str(level) for level in CHAIN[first:max(top, first) + 1]]


@dataclass(frozen=True)
class GradeFit:
    fitting_grade: str
    proposed_limit: Decimal
    reasons: list[str]


def grade_fit(*, policy, grade: str, limit: Decimal, overdue_days: int, broken_promises: int,
              card: CreditCard | None) -> GradeFit:
    """CRD-4: the grade a customer's behaviour fits — days late, broken promises, the payment
    attitude on its credit card — and the limit that grade proposes (never more than today's)."""
    attitude = card.payment_attitude if card else ""
    days, broken = overdue_days, broken_promises
    reasons, fitting = [], grade
    if days > 2 * policy.late_days_warning or attitude == CreditCard.PaymentAttitude.DIFFICULT:
        fitting = Grade.C
    elif days > policy.late_days_warning or broken >= policy.broken_promises_warning \
            or attitude == CreditCard.PaymentAttitude.DELAYS:
        fitting = GRADE_DOWN[grade]
    if days > policy.late_days_warning:
        reasons.append(_("%(days)d days overdue") % {"days": days})
    if broken >= policy.broken_promises_warning:
        reasons.append(_("%(count)d broken promises") % {"count": broken})
    if attitude in (CreditCard.PaymentAttitude.DELAYS, CreditCard.PaymentAttitude.DIFFICULT):
        reasons.append(_("payment attitude: %(attitude)s") % {"attitude": card.get_payment_attitude_display()})
    proposed = min(limit, policy.limit_for_grade(fitting))
    if limit > policy.limit_for_grade(grade):
        reasons.append(_("limit above what grade %(grade)s proposes") % {"grade": grade})
    return GradeFit(fitting_grade=fitting, proposed_limit=proposed, reasons=reasons)


def brand_shares(rows: list[dict]) -> list[dict]:
    """CRD-1: each brand's share 比重 of the card's monthly sales, from the rows' monthly amounts
    (one decimal place, as a string; empty for a row without an amount or when nothing sells).
    Never typed: the service stores it and the pages show it from the amounts."""
    def amount(row):
        try:
            value = Decimal(str(row.get("monthly_sales") or ""))
        except (ArithmeticError, ValueError):
            return None
        return value if value.is_finite() and value >= 0 else None

    total = sum((amount(row) or Decimal("0") for row in rows), Decimal("0"))
    shared = []
    for row in rows:
        value = amount(row)
        share = "" if value is None or not total else str((value * 100 / total).quantize(Decimal("0.1")))
        shared.append({**row, "share": share})
    return shared
