"""AR-1 and AR-3 as properties: whatever happens — invoices, payments allocated oldest first or
by hand, re-allocations, reversals, credit notes from returns — every customer's balance is
invoices − payments − credit notes to the cent, on every day, and the ageing adds up to it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import rule
from kehu.receivables import selectors, services
from kehu.receivables.models import Allocation, Invoice, Payment
from kehu.receivables.tests.builders import credited_return, invoiced_order
from kehu.sales.models import CreditNote

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("old_invoices_allowed")]
TODAY = timezone.localdate()
ZERO = Decimal("0")

cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)
day = st.integers(min_value=0, max_value=400)
step = st.one_of(
    st.tuples(st.just("invoice"), st.integers(0, 1), cents, day),
    st.tuples(st.just("pay"), st.integers(0, 1), cents, day, st.booleans(), st.floats(0, 1)),
    st.tuples(st.just("reallocate"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("return"), st.integers(0, 1), st.integers(1, 5)),
)


@pytest.fixture
def ledger_world(users, customer, outsider_customer, product):
    """Two customers, each with a large invoiced order to return goods from (outside the
    examples, which are rolled back one by one)."""
    orders = [invoiced_order(customer=target, product=product, quantity=1000,
                             ordered_on=TODAY - timedelta(days=300),
                             on=TODAY - timedelta(days=299), invoiced_by=users["finance"]).order
              for target in (customer, outsider_customer)]
    return [customer, outsider_customer], orders


def run(step_, users, customers, orders, counter):
    kind = step_[0]
    if kind == "invoice":
        _k, who, amount, ago = step_
        counter[0] += 1
        result = services.invoice_import(by=users["finance"], rows=[(2, {
            "customer": customers[who].code, "number": f"P-{counter[0]}", "amount": str(amount),
            "issued_on": (TODAY - timedelta(days=ago)).isoformat()})])
        assert result.created == 1, result.errors
    elif kind == "pay":
        _k, who, amount, ago, by_hand, share = step_
        allocations = None
        if by_hand:  # a share of each open invoice, as far as the money goes
            allocations, left = [], amount
            for invoice in selectors.open_invoices_of(customers[who].pk):
                part = min(left, (invoice.open_amount * Decimal(str(share))).quantize(Decimal("0.01")))
                if part > 0:
                    allocations.append({"invoice": invoice.pk, "amount": str(part)})
                    left -= part
        services.payment_post(by=users["finance"], customer=customers[who], amount=str(amount), method="cash",
                              received_on=TODAY - timedelta(days=ago), allocations=allocations)
    elif kind == "reallocate":
        _k, n, to_newest = step_
        payments = list(Payment.objects.filter(reversed_on__isnull=True).order_by("pk"))
        if payments:
            payment = payments[n % len(payments)]
            allocations = None
            if to_newest:  # move everything it can to the newest open invoice
                newest = Invoice.objects.filter(customer=payment.customer).order_by("-due_on", "-pk").first()
                standing = payment.allocations.filter(withdrawn_on__isnull=True)
                part = min(payment.amount, newest.open_amount + sum(
                    (a.amount for a in standing if a.invoice_id == newest.pk), ZERO)) if newest else ZERO
                allocations = [{"invoice": newest.pk, "amount": str(part)}] if part > 0 else []
            services.payment_allocate(by=users["finance"], payment=payment, allocations=allocations)
    elif kind == "reverse":
        payments = list(Payment.objects.filter(reversed_on__isnull=True).order_by("pk"))
        if payments:
            services.payment_reverse(by=users["finance"], payment=payments[step_[1] % len(payments)], reason="错账")
    elif kind == "return":
        _k, who, quantity = step_
        credited_return(order=orders[who], quantities=[(0, quantity)], responsible="质检")


def raw_balance(customer_id: int, as_of) -> Decimal:
    """invoices − payments − credit notes, summed straight from the rows."""
    invoices = Invoice.objects.filter(customer_id=customer_id, issued_on__lte=as_of).aggregate(s=Sum("amount"))["s"]
    payments = Payment.objects.filter(Q(reversed_on__isnull=True) | Q(reversed_on__gt=as_of),
                                      customer_id=customer_id, received_on__lte=as_of).aggregate(s=Sum("amount"))["s"]
    notes = CreditNote.objects.filter(customer_id=customer_id, issued_on__lte=as_of).aggregate(s=Sum("amount"))["s"]
    return (invoices or ZERO) - (payments or ZERO) - (notes or ZERO)


def check_ledger(users, customers):
    for invoice in Invoice.objects.all():
        standing = invoice.allocations.filter(withdrawn_on__isnull=True).aggregate(s=Sum("amount"))["s"] or ZERO
        assert invoice.open_amount == invoice.amount - standing >= 0
    for payment in Payment.objects.all():
        standing = payment.allocations.filter(withdrawn_on__isnull=True).aggregate(s=Sum("amount"))["s"] or ZERO
        assert payment.unallocated == (ZERO if payment.reversed_on else payment.amount - standing) >= 0
        assert not (payment.reversed_on and standing)
    days = {TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=45), TODAY - timedelta(days=200)}
    days |= set(Allocation.objects.values_list("on", flat=True)[:5])
    for as_of in days:
        ids = [c.pk for c in customers]
        balances = selectors.balances(ids, as_of=as_of)
        rows, total = selectors.ageing(users["finance"], as_of=as_of, by="customer")
        by_customer = {row.key: row for row in rows}
        for pk in ids:
            assert balances[pk] == raw_balance(pk, as_of)
            row = by_customer.get(pk)
            assert (row.balance if row else ZERO) == balances[pk]
        assert total.balance == sum(balances.values(), ZERO)
        drill = selectors.ageing_invoices(users["finance"], as_of=as_of)
        assert all(i.open_on > 0 for i in drill)  # no settled invoice shows as a ¥0.00 line
        assert sum((i.open_on for i in drill), ZERO) == total.open_total
        _rows, company = selectors.ageing(users["finance"], as_of=as_of, by="company")
        assert company.buckets == total.buckets and company.on_account == total.on_account


@rule("AR-1")
@rule("AR-3")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=20))
# Found by this test: a receipt dated back to a day when the invoice was still settled by a
# receipt reversed since must not settle it twice on that day.
@example(steps=[("invoice", 1, Decimal("0.01"), 300), ("pay", 1, Decimal("0.01"), 1, False, 0.0), ("reverse", 0),
                ("pay", 1, Decimal("0.01"), 1, False, 0.0)])
# And: on SQLite an invoice's open amount on an earlier day, computed in floating point, came
# out as 100000.33000000001 and no longer added up to the cent with the others.
@example(steps=[("invoice", 0, Decimal("2.85"), 300), ("pay", 0, Decimal("0.01"), 1, False, 0.0),
                ("pay", 0, Decimal("2.51"), 1, False, 0.0)])
def test_it_keeps_every_balance_equal_to_invoices_less_payments_and_credits(users, ledger_world, steps):
    customers, orders = ledger_world
    with transaction.atomic():
        counter = [0]
        for step_ in steps:
            run(step_, users, customers, orders, counter)
        check_ledger(users, customers)
        transaction.set_rollback(True)
