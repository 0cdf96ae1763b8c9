"""Credit evaluation (CRD-1), limits and their approval chain (CRD-2), overrides (CRD-3)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kehu.core.models import SettingsRow, TimeStampedModel, VersionedModel, choice_set
from kehu.core.money import MONEY_FIELD as MONEY
from kehu.core.roles import Role
from kehu.customers.models import Grade


class Level(models.TextChoices):
    """The approval chain of CRD-2, in order."""

    DIRECTOR = "director", _("Office director")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    MARKETING_VP = "marketing_vp", _("Marketing VP")
    GENERAL_MANAGER = "general_manager", _("General manager")


CHAIN = [Level.DIRECTOR, Level.SALES_MANAGER, Level.MARKETING_VP, Level.GENERAL_MANAGER]
def level_label(level) -> str:
    """The name of an approval level ("director" → Office director)."""
    return str(dict(Level.choices).get(level, level or ""))


LEVEL_ROLE = {Level.DIRECTOR: Role.DIRECTOR, Level.SALES_MANAGER: Role.SALES_MANAGER,
              Level.MARKETING_VP: Role.MARKETING_VP, Level.GENERAL_MANAGER: Role.GENERAL_MANAGER}


class CreditPolicy(SettingsRow):
    """The company's credit settings (one row, edited in the admin)."""

    overdue_block_days = models.PositiveIntegerField(
        _("block new orders when a receivable is overdue more than (days)"), default=60)
    grade_a_limit = models.DecimalField(_("proposed limit for grade A"), **MONEY, default=Decimal("500000"))
    grade_b_limit = models.DecimalField(_("proposed limit for grade B"), **MONEY, default=Decimal("200000"))
    grade_c_limit = models.DecimalField(_("proposed limit for grade C"), **MONEY, default=Decimal("50000"))
    late_days_warning = models.PositiveIntegerField(_("average days late that no longer fits the grade"), default=30)
    broken_promises_warning = models.PositiveIntegerField(_("broken promises that no longer fit the grade"), default=2)

    class Meta:
        verbose_name = _("credit policy")
        verbose_name_plural = _("credit policy")

    def __str__(self) -> str:
        return str(_("Credit policy"))

    def limit_for_grade(self, grade: str) -> Decimal:
        return {Grade.A: self.grade_a_limit, Grade.B: self.grade_b_limit}.get(grade, self.grade_c_limit)


class ApprovalThreshold(models.Model):
    """CRD-2: a limit (or an override's resulting exposure) of at least `min_amount` needs
    the signature of `level`; every level up to the highest one named signs, in order."""

    level = models.CharField(_("level"), max_length=20, choices=Level.choices, unique=True)
    min_amount = models.DecimalField(_("from amount"), **MONEY)

    class Meta:
        verbose_name = _("approval threshold")
        verbose_name_plural = _("approval thresholds")
        ordering = ["min_amount"]
        constraints = [models.CheckConstraint(condition=Q(min_amount__gte=0), name="threshold_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ≥ {self.min_amount}"


class DiscountAllowance(models.Model):
    """ORD-1: how far below a product's list price (percent, after the line's discount) a person
    of `role` may confirm an order on their own authority. A role without a row is not limited.
    Beyond it, the order waits for a discount approval by a level above (CRD-2's chain)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    max_discount_pct = models.DecimalField(_("maximum discount %"), max_digits=5, decimal_places=2,
                                           validators=[MinValueValidator(Decimal("0")),
                                                       MaxValueValidator(Decimal("100"))])

    class Meta:
        verbose_name = _("maximum discount")
        verbose_name_plural = _("maximum discounts")
        ordering = ["max_discount_pct", "role"]
        constraints = [models.CheckConstraint(condition=Q(max_discount_pct__gte=0) & Q(max_discount_pct__lte=100),
                                              name="max_discount_0_100")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ≤ {self.max_discount_pct}%"


class FloorPrice(models.Model):
    """ORD-1: the lowest unit price (after the line's discount) at which a product is sold
    without a discount approval, whoever confirms."""

    product = models.OneToOneField("sales.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                   related_name="floor_price")
    min_price = models.DecimalField(_("floor price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("floor price")
        verbose_name_plural = _("floor prices")
        ordering = ["product__code"]
        constraints = [models.CheckConstraint(condition=Q(min_price__gte=0), name="floor_price_not_negative")]

    def __str__(self) -> str:
        return f"{self.product_id} ≥ {self.min_price}"


class CreditAccount(models.Model):
    """The customer's approved limit and grade: the row locked when an order is confirmed,
    so two confirmations cannot together pass the limit (CRD-3)."""

    lock_rank = 20  # core.locks: row locks are taken lowest rank first

    customer = models.OneToOneField("customers.Customer", on_delete=models.PROTECT, related_name="credit_account")
    limit = models.DecimalField(_("credit limit"), **MONEY, default=Decimal("0"))
    grade = models.CharField(_("credit grade"), max_length=1, choices=Grade.choices, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [models.CheckConstraint(condition=Q(limit__gte=0), name="credit_limit_not_negative")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.limit}"


class CreditRequest(TimeStampedModel):
    """A request for a limit (or a change of it), or for a one-off override of one order."""

    lock_rank = 25  # core.locks: row locks are taken lowest rank first

    class Kind(models.TextChoices):
        LIMIT = "limit", _("Credit limit")
        OVERRIDE = "override", _("One-off override")
        DISCOUNT = "discount", _("Discount approval")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("credit request", "Withdrawn")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="credit_requests")
    office = models.ForeignKey("accounts.Office", on_delete=models.PROTECT, related_name="+", null=True)
    amount = models.DecimalField(_("requested limit"), **MONEY)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    previous_limit = models.DecimalField(_("limit before"), **MONEY, default=Decimal("0"))
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="credit_overrides")
    reasons = models.TextField(_("reasons"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    levels = models.JSONField(_("levels that sign"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)  # overrides and discounts are used once
    # A discount approval: the deepest discount below list price of the order's lines beyond the
    # requester's allowance (ORD-1); the approval lets the order be confirmed once with no line deeper.
    discount_pct = models.DecimalField(_("discount below list price %"), max_digits=5, decimal_places=2, null=True,
                                       blank=True)
    # The level whose signature is awaited; empty once decided. Kept by the services so that
    # an approver's queue is one indexed query, not a look at every pending request.
    next_level = models.CharField(_("waiting for"), max_length=20, choices=Level.choices, null=True, blank=True)

    class Meta:
        verbose_name = _("credit request")
        verbose_name_plural = _("credit requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["customer", "-created_at"]),
                   models.Index(fields=["next_level", "created_at"], name="credit_request_queue")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="credit_request_amount_not_negative"),
            models.CheckConstraint(condition=Q(kind="limit") | Q(order__isnull=False), name="override_names_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer_id} {self.amount}"

    def awaited_level(self) -> str | None:
        """The first level of the chain that has not approved yet (from the signatures)."""
        signed = {s.level for s in self.steps.all() if s.decision == CreditApproval.Decision.APPROVED}
        return next((level for level in self.levels if level not in signed), None)


class CreditApproval(models.Model):
    """One signature of the chain: who, when, decision and comment (CRD-2)."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    request = models.ForeignKey(CreditRequest, on_delete=models.CASCADE, related_name="steps")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "level"], name="one_signature_per_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.get_decision_display()}"


Choice3 = choice_set("Choice3", ("good", _("good")), ("medium", _("medium")), ("poor", _("poor")))
Rating5 = choice_set("Rating5", ("very_good", _("very good")), ("good", _("good")), ("average", _("average")),
                     ("poor", _("poor")), ("very_poor", _("very poor")))


class CreditCard(VersionedModel):
    """CRD-1: the credit evaluation card, every item of paper form KH002 客户信用卡."""

    lock_rank = 22  # core.locks: row locks are taken lowest rank first

    # The form's scales, each as printed on the paper (the English label keeps the form's word).
    Location = choice_set("Location", ("market", _("market 市场")), ("residential", _("residential 住宅")),
                          ("suburb", _("suburb 郊外")), ("other", _("other 其他")))
    Character = choice_set("Character", ("gentle", _("gentle 温柔")), ("excitable", _("excitable 兴奋")),
                           ("cheerful", _("cheerful 爽朗")), ("odd", _("odd 古怪")), ("arrogant", _("arrogant 自大")))
    Temperament = choice_set("Temperament", ("steady", _("steady 稳重")), ("taciturn", _("taciturn 寡言")),
                             ("impatient", _("impatient 急躁")), ("talkative", _("talkative 饶舌")))
    Eloquence = choice_set("Eloquence", ("eloquent", _("eloquent 能讲")), ("average", _("average 一般")),
                           ("poor", _("inarticulate 口拙")))
    Mindset = choice_set("Mindset", ("prudent", _("prudent 稳健")), ("conservative", _("conservative 保守")),
                         ("reformist", _("reformist 改新")), ("radical", _("radical 激进")))
    Level3 = choice_set("Level3", ("high", _("high")), ("medium", _("medium")), ("low", _("low")))
    Drive = choice_set("Drive", ("active", _("active 积极")), ("average", _("average 一般")),
                       ("passive", _("passive 消极")))
    Strength = choice_set("Strength", ("strong", _("strong 强")), ("medium", _("medium 中")), ("weak", _("weak 弱")))
    Successor = choice_set("Successor", ("excellent", _("excellent 优秀")), ("average", _("average 一般")),
                           ("poor", _("poor 差")))
    StaffAttitude = choice_set("StaffAttitude", ("warm", _("warm 热情")), ("average", _("average 一般")),
                               ("dissatisfied", _("dissatisfied 不满")))
    Tenure = choice_set("Tenure", ("owned", _("owned 自有")), ("rented", _("rented 租用")))
    Site = choice_set("Site", ("near_road", _("near the road 离马路近")), ("not_far", _("not far 不远")),
                      ("remote", _("far, remote 远、偏僻")))
    Insurance = choice_set("Insurance", ("fire", _("fire 火险")), ("property", _("property 财险")),
                           ("other", _("other 其他")), ("none", _("none")))
    PaymentAttitude = choice_set("PaymentAttitude", ("prompt", _("prompt 爽快")), ("normal", _("normal 一般")),
                                 ("acceptable", _("acceptable 尚可")), ("delays", _("delays 拖延")),
                                 ("difficult", _("difficult 为难")))

    customer = models.OneToOneField("customers.Customer", on_delete=models.PROTECT, related_name="credit_card")
    # --- business 经营 ---
    started_trading_on = models.DateField(_("started trading with us on"), null=True, blank=True)
    location = models.CharField(_("business location 经营地点"), max_length=12, choices=Location.choices, blank=True)
    owner_home_phone = models.CharField(_("person in charge: home phone 住宅电话"), max_length=40, blank=True)
    # --- the person in charge 负责人 ---
    character = models.CharField(_("character 性格"), max_length=12, choices=Character.choices, blank=True)
    temperament = models.CharField(_("temperament 气质"), max_length=12, choices=Temperament.choices, blank=True)
    interests = models.CharField(_("interests 兴趣"), max_length=100, blank=True)
    reputation = models.CharField(_("standing 名誉"), max_length=100, blank=True)
    education = models.CharField(_("education 学历"), max_length=50, blank=True)
    background = models.CharField(_("background 出身"), max_length=100, blank=True)
    experience = models.CharField(_("experience 经历"), max_length=200, blank=True)
    eloquence = models.CharField(_("eloquence 口才"), max_length=12, choices=Eloquence.choices, blank=True)
    mindset = models.CharField(_("mindset 思想"), max_length=12, choices=Mindset.choices, blank=True)
    hobbies = models.CharField(_("hobbies 嗜好"), max_length=100, blank=True)
    strengths = models.CharField(_("strengths 长处"), max_length=200, blank=True)
    weaknesses = models.CharField(_("weaknesses 短处"), max_length=200, blank=True)
    technical_level = models.CharField(_("technical level 技术"), max_length=8, choices=Level3.choices, blank=True)
    drive = models.CharField(_("drive 事业心"), max_length=8, choices=Drive.choices, blank=True)
    focus = models.CharField(_("focus on the business 专职程度"), max_length=8, choices=Level3.choices, blank=True)
    planning = models.CharField(_("planning ability 策划能力"), max_length=8, choices=Strength.choices, blank=True)
    health = models.CharField(_("health 健康状况"), max_length=8, choices=Choice3.choices, blank=True)
    successor = models.CharField(_("successor 接班人"), max_length=10, choices=Successor.choices, blank=True)
    staff_attitude = models.CharField(_("staff attitude 从业人员"), max_length=12, choices=StaffAttitude.choices,
                                      blank=True)
    # --- shop and assets 使用店铺资产 ---
    vehicle_count = models.PositiveIntegerField(_("vehicles 汽车(辆)"), null=True, blank=True)
    property_tenure = models.CharField(_("premises 房产"), max_length=8, choices=Tenure.choices, blank=True)
    site = models.CharField(_("site 场所"), max_length=10, choices=Site.choices, blank=True)
    shop_area = models.DecimalField(_("area m² 面积"), max_digits=10, decimal_places=1, null=True, blank=True)
    decoration = models.CharField(_("shop fitting 店内装饰"), max_length=8, choices=Choice3.choices, blank=True)
    floors = models.PositiveIntegerField(_("floors 层数"), null=True, blank=True)
    insurance = models.CharField(_("insurance 保险"), max_length=10, choices=Insurance.choices, blank=True)
    market_value = models.DecimalField(_("market value 市价"), **MONEY, null=True, blank=True)
    monthly_rent = models.DecimalField(_("monthly rent 月租"), **MONEY, null=True, blank=True)
    # --- accounts 会计方面 ---
    bank_standing = models.CharField(_("bank standing 银行信用"), max_length=10, choices=Rating5.choices, blank=True)
    books_complete = models.BooleanField(_("books complete 帐簿完备"), null=True, blank=True)
    peer_evaluation = models.CharField(_("peer evaluation 同行评价"), max_length=10, choices=Rating5.choices,
                                       blank=True)
    management_evaluation = models.CharField(_("management evaluation 领导评价"), max_length=10,
                                             choices=Rating5.choices, blank=True)
    payment_attitude = models.CharField(_("payment attitude 付款态度"), max_length=10,
                                        choices=PaymentAttitude.choices, blank=True)
    remarks = models.TextField(_("remarks 备注"), blank=True)
    # Monthly sales per brand 经营品种: [{"brand", "company", "monthly_sales", "share"}]
    brand_sales = models.JSONField(_("monthly sales per brand"), default=list, blank=True)
    salesperson_assessment = models.TextField(_("salesperson's assessment and advice 销售人员对其评价及建议"),
                                              blank=True)
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filled in by 填表人"),
                                  on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("credit card")
        verbose_name_plural = _("credit cards")

    def __str__(self) -> str:
        return f"KH002 {self.customer_id}"
