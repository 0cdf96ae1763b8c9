"""Reads of the collection work (AR-2): promises, attempts and tasks in scope, what is due
today, overdue invoices no task covers, and broken promises for credit (CRD-4)."""

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.access import get_for_user
from kehu.receivables.models import CollectionAttempt, CollectionTask, Invoice, Promise
from kehu.receivables.selectors.ledger import _scoped, invoices_visible_to


def promises_visible_to(user) -> QuerySet[Promise]:
    return _scoped(Promise.objects.select_related("customer", "customer__owner", "invoice", "recorded_by"), user)


def promise_get_for_user(*, user, pk) -> Promise:
    return get_for_user(promises_visible_to(user), pk, user=user, not_found=_("No such promise in your scope."))


def task_get_for_user(*, user, pk) -> CollectionTask:
    return get_for_user(_scoped(CollectionTask.objects.select_related("customer", "invoice"), user), pk, user=user,
                        not_found=_("No such collection task in your scope."))


def promises_of(customer, *, limit: int = 10) -> QuerySet[Promise]:
    return customer.promises.select_related("invoice", "recorded_by").order_by("-promised_on", "-id")[:limit]


def attempts_of(customer, *, limit: int = 10) -> QuerySet[CollectionAttempt]:
    return customer.collection_attempts.select_related("by", "invoice", "promise").order_by("-at", "-id")[:limit]


def collection_tasks_for(user, *, on: date | None = None) -> QuerySet[CollectionTask]:
    """Open collection tasks in the user's scope due by `on` (today), oldest first."""
    on = on or timezone.localdate()
    return (_scoped(CollectionTask.objects.select_related("customer", "customer__owner", "invoice", "promise"), user)
            .filter(status=CollectionTask.Status.OPEN, due_on__lte=on).order_by("due_on", "id"))


def promises_due_for(user, *, on: date | None = None) -> QuerySet[Promise]:
    on = on or timezone.localdate()
    return promises_visible_to(user).filter(status=Promise.Status.OPEN, promised_on__lte=on).order_by("promised_on")


def overdue_without_task(user, *, on: date | None = None) -> QuerySet[Invoice]:
    """Open invoices in scope past their due date that no open collection task covers:
    the ones the morning run has not picked up (or whose task was closed without payment)."""
    on = on or timezone.localdate()
    open_task = CollectionTask.objects.filter(invoice=OuterRef("pk"), status=CollectionTask.Status.OPEN)
    return (invoices_visible_to(user).filter(open_amount__gt=0, due_on__lt=on)
            .exclude(Exists(open_task)).order_by("due_on", "id"))


# --- for credit (CRD-4) ------------------------------------------------------------------------------------

def broken_promises(customer_ids, *, since: date | None = None) -> dict[int, int]:
    """AR-2: broken promises to pay per customer (in the last year unless `since`)."""
    since = since or timezone.localdate() - timedelta(days=365)
    rows = (Promise.objects.filter(customer_id__in=list(customer_ids), status=Promise.Status.BROKEN,
                                   promised_on__gte=since)
            .values("customer_id").annotate(n=Count("id")).order_by())
    return {row["customer_id"]: row["n"] for row in rows}
