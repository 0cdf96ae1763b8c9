"""Pages of what follows a complaint (CMP-6): the customer's satisfaction — the public page of the
signed link, and staff recording the answer — the repeat complainers, and the complaint
analysis with its chart, export and drill-down. Thin: parse, call a selector or service, render."""

from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core import periods
from kehu.core.errors import UserInputError
from kehu.core.excel import Column, export_response
from kehu.core.middleware import client_ip
from kehu.core.pagination import LIST_PAGE_SIZE
from kehu.core.reports import GroupBy, PeriodReportForm, ReportForm, bar_chart, link, warn_ignored
from kehu.core.views import post_step
from kehu.service import satisfaction, selectors
from kehu.service.filters import NOT_SAID
from kehu.service.models import ComplaintPolicy

RATINGS = [(5, gettext_lazy("5 · Very satisfied")), (4, gettext_lazy("4 · Satisfied")),
           (3, gettext_lazy("3 · Neither")), (2, gettext_lazy("2 · Unhappy")), (1, gettext_lazy("1 · Very unhappy"))]


class AnswerForm(forms.Form):
    rating = forms.TypedChoiceField(choices=RATINGS, coerce=int)
    comment = forms.CharField(required=False, max_length=2000)


# --- the signed link (no login) ----------------------------------------------------------------------------

def _refused(request, exc, *, complaint=None):
    return render(request, "service/satisfaction_answer.html",
                  {"refusal": exc.message, "code": exc.code, "complaint": complaint}, status=exc.status)


# CMP-6: answers sent from one address in an hour, at most (the page needs no login: a script
# trying links would be slowed down; a customer answers once).
ANSWERS_PER_HOUR = 20


def _too_many_answers(request) -> bool:
    key = f"satisfaction-posts:{client_ip(request)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > ANSWERS_PER_HOUR
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        return False


@require_http_methods(["GET", "POST"])
def satisfaction_answer(request, token):
    """CMP-6: the customer's page of the signed link — a 1–5 rating and a comment, answered once.
    A link mistyped, tampered with or expired gets a page saying so (404, 410), never a 500;
    too many answers from one address in an hour get 429."""
    if request.method == "POST" and _too_many_answers(request):
        return _refused(request, satisfaction.TooMany(_("Too many answers were sent from your address. Please try "
                                                         "again in an hour.")))
    try:
        complaint = satisfaction.complaint_of_token(token)
    except UserInputError as exc:
        return _refused(request, exc)
    answered = selectors.satisfaction_of(complaint)
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        if answered is not None:
            return _refused(request, satisfaction.AlreadyAnswered(
                _("You have already answered about this complaint. Thank you; an answer is taken once.")),
                complaint=complaint)
        if form.is_valid():
            try:
                satisfaction.answer_by_link(token=token, rating=form.cleaned_data["rating"],
                                            comment=form.cleaned_data["comment"])
            except UserInputError as exc:
                return _refused(request, exc, complaint=complaint)
            return redirect(request.path)
    return render(request, "service/satisfaction_answer.html", {
        "complaint": complaint, "answered": answered, "form": form, "ratings": RATINGS,
        "invalid": request.method == "POST" and not form.is_valid(),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def complaint_satisfaction(request, pk):
    """CMP-6: staff record the customer's answer (from a call), once."""
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(request, AnswerForm(request.POST), lambda d: satisfaction.record_by_staff(
        by=request.user, complaint=complaint, rating=d["rating"], comment=d["comment"]),
        done=_("Satisfaction recorded."), invalid=_("Choose a rating from 1 to 5."),
        back=complaint.get_absolute_url())


# --- repeat complainers ------------------------------------------------------------------------------------

class RepeatForm(ReportForm):
    count = forms.IntegerField(label=pgettext_lazy("repeat complainers", "at least"), min_value=2,
                               max_value=1000, required=False)
    days = forms.IntegerField(label=pgettext_lazy("repeat complainers", "within (days)"), min_value=1,
                              max_value=3660, required=False)


def _repeat(request):
    policy = ComplaintPolicy.current()
    form = RepeatForm(request.GET)
    values = form.values({"count": policy.repeat_count, "days": policy.repeat_days})
    since = timezone.now() - timedelta(days=values["days"])
    return form, values, selectors.repeat_complainers(request.user, count=values["count"], since=since)


@login_required
@require_GET
def repeat_complainers(request):
    """CMP-6: the customers in the user's scope with at least N complaints within the last days."""
    form, values, customers = _repeat(request)
    warn_ignored(request, form)
    # Plain pages: the rows are ordered by their counts, which the deferred join cannot reorder by.
    page = Paginator(customers, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "service/repeat_complainers.html", {"form": form, "page": page, **values})


REPEAT_EXPORT = [
    Column(gettext_lazy("customer code"), "code"), Column(gettext_lazy("customer"), "name"),
    Column(gettext_lazy("salesperson"), "owner.display_name"), Column(gettext_lazy("office"), "office.name"),
    Column(gettext_lazy("complaints in the period"), "recent_complaints"),
    Column(gettext_lazy("latest complaint"), "last_complaint"),
]


@login_required
@require_GET
def repeat_complainers_export(request):
    return export_response(_repeat(request)[2], REPEAT_EXPORT, sheet_name=_("Repeat complainers"),
                           filename="repeat-complainers")


# --- the analysis ------------------------------------------------------------------------------------------

ANALYSIS_GROUPS = GroupBy([("kind", gettext_lazy("complaint type")), ("cause", gettext_lazy("cause")),
                           ("responsibility", gettext_lazy("responsibility")), ("product", gettext_lazy("product")),
                           ("salesperson", gettext_lazy("salesperson")), ("month", pgettext_lazy("group by", "month"))])
ANALYSIS_MONTHS = 12
DATE = forms.DateInput(attrs={"type": "date"})


class AnalysisForm(PeriodReportForm):
    date_from = forms.DateField(label=pgettext_lazy("date range", "from"), required=False, widget=DATE)
    date_to = forms.DateField(label=pgettext_lazy("date range", "to"), required=False, widget=DATE)
    by = ANALYSIS_GROUPS.field()
    period_fields = ("date_from", "date_to")

    def period(self):
        """The period asked for; by default the last 12 months up to today."""
        start, end = self.typed_period()
        end = end or timezone.localdate()
        return start or periods.last_months(end, ANALYSIS_MONTHS)[0], end

    def group(self) -> str:
        return self.values({"by": ANALYSIS_GROUPS.default})["by"]


def drill_down(by: str, key, start, end) -> str:
    """The complaint list of one row of the analysis: every status, the row's period and group."""
    params = {"status": "", "received_from": start.isoformat(), "received_to": end.isoformat()}
    if by == "period":
        pass
    elif by == "month":
        first = date.fromisoformat(f"{key}-01")
        params["received_from"] = max(first, start).isoformat()
        params["received_to"] = min(periods.month_end(first), end).isoformat()
    elif by in ("kind", "cause", "responsibility"):
        params[by] = key or NOT_SAID[0]
    elif key:
        params[by] = key
    else:
        return ""  # no product: the list has no filter for "none"
    return link("service:complaint_list", **params)


def _analysis(request):
    form = AnalysisForm(request.GET)
    start, end = form.period()
    by = form.group()
    result = selectors.complaint_analysis(request.user, start=start, end=end, by=by)
    for row in result["rows"]:
        row["url"] = drill_down(by, row["key"], start, end)
    return form, start, end, by, result


@login_required
@require_GET
def complaint_analysis(request):
    """CMP-4, CMP-6: the complaints of a period by type, cause, responsibility, product, salesperson
    or month — counts, breaches, median times, satisfaction — with a chart and drill-down."""
    form, start, end, by, result = _analysis(request)
    warn_ignored(request, form)
    rows = result["rows"]
    chart = bar_chart([r["label"] for r in rows], [(_("Complaints"), [r["count"] for r in rows]),
                                                    (_("Missed a deadline"), [r["breached"] for r in rows])],
                      horizontal=by != "month", colors=["#0d6efd", "#dc3545"], counts=True,
                      height="32rem" if len(rows) > 12 else "22rem")
    return render(request, "service/complaint_analysis.html", {
        "form": form, "rows": rows, "total": result["total"], "by": by, "start": start, "end": end,
        "chart": chart, "groups": ANALYSIS_GROUPS, "group_label": ANALYSIS_GROUPS.label(by),
        "export_url": link("service:complaint_analysis_export", by=by, date_from=start.isoformat(),
                           date_to=end.isoformat()),
        "list_url": drill_down("period", "", start, end),
    })


def _hours_cell(value):
    return round(value, 1) if value is not None else ""


@login_required
@require_GET
def complaint_analysis_export(request):
    form, start, end, by, result = _analysis(request)
    columns = [
        Column(ANALYSIS_GROUPS.label(by), "label"), Column(gettext_lazy("number of complaints"), "count"),
        Column(pgettext_lazy("complaints", "closed"), "closed"), Column(gettext_lazy("missed a deadline"), "breached"),
        Column(gettext_lazy("median hours to first response"), lambda r: _hours_cell(r["median_respond"])),
        Column(gettext_lazy("median hours to resolution"), lambda r: _hours_cell(r["median_resolve"])),
        Column(gettext_lazy("answers about the handling"), "rated"),
        Column(gettext_lazy("average satisfaction"),
               lambda r: round(r["satisfaction"], 2) if r["satisfaction"] is not None else ""),
    ]
    return export_response([*result["rows"], result["total"]], columns, sheet_name=_("Complaint analysis"),
                           filename="complaint-analysis")


def satisfaction_link(request, complaint) -> str:
    """The absolute address of the complaint's satisfaction link (shown to staff to send)."""
    return request.build_absolute_uri(satisfaction.survey_path(complaint))
