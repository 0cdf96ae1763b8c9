"""Writes of the ledger (AR-1, AR-5): invoices (from orders and imported), payments, their
allocation and reversal, credit notes, and collection plans kept in step with what is paid.
Every change of money runs in one transaction with the customer's row locked first
(receivables/locks.py): two payments of one customer never interleave, so no invoice is
settled twice and no payment is lost. Amounts are computed as Decimal from the locked rows
and written whole (no arithmetic in SQL: SQLite would do it in floating point)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.selectors import salespeople_for
from kehu.core.access import parse_id, require
from kehu.core.db import prepare_insert
from kehu.core.errors import ValidationFailed, full_clean_or_refuse
from kehu.core.importing import ImportResult, check_lengths, too_long
from kehu.core.locks import lock
from kehu.core.models import Sequence
from kehu.core.money import money
from kehu.core.pagination import lists_changed
from kehu.core.periods import check_money_date
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get_for_user
from kehu.receivables.capabilities import COLLECT, KEEP_LEDGER
from kehu.receivables.locks import (
    lock_credit_on_account,
    lock_customer_ledger,
    lock_customer_ledgers,
    lock_invoice_of_order,
    lock_invoices,
    lock_payment,
    lock_plan,
)
from kehu.receivables.models import (
    Allocation,
    CollectionPlan,
    CollectionPolicy,
    CollectionTask,
    Instalment,
    Invoice,
    Payment,
    ReceiptMethod,
)
from kehu.receivables.selectors.ledger import (
    INVOICE_LIST,
    PAYMENT_LIST,
    invoices_payment_may_settle,
    open_invoices_of,
)
from kehu.receivables.services._common import ZERO, _amount, _day, _keep_promises
from kehu.sales import services as sales_services
from kehu.sales.locks import lock_order, lock_order_lines, lock_order_row
from kehu.sales.models import CreditNote, Order, Return


def due_date_for(customer: Customer, issued_on: date, *, company_days: int | None = None) -> date:
    """AR-1: the customer's payment terms, or the company's (`company_days`, when the caller
    read them once for many invoices)."""
    days = customer.payment_days
    if days is None:
        days = company_days if company_days is not None else CollectionPolicy.current().payment_days
    return issued_on + timedelta(days=days)


# --- allocating ----------------------------------------------------------------------------------------------

def _settle(*, invoice: Invoice, amount: Decimal, on: date, by, payment: Payment | None = None,
            credit_note: CreditNote | None = None) -> Allocation:
    """Settle `amount` of a locked invoice; the allocation counts from the later of `on`, the
    invoice's date and the payment's date — and never before an allocation of the invoice was
    withdrawn: a receipt dated back to a day when the invoice was still settled by another
    (since reversed) would settle it twice on that day (AR-3 as of any day)."""
    assert ZERO < amount <= invoice.open_amount
    days = [on, invoice.issued_on] + ([payment.received_on] if payment else [credit_note.issued_on])
    freed = invoice.allocations.filter(withdrawn_on__isnull=False).aggregate(last=Max("withdrawn_on"))["last"]
    days += [freed] if freed else []
    allocation = Allocation.objects.create(invoice=invoice, payment=payment, credit_note=credit_note, amount=amount,
                                           on=max(days), created_by=by)
    invoice.open_amount -= amount
    if credit_note is not None:
        invoice.credited += amount
    invoice.save(update_fields=["open_amount", "credited", "updated_at"])
    return allocation


def _withdraw(*, allocation: Allocation, invoice: Invoice, on: date, by) -> None:
    allocation.withdrawn_on = max(on, allocation.on)
    allocation.withdrawn_by = by
    allocation.save(update_fields=["withdrawn_on", "withdrawn_by"])
    invoice.open_amount += allocation.amount
    if allocation.credit_note_id:
        invoice.credited -= allocation.amount
    invoice.save(update_fields=["open_amount", "credited", "updated_at"])


def _parse_allocations(allocations) -> dict[int, Decimal]:
    """[{"invoice": id, "amount": x}, …] as {invoice id: amount}; rows without an amount are
    skipped; an invoice that is not the customer's is refused by the caller once locked."""
    wanted: dict[int, Decimal] = {}
    for row in allocations:
        raw_amount = row.get("amount")
        if raw_amount in (None, "") or str(raw_amount).strip() in ("", "0", "0.00"):
            continue
        raw = row.get("invoice")
        pk = raw.pk if isinstance(raw, Invoice) else raw
        number = parse_id(str(pk).strip())
        if number is None:
            raise ValidationFailed(_("Unknown invoice “%(invoice)s”.") % {"invoice": pk},
                                   field_errors={"allocations": [_("Choose one of the customer's open invoices.")]})
        pk = number
        if pk in wanted:
            raise ValidationFailed(_("An invoice appears twice in the allocation."),
                                   field_errors={"allocations": [_("Allocate to each invoice once.")]})
        wanted[pk] = _amount(raw_amount, field="allocations", label=_("allocated amount"))
    return wanted


def _check_allocations(wanted: dict[int, Decimal], invoices: dict[int, Invoice], *, customer_id: int,
                       available: Decimal) -> None:
    for pk, amount in wanted.items():
        invoice = invoices.get(pk)
        if invoice is None or invoice.customer_id != customer_id:
            raise ValidationFailed(_("Invoice #%(pk)s is not one of this customer's invoices.") % {"pk": pk},
                                   field_errors={"allocations": [_("Choose one of the customer's open invoices.")]})
        if amount > invoice.open_amount:
            raise ValidationFailed(
                _("Invoice %(number)s has %(open)s open; %(amount)s cannot be allocated to it.")
                % {"number": invoice.number, "open": money(invoice.open_amount), "amount": money(amount)},
                field_errors={"allocations": [_("At most the open amount.")]})
    total = sum(wanted.values(), ZERO)
    if total > available:
        raise ValidationFailed(_("The allocations add up to %(total)s, more than the %(available)s available.")
                               % {"total": money(total), "available": money(available)},
                               field_errors={"allocations": [_("Allocate at most the payment's amount.")]})


def _oldest_first(customer_id: int, amount: Decimal, invoices: dict[int, Invoice]) -> dict[int, Decimal]:
    """AR-1 default: the oldest open invoices first (by due date)."""
    wanted = {}
    for invoice in sorted(invoices.values(), key=lambda i: (i.due_on, i.issued_on, i.pk)):
        if amount <= 0:
            break
        if invoice.customer_id == customer_id and invoice.open_amount > 0:
            wanted[invoice.pk] = min(amount, invoice.open_amount)
            amount -= wanted[invoice.pk]
    return wanted


def _open_invoice_ids(customer_id: int) -> list[int]:
    return list(open_invoices_of(customer_id).values_list("pk", flat=True))


# --- invoices ---------------------------------------------------------------------------------------------------

def order_invoice(*, by, order: Order, version: int, on: date | None = None) -> Order:
    """ORD-1 → AR-1: invoice a delivered order. The invoice asks the order's amount after
    returns, falls due by the customer's terms, and takes any credit on account first."""
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationFailed(_("An invoice cannot be dated after today."), field_errors={"on": [_("Today or earlier.")]})
    check_money_date(on, field="on", label=_("invoice"))
    with transaction.atomic():
        # core.locks order: the customer (10), the order (30), the payments on account (50), the
        # invoice number (90).
        customer = lock_customer_ledger(Order.objects.values_list("customer_id", flat=True).get(pk=order.pk))
        current = lock_order(order_pk=order.pk, version=version)
        sales_services.mark_invoiced(by=by, order=current, on=on)
        if current.net > 0:
            on_account = lock_credit_on_account(customer.pk)
            invoice = Invoice.objects.create(
                number=f"INV{Sequence.take('invoice')[0]:08d}", customer=customer, order=current, issued_on=on,
                due_on=due_date_for(customer, on), amount=current.net, open_amount=current.net,
                created_by=by)
            _apply_credit_on_account(customer_id=customer.pk, invoices={invoice.pk: invoice}, on=on, by=by,
                                     payments=on_account)
            _sync_plans([current.pk])
            lists_changed(INVOICE_LIST)
    return current


def close_refusal(order: Order, invoice: Invoice | None) -> str:
    """ORD-1, AR-1: why the invoiced order may not be closed yet — its invoice has money open —
    or "" when it may. The order page's button and order_close ask the same question."""
    if invoice is not None and invoice.open_amount > 0:
        return _("Order %(number)s is not closed: %(open)s is still open on receivable %(invoice)s. "
                 "It can be closed once the receivable is settled.") % {
            "number": order.number, "open": money(invoice.open_amount), "invoice": invoice.number}
    return ""


def order_close(*, by, order: Order, version: int, on: date | None = None) -> Order:
    """ORD-1 → AR-1: close an invoiced order once its money is settled. Refused, changing
    nothing, while its invoice has anything open: a closed order says it is paid and done."""
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationFailed(_("An order cannot be closed with a date after today."),
                               field_errors={"on": [_("Today or earlier.")]})
    with transaction.atomic():
        # core.locks order: the customer (10), the order (30), its invoice (40). Payments and
        # reversals lock the customer first, so what is open cannot change meanwhile.
        lock_customer_ledger(Order.objects.values_list("customer_id", flat=True).get(pk=order.pk))
        current = lock_order(order_pk=order.pk, version=version)
        sales_services.check_transition(current, Order.Status.CLOSED)
        invoice = lock_invoice_of_order(current.pk)
        refusal = close_refusal(current, invoice)
        if refusal:
            raise ValidationFailed(refusal)
        sales_services.mark_closed(by=by, order=current, on=on)
    return current


def _apply_credit_on_account(*, customer_id: int, invoices: dict[int, Invoice], on: date, by,
                             payments: list[Payment]) -> None:
    """Credit the customer already has — `payments` with money not allocated (locked by the
    caller, receivables.locks.lock_credit_on_account) and credit notes not used — settles new
    invoices, oldest credit first."""
    for payment in sorted(payments, key=lambda p: (p.received_on, p.pk)):
        for pk, amount in _oldest_first(customer_id, payment.unallocated, invoices).items():
            _settle(invoice=invoices[pk], amount=amount, on=on, by=by, payment=payment)
            payment.unallocated -= amount
        payment.save(update_fields=["unallocated", "updated_at"])
    for note in CreditNote.objects.filter(customer_id=customer_id).order_by("issued_on", "pk"):
        left = note.amount - _credit_note_used(note)
        for pk, amount in _oldest_first(customer_id, left, invoices).items():
            _settle(invoice=invoices[pk], amount=amount, on=on, by=by, credit_note=note)


def _credit_note_used(note: CreditNote) -> Decimal:
    return note.allocations.filter(withdrawn_on__isnull=True).aggregate(s=Sum("amount"))["s"] or ZERO


INVOICE_COLUMNS = ["customer", "number", "issued_on", "due_on", "amount", "note"]


def invoice_import(*, by, rows: list[tuple[int, dict]], progress=None, problems=()) -> ImportResult:
    """AR-1: opening balances and invoices of an earlier system, from a sheet, all or
    nothing: every bad row is reported by line and nothing is written. Columns: customer
    (code), number, issued_on, due_on (empty: the customer's terms), amount, note.
    `progress(done, total)` is told how far the check is (a background job, core.jobs);
    `problems` are (line, messages) of rows already refused by the caller (counted in, so that
    nothing is written)."""
    require(by, KEEP_LEDGER, _("Only finance imports invoices."))
    progress = progress or (lambda done, total: None)
    from kehu.customers.selectors import customers_visible_to

    codes = {str(r.get("customer") or "").strip() for _line, r in rows}
    customers = {c.code: c for c in customers_visible_to(by).filter(code__in=codes)}
    numbers = {str(r.get("number") or "").strip() for _line, r in rows}
    taken = set(Invoice.objects.filter(number__in=numbers).values_list("number", flat=True))
    company_days = CollectionPolicy.current().payment_days
    result, valid, seen = ImportResult(total=len(rows) + len(problems)), [], set()
    for line, messages in problems:
        result.add_errors(line, messages)
    for done, (line, row) in enumerate(rows):
        progress(done, len(rows))
        # Over-long values are refused as given, before the duplicate check (INS-2).
        long = too_long(Invoice, row)
        problems = [message for messages in long.values() for message in messages]
        customer = customers.get(str(row.get("customer") or "").strip())
        if customer is None:
            problems.append(_("customer: no customer with code “%(code)s” in your scope.")
                            % {"code": row.get("customer") or ""})
        number = str(row.get("number") or "").strip()
        if not number:
            problems.append(_("number: required."))
        elif "number" in long:
            pass
        elif number in taken or number in seen:
            problems.append(_("number: %(number)s is already used.") % {"number": number})
        else:
            seen.add(number)
        values = {}
        for name, label, reader in (("issued_on", _("invoice date"), _day), ("amount", _("amount"), _amount)):
            try:
                values[name] = reader(row.get(name), field=name, label=label)
            except ValidationFailed as exc:
                problems.append(f"{name}: {exc.message}")
        due_on = None
        if row.get("due_on") not in (None, ""):
            try:
                due_on = _day(row.get("due_on"), field="due_on", label=_("due date"))
            except ValidationFailed as exc:
                problems.append(f"due_on: {exc.message}")
        if not problems:
            due_on = due_on or due_date_for(customer, values["issued_on"], company_days=company_days)
            invoice = Invoice(number=number, customer=customer, issued_on=values["issued_on"], due_on=due_on,
                              amount=values["amount"], open_amount=values["amount"], source=Invoice.Source.IMPORT,
                              note=str(row.get("note") or "").strip(), created_by=by)
            try:
                # The constraints are this loop's own checks (amount above zero, due after
                # issue), and the numbers were checked in bulk above: not one query per row.
                full_clean_or_refuse(invoice, exclude=["customer", "created_by"], constraints=False)
                if due_on < values["issued_on"]:
                    raise ValidationFailed(_("the due date is before the invoice date."))
                if values["issued_on"] > timezone.localdate():
                    raise ValidationFailed(_("the invoice date is after today."))
                # Invoices of an earlier system are as old as they are; a closed period stays closed.
                check_money_date(values["issued_on"], field="issued_on", label=_("invoice"), window=False)
            except ValidationFailed as exc:
                problems.append(str(exc.message))
            valid.append(invoice)
        if problems:
            result.add_errors(line, problems)
    if result.refused:
        return result
    rows = prepare_insert(Invoice, valid)  # the CPU work, before the write lock (issue 13)
    with transaction.atomic():
        lock_customer_ledgers({i.customer_id for i in valid})
        rows.write()
        lists_changed(INVOICE_LIST)
    result.created = len(valid)
    return result


# --- payments -------------------------------------------------------------------------------------------------

def payment_post(*, by, customer, amount, method: str, received_on=None, office=None, collector=None,
                 reference: str = "", note: str = "", allocations: list[dict] | None = None) -> Payment:
    """AR-1: record money received and write its receipt. The receipt number is the next of
    the office's book, taken in the same transaction, so a refused or failed payment leaves no
    gap. `allocations` (invoice, amount) say which invoices it settles; without them the
    oldest open invoices are settled first; what is left stays on account."""
    require(by, COLLECT, _("Your role does not record payments."))
    check_lengths(Payment, reference=reference, note=note)
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    amount = _amount(amount, field="amount", label=_("amount"))
    today = timezone.localdate()
    received_on = _day(received_on, field="received_on", label=_("date received"), default=today)
    if received_on > today:
        raise ValidationFailed(_("A payment cannot be received in the future."),
                               field_errors={"received_on": [_("Today or earlier.")]})
    check_money_date(received_on, field="received_on", label=_("payment"), today=today)
    if method not in ReceiptMethod.values:
        raise ValidationFailed(_("Choose how the customer paid."), field_errors={"method": [_("Required.")]})
    office_id = getattr(office, "pk", office) or customer.office_id
    if not office_id:
        raise ValidationFailed(_("Customer %(name)s belongs to no office, so no receipt book: set the office first.")
                               % {"name": customer.name}, field_errors={"office": [_("Required.")]})
    if str(office_id) != str(customer.office_id):
        raise ValidationFailed(_("Customer %(name)s is served by another office: write the receipt in that "
                                 "office's book.") % {"name": customer.name},
                               field_errors={"office": [_("The customer's office.")]})
    collector = _collector(collector, by)
    wanted = None if allocations is None else _parse_allocations(allocations)
    with transaction.atomic():
        lock_customer_ledger(customer.pk)
        invoices = lock_invoices(_open_invoice_ids(customer.pk) if wanted is None else wanted)
        if wanted is None:
            wanted = _oldest_first(customer.pk, amount, invoices)
        _check_allocations(wanted, invoices, customer_id=customer.pk, available=amount)
        from kehu.accounts.models import Office

        office = Office.objects.get(pk=customer.office_id)
        serial = Sequence.take(f"receipt:{office.pk}")[0]
        payment = Payment(number=f"{office.receipt_prefix}-{serial:06d}", serial=serial, office=office, customer=customer,
                          received_on=received_on, method=method, amount=amount, unallocated=amount,
                          collector=collector, reference=(reference or "").strip(),
                          note=(note or "").strip(), recorded_by=by)
        full_clean_or_refuse(payment, exclude=["number", "serial"])
        payment.save()
        for pk, part in wanted.items():
            _settle(invoice=invoices[pk], amount=part, on=received_on, by=by, payment=payment)
            payment.unallocated -= part
        payment.save(update_fields=["unallocated", "updated_at"])
        _keep_promises(customer.pk, today=today)
        _sync_plans(_orders_of(invoices.values()))
        lists_changed(PAYMENT_LIST)
        lists_changed(INVOICE_LIST)
    return payment


def _collector(collector, by) -> User:
    """AR-1: who collected the money: the user recording it, or a salesperson in their scope —
    the choices of the payment form (salespeople_for), never anyone else."""
    if collector in (None, ""):
        return by
    pk = getattr(collector, "pk", collector)
    number = parse_id(pk)
    if number is not None and number == by.pk:
        return by
    found = salespeople_for(by).filter(pk=number).first() if number else None
    if found is None:
        raise ValidationFailed(_("The collector must be you or a salesperson in your scope."),
                               field_errors={"collector": [_("Choose yourself or a salesperson in your scope.")]})
    return found


def _orders_of(invoices) -> list[int]:
    return [i.order_id for i in invoices if i.order_id]


def payment_allocate(*, by, payment: Payment, allocations: list[dict] | None = None) -> Payment:
    """AR-1: change what a payment settles. Allocations kept as they are stay; the others are
    withdrawn (their rows remain, dated) and the new ones made today. Without `allocations`
    the credit on account settles the oldest open invoices."""
    require(by, COLLECT, _("Your role does not allocate payments."))
    today = timezone.localdate()
    wanted = None if allocations is None else _parse_allocations(allocations)
    with transaction.atomic():
        lock_customer_ledger(payment.customer_id)
        # The invoices (40) before the payment (50): under the customer's lock its allocations
        # cannot change, so they are read before the payment is locked.
        ids = set(invoices_payment_may_settle(payment).values_list("pk", flat=True))
        invoices = lock_invoices(ids | set(wanted or {}))
        current = lock_payment(payment.pk)
        if current.reversed_on:
            raise ValidationFailed(_("Receipt %(number)s was reversed; it settles nothing.")
                                   % {"number": current.number})
        standing = list(current.allocations.filter(withdrawn_on__isnull=True))
        if wanted is None:  # keep what stands, settle the oldest with the rest
            wanted = {a.invoice_id: a.amount for a in standing}
            for pk, amount in _oldest_first(current.customer_id, current.unallocated, invoices).items():
                wanted[pk] = wanted.get(pk, ZERO) + amount
        kept = [a for a in standing if wanted.get(a.invoice_id) == a.amount]
        for allocation in standing:
            if allocation not in kept:
                _withdraw(allocation=allocation, invoice=invoices[allocation.invoice_id], on=today, by=by)
                current.unallocated += allocation.amount
        new = {pk: amount for pk, amount in wanted.items() if pk not in {a.invoice_id for a in kept}}
        _check_allocations(new, invoices, customer_id=current.customer_id, available=current.unallocated)
        for pk, amount in new.items():
            _settle(invoice=invoices[pk], amount=amount, on=today, by=by, payment=current)
            current.unallocated -= amount
        current.save(update_fields=["unallocated", "updated_at"])
        _sync_plans(_orders_of(invoices.values()))
        lists_changed(INVOICE_LIST)
        lists_changed(PAYMENT_LIST)
    return current


def _settled_by(payment_pk: int) -> set[int]:
    """The invoices a payment settles now (read under its customer's lock)."""
    return set(Allocation.objects.filter(payment_id=payment_pk, withdrawn_on__isnull=True)
               .values_list("invoice_id", flat=True))


def payment_reverse(*, by, payment: Payment, reason: str) -> Payment:
    """AR-1: undo a payment recorded in error (a bounced cheque, the wrong customer). The
    receipt stays in the ledger with its reversing entry; its allocations are withdrawn, so
    the invoices it settled are open again."""
    require(by, KEEP_LEDGER, _("Only finance can reverse a payment."))
    reason = (reason or "").strip()
    check_lengths(Payment, reversal_reason=reason)
    if not reason:
        raise ValidationFailed(_("Give the reason for reversing the payment."),
                               field_errors={"reason": [_("Required.")]})
    today = timezone.localdate()
    with transaction.atomic():
        lock_customer_ledger(payment.customer_id)
        invoices = lock_invoices(_settled_by(payment.pk))  # before the payment, as in payment_allocate
        current = lock_payment(payment.pk)
        if current.reversed_on:
            raise ValidationFailed(_("Receipt %(number)s was already reversed on %(on)s.")
                                   % {"number": current.number, "on": current.reversed_on})
        standing = list(current.allocations.filter(withdrawn_on__isnull=True))
        for allocation in standing:
            _withdraw(allocation=allocation, invoice=invoices[allocation.invoice_id], on=today, by=by)
        current.reversed_on = max(today, current.received_on)
        current.reversed_by = by
        current.reversal_reason = reason
        current.unallocated = ZERO
        current.save(update_fields=["reversed_on", "reversed_by", "reversal_reason", "unallocated", "updated_at"])
        _sync_plans(_orders_of(invoices.values()))
        lists_changed(INVOICE_LIST)
        lists_changed(PAYMENT_LIST)
    return current


# --- credit notes (ORD-2 → AR-1) ---------------------------------------------------------------------------

def return_record(**kwargs) -> Return:
    """sales.services.return_record, and the credit note it produces (a return after
    invoicing) settles the order's invoice at once, then the customer's oldest."""
    with transaction.atomic():
        # core.locks order: the credit note settles invoices (40) under the customer's lock (10),
        # so both are taken here around the order (30) and its lines (31), before the return's
        # numbers (90). sales.return_record and credit_note_apply lock the same rows again, which
        # costs no wait; the order's version is checked there.
        order_pk = kwargs["order"].pk
        customer = lock_customer_ledger(Order.objects.values_list("customer_id", flat=True).get(pk=order_pk))
        current = lock_order_row(order_pk)
        lock_order_lines(current)
        if kwargs.get("kind") == Return.Kind.RETURNED and current.status in CREDITED:
            lock_invoices(_credit_note_invoice_ids(customer.pk, order_pk))
        ret = sales_services.return_record(**kwargs)
        note = CreditNote.objects.filter(ret=ret).first()
        if note is not None:
            credit_note_apply(by=kwargs["by"], credit_note=note)
    return ret


# The order's status after which a return produces a credit note (sales.services.return_record).
CREDITED = (Order.Status.INVOICED, Order.Status.CLOSED)


def _credit_note_invoice_ids(customer_id: int, order_id: int) -> set[int]:
    """What a credit note of the order may settle: the order's invoice, the customer's open ones."""
    own = Invoice.objects.filter(order_id=order_id).values_list("pk", flat=True)
    return set(own) | set(_open_invoice_ids(customer_id))


def credit_note_apply(*, by, credit_note: CreditNote) -> None:
    with transaction.atomic():
        lock_customer_ledger(credit_note.customer_id)
        own = Invoice.objects.filter(order__returns=credit_note.ret_id).values_list("pk", flat=True)
        invoices = lock_invoices(_credit_note_invoice_ids(credit_note.customer_id, credit_note.ret.order_id))
        left = credit_note.amount - _credit_note_used(credit_note)
        first = [invoices[pk] for pk in own if pk in invoices and invoices[pk].open_amount > 0]
        for invoice in first:
            part = min(left, invoice.open_amount)
            if part > 0:
                _settle(invoice=invoice, amount=part, on=credit_note.issued_on, by=by, credit_note=credit_note)
                left -= part
        for pk, part in _oldest_first(credit_note.customer_id, left, invoices).items():
            _settle(invoice=invoices[pk], amount=part, on=credit_note.issued_on, by=by, credit_note=credit_note)
        _sync_plans(_orders_of(invoices.values()))
        lists_changed(INVOICE_LIST)


# --- AR-5: collection plans ---------------------------------------------------------------------------------

PLANNABLE = (Order.Status.CONFIRMED, Order.Status.DELIVERED, Order.Status.INVOICED)


def plan_create(*, by, order: Order, instalments: list[dict], note: str = "") -> CollectionPlan:
    """AR-5: split what an order asks into instalments, each with a due date, an amount and
    days of reminder; they add up to the order's amount after returns exactly."""
    require(by, COLLECT, _("Your role does not plan collections."))
    check_lengths(CollectionPlan, note=note)
    if not instalments:
        raise ValidationFailed(_("A plan needs at least one instalment."),
                               field_errors={"instalments": [_("Add an instalment.")]})
    built = []
    for n, row in enumerate(instalments, start=1):
        try:
            due_on = _day(row.get("due_on"), field="instalments", label=_("due date"))
            amount = _amount(row.get("amount"), field="instalments", label=_("amount"))
            reminder = row.get("reminder_days")
            reminder = 3 if reminder in (None, "") else int(str(reminder).strip())
        except ValueError:
            raise ValidationFailed(_("Instalment %(n)d: the reminder days are a whole number.") % {"n": n},
                                   field_errors={"instalments": [_("A whole number of days.")]}) from None
        except ValidationFailed as exc:
            raise ValidationFailed(_("Instalment %(n)d: %(problem)s") % {"n": n, "problem": exc.message},
                                   field_errors=exc.field_errors) from None
        if not 0 <= reminder <= 60:
            raise ValidationFailed(_("Instalment %(n)d: remind 0 to 60 days before.") % {"n": n},
                                   field_errors={"instalments": [_("From 0 to 60.")]})
        built.append(Instalment(due_on=due_on, amount=amount, reminder_days=reminder))
    built.sort(key=lambda i: i.due_on)
    with transaction.atomic():
        # core.locks order: the customer (10), then the order (30). A plan does not edit the
        # order, so no version is checked.
        lock_customer_ledger(Order.objects.values_list("customer_id", flat=True).get(pk=order.pk))
        current = lock_order_row(order.pk)
        if current.status not in PLANNABLE:
            raise ValidationFailed(_("Order %(number)s is %(status)s: only a confirmed, delivered or invoiced order "
                                     "is paid by a plan.") % {"number": current.number,
                                                              "status": current.get_status_display()})
        if built[0].due_on < current.ordered_on:
            raise ValidationFailed(_("An instalment cannot fall due before the order date (%(on)s).")
                                   % {"on": current.ordered_on}, field_errors={"instalments": [_("Too early.")]})
        total = sum((i.amount for i in built), ZERO)
        if total != current.net:
            raise ValidationFailed(_("The instalments add up to %(total)s; the order asks %(net)s.")
                                   % {"total": money(total), "net": money(current.net)},
                                   field_errors={"instalments": [_("Make them add up to the order.")]})
        if CollectionPlan.objects.filter(order=current, status=CollectionPlan.Status.ACTIVE).exists():
            raise ValidationFailed(_("Order %(number)s already has a plan: void it first.")
                                   % {"number": current.number})
        plan = CollectionPlan.objects.create(order=current, customer_id=current.customer_id, created_by=by,
                                             note=(note or "").strip())
        for instalment in built:
            instalment.plan = plan
        Instalment.objects.bulk_create(built)
        _sync_plans([current.pk])
    return plan


def plan_void(*, by, plan: CollectionPlan, reason: str) -> CollectionPlan:
    require(by, COLLECT, _("Your role does not plan collections."))
    reason = (reason or "").strip()
    check_lengths(CollectionPlan, void_reason=reason)
    if not reason:
        raise ValidationFailed(_("Give the reason for voiding the plan."), field_errors={"reason": [_("Required.")]})
    with transaction.atomic():
        current = lock_plan(plan.pk)
        if current.status == CollectionPlan.Status.VOID:
            raise ValidationFailed(_("This plan is already void."))
        current.status = CollectionPlan.Status.VOID
        current.voided_by = by
        current.void_reason = reason
        current.save(update_fields=["status", "voided_by", "void_reason", "updated_at"])
        current.instalments.update(status=Instalment.Status.VOID)
        CollectionTask.objects.filter(instalment__plan=current, status=CollectionTask.Status.OPEN).update(
            status=CollectionTask.Status.CANCELLED)
    return current


def instalment_status(*, due_on: date, amount: Decimal, paid: Decimal, today: date) -> str:
    if paid >= amount:
        return Instalment.Status.PAID
    if due_on < today:
        return Instalment.Status.OVERDUE
    return Instalment.Status.PARTLY_PAID if paid > 0 else Instalment.Status.PENDING


def _sync_plans(order_ids, *, today: date | None = None) -> None:
    """AR-5: what the order's invoice has settled covers its instalments in date order."""
    today = today or timezone.localdate()
    plans = CollectionPlan.objects.filter(status=CollectionPlan.Status.ACTIVE)
    if order_ids is not None:
        if not order_ids:
            return
        plans = plans.filter(order_id__in=list(order_ids))
    changed = []
    for plan in plans.select_related("order__invoice").prefetch_related("instalments"):
        invoice = getattr(plan.order, "invoice", None)
        covered = invoice.settled if invoice else ZERO
        for instalment in sorted(plan.instalments.all(), key=lambda i: (i.due_on, i.pk)):
            paid = min(covered, instalment.amount)
            covered -= paid
            status = instalment_status(due_on=instalment.due_on, amount=instalment.amount, paid=paid, today=today)
            if (paid, status) != (instalment.paid, instalment.status):
                instalment.paid, instalment.status = paid, status
                changed.append(instalment)
    Instalment.objects.bulk_update(changed, ["paid", "status"], batch_size=500)


# --- receipt counters after a restore (AR-1) ----------------------------------------------------------------

def receipt_counters() -> list[tuple[str, str, int]]:
    """Each office's receipt book: (office code, office name, last receipt serial issued)."""
    from kehu.accounts.models import Office

    counters = dict(Sequence.objects.filter(name__startswith="receipt:").values_list("name", "value"))
    return [(office.code, office.name, counters.get(f"receipt:{office.pk}", 0))
            for office in Office.objects.order_by("code")]


def receipt_counters_at_least(wanted: dict[str, int]) -> list[tuple[str, int, int]]:
    """Move offices' receipt counters forward so that the next receipt is numbered after
    `wanted[office code]` — after a restore, past the numbers already written on paper. A
    counter never goes back (a number is never issued twice). All or nothing; answers
    (office code, counter before, counter after)."""
    from kehu.accounts.models import Office

    offices = {office.code: office for office in Office.objects.filter(code__in=list(wanted))}
    unknown = sorted(set(wanted) - set(offices))
    if unknown:
        raise ValidationFailed(_("No office with the code %(codes)s.") % {"codes": ", ".join(unknown)})
    changed = []
    with transaction.atomic():
        for code in sorted(wanted):
            name = f"receipt:{offices[code].pk}"
            row = lock(Sequence, Sequence.objects.get_or_create(name=name)[0].pk)
            before = row.value
            row.value = max(before, wanted[code])
            row.save(update_fields=["value"])
            changed.append((code, before, row.value))
    return changed
