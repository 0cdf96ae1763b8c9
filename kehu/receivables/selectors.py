"""Reads of the receivables: scoped lists, balances, ageing as of any day (AR-3), collection
rate (AR-4), collection work (AR-2) and the figures credit needs (CRD-3, CRD-4)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core import periods
from kehu.core.money import MONEY_FIELD
from kehu.core.roles import Role
from kehu.core.scopes import scope_filter, scope_of, scope_queryset
from kehu.customers.selectors import customers_visible_to
from kehu.receivables.models import (
    Allocation,
    CollectionAttempt,
    CollectionPlan,
    CollectionTask,
    Instalment,
    Invoice,
    Payment,
    Promise,
)
from kehu.sales.models import CreditNote
from kehu.sales.selectors import sales_amount

ZERO = Decimal("0")
HALF_CENT = Decimal("0.005")
MONEY = DecimalField(**MONEY_FIELD)
INVOICE_LIST = "invoices"
PAYMENT_LIST = "payments"
SCOPE_FIELDS = {"owner_field": "customer__owner", "office_field": "customer__office"}

# Who does what with receivables (the services check again).
COLLECTING_ROLES = {Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.FINANCE, Role.ADMIN}
LEDGER_ROLES = {Role.FINANCE, Role.ADMIN}


def can_see_receivables(user) -> bool:
    """Everyone with a scope but after-sales service: money is not their function."""
    return scope_of(user) is not None and (user.is_superuser or user.role != Role.SERVICE)


def can_collect(user) -> bool:
    """Record payments, promises and attempts, plan instalments (AR-1, AR-2, AR-5)."""
    return scope_of(user) is not None and (user.is_superuser or user.role in COLLECTING_ROLES)


def can_keep_ledger(user) -> bool:
    """Reverse a payment or import invoices: finance's and the administrator's acts."""
    return scope_of(user) is not None and (user.is_superuser or user.role in LEDGER_ROLES)


def _scoped(qs: QuerySet, user) -> QuerySet:
    if not can_see_receivables(user):
        return qs.none()
    return scope_queryset(qs, user, **SCOPE_FIELDS)


# --- records in scope --------------------------------------------------------------------------------------

def invoices_visible_to(user) -> QuerySet[Invoice]:
    return _scoped(Invoice.objects.select_related("customer", "customer__owner", "order"), user)


def payments_visible_to(user) -> QuerySet[Payment]:
    return _scoped(Payment.objects.select_related("customer", "office", "collector", "reversed_by"), user)


def promises_visible_to(user) -> QuerySet[Promise]:
    return _scoped(Promise.objects.select_related("customer", "customer__owner", "invoice", "recorded_by"), user)


def plans_visible_to(user) -> QuerySet[CollectionPlan]:
    return _scoped(CollectionPlan.objects.select_related("customer", "order", "created_by"), user)


def allocations_visible_to(user) -> QuerySet[Allocation]:
    if not can_see_receivables(user):
        return Allocation.objects.none()
    return scope_queryset(Allocation.objects.select_related("invoice", "payment", "credit_note"), user,
                          owner_field="invoice__customer__owner", office_field="invoice__customer__office")


def _get(qs: QuerySet, pk, message):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(message) from None


def invoice_get_for_user(*, user, pk) -> Invoice:
    return _get(invoices_visible_to(user), pk, _("No such invoice in your scope."))


def payment_get_for_user(*, user, pk) -> Payment:
    return _get(payments_visible_to(user), pk, _("No such payment in your scope."))


def promise_get_for_user(*, user, pk) -> Promise:
    return _get(promises_visible_to(user), pk, _("No such promise in your scope."))


def plan_get_for_user(*, user, pk) -> CollectionPlan:
    return _get(plans_visible_to(user), pk, _("No such collection plan in your scope."))


def task_get_for_user(*, user, pk) -> CollectionTask:
    return _get(_scoped(CollectionTask.objects.select_related("customer", "invoice"), user), pk,
                _("No such collection task in your scope."))


def open_invoices_of(customer_id: int) -> QuerySet[Invoice]:
    """Oldest first: the order in which a payment settles them unless told otherwise (AR-1)."""
    return Invoice.objects.filter(customer_id=customer_id, open_amount__gt=0).order_by("due_on", "issued_on", "id")


def invoices_of(customer, *, limit: int = 20) -> QuerySet[Invoice]:
    return customer.invoices.select_related("order").order_by("-issued_on", "-id")[:limit]


def payments_of(customer, *, limit: int = 20) -> QuerySet[Payment]:
    return customer.payments.select_related("office", "collector").order_by("-received_on", "-id")[:limit]


def promises_of(customer, *, limit: int = 10) -> QuerySet[Promise]:
    return customer.promises.select_related("invoice", "recorded_by").order_by("-promised_on", "-id")[:limit]


def attempts_of(customer, *, limit: int = 10) -> QuerySet[CollectionAttempt]:
    return customer.collection_attempts.select_related("by", "invoice", "promise").order_by("-at", "-id")[:limit]


def allocations_of_payment(payment: Payment) -> QuerySet[Allocation]:
    return payment.allocations.select_related("invoice", "withdrawn_by", "created_by").order_by("id")


def allocations_of_invoice(invoice: Invoice) -> QuerySet[Allocation]:
    return invoice.allocations.select_related("payment", "credit_note").order_by("id")


def instalments_of(plan: CollectionPlan) -> QuerySet[Instalment]:
    return plan.instalments.order_by("due_on", "id")


def active_plan_of(order) -> CollectionPlan | None:
    return order.collection_plans.filter(status=CollectionPlan.Status.ACTIVE).prefetch_related("instalments").first()


# --- the ledger as of a day ---------------------------------------------------------------------------------

def standing_on(as_of: date, prefix: str = "") -> Q:
    """Allocations that count on `as_of`: made by then and not withdrawn by then."""
    return Q(**{f"{prefix}on__lte": as_of}) & (Q(**{f"{prefix}withdrawn_on__isnull": True})
                                               | Q(**{f"{prefix}withdrawn_on__gt": as_of}))


def payments_standing_on(as_of: date) -> Q:
    return Q(received_on__lte=as_of) & (Q(reversed_on__isnull=True) | Q(reversed_on__gt=as_of))


def _sum_by(qs: QuerySet, key: str | None, amount) -> dict:
    if key is None:
        return {None: qs.aggregate(total=Coalesce(Sum(amount), Value(ZERO), output_field=MONEY))["total"]}
    return {row[key]: row["total"] for row in qs.values(key).annotate(total=Sum(amount)).order_by()}


def balances(customer_ids, *, as_of: date | None = None) -> dict[int, Decimal]:
    """AR-1: per customer, invoices − payments − credit notes, each counted as of `as_of`."""
    as_of = as_of or timezone.localdate()
    ids = list(customer_ids)
    invoiced = _sum_by(Invoice.objects.filter(customer_id__in=ids, issued_on__lte=as_of), "customer_id", "amount")
    paid = _sum_by(Payment.objects.filter(payments_standing_on(as_of), customer_id__in=ids), "customer_id", "amount")
    credited = _sum_by(CreditNote.objects.filter(customer_id__in=ids, issued_on__lte=as_of), "customer_id", "amount")
    return {pk: (invoiced.get(pk) or ZERO) - (paid.get(pk) or ZERO) - (credited.get(pk) or ZERO) for pk in ids}


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


def open_invoices_on(qs: QuerySet[Invoice], as_of: date) -> QuerySet[Invoice]:
    """`qs` with `open_on`: each invoice's open amount on `as_of`. Today the stored open
    amount is the answer; an earlier day subtracts the allocations standing on it."""
    if as_of >= timezone.localdate():  # no invoice is dated after today (the services refuse it)
        return qs.filter(open_amount__gt=0).annotate(open_on=F("open_amount"))
    qs = qs.filter(issued_on__lte=as_of)
    settled = (Allocation.objects.filter(standing_on(as_of), invoice=OuterRef("pk")).order_by()
               .values("invoice").annotate(total=Sum("amount")).values("total"))
    # Half a cent, not zero: SQLite subtracts in floating point, and a settled invoice can
    # come out as 1.8e-12.
    return (qs.annotate(open_on=F("amount") - Coalesce(Subquery(settled, output_field=MONEY), Value(ZERO),
                                                       output_field=MONEY))
            .filter(open_on__gte=HALF_CENT))


def on_account(customer_filter: Q, *, as_of: date, key: str | None) -> dict:
    """Credit on the customers' accounts on `as_of`: payments and credit notes not (yet)
    allocated to an invoice, grouped by `key` (a GROUPS value)."""
    today = as_of >= timezone.localdate()
    payments = Payment.objects.filter(customer_filter, payments_standing_on(as_of))
    notes = CreditNote.objects.filter(customer_filter, issued_on__lte=as_of)
    if today:  # a reversed receipt keeps nothing on account, and none is dated after today
        result = _sum_by(Payment.objects.filter(customer_filter, unallocated__gt=0), key, "unallocated")
    else:
        result = _sum_by(payments, key, "amount")
        spent = _sum_by(Allocation.objects.filter(standing_on(as_of), payment__in=payments), _via(key, "payment"),
                        "amount")
        for k, v in spent.items():
            result[k] = (result.get(k) or ZERO) - v
    used = (Allocation.objects.filter(standing_on(as_of), credit_note=OuterRef("pk")).order_by()
            .values("credit_note").annotate(total=Sum("amount")).values("total"))
    left = F("amount") - Coalesce(Subquery(used, output_field=MONEY), Value(ZERO), output_field=MONEY)
    for k, v in _sum_by(notes, key, left).items():
        result[k] = (result.get(k) or ZERO) + (v or ZERO)
    return {k: v for k, v in result.items() if v}


def _via(key: str | None, relation: str) -> str | None:
    return None if key is None else f"{relation}__{key}"


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
    if not can_see_receivables(user):
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


def month_bounds(day: date) -> tuple[date, date]:
    return periods.month_bounds(day)


# --- for credit (CRD-3, CRD-4) ------------------------------------------------------------------------------

def receivables_position(customer_ids, *, today: date | None = None) -> dict[int, tuple[Decimal, int]]:
    """Per customer with something owed: the balance (open invoices less credit on account)
    and how many days the oldest open invoice is past its due date (0 when none is)."""
    today = today or timezone.localdate()
    ids = list(customer_ids)
    rows = (Invoice.objects.filter(customer_id__in=ids, open_amount__gt=0).values("customer_id").order_by()
            .annotate(open=Sum("open_amount"), oldest=Min("due_on")))
    credit = on_account(Q(customer_id__in=ids), as_of=today, key="customer_id")
    position = {}
    for row in rows:
        late = max((today - row["oldest"]).days, 0)
        position[row["customer_id"]] = (row["open"] - credit.pop(row["customer_id"], ZERO), late)
    for pk, amount in credit.items():
        position[pk] = (-amount, 0)
    return position


def broken_promises(customer_ids, *, since: date | None = None) -> dict[int, int]:
    """AR-2: broken promises to pay per customer (in the last year unless `since`)."""
    since = since or timezone.localdate() - timedelta(days=365)
    rows = (Promise.objects.filter(customer_id__in=list(customer_ids), status=Promise.Status.BROKEN,
                                   promised_on__gte=since)
            .values("customer_id").annotate(n=Count("id")).order_by())
    return {row["customer_id"]: row["n"] for row in rows}


# --- AR-2: collection work ----------------------------------------------------------------------------------

def collection_tasks_for(user, *, on: date | None = None) -> QuerySet[CollectionTask]:
    """Open collection tasks in the user's scope due by `on` (today), oldest first."""
    on = on or timezone.localdate()
    return (_scoped(CollectionTask.objects.select_related("customer", "customer__owner", "invoice", "promise"), user)
            .filter(status=CollectionTask.Status.OPEN, due_on__lte=on).order_by("due_on", "id"))


def promises_due_for(user, *, on: date | None = None) -> QuerySet[Promise]:
    on = on or timezone.localdate()
    return promises_visible_to(user).filter(status=Promise.Status.OPEN, promised_on__lte=on).order_by("promised_on")


def ledger_of(customer) -> list[dict]:
    """AR-1: the customer's account as entries in date order with the running balance:
    invoices (+), receipts (−), reversals of receipts (+), credit notes (−)."""
    entries = []
    for invoice in customer.invoices.order_by("issued_on", "id"):
        entries.append({"on": invoice.issued_on, "kind": "invoice", "label": _("Invoice"), "number": invoice.number,
                        "debit": invoice.amount, "credit": ZERO, "record": invoice})
    for payment in customer.payments.order_by("received_on", "id"):
        entries.append({"on": payment.received_on, "kind": "payment", "label": _("Receipt"),
                        "number": payment.number, "debit": ZERO, "credit": payment.amount, "record": payment})
        if payment.reversed_on:
            entries.append({"on": payment.reversed_on, "kind": "reversal", "label": _("Receipt reversed"),
                            "number": payment.number, "debit": payment.amount, "credit": ZERO, "record": payment})
    for note in customer.credit_notes.order_by("issued_on", "id"):
        entries.append({"on": note.issued_on, "kind": "credit_note", "label": _("Credit note"), "number": note.number,
                        "debit": ZERO, "credit": note.amount, "record": note})
    entries.sort(key=lambda e: (e["on"], e["kind"] != "invoice"))
    running = ZERO
    for entry in entries:
        running += entry["debit"] - entry["credit"]
        entry["balance"] = running
    return entries


# --- the collection work page and the dashboard (AR-2, AR-4) -------------------------------------------

def overdue_without_task(user, *, on: date | None = None) -> QuerySet[Invoice]:
    """Open invoices in scope past their due date that no open collection task covers:
    the ones the morning run has not picked up (or whose task was closed without payment)."""
    on = on or timezone.localdate()
    open_task = CollectionTask.objects.filter(invoice=OuterRef("pk"), status=CollectionTask.Status.OPEN)
    return (invoices_visible_to(user).filter(open_amount__gt=0, due_on__lt=on)
            .exclude(Exists(open_task)).order_by("due_on", "id"))


@dataclass
class Headline:
    """The dashboard's receivables cards."""
    sales: Decimal
    rate: RateRow
    overdue: Decimal
    tasks_due: int
    promises_due: int

    @property
    def collection_today(self) -> int:
        return self.tasks_due + self.promises_due


def headline_for(user, *, today: date | None = None) -> Headline | None:
    """Sales and collection rate this month side by side, what is overdue and today's
    collection work; None for a user who does not see receivables."""
    if not can_see_receivables(user):
        return None
    today = today or timezone.localdate()
    start, end = month_bounds(today)
    _rows, rate = collection_rate(user, start=start, end=end, by="company")
    _rows, owed = ageing(user, as_of=today, by="company")
    return Headline(sales=sales_amount(user, start=start, end=end), rate=rate, overdue=owed.overdue,
                    tasks_due=collection_tasks_for(user, on=today).count(),
                    promises_due=promises_due_for(user, on=today).count())


def group_label(user, *, by: str, key) -> str:
    """The name of one row of the ageing table (customer, salesperson or office), for the
    heading of its drill-down; empty for a customer outside the user's scope."""
    if by not in GROUPS or by == "company" or (by == "customer" and not customers_visible_to(user).filter(pk=key).exists()):
        return ""
    row = AgeingRow(key=key)
    _label([row], by)
    return row.label
