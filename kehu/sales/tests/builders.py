"""Products, orders and returns for tests. Orders go through the real services, step by step
(ORD-1): taking a draft (sales), confirming it (the credit check, CRD-3), delivering, and —
for tests of sales that need it — invoicing (receivables), so numbers, totals, versions and
history are what the application writes. Products are plain rows (ProductFactory).

    from kehu.sales.tests.builders import delivered_order, draft_order
    draft = draft_order(customer=customer, lines=[(product, 3), (soap, 4, "5.00", "10")])
    ready = delivered_order(customer=customer, lines=[(product, 10)])

Lines are dicts as the services take them, or tuples (product, quantity[, unit_price[, discount_pct]]).
`by` is the customer's owner unless given.
"""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from kehu.credit.models import CreditAccount, CreditPolicy
from kehu.sales import services
from kehu.sales.models import Order, Product, Return

LINE_FIELDS = ("product", "quantity", "unit_price", "discount_pct")
# Enough credit for any order a test takes, unless the test is about the limit.
PLENTY = "10000000"


class ProductFactory(DjangoModelFactory):
    """A product sold at ¥100.00 a piece in the 日化 line unless told otherwise."""

    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"X{n:03d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    unit = "件"
    list_price = Decimal("100.00")
    line = "日化"


def credit_limit(customer, amount=PLENTY) -> CreditAccount:
    """The customer's approved limit set to `amount` directly (no request through the chain)."""
    account, _created = CreditAccount.objects.update_or_create(customer=customer,
                                                               defaults={"limit": Decimal(str(amount))})
    return account


def overdue_allowed(days: int = 1000) -> None:
    """CRD-3 blocks new orders of a customer overdue beyond the policy's days: tests that make
    old invoices on purpose raise it."""
    CreditPolicy.current()
    CreditPolicy.objects.update(overdue_block_days=days)


def lines_of(lines=None, *, product=None, quantity=None) -> list[dict]:
    """`lines` as the services take them, or one line of `quantity` × `product`."""
    if lines is None:
        lines = [(product, quantity)]
    return [line if isinstance(line, dict) else dict(zip(LINE_FIELDS, line, strict=False)) for line in lines]


def draft_order(*, customer, lines=None, product=None, quantity=None, by=None, ordered_on: date | None = None,
                note: str = "") -> Order:
    """A draft order of the customer (ORD-1): `lines`, or one line of `quantity` × `product`."""
    return services.order_create(by=by or customer.owner, customer=customer,
                                 lines=lines_of(lines, product=product, quantity=quantity), ordered_on=ordered_on,
                                 note=note)


def confirm(made: Order, *, by=None) -> Order:
    """Confirm a draft through the credit check (CRD-3)."""
    from kehu.credit import services as credit

    return credit.order_confirm(by=by or made.owner, order=made, version=made.version)


def advance(made: Order, *steps: str, by=None, on: date | None = None, **kwargs) -> Order:
    """Move an order on, step by step: "confirmed", "delivered", "invoiced", "closed",
    "cancelled" (with reason=…). `on` dates the delivery, invoice, closing or cancelling.
    "closed" first pays what is open on the order's invoice (by transfer, received by the
    closing user), as an order is closed only once its receivable is settled (AR-1)."""
    from kehu.receivables import services as receivables

    by = by or made.owner
    for to in steps:
        if to == "confirmed":
            made = confirm(made, by=by)
        elif to == "invoiced":
            made = receivables.order_invoice(by=by, order=made, version=made.version, on=on)
        elif to == "closed":
            settle_invoice_of(made, by=by)
            made.refresh_from_db()
            made = receivables.order_close(by=by, order=made, version=made.version, on=on)
        else:
            made = services.order_advance(by=by, order=made, version=made.version, to=to, on=on, **kwargs)
    return made


def settle_invoice_of(made: Order, *, by) -> None:
    """Pay whatever is open on the order's invoice (AR-1), so that it may be closed."""
    from kehu.receivables import services as receivables
    from kehu.receivables.models import Invoice

    invoice = Invoice.objects.filter(order_id=made.pk, open_amount__gt=0).first()
    if invoice is not None:
        receivables.payment_post(by=by, customer=made.customer_id, amount=invoice.open_amount, method="transfer",
                                 allocations=[{"invoice": invoice.pk, "amount": str(invoice.open_amount)}])


def confirmed_order(*, customer, lines=None, product=None, quantity=None, by=None, ordered_on: date | None = None,
                    note: str = "", limit=PLENTY) -> Order:
    """A confirmed order; the customer is first given `limit` (None: the limit stays as it is)."""
    if limit is not None:
        credit_limit(customer, limit)
    made = draft_order(customer=customer, lines=lines, product=product, quantity=quantity, by=by,
                       ordered_on=ordered_on, note=note)
    return confirm(made, by=by)


def delivered_order(*, customer, lines=None, product=None, quantity=None, by=None, ordered_on: date | None = None,
                    delivered_on: date | None = None, limit=PLENTY) -> Order:
    """A confirmed and delivered order, ready to invoice or to take goods back from."""
    made = confirmed_order(customer=customer, lines=lines, product=product, quantity=quantity, by=by,
                           ordered_on=ordered_on, limit=limit)
    return advance(made, "delivered", by=by, on=delivered_on)


def goods_return(*, order: Order, by=None, quantities=None, kind: str = "returned", reason: str = "defect",
                 responsible: str = "厂家", returned_on: date | None = None, follow_up: str = "",
                 record=services.return_record) -> Return:
    """ORD-2: goods back from `order`. `quantities` are (order line, or its index from 0,
    quantity) pairs — by default what is left of every line; a refusal returns everything.
    `record` is sales.services.return_record; receivables tests pass receivables' own, which
    settles the credit note at once."""
    order.refresh_from_db()
    lines = list(order.lines.all())
    if quantities is None:
        quantities = [(line, line.quantity - line.returned_quantity) for line in lines]
    wanted = [{"order_line": (lines[line] if isinstance(line, int) else line).pk, "quantity": quantity}
              for line, quantity in quantities]
    return record(by=by or order.owner, order=order, version=order.version, kind=kind, reason=reason,
                  responsible=responsible, lines=wanted, returned_on=returned_on, follow_up=follow_up)
