"""Phone numbers shown as tap-to-call links (PLT-5): one filter, `tel`, in Django templates
(`{{ person.phone|tel }}`) and in the compiled rows (`{{ c.phone|tel }}`)."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

EXTENSION = re.compile(r"\s*(?:转|#|ext\.?|x)\s*", re.IGNORECASE)


def tel_uri(number: str) -> str:
    """`tel:` + the digits of `number` (a leading + kept); an extension after 转 or # is dialled
    after a pause (","). Empty when the number has no digit."""
    parts = EXTENSION.split(number or "", maxsplit=1)
    main = re.sub(r"[^0-9]", "", parts[0])
    if not main:
        return ""
    plus = "+" if parts[0].strip().startswith("+") else ""
    extension = re.sub(r"[^0-9]", "", parts[1]) if len(parts) > 1 else ""
    return f"tel:{plus}{main}" + (f",{extension}" if extension else "")


def tel(number) -> str:
    """The number as a link that dials it on a phone; the text as it was typed."""
    number = "" if number is None else str(number)
    uri = tel_uri(number)  # digits, "+", "," and "tel:" only: nothing to escape
    if not uri:
        return escape(number)
    return mark_safe(f'<a class="tel" href="{uri}">{escape(number)}</a>')  # noqa: S308 — the number is escaped
