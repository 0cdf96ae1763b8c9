"""AR-1 under concurrent writers (real threads, real connections; the suite runs on SQLite
and on PostgreSQL): payments posted at the same moment against one invoice never settle it
twice, none is lost, and every receipt gets the next number of its office's book."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from conftest import at_once, rule
from kehu.core.errors import ValidationFailed
from kehu.customers.tests.builders import new_customer
from kehu.receivables import services
from kehu.receivables.models import Allocation, Payment
from kehu.receivables.tests.builders import imported_invoice, new_payment

THREADS = 8


@rule("AR-1")
@pytest.mark.django_db(transaction=True)
def test_it_never_over_allocates_an_invoice_and_loses_no_payment(users, customer):
    invoice = imported_invoice(by=users["finance"], customer=customer, number="C-1", amount="1000",
                               issued_on=timezone.localdate() - timedelta(days=40))
    amounts = [Decimal("300.00")] * THREADS  # ¥2,400 against ¥1,000: the invoice settles, the rest waits on account

    outcomes = at_once(lambda amount: new_payment(by=users["finance"], customer=customer, amount=amount), amounts,
                       refused=ValidationFailed)
    invoice.refresh_from_db()
    payments = Payment.objects.filter(customer=customer)
    assert len(outcomes) == THREADS and not [o for o in outcomes if isinstance(o, Exception)]
    assert payments.count() == THREADS
    assert payments.aggregate(s=Sum("amount"))["s"] == Decimal("2400.00")
    assert invoice.open_amount == Decimal("0")
    assert Allocation.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] == Decimal("1000.00")
    assert payments.aggregate(s=Sum("unallocated"))["s"] == Decimal("1400.00")


@rule("AR-1")
@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_allocations_that_no_longer_fit_and_keeps_receipt_numbers_gap_free(users, customer):
    invoice = imported_invoice(by=users["finance"], customer=customer, number="C-1", amount="1000",
                               issued_on=timezone.localdate() - timedelta(days=40))
    office = customer.office.code

    def pay_all_to_the_invoice(amount):
        return services.payment_post(by=users["finance"], customer=customer, amount=amount, method="cash",
                                     allocations=[{"invoice": invoice.pk, "amount": amount}])

    outcomes = at_once(pay_all_to_the_invoice, [Decimal("300.00")] * THREADS, refused=ValidationFailed)
    posted = [o for o in outcomes if isinstance(o, Payment)]
    refused = [o for o in outcomes if isinstance(o, ValidationFailed)]
    invoice.refresh_from_db()
    assert (len(posted), len(refused)) == (3, THREADS - 3)  # 3 × ¥300 fit into ¥1,000
    assert all("allocations" in o.field_errors for o in refused)  # "… cannot be allocated to it"
    assert invoice.open_amount == Decimal("100.00")
    # The refused ones took no number: the book runs 1, 2, 3.
    assert sorted(Payment.objects.values_list("serial", flat=True)) == [1, 2, 3]
    assert sorted(Payment.objects.values_list("number", flat=True)) == [f"{office}-00000{n}" for n in (1, 2, 3)]
    after = services.payment_post(by=users["finance"], customer=customer, amount="100", method="cash")
    assert after.number == f"{office}-000004"


@rule("AR-1")
@pytest.mark.django_db(transaction=True)
def test_it_numbers_receipts_of_many_customers_of_one_office_uniquely(users, customer):
    others = [new_customer(by=users["owner"], name=f"上海第{n}商行", category="key_retailer", phone=f"021-6{n}66 77{n}8",
                           on_duplicate="keep_both") for n in range(THREADS - 1)]
    targets = [customer, *others]
    outcomes = at_once(lambda target: new_payment(by=users["owner"], customer=target, amount="10", method="cash"),
                       targets, refused=ValidationFailed)
    assert all(isinstance(o, Payment) for o in outcomes)
    assert sorted(Payment.objects.values_list("serial", flat=True)) == list(range(1, THREADS + 1))
    assert Payment.objects.values("number").distinct().count() == THREADS
