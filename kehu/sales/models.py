"""Products, orders and returns (ORD-1, ORD-2)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kehu.core.models import TimeStampedModel, VersionedModel
from kehu.core.money import CENT
from kehu.core.money import MONEY_FIELD as MONEY


class Product(VersionedModel):
    """ORD-1: what the company sells."""

    lock_rank = 5  # core.locks: row locks are taken lowest rank first

    code = models.CharField(_("product code"), max_length=30, unique=True)
    name = models.CharField(_("product name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="件")
    list_price = models.DecimalField(_("list price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    line = models.CharField(_("product line"), max_length=50, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(list_price__gte=0), name="product_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Order(VersionedModel):
    """ORD-1: an order with lines; its total is the sum of the lines, kept by the services."""

    lock_rank = 30  # core.locks: row locks are taken lowest rank first

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        DELIVERED = "delivered", _("Delivered")
        INVOICED = "invoiced", _("Invoiced")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("order number"), max_length=20, unique=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="orders")
    # The customer's owner and office when the order was taken: scopes and sales figures.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT,
                              related_name="orders")
    office = models.ForeignKey("accounts.Office", verbose_name=_("office"), on_delete=models.PROTECT,
                               related_name="orders", null=True)
    ordered_on = models.DateField(_("order date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("total"), **MONEY, default=Decimal("0"))
    returned = models.DecimalField(_("returned"), **MONEY, default=Decimal("0"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    invoiced_on = models.DateField(_("invoiced on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["owner", "-ordered_on"]),
            models.Index(fields=["office", "-ordered_on"]),
            models.Index(fields=["status", "-ordered_on"]),
            models.Index(fields=["-ordered_on", "-id"], name="order_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(returned__gte=0) & Q(returned__lte=models.F("total")),
                                   name="order_returned_within_total"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("sales:order_detail", args=[self.pk])

    def __str__(self) -> str:
        return self.number

    @property
    def net(self) -> Decimal:
        """What the customer owes for the order after returns."""
        return self.total - self.returned


class OrderLine(models.Model):
    lock_rank = 31  # core.locks: row locks are taken lowest rank first

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0.01"))])
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    discount_pct = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                       validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    amount = models.DecimalField(_("amount"), **MONEY)
    returned_quantity = models.DecimalField(_("returned quantity"), max_digits=12, decimal_places=2,
                                            default=Decimal("0"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(discount_pct__gte=0) & Q(discount_pct__lte=100),
                                   name="order_line_discount_0_100"),
            models.CheckConstraint(condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=models.F("quantity")),
                                   name="order_line_returned_within_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @staticmethod
    def amount_of(quantity: Decimal, unit_price: Decimal, discount_pct: Decimal) -> Decimal:
        return (quantity * unit_price * (Decimal("100") - discount_pct) / Decimal("100")).quantize(CENT)


class Return(TimeStampedModel):
    """ORD-2: goods refused before delivery or returned after delivery (and payment)."""

    lock_rank = 35  # core.locks: row locks are taken lowest rank first

    class Kind(models.TextChoices):
        REFUSED = "refused", _("Refused before delivery")
        RETURNED = "returned", _("Returned after delivery")

    class Reason(models.TextChoices):
        SALESPERSON = "salesperson", _("Salesperson error")
        CUSTOMER = "customer", _("Customer side")
        DELIVERY = "delivery", _("Delivery staff")
        POLICY = "policy", _("Company pricing or policy")
        DEFECT = "defect", _("Product defect")

    number = models.CharField(_("return number"), max_length=20, unique=True)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="returns")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="returns")
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="returns", null=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    responsible = models.CharField(_("responsible party"), max_length=100)
    returned_on = models.DateField(_("return date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    follow_up = models.TextField(_("follow-up"), blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-returned_on", "-id"]
        indexes = [models.Index(fields=["customer", "-returned_on"]), models.Index(fields=["-returned_on", "reason"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="return_amount_positive")]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"


class CreditNote(TimeStampedModel):
    """ORD-2: what a return after invoicing owes the customer; the receivables app settles
    it against invoices (AR-1)."""

    number = models.CharField(_("credit note number"), max_length=20, unique=True)
    ret = models.OneToOneField(Return, verbose_name=_("return"), on_delete=models.PROTECT, related_name="credit_note")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="credit_notes")
    amount = models.DecimalField(_("amount"), **MONEY)
    issued_on = models.DateField(_("issued on"))

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issued_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive")]

    def __str__(self) -> str:
        return self.number


class OrderEvent(models.Model):
    """ORD-1: a step of an order's status — created as a draft, confirmed, delivered, invoiced,
    closed or cancelled — who took it and when: the order's timeline. Written by the services
    (sales.events) in the step's transaction; orders from before it were filled in from their
    change history (migration 0002)."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=10, choices=Order.Status.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("person who did it", "by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status} {self.at:%Y-%m-%d %H:%M}"
