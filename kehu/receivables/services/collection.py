"""Writes of the collection work (AR-2): attempts to collect, promises to pay and their
cancelling, and the morning run that judges promises and makes the day's tasks. A promise
is written with the customer's row locked, as the ledger's writes are (services.ledger)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.access import parse_id, require
from kehu.core.capabilities import user_can
from kehu.core.errors import UserInputError, ValidationFailed
from kehu.core.importing import check_lengths
from kehu.core.money import money
from kehu.customers.selectors import customer_get_for_user
from kehu.receivables.capabilities import COLLECT
from kehu.receivables.locks import lock_customer_ledger, lock_promise, lock_task
from kehu.receivables.models import (
    CollectionAttempt,
    CollectionPlan,
    CollectionPolicy,
    CollectionTask,
    Instalment,
    Invoice,
    Promise,
)
from kehu.receivables.services._common import _amount, _day, _paid_between
from kehu.receivables.services.ledger import _sync_plans


class SecondPromise(UserInputError):
    """AR-2: the invoice already has an open promise. A second one is recorded only when the
    user confirms it (`keep_both`): a new promise usually replaces the old one (cancel it), but
    a customer may promise to pay an invoice in two parts."""

    status = 409
    code = "second_promise"


def attempt_log(*, by, customer, channel: str, outcome: str, note: str = "", invoice=None, task=None,
                promised_on=None, promised_amount=None, contact: str = "", made_on=None,
                keep_both: bool = False) -> CollectionAttempt:
    """AR-2: log an attempt to collect. "Promised to pay" records the promise (date and
    amount) to be followed up on its date; a promise made up to KEHU_PROMISE_BACKDATE_DAYS
    ago (`made_on`, by phone yesterday) is recorded with its day. A second open promise on the
    same invoice is refused (SecondPromise) unless `keep_both`. Logging against a task marks
    the task done."""
    require(by, COLLECT, _("Your role does not collect payments."))
    check_lengths(CollectionAttempt, note=note)
    if outcome == CollectionAttempt.Outcome.PROMISED:
        check_lengths(Promise, contact=contact, note=note)
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    if channel not in CollectionAttempt.Channel.values:
        raise ValidationFailed(_("Choose how you contacted the customer."), field_errors={"channel": [_("Required.")]})
    if outcome not in CollectionAttempt.Outcome.values:
        raise ValidationFailed(_("Choose the outcome."), field_errors={"outcome": [_("Required.")]})
    invoice = _invoice_of(customer, invoice)
    today = timezone.localdate()
    with transaction.atomic():
        lock_customer_ledger(customer.pk)
        promise = None
        if outcome == CollectionAttempt.Outcome.PROMISED:
            promise = _promise(by=by, customer=customer, invoice=invoice, promised_on=promised_on,
                               amount=promised_amount, contact=contact, note=note, today=today, made_on=made_on,
                               keep_both=keep_both)
        attempt = CollectionAttempt(customer=customer, invoice=invoice, channel=channel, outcome=outcome,
                                    note=(note or "").strip(), by=by, promise=promise)
        if task not in (None, ""):
            number = parse_id(str(getattr(task, "pk", task)).strip())
            current = lock_task(number, customer=customer) if number else None
            if current is None:
                raise ValidationFailed(_("That collection task is not this customer's."))
            attempt.task = current
            if current.status == CollectionTask.Status.OPEN:
                current.status = CollectionTask.Status.DONE
                current.done_at = timezone.now()
                current.done_by = by
                current.save(update_fields=["status", "done_at", "done_by"])
        attempt.save()
    return attempt


def _invoice_of(customer, invoice) -> Invoice | None:
    if invoice in (None, ""):
        return None
    pk = getattr(invoice, "pk", invoice)
    number = parse_id(pk)
    found = customer.invoices.filter(pk=number).first() if number else None
    if found is None:
        raise ValidationFailed(_("Unknown invoice “%(invoice)s”.") % {"invoice": pk},
                               field_errors={"invoice": [_("Choose one of the customer's invoices.")]})
    return found


def _promise(*, by, customer, invoice, promised_on, amount, contact, note, today, made_on=None,
             keep_both=False) -> Promise:
    days = settings.KEHU_PROMISE_BACKDATE_DAYS
    made_on = _day(made_on, field="made_on", label=_("day the promise was made"), default=today)
    if not today - timedelta(days=days) <= made_on <= today:
        raise ValidationFailed(
            _("A promise is recorded on the day it was made, today or up to %(days)d days ago.") % {"days": days},
            field_errors={"made_on": [_("From %(first)s to today.") % {
                "first": (today - timedelta(days=days)).isoformat()}]})
    promised_on = _day(promised_on, field="promised_on", label=_("promised payment date"))
    if promised_on < made_on:
        raise ValidationFailed(_("A promise to pay names the day it was made or a later day."),
                               field_errors={"promised_on": [_("On or after the day the promise was made.")]})
    amount = _amount(amount, field="promised_amount", label=_("amount promised"))
    if not keep_both:
        _refuse_second_promise(customer, invoice)
    return Promise.objects.create(customer=customer, invoice=invoice, promised_on=promised_on, amount=amount,
                                  made_on=made_on, contact=(contact or "").strip(),
                                  note=(note or "").strip(), recorded_by=by)


def _refuse_second_promise(customer, invoice) -> None:
    """A promise for no particular invoice is about the whole balance: several may stand."""
    first = (customer.promises.filter(status=Promise.Status.OPEN, invoice=invoice).order_by("promised_on", "id").first()
             if invoice else None)
    if first is None:
        return
    raise SecondPromise(
        _("Invoice %(invoice)s already has an open promise to pay %(amount)s on %(on)s. Confirm to record this "
          "one as well, or cancel the first.")
        % {"amount": money(first.amount), "on": first.promised_on.isoformat(), "invoice": invoice.number},
        field_errors={"keep_both": [_("Confirm to keep both promises.")]})


def check_cancellable(promise: Promise) -> None:
    """AR-2: only an open promise is cancelled (one kept or broken is history)."""
    if promise.status != Promise.Status.OPEN:
        raise ValidationFailed(_("Only an open promise can be cancelled; this one is %(status)s.")
                               % {"status": promise.get_status_display()})


def may_cancel(user, promise: Promise) -> bool:
    """Whether the promise's Cancel button is offered (promise_cancel checks again)."""
    return user_can(user, COLLECT) and promise.status == Promise.Status.OPEN


def promise_cancel(*, by, promise: Promise, reason: str = "") -> Promise:
    require(by, COLLECT, _("Your role does not collect payments."))
    with transaction.atomic():
        current = lock_promise(promise.pk)
        check_cancellable(current)
        current.status = Promise.Status.CANCELLED
        current.resolved_on = timezone.localdate()
        if reason:
            current.note = f"{current.note} {reason}".strip()[:300]
        current.save(update_fields=["status", "resolved_on", "note", "updated_at"])
        CollectionTask.objects.filter(promise=current, status=CollectionTask.Status.OPEN).update(
            status=CollectionTask.Status.CANCELLED)
    return current


def collection_day(*, today: date | None = None) -> dict[str, int]:
    """AR-2, run each morning by the worker (and by `kehu collection-day`): judge the promises
    whose date has passed, make the day's calls, visits and follow-ups, put instalments in
    step, and drop tasks whose money has come in. Running it twice makes nothing twice."""
    today = today or timezone.localdate()
    counts = {"kept": 0, "broken": 0}
    for promise in Promise.objects.filter(status=Promise.Status.OPEN, promised_on__lt=today):
        kept = _paid_between(promise.customer_id, promise.made_on, promise.promised_on) >= promise.amount
        promise.status = Promise.Status.KEPT if kept else Promise.Status.BROKEN
        promise.resolved_on = today
        promise.save(update_fields=["status", "resolved_on", "updated_at"])
        counts["kept" if kept else "broken"] += 1
    _sync_plans(None, today=today)
    policy = CollectionPolicy.current()
    tasks = []
    # Invoices without a plan (a plan's instalments have their own dates), not yet called about.
    unplanned = (Invoice.objects.filter(open_amount__gt=0)
                 .exclude(order__collection_plans__status=CollectionPlan.Status.ACTIVE)
                 .only("id", "customer_id", "due_on", "open_amount"))
    for kind, due in ((CollectionTask.Kind.VISIT, Q(due_on__lte=today)),
                      (CollectionTask.Kind.REMINDER,
                       Q(due_on__gt=today, due_on__lte=today + timedelta(days=policy.reminder_days)))):
        for invoice in unplanned.filter(due).exclude(tasks__kind=kind).iterator(chunk_size=2000):
            tasks.append(CollectionTask(kind=kind, customer_id=invoice.customer_id, invoice_id=invoice.pk,
                                        due_on=invoice.due_on if kind == CollectionTask.Kind.VISIT else today,
                                        amount=invoice.open_amount))
    for instalment in (Instalment.objects.filter(plan__status=CollectionPlan.Status.ACTIVE,
                                                 status__in=[Instalment.Status.PENDING, Instalment.Status.PARTLY_PAID,
                                                             Instalment.Status.OVERDUE])
                       .select_related("plan", "plan__order__invoice")):
        if instalment.due_on - timedelta(days=instalment.reminder_days) > today:
            continue
        kind = CollectionTask.Kind.VISIT if instalment.due_on <= today else CollectionTask.Kind.REMINDER
        invoice = getattr(instalment.plan.order, "invoice", None)
        tasks.append(CollectionTask(kind=kind, customer_id=instalment.plan.customer_id, instalment=instalment,
                                    invoice=invoice, due_on=today if kind == CollectionTask.Kind.REMINDER
                                    else instalment.due_on, amount=instalment.amount - instalment.paid))
    for promise in Promise.objects.filter(status=Promise.Status.OPEN, promised_on__lte=today):
        tasks.append(CollectionTask(kind=CollectionTask.Kind.PROMISE, customer_id=promise.customer_id,
                                    invoice_id=None, promise=promise, due_on=promise.promised_on,
                                    amount=promise.amount))
    before = CollectionTask.objects.count()
    CollectionTask.objects.bulk_create(tasks, ignore_conflicts=True, batch_size=1000)
    counts["tasks"] = CollectionTask.objects.count() - before
    counts["dropped"] = (CollectionTask.objects.filter(status=CollectionTask.Status.OPEN, invoice__open_amount=0,
                                                       promise__isnull=True)
                         .update(status=CollectionTask.Status.CANCELLED))
    return counts
