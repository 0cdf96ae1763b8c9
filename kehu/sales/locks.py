"""Row locks of the sales documents (core.locks: by rank, Product 5 < Order 30 < OrderLine 31
< Return 35; a service that also locks the customer (10) or its credit (20–25) takes those
first). Every service that writes an order locks it here."""

from django.utils.translation import gettext as _

from kehu.core.locks import lock, lock_versioned, lock_where
from kehu.sales.models import Order, OrderLine, Product, Return


def _order_stale(order: Order) -> str:
    return (_("Order %(number)s was changed by someone else since you opened it. "
              "Reload to see the change; nothing was saved.") % {"number": order.number})


def lock_order(*, order_pk: int, version: int | None) -> Order:
    """The order's row, locked; refused (StaleEdit) if it is no longer the `version` the user
    read — or if no version is given (core.locks.lock_versioned)."""
    return lock_versioned(Order, order_pk, version=version, stale=_order_stale)


def lock_order_row(order_pk: int) -> Order:
    """The order's row, locked, for a write that does not edit the order itself (a collection
    plan for it): no version to check."""
    return lock(Order, order_pk)


def lock_order_lines(order: Order) -> dict[int, OrderLine]:
    """The lines of a locked order, with their products, lower pk first."""
    return {line.pk: line for line in lock_where(OrderLine.objects.select_related("product"), order=order)}


def lock_product(*, product_pk: int, version: int | None) -> Product:
    return lock_versioned(Product, product_pk, version=version, stale=lambda product: _(
        "Product %(code)s was changed by someone else since you opened it. "
        "Reload to see the change; nothing was saved.") % {"code": product.code})


def lock_return(return_pk: int) -> Return:
    return lock(Return, return_pk)
