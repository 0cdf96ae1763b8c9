"""Calendar periods of the reports (INS-4): month, quarter and year bounds, the named
presets a report offers ("this month", "last quarter"…), the period just before
(month-on-month 环比) and the same period a year earlier (year-on-year 同比).

Plain functions of dates returning (start, end) with both days included, so that every
report counts a period the same way. Month arithmetic clamps to the month's last day:
one month before 31 March is 29 February in a leap year, 28 February otherwise."""

from calendar import monthrange
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.errors import ValidationFailed

Period = tuple[date, date]


def day_input(value, *, field: str, label, default: date | None = None, required: bool = True) -> date | None:
    """A day as a service receives it (a date, or YYYY-MM-DD from a form, an import or the API):
    blank gives `default`, or None when not `required`; anything else that is not a day is
    refused with a message naming the field."""
    if value in (None, ""):
        if default is None and required:
            raise ValidationFailed(_("Enter the %(label)s.") % {"label": label}, field_errors={field: [_("Required.")]})
        return default
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(_("The %(label)s is not a date (YYYY-MM-DD).") % {"label": label},
                               field_errors={field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative: back), clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def month_start(day: date, months_before: int = 0) -> date:
    """The first day of the month `months_before` months before `day`'s month."""
    return add_months(day.replace(day=1), -months_before)


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def month_bounds(day: date) -> Period:
    return day.replace(day=1), month_end(day)


def quarter_bounds(day: date) -> Period:
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return start, month_end(add_months(start, 2))


def year_bounds(day: date) -> Period:
    return date(day.year, 1, 1), date(day.year, 12, 31)


def is_whole_months(start: date, end: date) -> bool:
    """From the first day of a month to the last day of a month (maybe another one)."""
    return start.day == 1 and end == month_end(end)


def months_in(start: date, end: date) -> int:
    """The calendar months from start's to end's, both counted."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def previous_period(start: date, end: date) -> Period:
    """The period of the same length just before (环比): whole months compare with as many
    whole months before, other periods with as many days before."""
    if is_whole_months(start, end):
        return month_start(start, months_in(start, end)), start - timedelta(days=1)
    return start - (end - start) - timedelta(days=1), start - timedelta(days=1)


def same_period_last_year(start: date, end: date) -> Period:
    """The same period a year earlier (同比): whole months stay whole months (February of a
    leap year compares with the 28 days of the February before); other days move back a
    year, 29 February to the 28th."""
    if is_whole_months(start, end):
        return add_months(start, -12), month_end(add_months(end, -12))
    return add_months(start, -12), add_months(end, -12)


def last_months(end: date, months: int) -> Period:
    """The `months` calendar months up to `end`, the month of `end` included: from the first
    day of the month `months − 1` before it."""
    return month_start(end, months - 1), end


# --- presets ---------------------------------------------------------------------------------------------

def _last_month(today: date) -> Period:
    return month_bounds(month_start(today, 1))


def _last_quarter(today: date) -> Period:
    return quarter_bounds(quarter_bounds(today)[0] - timedelta(days=1))


def _last_year(today: date) -> Period:
    return year_bounds(date(today.year - 1, 1, 1))


# name → (label, bounds of the period for a given today). A report offers some of them.
PRESETS = {
    "this_month": (_("This month"), month_bounds),
    "last_month": (_("Last month"), _last_month),
    "this_quarter": (_("This quarter"), quarter_bounds),
    "last_quarter": (_("Last quarter"), _last_quarter),
    "this_year": (_("This year"), year_bounds),
    "last_year": (_("Last year"), _last_year),
}


def preset_choices(*names: str) -> list[tuple[str, str]]:
    """[(name, label)] of the presets named (all of them without names), for a form's choices."""
    return [(name, PRESETS[name][0]) for name in (names or PRESETS)]


def presets(today: date, *names: str) -> dict[str, Period]:
    """name → (start, end) of the presets named (all without names), as of `today`."""
    return {name: PRESETS[name][1](today) for name in (names or PRESETS)}


def preset_named(start: date, end: date, today: date, *names: str) -> str:
    """The name of the preset that is exactly start..end, else ""."""
    return next((name for name, bounds in presets(today, *names).items() if bounds == (start, end)), "")


# --- money dates (AR-1, AR-4): back-dating window and closed periods ------------------------------------

def books_closed_through() -> date | None:
    """The last day of the closed periods (KEHU_BOOKS_CLOSED_THROUGH), or None."""
    return settings.KEHU_BOOKS_CLOSED_THROUGH


def check_money_date(day: date, *, field: str, label, today: date | None = None, window: bool = True) -> None:
    """AR-1, AR-4: the date of a payment, an invoice or a return is refused when it falls in a
    closed period (on or before KEHU_BOOKS_CLOSED_THROUGH) or, with `window`, more than
    KEHU_BACKDATE_DAYS days before today: money dated back changes collection rates and
    balances already reported; what was missed is posted as an adjusting entry dated today."""
    today = today or timezone.localdate()
    closed = books_closed_through()
    if closed is not None and day <= closed:
        raise ValidationFailed(
            gettext("The books are closed through %(closed)s: this %(label)s, dated %(day)s, falls in a closed "
                    "period. Post an adjusting entry dated today instead.")
            % {"closed": closed, "label": label, "day": day},
            field_errors={field: [gettext("After %(closed)s.") % {"closed": closed}]})
    earliest = today - timedelta(days=settings.KEHU_BACKDATE_DAYS)
    if window and day < earliest:
        raise ValidationFailed(
            gettext("This %(label)s is dated %(day)s, more than %(days)d days back (the earliest allowed is "
                    "%(earliest)s). Post an adjusting entry dated today instead.")
            % {"label": label, "day": day, "days": settings.KEHU_BACKDATE_DAYS, "earliest": earliest},
            field_errors={field: [gettext("%(earliest)s or later.") % {"earliest": earliest}]})
