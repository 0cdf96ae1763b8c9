"""Receivables blocks shown on other pages (the customer's 360° page) and small filters of
the collection and report pages."""

from datetime import timedelta
from decimal import Decimal

from django import template
from django.utils import timezone

from kehu.core import periods
from kehu.receivables import selectors

register = template.Library()

RECENT_PAYMENTS = 5
RECENT_PROMISES = 5
OPEN_INVOICES_SHOWN = 10


@register.inclusion_tag("receivables/_customer_receivables_lazy.html", takes_context=True)
def customer_receivables_lazy(context, customer):
    """The block below, fetched when its tab is first shown: the 360° page opens on the card
    and does not pay for the ten queries of a tab that may never be looked at."""
    user = context.get("user")
    return {"show": user is not None and selectors.can_see_receivables(user), "customer": customer}


def receivables_block(user, customer) -> dict:
    """The context of the receivables block (the tag below, and the view the lazy tag calls)."""
    return customer_receivables({"user": user}, customer)


@register.inclusion_tag("receivables/_customer_receivables.html", takes_context=True)
def customer_receivables(context, customer):
    """AR-1..4 on the 360° page: open invoices, recent payments and promises, the customer's
    ageing and collection rate. Nothing for a user who does not see receivables. A fixed
    number of queries, however many invoices the customer has."""
    user = context.get("user")
    if user is None or not selectors.can_see_receivables(user):
        return {"show": False}
    today = timezone.localdate()
    ids = [customer.pk]
    month_start, month_end = selectors.month_bounds(today)
    # by="company" over one customer: the customer's own figures without a query for its name.
    _rows, ageing = selectors.ageing(user, as_of=today, by="company", customer_ids=ids)
    _rows, this_month = selectors.collection_rate(user, start=month_start, end=month_end, by="company",
                                                  customer_ids=ids)
    three_start, three_end = periods.month_start(today, 3), month_start - timedelta(days=1)
    _rows, three_months = selectors.collection_rate(user, start=three_start, end=three_end, by="company",
                                                    customer_ids=ids)
    invoices = list(selectors.open_invoices_of(customer.pk)[:OPEN_INVOICES_SHOWN + 1])
    for invoice in invoices:
        invoice.late = invoice.days_overdue(today)
    return {
        "show": True, "customer": customer, "today": today,
        "invoices": invoices[:OPEN_INVOICES_SHOWN], "more_invoices": len(invoices) > OPEN_INVOICES_SHOWN,
        "payments": list(selectors.payments_of(customer, limit=RECENT_PAYMENTS)),
        "promises": list(selectors.promises_of(customer, limit=RECENT_PROMISES)),
        "ageing": ageing, "buckets": [(key, label, ageing.buckets[key]) for key, label in selectors.BUCKETS],
        "rate_month": this_month, "rate_three": three_months,
        "month_start": month_start, "three_start": three_start, "three_end": three_end,
        "can_collect": selectors.can_collect(user), "request": context.get("request"), "user": user,
    }


@register.filter
def rate(value) -> str:
    """A collection rate: "60.0%", or "—" when nothing fell due."""
    return "—" if value is None else f"{value}%"


@register.filter
def change(value) -> str:
    """A change of rate in percentage points: "+5.0", "−2.5", "0.0"; "—" when unknown."""
    if value is None:
        return "—"
    value = Decimal(value)
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else f"{value}"
