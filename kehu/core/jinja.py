"""The compiled template engine for the rows of a list (`{% list_rows %}` in core's tags).

Django's template language resolves every variable through a chain of lookups at render time;
a list renders fifty rows of a dozen cells on every visit, and that was half the CPU of a list
page (bench/RESULTS.md). Jinja2 compiles a template to Python once, so the rows are rendered
by it, from `<app>/jinja2/<app>/_*.html`; the page around them stays a Django template.

A row template has what a Django one has: autoescaping, `_("…")` for translations (which
`makemessages` extracts, as from Django templates — use only that form), `url(name, *args)`,
and the filters `date`, `money`, `label` (a choice's label), `linebreaksbr` (escapes, then breaks lines)
and `tel` (a phone number as a tap-to-call link, core.phones)."""

import datetime
import functools

from django.template.defaultfilters import linebreaksbr
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from kehu.core.money import money
from kehu.core.phones import tel


def _date(value, fmt: str = "Y-m-d") -> str:
    """Django's `date` filter; the two formats of the rows are written directly, which is several
    times cheaper than dateformat's general parser on fifty rows."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.astimezone(timezone.get_current_timezone())
    if fmt == "Y-m-d":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if fmt == "Y-m-d H:i" and isinstance(value, datetime.datetime):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"
    return dateformat.format(value, fmt)


# An id no row has, marking where each argument goes in a URL reversed once per name.
_MARK = 7_190_000_000


@functools.lru_cache(maxsize=512)
def _url_parts(name: str, arity: int, prefix: str, urlconf) -> tuple[str, ...] | None:
    """The URL of `name` cut where its `arity` integer arguments go; None when the pattern does
    not show an argument as its digits (a custom converter), so that reverse() is used."""
    marks = [str(_MARK + i) for i in range(arity)]
    try:
        rest = reverse(name, args=marks, urlconf=urlconf)
    except NoReverseMatch:
        return None
    parts = []
    for mark in marks:
        head, found, rest = rest.partition(mark)
        if not found or mark in rest or mark in head:
            return None
        parts.append(head)
    return (*parts, rest)


def _url(name: str, *args) -> str:
    """reverse(name, args=args), resolved once per page shape rather than once per row: for
    non-negative integer ids (what the rows link with) the URL is the cached pattern with the
    ids put in; anything else goes through reverse()."""
    if all(type(arg) is int and arg >= 0 for arg in args):
        parts = _url_parts(name, len(args), get_script_prefix(), get_urlconf())
        if parts is not None:
            return "".join(part + str(arg) for part, arg in zip(parts[:-1], args, strict=True)) + parts[-1]
    return reverse(name, args=args)


def environment(**options) -> Environment:
    from kehu.core.templatetags.kehu import label  # the one definition of a choice's shown label

    options.pop("autoescape", None)  # always on: a row shows what users typed
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(url=_url)
    env.filters.update(date=_date, money=money, label=label, linebreaksbr=linebreaksbr, tel=tel)
    return env
