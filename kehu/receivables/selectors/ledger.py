"""Reads of the ledger: invoices, payments, allocations and plans
in scope, the customer's statement, balances and open amounts as of any day (AR-1, AR-3),
and the position credit needs (CRD-3, CRD-4)."""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import DecimalField, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.selectors import name_fields
from kehu.core.access import get_for_user
from kehu.core.capabilities import user_can
from kehu.core.money import MONEY_FIELD, ZERO
from kehu.core.scopes import scope_queryset
from kehu.receivables.capabilities import SEE_RECEIVABLES
from kehu.receivables.models import Allocation, CollectionPlan, Instalment, Invoice, Payment
from kehu.sales.models import CreditNote

HALF_CENT = Decimal("0.005")
MONEY = DecimalField(**MONEY_FIELD)
INVOICE_LIST = "invoices"
PAYMENT_LIST = "payments"
SCOPE_FIELDS = {"owner_field": "customer__owner", "office_field": "customer__office"}


def _scoped(qs: QuerySet, user) -> QuerySet:
    """Records of the user's scope; none for a role that does not see receivables (SEE_RECEIVABLES)."""
    if not user_can(user, SEE_RECEIVABLES):
        return qs.none()
    return scope_queryset(qs, user, **SCOPE_FIELDS)


# --- records in scope --------------------------------------------------------------------------------------

def invoices_visible_to(user) -> QuerySet[Invoice]:
    return _scoped(Invoice.objects.select_related("customer", "customer__owner", "order"), user)


def invoice_list_rows() -> QuerySet[Invoice]:
    """The invoice list's columns, nothing more (a customer row is wide); callers restrict it to
    ids already scoped (core.pagination.DeferredJoinPaginator)."""
    return Invoice.objects.select_related("customer", "customer__owner").only(
        "number", "issued_on", "due_on", "amount", "open_amount", "customer__name", "customer__code",
        *name_fields("customer__owner"))


def payment_list_rows() -> QuerySet[Payment]:
    """The payment list's columns, nothing more; callers restrict it to ids already scoped."""
    return Payment.objects.select_related("customer", "office", "collector").only(
        "number", "received_on", "method", "amount", "unallocated", "reversed_on", "customer__name",
        "customer__code", "office__name", *name_fields("collector"))


def payments_visible_to(user) -> QuerySet[Payment]:
    return _scoped(Payment.objects.select_related("customer", "office", "collector", "reversed_by"), user)


def plans_visible_to(user) -> QuerySet[CollectionPlan]:
    return _scoped(CollectionPlan.objects.select_related("customer", "order", "created_by"), user)


def allocations_visible_to(user) -> QuerySet[Allocation]:
    if not user_can(user, SEE_RECEIVABLES):
        return Allocation.objects.none()
    return scope_queryset(Allocation.objects.select_related("invoice", "payment", "credit_note"), user,
                          owner_field="invoice__customer__owner", office_field="invoice__customer__office")


def invoice_get_for_user(*, user, pk) -> Invoice:
    return get_for_user(invoices_visible_to(user), pk, user=user, not_found=_("No such invoice in your scope."))


def payment_get_for_user(*, user, pk) -> Payment:
    return get_for_user(payments_visible_to(user), pk, user=user, not_found=_("No such payment in your scope."))


def plan_get_for_user(*, user, pk) -> CollectionPlan:
    return get_for_user(plans_visible_to(user), pk, user=user,
                        not_found=_("No such collection plan in your scope."))


def open_invoices_of(customer_id: int) -> QuerySet[Invoice]:
    """Oldest first: the order in which a payment settles them unless told otherwise (AR-1)."""
    return Invoice.objects.filter(customer_id=customer_id, open_amount__gt=0).order_by("due_on", "issued_on", "id")


def invoices_payment_may_settle(payment) -> QuerySet[Invoice]:
    """AR-1: what a payment may settle — the customer's open invoices and those it settles now
    (paid in full by it, perhaps) — oldest first. The payment page offers these; payment_allocate
    locks these."""
    settled_now = Allocation.objects.filter(payment_id=payment.pk, withdrawn_on__isnull=True).values("invoice_id")
    return (Invoice.objects.filter(Q(customer_id=payment.customer_id, open_amount__gt=0) | Q(pk__in=settled_now))
            .order_by("due_on", "issued_on", "id"))


def invoices_of(customer, *, limit: int = 20) -> QuerySet[Invoice]:
    return customer.invoices.select_related("order").order_by("-issued_on", "-id")[:limit]


def payments_of(customer, *, limit: int = 20) -> QuerySet[Payment]:
    return customer.payments.select_related("office", "collector", "reversed_by").order_by(
        "-received_on", "-id")[:limit]


def allocations_of_payment(payment: Payment) -> QuerySet[Allocation]:
    return payment.allocations.select_related("invoice", "withdrawn_by", "created_by").order_by("id")


def allocations_of_invoice(invoice: Invoice) -> QuerySet[Allocation]:
    return invoice.allocations.select_related("payment", "credit_note").order_by("id")


def instalments_of(plan: CollectionPlan) -> QuerySet[Instalment]:
    return plan.instalments.order_by("due_on", "id")


def active_plan_of(order) -> CollectionPlan | None:
    return order.collection_plans.filter(status=CollectionPlan.Status.ACTIVE).prefetch_related("instalments").first()


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


def open_invoices_on(qs: QuerySet[Invoice], as_of: date) -> QuerySet[Invoice]:
    """`qs` with `open_on`: each invoice's open amount on `as_of`. Today the stored open
    amount is the answer; an earlier day subtracts the allocations standing on it."""
    if as_of >= timezone.localdate():  # no invoice is dated after today (the services refuse it)
        return qs.filter(open_amount__gt=0).annotate(open_on=F("open_amount"))
    qs = qs.filter(issued_on__lte=as_of)
    settled = (Allocation.objects.filter(standing_on(as_of), invoice=OuterRef("pk")).order_by()
               .values("invoice").annotate(total=Sum("amount")).values("total"))
    # Rounded to the cent in SQL: SQLite subtracts in floating point, so a settled invoice can
    # come out as 1.8e-12 and an open one as 100000.33000000001, which then no longer adds up
    # to the cent with the others (the ledger property test found it). Half a cent, not zero.
    return (qs.annotate(open_on=Round(F("amount") - Coalesce(Subquery(settled, output_field=MONEY), Value(ZERO),
                                                             output_field=MONEY), 2, output_field=MONEY))
            .filter(open_on__gte=HALF_CENT))


def on_account(customer_filter: Q, *, as_of: date, key: str | None) -> dict:
    """Credit on the customers' accounts on `as_of`: payments and credit notes not (yet)
    allocated to an invoice, grouped by `key` (a value of reports.GROUPS)."""
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


# --- for credit (CRD-3, CRD-4) ------------------------------------------------------------------------------

def owing_first(customers: QuerySet, *, limit: int) -> list[dict]:
    """The first `limit` customers, those with something open first — the longest overdue
    first — then by name, each with its balance and days overdue: the order in which a
    collector looks for the one who paid."""
    oldest = (Invoice.objects.filter(customer=OuterRef("pk"), open_amount__gt=0).order_by()
              .values("customer").annotate(due=Min("due_on")).values("due"))
    rows = list(customers.annotate(oldest_due=Subquery(oldest))
                .order_by(F("oldest_due").asc(nulls_last=True), "name", "id").values("pk", "name", "code")[:limit])
    position = receivables_position([row["pk"] for row in rows])
    for row in rows:
        row["balance"], row["late"] = position.get(row["pk"], (ZERO, 0))
    return rows


class Position(NamedTuple):
    """A customer's receivable position: the balance (open invoices less credit on account),
    the days the oldest open invoice is past due (0 when none is) and the open amount past due."""

    balance: Decimal
    late: int
    overdue: Decimal


def receivables_figures(customer_ids, *, today: date | None = None) -> dict[int, Position]:
    """Per customer with something owed or on account, its Position, in two queries."""
    today = today or timezone.localdate()
    ids = list(customer_ids)
    rows = (Invoice.objects.filter(customer_id__in=ids, open_amount__gt=0).values("customer_id").order_by()
            .annotate(open=Sum("open_amount"), oldest=Min("due_on"),
                      overdue=Sum("open_amount", filter=Q(due_on__lt=today))))
    credit = on_account(Q(customer_id__in=ids), as_of=today, key="customer_id")
    position = {}
    for row in rows:
        late = max((today - row["oldest"]).days, 0)
        position[row["customer_id"]] = Position(row["open"] - credit.pop(row["customer_id"], ZERO), late,
                                                row["overdue"] or ZERO)
    for pk, amount in credit.items():
        position[pk] = Position(-amount, 0, ZERO)
    return position


def receivables_position(customer_ids, *, today: date | None = None) -> dict[int, tuple[Decimal, int]]:
    """Per customer with something owed: the balance (open invoices less credit on account)
    and how many days the oldest open invoice is past its due date (0 when none is)."""
    return {pk: (p.balance, p.late) for pk, p in receivables_figures(customer_ids, today=today).items()}
