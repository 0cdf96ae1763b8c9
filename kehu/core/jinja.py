"""The compiled template engine for the rows of a list (`{% list_rows %}` in core's tags).

Django's template language resolves every variable through a chain of lookups at render time;
a list renders fifty rows of a dozen cells on every visit, and that was half the CPU of a list
page (bench/RESULTS.md). Jinja2 compiles a template to Python once, so the rows are rendered
by it, from `<app>/jinja2/<app>/_*.html`; the page around them stays a Django template.

A row template has what a Django one has: autoescaping, `_("…")` for translations (which
`makemessages` extracts, as from Django templates — use only that form), `url(name, *args)`,
and the filters `date`, `money`, `label` (a choice's label), `linebreaksbr` (escapes, then breaks lines)
and `tel` (a phone number as a tap-to-call link, core.phones)."""

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from kehu.core.money import money
from kehu.core.phones import tel


def _date(value, fmt: str = "Y-m-d") -> str:
    if not value:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return dateformat.format(value, fmt)


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    from kehu.core.templatetags.kehu import label  # the one definition of a choice's shown label

    options.pop("autoescape", None)  # always on: a row shows what users typed
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(url=_url)
    env.filters.update(date=_date, money=money, label=label, linebreaksbr=linebreaksbr, tel=tel)
    return env
