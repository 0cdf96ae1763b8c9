"""Small filters of the collection and report pages."""

from decimal import Decimal
from urllib.parse import urlencode

from django import template

register = template.Library()


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


@register.simple_tag(takes_context=True)
def query_with(context, name, value):
    """The current query string with parameter `name` (given as a value, unlike {% query %})
    set: the collection page pages three lists, each with its own parameter."""
    params = context["request"].GET.copy()
    params[name] = value
    return "?" + urlencode(sorted((k, v) for k in params for v in params.getlist(k)))
