"""Invoices, payments and promises for tests, made through the real services (AR-1, AR-2):
amounts, open amounts, allocations, receipt numbers and due dates are what the application
writes. Orders come from the sales builders.

    from kehu.receivables.tests.builders import invoiced_order, new_payment
    old = invoiced_order(customer=customer, product=product, quantity=10, on=TODAY - timedelta(days=40))
    new_payment(customer=customer, amount="300", by=users["finance"], allocations=[(old, "300")])
"""

from datetime import date, timedelta

from django.utils import timezone

from kehu.receivables import services
from kehu.receivables.models import CollectionPolicy, Invoice, Payment, Promise
from kehu.sales.tests.builders import PLENTY, advance, delivered_order, goods_return


def terms_of(customer) -> int:
    """The customer's payment terms in days (AR-1): the card's, else the company's."""
    return customer.payment_days if customer.payment_days is not None else CollectionPolicy.current().payment_days


def invoiced_order(*, customer, product=None, quantity=None, lines=None, by=None, invoiced_by=None,
                   on: date | None = None, days_ago: int | None = None, due_on: date | None = None,
                   ordered_on: date | None = None, limit=PLENTY) -> Invoice:
    """The invoice of an order taken, confirmed, delivered and invoiced on `on` (today; or
    `days_ago` days ago) — or on the day that makes it fall due on `due_on` under the
    customer's terms. The order has `lines`, or one line of `quantity` × `product`; it is
    dated `ordered_on` (the invoice's day). `by` takes it (the customer's owner), `invoiced_by`
    invoices it (`by`). The customer is first given `limit` (None: the limit stays as it is)."""
    if days_ago is not None:
        on = timezone.localdate() - timedelta(days=days_ago)
    if due_on is not None:
        on = due_on - timedelta(days=terms_of(customer))
    on = on or timezone.localdate()
    by = by or customer.owner
    made = delivered_order(customer=customer, lines=lines, product=product, quantity=quantity, by=by,
                           ordered_on=ordered_on or on, limit=limit)
    made = advance(made, "invoiced", by=invoiced_by or by, on=on)
    return Invoice.objects.get(order=made)


def imported_invoice(*, by, customer, number: str, amount, issued_on: date, due_on: date | None = None) -> Invoice:
    """An invoice of an earlier system, imported by finance (AR-1): no order behind it."""
    row = {"customer": customer.code, "number": number, "amount": str(amount), "issued_on": issued_on.isoformat()}
    if due_on is not None:
        row["due_on"] = due_on.isoformat()
    result = services.invoice_import(by=by, rows=[(2, row)])
    assert result.created == 1, result.errors
    return Invoice.objects.get(number=number)


def allocations_of(allocations) -> list[dict] | None:
    """[(invoice, amount), …] as the services take them (dicts pass as they are)."""
    if allocations is None:
        return None
    return [a if isinstance(a, dict) else {"invoice": a[0].pk, "amount": str(a[1])} for a in allocations]


def new_payment(*, customer, amount, by, method: str = "transfer", received_on: date | None = None,
            allocations=None, **kwargs) -> Payment:
    """A payment written on a receipt (AR-1): settling the oldest invoices first unless
    `allocations` — (invoice, amount) pairs — name them."""
    return services.payment_post(by=by, customer=customer, amount=amount, method=method, received_on=received_on,
                                 allocations=allocations_of(allocations), **kwargs)


def new_promise(*, customer, by, promised_on: date, amount, invoice=None, contact: str = "", channel: str = "call",
            note: str = "") -> Promise:
    """A promise to pay (AR-2), recorded as the outcome of a collection attempt."""
    attempt = services.attempt_log(by=by, customer=customer, channel=channel, outcome="promised", invoice=invoice,
                                   promised_on=promised_on, promised_amount=amount, contact=contact, note=note)
    return attempt.promise


def credited_return(*, order, **kwargs):
    """goods_return (sales builders) through receivables.services.return_record: after
    invoicing, its credit note settles the order's invoice, then the oldest (AR-1)."""
    return goods_return(order=order, record=services.return_record, **kwargs)


def invoices_aged(*, customer, product, specs, by=None, invoiced_by=None) -> list[Invoice]:
    """One invoice per (quantity, days ago) of `specs`, in that order: `quantity` × `product`
    issued so many days ago (due after the customer's terms)."""
    today = timezone.localdate()
    return [invoiced_order(customer=customer, product=product, quantity=quantity, by=by, invoiced_by=invoiced_by,
                           on=today - timedelta(days=days)) for quantity, days in specs]
