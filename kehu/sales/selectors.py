"""Reads of products, orders and returns, scoped to the user (core.scopes)."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from kehu.accounts.selectors import name_fields
from kehu.core.access import get_for_user
from kehu.core.money import MONEY_FIELD
from kehu.core.scopes import scope_queryset
from kehu.sales.capabilities import HANDLE_ORDERS
from kehu.sales.models import CreditNote, Order, OrderEvent, OrderLine, Product, Return, ReturnLine

# A sum of no rows is ¥0.00, not NULL.
NO_AMOUNT = Value(Decimal("0"), output_field=DecimalField(**MONEY_FIELD))
# Orders that count against the credit limit before they are invoiced (CRD-3).
OPEN_UNINVOICED = (Order.Status.CONFIRMED, Order.Status.DELIVERED)


def products_active() -> QuerySet[Product]:
    return Product.objects.filter(active=True)


def product_lines() -> list[str]:
    return list(Product.objects.order_by("line").values_list("line", flat=True).distinct())


# The name under which writers report changes to orders (core.pagination.lists_changed).
ORDER_LIST = "orders"


def order_list_rows() -> QuerySet[Order]:
    """The order list's rows with their customer, salesperson and office; callers restrict it
    to ids already scoped (core.pagination.DeferredJoinPaginator)."""
    return Order.objects.select_related("customer", "owner", "office").only(
        "number", "ordered_on", "status", "total", "returned", "customer__name", "customer__code",
        "office__name", *name_fields("owner"))


def orders_visible_to(user) -> QuerySet[Order]:
    return scope_queryset(Order.objects.select_related("customer", "owner", "office"), user)


def order_get_for_user(*, user, pk, write: bool = False) -> Order:
    """The order if in the user's scope (else 404); with write=True the role must be one that
    takes or handles orders (else 403): after-sales service staff only read them."""
    return get_for_user(orders_visible_to(user), pk, user=user, write=HANDLE_ORDERS if write else None,
                        not_found=_("No such order in your scope."),
                        forbidden=_("Your role can read orders but not change them."))


def order_lines_of(order: Order) -> QuerySet[OrderLine]:
    return order.lines.select_related("product")


def orders_of_customer(customer, *, limit: int = 20) -> QuerySet[Order]:
    return customer.orders.select_related("owner")[:limit]


def order_status_changes(order: Order) -> list[OrderEvent]:
    """The order's timeline: each step of its status, oldest first — who moved it, when
    (OrderEvent, written by the services: sales.events)."""
    return list(order.events.select_related("by").order_by("at", "id"))


def order_steps_of(customer, *, limit: int) -> QuerySet[OrderEvent]:
    """The latest steps of a customer's orders, newest first (the customer's timeline)."""
    return (OrderEvent.objects.filter(order__customer=customer).select_related("order", "by")
            .order_by("-at", "-id")[:limit])


def returns_of_order(order: Order) -> QuerySet[Return]:
    return order.returns.select_related("credit_note", "recorded_by")


def return_lines_of(ret: Return) -> QuerySet[ReturnLine]:
    return ret.lines.select_related("product", "order_line")


def returns_visible_to(user) -> QuerySet[Return]:
    return scope_queryset(Return.objects.select_related("order", "customer", "owner", "recorded_by"), user)


def return_get_for_user(*, user, pk) -> Return:
    return get_for_user(returns_visible_to(user), pk, user=user, not_found=_("No such return in your scope."))


def uninvoiced_order_amounts(customer_ids, *, exclude_order=None) -> dict[int, Decimal]:
    """Per customer, what confirmed and delivered orders not yet invoiced are worth after
    returns: the order half of the credit exposure (CRD-3)."""
    qs = Order.objects.filter(customer_id__in=customer_ids, status__in=OPEN_UNINVOICED)
    if exclude_order is not None:
        qs = qs.exclude(pk=exclude_order.pk)
    rows = qs.values("customer_id").annotate(amount=Sum(F("total") - F("returned")))
    return {r["customer_id"]: r["amount"] or Decimal("0") for r in rows}


def credit_notes_of(customer) -> QuerySet[CreditNote]:
    return customer.credit_notes.select_related("ret")


def returns_analysis(user, *, start: date, end: date, by: str) -> list[dict]:
    """ORD-2: returned amount and count per reason, product, customer, salesperson or month,
    in the user's scope, for returns dated start..end; largest first (months in order)."""
    returns = returns_visible_to(user).filter(returned_on__gte=start, returned_on__lte=end)
    if by == "product":
        lines = ReturnLine.objects.filter(ret__in=returns.values("pk"))
        rows = (lines.values(key=F("product__code"), label=F("product__name"))
                .annotate(amount=Coalesce(Sum("amount"), NO_AMOUNT), count=Count("ret", distinct=True))
                .order_by("-amount"))
        return list(rows)
    if by == "month":
        rows = (returns.annotate(month=TruncMonth("returned_on")).values("month")
                .annotate(amount=Coalesce(Sum("amount"), NO_AMOUNT), count=Count("pk")).order_by("month"))
        return [{"key": r["month"].strftime("%Y-%m"), "label": r["month"].strftime("%Y-%m"),
                 "amount": r["amount"], "count": r["count"]} for r in rows]
    field = {"reason": "reason", "customer": "customer_id", "salesperson": "owner_id"}[by]
    label = {"reason": "reason", "customer": "customer__name", "salesperson": "owner__username"}[by]
    rows = (returns.values(key=F(field), label=F(label))
            .annotate(amount=Coalesce(Sum("amount"), NO_AMOUNT), count=Count("pk")).order_by("-amount"))
    rows = list(rows)
    if by == "reason":
        names = dict(Return.Reason.choices)
        for r in rows:
            r["label"] = str(names.get(r["key"], r["key"]))
    return rows


# Orders that count as sales: taken and not called off (AR-4 "sales amount").
NOT_SALES = (Order.Status.DRAFT, Order.Status.CANCELLED)


def sales_amount(user, *, start: date, end: date) -> Decimal:
    """AR-4: what the user's scope sold from `start` to `end`: the orders taken in the period,
    neither drafts nor cancelled, less what came back. Summed separately and subtracted here
    (SQLite would subtract decimals in floating point)."""
    sums = (orders_visible_to(user).filter(ordered_on__gte=start, ordered_on__lte=end)
            .exclude(status__in=NOT_SALES).aggregate(total=Sum("total"), returned=Sum("returned")))
    return (sums["total"] or Decimal("0")) - (sums["returned"] or Decimal("0"))
