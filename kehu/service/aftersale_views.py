"""Pages of service commitments (SVC-2) and after-sale follow-ups (SVC-3), and the service queue's
export (SVC-1). Thin: parse the request, call a selector or service, render."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core import periods
from kehu.core.access import require
from kehu.core.capabilities import user_can
from kehu.core.errors import ValidationFailed
from kehu.core.excel import Column, export_response
from kehu.core.filtering import filterset_for
from kehu.core.pagination import LIST_PAGE_SIZE, list_page
from kehu.core.reports import GroupBy, link, warn_ignored
from kehu.core.views import post_step, saved
from kehu.customers.selectors import customer_get_for_user
from kehu.service import aftersale_selectors as selectors
from kehu.service import aftersale_services as services
from kehu.service import selectors as service_selectors
from kehu.service.aftersale_filters import OCCURRENCE_STATUS, FollowUpFilter, OccurrenceFilter
from kehu.service.aftersale_forms import CommitmentForm, FollowUpForm, FulfilForm, KeepingForm, LiteratureForm
from kehu.service.capabilities import COMMIT, SEE_PROMISE_KEEPING, SERVE
from kehu.service.filters import YES_NO, ServiceOrderFilter
from kehu.service.models import FollowUp


def _url(name, *args) -> str:
    return reverse(name, args=args)


# --- commitments (SVC-2) ------------------------------------------------------------------------------------

def _occurrences(request):
    return filterset_for(request, OccurrenceFilter, selectors.occurrences_visible_to(request.user),
                         defaults={"status": "pending"})


@login_required
@require_GET
def commitment_list(request):
    """SVC-2: the promises as they fall due, soonest first; those not kept yet by default."""
    filterset = _occurrences(request)
    page = list_page(request, filterset.qs, rows=selectors.occurrence_list_rows(),
                     generation=selectors.COMMITMENT_LIST)
    return render(request, "service/commitment_list.html", {
        "filter": filterset, "page": page, "status_choices": OCCURRENCE_STATUS, "yes_no": YES_NO,
        "today": timezone.localdate(), "can_see_rate": user_can(request.user, SEE_PROMISE_KEEPING)})


COMMITMENT_EXPORT = [
    Column(gettext_lazy("due date"), "due_on"), Column(gettext_lazy("customer code"), "commitment.customer.code"),
    Column(gettext_lazy("customer"), "commitment.customer.name"),
    Column(gettext_lazy("what was promised"), "commitment.description"),
    Column(gettext_lazy("how often"), "commitment.get_repeat_display"),
    Column(gettext_lazy("promised by"), "commitment.owner.display_name"),
    Column(gettext_lazy("status"), "get_status_display"), Column(gettext_lazy("fulfilled on"), "fulfilled_on"),
    Column(gettext_lazy("fulfilled by"), lambda o: o.fulfilled_by.display_name if o.fulfilled_by else ""),
    Column(gettext_lazy("note"), "note"),
]


@login_required
@require_GET
def commitment_export(request):
    return export_response(_occurrences(request).qs, COMMITMENT_EXPORT, sheet_name=_("Service commitments"),
                           filename="commitments")


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request, pk):
    """SVC-2: record a promise made to the customer (from the 360° page)."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, COMMIT, _("Your role does not keep service commitments."))
    people = service_selectors.handlers_for(customer)
    form = CommitmentForm(request.POST or None, people=people, initial={"starts_on": timezone.localdate()})

    def save(data):
        return services.commitment_create(
            by=request.user, customer=customer, description=data["description"], repeat=data["repeat"],
            starts_on=data["starts_on"], day_of_month=data["day_of_month"], until=data["until"],
            owner=people.filter(pk=data["owner"]).first() if data["owner"] else request.user)

    done = saved(request, form, save, done=_("Commitment recorded."),
                 back=lambda c: _url("service:commitment_detail", c.pk))
    if done:
        return done
    return render(request, "service/commitment_form.html", {"form": form, "customer": customer},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def commitment_detail(request, pk):
    commitment = selectors.commitment_get_for_user(user=request.user, pk=pk)
    return render(request, "service/commitment_detail.html", {
        "commitment": commitment, "occurrences": selectors.occurrences_of(commitment),
        "may_keep": user_can(request.user, COMMIT), "today": timezone.localdate()})


@login_required
@require_POST
def commitment_fulfil(request, pk):
    """SVC-2: one due day of the promise kept, with how."""
    commitment = selectors.commitment_get_for_user(user=request.user, pk=pk, write=True)
    form = FulfilForm(request.POST)

    def act(data):
        occurrence = selectors.occurrence_get_for_user(user=request.user, pk=data["occurrence"], write=True)
        if occurrence.commitment_id != commitment.pk:
            raise ValidationFailed(_("That due day is not one of this commitment's."))
        return services.occurrence_fulfil(by=request.user, occurrence=occurrence, note=data["note"])

    return post_step(request, form, act, done=_("Recorded as kept."), invalid=_("Say how the promise was kept."),
                     back=_url("service:commitment_detail", commitment.pk))


KEEPING_GROUPS = GroupBy([("owner", gettext_lazy("salesperson"))])


def _keeping(request):
    require(request.user, SEE_PROMISE_KEEPING, _("The promise-keeping rate is a manager's view."))
    form = KeepingForm(request.GET)
    warn_ignored(request, form)
    today = timezone.localdate()
    typed_start, typed_end = form.typed_period()
    start, end = periods.month_bounds(today)
    start, end = typed_start or start, typed_end or end
    if start > end:
        start = end = typed_start or typed_end
    rows, total = selectors.keeping_rate(request.user, start=start, end=end, today=today)
    return {"rows": rows, "total": total, "start": start, "end": end, "today": today}


@login_required
@require_GET
def keeping_rate(request):
    """SVC-2: the promise-keeping rate per salesperson: kept on time ÷ due, for a period."""
    context = _keeping(request)
    context.update(page=Paginator(context["rows"], LIST_PAGE_SIZE).get_page(request.GET.get("page")),
                   groups=KEEPING_GROUPS,
                   export_url=link("service:keeping_rate_export", start=context["start"].isoformat(),
                                   end=context["end"].isoformat()))
    return render(request, "service/keeping_rate.html", context)


KEEPING_EXPORT = [
    Column(gettext_lazy("salesperson"), "name"), Column(pgettext_lazy("commitments", "due"), "due"),
    Column(gettext_lazy("kept on time"), "kept"), Column(gettext_lazy("kept late"), "late"),
    Column(gettext_lazy("not kept"), "missed"), Column(gettext_lazy("promise-keeping rate %"), "rate"),
]


@login_required
@require_GET
def keeping_rate_export(request):
    context = _keeping(request)
    return export_response([*context["rows"], context["total"]], KEEPING_EXPORT, sheet_name=_("Promise keeping"),
                           filename=f"promise-keeping-{context['start']:%Y%m%d}-{context['end']:%Y%m%d}")


# --- after-sale follow-up (SVC-3) ---------------------------------------------------------------------------

def _follow_ups(request):
    return filterset_for(request, FollowUpFilter, selectors.follow_ups_visible_to(request.user),
                         defaults={"status": "open", "mine": "yes"})


@login_required
@require_GET
def follow_up_list(request):
    """SVC-3: the follow-up calls after delivery, soonest first; the user's own still to make by default."""
    filterset = _follow_ups(request)
    page = list_page(request, filterset.qs, rows=selectors.follow_ups_visible_to(request.user),
                     generation=selectors.FOLLOW_UP_LIST)
    return render(request, "service/follow_up_list.html", {
        "filter": filterset, "page": page, "status_choices": FollowUp.Status.choices, "yes_no": YES_NO,
        "today": timezone.localdate()})


FOLLOW_UP_EXPORT = [
    Column(gettext_lazy("call on"), "due_on"), Column(gettext_lazy("order"), "order.number"),
    Column(gettext_lazy("customer code"), "customer.code"), Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("who calls"), "assignee.display_name"), Column(gettext_lazy("status"), "get_status_display"),
    Column(gettext_lazy("how the product is used"), "usage"),
    Column(gettext_lazy("customer satisfied"), lambda f: "" if f.satisfied is None else (_("Yes") if f.satisfied else _("No"))),
    Column(gettext_lazy("congratulated on the decision"), lambda f: _("Yes") if f.congratulated else _("No")),
    Column(gettext_lazy("note"), "note"), Column(gettext_lazy("called at"), "done_at"),
]


@login_required
@require_GET
def follow_up_export(request):
    return export_response(_follow_ups(request).qs, FOLLOW_UP_EXPORT, sheet_name=_("Follow-up calls"),
                           filename="follow-ups")


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_detail(request, pk):
    """SVC-3: one follow-up call, and the form to record its answers."""
    follow_up = selectors.follow_up_get_for_user(user=request.user, pk=pk, write=request.method == "POST")
    form = FollowUpForm(request.POST or None)

    def save(data):
        return services.follow_up_record(by=request.user, follow_up=follow_up, usage=data["usage"],
                                         satisfied={"yes": True, "no": False}.get(data["satisfied"]),
                                         congratulated=data["congratulated"], note=data["note"])

    done = saved(request, form, save, done=_("Follow-up call recorded."),
                 back=_url("service:follow_up_detail", follow_up.pk))
    if done:
        return done
    return render(request, "service/follow_up_detail.html", {
        "follow_up": follow_up, "form": form,
        "may_record": follow_up.status == FollowUp.Status.OPEN and user_can(request.user, SERVE)},
        status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def literature_create(request, pk):
    """SVC-3: log literature sent to the customer."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, SERVE, _("Your role does not do after-sales service."))
    form = LiteratureForm(request.POST or None)

    def save(data):
        return services.literature_log(by=request.user, customer=customer, kind=data["kind"], title=data["title"],
                                       sent_on=data["sent_on"])

    done = saved(request, form, save, done=_("Send logged."),
                 back=_url("customers:detail", customer.pk) + "?tab=service")
    if done:
        return done
    return render(request, "service/literature_form.html", {"form": form, "customer": customer},
                  status=400 if request.method == "POST" else 200)


# --- the service queue's export (SVC-1) ---------------------------------------------------------------------

SERVICE_ORDER_EXPORT = [
    Column(gettext_lazy("due date"), "due_on"), Column(gettext_lazy("service"), "get_kind_display"),
    Column(gettext_lazy("customer code"), "customer.code"), Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("what is to be done"), "description"), Column(gettext_lazy("assignee"), "assignee.display_name"),
    Column(gettext_lazy("order"), "order.number"), Column(gettext_lazy("repeat every (days)"), "every_days"),
    Column(gettext_lazy("status"), "get_status_display"), Column(gettext_lazy("outcome"), "outcome"),
    Column(gettext_lazy("customer's rating (1–5)"), "rating"), Column(gettext_lazy("parts used"), "parts"),
    Column(gettext_lazy("cost"), "cost"), Column(gettext_lazy("done at"), "done_at"),
]


@login_required
@require_GET
def service_order_export(request):
    """SVC-1: the service queue as filtered, to Excel."""
    filterset = filterset_for(request, ServiceOrderFilter, service_selectors.service_orders_visible_to(request.user),
                              defaults={"status": "open", "mine": "yes"})
    return export_response(filterset.qs, SERVICE_ORDER_EXPORT, sheet_name=_("Service queue"),
                           filename="service-orders")

