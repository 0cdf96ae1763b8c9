"""What the ledger's and the collection's writes share: reading amounts and days as the
user typed them, and judging promises to pay by the receipts that stand."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from kehu.core.errors import ValidationFailed
from kehu.core.money import CENT, ZERO, decimal_or_refuse
from kehu.core.periods import day_input
from kehu.receivables.models import CollectionTask, Payment, Promise


def _amount(value, *, field: str, label) -> Decimal:
    """A positive amount of money with at most two decimals."""
    if value in (None, ""):
        raise ValidationFailed(_("Enter the %(label)s.") % {"label": label}, field_errors={field: [_("Required.")]})
    amount = decimal_or_refuse(value, field=field, label=str(label))
    if amount <= 0:
        raise ValidationFailed(_("The %(label)s must be more than zero.") % {"label": label},
                               field_errors={field: [_("Enter an amount above zero.")]})
    if amount != amount.quantize(CENT):
        raise ValidationFailed(_("The %(label)s has more than two decimals.") % {"label": label},
                               field_errors={field: [_("Money has two decimals.")]})
    return amount.quantize(CENT)


def _day(value, *, field: str, label, default: date | None = None) -> date:
    return day_input(value, field=field, label=label, default=default)


def _paid_between(customer_id: int, start: date, end: date) -> Decimal:
    return (Payment.objects.filter(customer_id=customer_id, received_on__gte=start, received_on__lte=end,
                                   reversed_on__isnull=True).aggregate(s=Sum("amount"))["s"] or ZERO)


def _keep_promises(customer_id: int, *, today: date) -> None:
    """A promise is kept once the payments made since it reach its amount, by its date."""
    for promise in Promise.objects.filter(customer_id=customer_id, status=Promise.Status.OPEN):
        if _paid_between(customer_id, promise.made_on, min(promise.promised_on, today)) >= promise.amount:
            promise.status = Promise.Status.KEPT
            promise.resolved_on = today
            promise.save(update_fields=["status", "resolved_on", "updated_at"])
            CollectionTask.objects.filter(promise=promise, status=CollectionTask.Status.OPEN).update(
                status=CollectionTask.Status.CANCELLED)
