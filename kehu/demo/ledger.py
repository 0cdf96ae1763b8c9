"""The demo's receivables (AR-1 … AR-5): an invoice for every invoiced order, the receipts
that paid them, credit notes settling them, a few reversed receipts, promises to pay,
collection attempts and tasks, and instalment plans.

Each customer's ledger is played forward day by day with the rules of
kehu.receivables.services: a new invoice first takes the credit on account (order_invoice),
a credit note settles its own order's invoice, then the oldest (credit_note_apply), a
receipt settles the invoice it names and leaves any excess on account (payment_post), a
reversal withdraws what the receipt settled (payment_reverse). Promises are judged as
collection_day and the posting of a payment judge them, instalments as _sync_plans does.
Everything is then written with bulk inserts, receipts numbered per office in the order
received, and the counters left where the services continue; last, collection_day makes
today's calls, visits and follow-ups, exactly as the worker does each morning.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from kehu.core.models import Sequence
from kehu.core.money import ZERO
from kehu.customers.models import KeyPerson, PaymentMethod
from kehu.demo import vocab
from kehu.demo.rows import ActiveCustomer, Org, PlannedOrder, insert_rows, row
from kehu.receivables import models as ar
from kehu.receivables import services
from kehu.sales.models import Order

HUNDRED = Decimal("100")
# Of closed orders: paid in two receipts rather than one; paid a round sum, the excess on account.
TWO_RECEIPTS_SHARE, ROUNDED_UP_SHARE = 0.25, 0.03
# Of invoiced orders not yet due to be paid: part paid already; of the unpaid ones: part paid.
PART_PAID_SHARE, UNPAID_PART_SHARE = 0.3, 0.4
# A handful of receipts reversed (a bounced cheque, a receipt on the wrong customer), at least MIN_FEW.
REVERSED_SHARE, MIN_FEW = 0.001, 3
DEPOSIT_SHARE = 0.005  # of customers with invoices: a payment in advance, on account
PLAN_SHARE = 0.03  # of invoiced orders still to be paid: paid by an instalment plan
PLAN_VOID_SHARE = 0.15
REMINDED_SHARE = 0.2  # of invoices open three days before they fall due: the call is logged
FRESH_VISIT_SHARE = 0.5  # of invoices overdue up to 30 days: the visit is still to be made
MAX_PROMISES = 4  # promises chased per invoice
# How the customer's payment method on its card pays a receipt.
RECEIPT_METHOD = {PaymentMethod.CREDIT: PaymentMethod.TRANSFER, PaymentMethod.OTHER: PaymentMethod.TRANSFER,
                  "": PaymentMethod.TRANSFER}
# Written by finance from the bank statement; cash and cheques by the salesperson who collected.
FINANCE_METHODS = {PaymentMethod.TRANSFER, PaymentMethod.ACCEPTANCE}
INSERT_BATCH = 5000


@dataclass(slots=True, eq=False)
class Inv:
    order: PlannedOrder
    issued_on: date
    due_on: date
    amount: Decimal
    open: Decimal
    seq: int
    credited: Decimal = ZERO
    allocations: list = field(default_factory=list)
    number: str = ""
    id: int | None = None

    def open_on(self, day: date) -> Decimal:
        """The open amount at the end of `day` (selectors.open_invoices_on)."""
        return self.amount - sum((a.amount for a in self.allocations if a.standing_on(day)), ZERO)

    def settled_on(self) -> date | None:
        """The day the last standing allocation closed it, if it is closed."""
        if self.open:
            return None
        return max((a.on for a in self.allocations if a.withdrawn_on is None), default=self.issued_on)


@dataclass(slots=True, eq=False)
class Pay:
    customer: ActiveCustomer
    received_on: date
    amount: Decimal
    unallocated: Decimal
    method: str
    recorded_by_id: int
    seq: int
    reference: str = ""
    note: str = ""
    reversed_on: date | None = None
    reversal_reason: str = ""
    allocations: list = field(default_factory=list)
    serial: int = 0
    number: str = ""
    id: int | None = None


@dataclass(slots=True, eq=False)
class Note:
    id: int
    issued_on: date
    amount: Decimal
    left: Decimal


@dataclass(slots=True, eq=False)
class Alloc:
    invoice: Inv
    amount: Decimal
    on: date
    created_by_id: int
    payment: Pay | None = None
    note: Note | None = None
    withdrawn_on: date | None = None

    def standing_on(self, day: date) -> bool:
        return self.on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)


@dataclass(slots=True, eq=False)
class PlannedPromise:
    customer: ActiveCustomer
    invoice: Inv
    made_on: date
    promised_on: date
    amount: Decimal
    status: str
    resolved_on: date | None
    note: str
    at: datetime
    id: int | None = None


@dataclass(slots=True, eq=False)
class PlannedTask:
    kind: str
    customer: ActiveCustomer
    due_on: date
    amount: Decimal
    status: str
    created_at: datetime
    invoice: Inv | None = None
    promise: PlannedPromise | None = None
    done_at: datetime | None = None
    id: int | None = None


@dataclass(slots=True, eq=False)
class PlannedAttempt:
    customer: ActiveCustomer
    channel: str
    outcome: str
    at: datetime
    invoice: Inv | None = None
    task: PlannedTask | None = None
    promise: PlannedPromise | None = None


@dataclass(slots=True, eq=False)
class PlannedPlan:
    order: PlannedOrder
    instalments: list  # [(due_on, amount)]
    created_at: datetime
    note: str
    void_reason: str = ""
    id: int | None = None


class Book:
    """One customer's ledger, changed as the services change it."""

    def __init__(self, writer: "LedgerWriter", customer: ActiveCustomer):
        self.writer, self.customer = writer, customer
        self.invoices: list[Inv] = []
        self.payments: list[Pay] = []
        self.notes: list[Note] = []
        self.of_order: dict[int, Inv] = {}

    def _settle(self, invoice: Inv, amount: Decimal, *, on: date, by: int, payment: Pay | None = None,
                note: Note | None = None) -> None:
        """services._settle: counts from the later of `on`, the invoice's and the source's date."""
        day = max(on, invoice.issued_on, payment.received_on if payment else note.issued_on)
        allocation = Alloc(invoice=invoice, amount=amount, on=day, created_by_id=by, payment=payment, note=note)
        invoice.allocations.append(allocation)
        invoice.open -= amount
        if payment is not None:
            payment.unallocated -= amount
            payment.allocations.append(allocation)
        else:
            invoice.credited += amount
            note.left -= amount
        self.writer.allocations.append(allocation)

    def _oldest_open(self) -> list[Inv]:
        return sorted((i for i in self.invoices if i.open > 0), key=lambda i: (i.due_on, i.issued_on, i.seq))

    def invoice(self, order: PlannedOrder) -> None:
        """services.order_invoice: the order's amount after the returns made so far, due by the
        customer's terms; credit on account (receipts, then credit notes, oldest first) settles it."""
        before = order.ret.amount if order.ret is not None and not order.ret.credit_note else ZERO
        amount = order.total - before
        if amount <= 0:
            return
        on, w = order.invoiced_on, self.writer
        invoice = Inv(order=order, issued_on=on, due_on=on + timedelta(days=self.customer.terms), amount=amount,
                      open=amount, seq=len(w.invoices))
        w.invoices.append(invoice)
        self.invoices.append(invoice)
        self.of_order[order.id] = w.invoice_of[order.id] = invoice
        for payment in sorted(self.payments, key=lambda p: (p.received_on, p.seq)):
            if payment.reversed_on is None and payment.unallocated > 0 and invoice.open > 0:
                self._settle(invoice, min(payment.unallocated, invoice.open), on=on, by=w.finance_id, payment=payment)
        for note in sorted(self.notes, key=lambda n: (n.issued_on, n.id)):
            if note.left > 0 and invoice.open > 0:
                self._settle(invoice, min(note.left, invoice.open), on=on, by=w.finance_id, note=note)

    def credit(self, order: PlannedOrder) -> None:
        """services.credit_note_apply: the order's own invoice first, then the oldest open."""
        ret = order.ret
        note = Note(id=ret.credit_note_id, issued_on=ret.returned_on, amount=ret.amount, left=ret.amount)
        self.notes.append(note)
        own = self.of_order.get(order.id)
        for invoice in ([own] if own is not None else []) + self._oldest_open():
            if note.left <= 0:
                break
            if invoice.open > 0:
                self._settle(invoice, min(note.left, invoice.open), on=note.issued_on, by=self.customer.owner_id,
                             note=note)

    def pay(self, invoice: Inv | None, *, on: date, amount: Decimal, extra: Decimal = ZERO, method: str | None = None,
            note: str | None = None) -> Pay:
        """services.payment_post with the invoice named: `amount` settles it, `extra` stays on account."""
        w, rng = self.writer, self.writer.rng
        method = method or RECEIPT_METHOD.get(self.customer.payment_method, self.customer.payment_method)
        payment = Pay(customer=self.customer, received_on=on, amount=amount + extra, unallocated=amount + extra,
                      method=method, seq=len(w.payments), reference=_reference(rng, method),
                      recorded_by_id=w.finance_id if method in FINANCE_METHODS else self.customer.owner_id,
                      note=rng.choice(vocab.PAYMENT_NOTES) if note is None else note)
        w.payments.append(payment)
        self.payments.append(payment)
        if amount > 0:
            self._settle(invoice, amount, on=on, by=payment.recorded_by_id, payment=payment)
        return payment

    def reverse(self, payment: Pay, *, on: date, reason: str) -> None:
        """services.payment_reverse: the receipt stays, what it settled is open again."""
        for allocation in payment.allocations:
            if allocation.withdrawn_on is None:
                allocation.withdrawn_on = max(on, allocation.on)
                allocation.invoice.open += allocation.amount
        payment.reversed_on = max(on, payment.received_on)
        payment.reversal_reason = reason
        payment.unallocated = ZERO

    def paid_between(self, start: date, end: date) -> Decimal:
        """services._paid_between: what the customer paid from `start` to `end` (receipts that stand)."""
        return sum((p.amount for p in self.payments if p.reversed_on is None and start <= p.received_on <= end), ZERO)

    def reached_on(self, start: date, end: date, amount: Decimal) -> date | None:
        """The day the receipts since `start` reached `amount`, if they did by `end`."""
        total = ZERO
        for payment in sorted(self.payments, key=lambda p: (p.received_on, p.seq)):
            if payment.reversed_on is None and start <= payment.received_on <= end:
                total += payment.amount
                if total >= amount:
                    return payment.received_on
        return None


def _reference(rng: random.Random, method: str) -> str:
    if method == PaymentMethod.TRANSFER:
        return f"{rng.randrange(10**15):015d}"
    if method == PaymentMethod.ACCEPTANCE:
        return f"{rng.randrange(10**16):016d}"
    if method == PaymentMethod.CHEQUE:
        return f"{rng.randrange(10**8):08d}"
    return ""


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _round_down(amount: Decimal, step: Decimal = HUNDRED) -> Decimal:
    return (amount / step).to_integral_value(rounding=ROUND_DOWN) * step


def _few(rng: random.Random, candidates: list, share: float, *, at_least: int = MIN_FEW) -> list:
    return rng.sample(candidates, min(len(candidates), max(at_least, round(share * len(candidates)))))


class LedgerWriter:
    def __init__(self, *, rng: random.Random, org: Org, policy: ar.CollectionPolicy):
        self.rng, self.org, self.policy = rng, org, policy
        self.today, self.now, self.tz = timezone.localdate(), timezone.now(), timezone.get_current_timezone()
        self.finance_id = next(u.pk for u in org.users if u.username == "finance")
        self.office_codes = {o.pk: o.receipt_prefix for o in org.offices}
        self.invoices: list[Inv] = []
        self.invoice_of: dict[int, Inv] = {}  # by order id
        self.payments: list[Pay] = []
        self.allocations: list[Alloc] = []
        self.plans: list[PlannedPlan] = []
        self.promises: list[PlannedPromise] = []
        self.tasks: list[PlannedTask] = []
        self.attempts: list[PlannedAttempt] = []

    def at(self, day: date, hour: tuple[int, int] = (8, 19)) -> datetime:
        """A moment of `day` between the hours given, never later than now."""
        seconds = self.rng.randrange(hour[0] * 3600, (hour[1] + 1) * 3600)
        return min(self.now, datetime.combine(day, time(seconds // 3600, seconds // 60 % 60, seconds % 60),
                                              tzinfo=self.tz))

    def morning(self, day: date) -> datetime:
        """When the worker's 06:00 run made the day's tasks."""
        return min(self.now, datetime.combine(day, time(6, 0, self.rng.randrange(60)), tzinfo=self.tz))

    # --- planning ----------------------------------------------------------------------------------

    def write(self, planned: list[PlannedOrder]) -> dict:
        rng, today = self.rng, self.today
        invoiced = [o for o in planned if o.invoiced_on is not None]
        by_customer: dict[int, list[PlannedOrder]] = {}
        for order in invoiced:
            by_customer.setdefault(order.customer.id, []).append(order)
        closed = [o for o in invoiced if o.closed_on is not None]
        waiting = [o for o in invoiced if o.closed_on is None and not o.unpaid]
        # The few special cases, drawn once over the whole company (sets of order ids).
        bounced = {o.id for o in _few(rng, [o for o in closed if (o.closed_on - o.invoiced_on).days >= 8],
                                      REVERSED_SHARE)}
        bounced |= {o.id for o in _few(rng, [o for o in waiting if (today - o.invoiced_on).days >= 8],
                                       REVERSED_SHARE, at_least=1)}
        plannable = [o for o in waiting if o.ret is None and o.id not in bounced]
        planned_pay = {o.id: self._plan(o) for o in _few(rng, plannable, PLAN_SHARE)}
        # A plan agreed before invoicing, on a delivered order.
        for order in _few(rng, [o for o in planned if o.status == Order.Status.DELIVERED and o.ret is None], 0.01,
                          at_least=1):
            self._plan(order)
        for plan in _few(rng, self.plans, PLAN_VOID_SHARE, at_least=1):
            plan.void_reason = rng.choice(vocab.PLAN_VOID_REASONS)
        depositors = set(_few(rng, sorted(by_customer), DEPOSIT_SHARE))
        customers = {o.customer.id: o.customer for o in invoiced}
        for customer_id, orders in by_customer.items():
            book = Book(self, customers[customer_id])
            self._play(book, orders, bounced=bounced, planned_pay=planned_pay,
                       deposit=customer_id in depositors)
            self._collect(book, planned_orders=planned_pay)
        self._sync_plans()
        return self._write()

    def _plan(self, order: PlannedOrder) -> list[tuple[date, Decimal]]:
        """AR-5: two to four instalments a month apart adding up to the order's amount; the
        due dates the customer paid on, or was meant to."""
        rng = self.rng
        start = order.invoiced_on or order.delivered_on or order.ordered_on
        count = rng.choice((2, 3, 3, 4))
        amount = order.total - order.returned
        part = _round_down(amount / count, Decimal("1"))
        amounts = [part] * (count - 1) + [amount - part * (count - 1)]
        first = start + timedelta(days=rng.choice((15, 30)))
        instalments = [(first + timedelta(days=30 * n), a) for n, a in enumerate(amounts)]
        self.plans.append(PlannedPlan(order=order, instalments=instalments, created_at=self.at(start),
                                      note=rng.choice(vocab.PLAN_NOTES)))
        return instalments

    def _play(self, book: Book, orders: list[PlannedOrder], *, bounced: set, planned_pay: dict, deposit: bool) -> None:
        """The customer's invoices, credit notes, receipts and reversals, in date order (on one
        day: invoices, credit notes, receipts, reversals)."""
        rng, today = self.rng, self.today
        events = []  # (day, rank, n, kind, order, value)

        def add(day, rank, kind, order=None, value=None):
            events.append((day, rank, len(events), kind, order, value))

        for order in orders:
            issued = order.invoiced_on
            add(issued, 0, "invoice", order)
            if order.ret is not None and order.ret.credit_note:
                add(order.ret.returned_on, 1, "credit", order)
            end = order.closed_on
            if order.id in bounced:
                last = (end or today) - timedelta(days=5)
                day = _day_between(rng, issued, last)
                add(day, 2, "bounced", order)
                add(day + timedelta(days=rng.randint(2, 4)), 3, "reverse", order)
            if end is not None:  # closed: paid in full by the day it was closed
                if order.id not in bounced and rng.random() < TWO_RECEIPTS_SHARE and (end - issued).days >= 2:
                    add(_day_between(rng, issued, end - timedelta(days=1)), 2, "part", order,
                        Decimal(rng.randint(30, 70)) / 100)
                add(end, 2, "rest", order, rng.random() < ROUNDED_UP_SHARE)
            elif order.id in planned_pay:
                for due_on, amount in planned_pay[order.id]:
                    roll = rng.random()
                    if due_on > today or roll >= 0.87:
                        continue  # not due yet, or missed
                    if roll < 0.75:
                        add(max(issued, due_on - timedelta(days=rng.randint(0, 5))), 2, "fixed", order, amount)
                    else:
                        add(min(today, due_on + timedelta(days=rng.randint(0, 5))), 2, "fixed", order,
                            _round_down(amount / 2))
            elif order.id not in bounced and (today - issued).days >= 7:
                if rng.random() < (UNPAID_PART_SHARE if order.unpaid else PART_PAID_SHARE):
                    share = rng.randint(10, 40) if order.unpaid else rng.randint(30, 70)
                    add(_day_between(rng, issued + timedelta(days=3), today), 2, "part", order,
                        Decimal(share) / 100)
        if deposit:
            add(today - timedelta(days=rng.randint(1, 25)), 2, "deposit", None,
                Decimal(rng.randint(2, 20) * 1000))
        events.sort(key=lambda e: e[:3])
        bounced_receipts = {}
        for day, _rank, _n, kind, order, value in events:
            invoice = book.of_order.get(order.id) if order is not None else None
            if kind == "invoice":
                book.invoice(order)
            elif kind == "credit":
                book.credit(order)
            elif kind == "deposit":
                book.pay(None, on=day, amount=ZERO, extra=value, method=PaymentMethod.TRANSFER,
                         note=rng.choice(vocab.DEPOSIT_NOTES))
            elif kind == "reverse":
                payment = bounced_receipts.get(order.id)
                if payment is not None:
                    reasons = vocab.REVERSAL_REASONS.get(payment.method, vocab.REVERSAL_REASONS["other"])
                    book.reverse(payment, on=day, reason=rng.choice(reasons))
            elif invoice is None or invoice.open <= 0:
                continue  # nothing left to pay: a credit note or the credit on account settled it
            elif kind == "bounced":
                method = rng.choice((PaymentMethod.CHEQUE, PaymentMethod.ACCEPTANCE, book.customer.payment_method))
                bounced_receipts[order.id] = book.pay(invoice, on=day, amount=invoice.open,
                                                      method=RECEIPT_METHOD.get(method, method))
            elif kind == "rest":
                extra = ZERO
                if value:  # a round sum, the excess kept on account
                    extra = _round_down(invoice.open, Decimal("1000")) + 1000 - invoice.open
                book.pay(invoice, on=day, amount=invoice.open, extra=extra,
                         note=vocab.OVERPAID_NOTE if extra else None)
            else:  # "part" (a share of what is open) or "fixed" (an instalment)
                amount = _round_down(invoice.open * value) if kind == "part" else min(value, invoice.open)
                if 0 < amount and (kind == "fixed" or amount < invoice.open):
                    book.pay(invoice, on=day, amount=amount)

    # --- collection work (AR-2) ---------------------------------------------------------------------

    def _collect(self, book: Book, *, planned_orders: dict) -> None:
        """The calls before due dates, the visits on them and the promises chased after, for
        the invoices of one customer, with the tasks the morning runs made for them."""
        rng, today, c = self.rng, self.today, book.customer
        for invoice in book.invoices:
            if invoice.order.id in planned_orders:
                continue  # paid by instalments: collection_day follows the plan, not the invoice
            remind_on = invoice.due_on - timedelta(days=self.policy.reminder_days)
            if invoice.issued_on <= remind_on < today and invoice.open_on(remind_on) > 0 \
                    and rng.random() < REMINDED_SHARE:
                self._done(c, ar.CollectionTask.Kind.REMINDER, invoice=invoice, on=remind_on,
                           amount=invoice.open_on(remind_on), outcome=ar.CollectionAttempt.Outcome.REMINDED,
                           channel=rng.choice((ar.CollectionAttempt.Channel.CALL, ar.CollectionAttempt.Channel.MESSAGE)))
            due = invoice.due_on
            if due >= today or invoice.open_on(due) <= 0:
                continue
            settled = invoice.settled_on()
            if settled is None and (today - due).days <= 30 and rng.random() < FRESH_VISIT_SHARE:
                continue  # the visit is still open: collection_day makes its task
            self._chase(book, invoice, settled=settled)

    def _done(self, c: ActiveCustomer, kind: str, *, on: date, amount: Decimal, outcome: str, channel: str,
              invoice: Inv | None = None, promise: PlannedPromise | None = None) -> PlannedAttempt:
        """A task the morning run made on `on`, done that day by logging an attempt."""
        attempt = PlannedAttempt(customer=c, channel=channel, outcome=outcome, at=self.at(on), invoice=invoice)
        attempt.task = PlannedTask(kind=kind, customer=c, due_on=on, amount=amount, status=ar.CollectionTask.Status.DONE,
                                   created_at=self.morning(on), invoice=invoice if promise is None else None,
                                   promise=promise, done_at=attempt.at)
        self.tasks.append(attempt.task)
        self.attempts.append(attempt)
        return attempt

    def _chase(self, book: Book, invoice: Inv, *, settled: date | None) -> None:
        """The visit on the due date, then promise after promise until the money came (the
        last one kept), the salesperson gave up, or today."""
        rng, today, c = self.rng, self.today, book.customer
        day = min(invoice.due_on + timedelta(days=rng.randint(0, 3)), today, settled or today)
        channel = rng.choice((ar.CollectionAttempt.Channel.VISIT,) * 3 + (ar.CollectionAttempt.Channel.CALL,))
        attempt = self._done(c, ar.CollectionTask.Kind.VISIT, invoice=invoice, on=day, amount=invoice.open_on(day),
                             outcome=ar.CollectionAttempt.Outcome.REFUSED, channel=channel)
        for _n in range(MAX_PROMISES):
            owed = invoice.open_on(day)
            if owed <= 0:
                attempt.outcome = ar.CollectionAttempt.Outcome.PAID
                return
            if settled is not None and (settled - day).days <= 21:
                promised_on = settled + timedelta(days=rng.randint(0, 3))
            elif rng.random() < 0.75:
                promised_on = day + timedelta(days=rng.randint(5, 14))
                if settled is not None:
                    promised_on = min(promised_on, settled - timedelta(days=1))
            else:
                attempt.outcome = rng.choice((ar.CollectionAttempt.Outcome.REFUSED, ar.CollectionAttempt.Outcome.UNREACHABLE,
                                              ar.CollectionAttempt.Outcome.DISPUTED))
                return
            promise = self._promise(book, invoice, made_on=day, promised_on=promised_on, amount=owed, at=attempt.at)
            if promise is None:  # settled by a credit note, not by a receipt: the goods were disputed
                attempt.outcome = ar.CollectionAttempt.Outcome.DISPUTED
                return
            attempt.outcome, attempt.promise = ar.CollectionAttempt.Outcome.PROMISED, promise
            if promise.status != ar.Promise.Status.BROKEN:
                return
            # The follow-up on the promised day: a new promise, or the end of the chase.
            day = promise.promised_on
            attempt = self._done(c, ar.CollectionTask.Kind.PROMISE, promise=promise, on=day, amount=promise.amount,
                                 outcome=ar.CollectionAttempt.Outcome.REFUSED, invoice=invoice,
                                 channel=rng.choice((ar.CollectionAttempt.Channel.CALL, ar.CollectionAttempt.Channel.VISIT)))

    def _promise(self, book: Book, invoice: Inv, *, made_on: date, promised_on: date, amount: Decimal,
                 at: datetime) -> PlannedPromise | None:
        """A promise judged as the services judge it: kept once the receipts since it was made
        reach its amount by its date, broken the morning after its date, open until then."""
        settled = invoice.settled_on()
        if settled is not None and settled <= promised_on:
            # Paid within the promise: what was promised is what came in (a credit note may
            # have settled the rest); nothing came in, nothing was promised.
            amount = min(amount, book.paid_between(made_on, promised_on))
            if amount <= 0:
                return None
        kept_on = book.reached_on(made_on, min(promised_on, self.today), amount)
        if kept_on is not None:
            status, resolved_on = ar.Promise.Status.KEPT, kept_on
        elif promised_on < self.today:
            status, resolved_on = ar.Promise.Status.BROKEN, promised_on + timedelta(days=1)
        else:
            status, resolved_on = ar.Promise.Status.OPEN, None
        promise = PlannedPromise(customer=book.customer, invoice=invoice, made_on=made_on, promised_on=promised_on,
                                 amount=amount, status=status, resolved_on=resolved_on, at=at,
                                 note=self.rng.choice(vocab.PROMISE_NOTES))
        self.promises.append(promise)
        if status == ar.Promise.Status.KEPT and kept_on == promised_on:
            # The follow-up made that morning, dropped when the receipt was posted.
            self.tasks.append(PlannedTask(kind=ar.CollectionTask.Kind.PROMISE, customer=book.customer, due_on=promised_on,
                                          amount=amount, status=ar.CollectionTask.Status.CANCELLED,
                                          created_at=self.morning(promised_on), promise=promise))
        return promise

    def _sync_plans(self) -> None:
        """services._sync_plans: what the invoice has settled covers the instalments in date order."""
        self.instalments = []
        for plan in self.plans:
            invoice = self.invoice_of.get(plan.order.id)
            covered = (invoice.amount - invoice.open) if invoice is not None else ZERO
            for due_on, amount in plan.instalments:
                paid = min(covered, amount)
                covered -= paid
                if plan.void_reason:
                    paid, status = ZERO, ar.Instalment.Status.VOID
                else:
                    status = services.instalment_status(due_on=due_on, amount=amount, paid=paid, today=self.today)
                self.instalments.append((plan, due_on, amount, paid, status))

    # --- writing --------------------------------------------------------------------------------------

    def _write(self) -> dict:
        with transaction.atomic():
            self._write_invoices()
            self._write_payments()
            self._write_allocations()
            plans = self._write_plans()
            self._write_collection_work()
            # Today's calls, visits and follow-ups, as the worker makes them each morning.
            day = services.collection_day(today=self.today)
        return {"invoices": len(self.invoices), "payments": len(self.payments),
                "reversed_payments": sum(p.reversed_on is not None for p in self.payments),
                "allocations": len(self.allocations), "promises": len(self.promises),
                "collection_plans": plans, "collection_attempts": len(self.attempts),
                "collection_tasks": len(self.tasks) + day["tasks"]}

    def _stamps(self, first: date, days) -> tuple[datetime, datetime]:
        created = self.at(first)
        last = max((d for d in days if d is not None), default=first)
        return created, max(created, self.at(last)) if last > first else created

    def _write_invoices(self) -> None:
        """Numbered in the order issued from the 'invoice' counter, where order_invoice continues."""
        self.invoices.sort(key=lambda i: (i.issued_on, i.order.number))
        numbers = Sequence.take("invoice", len(self.invoices)) if self.invoices else range(0)
        for invoice, number in zip(self.invoices, numbers, strict=True):
            invoice.number = f"INV{number:08d}"

        def build(i: Inv):
            created, updated = self._stamps(i.issued_on, [d for a in i.allocations for d in (a.on, a.withdrawn_on)])
            return row(number=i.number, customer_id=i.order.customer.id, order_id=i.order.id, issued_on=i.issued_on,
                       due_on=i.due_on, amount=i.amount, open_amount=i.open, credited=i.credited,
                       source=ar.Invoice.Source.ORDER, note="", created_by_id=self.finance_id, created_at=created,
                       updated_at=updated)

        _insert(ar.Invoice, self.invoices, build)

    def _write_payments(self) -> None:
        """Each office's receipt book numbered 1…n in the order received, its counter at n."""
        books: dict[int, list[Pay]] = {}
        for payment in self.payments:
            books.setdefault(payment.customer.office_id, []).append(payment)
        for office_id, payments in sorted(books.items()):
            payments.sort(key=lambda p: (p.received_on, p.customer.id, p.seq))
            code = self.office_codes[office_id]
            for payment, serial in zip(payments, Sequence.take(f"receipt:{office_id}", len(payments)), strict=True):
                payment.serial, payment.number = serial, f"{code}-{serial:06d}"

        def build(p: Pay):
            created, updated = self._stamps(p.received_on, [p.reversed_on] + [a.on for a in p.allocations])
            return row(number=p.number, office_id=p.customer.office_id, serial=p.serial, customer_id=p.customer.id,
                       received_on=p.received_on, method=p.method, amount=p.amount, unallocated=p.unallocated,
                       collector_id=p.customer.owner_id, reference=p.reference, note=p.note,
                       recorded_by_id=p.recorded_by_id, reversed_on=p.reversed_on,
                       reversed_by_id=self.finance_id if p.reversed_on else None, reversal_reason=p.reversal_reason,
                       created_at=created, updated_at=updated)

        _insert(ar.Payment, sorted(self.payments, key=lambda p: p.number), build)

    def _write_allocations(self) -> None:
        def build(a: Alloc):
            return row(invoice_id=a.invoice.id, payment_id=a.payment.id if a.payment else None,
                       credit_note_id=a.note.id if a.note else None, amount=a.amount, on=a.on,
                       withdrawn_on=a.withdrawn_on, created_by_id=a.created_by_id, created_at=self.at(a.on),
                       withdrawn_by_id=self.finance_id if a.withdrawn_on else None)

        for start in range(0, len(self.allocations), INSERT_BATCH):
            insert_rows(ar.Allocation, [build(a) for a in self.allocations[start:start + INSERT_BATCH]])

    def _write_plans(self) -> int:
        def build(p: PlannedPlan):
            owner = p.order.customer.owner_id
            return row(order_id=p.order.id, customer_id=p.order.customer.id,
                       status=ar.CollectionPlan.Status.VOID if p.void_reason else ar.CollectionPlan.Status.ACTIVE,
                       note=p.note, created_by_id=owner, voided_by_id=owner if p.void_reason else None,
                       void_reason=p.void_reason, created_at=p.created_at, updated_at=p.created_at)

        _insert(ar.CollectionPlan, self.plans, build)
        insert_rows(ar.Instalment, [row(plan_id=plan.id, due_on=due_on, amount=amount, reminder_days=3, paid=paid,
                                     status=status) for plan, due_on, amount, paid, status in self.instalments])
        return len(self.plans)

    def _write_collection_work(self) -> None:
        contacts = self._buyers({p.customer.id for p in self.promises})

        def promise(p: PlannedPromise):
            return row(customer_id=p.customer.id, invoice_id=p.invoice.id, promised_on=p.promised_on, amount=p.amount,
                       made_on=p.made_on, contact=contacts.get(p.customer.id, ""), status=p.status,
                       resolved_on=p.resolved_on, note=p.note, recorded_by_id=p.customer.owner_id, created_at=p.at,
                       updated_at=max(p.at, self.at(p.resolved_on)) if p.resolved_on else p.at)

        def task(t: PlannedTask):
            return row(kind=t.kind, customer_id=t.customer.id, invoice_id=t.invoice.id if t.invoice else None,
                       instalment_id=None, promise_id=t.promise.id if t.promise else None, due_on=t.due_on,
                       amount=t.amount, status=t.status, done_at=t.done_at,
                       done_by_id=t.customer.owner_id if t.done_at else None, created_at=t.created_at)

        def attempt(a: PlannedAttempt):
            return row(customer_id=a.customer.id, invoice_id=a.invoice.id if a.invoice else None,
                       task_id=a.task.id if a.task else None, promise_id=a.promise.id if a.promise else None,
                       channel=a.channel, outcome=a.outcome,
                       note=self.rng.choice(vocab.ATTEMPT_NOTES[a.outcome]), by_id=a.customer.owner_id, at=a.at)

        _insert(ar.Promise, self.promises, promise)
        _insert(ar.CollectionTask, self.tasks, task)
        for start in range(0, len(self.attempts), INSERT_BATCH):
            insert_rows(ar.CollectionAttempt, [attempt(a) for a in self.attempts[start:start + INSERT_BATCH]])

    @staticmethod
    def _buyers(customer_ids: set[int]) -> dict[int, str]:
        """Who promised: the customer's buyer."""
        names, ids = {}, sorted(customer_ids)
        for start in range(0, len(ids), 500):
            names.update(KeyPerson.objects.filter(customer_id__in=ids[start:start + 500], is_current=True,
                                                  role=KeyPerson.Role.BUYER).values_list("customer_id", "name"))
        return names


def _insert(model, objs: list, build) -> None:
    """Insert the rows built from `objs` and give each obj the id of its row: nothing else
    writes meanwhile, so the new ids follow the order of insertion."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, len(objs), INSERT_BATCH):
        insert_rows(model, [build(obj) for obj in objs[start:start + INSERT_BATCH]])
    ids = list(model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True))
    assert len(ids) == len(objs), model
    for obj, pk in zip(objs, ids, strict=True):
        obj.id = pk
