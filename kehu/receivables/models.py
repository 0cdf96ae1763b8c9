"""Receivables and collection (AR-1 … AR-5): invoices, receipts and how they settle each
other, promises to pay, collection work and instalment plans.

The ledger never loses money: an invoice's open amount is its amount less the allocations
that stand; a receipt's unallocated amount is its amount less its own allocations; nothing is
deleted — a reversed receipt or a withdrawn allocation keeps its row with the date it stopped
counting, so the ledger can be read as of any day (AR-3)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import SettingsRow, TimeStampedModel
from kehu.core.money import MONEY_FIELD as MONEY
from kehu.customers.models import PaymentMethod


class ReceiptMethod(models.TextChoices):
    """How money was received (AR-1): the customer's payment methods less "on credit (monthly
    statement)", which is a way of selling, not of paying. Payments recorded that way before are
    kept as "other" with a note (migration 0004)."""

    CASH = PaymentMethod.CASH.value, PaymentMethod.CASH.label
    TRANSFER = PaymentMethod.TRANSFER.value, PaymentMethod.TRANSFER.label
    ACCEPTANCE = PaymentMethod.ACCEPTANCE.value, PaymentMethod.ACCEPTANCE.label
    CHEQUE = PaymentMethod.CHEQUE.value, PaymentMethod.CHEQUE.label
    OTHER = PaymentMethod.OTHER.value, PaymentMethod.OTHER.label


class CollectionPolicy(SettingsRow):
    """The company's collection settings (one row, edited in the admin)."""

    payment_days = models.PositiveSmallIntegerField(
        _("invoices fall due after (days), unless the customer's terms say otherwise"), default=30,
        validators=[MaxValueValidator(365)])
    reminder_days = models.PositiveSmallIntegerField(
        _("remind the salesperson this many days before an invoice falls due"), default=3,
        validators=[MaxValueValidator(60)])

    class Meta:
        verbose_name = _("collection policy")
        verbose_name_plural = _("collection policy")

    def __str__(self) -> str:
        return str(_("Collection policy"))


class Invoice(TimeStampedModel):
    """AR-1: what a customer owes for a delivered order (or an imported opening balance)."""

    lock_rank = 40  # core.locks: row locks are taken lowest rank first

    class Source(models.TextChoices):
        ORDER = "order", _("Order")
        IMPORT = "import", _("Import")

    number = models.CharField(_("invoice number"), max_length=30, unique=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="invoices")
    order = models.OneToOneField("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="invoice")
    issued_on = models.DateField(_("invoice date"))
    due_on = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    # amount less the payments and credit notes allocated to it: kept by the services.
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    # The part of amount − open_amount settled by credit notes (not collected: AR-4).
    credited = models.DecimalField(_("credited"), **MONEY, default=Decimal("0"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ORDER)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["customer", "due_on"]),
            models.Index(fields=["due_on", "id"], name="invoice_open_due", condition=Q(open_amount__gt=0)),
            models.Index(fields=["-issued_on", "-id"], name="invoice_recent"),
            models.Index(fields=["due_on"], name="invoice_due"),  # collection rate: what fell due in a period
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(condition=Q(open_amount__gte=0) & Q(open_amount__lte=F("amount")),
                                   name="invoice_open_within_amount"),
            models.CheckConstraint(condition=Q(credited__gte=0), name="invoice_credited_not_negative"),
            models.CheckConstraint(condition=Q(due_on__gte=F("issued_on")), name="invoice_due_after_issue"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def settled(self) -> Decimal:
        return self.amount - self.open_amount

    def days_overdue(self, on, *, open_amount: Decimal | None = None) -> int:
        """Days past the due date on `on` while something is open (`open_amount`, when the
        caller read it as of an earlier day; else the stored one); 0 once paid."""
        open_amount = self.open_amount if open_amount is None else open_amount
        return max((on - self.due_on).days, 0) if open_amount > 0 else 0


class Payment(TimeStampedModel):
    """AR-1: money received, written on a receipt 收据 numbered without gaps in its office's
    book. A reversal keeps the receipt and adds the reversing entry (reversed_on)."""

    lock_rank = 50  # core.locks: row locks are taken lowest rank first

    number = models.CharField(_("receipt number"), max_length=40, unique=True)
    office = models.ForeignKey("accounts.Office", verbose_name=_("office"), on_delete=models.PROTECT,
                               related_name="payments")
    serial = models.PositiveIntegerField(_("serial in the office's receipt book"))
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="payments")
    received_on = models.DateField(_("date received"))
    method = models.CharField(_("payment method"), max_length=20, choices=ReceiptMethod.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    # amount less the allocations that stand: credit kept on the customer's account.
    unallocated = models.DecimalField(pgettext_lazy("part of a receipt", "on account"), **MONEY)
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("collected by"), on_delete=models.PROTECT,
                                  related_name="collections")
    reference = models.CharField(_("reference (bank, cheque or bill number)"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reversed_on = models.DateField(_("reversed on"), null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    reversal_reason = models.CharField(_("reason for the reversal"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "received_on"]),
            models.Index(fields=["-received_on", "-id"], name="payment_recent"),
            # Credit on account (ageing, exposure): the few receipts not fully allocated.
            models.Index(fields=["customer"], name="payment_on_account", condition=Q(unallocated__gt=0)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(unallocated__gte=0) & Q(unallocated__lte=F("amount")),
                                   name="payment_unallocated_within_amount"),
            models.UniqueConstraint(fields=["office", "serial"], name="payment_receipt_serial_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("receivables:payment_detail", args=[self.pk])

    @property
    def is_reversed(self) -> bool:
        return self.reversed_on is not None


class Allocation(models.Model):
    """AR-1: part of a payment or a credit note settling an invoice. Withdrawn (the payment
    reversed, or re-allocated) it keeps its row and stops counting from withdrawn_on."""

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT,
                                related_name="allocations")
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, null=True, blank=True,
                                related_name="allocations")
    credit_note = models.ForeignKey("sales.CreditNote", verbose_name=_("credit note"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)
    # Counts from this day (never before the invoice or the payment) …
    on = models.DateField(_("allocated on"))
    # … until this day (the allocation was withdrawn), if ever.
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_note__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_note__isnull=False)),
                name="allocation_one_source"),
            models.CheckConstraint(condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("on")),
                                   name="allocation_withdrawn_after_made"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} ← {self.amount}"

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_on is None


class Promise(TimeStampedModel):
    """AR-2: a firm promise to pay 付款承诺, followed up on its date. Kept when the customer's
    payments since it was made reach its amount by that date; broken otherwise."""

    lock_rank = 60  # core.locks: row locks are taken lowest rank first

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="promises")
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, null=True, blank=True,
                                related_name="promises")
    promised_on = models.DateField(_("promised payment date"))
    amount = models.DecimalField(_("amount promised"), **MONEY)
    made_on = models.DateField(_("promise made on"))
    contact = models.CharField(_("promised by (customer's contact)"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        ordering = ["promised_on", "id"]
        indexes = [models.Index(fields=["customer", "status"]), models.Index(fields=["status", "promised_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive"),
            models.CheckConstraint(condition=Q(promised_on__gte=F("made_on")), name="promise_after_made"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.promised_on} {self.amount}"


class CollectionPlan(TimeStampedModel):
    """AR-5: an order paid in instalments 回款计划."""

    lock_rank = 60  # core.locks: row locks are taken lowest rank first

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        VOID = "void", _("Void")

    order = models.ForeignKey("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="collection_plans")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="collection_plans")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  null=True, blank=True)
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("collection plan")
        verbose_name_plural = _("collection plans")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["order"], condition=Q(status="active"),
                                               name="collection_plan_one_active_per_order")]

    def __str__(self) -> str:
        return f"{self.order_id} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("receivables:plan_detail", args=[self.pk])


class Instalment(models.Model):
    """AR-5: one due date of a plan. `paid` and `status` follow the order's invoice: what it
    has settled covers the instalments in date order."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PARTLY_PAID = "partly_paid", _("Partly paid")
        PAID = "paid", _("Paid")
        OVERDUE = "overdue", _("Overdue")
        VOID = "void", _("Void")

    plan = models.ForeignKey(CollectionPlan, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reminder_days = models.PositiveSmallIntegerField(_("remind days before"), default=3,
                                                     validators=[MaxValueValidator(60)])
    paid = models.DecimalField(_("paid"), **MONEY, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(paid__lte=F("amount")),
                                   name="instalment_paid_within_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"


class CollectionTask(models.Model):
    """AR-2: a call before an invoice (or instalment) falls due, a collection visit on the due
    date, a follow-up on a promise's date. Made each morning by the worker, done by logging
    an attempt."""

    lock_rank = 60  # core.locks: row locks are taken lowest rank first

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Call before the due date")
        VISIT = "visit", _("Collection visit on the due date")
        PROMISE = "promise", _("Follow up a promise to pay")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("No longer needed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="collection_tasks")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    promise = models.ForeignKey(Promise, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    due_on = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount to collect"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("collection task")
        verbose_name_plural = _("collection tasks")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["customer", "status"])]
        constraints = [
            # One task of a kind per invoice, instalment or promise: the morning run may repeat.
            models.UniqueConstraint(fields=["invoice", "kind"], condition=Q(instalment__isnull=True),
                                    name="collection_task_once_per_invoice"),
            models.UniqueConstraint(fields=["instalment", "kind"], name="collection_task_once_per_instalment"),
            models.UniqueConstraint(fields=["promise", "kind"], name="collection_task_once_per_promise"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class CollectionAttempt(models.Model):
    """AR-2: every attempt to collect, with its outcome (000 tips 1–13)."""

    class Channel(models.TextChoices):
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Visit")
        MESSAGE = "message", _("Message")
        LETTER = "letter", _("Letter")

    class Outcome(models.TextChoices):
        PAID = "paid", _("Paid")
        PROMISED = "promised", _("Promised to pay")
        REFUSED = "refused", _("Refused")
        UNREACHABLE = "unreachable", _("Could not reach")
        DISPUTED = "disputed", _("Disputes the amount")
        REMINDED = "reminded", _("Reminded")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="collection_attempts")
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, null=True, blank=True,
                                related_name="attempts")
    task = models.ForeignKey(CollectionTask, on_delete=models.PROTECT, null=True, blank=True, related_name="attempts")
    promise = models.OneToOneField(Promise, on_delete=models.PROTECT, null=True, blank=True, related_name="attempt")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("person who did it", "by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("collection attempt")
        verbose_name_plural = _("collection attempts")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_outcome_display()}"
