"""The customer profile card 客户资料卡 (CUS-1 … CUS-8, form KH001 of seed 002)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kehu.core.models import HalfWidthFieldsMixin, SettingsRow, VersionedModel
from kehu.core.money import COMPANY_FIGURE_FIELD


class Nature(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual business 个体")
    COLLECTIVE = "collective", _("Collective 集体")
    PARTNERSHIP = "partnership", _("Partnership 合伙")
    STATE_OWNED = "state_owned", _("State-owned 国营")
    JOINT_STOCK = "joint_stock", _("Joint-stock company 股份公司")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    AGENT = "agent", _("Agent 代理商")
    WHOLESALER_1 = "wholesaler_1", _("1st-tier wholesaler 一级批发商")
    WHOLESALER_2 = "wholesaler_2", _("2nd-tier wholesaler 二级批发商")
    KEY_RETAILER = "key_retailer", _("Key retailer 重要零售商")
    END_CUSTOMER = "end_customer", _("End customer 终端客户")
    OTHER = "other", _("Other")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Status(models.TextChoices):
    PROSPECT = "prospect", _("Prospect 潜在")
    ACTIVE = "active", _("Active 现有")
    DORMANT = "dormant", _("Dormant 休眠")
    LOST = "lost", _("Lost 流失")


class KeyAccount(models.TextChoices):
    """KA-2 tiers: a key account never drops into the pool (CUS-7)."""

    IKA = "IKA", _("International key account IKA")
    NKA = "NKA", _("National key account NKA")
    CKA = "CKA", _("City key account CKA")


class Premises(models.TextChoices):
    OWNED = "owned", _("Owned")
    RENTED = "rented", _("Rented")


class Transport(models.TextChoices):
    RAIL = "rail", _("Rail")
    WATER = "water", _("Water")
    ROAD = "road", _("Road")
    SELF_PICKUP = "self_pickup", _("Self-pickup")
    OTHER = "other", _("Other")


TRANSPORT_VALUES = frozenset(Transport.values)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    ACCEPTANCE = "acceptance", _("Bank acceptance bill")
    CHEQUE = "cheque", _("Cheque")
    CREDIT = "credit", _("On credit (monthly statement)")
    OTHER = "other", _("Other")


phone_validator = RegexValidator(
    r"^[0-9+()\-\s转#]{5,30}$", _("Enter a phone number: digits, spaces, + ( ) - or 转 for an extension.")
)
postcode_validator = RegexValidator(r"^\d{6}$", _("A postcode has six digits."))


class Customer(HalfWidthFieldsMixin, VersionedModel):
    lock_rank = 10  # core.locks: row locks are taken lowest rank first

    HALF_WIDTH_FIELDS = ("phone", "fax", "postcode", "registration_no", "tax_no", "bank_account")
    # Used only with the office given (a director's list, a count): see refresh_planner_statistics.
    NO_SKIP_SCAN = ("customer_filters",)

    # --- basic data 基础资料 (CUS-1) ---
    code = models.CharField(_("customer code"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("customer name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    postcode = models.CharField(_("postcode"), max_length=6, blank=True, validators=[postcode_validator])
    fax = models.CharField(_("fax"), max_length=30, blank=True, validators=[phone_validator])
    nature = models.CharField(_("nature 性质"), max_length=20, choices=Nature.choices, blank=True)
    category = models.CharField(_("category 类别"), max_length=20, choices=Category.choices, db_index=True)
    grade = models.CharField(_("grade 等级"), max_length=1, choices=Grade.choices, default=Grade.C, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROSPECT, db_index=True)
    registration_no = models.CharField(_("business registration no. 工商登记号"), max_length=40, blank=True)
    tax_no = models.CharField(_("tax no. 税号"), max_length=40, blank=True)
    bank = models.CharField(_("bank 往来银行"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account 账号"), max_length=40, blank=True)
    registered_capital = models.DecimalField(_("registered capital 资本额"), null=True, blank=True,
                                             validators=[MinValueValidator(0)], **COMPANY_FIGURE_FIELD)
    working_capital = models.DecimalField(_("working capital 流动资金"), null=True, blank=True,
                                          validators=[MinValueValidator(0)], **COMPANY_FIGURE_FIELD)
    founded_on = models.DateField(_("founding date 开业日期"), null=True, blank=True)
    shop_area = models.DecimalField(_("shop area (m²)"), max_digits=10, decimal_places=1, null=True, blank=True,
                                    validators=[MinValueValidator(0)])
    warehouse_area = models.DecimalField(_("warehouse area (m²)"), max_digits=10, decimal_places=1, null=True,
                                         blank=True, validators=[MinValueValidator(0)])
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    premises = models.CharField(_("premises"), max_length=10, choices=Premises.choices, blank=True)
    vehicles = models.PositiveIntegerField(_("vehicles"), null=True, blank=True)
    transport_modes = models.JSONField(_("transport modes"), default=list, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True)
    annual_turnover = models.DecimalField(_("annual turnover 经营额"), null=True, blank=True,
                                          validators=[MinValueValidator(0)], **COMPANY_FIGURE_FIELD)
    product_lines = models.TextField(
        _("product lines and share 经营品种及比重"), blank=True,
        help_text=_("One per line or separated by ;, e.g. “饮料 60%; 零食 40%”. Shares add up to at most 100%."),
    )
    coverage_area = models.CharField(_("coverage area 辐射范围"), max_length=200, blank=True)
    developed_on = models.DateField(_("developed on 开发日期"), null=True, blank=True)
    developed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("developed by 开发人"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filled in by 填表人"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    filled_at = models.DateTimeField(_("filled in at 填表时间"), null=True, blank=True, editable=False)

    # --- characteristics 客户特征 (CUS-3) ---
    service_area = models.TextField(_("service area"), blank=True)
    sales_capability = models.TextField(_("sales capability"), blank=True)
    growth_potential = models.TextField(_("growth potential"), blank=True)
    business_philosophy = models.TextField(_("business philosophy, direction and policy"), blank=True)
    size_description = models.TextField(_("size"), blank=True)
    # --- business status 业务状况 ---
    sales_results = models.TextField(_("sales results"), blank=True)
    management_quality = models.TextField(_("quality of management and sales staff"), blank=True)
    competitor_relations = models.TextField(_("relations with competitors"), blank=True)
    cooperation_attitude = models.TextField(_("attitude to cooperation"), blank=True)
    # --- trading status 交易状况 ---
    current_activity = models.TextField(_("current activity"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    future_measures = models.TextField(_("future measures"), blank=True)
    image = models.TextField(_("image"), blank=True)
    reputation = models.TextField(_("reputation"), blank=True)
    credit_status = models.TextField(_("credit status"), blank=True)
    trade_terms = models.TextField(_("trade terms"), blank=True)
    # AR-1: an invoice falls due this many days after it is issued; empty = the company's default.
    payment_days = models.PositiveSmallIntegerField(_("payment terms (days) 账期"), null=True, blank=True,
                                                    validators=[MaxValueValidator(365)])
    credit_problems = models.TextField(_("credit problems"), blank=True)

    # --- ownership (CUS-5) and scope ---
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="customers")
    # The owner's office at assignment time: scopes filter on it without a join.
    office = models.ForeignKey("accounts.Office", verbose_name=_("office"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="customers")
    # --- the pool 公海 (CUS-7), kept by the pool services ---
    key_account = models.CharField(_("key account 大客户"), max_length=3, choices=KeyAccount.choices, blank=True,
                                   editable=False)
    in_pool = models.BooleanField(_("in the pool 公海"), default=False, editable=False)
    pooled_at = models.DateTimeField(_("in the pool since"), null=True, blank=True, editable=False)
    # When the current owner got the customer (created, claimed, assigned): its days without a
    # touch or a sale count from here at the earliest.
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True, editable=False)

    # --- derived, kept by services ---
    completeness = models.PositiveSmallIntegerField(_("completeness %"), default=0, editable=False,
                                                    validators=[MaxValueValidator(100)])
    name_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    phone_key = models.CharField(max_length=30, editable=False, db_index=True, default="")
    tax_key = models.CharField(max_length=40, editable=False, db_index=True, default="")
    # Name, code, phones and key people's names in one column: one LIKE scan serves search.
    search_text = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_text", "name_key", "phone_key", "tax_key", "updated_at"])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["owner", "-updated_at"]),
            models.Index(fields=["office", "-updated_at"]),
            models.Index(fields=["-updated_at", "-id"], name="customer_recent"),
            models.Index(fields=["completeness"]),
            models.Index(fields=["developed_on"]),
            # Counting a filtered list reads only this index, whatever filters are combined:
            # office first, so a director's count is a range of it (SQLite skip-scans the rest).
            models.Index(fields=["office", "grade", "status", "category", "nature", "completeness"],
                         name="customer_filters"),  # see NO_SKIP_SCAN
            # Search scans this narrow index instead of the wide rows (CustomerFilter.q).
            models.Index(fields=["search_text"], name="customer_search"),
            models.Index(fields=["-pooled_at", "-id"], name="customer_pool", condition=models.Q(in_pool=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(completeness__lte=100), name="customer_completeness_lte_100"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    def get_transport_modes_display(self) -> str:
        labels = dict(Transport.choices)
        return "、".join(str(labels.get(v, v)) for v in self.transport_modes or [])

    def clean(self):
        from kehu.customers.rules import card_errors

        if errors := card_errors(self, transport_choices=TRANSPORT_VALUES):
            raise ValidationError(errors)


class KeyPerson(HalfWidthFieldsMixin, VersionedModel):
    """Key people of a customer (CUS-2): people change jobs, so records are ended, not deleted."""

    HALF_WIDTH_FIELDS = ("phone",)

    class Role(models.TextChoices):
        PERSON_IN_CHARGE = "in_charge", _("Person in charge 负责人")
        INFLUENCER = "influencer", _("Influencer 影响人")
        BUYER = "buyer", _("Buyer 采购人")
        SELLER = "seller", _("Seller 售货人")

    class Gender(models.TextChoices):
        MALE = "m", _("Male")
        FEMALE = "f", _("Female")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="key_people")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity 民族"), max_length=20, blank=True)
    title = models.CharField(_("title 职务"), max_length=50, blank=True)
    married = models.BooleanField(_("married"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    home_address = models.CharField(_("home address"), max_length=300, blank=True)
    character_notes = models.TextField(_("character 素养"), blank=True)
    is_current = models.BooleanField(_("current"), default=True, db_index=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key people")
        ordering = ["-is_current", "role", "id"]
        indexes = [models.Index(fields=["customer", "is_current"])]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_role_display()}"


class CustomerNote(models.Model):
    """A note on a customer. Private notes hold what the customer told in confidence and are
    shown only up the owner's chain of command (CUS-6)."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(_("note"))
    is_private = models.BooleanField(_("private (told in confidence)"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:40]


class Reassignment(models.Model):
    """Log of owner changes (CUS-5). One bulk action shares a batch id."""

    batch = models.UUIDField(_("batch"), db_index=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="reassignments")
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("reassignment", "from"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("reassignment", "to"), on_delete=models.PROTECT,
                                 related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("person who did it", "by"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_owner_id} → {self.to_owner_id}"


class CustomerEvent(models.Model):
    """Events worth a reminder on the card and the home page, e.g. the buyer or the person
    in charge changed (CUS-2: watch personnel changes)."""

    class Kind(models.TextChoices):
        KEY_PERSON_CHANGED = "key_person_changed", _("Key person changed")
        DUPLICATE_KEPT = "duplicate_kept", _("Kept although similar to another customer")
        MERGED = "merged", _("Duplicate merged into this card")
        POOL_NOTICE = "pool_notice", _("Owner told the customer drops into the pool soon")
        POOL_DROPPED = "pool_dropped", _("Dropped into the pool")
        POOL_CLAIMED = "pool_claimed", _("Claimed from the pool")
        POOL_ASSIGNED = "pool_assigned", _("Assigned from the pool")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("person who did it", "by"), null=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.message



class PoolPolicy(SettingsRow):
    """CUS-7: after how many days without a touch or a sale a customer of each grade returns to
    the pool, how many days before that its owner is told, and how many customers one
    salesperson may own (one row, edited in the admin). The days of each grade exceed its contact
    cadence (REL-1: A weekly, B monthly, C half-yearly), so that only a customer its salesperson
    neglected drops; C's half-year plus two months' grace is 240 days."""

    days_a = models.PositiveIntegerField(_("days without touch or sale, grade A"), default=90,
                                         validators=[MinValueValidator(1)])
    days_b = models.PositiveIntegerField(_("days without touch or sale, grade B"), default=60,
                                         validators=[MinValueValidator(1)])
    days_c = models.PositiveIntegerField(_("days without touch or sale, grade C"), default=240,
                                         validators=[MinValueValidator(1)])
    notice_days = models.PositiveIntegerField(_("tell the owner this many days before"), default=7)
    owner_limit = models.PositiveIntegerField(_("customers one salesperson may own"), default=200,
                                              validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("customer pool rules")
        verbose_name_plural = _("customer pool rules")

    def __str__(self) -> str:
        return str(_("Customer pool rules"))

    def days(self, grade: str) -> int:
        return getattr(self, f"days_{grade.lower()}", self.days_c)
