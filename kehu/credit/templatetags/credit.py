"""Credit blocks shown on other apps' pages (the customer's 360° page, the navigation bar)."""

from decimal import Decimal

from django import template
from django.core.cache import cache
from django.utils.html import format_html

from kehu.core.scopes import can_edit_records
from kehu.credit import selectors
from kehu.credit.models import Level

register = template.Library()

LEVEL_LABELS = dict(Level.choices)
WAITING_SECONDS = 60


@register.filter
def level_label(level) -> str:
    """The name of an approval level ("director" → Office director)."""
    return str(LEVEL_LABELS.get(level, level or ""))


@register.inclusion_tag("credit/_customer_credit.html", takes_context=True)
def customer_credit(context, customer):
    """CRD-1..3 on the 360° page: limit, grade, exposure, the card and open requests."""
    user = context.get("user")
    account = selectors.credit_account_of(customer)
    return {"customer": customer, "account": account,
            "exposure": selectors.exposure_of(customer, limit=account.limit if account else Decimal("0")),
            "card": selectors.credit_card_of(customer), "pending": list(selectors.pending_requests_of(customer)),
            "may_request": selectors.may_request_limits(user), "can_edit": can_edit_records(user) if user else False,
            "request": context.get("request"), "user": user}


# --- the badge of the navigation bar: how many requests wait for the user's signature ------------------------
# Kept a minute per user so that the bar costs no query on every page; the user's own
# decisions and visits to the queue refresh it at once.

def _waiting_key(user) -> str:
    return f"kehu:credit:waiting:{user.pk}"


def remember_waiting(user, count: int) -> None:
    cache.set(_waiting_key(user), count, WAITING_SECONDS)


def forget_waiting(user) -> None:
    cache.delete(_waiting_key(user))


@register.simple_tag(takes_context=True)
def credit_waiting_badge(context):
    user = context.get("user")
    if user is None or not selectors.levels_of(user):
        return ""
    count = cache.get(_waiting_key(user))
    if count is None:
        count = len(selectors.approval_queue_for(user))
        remember_waiting(user, count)
    if not count:
        return ""
    return format_html('<span class="badge rounded-pill text-bg-warning ms-1" id="credit-waiting">{}</span>', count)
