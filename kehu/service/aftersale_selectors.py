"""Reads of service commitments (SVC-2) and after-sale follow-ups (SVC-3), scoped to the user as
complaints and service orders are (selectors.SCOPE_FIELDS): a salesperson sees their own
customers', a director their office's, service and the heads of sales everyone's."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.selectors import name_fields
from kehu.core.access import get_for_user
from kehu.core.scopes import scope_queryset
from kehu.service.capabilities import COMMIT, SERVE
from kehu.service.models import Commitment, FollowUp, LiteratureSend, Occurrence, ServiceOrder

COMMITMENT_LIST = "commitments"  # core.pagination.lists_changed
FOLLOW_UP_LIST = "follow_ups"
OCCURRENCE_SCOPE = {"owner_field": "commitment__customer__owner", "office_field": "commitment__customer__office"}
SCOPE = {"owner_field": "customer__owner", "office_field": "customer__office"}


# --- commitments (SVC-2) ------------------------------------------------------------------------------------

def commitments_visible_to(user) -> QuerySet[Commitment]:
    return scope_queryset(Commitment.objects.select_related("customer", "owner"), user, **SCOPE)


def commitment_get_for_user(*, user, pk, write: bool = False) -> Commitment:
    return get_for_user(commitments_visible_to(user), pk, user=user, write=COMMIT if write else None,
                        not_found=_("No such commitment in your scope."),
                        forbidden=_("Your role does not keep service commitments."))


def occurrences_visible_to(user) -> QuerySet[Occurrence]:
    return scope_queryset(Occurrence.objects.select_related("commitment", "commitment__customer",
                                                            "commitment__owner", "fulfilled_by"),
                          user, **OCCURRENCE_SCOPE)


def occurrence_get_for_user(*, user, pk, write: bool = False) -> Occurrence:
    return get_for_user(occurrences_visible_to(user), pk, user=user, write=COMMIT if write else None,
                        not_found=_("No such commitment in your scope."),
                        forbidden=_("Your role does not keep service commitments."))


def occurrence_list_rows() -> QuerySet[Occurrence]:
    """The commitment list's columns only; callers restrict it to ids already scoped."""
    return Occurrence.objects.select_related("commitment", "commitment__customer", "commitment__owner").only(
        "due_on", "status", "fulfilled_on", "commitment__description", "commitment__repeat",
        "commitment__customer__name", "commitment__customer__code", *name_fields("commitment__owner"))


def occurrences_of(commitment) -> list[Occurrence]:
    return list(commitment.occurrences.select_related("fulfilled_by").order_by("due_on", "id"))


def occurrences_of_customer(customer, *, limit: int) -> list[Occurrence]:
    """SVC-2 on the 360° page: the customer's commitments as they fall due, the latest first."""
    return list(Occurrence.objects.filter(commitment__customer=customer)
                .select_related("commitment", "commitment__owner").order_by("-due_on", "-id")[:limit])


def commitment_events_of(customer, *, limit: int) -> list[Occurrence]:
    """The customer's timeline of promises in one query: each commitment's first due day (the
    promise as made: `first`) and every due day kept or missed, the latest first."""
    earlier = Occurrence.objects.filter(commitment=OuterRef("commitment"), due_on__lt=OuterRef("due_on"))
    return list(Occurrence.objects.filter(commitment__customer=customer).annotate(first=~Exists(earlier))
                .filter(Q(first=True) | ~Q(status=Occurrence.Status.OPEN))
                .select_related("commitment", "commitment__owner", "fulfilled_by").order_by("-due_on", "-id")[:limit])


def occurrences_due_for(user, *, on: date) -> QuerySet[Occurrence]:
    """REL-4: the user's own commitments due on the day (or before, not yet fulfilled)."""
    return (Occurrence.objects.filter(commitment__owner=user, status=Occurrence.Status.OPEN, due_on__lte=on)
            .select_related("commitment", "commitment__customer").order_by("due_on", "id"))


def occurrences_late(today: date) -> QuerySet[Occurrence]:
    """SVC-2: open occurrences whose day has passed: the worker marks them missed."""
    return (Occurrence.objects.filter(status=Occurrence.Status.OPEN, due_on__lt=today)
            .select_related("commitment", "commitment__customer", "commitment__owner", "commitment__owner__office")
            .order_by("pk"))


@dataclass
class KeepingRow:
    key: int
    name: str
    due: int
    kept: int
    late: int
    missed: int

    @property
    def rate(self):
        """Kept on time ÷ due, in per cent with one decimal (None when nothing was due)."""
        return round(100 * self.kept / self.due, 1) if self.due else None


def keeping_rate(user, *, start: date, end: date, today: date) -> tuple[list[KeepingRow], KeepingRow]:
    """SVC-2: per salesperson of the commitments the user sees, the occurrences due from `start`
    to `end` whose day has come (up to `today`): how many were kept on time (fulfilled on or
    before the day), fulfilled late, or missed. Lowest rate first; one query and the names."""
    due = (occurrences_visible_to(user).filter(due_on__gte=start, due_on__lte=end)
           .filter(Q(due_on__lt=today) | ~Q(status=Occurrence.Status.OPEN)))
    counts = (due.order_by().values("commitment__owner_id")
              .annotate(due=Count("id"),
                        kept=Count("id", filter=Q(status=Occurrence.Status.FULFILLED,
                                                  fulfilled_on__lte=F("due_on"))),
                        late=Count("id", filter=Q(status=Occurrence.Status.FULFILLED, fulfilled_on__gt=F("due_on"))),
                        missed=Count("id", filter=~Q(status=Occurrence.Status.FULFILLED))))
    found = {row["commitment__owner_id"]: row for row in counts}
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=list(found))}
    rows = [KeepingRow(key=pk, name=names.get(pk, str(pk)), due=r["due"], kept=r["kept"], late=r["late"],
                       missed=r["missed"]) for pk, r in found.items()]
    rows.sort(key=lambda r: (r.rate if r.rate is not None else 101, r.name))
    total = KeepingRow(key=0, name=_("total"), due=sum(r.due for r in rows), kept=sum(r.kept for r in rows),
                       late=sum(r.late for r in rows), missed=sum(r.missed for r in rows))
    return rows, total


# --- the daily plan (REL-4) ---------------------------------------------------------------------------------

def service_orders_due_for(user, *, on: date) -> QuerySet[ServiceOrder]:
    """REL-4 ← SVC-1: the open services assigned to the user due on the day (or overdue)."""
    return (ServiceOrder.objects.filter(assignee=user, status=ServiceOrder.Status.OPEN, due_on__lte=on)
            .select_related("customer").order_by("due_on", "id"))


def complaint_deadlines_for(user, *, on: date):
    """REL-4 ← CMP-4: the complaints the user handles with a deadline on the day still to meet:
    the first response (none yet) or the resolution (not closed)."""
    from kehu.service.models import Complaint

    return (Complaint.objects.filter(handler=user).exclude(status=Complaint.Status.CLOSED)
            .filter(Q(first_response_at__isnull=True, respond_by__date=on) | Q(resolve_by__date=on))
            .select_related("customer").order_by("resolve_by", "id"))


def follow_ups_due_for(user, *, on: date) -> QuerySet[FollowUp]:
    """REL-4 ← SVC-3: the user's follow-up calls due on the day (or before, not yet made)."""
    return (FollowUp.objects.filter(assignee=user, status=FollowUp.Status.OPEN, due_on__lte=on)
            .select_related("customer", "order").order_by("due_on", "id"))


# --- follow-ups and literature (SVC-3) ----------------------------------------------------------------------

def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    return scope_queryset(FollowUp.objects.select_related("customer", "order", "assignee", "done_by"), user, **SCOPE)


def follow_up_get_for_user(*, user, pk, write: bool = False) -> FollowUp:
    return get_for_user(follow_ups_visible_to(user), pk, user=user, write=SERVE if write else None,
                        not_found=_("No such follow-up in your scope."),
                        forbidden=_("Your role does not do after-sales service."))


def follow_ups_of_customer(customer, *, limit: int) -> list[FollowUp]:
    return list(customer.follow_ups.select_related("order", "assignee").order_by("-due_on", "-id")[:limit])


def literature_of_customer(customer, *, limit: int) -> list[LiteratureSend]:
    return list(customer.literature_sends.select_related("by").order_by("-sent_on", "-id")[:limit])


def literature_visible_to(user) -> QuerySet[LiteratureSend]:
    return scope_queryset(LiteratureSend.objects.select_related("customer", "by"), user, **SCOPE)
