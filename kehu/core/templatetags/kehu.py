"""Core's template tags: the list-and-report kit — {% query %} links, sortable column headers
({% sort_th %}), the pager ({% pager %}), the filter bar ({% filter_bar %}…{% endfilter_bar %}
with {% filter_select %} fields), money and <option> lists, their markup in
core/templates/core/_*.html — and the registration points (core.registry): navigation
entries, panels, actions and dashboard cards that upper apps registered."""

import functools
from html import escape
from urllib.parse import urlencode

from django import template
from django.template import engines
from django.template.base import token_kwargs
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from kehu.core.forms import CHOOSE
from kehu.core.money import money
from kehu.core.phones import tel
from kehu.core.registry import Action, Card, Panel, registry

register = template.Library()


@functools.lru_cache(maxsize=512)
def _choice_labels(model, field_name: str, language: str) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


@register.filter
def label(record, field_name: str) -> str:
    """{{ customer|label:"category" }}: what get_category_display gives, for the rows of a list.
    Django's get_FOO_display rebuilds the field's choices and translates the label on every
    call; here each field's labels are translated once per language."""
    value = getattr(record, field_name)
    return _choice_labels(type(record)._meta.concrete_model, field_name, get_language()).get(value, value)


def _query_string(params, **changes) -> str:
    params = params.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted((k, v) for k in params for v in params.getlist(k)))


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters changed (sorting, pagination)."""
    return _query_string(context["request"].GET, **changes)


@register.simple_tag(takes_context=True)
def sort_link(context, field):
    """Next sort for a column header: ascending, then descending."""
    current = context["request"].GET.get("sort", "")
    return _query_string(context["request"].GET, sort=f"-{field}" if current == field else field, page=None)


@register.simple_tag(takes_context=True)
def sort_mark(context, field):
    current = context["request"].GET.get("sort", "")
    return "▲" if current == field else "▼" if current == f"-{field}" else ""


@register.inclusion_tag("core/_sort_header.html", takes_context=True)
def sort_th(context, field, label, css=""):
    """A column header that sorts the list by `field`: {% sort_th "code" _("code") "text-end" %}."""
    return {"href": sort_link(context, field), "mark": sort_mark(context, field), "label": label, "css": css}


@register.inclusion_tag("core/_pager.html", takes_context=True)
def pager(context, page, param="page", ends=True, hide_single=False, css="mt-3"):
    """Previous and next pages of `page` (and the first and last with `ends`), kept in the
    query string under `param` with the list's filters and sort; nothing for a single page
    with `hide_single`."""
    params = context["request"].GET
    paginator = page.paginator

    def link(number):
        return _query_string(params, **{param: number})

    shown = not (hide_single and paginator.num_pages <= 1)
    return {
        "shown": shown, "page": page, "ends": ends, "css": css,
        "first": link(1) if shown and ends and page.has_previous() else "",
        "previous": link(page.previous_page_number()) if shown and page.has_previous() else "",
        "next": link(page.next_page_number()) if shown and page.has_next() else "",
        "last": link(paginator.num_pages) if shown and ends and page.has_next() else "",
    }


class SlotNode(template.Node):
    """Renders `template_name` around what stands between a tag and its end tag (`fields`)."""

    def __init__(self, template_name, nodelist, options, url=None):
        self.template_name, self.nodelist, self.options, self.url = template_name, nodelist, options, url

    def render(self, context):
        values = {name: value.resolve(context) for name, value in self.options.items()}
        if self.url is not None:
            values["clear_url"] = reverse(self.url.resolve(context))
        values["fields"] = mark_safe(self.nodelist.render(context))  # noqa: S308 — rendered by the template engine
        wrapper = context.template.engine.get_template(self.template_name)
        with context.push(**values):
            return wrapper.render(context)


def _slot_tag(parser, token, template_name, *, url=False):
    name, *bits = token.split_contents()
    first = parser.compile_filter(bits.pop(0)) if url and bits and "=" not in bits[0] else None
    options = token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"{name}: unexpected {bits!r}")
    nodelist = parser.parse((f"end{name}",))
    parser.delete_first_token()
    return SlotNode(template_name, nodelist, options, first)


@register.tag
def list_head(parser, token):
    """A list page's heading: its title with the count of what the filters found, the buttons
    between the tags, and the Excel export of the same filtered list (INS-2).

        {% list_head title=_("Payments") count=page.paginator.count export="app:thing_export" %}
          …buttons…
        {% endlist_head %}
    """
    return _slot_tag(parser, token, "core/_list_head.html")


class ListTableNode(template.Node):
    def __init__(self, options, head, body):
        self.options, self.head, self.body = options, head, body

    def render(self, context):
        values = {name: value.resolve(context) for name, value in self.options.items()}
        values["head"] = mark_safe(self.head.render(context))  # noqa: S308 — rendered by the template engine
        values["body"] = mark_safe(self.body.render(context))  # noqa: S308 — rendered by the template engine
        with context.push(**values):
            return context.template.engine.get_template("core/_list_table.html").render(context)


class ListRowsNode(template.Node):
    def __init__(self, template_name, rows, empty):
        self.template_name, self.rows, self.empty = template_name, rows, empty

    def render(self, context):
        rows = self.rows.resolve(context)
        if not rows:
            return self.empty.render(context)
        env = engines["jinja2"].env  # compiled once; see kehu/core/jinja.py
        return mark_safe(env.get_template(self.template_name.resolve(context)).render(  # noqa: S308 — autoescaped
            {**context.flatten(), "rows": rows}))


@register.simple_tag(takes_context=True)
def jinja(context, template_name, **values):
    """{% jinja "app/_badge.html" status=… %}: a partial of the compiled engine (an app's jinja2/
    directory) on a Django page, so that one partial serves the list rows and the pages."""
    return mark_safe(engines["jinja2"].env.get_template(template_name).render(  # noqa: S308 — autoescaped
        {**context.flatten(), **values}))


@register.tag
def list_rows(parser, token):
    """The rows of a list, rendered by the compiled engine (kehu/core/jinja.py) from the app's
    jinja2/ directory with this page's context and `rows`; when there are none, what stands
    between the tags (the {% list_empty %} row):

        {% list_rows "app/_rows.html" page.object_list %}{% list_empty … %}…{% endlist_empty %}{% endlist_rows %}
    """
    name, *bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{name} takes a template name and the rows")
    empty = parser.parse(("endlist_rows",))
    parser.delete_first_token()
    return ListRowsNode(parser.compile_filter(bits[0]), parser.compile_filter(bits[1]), empty)


@register.tag
def list_table(parser, token):
    """A list's table in the one list style: its header cells, then {% list_body %} and the
    <tbody> (and <tfoot>) — {% list_table table_id="thing-table" %}…{% list_body %}…{% endlist_table %};
    `plain=True` without the row hover, `css` added to the container."""
    name, *bits = token.split_contents()
    options = token_kwargs(bits, parser)
    if bits:
        raise template.TemplateSyntaxError(f"{name}: unexpected {bits!r}")
    head = parser.parse(("list_body",))
    parser.delete_first_token()
    body = parser.parse(("endlist_table",))
    parser.delete_first_token()
    return ListTableNode(options, head, body)


@register.tag
def list_empty(parser, token):
    """A list's empty state: with filters, what found nothing and a link that clears them;
    without, that there is nothing yet and (between the tags) how to make the first one.

        {% list_empty colspan=7 filtered=_("No thing matches these filters.") clear="app:thing_list"
                      none=_("No things yet.") %} <a href="…">…</a>{% endlist_empty %}
    """
    return _slot_tag(parser, token, "core/_list_empty.html")


@register.tag
def danger_box(parser, token):
    """A destructive action folded away until asked for — reverse, void, cancel — as a form in
    a <details>, its button confirming before it posts (data-confirm):

        {% url "app:thing_void" thing.pk as void %}
        {% danger_box box_id="void-box" summary=_("Void this…") action=void open=refusal %}
          …reason field and button…
        {% enddanger_box %}
    """
    return _slot_tag(parser, token, "core/_danger_box.html")


@register.tag
def filter_bar(parser, token):
    """A list's filter form around the fields it holds: the current sort kept, a Filter
    button and a link that clears the filters.

        {% filter_bar "app:thing_list" %} …fields… {% endfilter_bar %}
        {% filter_bar "app:thing_list" button_id="search-button" %} … {% endfilter_bar %}
        {% filter_bar %} … {% endfilter_bar %}   (no "Clear" link)
    """
    return _slot_tag(parser, token, "core/_filter_bar.html", url=True)


@register.tag
def period_form(parser, token):
    """A report's form: its days ({% period_day %}) between the tags, then the "group by"
    buttons, which apply at once, and Show; the preset periods above it when given.

        {% period_form groups=groups by=by presets=presets preset=preset %}
          {% period_day "start" "r-start" _("due from") start %} …
        {% endperiod_form %}
    """
    return _slot_tag(parser, token, "core/_period_form.html")


@register.inclusion_tag("core/_period_day.html")
def period_day(name, id, label, value):
    return {"name": name, "id": id, "label": label, "value": value}


@register.inclusion_tag("core/_letterhead.html")
def letterhead():
    """The issuing company's name, address, phone and tax no. at the head of a printed form
    (core/print.html), from the company profile edited in the admin."""
    from kehu.core.models import CompanyProfile

    return {"company": CompanyProfile.current()}


@register.inclusion_tag("core/_report_head.html")
def report_head(title, link_url="", link_label="", link_id=""):
    """A report's title and its one link (the export, or the records behind it)."""
    return {"title": title, "link_url": link_url, "link_label": link_label, "link_id": link_id}


@register.inclusion_tag("core/_chart.html")
def chart(id, spec, label):
    """A chart drawn by core/charts.js from `spec` (core.reports.bar_chart), given as data."""
    return {"id": id, "spec": spec, "label": label, "source": f"{id}-data"}


@register.inclusion_tag("core/_chart_scripts.html")
def chart_scripts():
    """ECharts and core/charts.js, once, in the page's scripts block."""
    return {}


@register.inclusion_tag("core/_filter_select.html")
def filter_select(name, label, choices, value=None, cols="col-6 col-md-3 col-lg-2", empty_label=None,
                  autosubmit=False):
    """A filter's <select>: an empty first option named by the filter (or `empty_label`),
    then `choices` ([(value, label)] or plain values; an empty value among them is left out).
    With `autosubmit`, choosing submits the filters (core/kehu.js)."""
    pairs = [choice if isinstance(choice, list | tuple) else (choice, choice) for choice in choices]
    return {"name": name, "label": label, "empty_label": label if empty_label is None else empty_label,
            "choices": [(v, text) for v, text in pairs if v not in ("", None)], "value": value, "cols": cols,
            "autosubmit": autosubmit}


@register.inclusion_tag("core/_filter_dates.html")
def filter_dates(label, start, start_value, end, end_value, cols="col-12 col-md-4 col-lg-3"):
    """A filter's date range with its name shown beside the two days (not only as a tooltip):
    {% filter_dates _("ordered") "date_from" f.date_from.value "date_to" f.date_to.value %}."""
    return {"label": label, "start": start, "start_value": start_value, "end": end, "end_value": end_value,
            "cols": cols}


register.filter(money)
register.filter("tel", tel)  # a phone number as a tap-to-call link (PLT-5)


@register.simple_tag
def empty_choice():
    """The label of a hand-written select's empty first option: 请选择 / Choose… (core.forms.CHOOSE)."""
    return CHOOSE


@register.simple_tag
def options(choices, selected=None):
    """<option> tags for [(value, label)], built with one join: a template loop or format_html
    per option adds up for the hundreds of salespeople a GM chooses from, three selects a page
    (bench/RESULTS.md)."""
    selected = "" if selected is None else str(selected)
    return mark_safe("".join(  # noqa: S308 — value and label are escaped
        f'<option value="{escape(str(value))}"{" selected" if str(value) == selected else ""}>{escape(str(label))}</option>'
        for value, label in choices))


# --- registration points (core.registry): what upper apps show on lower pages ---------------------------

@register.simple_tag(takes_context=True)
def nav_entries(context) -> list[tuple]:
    """The navigation bar's registered entries the user sees, each with its badge count."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [(entry, entry.badge(request) if entry.badge else None) for entry in registry.nav_for(user)]


def _render(request, template: str, extra: dict) -> str:
    return render_to_string(template, extra, request=request)


@register.simple_tag(takes_context=True)
def panels(context, page: str, record, tab: str | None = None) -> list[str]:
    """The registered panels of `page` (of one `tab`) rendered for `record`, as HTML pieces; a
    lazy panel renders its htmx placeholder and is fetched when scrolled into view."""
    request = context["request"]
    shown = []
    for panel in registry.of(Panel, page=page):
        if tab is not None and panel.tab != tab:
            continue
        if panel.lazy:
            if panel.visible(request.user):
                shown.append(_render(request, "core/_lazy_panel.html", {
                    "panel": panel, "url": reverse("panel", args=[page, panel.key, record.pk])}))
            continue
        extra = panel.context(request, record)
        if extra is not None:
            shown.append(_render(request, panel.template, extra))
    return [mark_safe(html) for html in shown]  # noqa: S308 — rendered by our own templates


@register.simple_tag(takes_context=True)
def actions(context, page: str, record) -> list[str]:
    """The registered action buttons of `page` that the user may use on `record` now. Each
    gets the page's `next_here` (core.views.here_on_tab) as `next`, where a form it opens
    returns after saving."""
    request = context["request"]
    shown = []
    for action in registry.of(Action, page=page):
        extra = action.context(request, record)
        if extra is not None:
            extra = {"next": context.get("next_here", ""), **extra}
            shown.append(mark_safe(_render(request, action.template, extra)))  # noqa: S308 — our templates
    return shown


@register.simple_tag(takes_context=True)
def dashboard_cards(context) -> list[str]:
    """The home dashboard's registered cards the user sees (INS-1)."""
    request = context["request"]
    shown = []
    for card in registry.of(Card):
        extra = card.context(request)
        if extra is not None:
            shown.append(mark_safe(_render(request, card.template, extra)))  # noqa: S308 — our templates
    return shown
