"""Reads of complaints, scoped to the user: a salesperson sees their own customers' complaints,
a director their office's, service and the heads of sales everyone's (core.scopes)."""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.selectors import name_fields
from kehu.core.access import get_for_user
from kehu.core.roles import ROLE_SCOPE, Scope
from kehu.core.scopes import scope_queryset
from kehu.service.capabilities import HANDLE_COMPLAINTS, SERVE
from kehu.service.models import (
    STEPS,
    AuthorityLimit,
    Breach,
    Change,
    Complaint,
    ComplaintStep,
    Escalation,
    ServiceOrder,
)

COMPLAINT_LIST = "complaints"  # core.pagination.lists_changed
SCOPE_FIELDS = {"owner_field": "customer__owner", "office_field": "customer__office"}


def complaints_visible_to(user) -> QuerySet[Complaint]:
    return scope_queryset(Complaint.objects.select_related("customer", "customer__owner", "handler", "received_by",
                                                           "order", "product"), user, **SCOPE_FIELDS)


def complaint_get_for_user(*, user, pk, write: bool = False) -> Complaint:
    """The complaint if in the user's scope (else 404); with write=True the user must handle
    complaints (else 403)."""
    return get_for_user(complaints_visible_to(user).prefetch_related(
        Prefetch("steps", queryset=ComplaintStep.objects.select_related("by"))), pk, user=user,
        write=HANDLE_COMPLAINTS if write else None, not_found=_("No such complaint in your scope."),
        forbidden=_("Your role does not handle complaints."))


def complaint_list_rows() -> QuerySet[Complaint]:
    """The complaint list's columns only; callers restrict it to ids already scoped."""
    return Complaint.objects.select_related("customer", "handler").only(
        "kind", "severity", "status", "step", "received_at", "resolve_by", "amount_claimed", "customer__name",
        "customer__code", *name_fields("handler"))


def complaints_of_customer(customer, *, limit: int) -> list[Complaint]:
    """The customer's latest complaints (the 360° page): the caller has the customer in scope."""
    return list(customer.complaints.select_related("handler", "satisfaction").order_by("-received_at", "-id")[:limit])


def complaints_of_order(order) -> list[Complaint]:
    return list(order.complaints.select_related("handler").order_by("-received_at", "-id"))


def latest_steps_of(customer, *, limit: int) -> list[ComplaintStep]:
    """The customer's complaint steps, newest first (the customer's timeline)."""
    return list(ComplaintStep.objects.filter(complaint__customer=customer).select_related("by", "complaint")
                .order_by("-at", "-id")[:limit])


def steps_of(complaint: Complaint) -> list[dict]:
    """CMP-2: every step of the process in order, with its record (who, when, note) once done."""
    done = {s.step: s for s in complaint.steps.all()}
    return [{"step": step, "label": step.label, "record": done.get(step.value)} for step in STEPS]


def next_step(complaint: Complaint):
    """The first step not yet recorded, or None when every step is done."""
    done = {s.step for s in complaint.steps.all()}
    return next((step for step in STEPS if step.value not in done), None)


def handlers_for(customer) -> QuerySet[User]:
    """Who may handle a complaint of `customer`: active users who handle complaints and whose
    scope holds the customer (its owner, the managers above its office, everyone-scoped roles)."""
    roles = {str(r) for r in HANDLE_COMPLAINTS.roles}
    everyone = [r for r in roles if ROLE_SCOPE.get(r) == Scope.ALL]
    team = [r for r in roles if ROLE_SCOPE.get(r) == Scope.TEAM]
    path = customer.office.path if customer.office_id else ""
    above = [int(part) for part in path.strip("/").split("/") if part]
    sees = Q(role__in=everyone) | Q(role__in=team, office_id__in=above) | Q(pk=customer.owner_id, role__in=roles)
    return User.objects.filter(sees, is_active=True).order_by("last_name", "first_name", "username")


def may_handle(user, customer) -> bool:
    return handlers_for(customer).filter(pk=user.pk).exists()


def handler_choices_for(user) -> list[tuple[int, str]]:
    """The handlers of the complaints the user sees (the list's handler filter)."""
    ids = complaints_visible_to(user).order_by().values_list("handler_id", flat=True).distinct()
    return [(u.pk, u.display_name) for u in User.objects.filter(pk__in=ids).order_by("last_name", "first_name")]


# --- authority and escalation (CMP-2, CMP-3) ----------------------------------------------------------------

def authorities() -> dict[str, Decimal]:
    """The largest solution of each role that has a limit (the admin's table)."""
    return dict(AuthorityLimit.objects.values_list("role", "max_amount"))


def authority_of(user) -> Decimal | None:
    """The largest solution the user may propose on their own; None: not limited."""
    return AuthorityLimit.objects.filter(role=user.role).values_list("max_amount", flat=True).first()


def pending_escalation_of(complaint) -> Escalation | None:
    return complaint.escalations.filter(status=Escalation.Status.PENDING).select_related("requested_by").first()


def escalations_of(complaint) -> list[Escalation]:
    return list(complaint.escalations.select_related("requested_by", "decided_by").order_by("created_at", "id"))


def level_people(customer, role: str) -> list[User]:
    """The people of `role` who see the customer: who may accept an escalation sent to that level."""
    return list(handlers_for(customer).filter(role=role))


def changes_of(complaint) -> list[Change]:
    return list(complaint.changes.select_related("who", "by").order_by("due_at", "id"))


# --- speed (CMP-4) -----------------------------------------------------------------------------------------

def service_headline(user) -> dict:
    """The home page's service card (INS-1, CMP-4, SVC-1): the complaints in the user's scope not
    yet closed, how many of them missed a deadline, and the service orders waiting for the user."""
    late = Exists(Breach.objects.filter(complaint=OuterRef("pk")))
    figures = (complaints_visible_to(user).exclude(status=Complaint.Status.CLOSED)
               .aggregate(open=Count("pk"), late=Count("pk", filter=Q(late))))
    waiting = ServiceOrder.objects.filter(assignee=user, status=ServiceOrder.Status.OPEN).count()
    return {**figures, "waiting": waiting}


def breaches_of(complaint) -> list[Breach]:
    return list(complaint.breaches.select_related("escalated_to"))


# --- service orders (SVC-1) --------------------------------------------------------------------------------

SERVICE_ORDER_LIST = "service_orders"


def service_orders_visible_to(user) -> QuerySet[ServiceOrder]:
    return scope_queryset(ServiceOrder.objects.select_related("customer", "assignee", "order"), user, **SCOPE_FIELDS)


def service_order_get_for_user(*, user, pk, write: bool = False) -> ServiceOrder:
    return get_for_user(service_orders_visible_to(user), pk, user=user, write=SERVE if write else None,
                        not_found=_("No such service order in your scope."),
                        forbidden=_("Your role does not do after-sales service."))


def service_orders_of_customer(customer, *, limit: int) -> list[ServiceOrder]:
    return list(customer.service_orders.select_related("assignee").order_by("-due_on", "-id")[:limit])


# --- after closing (CMP-6): satisfaction, repeat complainers, the analysis ----------------------------------

REPEAT_LIST = "repeat_complainers"


def satisfaction_of(complaint):
    """The customer's answer about the handling, or None."""
    from kehu.service.models import Satisfaction

    return Satisfaction.objects.filter(complaint=complaint).select_related("recorded_by").first()


def repeat_complainers(user, *, count: int, since) -> QuerySet:
    """CMP-6: the customers in the user's scope with at least `count` complaints received since
    `since`, most complaints first, with how many and the latest."""
    from django.db.models import Count, Max

    from kehu.customers.selectors import customers_visible_to

    recent = Q(complaints__received_at__gte=since)
    return (customers_visible_to(user).select_related("owner", "office")
            .annotate(recent_complaints=Count("complaints", filter=recent),
                      last_complaint=Max("complaints__received_at", filter=recent))
            .filter(recent_complaints__gte=count).order_by("-recent_complaints", "-last_complaint", "pk"))


ANALYSIS_BY = ("kind", "cause", "responsibility", "product", "salesperson", "month")


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _hours(start, end) -> float:
    return (end - start).total_seconds() / 3600


def complaint_analysis(user, *, start, end, by: str) -> dict:
    """CMP-4, CMP-6: the complaints received from `start` to `end` (days) in the user's scope,
    grouped `by` type, cause, responsibility, product, salesperson or month: how many, how many
    closed, how many missed a deadline, the median hours to the first response and to the
    resolution (closing), the average satisfaction. Largest groups first; months in order.
    Returns {"rows": [...], "total": {...}}; a row's `key` is what the complaint list filters by."""
    from django.utils import timezone

    if by not in ANALYSIS_BY:
        by = ANALYSIS_BY[0]
    scoped = complaints_visible_to(user).filter(received_at__date__gte=start, received_at__date__lte=end)
    fields = {"kind": ("kind", None), "cause": ("cause", None), "responsibility": ("responsibility", None),
              "product": ("product_id", "product__name"), "salesperson": ("customer__owner_id", None),
              "month": ("received_at", None)}[by]
    # One query: each complaint's times, whether it missed a deadline and its answer (a year of a
    # company's complaints is thousands; asking for breaches and answers by chunks of ids cost
    # a dozen queries more).
    columns = ["pk", "received_at", "first_response_at", "closed_at", fields[0], "late", "satisfaction__rating"]
    if fields[1]:
        columns.append(fields[1])
    found = list(scoped.select_related(None).order_by().annotate(
        late=Exists(Breach.objects.filter(complaint=OuterRef("pk")))).values_list(*columns))
    breached = {row[0] for row in found if row[5]}
    rated = {row[0]: row[6] for row in found if row[6] is not None}
    labels: dict = {}
    if by in ("kind", "cause", "responsibility"):
        choices = {"kind": Complaint.Kind, "cause": Complaint.Cause, "responsibility": Complaint.Responsibility}[by]
        labels = {value: str(label) for value, label in choices.choices}
    elif by == "salesperson":
        owners = {row[4] for row in found if row[4]}
        labels = {u.pk: u.display_name for u in User.objects.filter(pk__in=owners).only("username", "first_name", "last_name")}
    groups: dict = {}
    for row in found:
        pk, received, responded, closed, key = row[:5]
        if by == "month":
            key = timezone.localtime(received).strftime("%Y-%m")
            label = key
        elif by == "product":
            label = row[7] if key else None
        else:
            label = labels.get(key) if key else None
        group = groups.setdefault(key or "", {"key": key or "", "label": label or str(_("Not said")), "count": 0,
                                              "closed": 0, "breached": 0, "respond": [], "resolve": [],
                                              "ratings": []})
        group["count"] += 1
        group["breached"] += pk in breached
        if responded:
            group["respond"].append(_hours(received, responded))
        if closed:
            group["closed"] += 1
            group["resolve"].append(_hours(received, closed))
        if pk in rated:
            group["ratings"].append(rated[pk])

    def finish(group: dict) -> dict:
        ratings = group.pop("ratings")
        group["median_respond"] = _median(group.pop("respond"))
        group["median_resolve"] = _median(group.pop("resolve"))
        group["rated"] = len(ratings)
        group["satisfaction"] = sum(ratings) / len(ratings) if ratings else None
        return group

    total = {"key": "", "label": str(_("total")), "count": 0, "closed": 0, "breached": 0, "respond": [],
             "resolve": [], "ratings": []}
    for group in groups.values():
        for name in ("count", "closed", "breached"):
            total[name] += group[name]
        for name in ("respond", "resolve", "ratings"):
            total[name] += group[name]
    rows = [finish(group) for group in groups.values()]
    if by == "month":
        rows.sort(key=lambda r: r["key"])
    else:
        rows.sort(key=lambda r: (-r["count"], r["label"]))
    return {"rows": rows, "total": finish(total), "by": by}


# --- reply scripts (CMP-5) ---------------------------------------------------------------------------------

def scripts_for(complaint) -> list:
    """CMP-5: the active reply scripts of the complaint's type (or of any type) whose keywords
    hold a word found in the customer's words (a script without keywords matches every
    complaint of its type): the ones naming the type first."""
    from kehu.service.models import ReplyScript

    words = (complaint.words or "").casefold()
    found = []
    for script in ReplyScript.objects.filter(Q(kind=complaint.kind) | Q(kind=""), active=True):
        keys = script.words()
        if not script.kind and not keys:
            continue  # a script for every complaint of every type says nothing in particular
        if not keys or any(key.casefold() in words for key in keys):
            found.append(script)
    return sorted(found, key=lambda s: (not s.kind, s.order, s.pk))
