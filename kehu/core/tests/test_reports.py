"""core.reports: the query-string form, period and "group by" every report page shares."""

from datetime import date

import pytest
from django import forms
from django.utils import translation

from conftest import rule
from kehu.core.reports import GroupBy, PeriodReportForm


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


GROUPS = GroupBy([("owner", "salesperson"), ("office", "office")])


class Form(PeriodReportForm):
    start = forms.DateField(label="from", required=False)
    end = forms.DateField(label="to", required=False)
    by = GROUPS.field()


@rule("INS-4")
def test_it_takes_the_first_group_by_default_and_labels_every_group():
    assert list(GROUPS) == [("owner", "salesperson"), ("office", "office")]
    assert GROUPS.default == "owner" and GroupBy(GROUPS.choices, default="office").default == "office"
    assert (GROUPS.label("office"), GROUPS.label("colour")) == ("office", "colour")
    assert Form({"by": "office"}).values({"by": GROUPS.default}) == {"by": "office"}


@rule("INS-4")
def test_it_replaces_a_bad_value_by_its_default_and_names_it():
    form = Form({"by": "colour", "start": "soon"})
    assert form.values({"by": GROUPS.default}) == {"by": "owner"}
    assert form.typed_period() == (None, None)
    assert [label for label, _error in form.problems()] == ["from", "group by"]


@rule("INS-4")
def test_it_refuses_a_period_that_ends_before_it_starts_as_a_whole():
    backwards = Form({"start": "2025-05-01", "end": "2025-04-01"})
    assert backwards.typed_period() == (None, None)
    assert backwards.problems() == [("period", "The period ends before it starts.")]
    assert Form({"start": "2025-04-01"}).typed_period() == (date(2025, 4, 1), None)
