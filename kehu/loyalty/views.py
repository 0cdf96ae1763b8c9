"""Referral pages (REF-1, REF-2): thin — parse, call a selector or service, render."""

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
from kehu.core.reports import GroupBy, PeriodReportForm, warn_ignored
from kehu.core.views import post_step
from kehu.customers.selectors import customer_get_for_user
from kehu.loyalty import selectors, services
from kehu.loyalty.capabilities import RECORD_REFERRALS
from kehu.loyalty.filters import YES_NO, ReferralFilter
from kehu.loyalty.forms import OutcomeForm, ReferralForm, ThankForm
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
