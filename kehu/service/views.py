"""Complaint pages (CMP-1, CMP-2): the list, intake, and the handling page that walks the steps.
Thin: parse the request, call a selector or service, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.core.access import require
from kehu.core.capabilities import user_can
from kehu.core.excel import Column, export_response
from kehu.core.filtering import filterset_for
from kehu.core.pagination import list_page
from kehu.core.views import next_url, post_step, saved
from kehu.customers.selectors import customer_get_for_user, customers_visible_to
from kehu.sales import selectors as sales_selectors
from kehu.service import selectors, services
from kehu.service.capabilities import HANDLE_COMPLAINTS, RECEIVE_COMPLAINTS, SERVE
from kehu.service.filters import STATUS_CHOICES, YES_NO, ComplaintFilter, ServiceOrderFilter
from kehu.service.forms import (
    ChangeForm,
    ComplaintForm,
    DecisionForm,
    EmptyForm,
    EscalateForm,
    KeepForm,
    ServiceDoneForm,
    ServiceOrderForm,
    StepForm,
)
from kehu.service.models import Complaint, ServiceOrder

ORDER_CHOICES = 30


def _complaints(request):
    # The list opens on what is still to handle; "all statuses" shows the closed ones too.
    return filterset_for(request, ComplaintFilter, selectors.complaints_visible_to(request.user),
                         defaults={"status": "active"})


@login_required
@require_GET
def complaint_list(request):
    filterset = _complaints(request)
    page = list_page(request, filterset.qs, rows=selectors.complaint_list_rows(), generation=selectors.COMPLAINT_LIST)
    customer_id = filterset.form.cleaned_data.get("customer_id") if filterset.is_bound else None
    return render(request, "service/complaint_list.html", {
        "filter": filterset, "page": page,
        "status_choices": STATUS_CHOICES, "kind_choices": Complaint.Kind.choices,
        "severity_choices": Complaint.Severity.choices, "yes_no": YES_NO,
        "handler_choices": selectors.handler_choices_for(request.user),
        "only_customer": customers_visible_to(request.user).filter(pk=customer_id).first() if customer_id else None,
        "now": timezone.now(),
        "drilled": [(name, request.GET[name]) for name in DRILL_FILTERS if request.GET.get(name)],
    })


# CMP-6: the filters the complaint analysis drills down with (kept as the list is filtered further).
DRILL_FILTERS = ("cause", "responsibility", "product", "salesperson", "received_from", "received_to", "breached")


COMPLAINT_EXPORT = [
    Column(pgettext_lazy("complaint", "number"), "pk"), Column(gettext_lazy("received at"), "received_at"),
    Column(gettext_lazy("customer code"), "customer.code"), Column(gettext_lazy("customer"), "customer.name"),
    Column(gettext_lazy("complaint type"), "get_kind_display"), Column(gettext_lazy("nature"), "get_nature_display"),
    Column(gettext_lazy("severity"), "get_severity_display"), Column(pgettext_lazy("complaint", "channel"), "get_channel_display"),
    Column(gettext_lazy("received by"), "received_by.display_name"),
    Column(gettext_lazy("handler"), "handler.display_name"), Column(gettext_lazy("order"), "order.number"),
    Column(gettext_lazy("product"), "product.name"), Column(gettext_lazy("amount claimed"), "amount_claimed"),
    Column(gettext_lazy("status"), "get_status_display"), Column(gettext_lazy("step reached"), "get_step_display"),
    Column(gettext_lazy("first response due"), "respond_by"), Column(gettext_lazy("resolution due"), "resolve_by"),
    Column(gettext_lazy("first response at"), "first_response_at"), Column(gettext_lazy("closed at"), "closed_at"),
    Column(gettext_lazy("the customer's own words"), "words"),
]


@login_required
@require_GET
def complaint_export(request):
    return export_response(_complaints(request).qs, COMPLAINT_EXPORT, sheet_name=_("Complaints"),
                           filename="complaints")


@login_required
@require_http_methods(["GET", "POST"])
def complaint_create(request, pk):
    """CMP-1: intake of a complaint of one customer (from the 360° page or an order)."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, RECEIVE_COMPLAINTS, _("Your role does not record complaints."))
    orders = list(sales_selectors.orders_of_customer(customer, limit=ORDER_CHOICES))
    initial = {"order": request.GET.get("order")} if request.method == "GET" else None
    form = ComplaintForm(request.POST or None, initial=initial, orders=orders,
                         products=sales_selectors.products_active(), handlers=selectors.handlers_for(customer))
    by_pk = {"order": {o.pk: o for o in orders}}

    def save(data):
        products = {p.pk: p for p in sales_selectors.products_active().filter(pk=data["product"])} \
            if data["product"] else {}
        handlers = {u.pk: u for u in selectors.handlers_for(customer).filter(pk=data["handler"])} \
            if data["handler"] else {}
        return services.complaint_open(
            by=request.user, customer=customer, kind=data["kind"], channel=data["channel"], words=data["words"],
            severity=data["severity"], nature=data["nature"], amount_claimed=data["amount_claimed"],
            order=by_pk["order"].get(data["order"]), product=products.get(data["product"]),
            handler=handlers.get(data["handler"]))

    done = saved(request, form, save, done=_("Complaint recorded. Listen and record is the first step."),
                 back=lambda c: c.get_absolute_url())
    if done:
        return done
    return render(request, "service/complaint_form.html", {"form": form, "customer": customer},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def complaint_detail(request, pk):
    """CMP-2: the handling page — every step in order, who and when, and the next one to take."""
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk)
    can_handle = user_can(request.user, HANDLE_COMPLAINTS)
    upcoming = selectors.next_step(complaint)
    now = timezone.now()
    pending = selectors.pending_escalation_of(complaint)
    return render(request, "service/complaint_detail.html", {
        "escalations": selectors.escalations_of(complaint), "pending": pending,
        "breaches": selectors.breaches_of(complaint),
        "may_decide": pending is not None and services.escalation_refusal(request.user, pending) is None,
        "authority": selectors.authority_of(request.user), "changes": selectors.changes_of(complaint),
        "change_form": ChangeForm(people=selectors.handlers_for(complaint.customer)) if can_handle else None,
        "complaint": complaint, "steps": selectors.steps_of(complaint), "next": upcoming,
        "can_handle": can_handle and complaint.status != Complaint.Status.CLOSED,
        "may_close": can_handle and upcoming is None and complaint.status != Complaint.Status.CLOSED,
        "note_required": [s.value for s in services.NOTE_REQUIRED], "overdue": complaint.overdue(now), "now": now,
        **after_closing(request, complaint, can_handle),
    })


def after_closing(request, complaint, can_handle: bool) -> dict:
    """CMP-5, CMP-6 on the handling page: the matching reply scripts, the step's cause and
    responsibility choices, and once closed the customer's satisfaction (or its link)."""
    from kehu.service.after_views import RATINGS, satisfaction_link
    from kehu.service.models import ComplaintPolicy

    closed = complaint.status == Complaint.Status.CLOSED
    answer = selectors.satisfaction_of(complaint) if closed else None
    return {"scripts": selectors.scripts_for(complaint) if not closed else [],
            "cause_choices": Complaint.Cause.choices, "responsibility_choices": Complaint.Responsibility.choices,
            "satisfaction": answer, "ratings": RATINGS,
            "survey_link": satisfaction_link(request, complaint) if closed and answer is None and can_handle else "",
            "survey_days": ComplaintPolicy.current().survey_days if closed and answer is None else None,
            "may_record_satisfaction": closed and answer is None and can_handle}


@login_required
@require_POST
def complaint_step(request, pk):
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk, write=True)
    form = StepForm(request.POST)
    return post_step(request, form, lambda d: services.step_record(by=request.user, complaint=complaint,
                                                                   step=d["step"], note=d["note"],
                                                                   amount=d["amount"], cause=d["cause"],
                                                                   responsibility=d["responsibility"]),
                     done=_("Step recorded."), back=reverse("service:complaint_detail", args=[complaint.pk]))


@login_required
@require_POST
def complaint_escalate(request, pk):
    """CMP-2: a solution beyond the handler's authority goes to the next level."""
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(request, EscalateForm(request.POST), lambda d: services.complaint_escalate(
        by=request.user, complaint=complaint, amount=d["amount"], solution=d["solution"]),
        done=_("Escalated. You stay responsible for the complaint until it is accepted."),
        invalid=_("Give the cost of the solution and describe it."), back=complaint.get_absolute_url())


@login_required
@require_POST
def complaint_decide(request, pk):
    """CMP-2: the level escalated to accepts (and takes the complaint over) or declines."""
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk, write=True)
    form = DecisionForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    return post_step(request, form, lambda d: services.escalation_decide(
        by=request.user, complaint=complaint, accept=accept, comment=d["comment"]),
        done=_("Accepted: you handle this complaint now.") if accept else _("Declined."),
        back=complaint.get_absolute_url())


@login_required
@require_POST
def complaint_change(request, pk):
    """CMP-3: plan a change of person, place or time, with its due time."""
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk, write=True)
    people = selectors.handlers_for(complaint.customer)
    form = ChangeForm(request.POST, people=people)
    return post_step(request, form, lambda d: services.change_plan(
        by=request.user, complaint=complaint, kind=d["kind"], note=d["note"], due_at=d["due_at"],
        who=people.filter(pk=d["who"]).first() if d["who"] else None),
        done=_("Change planned."), invalid=_("Choose the change, its due time and say what is arranged."),
        back=complaint.get_absolute_url())


@login_required
@require_POST
def complaint_change_kept(request, pk):
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(request, KeepForm(request.POST), lambda d: services.change_keep(
        by=request.user, complaint=complaint, change_pk=d["change"]),
        done=_("Marked as kept."), back=complaint.get_absolute_url())


@login_required
@require_POST
def complaint_close(request, pk):
    complaint = selectors.complaint_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(request, EmptyForm(request.POST), lambda d: services.complaint_close(by=request.user,
                                                                                         complaint=complaint),
                     done=_("Complaint closed."), back=next_url(request) or complaint.get_absolute_url())


# --- service orders (SVC-1) --------------------------------------------------------------------------------

@login_required
@require_GET
def service_order_list(request):
    """SVC-1: the queue of service staff: what is to do, soonest first; their own with mine=yes."""
    filterset = filterset_for(request, ServiceOrderFilter, selectors.service_orders_visible_to(request.user),
                              defaults={"status": "open", "mine": "yes"})
    page = list_page(request, filterset.qs, rows=selectors.service_orders_visible_to(request.user),
                     generation=selectors.SERVICE_ORDER_LIST)
    return render(request, "service/service_order_list.html", {
        "filter": filterset, "page": page, "status_choices": ServiceOrder.Status.choices,
        "kind_choices": ServiceOrder.Kind.choices, "yes_no": YES_NO, "today": timezone.localdate()})


@login_required
@require_http_methods(["GET", "POST"])
def service_order_create(request, pk):
    customer = customer_get_for_user(user=request.user, pk=pk)
    require(request.user, SERVE, _("Your role does not do after-sales service."))
    people = selectors.handlers_for(customer)
    orders = list(sales_selectors.orders_of_customer(customer, limit=ORDER_CHOICES))
    form = ServiceOrderForm(request.POST or None, people=people, orders=orders,
                            initial={"assignee": request.user.pk, "due_on": timezone.localdate()})

    def save(data):
        return services.service_order_create(
            by=request.user, customer=customer, kind=data["kind"], description=data["description"],
            assignee=people.filter(pk=data["assignee"]).first() if data["assignee"] else request.user,
            due_on=data["due_on"],
            every_days=data["every_days"], order={o.pk: o for o in orders}.get(data["order"]))

    done = saved(request, form, save, done=_("Service planned."), back=lambda s: s.get_absolute_url())
    if done:
        return done
    return render(request, "service/service_order_form.html", {"form": form, "customer": customer},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def service_order_detail(request, pk):
    planned = selectors.service_order_get_for_user(user=request.user, pk=pk)
    return render(request, "service/service_order_detail.html", {
        "service_order": planned, "done_form": ServiceDoneForm(),
        "may_do": planned.status == ServiceOrder.Status.OPEN and user_can(request.user, SERVE)})


@login_required
@require_POST
def service_order_done(request, pk):
    planned = selectors.service_order_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(request, ServiceDoneForm(request.POST), lambda d: services.service_order_done(
        by=request.user, service_order=planned, outcome=d["outcome"], rating=d["rating"], parts=d["parts"],
        cost=d["cost"]), done=_("Service recorded as done."), invalid=_("Say how it went; a rating is 1 to 5."),
        back=planned.get_absolute_url())
