"""Reads of complaints, scoped to the user: a salesperson sees their own customers' complaints,
a director their office's, service and the heads of sales everyone's (core.scopes)."""

from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.selectors import name_fields
from kehu.core.access import get_for_user
from kehu.core.roles import ROLE_SCOPE, Role, Scope
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
    return list(customer.complaints.select_related("handler").order_by("-received_at", "-id")[:limit])


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

def managers_of(user) -> list[User]:
    """Whom a missed deadline of `user`'s complaint goes to: the office directors or sales managers
    of the nearest office above `user` that has one (never `user`), else the marketing VP, else
    the general manager."""
    path = user.office.path if user.office_id else ""
    above = [int(part) for part in path.strip("/").split("/") if part]
    found = list(User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.SALES_MANAGER], office_id__in=above)
                 .exclude(pk=user.pk).select_related("office"))
    if found:
        nearest = max(len(u.office.path) for u in found)
        return [u for u in found if len(u.office.path) == nearest]
    for role in (Role.MARKETING_VP, Role.GENERAL_MANAGER):
        top = list(User.objects.filter(is_active=True, role=role).exclude(pk=user.pk).order_by("pk"))
        if top:
            return top
    return []


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
