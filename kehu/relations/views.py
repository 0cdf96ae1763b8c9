"""Pages of keeping in touch (REL-1, REL-2): the touch list and its export, logging a touch
(the form, and the one-tap visit of the 360° page), a touch, the customers due and overdue
for a contact and, for managers, the cadence adherence per salesperson and office; the daily
work plan, its print and the weekly planned-versus-done report."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.selectors import owner_choices_for
from kehu.core import periods
from kehu.core.access import require
from kehu.core.capabilities import user_can
from kehu.core.errors import UserInputError
from kehu.core.excel import Column, export_response
from kehu.core.filtering import filterset_for
from kehu.core.forms import apply_field_errors
from kehu.core.money import ZERO
from kehu.core.pagination import list_page
from kehu.core.registry import DueSource, registry
from kehu.core.reports import PeriodReportForm, link, warn_ignored
from kehu.core.views import next_url
from kehu.customers.selectors import customer_get_for_user
from kehu.relations import selectors, services
from kehu.relations.capabilities import (
    FILE_MARKET_REPORTS,
    HANDLE_MARKET_REPORTS,
    LOG_TOUCHES,
    PLAN_DEALER_SUPPORT,
    RECORD_DEALER_CHECKS,
    SEE_ADHERENCE,
)
from kehu.relations.filters import (
    MARKET_STATUSES,
    DealerCheckFilter,
    MarketReportFilter,
    SupportPlanFilter,
    TouchFilter,
)
from kehu.relations.forms import (
    DealerCheckForm,
    FamilyOccasionForm,
    MarketActionForm,
    MarketReportForm,
    SupportDoneForm,
    SupportItemForm,
    SupportPlanForm,
    TouchForm,
)
from kehu.relations.models import (
    CadencePolicy,
    MarketReportKind,
    PaymentBehaviour,
    RangeCarried,
    StockLevel,
    TouchKind,
)


def _touches(request):
    return filterset_for(request, TouchFilter, selectors.touches_visible_to(request.user))


@login_required
@require_GET
def touch_list(request):
    """REL-2: the touches of the user's scope, newest first, filtered by kind, day and who."""
    filterset = _touches(request)
    return render(request, "relations/touch_list.html", {
        "filter": filterset,
        "page": list_page(request, filterset.qs, rows=selectors.touch_list_rows(), generation=services.TOUCH_LIST),
        "kind_choices": TouchKind.choices, "owner_choices": owner_choices_for(request.user),
        "can_log": user_can(request.user, LOG_TOUCHES), "can_see_adherence": user_can(request.user, SEE_ADHERENCE),
    })


TOUCH_EXPORT = [
    Column(gettext_lazy("date of the touch"), "on"), Column(gettext_lazy("customer code"), "customer.code"),
    Column(gettext_lazy("customer"), "customer.name"), Column(gettext_lazy("kind of touch"), "get_kind_display"),
    Column(gettext_lazy("purpose"), "purpose"), Column(gettext_lazy("notes"), "notes"),
    Column(gettext_lazy("next step"), "next_step"), Column(gettext_lazy("next step by"), "next_step_on"),
    Column(gettext_lazy("salesperson"), "by.display_name"),
    Column(gettext_lazy("latitude"), "latitude"), Column(gettext_lazy("longitude"), "longitude"),
]


@login_required
@require_GET
def touch_export(request):
    return export_response(_touches(request).qs, TOUCH_EXPORT, sheet_name=_("Touches"), filename="touches")


@login_required
@require_GET
def touch_detail(request, pk):
    touch = selectors.touch_get_for_user(user=request.user, pk=pk)
    return render(request, "relations/touch_detail.html", {"touch": touch})


@login_required
@require_http_methods(["GET", "POST"])
def touch_create(request, pk):
    """REL-2: log a touch with the customer (a phone at 390 px: the kinds are big buttons, the
    purpose and Save above the fold)."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, LOG_TOUCHES, _("Your role does not log touches with customers."))
    back = next_url(request) or reverse("customers:detail", args=[customer.pk]) + "?tab=service"
    form = TouchForm(request.POST if request.method == "POST" else None,
                     initial={"next": (request.GET.get("next") or "")[:500],
                              "kind": request.GET.get("kind") if request.GET.get("kind") in TouchKind.values
                              else TouchKind.VISIT})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            touch = services.touch_record(
                by=request.user, customer=customer, kind=data["kind"], on=data["on"], purpose=data["purpose"],
                notes=data["notes"], next_step=data["next_step"], next_step_on=data["next_step_on"],
                location_consent=data["location_consent"], latitude=data["latitude"], longitude=data["longitude"])
        except UserInputError as exc:
            apply_field_errors(form, exc)
            if exc.field_errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(kind)s with %(name)s logged for %(on)s.") % {
                "kind": touch.get_kind_display(), "name": customer.name, "on": touch.on.isoformat()})
            return redirect(back)
    return render(request, "relations/touch_form.html", {
        "customer": customer, "form": form, "back": back,
        "recent": selectors.latest_touches_of(customer, limit=5)})


@login_required
@require_POST
def visit_quick(request, pk):
    """REL-2: "visited, all fine" from the 360° page in one tap: a visit today with the usual purpose."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, LOG_TOUCHES, _("Your role does not log touches with customers."))
    back = next_url(request) or reverse("customers:detail", args=[customer.pk])
    try:
        touch = services.visit_record(by=request.user, customer=customer)
    except UserInputError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Visit to %(name)s logged for %(on)s.") % {
            "name": customer.name, "on": touch.on.isoformat()})
    return redirect(back)


# --- cadence (REL-1) ---------------------------------------------------------------------------------------------

CADENCE_STATUSES = [("overdue", gettext_lazy("Overdue")), ("due", pgettext_lazy("contact", "Due"))]
GRADES = [("A", "A"), ("B", "B"), ("C", "C")]


def _due_rows(request):
    """The due and overdue customers the filters ask for: a salesperson's own (their scope), a
    manager's of one salesperson or all in scope. A salesperson outside the scope is refused
    (an empty list and a message), a bad status or grade named and ignored (core.filtering)."""
    owners = dict(owner_choices_for(request.user))
    owner, status, grade = (request.GET.get(k, "").strip() for k in ("owner", "status", "grade"))
    owner_ids = None
    if owner:
        if not owner.isdigit() or int(owner) not in owners:
            messages.error(request, _("That salesperson is not in your scope: nothing is shown."))
            return [], owner, status, grade
        owner_ids = [int(owner)]
    if status and status not in dict(CADENCE_STATUSES):
        messages.warning(request, _("Unknown status “%(value)s” ignored.") % {"value": status[:40]})
        status = ""
    if grade and grade not in dict(GRADES):
        messages.warning(request, _("Unknown grade “%(value)s” ignored.") % {"value": grade[:40]})
        grade = ""
    rows = selectors.due_customers(request.user, today=timezone.localdate(), owner_ids=owner_ids, status=status,
                                   grade=grade)
    return rows, owner, status, grade


@login_required
@require_GET
def due_list(request):
    """REL-1: who is due and who is overdue for a contact today, the longest overdue first."""
    rows, owner, status, grade = _due_rows(request)
    return render(request, "relations/due_list.html", {
        "page": Paginator(rows, 50).get_page(request.GET.get("page")), "count": len(rows),
        "overdue": sum(r.status == "overdue" for r in rows), "today": timezone.localdate(),
        "owner": owner, "status": status, "grade": grade, "owner_choices": owner_choices_for(request.user),
        "status_choices": CADENCE_STATUSES, "grade_choices": GRADES, "policy": CadencePolicy.current(),
        "can_log": user_can(request.user, LOG_TOUCHES), "can_see_adherence": user_can(request.user, SEE_ADHERENCE),
        "next_here": request.get_full_path(),
    })


DUE_EXPORT = [
    Column(gettext_lazy("customer code"), "customer.code"), Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("grade 等级"), "customer.grade"), Column(gettext_lazy("salesperson"), "customer.owner.display_name"),
    Column(gettext_lazy("office"), "customer.office.name"), Column(gettext_lazy("Last contact"), "last_on"),
    Column(gettext_lazy("contact due on"), "due_on"), Column(gettext_lazy("days overdue"), "days_late"),
    Column(gettext_lazy("status"), lambda r: str(dict(CADENCE_STATUSES)[r.status])),
]


@login_required
@require_GET
def due_export(request):
    rows, *_rest = _due_rows(request)
    return export_response(rows, DUE_EXPORT, sheet_name=_("Due and overdue"), filename="contacts-due")


def _adherence(request):
    require(request.user, SEE_ADHERENCE, _("Cadence adherence is for managers."))
    by = request.GET.get("by", "owner")
    if by not in ("owner", "office"):
        messages.warning(request, _("Unknown grouping “%(value)s” ignored.") % {"value": by[:40]})
        by = "owner"
    rows, total = selectors.adherence(request.user, today=timezone.localdate(), by=by)
    return rows, total, by


@login_required
@require_GET
def adherence(request):
    """REL-1 for a manager: per salesperson or office, the share of customers contacted within
    their cadence."""
    rows, total, by = _adherence(request)
    return render(request, "relations/adherence.html", {
        "rows": rows, "total": total, "by": by, "policy": CadencePolicy.current(), "can_see_adherence": True,
        "groups": [("owner", _("per salesperson")), ("office", _("per office"))],
    })


ADHERENCE_EXPORT = [
    Column(gettext_lazy("salesperson or office"), "name"), Column(gettext_lazy("number of customers"), "customers"),
    Column(gettext_lazy("contacted within the cadence"), "within"), Column(gettext_lazy("customers overdue"), "overdue"),
    Column(gettext_lazy("share within the cadence"), "share"),
]


@login_required
@require_GET
def adherence_export(request):
    rows, total, _by = _adherence(request)
    return export_response([*rows, total], ADHERENCE_EXPORT, sheet_name=_("Cadence adherence"),
                           filename="cadence-adherence")


# --- the daily work plan (REL-4) ---------------------------------------------------------------------------------

def _day_asked(request):
    """`?day=` (YYYY-MM-DD), today when absent; a bad day is named and today shown instead."""
    today = timezone.localdate()
    value = request.GET.get("day", "").strip()
    if not value:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        messages.warning(request, _("“%(value)s” is not a day (YYYY-MM-DD): today is shown.") % {"value": value[:20]})
        return today


def _plan_context(request):
    day = _day_asked(request)
    entries = services.plan_for(request.user, day)
    labels = {source.key: source.label for source in registry.of(DueSource)}
    groups = {}
    for entry in entries:
        groups.setdefault(entry.source, []).append(entry)
    return {"day": day, "today": timezone.localdate(), "entries": entries,
            "groups": [(labels.get(key, key), items) for key, items in groups.items()],
            "done": sum(e.done_at is not None for e in entries),
            "previous": day - timedelta(days=1), "following": day + timedelta(days=1),
            "can_log": user_can(request.user, LOG_TOUCHES), "can_see_adherence": user_can(request.user, SEE_ADHERENCE),
            "next_here": request.get_full_path()}


@login_required
@require_GET
def plan(request):
    """REL-4: the user's work plan of a day (today by default): everything due, gathered from
    every app, ticked off as it is done."""
    return render(request, "relations/plan.html", _plan_context(request))


@login_required
@require_GET
def plan_print(request):
    return render(request, "relations/plan_print.html", _plan_context(request))


@login_required
@require_POST
def plan_tick(request, pk):
    done = request.POST.get("done") == "1"
    entry = services.plan_tick(by=request.user, pk=pk, done=done)
    back = next_url(request) or reverse("relations:plan") + f"?day={entry.day.isoformat()}"
    return redirect(back)


@login_required
@require_POST
def plan_move(request, pk):
    entry = services.plan_move(by=request.user, pk=pk, up=request.POST.get("direction") != "down")
    return redirect(next_url(request) or reverse("relations:plan") + f"?day={entry.day.isoformat()}")


def _week(request):
    """The week (Monday to Sunday) holding `?week=`, this week by default."""
    day = timezone.localdate()
    value = request.GET.get("week", "").strip()
    if value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            messages.warning(request, _("“%(value)s” is not a day (YYYY-MM-DD): this week is shown.")
                             % {"value": value[:20]})
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


@login_required
@require_GET
def plan_weekly(request):
    """REL-4: planned versus done per salesperson for a week."""
    start, end = _week(request)
    rows = selectors.planned_vs_done(request.user, start=start, end=end)
    return render(request, "relations/plan_weekly.html", {
        "rows": rows, "start": start, "start_iso": start.isoformat(), "end": end, "previous": start - timedelta(days=7),
        "following": start + timedelta(days=7), "can_see_adherence": user_can(request.user, SEE_ADHERENCE)})


PLAN_WEEK_EXPORT = [
    Column(gettext_lazy("salesperson"), "name"), Column(gettext_lazy("items planned"), "planned"),
    Column(pgettext_lazy("plan items", "done"), "done"), Column(gettext_lazy("share done"), "share"),
]


@login_required
@require_GET
def plan_weekly_export(request):
    start, end = _week(request)
    return export_response(selectors.planned_vs_done(request.user, start=start, end=end), PLAN_WEEK_EXPORT,
                           sheet_name=_("Planned and done"), filename=f"plan-{start.isoformat()}")


# --- market information (REL-5) ----------------------------------------------------------------------------------

def _market_reports(request):
    return filterset_for(request, MarketReportFilter, selectors.market_reports_visible_to(request.user))


@login_required
@require_GET
def market_list(request):
    """REL-5: the market information of the user's scope, newest first: a salesperson's own, a
    manager's office's, with its status (not read, read, acted on)."""
    filterset = _market_reports(request)
    return render(request, "relations/market_list.html", {
        "filter": filterset,
        "page": list_page(request, filterset.qs, rows=selectors.market_list_rows(), generation=selectors.MARKET_LIST),
        "kind_choices": MarketReportKind.choices, "status_choices": MARKET_STATUSES,
        "owner_choices": owner_choices_for(request.user),
        "can_file": user_can(request.user, FILE_MARKET_REPORTS),
        "can_handle": user_can(request.user, HANDLE_MARKET_REPORTS),
        "can_see_adherence": user_can(request.user, SEE_ADHERENCE),
    })


MARKET_EXPORT = [
    Column(gettext_lazy("reported at"), "created_at"), Column(gettext_lazy("kind of information"), "get_kind_display"),
    Column(gettext_lazy("reported by"), "by.display_name"), Column(gettext_lazy("office"), "office.name"),
    Column(gettext_lazy("customer code"), "customer.code"), Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("what was learnt"), "text"), Column(gettext_lazy("read at"), "read_at"),
    Column(gettext_lazy("read by"), "read_by.display_name"), Column(gettext_lazy("acted on at"), "acted_at"),
    Column(gettext_lazy("acted on by"), "acted_by.display_name"), Column(gettext_lazy("what was done"), "action_note"),
]


@login_required
@require_GET
def market_export(request):
    return export_response(_market_reports(request).qs, MARKET_EXPORT, sheet_name=_("Market information"),
                           filename="market-information")


@login_required
@require_http_methods(["GET", "POST"])
def market_create(request):
    """REL-5: file market information, about a customer of one's scope or none."""
    require(request.user, FILE_MARKET_REPORTS, _("Your role does not file market information."))
    customer = None
    customer_id = (request.POST.get("customer") or request.GET.get("customer") or "").strip()
    if customer_id:
        customer = customer_get_for_user(user=request.user, pk=customer_id if customer_id.isdigit() else 0)
    form = MarketReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.market_report_file(by=request.user, customer=customer, **form.cleaned_data)
        except UserInputError as exc:
            apply_field_errors(form, exc)
            if not exc.field_errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Sent to your office."))
            return redirect(report.get_absolute_url())
    return render(request, "relations/market_form.html", {"form": form, "customer": customer})


@login_required
@require_GET
def market_detail(request, pk):
    report = selectors.market_report_get_for_user(user=request.user, pk=pk)
    return render(request, "relations/market_detail.html", {
        "report": report, "can_handle": user_can(request.user, HANDLE_MARKET_REPORTS),
        "action_form": MarketActionForm()})


@login_required
@require_POST
def market_read(request, pk):
    report = selectors.market_report_get_for_user(user=request.user, pk=pk)
    services.market_report_read(by=request.user, report=report)
    return redirect(report.get_absolute_url())


@login_required
@require_POST
def market_act(request, pk):
    report = selectors.market_report_get_for_user(user=request.user, pk=pk)
    require(request.user, HANDLE_MARKET_REPORTS, _("Your role does not handle market information."))
    form = MarketActionForm(request.POST)
    if form.is_valid():
        try:
            services.market_report_act(by=request.user, report=report, note=form.cleaned_data["note"])
        except UserInputError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Noted what was done."))
            return redirect(report.get_absolute_url())
    return render(request, "relations/market_detail.html", {"report": report, "can_handle": True,
                                                            "action_form": form}, status=200)


MARKET_PRESETS = ("this_month", "last_month", "this_quarter", "last_quarter", "this_year")


class MarketCountForm(PeriodReportForm):
    preset = forms.ChoiceField(label=gettext_lazy("period"), choices=[("", "")] + periods.preset_choices(*MARKET_PRESETS),
                               required=False)
    start = forms.DateField(label=gettext_lazy("reported from"), required=False)
    end = forms.DateField(label=gettext_lazy("reported until"), required=False)


def _market_counts(request):
    require(request.user, HANDLE_MARKET_REPORTS, _("Your role does not see the counts of market information."))
    form = MarketCountForm(request.GET)
    warn_ignored(request, form)
    today = timezone.localdate()
    values = form.values({"preset": "", "start": None, "end": None})
    if values["preset"]:
        start, end = periods.presets(today, values["preset"])[values["preset"]]
    else:
        start, end = periods.month_bounds(today)
        start, end = values["start"] or start, values["end"] or end
        if start > end:
            start = end = values["start"] or values["end"]
    rows, total = selectors.market_counts(request.user, start=start, end=end)
    return {"rows": rows, "total": total, "start": start, "end": end,
            "preset": periods.preset_named(start, end, today, *MARKET_PRESETS)}


@login_required
@require_GET
def market_counts(request):
    """REL-5 for a manager: how much market information each salesperson filed in a period, by
    kind, and how much was acted on."""
    context = _market_counts(request)
    context.update(presets=periods.preset_choices(*MARKET_PRESETS), kinds=MarketReportKind.choices,
                   can_see_adherence=user_can(request.user, SEE_ADHERENCE),
                   export_url=link("relations:market_counts_export", start=context["start"].isoformat(),
                                   end=context["end"].isoformat()))
    return render(request, "relations/market_counts.html", context)


@login_required
@require_GET
def market_counts_export(request):
    context = _market_counts(request)
    columns = [Column(gettext_lazy("salesperson"), "name"), Column(gettext_lazy("office"), "office"),
               Column(gettext_lazy("reports filed"), "total"), Column(gettext_lazy("acted on"), "acted"),
               *(Column(label, lambda row, kind=value: row.kinds.get(kind, 0)) for value, label in MarketReportKind.choices)]
    rows = [*context["rows"], context["total"]]
    return export_response(rows, columns, sheet_name=_("Market information"),
                           filename=f"market-information-{context['start']:%Y%m%d}-{context['end']:%Y%m%d}")


# --- dealer checks (REL-6) ---------------------------------------------------------------------------------------

def _dealer_checks(request):
    return filterset_for(request, DealerCheckFilter, selectors.dealer_checks_visible_to(request.user))


@login_required
@require_GET
def check_list(request):
    """REL-6: the dealer checks of the user's scope, the latest month first."""
    filterset = _dealer_checks(request)
    return render(request, "relations/check_list.html", {
        "filter": filterset,
        "page": list_page(request, filterset.qs, rows=selectors.dealer_check_rows(),
                          generation=services.DEALER_CHECK_LIST),
        "range_choices": RangeCarried.choices, "stock_choices": StockLevel.choices,
        "payment_choices": PaymentBehaviour.choices, "owner_choices": owner_choices_for(request.user),
        "can_see_adherence": user_can(request.user, SEE_ADHERENCE),
    })


CHECK_EXPORT = [
    Column(gettext_lazy("month checked"), lambda c: f"{c.month:%Y-%m}"),
    Column(gettext_lazy("customer code"), "customer.code"), Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("sales growth %"), "sales_growth"), Column(gettext_lazy("our share of their sales %"), "our_share"),
    Column(gettext_lazy("range carried"), "get_range_carried_display"),
    Column(gettext_lazy("focus products pushed"), "focus_pushed"),
    Column(gettext_lazy("display place"), "display_place"), Column(gettext_lazy("display space"), "display_space"),
    Column(gettext_lazy("display height"), "display_height"), Column(gettext_lazy("stock level"), "get_stock_level_display"),
    Column(gettext_lazy("products out of stock"), "stock_outs"),
    Column(gettext_lazy("takes part in our promotions"), "in_promotion"),
    Column(gettext_lazy("payment behaviour"), "get_payment_display"), Column(gettext_lazy("note"), "note"),
    Column(gettext_lazy("checked by"), "by.display_name"),
]


@login_required
@require_GET
def check_export(request):
    return export_response(_dealer_checks(request).qs, CHECK_EXPORT, sheet_name=_("Dealer checks"),
                           filename="dealer-checks")


@login_required
@require_http_methods(["GET", "POST"])
def check_create(request, pk):
    """REL-6: record this month's (or an earlier month's) check of a dealer of one's scope."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, RECORD_DEALER_CHECKS, _("Your role does not record dealer checks."))
    form = DealerCheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.dealer_check_record(by=request.user, customer=customer, **form.cleaned_data)
        except UserInputError as exc:
            apply_field_errors(form, exc)
            if exc.field_errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Check of %(name)s for %(month)s recorded.") % {
                "name": customer.name, "month": f"{check.month:%Y-%m}"})
            return redirect(check.get_absolute_url())
    return render(request, "relations/check_form.html", {
        "customer": customer, "form": form, "trend": selectors.dealer_trend(customer, limit=3)})


@login_required
@require_GET
def check_detail(request, pk):
    check = selectors.dealer_check_get_for_user(user=request.user, pk=pk)
    return render(request, "relations/check_detail.html", {"check": check})


# --- dealer support plans (REL-7) --------------------------------------------------------------------------------

def _support_plans(request):
    return filterset_for(request, SupportPlanFilter, selectors.support_plans_visible_to(request.user))


@login_required
@require_GET
def support_list(request):
    """REL-7: the support plans of the dealers of the user's scope, with budget and spent."""
    filterset = _support_plans(request)
    return render(request, "relations/support_list.html", {
        "filter": filterset,
        "page": list_page(request, filterset.qs, rows=selectors.support_plan_rows(), generation=services.SUPPORT_LIST),
        "owner_choices": owner_choices_for(request.user),
        "can_see_adherence": user_can(request.user, SEE_ADHERENCE),
    })


SUPPORT_EXPORT = [
    Column(gettext_lazy("year"), "year"), Column(gettext_lazy("customer code"), "customer.code"),
    Column(gettext_lazy("customer"), "customer.name"), Column(gettext_lazy("support items"), "item_count"),
    Column(gettext_lazy("items done"), "done_count"), Column(gettext_lazy("budget"), lambda p: p.budget_total or ZERO),
    Column(gettext_lazy("spent"), lambda p: p.spent or ZERO), Column(gettext_lazy("drawn up by"), "by.display_name"),
]


@login_required
@require_GET
def support_export(request):
    return export_response(selectors.with_totals(_support_plans(request).qs), SUPPORT_EXPORT,
                           sheet_name=_("Support plans"), filename="support-plans")


@login_required
@require_http_methods(["GET", "POST"])
def support_create(request, pk):
    """REL-7: draw up a dealer's support plan for a year."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, PLAN_DEALER_SUPPORT, _("Your role does not plan dealer support."))
    form = SupportPlanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.support_plan_create(by=request.user, customer=customer, **form.cleaned_data)
        except UserInputError as exc:
            apply_field_errors(form, exc)
            if exc.field_errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Support plan %(year)s of %(name)s drawn up: add its items.") % {
                "year": plan.year, "name": customer.name})
            return redirect(plan.get_absolute_url())
    return render(request, "relations/support_form.html", {"customer": customer, "form": form})


def _support_page(request, plan, *, item_form=None, done_forms=None, status=200):
    items = list(plan.items.select_related("done_by"))
    done_forms = done_forms or {}
    for item in items:
        item.done_form = done_forms.get(item.pk) or SupportDoneForm(prefix=f"i{item.pk}")
    return render(request, "relations/support_detail.html", {
        "plan": plan, "items": items, "item_form": item_form or SupportItemForm(),
        "can_plan": user_can(request.user, PLAN_DEALER_SUPPORT)}, status=status)


@login_required
@require_GET
def support_detail(request, pk):
    plan = selectors.support_plan_get_for_user(user=request.user, pk=pk)
    return _support_page(request, plan)


@login_required
@require_POST
def support_item_add(request, pk):
    plan = selectors.support_plan_get_for_user(user=request.user, pk=pk)
    require(request.user, PLAN_DEALER_SUPPORT, _("Your role does not plan dealer support."))
    form = SupportItemForm(request.POST)
    if form.is_valid():
        try:
            services.support_item_add(by=request.user, plan=plan, **form.cleaned_data)
        except UserInputError as exc:
            apply_field_errors(form, exc)
            if exc.field_errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Support added to the plan."))
            return redirect(plan.get_absolute_url())
    return _support_page(request, plan, item_form=form)


@login_required
@require_POST
def support_item_done(request, pk):
    item = selectors.support_item_get_for_user(user=request.user, pk=pk)
    require(request.user, PLAN_DEALER_SUPPORT, _("Your role does not plan dealer support."))
    form = SupportDoneForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        try:
            services.support_item_done(by=request.user, item=item, **form.cleaned_data)
        except UserInputError as exc:
            if not exc.field_errors:  # already done: its form is gone, the message goes on top
                messages.error(request, exc.message)
                return redirect(item.plan.get_absolute_url())
            apply_field_errors(form, exc)
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("“%(what)s” marked done.") % {"what": item.description})
            return redirect(item.plan.get_absolute_url())
    plan = selectors.support_plan_get_for_user(user=request.user, pk=item.plan_id)
    return _support_page(request, plan, done_forms={item.pk: form})


# --- family occasions of contacts (REL-3) ------------------------------------------------------------------------

def _people_tab(customer_id: int) -> str:
    return reverse("customers:detail", args=[customer_id]) + "?tab=people"


def _family_saved(request, form, save) -> bool:
    """Run `save(cleaned_data)` for a valid form; a refusal goes onto the form (nothing saved)."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except UserInputError as exc:
        apply_field_errors(form, exc)
        if exc.field_errors:
            form.add_error(None, exc.message)
        return False
    return True


def _family_fields(data) -> dict:
    return {name: data[name] for name in ("kind", "whose", "on", "yearly", "note")}


@login_required
@require_http_methods(["GET", "POST"])
def family_create(request, pk):
    """REL-3: record a family occasion 家庭纪念日 of a current key person of a customer the user
    may edit (from the key-people tab of the 360° page)."""
    customer = customer_get_for_user(user=request.user, pk=pk, write=True)
    people = list(customer.key_people.filter(is_current=True).order_by("role", "id"))
    chosen = request.GET.get("person", "")
    form = FamilyOccasionForm(request.POST if request.method == "POST" else None, people=people,
                              initial={"key_person": chosen if chosen in {str(p.pk) for p in people} else ""})
    if request.method == "POST" and _family_saved(request, form, lambda data: services.family_occasion_add(
            by=request.user, key_person=data["key_person"], **_family_fields(data))):
        messages.success(request, _("Family occasion recorded: it will be reminded with the greetings."))
        return redirect(_people_tab(customer.pk))
    return render(request, "relations/family_form.html", {"customer": customer, "form": form, "occasion": None,
                                                          "no_people": not people})


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request, pk):
    """REL-3: correct a family occasion."""
    occasion = selectors.family_occasion_get_for_user(user=request.user, pk=pk, write=True)
    customer = occasion.key_person.customer
    form = FamilyOccasionForm(request.POST if request.method == "POST" else None, initial={
        "kind": occasion.kind, "whose": occasion.whose, "on": occasion.on, "yearly": occasion.yearly,
        "note": occasion.note})
    if request.method == "POST" and _family_saved(request, form, lambda data: services.family_occasion_update(
            by=request.user, occasion=occasion, **_family_fields(data))):
        messages.success(request, _("Family occasion saved."))
        return redirect(_people_tab(customer.pk))
    return render(request, "relations/family_form.html", {"customer": customer, "form": form, "occasion": occasion})


@login_required
@require_http_methods(["GET", "POST"])
def family_delete(request, pk):
    """REL-3: remove a family occasion, after a confirmation page."""
    occasion = selectors.family_occasion_get_for_user(user=request.user, pk=pk, write=True)
    customer = occasion.key_person.customer
    if request.method == "POST":
        services.family_occasion_delete(by=request.user, occasion=occasion)
        messages.success(request, _("Family occasion removed."))
        return redirect(_people_tab(customer.pk))
    return render(request, "relations/family_delete.html", {"customer": customer, "occasion": occasion})
