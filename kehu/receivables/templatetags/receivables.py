"""Small filters of the collection and report pages."""

from decimal import Decimal

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
