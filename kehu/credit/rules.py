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


# --- discounts below the list price (ORD-1) ----------------------------------------------------------------

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class PricedLine:
    """What the discount rule reads of an order line."""

    number: int  # the line's position on the order, from 1
    product: str  # code and name, as the order shows it
    list_price: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    floor_price: Decimal | None = None

    @property
    def net_price(self) -> Decimal:
        """The unit price after the line's discount."""
        return self.unit_price * (HUNDRED - self.discount_pct) / HUNDRED

    @property
    def below_list_pct(self) -> Decimal:
        """How far the net unit price is below the product's list price, in percent (2 places);
        0 for a product without a list price or a line above it."""
        if self.list_price <= 0 or self.net_price >= self.list_price:
            return Decimal("0.00")
        return ((self.list_price - self.net_price) * HUNDRED / self.list_price).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class DiscountExcess:
    """A line priced beyond what its confirmer may give: deeper than `allowed_pct` below the
    list price, or below the product's floor price."""

    line: PricedLine
    allowed_pct: Decimal | None  # None: the role is not limited
    below_floor: bool

    @property
    def over_allowance(self) -> bool:
        return self.allowed_pct is not None and self.line.below_list_pct > self.allowed_pct


def discount_excesses(lines: list[PricedLine], *, allowed_pct: Decimal | None) -> list[DiscountExcess]:
    """ORD-1: the lines a person allowed `allowed_pct` below list price (None: any) may not
    confirm on their own: deeper than that, or below the product's floor price."""
    found = []
    for line in lines:
        over = allowed_pct is not None and line.list_price > 0 and \
            line.net_price < line.list_price * (HUNDRED - allowed_pct) / HUNDRED
        below_floor = line.floor_price is not None and line.net_price < line.floor_price
        if over or below_floor:
            found.append(DiscountExcess(line=line, allowed_pct=allowed_pct, below_floor=below_floor))
    return found


def deepest_discount(excesses: list[DiscountExcess]) -> Decimal:
    return max((e.line.below_list_pct for e in excesses), default=Decimal("0.00"))


def discount_signing_level(*, deepest: Decimal, requester_role: str, allowances: dict[str, Decimal]) -> str:
    """ORD-1, CRD-2: the one level that signs a discount approval: the first level of the chain
    above the requester whose own allowance (`allowances` by role; a role without one is not
    limited) covers the deepest discount. A price below a floor needs a level above the
    requester, whatever their allowance."""
    first = signing_levels(top=0, requester_role=requester_role)[0]
    for level in CHAIN[CHAIN.index(first):]:
        allowed = allowances.get(str(LEVEL_ROLE[level]))
        if allowed is None or allowed >= deepest:
            return str(level)
    return str(CHAIN[-1])
