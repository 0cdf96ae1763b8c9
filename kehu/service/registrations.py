"""What service shows on other apps' pages (core.registry): the complaints entry of the
navigation, the complaints block on the customer's 360° page (Service tab) with its
登记投诉 button, the complaint steps on the customer's timeline, and the order's complaints."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import user_can
from kehu.core.registry import Action, Card, NavEntry, Panel, Report, TimelineEntry, TimelineSource, registry
from kehu.service import selectors
from kehu.service.capabilities import RECEIVE_COMPLAINTS, SERVE

LATEST = 10


def customer_complaints(request, customer) -> dict:
    """CMP-1, CMP-6 on the 360° page: the customer's latest complaints."""
    return {"customer": customer, "complaints": selectors.complaints_of_customer(customer, limit=LATEST),
            "can_record": user_can(request.user, RECEIVE_COMPLAINTS)}


def record_button(request, customer) -> dict | None:
    return {"customer": customer} if user_can(request.user, RECEIVE_COMPLAINTS) else None


def order_complaints(request, order) -> dict:
    return {"order": order, "complaints": selectors.complaints_of_order(order),
            "can_record": user_can(request.user, RECEIVE_COMPLAINTS)}


def complaint_steps(user, customer, limit: int) -> list[TimelineEntry]:
    """CMP-2: each step of the customer's complaints, who took it and when."""
    return [TimelineEntry(at=s.at, kind=f"complaint_{s.step}", by=s.by.display_name,
                          url=reverse("service:complaint_detail", args=[s.complaint_id]),
                          text=gettext("Complaint #%(number)d: %(step)s") % {"number": s.complaint_id,
                                                                           "step": s.get_step_display()})
            for s in selectors.latest_steps_of(customer, limit=limit)]


def customer_service_orders(request, customer) -> dict:
    """SVC-1 on the 360° page: the customer's latest services."""
    return {"customer": customer, "service_orders": selectors.service_orders_of_customer(customer, limit=LATEST),
            "can_plan": user_can(request.user, SERVE)}


def home_service(request) -> dict:
    return {"service": selectors.service_headline(request.user)}


def register() -> None:
    registry.add(NavEntry(key="complaints", label=_("Complaints"), url_name="service:complaint_list", order=75,
                          element_id="nav-complaints"))
    # Lazy, as the touches beside it: the 360° page opens on its header, not on the Service tab.
    registry.add(Panel(key="complaints", page="customer", tab="service", label=_("Complaints"),
                       template="service/_customer_complaints.html", context=customer_complaints, order=20,
                       lazy=True, query_budget=2))
    registry.add(Action(key="record-complaint", page="customer", template="service/_customer_record_complaint.html",
                        context=record_button, order=60))
    registry.add(Panel(key="complaints", page="order", tab="side", template="service/_order_complaints.html",
                       context=order_complaints, order=60, query_budget=2))
    registry.add(NavEntry(key="service-orders", label=_("Service queue"), url_name="service:service_order_list",
                          order=76, element_id="nav-service-orders", visible=lambda user: user_can(user, SERVE)))
    # Lazy, as the complaints and touches beside it: the 360° page does not read it until the tab opens.
    registry.add(Panel(key="service-orders", page="customer", tab="service", label=_("After-sales service"),
                       template="service/_customer_service_orders.html", context=customer_service_orders, order=30,
                       lazy=True, query_budget=2))
    registry.add(TimelineSource(key="complaints", label=_("Complaints"), entries=complaint_steps, order=50,
                                query_budget=1))
    registry.add(Card(key="service", template="service/_home_service.html", context=home_service, order=30))
    registry.add(Report(key="complaint-analysis", label=_("Complaint analysis"), url_name="service:complaint_analysis",
                        order=50))
    # SVC-2, SVC-3 and the daily plan's service items (REL-4): their own module.
    from kehu.service import aftersale_registrations

    aftersale_registrations.register()
