"""What service commitments (SVC-2) and after-sale follow-ups (SVC-3) show on other apps' pages
(core.registry), called from registrations.register(): their navigation entries, their blocks on
the customer's 360° page (Service tab), their lines in the customer's timeline, and the daily
plan's items (REL-4) — commitments, service orders, complaint deadlines and follow-up calls due."""

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import user_can
from kehu.core.registry import (
    DueItem,
    DueSource,
    NavEntry,
    Panel,
    Report,
    TimelineEntry,
    TimelineSource,
    registry,
)
from kehu.service import aftersale_selectors as selectors
from kehu.service.capabilities import COMMIT, HANDLE_COMPLAINTS, SEE_PROMISE_KEEPING, SERVE

LATEST = 10


def _noon(day):
    return timezone.make_aware(datetime.combine(day, time(12)), timezone.get_current_timezone())


def customer_commitments(request, customer) -> dict:
    """SVC-2 on the 360° page: the customer's promises as they fall due, the latest first."""
    return {"customer": customer, "occurrences": selectors.occurrences_of_customer(customer, limit=LATEST),
            "can_commit": user_can(request.user, COMMIT)}


def customer_follow_ups(request, customer) -> dict:
    """SVC-3 on the 360° page: the follow-up calls after delivery and the literature sent."""
    return {"customer": customer, "follow_ups": selectors.follow_ups_of_customer(customer, limit=LATEST),
            "sends": selectors.literature_of_customer(customer, limit=LATEST),
            "can_serve": user_can(request.user, SERVE)}


def commitment_entries(user, customer, limit: int) -> list[TimelineEntry]:
    """SVC-2: each promise as made, and each due day kept or missed (one query)."""
    entries = []
    for o in selectors.commitment_events_of(customer, limit=limit):
        url = reverse("service:commitment_detail", args=[o.commitment_id])
        if o.first:
            entries.append(TimelineEntry(at=o.commitment.created_at, kind="commitment", url=url,
                                         by=o.commitment.owner.display_name,
                                         text=gettext("Promise made: %(what)s") % {"what": o.commitment.description}))
        if o.status == o.Status.FULFILLED:
            entries.append(TimelineEntry(at=_noon(o.fulfilled_on), kind="commitment_kept", url=url,
                                         by=o.fulfilled_by.display_name if o.fulfilled_by else "",
                                         text=gettext("Promise due %(due)s kept: %(note)s") % {
                                             "due": o.due_on.isoformat(), "note": o.note}))
        elif o.status == o.Status.MISSED:
            entries.append(TimelineEntry(at=o.missed_at or _noon(o.due_on), kind="commitment_missed", url=url,
                                         text=gettext("Promise due %(due)s missed: %(what)s") % {
                                             "due": o.due_on.isoformat(), "what": o.commitment.description}))
    return entries


def follow_up_entries(user, customer, limit: int) -> list[TimelineEntry]:
    """SVC-3: the follow-up calls made and the literature sent."""
    entries = [TimelineEntry(at=f.done_at, kind="follow_up", by=f.assignee.display_name,
                             url=reverse("service:follow_up_detail", args=[f.pk]),
                             text=gettext("Follow-up call after order %(number)s: %(usage)s") % {
                                 "number": f.order.number, "usage": f.usage})
               for f in selectors.follow_ups_of_customer(customer, limit=limit) if f.done_at]
    entries += [TimelineEntry(at=_noon(s.sent_on), kind="literature", by=s.by.display_name,
                              text=gettext("%(kind)s sent: %(title)s") % {"kind": s.get_kind_display(),
                                                                           "title": s.title})
                for s in selectors.literature_of_customer(customer, limit=limit)]
    return entries


def commitments_due(user, day) -> list[DueItem]:
    """REL-4 ← SVC-2: the user's promises due on the day (or overdue, not yet kept)."""
    if not user_can(user, COMMIT):
        return []
    return [DueItem(kind="commitment", key=f"commitment:{o.pk}", customer_id=o.commitment.customer_id,
                    title=gettext("Promise · %(customer)s: %(what)s") % {
                        "customer": o.commitment.customer.name, "what": o.commitment.description},
                    url=reverse("service:commitment_detail", args=[o.commitment_id]), due_on=o.due_on,
                    overdue=o.due_on < day)
            for o in selectors.occurrences_due_for(user, on=day)]


def service_due(user, day) -> list[DueItem]:
    """REL-4 ← SVC-1, SVC-3, CMP-4: the user's open services due on the day, the follow-up calls
    due, and the deadlines of the complaints the user handles that fall on the day."""
    items = []
    if user_can(user, SERVE):
        items += [DueItem(kind="service_order", key=f"service-order:{s.pk}", customer_id=s.customer_id,
                          title=f"{s.get_kind_display()} · {s.customer.name}",
                          url=reverse("service:service_order_detail", args=[s.pk]), due_on=s.due_on,
                          overdue=s.due_on < day)
                  for s in selectors.service_orders_due_for(user, on=day)]
        items += [DueItem(kind="follow_up", key=f"follow-up:{f.pk}", customer_id=f.customer_id,
                          title=gettext("Follow-up call · %(customer)s (order %(number)s)") % {
                              "customer": f.customer.name, "number": f.order.number},
                          url=reverse("service:follow_up_detail", args=[f.pk]), due_on=f.due_on,
                          overdue=f.due_on < day)
                  for f in selectors.follow_ups_due_for(user, on=day)]
    if user_can(user, HANDLE_COMPLAINTS):
        for c in selectors.complaint_deadlines_for(user, on=day):
            late_response = c.first_response_at is None and timezone.localdate(c.respond_by) == day
            title = (gettext("First response due · complaint #%(number)d of %(customer)s") if late_response
                     else gettext("Resolution due · complaint #%(number)d of %(customer)s")) % {
                "number": c.pk, "customer": c.customer.name}
            items.append(DueItem(kind="complaint_deadline", key=f"complaint:{c.pk}", customer_id=c.customer_id,
                                 title=title, url=c.get_absolute_url(), due_on=day))
    return items


def register() -> None:
    registry.add(NavEntry(key="commitments", label=_("Commitments"), url_name="service:commitment_list", order=77,
                          element_id="nav-commitments", visible=lambda user: user_can(user, COMMIT)))
    registry.add(NavEntry(key="follow-ups", label=_("Follow-up calls"), url_name="service:follow_up_list", order=78,
                          element_id="nav-follow-ups", visible=lambda user: user_can(user, SERVE)))
    registry.add(Panel(key="commitments", page="customer", tab="service", label=_("Service commitments"),
                       template="service/_customer_commitments.html", context=customer_commitments, order=40,
                       lazy=True, query_budget=1))
    registry.add(Panel(key="follow-ups", page="customer", tab="service", label=_("Follow-ups and literature"),
                       template="service/_customer_follow_ups.html", context=customer_follow_ups, order=50,
                       lazy=True, query_budget=2))
    registry.add(TimelineSource(key="commitments", label=_("Service commitments"), entries=commitment_entries,
                                order=55, query_budget=1))
    registry.add(TimelineSource(key="follow-ups", label=_("Follow-ups and literature"), entries=follow_up_entries,
                                order=56, query_budget=2))
    registry.add(DueSource(key="commitments", label=_("Promises due"), items=commitments_due, order=35))
    registry.add(DueSource(key="service", label=_("Service work"), items=service_due, order=36))
    registry.add(Report(key="promise-keeping", label=_("Promise-keeping rate"), url_name="service:keeping_rate",
                        order=60, visible=lambda user: user_can(user, SEE_PROMISE_KEEPING)))
