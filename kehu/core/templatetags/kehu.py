from urllib.parse import urlencode

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters changed (sorting, pagination)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted((k, v) for k in params for v in params.getlist(k)))


@register.simple_tag(takes_context=True)
def sort_link(context, field):
    """Next sort for a column header: ascending, then descending."""
    current = context["request"].GET.get("sort", "")
    new = f"-{field}" if current == field else field
    params = context["request"].GET.copy()
    params["sort"] = new
    params.pop("page", None)
    return "?" + urlencode(sorted((k, v) for k in params for v in params.getlist(k)))


@register.simple_tag(takes_context=True)
def sort_mark(context, field):
    current = context["request"].GET.get("sort", "")
    return "▲" if current == field else "▼" if current == f"-{field}" else ""


@register.filter
def money(value):
    """CNY with two places and thousands separators."""
    if value is None or value == "":
        return ""
    return f"¥{value:,.2f}"


@register.simple_tag
def options(choices, selected=None):
    """<option> tags for [(value, label)], built in Python: a template loop costs ~0.1 ms an
    option, which adds up for the hundreds of salespeople a manager chooses from."""
    selected = "" if selected is None else str(selected)
    return format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if str(value) == selected else "", label) for value, label in choices),
    )
