"""The list-and-report kit's template tags (core/templatetags/kehu.py) and their partials."""

import json
import re

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from conftest import rule
from kehu.core.reports import bar_chart


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def render(source: str, query: str = "", **context) -> str:
    request = RequestFactory().get("/list/" + (f"?{query}" if query else ""))
    html = Template("{% load kehu %}" + source).render(Context({"request": request, **context}))
    return re.sub(r"\s+", " ", html).strip()


@rule("INS-2")
def test_it_heads_a_column_with_the_next_sort_and_the_current_direction():
    assert render('{% sort_th "code" _("code") %}', "q=x&page=3") == '<th><a href="?q=x&amp;sort=code">code</a> </th>'
    assert render('{% sort_th "code" _("code") "text-end" %}', "sort=code") == (
        '<th class="text-end"><a href="?sort=-code">code</a> ▲</th>')
    assert render('{% sort_th "code" _("code") %}', "sort=-code").endswith("> ▼</th>")


@rule("INS-2")
def test_it_pages_keeping_the_filters_and_sort():
    page = Paginator(range(30), 10).page(2)
    html = render("{% pager page %}", "q=x&sort=-code&page=2", page=page)
    assert re.findall(r'href="([^"]+)"', html) == ["?page=1&amp;q=x&amp;sort=-code", "?page=1&amp;q=x&amp;sort=-code",
                                                   "?page=3&amp;q=x&amp;sort=-code", "?page=3&amp;q=x&amp;sort=-code"]
    assert "Page 2 of 3" in html and 'rel="prev"' in html and 'rel="next"' in html
    # Its own parameter (a page holding several lists), without the first and last pages.
    html = render('{% pager page param="tasks" ends=False %}', "page=1", page=page)
    assert re.findall(r'href="([^"]+)"', html) == ["?page=1&amp;tasks=1", "?page=1&amp;tasks=3"]
    single = Paginator(range(3), 10).page(1)
    assert render("{% pager page hide_single=True %}", page=single) == ""
    assert "Page 1 of 1" in render("{% pager page %}", page=single)


@rule("INS-2")
def test_it_wraps_a_lists_filters_in_one_form_keeping_the_sort():
    html = render('{% filter_bar "customers:list" button_id="go" %}<input name="q">{% endfilter_bar %}', "sort=name")
    assert html.startswith('<form method="get" class="row g-2 mb-3" id="filters"> <input name="q">')
    assert '<input type="hidden" name="sort" value="name">' in html
    assert 'id="go">Filter</button>' in html and '<a class="btn btn-link" href="/customers/">Clear</a>' in html
    assert "Clear" not in render("{% filter_bar %}{% endfilter_bar %}")


@rule("INS-2")
def test_it_renders_a_filter_select_without_the_empty_choice_of_its_choices():
    html = render('{% filter_select "status" _("status") choices "b" "col-2" autosubmit=True %}',
                  choices=[("", "---"), ("a", "A & co"), ("b", "B")])
    assert html == ('<div class="col-2"><select name="status" class="form-select" aria-label="status" data-autosubmit>'
                    '<option value="">status</option><option value="a">A &amp; co</option>'
                    '<option value="b" selected>B</option></select></div>')
    assert '<option value="x">x</option>' in render('{% filter_select "line" "line" lines %}', lines=["x"])


@rule("INS-4")
def test_it_renders_a_report_head_period_form_and_chart_without_inline_script():
    html = render('{% report_head _("Ageing") url _("Export to Excel") "x-export" %}'
                  '{% period_form groups=groups by="office" presets=presets preset="this_month" %}'
                  '{% period_day "start" "r-start" _("from") day %}{% endperiod_form %}'
                  '{% chart "c" spec "Amounts" %}',
                  groups=[("owner", "salesperson"), ("office", "office")], presets=[("this_month", "This month")],
                  url="/export/?a=1&b=2", day=None, spec=bar_chart(["A", "B"], [("", [1, 2])], horizontal=True, height="9rem"))
    assert '<h1 class="h4 me-auto mb-0">Ageing</h1>' in html
    assert '<a class="btn btn-outline-secondary btn-sm" id="x-export" href="/export/?a=1&amp;b=2">Export to Excel</a>' in html
    assert 'class="btn btn-sm btn-primary" href="?preset=this_month&amp;by=office" data-preset="this_month"' in html
    assert '<input type="date" name="start" id="r-start" value="" class="form-control">' in html
    assert 'value="office" id="by-office" checked data-autosubmit>' in html
    assert ('<div id="c" class="kehu-chart bg-white border rounded mb-3" style="height:9rem" role="img" '
            'aria-label="Amounts" data-chart-source="c-data"></div>') in html
    data = json.loads(re.search(r'<script id="c-data" type="application/json">(.*?)</script>', html)[1])
    assert data == {"labels": ["A", "B"], "series": [{"name": "", "data": [1.0, 2.0]}], "horizontal": True,
                    "stacked": False, "legend": False, "colors": [], "pointer": None, "height": "9rem"}
    assert "<script>" not in html and not re.search(r" on\w+=", html)


@rule("PLT-1")
def test_it_finds_no_inline_script_or_event_handler_in_any_template():
    """Scripts live in static files fed by data-* attributes; JSON data blocks are fine."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = [*root.glob("*/templates/**/*.html"), *root.glob("*/jinja2/**/*.html")]  # Django's and the rows'
    found = [f"{path.relative_to(root)}:{n}" for path in templates
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if re.search(r'<script>|<script (?![^>]*\bsrc=)[^>]*>[^<{]| on(click|change|submit|input|load)="', line)]
    assert found == []


@rule("PLT-1")
def test_it_loads_the_script_behind_every_data_action_a_page_uses(client_for, users, customer):
    """A button fed by data-* (print, confirm, autosubmit…) does nothing unless its page loads
    core/kehu.js: every page template that uses one extends a layout that loads it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    layouts = {"base.html", "core/print.html"}
    for layout in layouts:
        assert "core/kehu.js" in (root / "core" / "templates" / layout).read_text(encoding="utf-8")
    missing = []
    for path in root.glob("*/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        name = path.as_posix().split("/templates/", 1)[1]
        if path.name.startswith("_") or name in layouts or not re.search(r"\bdata-(print|confirm|autosubmit|"
                                                                                r"show-if|select-all)\b", text):
            continue
        extended = re.match(r'\{% extends "([^"]+)" %\}', text)
        if not extended or extended[1] not in layouts:
            missing.append(str(path.relative_to(root)))
    assert missing == []
    # And the printed card, say, really carries the script and its button.
    page = client_for(users["owner"]).get(f"/customers/{customer.pk}/print/")
    assert page.status_code == 200 and "core/kehu.js" in page.text and "data-print" in page.text


@rule("PLT-5")
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_choice_label_in_a_list_row_reads_as_the_model_gives_it_in_each_language(language):
    """{{ record|label:"field" }} — the list rows' cheap get_FOO_display — says the same."""
    from kehu.customers.models import Customer

    customer = Customer(category="agent", status="active")
    with translation.override(language):
        assert render('{{ c|label:"category" }} / {{ c|label:"status" }}', c=customer) == (
            f"{customer.get_category_display()} / {customer.get_status_display()}")
    assert render('{{ c|label:"grade" }}', c=Customer(grade="")) == ""  # a value with no label stays as it is


@rule("PLT-5")
def test_list_rows_are_rendered_compiled_escaped_and_fall_back_to_the_empty_row(db):
    """{% list_rows %}: the rows from the app's jinja2/ directory, with the page's context; what
    a user typed is escaped there as in any Django template; no rows, the empty row."""
    from kehu.customers.models import Customer

    customer = Customer(pk=7, code="KH7", name="<script>alert(1)</script>", grade="A", category="agent",
                        status="active", completeness=40)
    source = '{% list_rows "customers/_rows.html" rows %}<tr id="none"></tr>{% endlist_rows %}'
    html = render(source, rows=[customer], can_reassign=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert 'href="/customers/7/"' in html and 'name="ids" value="7"' in html and "bg-warning" in html
    assert customer.get_category_display() in html
    assert 'name="ids"' not in render(source, rows=[customer], can_reassign=False)
    assert render(source, rows=[]) == '<tr id="none"></tr>'


@rule("PLT-5")
def test_a_date_range_filter_shows_its_name_beside_both_days():
    """The date boxes of a filter bar say what they filter (not only in a tooltip)."""
    html = render('{% filter_dates _("order date") "date_from" "2026-01-01" "date_to" "" %}')
    assert '<span class="input-group-text small">order date</span>' in html
    assert 'name="date_from" value="2026-01-01"' in html and 'name="date_to" value=""' in html
    assert 'aria-label="order date from"' in html and 'aria-label="order date to"' in html


@rule("PLT-5")
@pytest.mark.parametrize("name, args", [
    ("customers:detail", (7,)), ("customers:detail", (0,)), ("customers:detail", (12345678901234,)),
    ("sales:order_detail", (42,)), ("receivables:invoice_detail", (7_190_000_000,)),
])
def test_a_row_links_to_the_same_url_reverse_gives(name, args):
    """The rows' url() cuts each URL once per name and puts the ids in (kehu/core/jinja.py):
    the link a user follows is exactly Django's, whatever the id."""
    from django.urls import reverse

    from kehu.core.jinja import environment

    env = environment()
    assert env.from_string("{{ url(name, *args) }}").render(name=name, args=args) == reverse(name, args=args)


@rule("PLT-5")
def test_a_row_link_with_an_argument_that_is_not_an_id_is_reversed_as_django_does():
    from django.urls import NoReverseMatch

    from kehu.core.jinja import environment

    env = environment()
    with pytest.raises(NoReverseMatch):  # a negative or textual id is no URL, as with reverse()
        env.from_string("{{ url('customers:detail', -1) }}").render()
    with pytest.raises(NoReverseMatch):
        env.from_string("{{ url('customers:detail', 'x') }}").render()
    assert env.from_string("{{ url('customers:detail', '8') }}").render() == "/customers/8/"


@rule("PLT-5")
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_row_date_reads_as_djangos_date_filter_on_kehus_clock(language, settings):
    """The rows' date filter writes its two formats directly; the day is Kehu's (TIME_ZONE), so a
    moment just after midnight in Shanghai is that day, not the UTC day before."""
    import datetime

    from django.template.defaultfilters import date as django_date

    from kehu.core.jinja import environment

    env = environment()
    moment = datetime.datetime(2026, 3, 31, 16, 5, tzinfo=datetime.UTC)  # 00:05 on 1 April in Shanghai
    with translation.override(language):
        for value in (moment, datetime.date(987, 1, 2), datetime.datetime(2026, 12, 1, 9, 7)):
            for fmt in ("Y-m-d", "Y-m-d H:i", "Y年n月j日"):
                if fmt == "Y-m-d H:i" and type(value) is datetime.date:
                    continue
                shown = env.from_string("{{ v|date(fmt) }}").render(v=value, fmt=fmt)
                expected = django_date(value if not getattr(value, "tzinfo", None)
                                       else value.astimezone(datetime.timezone(datetime.timedelta(hours=8))), fmt)
                assert shown == expected
    assert env.from_string("{{ v|date }}").render(v=moment) == "2026-04-01"
    assert env.from_string("{{ v|date }}").render(v=None) == ""
