"""The order's timeline (ORD-1): each step of its status is written as an OrderEvent by the
service that takes it, in the same transaction, with the same time as the order's change
history row."""

from django.utils import timezone

from kehu.core.history import save_by
from kehu.sales.models import Order, OrderEvent


def save_step(order: Order, *, by) -> OrderEvent:
    """Save an order whose status was just set (or a new draft) and write the step: its
    history row and its event name `by` and carry one time."""
    at = timezone.now()
    order._history_date = at
    try:
        save_by(order, by)
    finally:
        del order._history_date
    return OrderEvent.objects.create(order=order, status=order.status, at=at, by=by)
