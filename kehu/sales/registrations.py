"""What sales shows on other apps' pages (core.registry): navigation entries, the orders block
of the customer's 360° page, the returns analysis among the reports; and the order page as a
record page that upper apps add actions and panels to."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import user_can
from kehu.core.registry import (
    Action,
    JobKind,
    NavEntry,
    Panel,
    RecordPage,
    Report,
    TimelineEntry,
    TimelineSource,
    registry,
)
from kehu.sales import jobs, selectors
from kehu.sales.capabilities import TAKE_ORDERS

LATEST = 10


def customer_orders(request, customer) -> dict:
    """ORD-1 on the 360° page: the customer's latest orders and a link to all of them."""
    return {"customer": customer, "orders": selectors.orders_of_customer(customer, limit=LATEST)}


def new_order_button(request, customer) -> dict | None:
    """ORD-1: 新建订单 in the 360° page's header, for those who take orders."""
    return {"customer": customer} if user_can(request.user, TAKE_ORDERS) else None


def order_steps(user, customer, limit: int) -> list[TimelineEntry]:
    """ORD-1: every step of the customer's orders (sales.events)."""
    return [TimelineEntry(at=e.at, kind=f"order_{e.status}", by=e.by.display_name if e.by else "",
                          url=e.order.get_absolute_url(),
                          text=gettext("Order %(number)s: %(status)s") % {"number": e.order.number,
                                                                     "status": e.get_status_display()})
            for e in selectors.order_steps_of(customer, limit=limit)]


def register() -> None:
    registry.add(JobKind(key=jobs.PRODUCT_IMPORT, label=_("Import products"), run=jobs.import_file,
                         back="sales:product_list"))
    registry.add(NavEntry(key="orders", label=_("Orders"), url_name="sales:order_list", order=30))
    registry.add(NavEntry(key="returns", label=_("Returns"), url_name="sales:return_list", order=40))
    registry.add(NavEntry(key="products", label=_("Products"), url_name="sales:product_list", order=50))
    registry.add(RecordPage(key="order", get=lambda request, pk: selectors.order_get_for_user(user=request.user,
                                                                                             pk=pk)))
    registry.add(Panel(key="orders", page="customer", tab="business", template="sales/_customer_orders.html",
                       context=customer_orders, order=10, query_budget=2))
    registry.add(Action(key="new-order", page="customer", template="sales/_customer_new_order.html",
                        context=new_order_button, order=30))
    registry.add(TimelineSource(key="orders", label=_("Orders"), entries=order_steps, order=20, query_budget=1))
    registry.add(Report(key="returns-analysis", label=_("Returns analysis"), url_name="sales:returns_analysis",
                        order=40))
