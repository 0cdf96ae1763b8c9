"""Reads of keeping in touch (REL-1, REL-2, REL-4), always scoped to the user (core.scopes):
touches, each customer's last contact, who is due or overdue for one, and the daily plan."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehu.accounts.selectors import name_fields, salespeople_for
from kehu.core.access import get_for_user
from kehu.core.scopes import scope_queryset
from kehu.customers.capabilities import EDIT_CUSTOMERS
from kehu.customers.models import Customer, Status
from kehu.customers.selectors import customers_visible_to
from kehu.relations.models import (
    CadencePolicy,
    DealerCheck,
    FamilyOccasion,
    MarketReport,
    MarketReportKind,
    PlanEntry,
    SupportItem,
    SupportPlan,
    Touch,
)

SCOPE_FIELDS = {"owner_field": "customer__owner", "office_field": "customer__office"}
# Customers whose contact cadence is followed: a dormant or lost customer is not chased by it.
CADENCE_STATUSES = (Status.ACTIVE, Status.PROSPECT)


def touches_visible_to(user) -> QuerySet[Touch]:
    return scope_queryset(Touch.objects.select_related("customer", "by"), user, **SCOPE_FIELDS)


def touch_get_for_user(*, user, pk) -> Touch:
    return get_for_user(touches_visible_to(user), pk, user=user, not_found=_("No such touch in your scope."))


def touch_list_rows() -> QuerySet[Touch]:
    """The touch list's columns, nothing more; callers restrict it to ids already scoped."""
    return Touch.objects.select_related("customer", "by").only(
        "kind", "on", "purpose", "next_step", "next_step_on", "location_consent", "customer__name",
        "customer__code", *name_fields("by"))


def latest_touches_of(customer, *, limit: int) -> list[Touch]:
    return list(Touch.objects.filter(customer=customer).select_related("by").order_by("-on", "-id")[:limit])


def last_contact_days(customer_ids: list[int], *, kinds: list[str] | None = None) -> dict[int, date]:
    """The day of each customer's last touch (of `kinds`, when given): one query for a page."""
    qs = Touch.objects.filter(customer_id__in=customer_ids)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    return dict(qs.values("customer_id").annotate(last=Max("on")).values_list("customer_id", "last"))


# --- cadence (REL-1) ------------------------------------------------------------------------------------------

@dataclass
class CadenceRow:
    """A customer's place in its contact cadence: when it was last contacted (by a touch of a
    kind that counts), when the next contact falls due, and how late it is."""

    customer: Customer
    last_on: date | None
    due_on: date
    days_late: int
    status: str  # "overdue", "due" (due today or soon) or "ok"

    @property
    def late_label(self) -> str:
        """The due list's badge, in the words of the page (its rows are Jinja2, which cannot say plurals)."""
        return ngettext("%(days)s day overdue", "%(days)s days overdue", self.days_late) % {"days": self.days_late}


def _last_counting(kinds: list[str]):
    """The day of the customer's last touch of the kinds that count: the newest first, the first
    one that counts (touch_customer_day_kind answers it without reading the touches)."""
    return Subquery(Touch.objects.filter(customer=OuterRef("pk"), kind__in=kinds).order_by("-on")
                    .values("on")[:1])


def _cadence_of(grade: str, last_on: date | None, created: date | datetime, policy: CadencePolicy, today: date):
    """A customer falls due one interval after its last counting touch; a never-contacted one from
    the day it was entered. `created` is that day or the stored moment, whose local day is taken
    only when needed (it costs more than the rest of the rule, over thousands of customers)."""
    if last_on:
        due_on = last_on + timedelta(days=policy.interval(grade))
    else:
        entered = timezone.localdate(created) if isinstance(created, datetime) else created
        due_on = min(entered, today)
    days_late = (today - due_on).days
    status = "overdue" if due_on < today else "due" if due_on <= today + timedelta(days=policy.due_soon_days) else "ok"
    return due_on, max(days_late, 0), status


def cadence_customers(user, *, today: date, owner_ids: list[int] | None = None) -> QuerySet[Customer]:
    """The customers of the user's scope that the cadence follows, each with `last_on`: the day
    of its last touch of a kind that counts (CadencePolicy)."""
    policy = CadencePolicy.current()
    qs = customers_visible_to(user).filter(status__in=CADENCE_STATUSES)
    if owner_ids is not None:
        qs = qs.filter(owner_id__in=owner_ids)
    return qs.annotate(last_on=_last_counting(policy.counting_kinds()))


def due_customers(user, *, today: date, owner_ids: list[int] | None = None, include_ok: bool = False,
                  status: str = "", grade: str = "", limit: int | None = None) -> list[CadenceRow]:
    """REL-1: the customers due (today or within the policy's days) and overdue for a contact,
    the longest overdue first, of one `status` (due, overdue) and `grade` if given. The cadence
    of every customer in scope is worked out from plain values (a director's office holds
    thousands), then the cards of those listed are read: three queries, however many."""
    policy = CadencePolicy.current()
    qs = cadence_customers(user, today=today, owner_ids=owner_ids)
    if grade:
        qs = qs.filter(grade=grade)
    found = []
    # Unordered: sorted below; the customers' default order would make PostgreSQL walk every
    # customer by its updated_at index and filter the scope out of them (220 ms for an office).
    rows = qs.order_by().values_list("pk", "grade", "created_at", "last_on")
    # One salesperson's customers at once; a scope's in chunks (a server-side cursor on PostgreSQL).
    for pk, grade_of, created_at, last_on in (rows if owner_ids else rows.iterator(chunk_size=5000)):
        due_on, late, state = _cadence_of(grade_of, last_on, created_at, policy, today)
        if (include_ok or state != "ok") and (not status or state == status):
            found.append((due_on, grade_of, pk, last_on, late, state))
    found.sort()
    if limit is not None:
        found = found[:limit]
    cards = {}
    ids = [row[2] for row in found]
    for start in range(0, len(ids), 900):  # SQLite: at most 999 parameters
        cards.update(Customer.objects.filter(pk__in=ids[start:start + 900]).select_related("owner", "office").only(
            "code", "name", "grade", "status", "phone", "created_at", "owner_id", "office_id", "office__name",
            *name_fields("owner")).in_bulk())
    return [CadenceRow(customer=cards[pk], last_on=last_on, due_on=due_on, days_late=late, status=state)
            for due_on, _grade, pk, last_on, late, state in found if pk in cards]  # merged away meanwhile


@dataclass
class Adherence:
    """REL-1 for a manager: of a salesperson's (or an office's) customers, how many were
    contacted within their cadence."""

    key: int | None
    name: str
    customers: int = 0
    within: int = 0
    overdue: int = 0
    by_grade: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    @property
    def share(self) -> float | None:
        return round(100 * self.within / self.customers, 1) if self.customers else None


def adherence(user, *, today: date, by: str = "owner") -> tuple[list[Adherence], Adherence]:
    """REL-1: the share of customers contacted within their cadence, per salesperson (`by`
    "owner") or office ("office"), and for the whole scope. One query for the customers."""
    policy = CadencePolicy.current()
    qs = cadence_customers(user, today=today).order_by().values_list(
        "grade", "last_on", "created_at", "owner_id", "owner__username", "owner__last_name", "owner__first_name",
        "office_id", "office__name")
    groups: dict[int | None, Adherence] = {}
    total = Adherence(key=None, name=_("Total"))
    for grade, last_on, created_at, owner_id, username, last, first, office_id, office_name in qs.iterator(
            chunk_size=5000):
        if by == "office":
            key, name = office_id, office_name or _("No office")
        else:
            key, name = owner_id, (f"{last}{first}" if (last or first) else username) or _("No owner")
        group = groups.setdefault(key, Adherence(key=key, name=name))
        _due_on, _late, status = _cadence_of(grade, last_on, created_at, policy, today)
        for each in (group, total):
            each.customers += 1
            each.by_grade[grade][0] += 1
            if status == "overdue":
                each.overdue += 1
            else:
                each.within += 1
                each.by_grade[grade][1] += 1
    rows = sorted(groups.values(), key=lambda g: (g.share if g.share is not None else 101, g.name))
    return rows, total


# --- the daily work plan (REL-4) ---------------------------------------------------------------------------------

def open_next_steps(user, *, day: date) -> QuerySet[Touch]:
    """The next steps due by `day` of the user's own customers that no later touch followed."""
    later = Touch.objects.filter(customer=OuterRef("customer"), pk__gt=OuterRef("pk"))
    return (Touch.objects.filter(customer__owner=user, next_step_on__lte=day).exclude(next_step="")
            .filter(~Exists(later)).select_related("customer").only("next_step", "next_step_on", "customer__name")
            .order_by("next_step_on", "id"))


def customers_touched_on(customer_ids, *, day: date) -> set[int]:
    return set(Touch.objects.filter(customer_id__in=customer_ids, on=day).values_list("customer_id", flat=True))


def plan_of(user, *, day: date) -> QuerySet[PlanEntry]:
    return PlanEntry.objects.filter(user=user, day=day).order_by("position", "id")


def plan_entry_of(user, pk) -> PlanEntry:
    """One of the user's own plan items; anyone else's is not found (a plan is personal)."""
    return get_for_user(PlanEntry.objects.filter(user=user), pk, user=user,
                        not_found=_("No such item in your plan."))


@dataclass
class PlanWeek:
    key: int
    name: str
    planned: int
    done: int

    @property
    def share(self) -> float | None:
        return round(100 * self.done / self.planned, 1) if self.planned else None


def planned_vs_done(user, *, start: date, end: date) -> list[PlanWeek]:
    """REL-4: per salesperson of the user's scope (and the user), the plan items of the days
    from `start` to `end` and how many were done. Two queries."""
    people = {u.pk: u.display_name for u in salespeople_for(user)}
    people.setdefault(user.pk, user.display_name)
    counts = (PlanEntry.objects.filter(day__gte=start, day__lte=end, user_id__in=list(people)).values("user_id")
              .annotate(planned=Count("id"), done=Count("id", filter=Q(done_at__isnull=False))))
    found = {row["user_id"]: row for row in counts}
    return [PlanWeek(key=pk, name=name, planned=found.get(pk, {}).get("planned", 0),
                     done=found.get(pk, {}).get("done", 0)) for pk, name in people.items()]


# --- market information (REL-5) ----------------------------------------------------------------------------------

MARKET_LIST = "market_reports"
MARKET_SCOPE = {"owner_field": "by", "office_field": "office"}


def market_reports_visible_to(user) -> QuerySet[MarketReport]:
    """The reports of the user's scope: a salesperson their own, a director or sales manager
    those sent to the offices of their subtree, the heads of the company all."""
    return scope_queryset(MarketReport.objects.select_related("by", "customer", "office", "read_by", "acted_by"),
                          user, **MARKET_SCOPE)


def market_report_get_for_user(*, user, pk) -> MarketReport:
    return get_for_user(market_reports_visible_to(user), pk, user=user,
                        not_found=_("No such market information in your scope."))


def market_list_rows() -> QuerySet[MarketReport]:
    return MarketReport.objects.select_related("by", "customer", "office").only(
        "kind", "text", "created_at", "read_at", "acted_at", "customer__name", "customer__code", "office__name",
        *name_fields("by"))


@dataclass
class MarketCount:
    """REL-5: how much market information one salesperson filed in a period, by kind, and how
    much of it was acted on (the evaluation counts it)."""

    by_id: int | None
    name: str
    office: str = ""
    total: int = 0
    acted: int = 0
    kinds: dict = field(default_factory=dict)

    @property
    def per_kind(self) -> list[int]:
        """The counts in the order of the kinds (the page's columns)."""
        return [self.kinds.get(kind, 0) for kind in MarketReportKind.values]


def market_counts(user, *, start: date, end: date) -> tuple[list[MarketCount], MarketCount]:
    """Per salesperson of the user's scope, the reports filed from `start` to `end` (local days),
    by kind and acted on; most first. One query."""
    from django.utils import timezone as tz

    zone = tz.get_current_timezone()
    since = tz.make_aware(datetime.combine(start, time.min), zone)
    until = tz.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
    rows = (market_reports_visible_to(user).filter(created_at__gte=since, created_at__lt=until).order_by()
            .values("by_id", "by__username", "by__first_name", "by__last_name", "by__office__name", "kind")
            .annotate(total=Count("id"), acted=Count("id", filter=Q(acted_at__isnull=False))))
    people: dict[int, MarketCount] = {}
    total = MarketCount(by_id=None, name=_("total"))
    for row in rows:
        full = f"{row['by__last_name']}{row['by__first_name']}".strip() or row["by__username"]
        count = people.setdefault(row["by_id"], MarketCount(by_id=row["by_id"], name=full,
                                                            office=row["by__office__name"] or ""))
        for target in (count, total):
            target.total += row["total"]
            target.acted += row["acted"]
            target.kinds[row["kind"]] = target.kinds.get(row["kind"], 0) + row["total"]
    return sorted(people.values(), key=lambda c: (-c.total, c.name)), total


# --- dealer checks (REL-6) -----------------------------------------------------------------------------------

TREND_CHECKS = 12
# The figures whose change from one check to the next the dealer's trend shows.
TREND_FIGURES = ("sales_growth", "our_share", "stock_outs")


def dealer_checks_visible_to(user) -> QuerySet[DealerCheck]:
    """The checks of the dealers of the user's scope."""
    return scope_queryset(DealerCheck.objects.select_related("customer", "by"), user, **SCOPE_FIELDS)


def dealer_check_get_for_user(*, user, pk) -> DealerCheck:
    return get_for_user(dealer_checks_visible_to(user), pk, user=user, not_found=_("No such dealer check in your scope."))


def dealer_check_rows() -> QuerySet[DealerCheck]:
    return DealerCheck.objects.select_related("customer", "by").only(
        "month", "sales_growth", "our_share", "range_carried", "focus_pushed", "stock_level", "stock_outs",
        "in_promotion", "payment", "customer__name", "customer__code", *name_fields("by"))


@dataclass
class TrendRow:
    check: DealerCheck
    # figure → "up", "down", "same" or "" (no earlier check, or a figure missing on either).
    change: dict = field(default_factory=dict)


def dealer_trend(customer, *, limit: int = TREND_CHECKS) -> list[TrendRow]:
    """REL-6: the dealer's last checks, newest first, each with how its figures moved since the
    check before it (the thirteenth is read only to compare the twelfth)."""
    checks = list(DealerCheck.objects.filter(customer=customer).select_related("by").order_by("-month")[:limit + 1])
    rows = []
    for check, earlier in zip(checks[:limit], [*checks[1:], None], strict=False):
        change = {}
        for name in TREND_FIGURES:
            now, before = getattr(check, name), getattr(earlier, name) if earlier else None
            change[name] = ("" if now is None or before is None else
                            "up" if now > before else "down" if now < before else "same")
        rows.append(TrendRow(check=check, change=change))
    return rows


# --- dealer support plans (REL-7) ----------------------------------------------------------------------------

def support_plans_visible_to(user) -> QuerySet[SupportPlan]:
    """The support plans of the dealers of the user's scope, each with its budget and what is spent
    (the budget of the items done)."""
    return scope_queryset(SupportPlan.objects.select_related("customer", "by"), user, **SCOPE_FIELDS)


def with_totals(plans: QuerySet[SupportPlan]) -> QuerySet[SupportPlan]:
    return plans.annotate(budget_total=Sum("items__budget"),
                          spent=Sum("items__budget", filter=Q(items__done_on__isnull=False)),
                          item_count=Count("items"),
                          done_count=Count("items", filter=Q(items__done_on__isnull=False))).order_by("-year", "-id")


def support_plan_get_for_user(*, user, pk) -> SupportPlan:
    return get_for_user(with_totals(support_plans_visible_to(user)), pk, user=user,
                        not_found=_("No such support plan in your scope."))


def support_item_get_for_user(*, user, pk) -> SupportItem:
    plans = support_plans_visible_to(user).values("pk")
    return get_for_user(SupportItem.objects.select_related("plan__customer").filter(plan__in=plans), pk, user=user,
                        not_found=_("No such support in your scope."))


def support_plan_rows() -> QuerySet[SupportPlan]:
    return with_totals(SupportPlan.objects.select_related("customer", "by").only(
        "year", "created_at", "customer__name", "customer__code", *name_fields("by")))


def support_plans_of(customer, *, limit: int = 3) -> list[SupportPlan]:
    return list(with_totals(SupportPlan.objects.filter(customer=customer)).order_by("-year")[:limit])


# --- family occasions of contacts (REL-3) -------------------------------------------------------------------

FAMILY_SCOPE = {"owner_field": "key_person__customer__owner", "office_field": "key_person__customer__office"}


def family_occasions_visible_to(user) -> QuerySet[FamilyOccasion]:
    """The family occasions of the key people of the customers in the user's scope."""
    return scope_queryset(FamilyOccasion.objects.select_related("key_person", "key_person__customer", "created_by"),
                          user, **FAMILY_SCOPE)


def family_occasion_get_for_user(*, user, pk, write: bool = False) -> FamilyOccasion:
    """The occasion if the user sees its customer (else 404) and, with write=True, may edit the
    customer's card (else 403)."""
    return get_for_user(family_occasions_visible_to(user), pk, user=user, write=EDIT_CUSTOMERS if write else None,
                        not_found=_("No such family occasion in your scope."),
                        forbidden=_("Your role can read customer cards but not change them."))


def family_occasions_of(customer) -> list[FamilyOccasion]:
    """The family occasions of the customer's current key people, for its 360° page."""
    return list(FamilyOccasion.objects.filter(key_person__customer=customer, key_person__is_current=True)
                .select_related("key_person").order_by("key_person__name", "on", "id"))
