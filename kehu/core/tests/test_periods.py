"""core.periods: the calendar arithmetic every report shares (INS-4)."""

from datetime import date

import pytest

from conftest import rule
from kehu.core import periods


@rule("INS-4")
@pytest.mark.parametrize(("bounds_of", "day", "bounds"), [
    (periods.month_bounds, date(2025, 1, 15), (date(2025, 1, 1), date(2025, 1, 31))),
    (periods.month_bounds, date(2025, 2, 1), (date(2025, 2, 1), date(2025, 2, 28))),
    (periods.month_bounds, date(2024, 2, 29), (date(2024, 2, 1), date(2024, 2, 29))),
    (periods.month_bounds, date(2025, 4, 30), (date(2025, 4, 1), date(2025, 4, 30))),
    (periods.month_bounds, date(2025, 12, 31), (date(2025, 12, 1), date(2025, 12, 31))),
    (periods.quarter_bounds, date(2025, 1, 1), (date(2025, 1, 1), date(2025, 3, 31))),
    (periods.quarter_bounds, date(2025, 3, 31), (date(2025, 1, 1), date(2025, 3, 31))),
    (periods.quarter_bounds, date(2025, 5, 20), (date(2025, 4, 1), date(2025, 6, 30))),
    (periods.quarter_bounds, date(2025, 8, 31), (date(2025, 7, 1), date(2025, 9, 30))),
    (periods.quarter_bounds, date(2025, 12, 31), (date(2025, 10, 1), date(2025, 12, 31))),
])
def test_it_bounds_months_and_quarters_in_leap_and_common_years(bounds_of, day, bounds):
    assert bounds_of(day) == bounds
    if bounds_of is periods.month_bounds:
        assert periods.month_end(day) == bounds[1]


@rule("INS-4")
def test_it_bounds_a_year():
    assert periods.year_bounds(date(2024, 2, 29)) == (date(2024, 1, 1), date(2024, 12, 31))


@rule("INS-4")
@pytest.mark.parametrize(("day", "months", "moved"), [
    (date(2025, 3, 31), -1, date(2025, 2, 28)),  # the 31st → the previous month's last day
    (date(2024, 3, 31), -1, date(2024, 2, 29)),  # leap year
    (date(2025, 5, 31), -1, date(2025, 4, 30)),
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2025, 1, 15), -1, date(2024, 12, 15)),  # across the year boundary
    (date(2024, 12, 31), 2, date(2025, 2, 28)),
    (date(2024, 2, 29), -12, date(2023, 2, 28)),
    (date(2025, 7, 10), 0, date(2025, 7, 10)),
    (date(2025, 1, 1), -25, date(2022, 12, 1)),
])
def test_it_moves_by_months_clamped_to_the_last_day_of_a_shorter_month(day, months, moved):
    assert periods.add_months(day, months) == moved


@rule("INS-4")
def test_it_finds_the_first_day_of_an_earlier_month_across_the_year_boundary():
    assert periods.month_start(date(2025, 2, 28)) == date(2025, 2, 1)
    assert periods.month_start(date(2025, 2, 28), 3) == date(2024, 11, 1)
    assert periods.month_start(date(2025, 1, 31), 1) == date(2024, 12, 1)
    assert periods.last_months(date(2025, 3, 15), 12) == (date(2024, 4, 1), date(2025, 3, 15))
    assert periods.last_months(date(2025, 12, 31), 12) == (date(2025, 1, 1), date(2025, 12, 31))


@rule("INS-4")
@pytest.mark.parametrize(("start", "end", "before"), [
    # whole months: as many whole months before (环比)
    (date(2025, 3, 1), date(2025, 3, 31), (date(2025, 2, 1), date(2025, 2, 28))),
    (date(2024, 3, 1), date(2024, 3, 31), (date(2024, 2, 1), date(2024, 2, 29))),
    (date(2025, 1, 1), date(2025, 1, 31), (date(2024, 12, 1), date(2024, 12, 31))),
    (date(2025, 4, 1), date(2025, 6, 30), (date(2025, 1, 1), date(2025, 3, 31))),
    (date(2025, 1, 1), date(2025, 12, 31), (date(2024, 1, 1), date(2024, 12, 31))),
    # other periods: as many days before
    (date(2025, 3, 10), date(2025, 3, 19), (date(2025, 2, 28), date(2025, 3, 9))),
    (date(2025, 1, 1), date(2025, 1, 1), (date(2024, 12, 31), date(2024, 12, 31))),
    (date(2025, 3, 1), date(2025, 3, 30), (date(2025, 1, 30), date(2025, 2, 28))),
])
def test_it_compares_with_the_period_just_before(start, end, before):
    assert periods.previous_period(start, end) == before


@rule("INS-4")
@pytest.mark.parametrize(("start", "end", "year_before"), [
    (date(2025, 3, 1), date(2025, 3, 31), (date(2024, 3, 1), date(2024, 3, 31))),
    (date(2024, 2, 1), date(2024, 2, 29), (date(2023, 2, 1), date(2023, 2, 28))),
    (date(2025, 2, 1), date(2025, 2, 28), (date(2024, 2, 1), date(2024, 2, 29))),  # whole month stays whole
    (date(2025, 1, 1), date(2025, 3, 31), (date(2024, 1, 1), date(2024, 3, 31))),
    (date(2024, 2, 10), date(2024, 2, 29), (date(2023, 2, 10), date(2023, 2, 28))),
    (date(2025, 1, 5), date(2025, 1, 20), (date(2024, 1, 5), date(2024, 1, 20))),
])
def test_it_compares_with_the_same_period_a_year_earlier(start, end, year_before):
    assert periods.same_period_last_year(start, end) == year_before


@rule("INS-4")
def test_it_names_the_presets_as_of_a_day():
    today = date(2025, 1, 31)
    assert periods.presets(today) == {
        "this_month": (date(2025, 1, 1), date(2025, 1, 31)),
        "last_month": (date(2024, 12, 1), date(2024, 12, 31)),
        "this_quarter": (date(2025, 1, 1), date(2025, 3, 31)),
        "last_quarter": (date(2024, 10, 1), date(2024, 12, 31)),
        "this_year": (date(2025, 1, 1), date(2025, 12, 31)),
        "last_year": (date(2024, 1, 1), date(2024, 12, 31)),
    }
    assert periods.presets(date(2024, 3, 31), "last_month") == {"last_month": (date(2024, 2, 1), date(2024, 2, 29))}
    assert [name for name, _label in periods.preset_choices("this_month", "this_quarter")] == [
        "this_month", "this_quarter"]


@rule("INS-4")
def test_it_tells_which_preset_a_period_is():
    today = date(2025, 5, 20)
    assert periods.preset_named(date(2025, 5, 1), date(2025, 5, 31), today) == "this_month"
    assert periods.preset_named(date(2025, 4, 1), date(2025, 6, 30), today, "this_month") == ""
    assert periods.preset_named(date(2025, 5, 2), date(2025, 5, 31), today) == ""
