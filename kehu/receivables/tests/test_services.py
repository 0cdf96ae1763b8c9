"""The receivables services, rule by rule (AR-1 … AR-5)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from conftest import rule
from kehu.core import periods
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.core.models import Sequence
from kehu.credit import selectors as credit_selectors
from kehu.receivables import selectors, services
from kehu.receivables.models import (
    Allocation,
    CollectionAttempt,
    CollectionPolicy,
    CollectionTask,
    Instalment,
    Invoice,
    Payment,
    Promise,
)
from kehu.receivables.tests.builders import credited_return, invoiced_order, new_payment
from kehu.sales.tests.builders import delivered_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "old_invoices_allowed")]
TODAY = timezone.localdate()

def days_ago(n: int):
    return TODAY - timedelta(days=n)


def ledger_snapshot():
    return (sorted(Invoice.objects.values_list("id", "open_amount", "credited")),
            sorted(Payment.objects.values_list("id", "number", "unallocated", "reversed_on")),
            sorted(Allocation.objects.values_list("id", "amount", "withdrawn_on")),
            sorted(Sequence.objects.filter(name__startswith="receipt:").values_list("name", "value")))


def refresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


# --- AR-1: invoices ------------------------------------------------------------------------------------------

@rule("AR-1")
def test_it_invoices_a_delivered_order_due_by_the_customers_terms(users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=3, on=days_ago(10))
    assert (invoice.number, invoice.amount, invoice.open_amount, invoice.due_on) == (
        "INV00000001", Decimal("300.00"), Decimal("300.00"), days_ago(10) + timedelta(days=30))
    customer.payment_days = 45
    customer.save()
    later = invoiced_order(customer=customer, product=product, quantity=1, on=days_ago(1))
    assert later.due_on == days_ago(1) + timedelta(days=45)
    CollectionPolicy.objects.update(payment_days=60)
    customer.payment_days = None
    customer.save()
    assert invoiced_order(customer=customer, product=product, quantity=1).due_on == TODAY + timedelta(days=60)


@rule("AR-1")
def test_it_invoices_what_is_left_after_returns_before_invoicing(users, customer, product):
    order = delivered_order(customer=customer, product=product, quantity=10)
    credited_return(order=order, quantities=[(0, "4")], responsible="生产部")
    order.refresh_from_db()
    services.order_invoice(by=users["finance"], order=order, version=order.version)
    assert order.invoice.amount == Decimal("600.00")  # no credit note: the return came before the invoice
    assert not order.invoice.allocations.exists()


@rule("AR-1")
def test_it_settles_the_invoice_with_the_credit_note_of_a_later_return(users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=10)
    credited_return(order=invoice.order, quantities=[(0, "3")], responsible="生产部")
    refresh(invoice)
    assert (invoice.amount, invoice.open_amount, invoice.credited) == (
        Decimal("1000.00"), Decimal("700.00"), Decimal("300.00"))
    assert selectors.balances([customer.pk])[customer.pk] == Decimal("700.00")


@rule("AR-1")
def test_it_keeps_the_credit_of_a_return_after_payment_on_account_and_uses_it_on_the_next_invoice(
        users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=10)
    new_payment(customer=customer, amount="1000", by=users["finance"])
    credited_return(order=invoice.order, quantities=[(0, "2")], responsible="生产部")
    assert selectors.balances([customer.pk])[customer.pk] == Decimal("-200.00")  # the company owes ¥200
    rows, total = selectors.ageing(users["finance"], by="customer")
    assert (total.open_total, total.on_account, total.balance) == (Decimal("0"), Decimal("200.00"), Decimal("-200.00"))
    second = invoiced_order(customer=customer, product=product, quantity=5)
    assert second.open_amount == Decimal("300.00")  # ¥500 less the ¥200 credit on account
    assert second.credited == Decimal("200.00")


# --- AR-1: payments and receipts -------------------------------------------------------------------------------

@rule("AR-1")
def test_it_settles_the_oldest_invoices_first_and_keeps_the_rest_on_account(users, customer, product):
    old = invoiced_order(customer=customer, product=product, quantity=3, on=days_ago(40))
    new = invoiced_order(customer=customer, product=product, quantity=5, on=days_ago(5))
    payment = new_payment(customer=customer, amount="1000.50", by=users["finance"], received_on=days_ago(1),
                          reference="BANK-77")
    refresh(old, new)
    assert (old.open_amount, new.open_amount, payment.unallocated) == (Decimal("0"), Decimal("0"), Decimal("200.50"))
    assert payment.number == f"{customer.office.code}-000001"
    assert list(payment.allocations.order_by("id").values_list("invoice__number", "amount", "on")) == [
        (old.number, Decimal("300.00"), days_ago(1)), (new.number, Decimal("500.00"), days_ago(1))]
    assert selectors.balances([customer.pk])[customer.pk] == Decimal("-200.50")


@rule("AR-1")
def test_it_allocates_a_partial_payment_as_the_user_says(users, customer, product):
    first = invoiced_order(customer=customer, product=product, quantity=3, on=days_ago(40))
    second = invoiced_order(customer=customer, product=product, quantity=5, on=days_ago(5))
    payment = new_payment(customer=customer, amount="450", by=users["owner"],
                          allocations=[{"invoice": second.pk, "amount": "400"},
                                       {"invoice": first.pk, "amount": "50"}])
    refresh(first, second)
    assert (first.open_amount, second.open_amount, payment.unallocated) == (
        Decimal("250.00"), Decimal("100.00"), Decimal("0"))
    assert payment.collector == users["owner"]


@rule("AR-1")
@pytest.mark.parametrize(("change", "message"), [
    ({"amount": "-5"}, "The amount must be more than zero."),
    ({"amount": "0"}, "The amount must be more than zero."),
    ({"amount": "abc"}, "amount must be a number."),
    ({"amount": "10.005"}, "The amount has more than two decimals."),
    ({"amount": "1e15"}, "amount is too large."),
    ({"method": "bitcoin"}, "Choose how the customer paid."),
    ({"received_on": "2026-13-40"}, "The date received is not a date (YYYY-MM-DD)."),
    ({"received_on": (TODAY + timedelta(days=1)).isoformat()}, "A payment cannot be received in the future."),
    ({"allocations": [{"invoice": "FIRST", "amount": "301"}]}, "has ¥299.00 open; ¥301.00 cannot be allocated"),
    ({"allocations": [{"invoice": "FIRST", "amount": "-1"}]}, "The allocated amount must be more than zero."),
    ({"allocations": [{"invoice": "999999", "amount": "10"}]}, "Invoice #999999 is not one of this customer's"),
    ({"allocations": [{"invoice": "x1", "amount": "10"}]}, "Unknown invoice “x1”."),
    ({"allocations": [{"invoice": "OTHER", "amount": "10"}]}, "is not one of this customer's invoices"),
    ({"allocations": [{"invoice": "FIRST", "amount": "10"}, {"invoice": "FIRST", "amount": "5"}]},
     "An invoice appears twice"),
    ({"amount": "100", "allocations": [{"invoice": "FIRST", "amount": "150"}]}, "add up to ¥150.00, more than"),
    ({"office": "OTHER_OFFICE"}, "is served by another office"),
])
def test_it_refuses_bad_payments_and_changes_nothing(users, customer, outsider_customer, product, change, message):
    first = invoiced_order(customer=customer, product=product, quantity=3)
    other = invoiced_order(customer=outsider_customer, product=product, quantity=1)
    # receipt 000001 exists; a refused one must not take 000002
    new_payment(customer=customer, amount="1", by=users["finance"])
    before = ledger_snapshot()
    names = {"FIRST": str(first.pk), "OTHER": str(other.pk), "OTHER_OFFICE": outsider_customer.office_id}
    kw = {"amount": "200", "method": "transfer"}
    for key, value in change.items():
        if key == "allocations":
            value = [{**row, "invoice": names.get(row["invoice"], row["invoice"])} for row in value]
        kw[key] = names.get(value, value) if isinstance(value, str) else value
    with pytest.raises(ValidationFailed, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        services.payment_post(by=users["finance"], customer=customer, **kw)
    assert ledger_snapshot() == before
    assert new_payment(customer=customer, amount="1", by=users["finance"]).number.endswith("-000002")


@rule("AR-1")
def test_it_refuses_payments_outside_the_scope_or_the_role(users, customer, product):
    invoiced_order(customer=customer, product=product, quantity=1)
    with pytest.raises(Http404):
        new_payment(customer=customer, amount="10", by=users["outsider"])
    for role in ("service", "vp", "gm"):
        with pytest.raises(PermissionDeniedError):
            new_payment(customer=customer, amount="10", by=users[role])
    assert not Payment.objects.exists()


@rule("AR-1")
def test_it_numbers_receipts_per_office_without_gaps(users, customer, outsider_customer, product):
    numbers = ([new_payment(customer=customer, amount="10", by=users["finance"]).number for _ in range(3)]
               + [new_payment(customer=outsider_customer, amount="5", by=users["finance"]).number])
    team, hangzhou = customer.office.code, outsider_customer.office.code
    assert numbers == [f"{team}-000001", f"{team}-000002", f"{team}-000003", f"{hangzhou}-000001"]


@rule("AR-1")
def test_it_reallocates_a_payment_and_keeps_the_withdrawn_allocation(users, customer, product):
    first = invoiced_order(customer=customer, product=product, quantity=3, on=days_ago(40))
    second = invoiced_order(customer=customer, product=product, quantity=5, on=days_ago(5))
    # oldest first: the first invoice
    payment = new_payment(customer=customer, amount="300", by=users["finance"])
    kept_row = payment.allocations.get()
    services.payment_allocate(by=users["owner"], payment=payment,
                              allocations=[{"invoice": second.pk, "amount": "300"}])
    refresh(first, second, payment, kept_row)
    assert (first.open_amount, second.open_amount, payment.unallocated) == (
        Decimal("300.00"), Decimal("200.00"), Decimal("0"))
    assert (kept_row.withdrawn_on, kept_row.withdrawn_by) == (TODAY, users["owner"])
    assert payment.allocations.count() == 2
    # Unchanged allocations are kept as they are: no new rows.
    services.payment_allocate(by=users["owner"], payment=payment,
                              allocations=[{"invoice": second.pk, "amount": "300"}])
    assert payment.allocations.count() == 2


@rule("AR-1")
def test_it_applies_credit_on_account_oldest_first(users, customer, product):
    # nothing to settle yet: all on account
    payment = new_payment(customer=customer, amount="500", by=users["finance"])
    assert payment.unallocated == Decimal("500.00")
    # the credit settles the new invoice at once
    invoice = invoiced_order(customer=customer, product=product, quantity=3)
    refresh(invoice, payment)
    assert (invoice.open_amount, payment.unallocated) == (Decimal("0"), Decimal("200.00"))


@rule("AR-1")
def test_it_reverses_a_payment_keeping_both_entries(users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=3, on=days_ago(20))
    payment = new_payment(customer=customer, amount="300", by=users["finance"], received_on=days_ago(3))
    with pytest.raises(PermissionDeniedError):
        services.payment_reverse(by=users["owner"], payment=payment, reason="支票退票")
    with pytest.raises(ValidationFailed, match="Give the reason"):
        services.payment_reverse(by=users["finance"], payment=payment, reason="  ")
    services.payment_reverse(by=users["finance"], payment=payment, reason="支票退票")
    refresh(invoice, payment)
    assert (invoice.open_amount, payment.reversed_on, payment.unallocated) == (Decimal("300.00"), TODAY, Decimal("0"))
    assert Payment.objects.count() == 1 and payment.allocations.get().withdrawn_on == TODAY
    kinds = [(e["kind"], e["debit"], e["credit"], e["balance"]) for e in selectors.ledger_of(customer)]
    assert kinds == [("invoice", Decimal("300.00"), 0, Decimal("300.00")),
                     ("payment", 0, Decimal("300.00"), Decimal("0")),
                     ("reversal", Decimal("300.00"), 0, Decimal("300.00"))]
    # Yesterday the payment stood: the ledger read as of then still shows it paid.
    assert selectors.balances([customer.pk], as_of=days_ago(1))[customer.pk] == Decimal("0")
    with pytest.raises(ValidationFailed, match="already reversed"):
        services.payment_reverse(by=users["finance"], payment=payment, reason="again")
    with pytest.raises(ValidationFailed, match="was reversed"):
        services.payment_allocate(by=users["finance"], payment=payment)


@rule("AR-1")
def test_it_imports_invoices_all_or_nothing(users, customer):
    rows = [(2, {"customer": customer.code, "number": "OLD-1", "issued_on": "2026-01-05", "amount": "1200.50"}),
            (3, {"customer": "NOPE", "number": "OLD-2", "issued_on": "2026-01-06", "amount": "-3"}),
            (4, {"customer": customer.code, "number": "OLD-1", "issued_on": "5/1/2026", "amount": "10",
                 "due_on": "2025-01-01"})]
    result = services.invoice_import(by=users["finance"], rows=rows)
    assert result.created == 0 and not Invoice.objects.exists()
    assert [line for line, _problems in result.errors] == [3, 4]
    assert any("no customer with code “NOPE”" in p for p in result.errors[0][1])
    assert any("OLD-1 is already used" in p for p in result.errors[1][1])
    with pytest.raises(PermissionDeniedError):
        services.invoice_import(by=users["owner"], rows=rows[:1])
    result = services.invoice_import(by=users["finance"], rows=rows[:1])
    invoice = Invoice.objects.get()
    assert (result.created, invoice.amount, invoice.due_on.isoformat(), invoice.source) == (
        1, Decimal("1200.50"), "2026-02-04", "import")


# --- AR-2: collection work ------------------------------------------------------------------------------------

@rule("AR-2")
def test_it_makes_the_days_calls_visits_and_follow_ups_once(users, customer, product):
    # due in 2 days: a call (3 days' notice)
    soon = invoiced_order(customer=customer, product=product, quantity=1, on=days_ago(28))
    # due today: a visit
    due = invoiced_order(customer=customer, product=product, quantity=2, on=days_ago(30))
    # due in 20 days: nothing yet
    later = invoiced_order(customer=customer, product=product, quantity=3, on=days_ago(10))
    attempt = services.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="promised",
                                   invoice=due, promised_on=TODAY, promised_amount="200", contact="王会计")
    assert attempt.promise.status == "open"
    counts = services.collection_day(today=TODAY)
    tasks = {(t.kind, t.invoice_id, t.promise_id, t.due_on) for t in CollectionTask.objects.all()}
    assert tasks == {("reminder", soon.pk, None, TODAY), ("visit", due.pk, None, due.due_on),
                     ("promise", None, attempt.promise.pk, TODAY)}
    assert counts["tasks"] == 3 and later.pk not in {t[1] for t in tasks}
    assert services.collection_day(today=TODAY)["tasks"] == 0  # running twice makes nothing twice
    new_payment(customer=customer, amount="100", by=users["finance"],
                allocations=[{"invoice": soon.pk, "amount": "100"}])
    assert services.collection_day(today=TODAY)["dropped"] == 1  # the call is no longer needed
    assert CollectionTask.objects.get(invoice=soon).status == "cancelled"


@rule("AR-2")
def test_it_counts_a_promise_kept_or_broken_and_credit_sees_the_broken_ones(users, customer, product, thresholds):
    invoiced_order(customer=customer, product=product, quantity=5, on=days_ago(40))
    kept = services.attempt_log(by=users["owner"], customer=customer, channel="visit", outcome="promised",
                                promised_on=TODAY + timedelta(days=3), promised_amount="100").promise
    broken = services.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="promised",
                                  promised_on=TODAY, promised_amount="400").promise
    new_payment(customer=customer, amount="150", by=users["finance"])
    refresh(kept, broken)
    assert (kept.status, broken.status) == ("kept", "open")  # ¥150 paid since: ¥100 kept, ¥400 not yet
    services.collection_day(today=TODAY + timedelta(days=1))
    broken.refresh_from_db()
    assert (broken.status, broken.resolved_on) == ("broken", TODAY + timedelta(days=1))
    assert selectors.broken_promises([customer.pk]) == {customer.pk: 1}
    assert CollectionAttempt.objects.filter(customer=customer, outcome="promised").count() == 2


@rule("AR-2")
def test_it_refuses_a_promise_without_a_future_date_or_an_amount(users, customer):
    for promised_on, amount, message in ((days_ago(1), "10", "the day it was made or a later day"),
                                         (TODAY, "0", "must be more than zero"),
                                         ("", "10", "Enter the promised payment date"),
                                         (TODAY, "abc", "must be a number")):
        with pytest.raises(ValidationFailed, match=message):
            services.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="promised",
                                 promised_on=promised_on, promised_amount=amount)
    assert not Promise.objects.exists() and not CollectionAttempt.objects.exists()


@rule("AR-2")
def test_it_closes_the_task_an_attempt_answers(users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=1, on=days_ago(30))
    services.collection_day(today=TODAY)
    task = CollectionTask.objects.get()
    services.attempt_log(by=users["owner"], customer=customer, channel="visit", outcome="refused", task=task,
                         invoice=invoice, note="老板不在")
    task.refresh_from_db()
    assert (task.status, task.done_by) == ("done", users["owner"])


# --- AR-3: ageing ------------------------------------------------------------------------------------------------

@rule("AR-3")
def test_it_ages_open_amounts_by_days_overdue_as_of_any_day(users, customer, product):
    CollectionPolicy.current()
    CollectionPolicy.objects.update(payment_days=0)  # due on the invoice date: age = days since
    for age in (0, 1, 30, 31, 60, 61, 90, 91, 180, 181):
        invoiced_order(customer=customer, product=product, quantity=1, on=days_ago(age))
    rows, total = selectors.ageing(users["finance"], by="customer")
    assert total.buckets == {"current": Decimal("100.00"), "d1_30": Decimal("200.00"), "d31_60": Decimal("200.00"),
                             "d61_90": Decimal("200.00"), "d91_180": Decimal("200.00"), "over_180": Decimal("100.00")}
    # settles the oldest: ¥100 over 180 days, ¥50 of 180 days
    new_payment(customer=customer, amount="150", by=users["finance"])
    _rows, now = selectors.ageing(users["finance"], by="company")
    assert (now.buckets["over_180"], now.buckets["d91_180"], now.balance) == (0, Decimal("150.00"), Decimal("850.00"))
    _rows, before = selectors.ageing(users["finance"], by="company", as_of=days_ago(1))
    # Yesterday nothing was paid, every invoice was a day younger and today's was not issued.
    assert before.buckets == {"current": Decimal("100.00"), "d1_30": Decimal("200.00"), "d31_60": Decimal("200.00"),
                              "d61_90": Decimal("200.00"), "d91_180": Decimal("200.00"), "over_180": Decimal("0")}
    assert before.balance == Decimal("900.00")
    assert selectors.balances([customer.pk], as_of=days_ago(1))[customer.pk] == Decimal("900.00")
    drill = selectors.ageing_invoices(users["finance"], as_of=TODAY, bucket="d91_180")
    assert [i.open_on for i in drill] == [Decimal("50.00"), Decimal("100.00")]


@rule("AR-3")
def test_it_ages_per_salesperson_and_office_within_the_scope(users, customer, outsider_customer, product):
    invoiced_order(customer=customer, product=product, quantity=2)
    invoiced_order(customer=outsider_customer, product=product, quantity=7)
    by_owner, total = selectors.ageing(users["gm"], by="owner")
    assert [(r.label, r.open_total) for r in by_owner] == [
        (users["outsider"].display_name, Decimal("700.00")), (users["owner"].display_name, Decimal("200.00"))]
    by_office, _total = selectors.ageing(users["director"], by="office")
    assert [(r.key, r.open_total) for r in by_office] == [(customer.office_id, Decimal("200.00"))]
    assert selectors.ageing(users["service"], by="company")[1].open_total == 0


# --- AR-4: collection rate ---------------------------------------------------------------------------------------

@rule("AR-4")
def test_it_measures_collected_over_due_in_a_period(users, customer, outsider_customer, product):
    CollectionPolicy.current()
    CollectionPolicy.objects.update(payment_days=0)
    start, end = periods.month_bounds(TODAY)
    mine = invoiced_order(customer=customer, product=product, quantity=10, on=start)  # ¥1,000 due this month
    # ¥400 due, nothing paid
    invoiced_order(customer=outsider_customer, product=product, quantity=4, on=start)
    new_payment(customer=customer, amount="600", by=users["finance"],
                allocations=[{"invoice": mine.pk, "amount": "600"}])
    rows, total = selectors.collection_rate(users["gm"], start=start, end=end, by="owner")
    assert [(r.label, r.due, r.collected, r.rate) for r in rows] == [
        (users["outsider"].display_name, Decimal("400.00"), Decimal("0"), Decimal("0.0")),
        (users["owner"].display_name, Decimal("1000.00"), Decimal("600.00"), Decimal("60.0"))]
    assert total.rate == Decimal("42.9")
    # A credit note lowers what is due; it is not a collection.
    credited_return(order=mine.order, quantities=[(0, "2")], responsible="生产部")
    rows, _total = selectors.collection_rate(users["owner"], start=start, end=end, by="customer")
    assert [(r.due, r.collected, r.rate) for r in rows] == [(Decimal("800.00"), Decimal("600.00"), Decimal("75.0"))]


# --- AR-5: collection plans ---------------------------------------------------------------------------------------

@rule("AR-5")
def test_it_keeps_instalments_in_step_with_payments(users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=10, on=days_ago(40))
    order = invoice.order
    with pytest.raises(ValidationFailed, match="add up to ¥900.00; the order asks ¥1,000.00"):
        services.plan_create(by=users["owner"], order=order, instalments=[
            {"due_on": days_ago(10), "amount": "400"}, {"due_on": TODAY + timedelta(days=20), "amount": "500"}])
    plan = services.plan_create(by=users["owner"], order=order, instalments=[
        {"due_on": days_ago(10), "amount": "400", "reminder_days": "5"},
        {"due_on": TODAY + timedelta(days=20), "amount": "600"}])
    statuses = lambda: list(plan.instalments.order_by("due_on").values_list("status", "paid"))  # noqa: E731
    assert statuses() == [("overdue", 0), ("pending", 0)]
    new_payment(customer=customer, amount="500", by=users["finance"])
    assert statuses() == [("paid", Decimal("400.00")), ("partly_paid", Decimal("100.00"))]
    payment = new_payment(customer=customer, amount="500", by=users["finance"])
    assert statuses() == [("paid", Decimal("400.00")), ("paid", Decimal("600.00"))]
    services.payment_reverse(by=users["finance"], payment=payment, reason="错账")
    assert statuses() == [("paid", Decimal("400.00")), ("partly_paid", Decimal("100.00"))]
    with pytest.raises(ValidationFailed, match="already has a plan"):
        services.plan_create(by=users["owner"], order=order, instalments=[{"due_on": TODAY, "amount": "1000"}])
    services.plan_void(by=users["owner"], plan=plan, reason="客户改为一次付清")
    assert set(Instalment.objects.values_list("status", flat=True)) == {"void"}


# --- credit reads the receivables (CRD-3) ---------------------------------------------------------------------------

@rule("CRD-3")
def test_it_gives_credit_the_balance_and_the_days_the_oldest_invoice_is_late(users, customer, product):
    invoiced_order(customer=customer, product=product, quantity=3, on=days_ago(50))  # due 20 days ago
    invoiced_order(customer=customer, product=product, quantity=2, on=days_ago(5))
    assert selectors.receivables_position([customer.pk]) == {customer.pk: (Decimal("500.00"), 20)}
    new_payment(customer=customer, amount="300", by=users["finance"])
    assert selectors.receivables_position([customer.pk]) == {customer.pk: (Decimal("200.00"), 0)}
    exposure = credit_selectors.exposure_of(customer)
    assert (exposure.receivables, exposure.overdue_days) == (Decimal("200.00"), 0)


@rule("AR-1")
def test_it_refuses_an_invoice_dated_after_today(users, customer, product):
    order = delivered_order(customer=customer, product=product, quantity=1)
    with pytest.raises(ValidationFailed, match="cannot be dated after today"):
        services.order_invoice(by=users["finance"], order=order, version=order.version,
                               on=TODAY + timedelta(days=1))
    order.refresh_from_db()
    assert order.status == "delivered" and not Invoice.objects.exists()
    result = services.invoice_import(by=users["finance"], rows=[(2, {
        "customer": customer.code, "number": "F-1", "amount": "10", "issued_on": TODAY + timedelta(days=1)})])
    assert result.errors == [(2, ["the invoice date is after today."])] and not Invoice.objects.exists()


@rule("INS-2")
def test_ins2_the_invoice_import_refuses_over_long_values_before_the_duplicate_check(users, customer):
    """INS-2: an over-long number is refused with its line before it is compared with the
    others (two numbers equal in their first 30 characters gave an IntegrityError); an over-long
    note is refused too instead of being cut to 300 characters. Nothing is written."""
    base = "X" * 30
    rows = [(2, {"customer": customer.code, "number": base + "12", "issued_on": "2026-01-05", "amount": "10"}),
            (3, {"customer": customer.code, "number": base + "13", "issued_on": "2026-01-05", "amount": "10"}),
            (4, {"customer": customer.code, "number": "OK-1", "issued_on": "2026-01-05", "amount": "10",
                 "note": "注" * 301})]
    result = services.invoice_import(by=users["finance"], rows=rows)
    assert result.errors == [(2, ["invoice number longer than 30 characters (it has 32)."]),
                             (3, ["invoice number longer than 30 characters (it has 32)."]),
                             (4, ["note longer than 300 characters (it has 301)."])]
    assert (result.created, Invoice.objects.count()) == (0, 0)


@rule("INS-2")
def test_ins2_services_refuse_over_long_text_instead_of_cutting_it(users, customer, product):
    """INS-2: the payment, reversal, collection and plan services cut over-long text to the
    field's length in silence; now they refuse it naming the field, and write nothing."""
    with pytest.raises(ValidationFailed, match="longer than 60 characters") as refused:
        services.payment_post(by=users["finance"], customer=customer, amount="10", method="cash",
                              reference="R" * 61)
    assert list(refused.value.field_errors) == ["reference"]
    with pytest.raises(ValidationFailed, match="longer than 300 characters"):
        services.payment_post(by=users["finance"], customer=customer, amount="10", method="cash", note="n" * 301)
    assert Payment.objects.count() == 0
    payment = services.payment_post(by=users["finance"], customer=customer, amount="10", method="cash")
    with pytest.raises(ValidationFailed, match="longer than 200 characters"):
        services.payment_reverse(by=users["finance"], payment=payment, reason="r" * 201)
    payment.refresh_from_db()
    assert payment.reversed_on is None
    with pytest.raises(ValidationFailed, match="longer than 60 characters"):
        services.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="promised",
                             promised_on=TODAY, promised_amount="10", contact="王" * 61)
    with pytest.raises(ValidationFailed, match="longer than 500 characters"):
        services.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="refused", note="n" * 501)
    assert (CollectionAttempt.objects.count(), Promise.objects.count()) == (0, 0)


# --- AR-1, AR-4: back-dating window and closed periods ----------------------------------------------------------

@rule("AR-4")
def test_ar4_a_payment_dated_back_beyond_the_window_is_refused(users, customer, settings):
    """AR-4: a payment dated 1990-01-01 was accepted and rewrote past collection rates; now a
    payment is dated at most KEHU_BACKDATE_DAYS (31) back, and a refusal takes no receipt number."""
    settings.KEHU_BACKDATE_DAYS = 31
    from datetime import date

    for day in (date(1990, 1, 1), days_ago(32)):
        with pytest.raises(ValidationFailed, match="more than 31 days back") as refused:
            services.payment_post(by=users["finance"], customer=customer, amount="10", method="cash",
                                  received_on=day)
        assert "Post an adjusting entry dated today instead." in refused.value.message
        assert list(refused.value.field_errors) == ["received_on"]
    assert Payment.objects.count() == 0
    payment = services.payment_post(by=users["finance"], customer=customer, amount="10", method="cash",
                                    received_on=days_ago(31))
    assert (payment.number, payment.received_on) == ("SH1-000001", days_ago(31))


@rule("AR-1")
def test_ar1_no_money_is_dated_in_a_closed_period(users, customer, product, settings):
    """AR-1: once the books are closed through a day, no payment, invoice, return or imported
    invoice is dated on or before it — the message says to post an adjusting entry dated today;
    the day after is open. Imported invoices of an earlier system are not held to the window."""
    from kehu.sales.tests.builders import delivered_order, goods_return

    closed = days_ago(10)
    settings.KEHU_BOOKS_CLOSED_THROUGH = closed
    message = f"The books are closed through {closed}"
    with pytest.raises(ValidationFailed, match=message):
        services.payment_post(by=users["finance"], customer=customer, amount="10", method="cash",
                              received_on=closed)
    order = delivered_order(customer=customer, product=product, quantity=1)
    with pytest.raises(ValidationFailed, match=message):
        services.order_invoice(by=users["owner"], order=order, version=order.version, on=closed)
    with pytest.raises(ValidationFailed, match=message):
        goods_return(order=order, by=users["owner"], returned_on=closed, record=services.return_record)
    result = services.invoice_import(by=users["finance"], rows=[
        (2, {"customer": customer.code, "number": "OLD-1", "issued_on": closed.isoformat(), "amount": "10"})])
    assert result.errors == [(2, [f"{message}: this invoice, dated {closed}, falls in a closed period. "
                                  "Post an adjusting entry dated today instead."])]
    assert (Payment.objects.count(), Invoice.objects.count()) == (0, 0)
    services.payment_post(by=users["finance"], customer=customer, amount="10", method="cash",
                          received_on=closed + timedelta(days=1))
    order.refresh_from_db()
    services.order_invoice(by=users["owner"], order=order, version=order.version, on=closed + timedelta(days=1))
    settings.KEHU_BOOKS_CLOSED_THROUGH = None
    settings.KEHU_BACKDATE_DAYS = 31
    assert services.invoice_import(by=users["finance"], rows=[
        (2, {"customer": customer.code, "number": "OLD-2", "issued_on": days_ago(400).isoformat(),
             "amount": "10"})]).created == 1


@rule("AR-1")
def test_ar1_the_invoice_import_takes_the_same_queries_for_ten_rows_as_for_three_hundred(users, customer,
                                                                                         outsider_customer):
    """INS-2: the numbers are checked in bulk and the ledgers locked in one query; no row costs
    a query of its own (the model's constraints were one query each: 9,000 for 2,000 rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def imported(count: int, prefix: str) -> int:
        rows = [(n + 2, {"customer": (customer, outsider_customer)[n % 2].code, "number": f"{prefix}-{n}",
                         "issued_on": "2025-11-03", "amount": "10.00"}) for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            assert services.invoice_import(by=users["finance"], rows=rows).created == count
        # The inserts are batched by the database's limit of parameters, not by row.
        return len([q for q in queries.captured_queries if not q["sql"].startswith("INSERT")])

    imported(1, "W")  # the company's payment terms are created on first use
    assert imported(10, "Q") == imported(300, "R")
