"""Writes of service commitments (SVC-2) and after-sale follow-ups (SVC-3). Views, the API, the
worker and the demo call these; every refusal says what to do and changes nothing."""

from calendar import monthrange
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.access import require
from kehu.core.errors import ValidationFailed
from kehu.core.importing import check_lengths
from kehu.core.locks import lock
from kehu.core.pagination import lists_changed
from kehu.customers.selectors import customer_get_for_user
from kehu.sales.models import Order
from kehu.service import aftersale_selectors as found
from kehu.service import selectors
from kehu.service.capabilities import COMMIT, SERVE
from kehu.service.models import Commitment, FollowUp, LiteratureSend, Occurrence
from kehu.service.services import _tell

MAX_MONTHS = 60  # a monthly commitment runs at most five years: its occurrences are written at once


def monthly_days(starts_on: date, day_of_month: int, until: date) -> list[date]:
    """SVC-2: the days of a commitment due every month on `day_of_month`, from `starts_on` to
    `until`; in a shorter month the 31st (or 29th, 30th) is the month's last day."""
    days = []
    year, month = starts_on.year, starts_on.month
    while True:
        day = date(year, month, min(day_of_month, monthrange(year, month)[1]))
        if day > until:
            return days
        if day >= starts_on:
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def commitment_create(*, by, customer, description: str, repeat: str = Commitment.Repeat.ONCE, starts_on=None,
                      day_of_month=None, until=None, owner=None) -> Commitment:
    """SVC-2: record a promise made to a customer, once on `starts_on` or every month on
    `day_of_month` (default: the day of `starts_on`) until `until`; `owner` (default `by`) keeps it
    and must see the customer. Each day it falls due is written as an occurrence."""
    require(by, COMMIT, _("Your role does not keep service commitments."))
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    owner = owner or by
    description = (description or "").strip()
    today = timezone.localdate()
    errors = {}
    if not description:
        errors["description"] = [_("Say what was promised.")]
    if repeat not in Commitment.Repeat.values:
        errors["repeat"] = [_("Choose once or every month.")]
    if starts_on is None:
        errors["starts_on"] = [_("Give the day it is due.")]
    elif starts_on < today:
        errors["starts_on"] = [_("The first due date cannot be in the past.")]
    if repeat == Commitment.Repeat.MONTHLY:
        day_of_month = day_of_month or (starts_on.day if starts_on else None)
        if day_of_month is None or not 1 <= day_of_month <= 31:
            errors["day_of_month"] = [_("A day of the month is 1 to 31.")]
        if until is None:
            errors["until"] = [_("Give the last day of a monthly commitment.")]
        elif starts_on is not None and until < starts_on:
            errors["until"] = [_("The last day is before the first.")]
        elif starts_on is not None and until > starts_on + timedelta(days=MAX_MONTHS * 31):
            errors["until"] = [_("A monthly commitment runs at most five years.")]
    else:
        day_of_month, until = None, None
    if not selectors.may_handle(owner, customer):
        errors["owner"] = [_("Choose someone who sells or serves and sees this customer.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    check_lengths(Commitment, description=description)
    days = monthly_days(starts_on, day_of_month, until) if repeat == Commitment.Repeat.MONTHLY else [starts_on]
    if not days:
        raise ValidationFailed(_("The commitment falls due on no day up to its last day."),
                               field_errors={"until": [_("No day of the month falls before it.")]})
    with transaction.atomic():
        made = Commitment.objects.create(customer=customer, owner=owner, description=description, repeat=repeat,
                                         starts_on=starts_on, day_of_month=day_of_month, until=until, created_by=by)
        Occurrence.objects.bulk_create([Occurrence(commitment=made, due_on=day) for day in days])
        lists_changed(found.COMMITMENT_LIST)
    return made


def occurrence_fulfil(*, by, occurrence: Occurrence, note: str) -> Occurrence:
    """SVC-2: the promise kept, today, with a note of how; a missed one may still be kept late
    (it then counts as fulfilled late, not on time)."""
    occurrence = found.occurrence_get_for_user(user=by, pk=occurrence.pk, write=True)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say how the promise was kept."), field_errors={"note": [_("Required.")]})
    check_lengths(Occurrence, note=note)
    today = timezone.localdate()
    with transaction.atomic():
        current = lock(Occurrence, occurrence.pk)
        if current.status == Occurrence.Status.FULFILLED:
            raise ValidationFailed(_("This promise is already recorded as kept."))
        if current.due_on > today + timedelta(days=31):
            raise ValidationFailed(_("This promise falls due more than a month from now; record it when it is kept."))
        current.status, current.fulfilled_on, current.fulfilled_by, current.note = (
            Occurrence.Status.FULFILLED, today, by, note)
        current.save(update_fields=["status", "fulfilled_on", "fulfilled_by", "note"])
        lists_changed(found.COMMITMENT_LIST)
    return current


def mark_missed(*, today: date | None = None) -> int:
    """SVC-2, run by the worker: each open occurrence whose day has passed becomes missed, and the
    owner's manager (selectors.managers_of) is told — once: a second run finds nothing open, and
    the reminder's key is the occurrence's."""
    today = today or timezone.localdate()
    marked = 0
    for occurrence in found.occurrences_late(today):
        with transaction.atomic():
            if not Occurrence.objects.filter(pk=occurrence.pk, status=Occurrence.Status.OPEN).update(
                    status=Occurrence.Status.MISSED, missed_at=timezone.now()):
                continue  # kept or marked at this moment by someone else
            commitment = occurrence.commitment
            url = reverse_commitment(commitment)
            for manager in selectors.managers_of(commitment.owner):
                _tell(manager, kind="commitment_missed", url=url, dedupe_key=f"commitment-missed:{occurrence.pk}",
                      title=lambda c=commitment, o=occurrence: _(
                          "Promise missed by %(owner)s: %(customer)s, due %(due)s") % {
                          "owner": c.owner.display_name, "customer": c.customer.name, "due": o.due_on.isoformat()},
                      body=lambda c=commitment: c.description)
            marked += 1
    if marked:
        lists_changed(found.COMMITMENT_LIST)
    return marked


def reverse_commitment(commitment) -> str:
    from django.urls import reverse

    return reverse("service:commitment_detail", args=[commitment.pk])


# --- after-sale follow-up (SVC-3) ---------------------------------------------------------------------------

LOOK_BACK_DAYS = 30  # orders delivered longer ago than this (and the follow-up delay) get no call


def follow_ups_plan(*, today: date | None = None) -> int:
    """SVC-3, run by the worker: a follow-up call for each order delivered in the last month that
    has none yet, due KEHU_FOLLOW_UP_DAYS after delivery, for the customer's salesperson. An order
    gets one call however often this runs (one follow-up per order)."""
    today = today or timezone.localdate()
    days = settings.KEHU_FOLLOW_UP_DAYS
    orders = (Order.objects.filter(delivered_on__isnull=False, delivered_on__gte=today - timedelta(days=LOOK_BACK_DAYS + days),
                                   delivered_on__lte=today)
              .exclude(status=Order.Status.CANCELLED)
              .exclude(Exists(FollowUp.objects.filter(order=OuterRef("pk"))))
              .select_related("customer", "customer__owner", "owner").order_by("pk"))
    made = 0
    for order in orders:
        owner = order.customer.owner if order.customer.owner and order.customer.owner.is_active else order.owner
        try:
            with transaction.atomic():
                FollowUp.objects.create(order=order, customer=order.customer, assignee=owner,
                                        due_on=order.delivered_on + timedelta(days=days))
        except IntegrityError:
            continue  # planned at this moment by another worker
        made += 1
    if made:
        lists_changed(found.FOLLOW_UP_LIST)
    return made


def follow_up_record(*, by, follow_up: FollowUp, usage: str, satisfied, congratulated: bool = False,
                     note: str = "") -> FollowUp:
    """SVC-3: the call made: how the product is used, whether the customer is satisfied, whether
    they were congratulated on their decision, and a note."""
    follow_up = found.follow_up_get_for_user(user=by, pk=follow_up.pk, write=True)
    usage, note = (usage or "").strip(), (note or "").strip()
    errors = {}
    if not usage:
        errors["usage"] = [_("Say how the customer uses the product.")]
    if satisfied not in (True, False):
        errors["satisfied"] = [_("Say whether the customer is satisfied.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    check_lengths(FollowUp, usage=usage, note=note)
    with transaction.atomic():
        current = lock(FollowUp, follow_up.pk)
        if current.status == FollowUp.Status.DONE:
            raise ValidationFailed(_("This follow-up call is already recorded."))
        current.status, current.done_at, current.done_by = FollowUp.Status.DONE, timezone.now(), by
        current.usage, current.satisfied, current.congratulated, current.note = usage, satisfied, bool(congratulated), note
        current.save()
        lists_changed(found.FOLLOW_UP_LIST)
    return current


def literature_log(*, by, customer, kind: str, title: str, sent_on=None) -> LiteratureSend:
    """SVC-3: literature sent to a customer (product data, a specification change, a newsletter)."""
    require(by, SERVE, _("Your role does not do after-sales service."))
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    title = (title or "").strip()
    sent_on = sent_on or timezone.localdate()
    errors = {}
    if kind not in LiteratureSend.Kind.values:
        errors["kind"] = [_("Choose what kind of literature was sent.")]
    if not title:
        errors["title"] = [_("Say what was sent.")]
    if sent_on > timezone.localdate():
        errors["sent_on"] = [_("A send cannot be logged ahead of its day.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    check_lengths(LiteratureSend, title=title)
    with transaction.atomic():
        return LiteratureSend.objects.create(customer=customer, kind=kind, title=title, sent_on=sent_on, by=by)
