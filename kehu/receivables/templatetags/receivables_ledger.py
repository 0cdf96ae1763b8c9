"""Receivables on other apps' pages (the navigation bar, the order page) and small helpers
of the ledger pages."""

from django import template

from kehu.receivables import selectors
from kehu.receivables.receipt import amount_in_words
from kehu.receivables.services import PLANNABLE

register = template.Library()


@register.filter
def sees_receivables(user) -> bool:
    return bool(user and user.is_authenticated and selectors.can_see_receivables(user))


@register.filter
def days_overdue(invoice, today) -> int:
    return invoice.days_overdue(today)


@register.filter
def in_words(amount) -> str:
    """¥12,345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分."""
    return amount_in_words(amount)


@register.inclusion_tag("receivables/_order_receivable.html", takes_context=True)
def order_receivable(context, order):
    """AR-1, AR-5 on the order page: its invoice with what stays open, and its collection plan."""
    user = context.get("user")
    if not sees_receivables(user):
        return {"show": False}
    return {"show": True, "order": order, "invoice": getattr(order, "invoice", None),
            "plan": selectors.active_plan_of(order),
            "can_plan": selectors.can_collect(user) and order.status in PLANNABLE}
