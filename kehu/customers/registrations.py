"""The customer pages in the registry (core.registry): the navigation entry, the 360° page as a
record page that upper apps add panels to, and the customer's timeline — the panel that
gathers every app's registered TimelineSource — with this app's own entries (CUS-2, CUS-5, CUS-8)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import user_can
from kehu.core.registry import JobKind, NavEntry, Panel, RecordPage, TimelineEntry, TimelineSource, registry
from kehu.customers import jobs, selectors
from kehu.customers.capabilities import SEE_POOL


def own_events(user, customer, limit: int) -> list[TimelineEntry]:
    """Personnel changes, duplicate decisions and merges (CustomerEvent), and hand-overs (Reassignment)."""
    entries = [TimelineEntry(at=e.at, text=e.message, by=e.by.display_name if e.by else "", kind=e.kind)
               for e in selectors.events_of(customer, limit=limit)]
    entries += [TimelineEntry(at=r.at, kind="reassigned", by=r.by.display_name,
                              text=gettext("Handed over from %(old)s to %(new)s: %(reason)s") % {
                                  "old": r.from_owner.display_name if r.from_owner else "—",
                                  "new": r.to_owner.display_name, "reason": r.reason})
                for r in selectors.reassignments_of(customer, limit=limit)]
    return entries


def timeline(request, customer) -> dict:
    return {"entries": registry.timeline_for(request.user, customer)}


def register() -> None:
    registry.add(JobKind(key=jobs.PREVIEW, label=_("Import customers"), run=jobs.preview, back="customers:import",
                         result=jobs.preview_result))
    registry.add(JobKind(key=jobs.COMMIT, label=_("Import customers"), run=jobs.commit, back="customers:list"))
    registry.add(NavEntry(key="customers", label=_("Customers"), url_name="customers:list", order=20))
    registry.add(NavEntry(key="pool", label=_("Customer pool"), url_name="customers:pool", order=21,
                          visible=lambda user: user_can(user, SEE_POOL)))
    registry.add(RecordPage(key="customer", get=lambda request, pk: selectors.customer_get_for_user(user=request.user,
                                                                                                   pk=pk)))
    registry.add(Panel(key="timeline", page="customer", tab="history", label=_("Timeline"),
                       template="customers/_timeline.html", context=timeline, lazy=True,
                       query_budget=registry.timeline_budget))
    registry.add(TimelineSource(key="customer", label=_("Customer card"), entries=own_events, order=10))
