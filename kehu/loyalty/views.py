"""Referral pages (REF-1, REF-2): thin — parse, call a selector or service, render."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kehu.core.access import require
from kehu.core.capabilities import user_can
from kehu.core.errors import UserInputError
from kehu.core.excel import Column, export_response
from kehu.core.filtering import filterset_for
from kehu.core.forms import apply_field_errors
from kehu.core.pagination import list_page
from kehu.core.periods import add_months
from kehu.core.reports import GroupBy, PeriodReportForm, bar_chart, warn_ignored
from kehu.core.views import post_step
from kehu.customers.selectors import customer_get_for_user
from kehu.loyalty import selectors, services
from kehu.loyalty.capabilities import RECORD_REFERRALS, WIN_BACK
from kehu.loyalty.filters import OPEN_STATES, YES_NO, DefectionFilter, ReferralFilter
from kehu.loyalty.forms import AttemptForm, OutcomeForm, ReasonForm, ReferralForm, ThankForm
from kehu.loyalty.models import Referral


def _filtered(request):
    return filterset_for(request, ReferralFilter, selectors.referrals_visible_to(request.user))


@login_required
def referral_list(request):
    filterset = _filtered(request)
    page = list_page(request, filterset.qs, rows=selectors.referral_list_rows(), generation=selectors.REFERRAL_LIST)
    return render(request, "loyalty/referral_list.html", {
        "filter": filterset, "page": page, "can_record": user_can(request.user, RECORD_REFERRALS),
        "outcomes": Referral.Outcome.choices[1:], "yes_no": YES_NO})


def _day(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


EXPORT_COLUMNS = [
    Column(gettext_lazy("referred at"), lambda r: _day(r.created_at)),
    Column(gettext_lazy("referred by"), "referrer.name"),
    Column(gettext_lazy("key person who referred"), "referrer_person.name"),
    Column(gettext_lazy("referred prospect"), "referred.name"),
    Column(gettext_lazy("owner"), "referred.owner.display_name"),
    Column(gettext_lazy("contacted"), lambda r: _("yes") if r.contacted else _("no")),
    Column(gettext_lazy("flagged as not contacted at"), lambda r: _day(r.flagged_at)),
    Column(gettext_lazy("outcome"), lambda r: r.get_outcome_display()),
    Column(gettext_lazy("thanked on"), lambda r: r.thank_touch.on.isoformat() if r.thank_touch else ""),
]


@login_required
def referral_export(request):
    return export_response(_filtered(request).qs, EXPORT_COLUMNS, sheet_name=_("Referrals"), filename="referrals")


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request, pk):
    referrer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, RECORD_REFERRALS, _("Your role does not record referrals."))
    form = ReferralForm(request.POST or None, referrer=referrer)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "category", "phone", "address") if form.cleaned_data[k]}
        try:
            referral = services.referral_create(by=request.user, referrer=referrer, data=data,
                                                referrer_person=form.cleaned_data["referrer_person"],
                                                to_pool=form.cleaned_data["to_pool"],
                                                on_duplicate=request.POST.get("on_duplicate") or None)
        except UserInputError as exc:
            apply_field_errors(form, exc)
        else:
            messages.success(request, _("Referral recorded: contact %(name)s quickly.") % {"name": referral.referred.name})
            return redirect("loyalty:referral_list")
    return render(request, "loyalty/referral_form.html", {"form": form, "referrer": referrer})


@login_required
@require_POST
def referral_outcome(request, pk):
    referral = selectors.referral_get_for_user(user=request.user, pk=pk)
    require(request.user, RECORD_REFERRALS, _("Your role does not record referrals."))
    return post_step(request, OutcomeForm(request.POST),
                     lambda data: services.referral_outcome(by=request.user, referral=referral, outcome=data["outcome"]),
                     done=_("Outcome recorded: now tell the referrer and thank them."), back="loyalty:referral_list")


@login_required
@require_POST
def referral_thank(request, pk):
    referral = selectors.referral_get_for_user(user=request.user, pk=pk)
    require(request.user, RECORD_REFERRALS, _("Your role does not record referrals."))
    return post_step(request, ThankForm(request.POST),
                     lambda data: services.referral_thank(by=request.user, referral=referral, kind=data["kind"],
                                                          notes=data["notes"]),
                     done=_("The thank-you is logged as a touch with the referrer."), back="loyalty:referral_list")


# --- conversion and ambassadors (REF-3) -------------------------------------------------------------------------

CONVERSION_GROUPS = GroupBy([("referrer", gettext_lazy("referrer (ambassadors)")),
                             ("owner", gettext_lazy("salesperson"))])


class ConversionForm(PeriodReportForm):
    start = forms.DateField(label=pgettext_lazy("date range", "from"), required=False)
    end = forms.DateField(label=pgettext_lazy("date range", "to"), required=False)
    by = CONVERSION_GROUPS.field()


def _conversion(request):
    form = ConversionForm(request.GET)
    today = timezone.localdate()
    values = form.values({"start": today.replace(month=1, day=1), "end": today, "by": CONVERSION_GROUPS.default})
    warn_ignored(request, form)
    rows = selectors.referral_conversion(request.user, start=values["start"], end=values["end"], by=values["by"])
    return form, values, rows


@login_required
def ambassadors(request):
    form, values, rows = _conversion(request)
    return render(request, "loyalty/ambassadors.html", {
        "form": form, "values": values, "rows": rows, "total": selectors.conversion_total(rows), "groups": CONVERSION_GROUPS,
        "export_url": reverse("loyalty:ambassadors_export") + "?" + request.GET.urlencode()})


CONVERSION_COLUMNS = [
    Column(gettext_lazy("name"), "name"), Column(gettext_lazy("referrals"), "referrals"), Column(gettext_lazy("became customers"), "won"),
    Column(gettext_lazy("conversion %"), "rate"), Column(gettext_lazy("what their referrals bought"), "value"),
]


@login_required
def ambassadors_export(request):
    _form, _values, rows = _conversion(request)
    return export_response(rows, CONVERSION_COLUMNS, sheet_name=_("Ambassadors"), filename="ambassadors")


# --- lost customers and win-back (WIN-1, WIN-2) -------------------------------------------------------------------

DEFECTION_DEFAULTS = {"state": OPEN_STATES}


def _defections(request):
    return filterset_for(request, DefectionFilter, selectors.defections_visible_to(request.user),
                         defaults=DEFECTION_DEFAULTS)


@login_required
def defection_list(request):
    filterset = _defections(request)
    page = list_page(request, filterset.qs, rows=selectors.defection_list_rows(), generation=selectors.DEFECTION_LIST)
    return render(request, "loyalty/defection_list.html", {"filter": filterset, "page": page})


DEFECTION_COLUMNS = [
    Column(gettext_lazy("customer code"), "customer.code"),
    Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("grade 等级"), "customer.grade"),
    Column(gettext_lazy("owner"), "customer.owner.display_name"),
    Column(pgettext_lazy("lost customer", "state"), lambda d: d.get_state_display()),
    Column(gettext_lazy("at risk since"), "at_risk_on"),
    Column(gettext_lazy("lost since"), "lost_on"),
    Column(gettext_lazy("last purchase"), "last_purchase_on"),
    Column(gettext_lazy("expected days between purchases"), "expected_days"),
    Column(gettext_lazy("lost value (a year's purchases)"), "lost_value"),
    Column(gettext_lazy("reason"), lambda d: d.get_reason_display()),
    Column(gettext_lazy("note on the reason"), "reason_note"),
    Column(gettext_lazy("no longer at risk since"), "ended_on"),
]


@login_required
def defection_export(request):
    return export_response(_defections(request).qs, DEFECTION_COLUMNS, sheet_name=_("Lost customers"),
                           filename="lost-customers")


def _defection_page(request, defection, *, reason_form=None, attempt_form=None, status=200):
    can = user_can(request.user, WIN_BACK)
    return render(request, "loyalty/defection_detail.html", {
        "d": defection, "attempts": selectors.attempts_of(defection), "can_win_back": can and defection.is_open,
        "reason_form": reason_form or ReasonForm(initial={"reason": defection.reason,
                                                          "reason_note": defection.reason_note}),
        "attempt_form": attempt_form or AttemptForm(initial={"on": timezone.localdate()}),
    }, status=status)


@login_required
def defection_detail(request, pk):
    return _defection_page(request, selectors.defection_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def defection_reason(request, pk):
    defection = selectors.defection_get_for_user(user=request.user, pk=pk)
    require(request.user, WIN_BACK, _("Your role does not record why customers were lost."))
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.defection_reason_set(by=request.user, defection=defection, reason=form.cleaned_data["reason"],
                                          note=form.cleaned_data["reason_note"])
        except UserInputError as exc:
            apply_field_errors(form, exc)
        else:
            messages.success(request, _("Reason recorded."))
            return redirect("loyalty:defection_detail", defection.pk)
    return _defection_page(request, defection, reason_form=form, status=400)


@login_required
@require_POST
def defection_attempt(request, pk):
    defection = selectors.defection_get_for_user(user=request.user, pk=pk)
    require(request.user, WIN_BACK, _("Your role does not try to win customers back."))
    form = AttemptForm(request.POST)
    if form.is_valid():
        try:
            services.win_back_attempt_record(by=request.user, defection=defection, **form.cleaned_data)
        except UserInputError as exc:
            apply_field_errors(form, exc)
        else:
            messages.success(request, _("Win-back attempt recorded."))
            return redirect("loyalty:defection_detail", defection.pk)
    return _defection_page(request, defection, attempt_form=form, status=400)


class WinBackReportForm(PeriodReportForm):
    start = forms.DateField(label=pgettext_lazy("date range", "from"), required=False)
    end = forms.DateField(label=pgettext_lazy("date range", "to"), required=False)


def _win_back(request):
    form = WinBackReportForm(request.GET)
    today = timezone.localdate()
    values = form.values({"start": add_months(today.replace(day=1), -11), "end": today})
    warn_ignored(request, form)
    months = selectors.win_back_by_month(request.user, start=values["start"], end=values["end"])
    people = selectors.won_back_by_salesperson(request.user, start=values["start"], end=values["end"])
    return form, values, months, people


@login_required
def win_back_report(request):
    form, values, months, people = _win_back(request)
    chart = bar_chart([m.month.strftime("%Y-%m") for m in months],
                      [(_("lost value"), [m.lost_value for m in months]),
                       (_("won-back value"), [m.won_value for m in months])], colors=["#dc3545", "#198754"])
    totals = {"lost": sum(m.lost for m in months), "won": sum(m.won for m in months),
              "lost_value": sum((m.lost_value for m in months), Decimal("0.00")),
              "won_value": sum((m.won_value for m in months), Decimal("0.00"))}
    return render(request, "loyalty/win_back_report.html", {
        "form": form, "values": values, "months": months, "people": people, "totals": totals, "chart": chart,
        "export_url": reverse("loyalty:win_back_export") + "?" + request.GET.urlencode()})


WIN_BACK_COLUMNS = [
    Column(pgettext_lazy("calendar", "month"), lambda m: m.month.strftime("%Y-%m")),
    Column(gettext_lazy("customers lost"), "lost"), Column(gettext_lazy("lost value"), "lost_value"),
    Column(gettext_lazy("customers won back"), "won"), Column(gettext_lazy("won-back value"), "won_value"),
]


@login_required
def win_back_export(request):
    _form, _values, months, _people = _win_back(request)
    return export_response(months, WIN_BACK_COLUMNS, sheet_name=_("Lost and won back"), filename="win-back")
