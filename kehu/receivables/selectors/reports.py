"""Reports on the receivables: ageing as of any day (AR-3) and its drill-down, the
collection rate (AR-4), and the dashboard's headline."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import periods
from kehu.core.capabilities import user_can
from kehu.core.scopes import scope_filter
from kehu.customers.selectors import customers_visible_to
from kehu.receivables.capabilities import SEE_RECEIVABLES
from kehu.receivables.models import Allocation, Invoice
from kehu.receivables.selectors.collection import collection_tasks_for, overdue_without_task, promises_due_for
from kehu.receivables.selectors.ledger import (
    ZERO,
    _sum_by,
    _via,
    invoices_visible_to,
    on_account,
    open_invoices_on,
    standing_on,
)
from kehu.sales.selectors import sales_amount

BUCKETS = [
    ("current", gettext_lazy("Current")),
    ("d1_30", gettext_lazy("1–30 days")),
    ("d31_60", gettext_lazy("31–60 days")),
    ("d61_90", gettext_lazy("61–90 days")),
    ("d91_180", gettext_lazy("91–180 days")),
    ("over_180", gettext_lazy("Over 180 days")),
]
BUCKET_KEYS = [key for key, _label in BUCKETS]
# The first and last days overdue of each bucket beyond "current".
BUCKET_DAYS = {"d1_30": (1, 30), "d31_60": (31, 60), "d61_90": (61, 90), "d91_180": (91, 180),
               "over_180": (181, None)}
GROUPS = {"customer": "customer_id", "owner": "customer__owner_id", "office": "customer__office_id", "company": None}


def bucket_filter(bucket: str, as_of: date, prefix: str = "") -> Q:
    """Invoices of one ageing bucket on `as_of`, by their due date."""
    if bucket == "current":
        return Q(**{f"{prefix}due_on__gte": as_of})
    first, last = BUCKET_DAYS[bucket]
    condition = Q(**{f"{prefix}due_on__lte": as_of - timedelta(days=first)})
    if last is not None:
        condition &= Q(**{f"{prefix}due_on__gte": as_of - timedelta(days=last)})
    return condition


@dataclass
class AgeingRow:
    key: object
    label: str = ""
    buckets: dict = field(default_factory=lambda: dict.fromkeys(BUCKET_KEYS, ZERO))
    on_account: Decimal = ZERO

    @property
    def open_total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.open_total - self.buckets["current"]

    @property
    def balance(self) -> Decimal:
        """What the customer(s) owe: open invoices less credit on account."""
        return self.open_total - self.on_account


def ageing(user, *, as_of: date | None = None, by: str = "customer", customer_ids=None) -> tuple[list[AgeingRow], AgeingRow]:
    """AR-3: open amounts in buckets of days overdue on `as_of`, per customer, salesperson,
    office or for the company, with the credit on account; and the total row. The totals
    reconcile with the ledger: total.balance == Σ balances(as_of) of the customers."""
    as_of = as_of or timezone.localdate()
    key = GROUPS[by]
    invoices = invoices_visible_to(user).order_by()
    if customer_ids is not None:
        invoices = invoices.filter(customer_id__in=list(customer_ids))
    sums = {bucket: Sum("open_on", filter=bucket_filter(bucket, as_of)) for bucket in BUCKET_KEYS}
    opened = open_invoices_on(invoices, as_of)
    grouped = [opened.aggregate(**sums)] if key is None else opened.values(key).annotate(**sums).order_by()
    rows: dict = {}
    for values in grouped:
        row = rows.setdefault(values.get(key) if key else None, AgeingRow(key=values.get(key) if key else None))
        for bucket in BUCKET_KEYS:
            row.buckets[bucket] = values[bucket] or ZERO
    customer_filter = _customers_filter(user, customer_ids)
    for k, amount in on_account(customer_filter, as_of=as_of, key=key).items():
        rows.setdefault(k, AgeingRow(key=k)).on_account = amount
    _label(rows.values(), by)
    total = AgeingRow(key=None, label=str(_("Total")))
    for row in rows.values():
        for bucket in BUCKET_KEYS:
            total.buckets[bucket] += row.buckets[bucket]
        total.on_account += row.on_account
    ordered = sorted(rows.values(), key=lambda r: (-r.overdue, -r.open_total, str(r.label)))
    return ordered, total


def _customers_filter(user, customer_ids, *, via: str = "") -> Q:
    """The customers of the user's scope (and of `customer_ids`, if given), as a condition on
    a row's `customer` (reached `via` a relation): the scope's own condition, no subquery."""
    if not user_can(user, SEE_RECEIVABLES):
        return Q(pk__in=[])
    condition = scope_filter(user, owner_field=f"{via}customer__owner", office_field=f"{via}customer__office") or Q()
    if customer_ids is not None:
        condition &= Q(**{f"{via}customer_id__in": list(customer_ids)})
    return condition


def _label(rows, by: str) -> None:
    """Names for the keys of grouped rows, in one query per kind."""
    from kehu.accounts.models import Office, User
    from kehu.customers.models import Customer

    rows = list(rows)
    keys = [r.key for r in rows if r.key is not None]
    if by == "company":
        names = {None: str(_("Company"))}
    elif by == "customer":
        names = dict(Customer.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif by == "owner":
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=keys)}
    else:
        names = dict(Office.objects.filter(pk__in=keys).values_list("pk", "name"))
    for row in rows:
        row.label = names.get(row.key) or str(_("(none)"))


def ageing_invoices(user, *, as_of: date, bucket: str | None = None, by: str | None = None,
                    key=None) -> QuerySet[Invoice]:
    """AR-3 drill-down: the invoices behind one cell of the ageing table."""
    qs = open_invoices_on(invoices_visible_to(user), as_of)
    if bucket in BUCKET_KEYS:
        qs = qs.filter(bucket_filter(bucket, as_of))
    if by in GROUPS and GROUPS[by] and key not in (None, ""):
        qs = qs.filter(**{GROUPS[by]: key})
    return qs.order_by("due_on", "id")


# --- AR-4: collection rate ----------------------------------------------------------------------------------

@dataclass
class RateRow:
    key: object
    label: str = ""
    due: Decimal = ZERO
    collected: Decimal = ZERO

    @property
    def rate(self) -> Decimal | None:
        """Collected ÷ due, as a percentage with one decimal; None when nothing fell due."""
        if self.due <= 0:
            return None
        return (self.collected * 100 / self.due).quantize(Decimal("0.1"))


def collection_rate(user, *, start: date, end: date, by: str = "owner", customer_ids=None) -> tuple[list[RateRow], RateRow]:
    """AR-4 回款率 = collected ÷ due in a period: of the invoices falling due from `start` to
    `end`, what payments had settled by the end of the period, over what they ask net of
    credit notes (a return is not a collection)."""
    key = GROUPS[by]
    invoices = invoices_visible_to(user).filter(due_on__gte=start, due_on__lte=end).order_by()
    if customer_ids is not None:
        invoices = invoices.filter(customer_id__in=list(customer_ids))
    allocations = Allocation.objects.filter(standing_on(end), _customers_filter(user, customer_ids, via="invoice__"),
                                            invoice__due_on__gte=start, invoice__due_on__lte=end)
    due = _sum_by(invoices, key, "amount")
    sums = {"credited": Sum("amount", filter=Q(credit_note__isnull=False)),
            "collected": Sum("amount", filter=Q(payment__isnull=False))}
    via = _via(key, "invoice")
    settled = ([allocations.aggregate(**sums)] if via is None
               else allocations.values(via).annotate(**sums).order_by())
    credited = {row.get(via): row["credited"] for row in settled}
    collected = {row.get(via): row["collected"] for row in settled}
    rows = {}
    for k, amount in due.items():
        rows[k] = RateRow(key=k, due=(amount or ZERO) - (credited.get(k) or ZERO), collected=collected.get(k) or ZERO)
    _label(rows.values(), by)
    total = RateRow(key=None, label=str(_("Total")), due=sum((r.due for r in rows.values()), ZERO),
                    collected=sum((r.collected for r in rows.values()), ZERO))
    ordered = sorted(rows.values(), key=lambda r: (r.rate is None, r.rate or 0, str(r.label)))
    return ordered, total


# --- the dashboard (AR-4) and the ageing drill-down's heading ---------------------------------------------

@dataclass
class Headline:
    """The dashboard's receivables cards."""
    sales: Decimal
    rate: RateRow
    overdue: Decimal
    tasks_due: int
    promises_due: int
    overdue_untasked: int = 0

    @property
    def collection_today(self) -> int:
        """AR-2: today's work is the tasks and promises due and what is overdue with no task
        (the morning run has not picked it up, or its task was closed without the money)."""
        return self.tasks_due + self.promises_due + self.overdue_untasked


def headline_for(user, *, today: date | None = None) -> Headline | None:
    """Sales and collection rate this month side by side, what is overdue and today's
    collection work; None for a user who does not see receivables."""
    if not user_can(user, SEE_RECEIVABLES):
        return None
    today = today or timezone.localdate()
    start, end = periods.month_bounds(today)
    _rows, rate = collection_rate(user, start=start, end=end, by="company")
    _rows, owed = ageing(user, as_of=today, by="company")
    return Headline(sales=sales_amount(user, start=start, end=end), rate=rate, overdue=owed.overdue,
                    tasks_due=collection_tasks_for(user, on=today).count(),
                    promises_due=promises_due_for(user, on=today).count(),
                    overdue_untasked=overdue_without_task(user, on=today).count())


def group_label(user, *, by: str, key) -> str:
    """The name of one row of the ageing table (customer, salesperson or office), for the
    heading of its drill-down; empty for a customer outside the user's scope."""
    if by not in GROUPS or by == "company" or (by == "customer" and not customers_visible_to(user).filter(pk=key).exists()):
        return ""
    row = AgeingRow(key=key)
    _label([row], by)
    return row.label
