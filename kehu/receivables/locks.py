"""Row locks of the receivables, taken through core.locks in its one order: the customer's
row (10; every money write of one customer queues behind it), the order (30) when the write
concerns one, then invoices by pk (40), then the payment (50), then collection work (60). A
receipt or invoice number is taken last (core.Sequence, 90), so its counter row is held as
briefly as possible."""

from kehu.core.locks import lock, lock_many, lock_where
from kehu.customers.models import Customer
from kehu.receivables.models import CollectionPlan, CollectionTask, Invoice, Payment, Promise


def lock_customer_ledger(customer_id: int) -> Customer:
    return lock(Customer.objects.only("id", "name", "office_id", "owner_id", "payment_days"), customer_id)


def lock_customer_ledgers(customer_ids) -> dict[int, Customer]:
    """Several customers' ledgers at once (an import), in one query."""
    return lock_many(Customer.objects.only("id"), customer_ids)


def lock_invoices(ids) -> dict[int, Invoice]:
    return lock_many(Invoice, ids)


def lock_invoice_of_order(order_id: int) -> Invoice | None:
    """The order's invoice, if it has one (an order whose returns left nothing to pay has none)."""
    return next(iter(lock_where(Invoice, order_id=order_id)), None)


def lock_payment(payment_id: int) -> Payment:
    return lock(Payment, payment_id)


def lock_credit_on_account(customer_id: int) -> list[Payment]:
    """The customer's payments that stand with money not allocated, lower pk first."""
    return lock_where(Payment, customer_id=customer_id, reversed_on__isnull=True, unallocated__gt=0)


def lock_task(task_pk: int, *, customer) -> CollectionTask | None:
    """A collection task of the customer, locked; None if it is not one of theirs."""
    rows = lock_where(CollectionTask, pk=task_pk, customer=customer)
    return rows[0] if rows else None


def lock_promise(promise_pk: int) -> Promise:
    return lock(Promise, promise_pk)


def lock_plan(plan_pk: int) -> CollectionPlan:
    return lock(CollectionPlan, plan_pk)
