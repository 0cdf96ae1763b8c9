"""How a card's values read on the page and the printed form: choices as their labels,
money as ¥ with two places, dates as YYYY-MM-DD, people by name."""

from decimal import Decimal

from django.utils.formats import date_format

from kehu.core.templatetags.kehu import money
from kehu.customers.forms import SECTIONS
from kehu.customers.models import Customer


def field_display(customer: Customer, name: str) -> str:
    field = Customer._meta.get_field(name)
    value = getattr(customer, name)
    if value in (None, "", []):
        return ""
    if name == "transport_modes" or field.choices:
        return getattr(customer, f"get_{name}_display")()
    if name == "developed_by":
        return customer.developed_by.display_name
    if isinstance(value, Decimal) and getattr(field, "decimal_places", None) == 2:  # amounts of money
        return money(value)
    if hasattr(value, "isoformat"):
        return date_format(value, "Y-m-d")
    return str(value)


def card_sections(customer: Customer) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The four sections of the card (CUS-3): [(title, [(name, label, text)])]."""
    return [
        (title, [(name, Customer._meta.get_field(name).verbose_name, field_display(customer, name)) for name in names])
        for title, names in SECTIONS
    ]
