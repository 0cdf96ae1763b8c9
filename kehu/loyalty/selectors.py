"""Reads of loyalty work that need what several lower apps record (CUS-7): whether a customer
was touched (relations), sold to (sales) or still owes money (receivables). Customers cannot
read these — the apps sit above it — so the nightly pool move decides here and moves through
kehu.customers.services."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.selectors import name_fields
from kehu.core.access import get_for_user
from kehu.core.periods import add_months
from kehu.core.scopes import scope_queryset
from kehu.customers.models import Customer, Grade, PoolPolicy
from kehu.loyalty.models import Defection, Referral, WinBackAttempt, WinBackPolicy
from kehu.receivables.models import Invoice
from kehu.relations.models import Touch
from kehu.sales.models import Order

# Orders that count as a sale: a draft is not one yet, a cancelled one no more.
NOT_A_SALE = (Order.Status.DRAFT, Order.Status.CANCELLED)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def owned_customers() -> QuerySet[Customer]:
    """Customers that may drop (CUS-7): owned, not in the pool, not a key account, owing nothing."""
    open_receivable = Invoice.objects.filter(customer=OuterRef("pk"), open_amount__gt=0)
    return (Customer.objects.filter(in_pool=False, owner__isnull=False, key_account="")
            .exclude(Exists(open_receivable))
            .annotate(since=Coalesce("owned_since", "created_at", output_field=DateTimeField())))


def quiet_since(qs: QuerySet[Customer], cutoff: date) -> QuerySet[Customer]:
    """Those of `qs` neither owned from, touched on nor sold to on or after `cutoff`."""
    touched = Touch.objects.filter(customer=OuterRef("pk"), on__gte=cutoff)
    sold = Order.objects.filter(customer=OuterRef("pk"), ordered_on__gte=cutoff).exclude(status__in=NOT_A_SALE)
    return qs.filter(since__lt=_start_of(cutoff)).exclude(Exists(touched)).exclude(Exists(sold))


def pool_due(*, today: date, policy: PoolPolicy | None = None) -> list[int]:
    """The ids of the customers that return to the pool today: no touch or sale for the days of
    their grade."""
    policy = policy or PoolPolicy.current()
    ids: list[int] = []
    for grade in Grade.values:
        cutoff = today - timedelta(days=policy.days(grade))
        ids += quiet_since(owned_customers().filter(grade=grade), cutoff).values_list("pk", flat=True)
    return sorted(ids)


@dataclass(frozen=True)
class Notice:
    customer: Customer
    drops_on: date


def pool_notices(*, today: date, policy: PoolPolicy | None = None, owner_id: int | None = None) -> list[Notice]:
    """The customers (of `owner_id`, when given) that drop within the notice days (not today),
    each with the day it drops unless someone touches or sells to it first."""
    policy = policy or PoolPolicy.current()
    if not policy.notice_days:
        return []
    last_touch = Subquery(Touch.objects.filter(customer=OuterRef("pk")).order_by("-on").values("on")[:1])
    last_sale = Subquery(Order.objects.filter(customer=OuterRef("pk")).exclude(status__in=NOT_A_SALE).order_by()
                         .values("customer").annotate(last=Max("ordered_on")).values("last")[:1])
    notices = []
    if owner_id is not None:
        # One salesperson's customers (the daily plan): a couple of hundred rows read once, the
        # grades told apart here, rather than three queries that may walk the grade index.
        batches = [owned_customers().filter(owner_id=owner_id)]
    else:  # the nightly run: only those of each grade quiet long enough to be near their day
        batches = [quiet_since(owned_customers().filter(grade=grade),
                               today - timedelta(days=policy.days(grade) - policy.notice_days))
                   for grade in Grade.values]
    for qs in batches:
        rows = qs.select_related("owner").only("code", "name", "grade", "created_at", "owned_since", "owner")
        for customer in rows.annotate(last_touch=last_touch, last_sale=last_sale):
            last = max(filter(None, [timezone.localdate(customer.since), customer.last_touch, customer.last_sale]))
            drops_on = last + timedelta(days=policy.days(customer.grade))
            # Those that drop today are the move's, not a notice's; those further off than the
            # notice days are not told yet.
            if today <= drops_on < today + timedelta(days=policy.notice_days):
                notices.append(Notice(customer=customer, drops_on=drops_on))
    return notices


def pool_notices_for(user, *, today: date) -> list[Notice]:
    """The user's own customers about to drop (the daily plan)."""
    return pool_notices(today=today, owner_id=user.pk)


# --- referrals (REF-1 … REF-3) ----------------------------------------------------------------------------------

REFERRAL_LIST = "referrals"  # the name writers report changes under (core.pagination.lists_changed)
REFERRAL_SCOPE = {"owner_field": "referred__owner", "office_field": "referred__office"}


def _contacted():
    """A touch with the referred prospect logged since it was referred (REF-1)."""
    return Exists(Touch.objects.filter(customer=OuterRef("referred"), created_at__gte=OuterRef("created_at")))


def referrals_visible_to(user) -> QuerySet:
    """Referrals whose referred prospect is in the user's scope, each with `contacted`."""
    qs = Referral.objects.select_related("referrer", "referred", "referred__owner", "referrer_person",
                                         "thank_touch").annotate(contacted=_contacted())
    return scope_queryset(qs, user, **REFERRAL_SCOPE)


def referral_get_for_user(*, user, pk):
    return get_for_user(referrals_visible_to(user), pk, user=user, not_found=_("No such referral in your scope."))


def referrals_to_flag(*, now: datetime, hours: int) -> QuerySet:
    """REF-1: pending referrals older than `hours`, not contacted and not flagged yet."""
    return (Referral.objects.filter(flagged_at__isnull=True, outcome=Referral.Outcome.PENDING,
                                    created_at__lte=now - timedelta(hours=hours))
            .annotate(contacted=_contacted()).filter(contacted=False).order_by("pk"))


def referrals_due_for(user, *, day: date) -> tuple[list, list]:
    """The user's daily plan (REF-1, REF-2): referred prospects of theirs not contacted yet, and
    referrers of theirs to tell the outcome and thank — with those contacted or thanked on
    `day`, which the plan shows done."""
    base = Referral.objects.select_related("referrer", "referred").annotate(contacted=_contacted())
    contacted_before = Exists(Touch.objects.filter(customer=OuterRef("referred"), created_at__gte=OuterRef("created_at"),
                                                   on__lt=day))
    # Not contacted before `day`: to contact, or contacted on it (done).
    to_contact = list(base.filter(referred__owner=user, outcome=Referral.Outcome.PENDING)
                      .exclude(contacted_before))
    to_thank = list(base.filter(Q(thank_touch__isnull=True) | Q(thank_touch__on=day), referrer__owner=user)
                    .exclude(outcome=Referral.Outcome.PENDING).select_related("thank_touch"))
    return to_contact, to_thank


def referrals_of(customer, *, limit: int) -> list:
    """The referrals a customer made or came by (the timeline)."""
    return list(Referral.objects.filter(Q(referrer=customer) | Q(referred=customer))
                .select_related("referrer", "referred", "created_by").order_by("-created_at")[:limit])


def referral_list_rows() -> QuerySet:
    """The referral list's columns; callers restrict it to ids already scoped."""
    return (Referral.objects.select_related("referrer", "referred", "referred__owner", "referrer_person", "thank_touch")
            .annotate(contacted=_contacted()))


# --- conversion and ambassadors (REF-3) -------------------------------------------------------------------------

@dataclass(frozen=True)
class ConversionRow:
    key: int | None
    name: str
    referrals: int
    won: int
    value: Decimal  # what the referred customers bought (orders confirmed or later)

    @property
    def rate(self) -> Decimal | None:
        """Won ÷ referrals in per cent, to one place; None without referrals."""
        if not self.referrals:
            return None
        return (Decimal(self.won) * 100 / self.referrals).quantize(Decimal("0.1"))


CONVERSION_GROUPS = {"referrer": ("referrer_id", "referrer__name"), "owner": ("referred__owner_id", None)}


def referral_conversion(user, *, start: date, end: date, by: str = "referrer") -> list[ConversionRow]:
    """REF-3: per referrer (the ambassador list) or per salesperson, the referrals made in the
    period, how many became customers and what the referred customers bought; best first."""
    key, name = CONVERSION_GROUPS[by]
    qs = referrals_visible_to(user).filter(created_at__gte=_start_of(start),
                                           created_at__lt=_start_of(end + timedelta(days=1)))
    sale = Q(referred__orders__status__in=[s for s in Order.Status.values if s not in NOT_A_SALE])
    fields = [key] + ([name] if name else ["referred__owner__first_name", "referred__owner__last_name",
                                           "referred__owner__username"])
    grouped = (qs.order_by().values(*fields)
               .annotate(n=Count("id", distinct=True), won=Count("id", distinct=True, filter=Q(outcome="won")),
                         value=Sum("referred__orders__total", filter=sale)))
    rows = []
    for g in grouped:
        if name:
            label = g[name]
        elif g[key] is None:
            label = _("in the pool")
        else:
            label = (f"{g['referred__owner__last_name']}{g['referred__owner__first_name']}"
                     or g["referred__owner__username"])
        rows.append(ConversionRow(key=g[key], name=label, referrals=g["n"], won=g["won"],
                                  value=g["value"] or Decimal("0.00")))
    return sorted(rows, key=lambda r: (-r.won, -r.value, r.name))


def conversion_total(rows: list[ConversionRow]) -> ConversionRow:
    return ConversionRow(key=None, name=_("Total"), referrals=sum(r.referrals for r in rows),
                         won=sum(r.won for r in rows), value=sum((r.value for r in rows), Decimal("0.00")))


# --- lost customers and win-back (WIN-1, WIN-2) -------------------------------------------------------------------

DEFECTION_LIST = "defections"  # the name writers report changes under (core.pagination.lists_changed)
DEFECTION_SCOPE = {"owner_field": "customer__owner", "office_field": "customer__office"}
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class PurchaseHistory:
    """One customer's purchases (invoices) as the daily run reads them: how many purchase days,
    the first and the last."""

    customer_id: int
    grade: str
    owner_id: int | None
    days: int
    first: date
    last: date

    def expected_days(self, policy: WinBackPolicy) -> int:
        """WIN-1: the mean gap between the customer's purchase days, or its grade's default with
        fewer than the policy's purchases."""
        if self.days < policy.min_purchases:
            return policy.default_interval(self.grade)
        return max(1, round((self.last - self.first).days / (self.days - 1)))

    def state_on(self, today: date, policy: WinBackPolicy) -> tuple[str | None, int]:
        """(at_risk / lost / None, the expected interval) on `today`."""
        expected = self.expected_days(policy)
        quiet = (today - self.last).days
        if quiet > policy.lost_factor * expected:
            return Defection.State.LOST, expected
        if quiet > policy.at_risk_factor * expected:
            return Defection.State.AT_RISK, expected
        return None, expected


def purchase_histories() -> Iterator[PurchaseHistory]:
    """Every customer that ever bought: one GROUP BY over the invoices (WIN-1), streamed."""
    rows = (Invoice.objects.order_by().values("customer_id", "customer__grade", "customer__owner_id")
            .annotate(days=Count("issued_on", distinct=True), first=Min("issued_on"), last=Max("issued_on"))
            .values_list("customer_id", "customer__grade", "customer__owner_id", "days", "first", "last"))
    for row in rows.iterator(chunk_size=5000):
        yield PurchaseHistory(*row)


def year_before_last_purchase():
    """What the defection's customer bought in the year up to its last purchase (SAT-3's yearly
    value, the lost value of WIN-2): a subquery for one UPDATE of every open row."""
    window_start = Cast(ExpressionWrapper(OuterRef("last_purchase_on") - YEAR, output_field=DateTimeField()),
                        DateField())
    bought = (Invoice.objects.filter(customer=OuterRef("customer_id"), issued_on__gt=window_start,
                                     issued_on__lte=OuterRef("last_purchase_on"))
              .order_by().values("customer").annotate(total=Sum("amount")).values("total")[:1])
    return Coalesce(Subquery(bought), Value(Decimal("0.00")), output_field=DecimalField(max_digits=14,
                                                                                            decimal_places=2))


def defections_visible_to(user) -> QuerySet[Defection]:
    """Lost and at-risk customers (and those won back) in the user's scope."""
    qs = Defection.objects.select_related("customer", "customer__owner", "reason_by", "won_by")
    return scope_queryset(qs, user, **DEFECTION_SCOPE)


def defection_get_for_user(*, user, pk) -> Defection:
    return get_for_user(defections_visible_to(user), pk, user=user,
                        not_found=_("No such lost or at-risk customer in your scope."))


def defection_list_rows() -> QuerySet[Defection]:
    """The columns of the list's rows, with the number of attempts and the last one's day; callers
    restrict it to ids already scoped."""
    return (Defection.objects.select_related("customer", "customer__owner")
            .only("customer__name", "customer__code", "customer__grade", *name_fields("customer__owner"),
                  "state", "at_risk_on", "lost_on", "ended_on", "expected_days", "last_purchase_on", "lost_value",
                  "reason", "reason_note")
            .annotate(attempt_count=Count("attempts"), last_attempt_on=Max("attempts__on")))


def open_defection_of(customer) -> Defection | None:
    return (Defection.objects.filter(customer=customer, state__in=Defection.OPEN)
            .annotate(attempt_count=Count("attempts")).first())


def attempts_of(defection, *, limit: int = 20) -> list[WinBackAttempt]:
    return list(defection.attempts.select_related("by").order_by("-on", "-id")[:limit])


def customer_attempts(customer, *, limit: int) -> list[WinBackAttempt]:
    """A customer's win-back attempts, newest first (the timeline)."""
    return list(WinBackAttempt.objects.filter(defection__customer=customer).select_related("by")
                .order_by("-created_at", "-id")[:limit])


def to_call_for(user, *, day: date) -> list[Defection]:
    """The daily plan (WIN-2): open defections of the user's customers with no attempt in the
    week before `day`, largest lost value first."""
    week_ago = day - timedelta(days=7)
    recent = WinBackAttempt.objects.filter(defection=OuterRef("pk"), on__gt=week_ago)
    return list(Defection.objects.filter(customer__owner=user, state__in=Defection.OPEN)
                .exclude(Exists(recent)).select_related("customer").order_by("-lost_value", "id")[:50])


@dataclass(frozen=True)
class WinBackMonth:
    month: date
    lost: int
    lost_value: Decimal
    won: int
    won_value: Decimal


def win_back_by_month(user, *, start: date, end: date) -> list[WinBackMonth]:
    """WIN-2: per month of the period, the customers lost (and their yearly value) and those won
    back (and the value regained), in the user's scope: two GROUP BY queries."""
    seen = defections_visible_to(user).order_by()
    lost = {r["month"]: r for r in seen.filter(lost_on__gte=start, lost_on__lte=end)
            .annotate(month=TruncMonth("lost_on")).values("month")
            .annotate(n=Count("pk"), value=Sum("lost_value"))}
    won = {r["month"]: r for r in seen.filter(state=Defection.State.WON_BACK, ended_on__gte=start, ended_on__lte=end)
           .annotate(month=TruncMonth("ended_on")).values("month")
           .annotate(n=Count("pk"), value=Sum("lost_value"))}
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = add_months(day, 1)
    zero = Decimal("0.00")

    def at(table, month):
        return next((r for m, r in table.items() if m is not None and _month_of(m) == month), None)

    rows = []
    for month in months:
        lo, wo = at(lost, month), at(won, month)
        rows.append(WinBackMonth(month=month, lost=lo["n"] if lo else 0, lost_value=(lo["value"] or zero) if lo else zero,
                                 won=wo["n"] if wo else 0, won_value=(wo["value"] or zero) if wo else zero))
    return rows


def _month_of(value) -> date:
    return (value.date() if isinstance(value, datetime) else value).replace(day=1)


@dataclass(frozen=True)
class WonBySalesperson:
    user_id: int
    name: str
    won: int
    value: Decimal


def won_back_by_salesperson(user, *, start: date, end: date) -> list[WonBySalesperson]:
    """WIN-2: customers won back in the period per salesperson who won them, most first."""
    rows = (defections_visible_to(user).order_by()
            .filter(state=Defection.State.WON_BACK, ended_on__gte=start, ended_on__lte=end, won_by__isnull=False)
            .values("won_by_id", "won_by__username", "won_by__first_name", "won_by__last_name")
            .annotate(n=Count("pk"), value=Sum("lost_value")))
    out = [WonBySalesperson(user_id=r["won_by_id"], won=r["n"], value=r["value"] or Decimal("0.00"),
                            name=f"{r['won_by__last_name']}{r['won_by__first_name']}" or r["won_by__username"])
           for r in rows]
    return sorted(out, key=lambda r: (-r.won, -r.value, r.name))
