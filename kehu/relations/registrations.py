"""What keeping in touch shows on other apps' pages (core.registry): the navigation entry, on
the customer's 360° page the one-tap visit and "Log a touch" in the header and the latest
touches in the "Service and touches" tab, the family occasions of the key people in the "Key
people" tab, the touches in the customer's timeline, and the customer list's 最后联系 / Last
contact column."""

from datetime import datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import user_can
from kehu.core.registry import (
    Action,
    DueItem,
    DueSource,
    ListColumn,
    NavEntry,
    Panel,
    TimelineEntry,
    TimelineSource,
    registry,
)
from kehu.customers.capabilities import EDIT_CUSTOMERS
from kehu.relations import selectors
from kehu.relations.capabilities import (
    FILE_MARKET_REPORTS,
    LOG_TOUCHES,
    PLAN_DEALER_SUPPORT,
    RECORD_DEALER_CHECKS,
)

LATEST_TOUCHES = 5


def customer_touches(request, customer) -> dict:
    """REL-2 on the 360° page: the latest touches, the last contact and where to log one."""
    touches = selectors.latest_touches_of(customer, limit=LATEST_TOUCHES)
    return {"customer": customer, "touches": touches, "last": touches[0].on if touches else None,
            "can_log": user_can(request.user, LOG_TOUCHES),
            "next": reverse("customers:detail", args=[customer.pk]) + "?tab=service"}


def visit_buttons(request, customer) -> dict | None:
    """REL-2: "Visited, all fine" (one tap) and "Log a touch" in the 360° page's header."""
    return {"customer": customer} if user_can(request.user, LOG_TOUCHES) else None


def touch_entries(user, customer, limit: int) -> list[TimelineEntry]:
    """REL-2: each touch on its day (the time it was logged when logged that day)."""
    entries = []
    zone = timezone.get_current_timezone()
    for t in selectors.latest_touches_of(customer, limit=limit):
        logged = timezone.localtime(t.created_at)
        at = logged if logged.date() == t.on else timezone.make_aware(datetime.combine(t.on, time(12)), zone)
        entries.append(TimelineEntry(at=at, kind=f"touch_{t.kind}", url=reverse("relations:touch_detail", args=[t.pk]),
                                     by=t.by.display_name, text=f"{t.get_kind_display()}: {t.purpose}"))
    return entries


def days_ago(day, today) -> str:
    days = (today - day).days
    if days <= 0:
        return gettext("today")
    return ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": days}


def last_contact_cells(user, ids: list[int]) -> dict:
    """The customer list's 最后联系 column (CUS, issue 12): the day of each customer's last touch
    and how long ago; one query for the page."""
    today = timezone.localdate()
    return {pk: format_html('<span class="text-nowrap">{}</span> <span class="small text-muted text-nowrap">{}</span>',
                            day.isoformat(), days_ago(day, today))
            for pk, day in selectors.last_contact_days(ids).items()}


def market_button(request, customer) -> dict | None:
    """REL-5: "Report market information" about the customer, in the 360° page's header."""
    return {"customer": customer} if user_can(request.user, FILE_MARKET_REPORTS) else None


def customer_checks(request, customer) -> dict:
    """REL-6 on the 360° page: the dealer's last twelve checks and how each figure moved."""
    return {"customer": customer, "trend": selectors.dealer_trend(customer),
            "can_record": user_can(request.user, RECORD_DEALER_CHECKS)}


def customer_support(request, customer) -> dict:
    """REL-7 on the 360° page: the dealer's latest support plans with budget and spent."""
    return {"customer": customer, "plans": selectors.support_plans_of(customer),
            "can_plan": user_can(request.user, PLAN_DEALER_SUPPORT)}


def customer_family(request, customer) -> dict:
    """REL-3 on the 360° page's key-people tab: the family occasions 家庭纪念日 of the current key
    people, each with its next day, and where to add or edit one."""
    from kehu.relations.greetings import next_anniversary

    today = timezone.localdate()
    occasions = selectors.family_occasions_of(customer)
    for o in occasions:
        day = next_anniversary(o.on, today) if o.yearly else o.on
        o.next_on = day if day >= max(today, o.on) else None
    return {"customer": customer, "occasions": occasions, "can_edit": user_can(request.user, EDIT_CUSTOMERS)}


def contacts_due(user, day) -> list[DueItem]:
    """REL-4 ← REL-1, REL-2: the user's own customers due or overdue for a contact on the day, and
    the next steps promised by then that no touch has followed yet."""
    if not user_can(user, LOG_TOUCHES):
        return []
    items = []
    for row in selectors.due_customers(user, today=day, owner_ids=[user.pk]):
        if row.due_on > day:
            continue
        items.append(DueItem(kind="contact", key=f"contact:{row.customer.pk}", customer_id=row.customer.pk,
                             title=gettext("Contact %(name)s (grade %(grade)s)") % {
                                 "name": row.customer.name, "grade": row.customer.grade},
                             url=reverse("customers:detail", args=[row.customer.pk]) + "?tab=service",
                             due_on=row.due_on, overdue=row.status == "overdue"))
    for t in selectors.open_next_steps(user, day=day):
        items.append(DueItem(kind="next_step", key=f"next_step:{t.pk}", customer_id=t.customer_id,
                             title=f"{t.next_step} · {t.customer.name}",
                             url=reverse("relations:touch_create", args=[t.customer_id]),
                             due_on=t.next_step_on, overdue=t.next_step_on < day))
    return items


def greetings_due(user, day) -> list[DueItem]:
    """REL-4 ← REL-3: birthdays, family occasions, founding anniversaries and holidays of the
    user's customers from the day to the policy's days ahead."""
    if not user_can(user, LOG_TOUCHES):
        return []
    from kehu.relations.greetings import occasions
    from kehu.relations.models import CadencePolicy

    return [DueItem(kind="greeting", key=o.key, title=o.title, url=o.url, due_on=o.on, customer_id=o.customer_id)
            for o in occasions(user=user, today=day, days_before=CadencePolicy.current().greeting_days_before)]


def register() -> None:
    registry.add(NavEntry(key="relations", label=_("Keeping in touch"), url_name="relations:plan", order=50,
                          element_id="nav-relations"))
    registry.add(ListColumn(key="last_contact", page="customers", header=_("Last contact"), values=last_contact_cells,
                            order=20, query_budget=1))
    registry.add(Action(key="visit", page="customer", template="relations/_customer_visit.html",
                        context=visit_buttons, order=5))
    registry.add(Action(key="market_report", page="customer", template="relations/_customer_market.html",
                        context=market_button, order=60))
    registry.add(Panel(key="touches", page="customer", tab="service", label=_("Touches"),
                       template="relations/_customer_touches.html", context=customer_touches, order=10, lazy=True,
                       query_budget=2))
    registry.add(Panel(key="dealer-checks", page="customer", tab="business", label=_("Dealer checks"),
                       template="relations/_customer_checks.html", context=customer_checks, order=70, lazy=True,
                       query_budget=2))
    registry.add(Panel(key="dealer-support", page="customer", tab="business", label=_("Dealer support"),
                       template="relations/_customer_support.html", context=customer_support, order=75, lazy=True,
                       query_budget=2))
    registry.add(Panel(key="family-occasions", page="customer", tab="people", label=_("Family occasions"),
                       template="relations/_customer_family.html", context=customer_family, order=10, lazy=True,
                       query_budget=1))
    registry.add(DueSource(key="contacts", label=_("Contacts due"), items=contacts_due, order=10))
    registry.add(DueSource(key="greetings", label=_("Greetings"), items=greetings_due, order=40))
    registry.add(TimelineSource(key="touches", label=_("Touches"), entries=touch_entries, order=20, query_budget=1))
