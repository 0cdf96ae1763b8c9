"""Forms of the collection and report pages. They only parse input: what an attempt or a
promise must satisfy is checked by receivables.services."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.forms import BootstrapFormMixin
from kehu.core.scopes import Scope, scope_of
from kehu.receivables.models import CollectionAttempt, Promise
from kehu.receivables.selectors import BUCKETS, month_bounds

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Days far enough from any ledger that `as_of − 181 days` and the previous period stay valid dates.
EARLIEST, LATEST = date(1990, 1, 1), date(2999, 12, 31)

AGEING_GROUPS = [("customer", _("customer")), ("owner", _("salesperson")), ("office", _("office")),
                 ("company", _("company"))]
RATE_GROUPS = [("owner", _("salesperson")), ("office", _("office")), ("customer", _("customer"))]
PRESETS = [("this_month", _("This month")), ("last_month", _("Last month")), ("this_quarter", _("This quarter"))]


def default_group(user) -> str:
    """A salesperson reads their customers; everyone above reads their salespeople."""
    return "customer" if scope_of(user) == Scope.OWN else "owner"


def _in_range(day):
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(_("Choose a day from %(first)s to %(last)s.")
                                    % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()})
    return day


class ReportForm(BootstrapFormMixin, forms.Form):
    """A report's query string: a bad value is reported and replaced by its default."""

    def values(self, defaults: dict) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or default for name, default in defaults.items()}

    def problems(self) -> list[tuple[str, str]]:
        """(label, first error) of every value that was ignored."""
        self.is_valid()
        return [(str(self.fields[name].label) if name in self.fields else str(_("period")), errors[0])
                for name, errors in self.errors.items()]


class AgeingForm(ReportForm):
    as_of = forms.DateField(label=_("as of"), required=False, widget=DATE)
    by = forms.ChoiceField(label=_("group by"), choices=AGEING_GROUPS, required=False)

    def clean_as_of(self):
        return _in_range(self.cleaned_data.get("as_of"))


class DrillDownForm(AgeingForm):
    bucket = forms.ChoiceField(label=_("ageing bucket"), choices=[("", _("all open"))] + BUCKETS, required=False)
    key = forms.IntegerField(label=_("row"), required=False, min_value=1, max_value=2**62)


def presets(today: date) -> dict[str, tuple[date, date]]:
    this_start, this_end = month_bounds(today)
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    quarter_end = month_bounds(date(quarter_start.year, quarter_start.month + 2, 1))[1]
    return {"this_month": (this_start, this_end), "last_month": month_bounds(this_start - timedelta(days=1)),
            "this_quarter": (quarter_start, quarter_end)}


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before: whole months compare with as many months
    before (环比), other periods with as many days before."""
    if start.day == 1 and end == month_bounds(end)[1]:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        index = start.year * 12 + start.month - 1 - months
        return date(index // 12, index % 12 + 1, 1), start - timedelta(days=1)
    return start - (end - start) - timedelta(days=1), start - timedelta(days=1)


class RateForm(ReportForm):
    preset = forms.ChoiceField(label=_("period"), choices=[("", "")] + PRESETS, required=False)
    start = forms.DateField(label=_("due from"), required=False, widget=DATE)
    end = forms.DateField(label=_("due until"), required=False, widget=DATE)
    by = forms.ChoiceField(label=_("group by"), choices=RATE_GROUPS, required=False)

    def clean_start(self):
        return _in_range(self.cleaned_data.get("start"))

    def clean_end(self):
        return _in_range(self.cleaned_data.get("end"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def period(self, today: date) -> tuple[date, date, str]:
        """(start, end, preset): a preset wins; dates typed fill in what they give; this
        month by default."""
        self.is_valid()
        data = self.cleaned_data if not self.non_field_errors() else {}
        chosen = presets(today)
        if data.get("preset"):
            return (*chosen[data["preset"]], data["preset"])
        start, end = chosen["this_month"]
        start, end = data.get("start") or start, data.get("end") or end
        if start > end:  # one day typed, the other defaulted past it: a one-day period
            start = end = data.get("start") or data.get("end")
        named = next((name for name, bounds in chosen.items() if bounds == (start, end)), "")
        return start, end, named


class PromiseFilterForm(ReportForm):
    status = forms.ChoiceField(label=_("status"), choices=[("", _("all"))] + Promise.Status.choices, required=False)


class AttemptForm(BootstrapFormMixin, forms.Form):
    """AR-2: one attempt to collect; the promise's fields count when the outcome is
    "promised to pay" (the service says what is missing)."""

    channel = forms.ChoiceField(label=_("channel"), choices=CollectionAttempt.Channel.choices)
    outcome = forms.ChoiceField(label=_("outcome"), choices=CollectionAttempt.Outcome.choices)
    invoice = forms.TypedChoiceField(label=_("invoice"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(label=_("note"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))
    promised_on = forms.DateField(label=_("promised payment date"), required=False, widget=DATE)
    promised_amount = forms.CharField(label=_("amount promised"), required=False, max_length=40)
    contact = forms.CharField(label=_("promised by (customer's contact)"), required=False, max_length=60)
    task = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [("", _("(no particular invoice)"))] + [
            (i.pk, f"{i.number} · {i.due_on:%Y-%m-%d} · ¥{i.open_amount:,.2f}") for i in invoices]
        self.fields["promised_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class CancelPromiseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=200)
