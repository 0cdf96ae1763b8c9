"""Sales blocks shown on other apps' pages (the customer's 360° page)."""

from django import template

from kehu.sales import selectors

register = template.Library()
LATEST = 10


@register.inclusion_tag("sales/_customer_orders.html", takes_context=True)
def customer_orders(context, customer):
    """ORD-1 on the 360° page: the customer's latest orders, a link to all of them and, for
    those who take orders, to a new one."""
    user = context.get("user")
    return {"customer": customer, "orders": selectors.orders_of_customer(customer, limit=LATEST),
            "can_take": user is not None and selectors.can_take_orders(user),
            "request": context.get("request"), "user": user}
