"""Row locks of the receivables, always taken in this order: the customer's row (every
money write of one customer queues behind it), then invoices by pk, then the payment.
A receipt number is taken last, so its counter row is held as briefly as possible."""

from kehu.customers.models import Customer
from kehu.receivables.models import Invoice, Payment


def lock_customer_ledger(customer_id: int) -> Customer:
    return Customer.objects.select_for_update().only("id", "name", "office_id", "owner_id", "payment_days").get(
        pk=customer_id)


def lock_invoices(ids) -> dict[int, Invoice]:
    return {i.pk: i for i in Invoice.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk")}


def lock_payment(payment_id: int) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment_id)
