"""Forms of the collection and report pages. They only parse input: what an attempt or a
promise must satisfy is checked by receivables.services."""

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core import periods
from kehu.core.forms import BootstrapFormMixin
from kehu.core.reports import GroupBy, PeriodReportForm, ReportForm
from kehu.core.scopes import Scope, scope_of
from kehu.receivables.models import CollectionAttempt, Promise
from kehu.receivables.selectors import BUCKETS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Days far enough from any ledger that `as_of − 181 days` and the previous period stay valid dates.
EARLIEST, LATEST = date(1990, 1, 1), date(2999, 12, 31)

AGEING_GROUPS = GroupBy([("customer", _("customer")), ("owner", _("salesperson")), ("office", _("office")),
                         ("company", _("company"))])
RATE_GROUPS = GroupBy([("owner", _("salesperson")), ("office", _("office")), ("customer", _("customer"))])
# The periods the collection rate offers as buttons (core.periods has more).
RATE_PRESETS = ("this_month", "last_month", "this_quarter")


def default_group(user) -> str:
    """A salesperson reads their customers; everyone above reads their salespeople."""
    return "customer" if scope_of(user) == Scope.OWN else "owner"


def _in_range(day):
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(_("Choose a day from %(first)s to %(last)s.")
                                    % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()})
    return day


class AgeingForm(ReportForm):
    as_of = forms.DateField(label=_("as of"), required=False, widget=DATE)
    by = AGEING_GROUPS.field()

    def clean_as_of(self):
        return _in_range(self.cleaned_data.get("as_of"))


class DrillDownForm(AgeingForm):
    bucket = forms.ChoiceField(label=_("ageing bucket"), choices=[("", _("all open"))] + BUCKETS, required=False)
    key = forms.IntegerField(label=_("row"), required=False, min_value=1, max_value=2**62)


class RateForm(PeriodReportForm):
    preset = forms.ChoiceField(label=_("period"), choices=[("", "")] + periods.preset_choices(*RATE_PRESETS),
                               required=False)
    start = forms.DateField(label=_("due from"), required=False, widget=DATE)
    end = forms.DateField(label=_("due until"), required=False, widget=DATE)
    by = RATE_GROUPS.field()

    def clean_start(self):
        return _in_range(self.cleaned_data.get("start"))

    def clean_end(self):
        return _in_range(self.cleaned_data.get("end"))

    def period(self, today: date) -> tuple[date, date, str]:
        """(start, end, preset): a preset wins; dates typed fill in what they give; this
        month by default."""
        self.is_valid()
        preset = self.cleaned_data.get("preset") if not self.non_field_errors() else None
        if preset:
            return (*periods.presets(today, preset)[preset], preset)
        typed_start, typed_end = self.typed_period()
        start, end = periods.month_bounds(today)
        start, end = typed_start or start, typed_end or end
        if start > end:  # one day typed, the other defaulted past it: a one-day period
            start = end = typed_start or typed_end
        return start, end, periods.preset_named(start, end, today, *RATE_PRESETS)


class PromiseFilterForm(ReportForm):
    status = forms.ChoiceField(label=_("status"), choices=[("", _("all"))] + Promise.Status.choices, required=False)


class AttemptForm(BootstrapFormMixin, forms.Form):
    """AR-2: one attempt to collect; the promise's fields count when the outcome is
    "promised to pay" (the service says what is missing). The outcome has no default: a
    rushed log must not record a payment that did not happen."""

    channel = forms.ChoiceField(label=_("channel"), choices=CollectionAttempt.Channel.choices)
    outcome = forms.ChoiceField(label=_("outcome"), choices=[("", _("Choose the outcome"))]
                                + CollectionAttempt.Outcome.choices)
    invoice = forms.TypedChoiceField(label=_("invoice"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(label=_("note"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))
    made_on = forms.DateField(label=_("promise made on"), required=False, widget=DATE)
    promised_on = forms.DateField(label=_("promised payment date"), required=False, widget=DATE)
    promised_amount = forms.CharField(label=_("amount promised"), required=False, max_length=40)
    contact = forms.CharField(label=_("promised by (customer's contact)"), required=False, max_length=60,
                              help_text=_("Choose one of the customer's key people, or type a name."))
    keep_both = forms.BooleanField(label=_("Record this promise as well as the open one"), required=False)
    task = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args, invoices=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [("", _("(no particular invoice)"))] + [
            (i.pk, f"{i.number} · {i.due_on:%Y-%m-%d} · ¥{i.open_amount:,.2f}") for i in invoices]
        # The amount follows the invoice chosen (receivables/attempt.js reads these).
        self.open_amounts = {str(i.pk): f"{i.open_amount:.2f}" for i in invoices}
        self.fields["invoice"].widget.attrs["data-fill-amount"] = "invoice-open-amounts"
        today = timezone.localdate()
        earliest = today - timedelta(days=settings.KEHU_PROMISE_BACKDATE_DAYS)
        self.fields["made_on"].initial = today
        self.fields["made_on"].widget.attrs.update(min=earliest.isoformat(), max=today.isoformat())
        self.fields["promised_on"].widget.attrs["min"] = earliest.isoformat()
        # The promiser: the customer's key people offered, any other name typed.
        self.people = list(people)
        self.fields["contact"].widget.attrs.update({"list": "promiser-choices", "autocomplete": "off"})


class CancelPromiseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=200)
