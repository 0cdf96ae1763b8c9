"""Complaints 顾客投诉 (CMP-1) and the guided handling process (CMP-2): each complaint walks the
seeds' steps in order, each step recorded with who and when; deadlines by severity (CMP-4)."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kehu.core.models import SettingsRow, TimeStampedModel
from kehu.core.money import MONEY_FIELD as MONEY
from kehu.core.roles import Role


class Step(models.TextChoices):
    """CMP-2: the handling process of the seeds (002: the six stages of handling a complaint),
    in order. A step is recorded only after every step before it."""

    LISTEN = "listen", _("Listen and record 倾听记录")
    APOLOGISE = "apologise", _("Apologise 致歉")
    INVESTIGATE = "investigate", _("Investigate the cause 调查原因")
    DECIDE = "decide", _("Decide responsibility 判定责任")
    PROPOSE = "propose", _("Propose a solution 提出方案")
    AGREE = "agree", _("The customer agrees 客户同意")
    EXECUTE = "execute", _("Carry it out 执行方案")
    INFORM = "inform", _("Tell the customer 告知客户")
    REVIEW = "review", _("Review 回顾总结")


STEPS = list(Step)


class Complaint(TimeStampedModel):
    """CMP-1: one complaint of a customer, as it was received, and where its handling stands."""

    lock_rank = 70  # core.locks: row locks are taken lowest rank first

    class Kind(models.TextChoices):
        QUALITY = "quality", _("Product quality")
        DELIVERY = "delivery", _("Transport and delivery")
        SERVICE = "service", pgettext_lazy("complaint type", "Service")
        ATTITUDE = "attitude", _("Attitude")
        PRICE = "price", pgettext_lazy("complaint type", "Price")
        BILLING = "billing", _("Billing and contract")

    class Nature(models.TextChoices):
        GOOD_FAITH = "good_faith", _("Good faith")
        MALICIOUS = "malicious", _("Malicious")
        UNCLEAR = "unclear", _("Not yet known")

    class Severity(models.TextChoices):
        LOW = "low", pgettext_lazy("severity", "Low")
        MEDIUM = "medium", pgettext_lazy("severity", "Medium")
        HIGH = "high", pgettext_lazy("severity", "High")
        CRITICAL = "critical", pgettext_lazy("severity", "Critical")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", pgettext_lazy("complaint channel", "In person")
        LETTER = "letter", _("Letter or e-mail")
        ONLINE = "online", _("WeChat or online")
        SALESPERSON = "salesperson", _("Through the salesperson")

    class Cause(models.TextChoices):
        """CMP-2 (002, step two): what the investigation found."""

        EXPLANATION = "explanation", _("The salesperson's explanation was insufficient")
        PROMISE = "promise", _("A promise was not kept")
        ATTITUDE = "attitude", _("The salesperson's attitude")
        CUSTOMER = "customer", _("The customer's own mistake or misunderstanding")
        PRODUCT = "product", _("A defect of the product")
        OTHER = "other", _("Another cause")

    class Responsibility(models.TextChoices):
        """CMP-2: who is responsible, as decided."""

        SALESPERSON = "salesperson", _("The salesperson")
        COMPANY = "company", _("The company (delivery, service, billing)")
        PRODUCT = "product", _("The product or its maker")
        CUSTOMER = "customer", pgettext_lazy("responsibility", "The customer")
        SHARED = "shared", _("Shared")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("complaint", "Received")
        HANDLING = "handling", pgettext_lazy("complaint", "Being handled")
        CLOSED = "closed", pgettext_lazy("complaint", "Closed")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="complaints")
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="complaints")
    product = models.ForeignKey("sales.Product", verbose_name=_("product"), on_delete=models.PROTECT, null=True,
                                blank=True, related_name="complaints")
    kind = models.CharField(_("complaint type"), max_length=12, choices=Kind.choices)
    nature = models.CharField(_("nature"), max_length=12, choices=Nature.choices, default=Nature.UNCLEAR)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    channel = models.CharField(pgettext_lazy("complaint", "channel"), max_length=12, choices=Channel.choices)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"),
                                    on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), on_delete=models.PROTECT,
                                related_name="complaints_handled")
    words = models.TextField(_("the customer's own words"))
    amount_claimed = models.DecimalField(_("amount claimed"), **MONEY, default=0)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # CMP-4: the deadlines, fixed at intake from the severity (ComplaintPolicy).
    respond_by = models.DateTimeField(_("first response due"))
    resolve_by = models.DateTimeField(_("resolution due"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The step reached: the last step recorded (empty before the first), kept by the services so
    # the list shows and filters it without reading the steps.
    step = models.CharField(_("step reached"), max_length=12, choices=Step.choices, blank=True)
    # CMP-2: the solution agreed (its cost to the company), once proposed within authority.
    solution_amount = models.DecimalField(_("solution amount"), **MONEY, null=True, blank=True)
    # CMP-6 analysis: the cause found by the investigation and the responsibility decided (optional
    # when the steps are recorded; blank: not said).
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices, blank=True)
    responsibility = models.CharField(_("responsibility"), max_length=12, choices=Responsibility.choices, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["customer", "-received_at"]), models.Index(fields=["status", "resolve_by"]),
                   models.Index(fields=["handler", "status"])]
        constraints = [models.CheckConstraint(condition=Q(amount_claimed__gte=0),
                                              name="complaint_amount_not_negative")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("service:complaint_detail", args=[self.pk])

    def overdue(self, now) -> bool:
        """CMP-4: still open after its resolution deadline."""
        return self.status != self.Status.CLOSED and self.resolve_by < now


class AuthorityLimit(models.Model):
    """CMP-2: the largest solution (its cost: refund, replacement, compensation) a person of `role`
    may propose to a complainant on their own authority. A role without a row is not limited.
    Beyond it, the solution is escalated to the next level of CRD-2's chain that may give it."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    max_amount = models.DecimalField(_("largest solution"), **MONEY, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("complaint authority")
        verbose_name_plural = _("complaint authorities")
        ordering = ["max_amount", "role"]
        constraints = [models.CheckConstraint(condition=Q(max_amount__gte=0), name="authority_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ≤ {self.max_amount}"


class Escalation(TimeStampedModel):
    """CMP-2, CMP-3: a solution beyond the handler's authority sent up to the next level. Until a
    person of that level accepts — and so takes the complaint over — the handler stays responsible."""

    lock_rank = 72  # core.locks: after its complaint (70)

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for acceptance")
        ACCEPTED = "accepted", pgettext_lazy("escalation", "Accepted")
        DECLINED = "declined", pgettext_lazy("escalation", "Declined")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="escalations")
    amount = models.DecimalField(_("solution amount"), **MONEY)
    solution = models.TextField(_("solution proposed"))
    level = models.CharField(_("escalated to"), max_length=20, choices=Role.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("escalated by"),
                                     on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "level"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="escalation_amount_not_negative"),
            models.UniqueConstraint(fields=["complaint"], condition=Q(status="pending"),
                                    name="one_pending_escalation"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.get_level_display()}"


class Change(models.Model):
    """CMP-3: one of the 三变法 for a heated case — change the person (a superior meets the
    customer), the place, or the time (promise an answer by a date) — with the time it is due
    and when it was kept."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Change the person 变人")
        PLACE = "place", _("Change the place 变地")
        TIME = "time", _("Change the time 变时")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(pgettext_lazy("three changes", "change"), max_length=10, choices=Kind.choices)
    note = models.TextField(_("what is arranged"))
    who = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who meets the customer"),
                            on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_at = models.DateTimeField(_("due at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("person who did it", "by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    kept_at = models.DateTimeField(_("kept at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("three-changes action")
        verbose_name_plural = _("three-changes actions")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.get_kind_display()}"


class ComplaintStep(models.Model):
    """CMP-2: one step of the handling, recorded once, by whom and when, with its note."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("person who did it", "by"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["complaint", "step"], name="one_record_per_step")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.get_step_display()}"


class Breach(models.Model):
    """CMP-4: a deadline of a complaint missed — the first response or the resolution — flagged once
    by the worker, who then told the handler and the handler's manager."""

    class Kind(models.TextChoices):
        RESPONSE = "response", _("First response late")
        RESOLUTION = "resolution", _("Resolution late")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="breaches")
    kind = models.CharField(_("deadline missed"), max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField(_("was due at"))
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("escalated to"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("missed deadline")
        verbose_name_plural = _("missed deadlines")
        ordering = ["flagged_at", "id"]
        constraints = [models.UniqueConstraint(fields=["complaint", "kind"], name="one_breach_per_deadline")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.get_kind_display()}"


class ServiceOrder(TimeStampedModel):
    """SVC-1: an after-sales service for a customer — packaging, delivery, installation, maintenance
    (one-off, or every `every_days` days: doing one schedules the next), technical training, credit
    support — with its assignee, due date, outcome, the customer's rating, parts and cost."""

    lock_rank = 75  # core.locks: row locks are taken lowest rank first

    class Kind(models.TextChoices):
        PACKAGING = "packaging", _("Packaging")
        DELIVERY = "delivery", _("Delivery")
        INSTALLATION = "installation", _("Installation")
        MAINTENANCE = "maintenance", _("Maintenance")
        TRAINING = "training", _("Technical training")
        CREDIT = "credit", _("Credit support")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("service order", "To do")
        DONE = "done", pgettext_lazy("service order", "Done")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="service_orders")
    order = models.ForeignKey("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="service_orders")
    kind = models.CharField(_("service"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("what is to be done"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT,
                                 related_name="service_orders")
    due_on = models.DateField(_("due date"))
    every_days = models.PositiveIntegerField(_("repeat every (days)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    rating = models.PositiveSmallIntegerField(_("customer's rating (1–5)"), null=True, blank=True,
                                              validators=[MinValueValidator(1)])
    parts = models.CharField(_("parts used"), max_length=300, blank=True)
    cost = models.DecimalField(_("cost"), **MONEY, null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "status", "due_on"]), models.Index(fields=["customer", "due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="service_rating_1_5"),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="service_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer_id} {self.due_on}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("service:service_order_detail", args=[self.pk])


class ComplaintPolicy(SettingsRow):
    """CMP-4: the deadlines of a complaint by severity, in hours from its intake (one row,
    edited in the admin)."""

    respond_low_hours = models.PositiveIntegerField(_("first response, low severity (hours)"), default=48)
    respond_medium_hours = models.PositiveIntegerField(_("first response, medium severity (hours)"), default=24)
    respond_high_hours = models.PositiveIntegerField(_("first response, high severity (hours)"), default=8)
    respond_critical_hours = models.PositiveIntegerField(_("first response, critical (hours)"), default=2)
    resolve_low_hours = models.PositiveIntegerField(_("resolution, low severity (hours)"), default=15 * 24)
    resolve_medium_hours = models.PositiveIntegerField(_("resolution, medium severity (hours)"), default=7 * 24)
    resolve_high_hours = models.PositiveIntegerField(_("resolution, high severity (hours)"), default=3 * 24)
    resolve_critical_hours = models.PositiveIntegerField(_("resolution, critical (hours)"), default=24)
    # CMP-6: the satisfaction link sent after closing expires after this many days; a customer
    # with at least repeat_count complaints received in the last repeat_days days is a repeat complainer.
    survey_days = models.PositiveIntegerField(_("satisfaction link valid for (days)"), default=14,
                                              validators=[MinValueValidator(1)])
    repeat_count = models.PositiveIntegerField(_("repeat complainer: complaints at least"), default=3,
                                               validators=[MinValueValidator(2)])
    repeat_days = models.PositiveIntegerField(_("repeat complainer: within (days)"), default=365,
                                              validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("complaint deadlines")
        verbose_name_plural = _("complaint deadlines")

    def __str__(self) -> str:
        return str(_("Complaint deadlines"))

    def deadlines(self, severity: str, received_at):
        """(respond_by, resolve_by) of a complaint of `severity` received at `received_at`."""
        respond = getattr(self, f"respond_{severity}_hours", self.respond_medium_hours)
        resolve = getattr(self, f"resolve_{severity}_hours", self.resolve_medium_hours)
        return received_at + timedelta(hours=respond), received_at + timedelta(hours=resolve)


class Satisfaction(models.Model):
    """CMP-6: the customer's satisfaction with the handling of a closed complaint, 1 (very
    unhappy) to 5 (very satisfied), answered once — by the customer through the signed link, or
    recorded by staff from a call."""

    class Source(models.TextChoices):
        LINK = "link", _("The customer, through the link")
        STAFF = "staff", _("Recorded by staff")

    complaint = models.OneToOneField(Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE,
                                     related_name="satisfaction")
    rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"),
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(pgettext_lazy("satisfaction", "comment"), blank=True, max_length=2000)
    source = models.CharField(pgettext_lazy("satisfaction", "answered"), max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("satisfaction with the handling")
        verbose_name_plural = _("satisfaction with the handling")
        ordering = ["-answered_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                              name="satisfaction_rating_1_5")]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.rating}"


class ReplyScript(models.Model):
    """CMP-5: a complaint pattern of the reply scripts 投诉处理用语 — what customers say, their
    psychology, the points of attention, what to say and what never to say — shown on the
    handling page of a complaint of its type whose words hold one of its keywords. Edited in
    the admin; the three worked examples of the seeds (002) are the first rows."""

    title = models.CharField(_("pattern"), max_length=200)
    kind = models.CharField(_("complaint type"), max_length=12, choices=Complaint.Kind.choices, blank=True,
                            help_text=_("Shown for complaints of this type; empty: of any type."))
    keywords = models.CharField(_("keywords"), max_length=500, blank=True,
                                help_text=_("Words of the customer, separated by commas or spaces: one of them in "
                                            "the complaint's words is a match. Empty: every complaint of the type."))
    example = models.TextField(_("what the customer says"), blank=True)
    psychology = models.TextField(_("the customer's psychology"), blank=True)
    attention = models.TextField(_("points of attention"), blank=True)
    say = models.TextField(_("what to say"))
    never_say = models.TextField(_("what never to say"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("reply script")
        verbose_name_plural = _("reply scripts")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title

    def words(self) -> list[str]:
        """The keywords, one by one."""
        import re

        return [word for word in re.split(r"[\s,，、;；]+", self.keywords) if word]
# --- service commitments (SVC-2) and after-sale follow-up (SVC-3) -----------------------------------------

class Commitment(TimeStampedModel):
    """SVC-2: a promise made while selling 服务承诺 ("I collect the premium on the 10th of every
    month", "free membership of the users' club"), once on a day or every month on a day of the
    month until a last day; each time it falls due is an occurrence, fulfilled or missed."""

    class Repeat(models.TextChoices):
        ONCE = "once", _("Once")
        MONTHLY = "monthly", _("Every month")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="commitments")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("promised by"), on_delete=models.PROTECT,
                              related_name="commitments")
    description = models.TextField(_("what was promised"))
    repeat = models.CharField(_("how often"), max_length=8, choices=Repeat.choices, default=Repeat.ONCE)
    # Once: the day it is due. Monthly: the first month's day; `day_of_month` (the 31st falls on
    # a shorter month's last day) until `until`.
    starts_on = models.DateField(_("due date"))
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    until = models.DateField(_("last day"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("service commitment")
        verbose_name_plural = _("service commitments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(day_of_month__isnull=True) | Q(day_of_month__gte=1, day_of_month__lte=31),
                                   name="commitment_day_of_month_1_31"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class Occurrence(models.Model):
    """SVC-2: one day a commitment is due: open until fulfilled (with a note) or, once the day has
    passed, missed (the worker marks it and tells the owner's manager, once)."""

    lock_rank = 77  # core.locks: row locks are taken lowest rank first

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("commitment", "Due")
        FULFILLED = "fulfilled", _("Fulfilled")
        MISSED = "missed", _("Missed")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="occurrences")
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("fulfilled by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    missed_at = models.DateTimeField(_("marked missed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commitment due date")
        verbose_name_plural = _("commitment due dates")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [models.UniqueConstraint(fields=["commitment", "due_on"], name="one_occurrence_per_day")]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.due_on}"

    @property
    def on_time(self) -> bool:
        return self.fulfilled_on is not None and self.fulfilled_on <= self.due_on


class FollowUp(TimeStampedModel):
    """SVC-3: the call about a week after an order is delivered (KEHU_FOLLOW_UP_DAYS): how the
    product is used, whether the customer is satisfied, and a congratulation on the decision."""

    lock_rank = 78  # core.locks: row locks are taken lowest rank first

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("follow-up", "To call")
        DONE = "done", pgettext_lazy("follow-up", "Called")

    order = models.OneToOneField("sales.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                                 related_name="follow_up")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="follow_ups")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who calls"), on_delete=models.PROTECT,
                                 related_name="follow_ups")
    due_on = models.DateField(_("call on"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    usage = models.TextField(_("how the product is used"), blank=True)
    satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    congratulated = models.BooleanField(_("congratulated on the decision"), default=False)
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(_("called at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("called by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("after-sale follow-up")
        verbose_name_plural = _("after-sale follow-ups")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assignee", "status", "due_on"]), models.Index(fields=["customer", "due_on"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.due_on}"


class LiteratureSend(models.Model):
    """SVC-3: literature sent to a customer — new product data, a specification change, a
    newsletter — what, when and by whom."""

    class Kind(models.TextChoices):
        PRODUCT_DATA = "product", _("New product data")
        SPECIFICATION = "spec", _("Specification change")
        NEWSLETTER = "newsletter", _("Newsletter")
        OTHER = "other", _("Other literature")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="literature_sends")
    kind = models.CharField(_("kind of literature"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("what was sent"), max_length=200)
    sent_on = models.DateField(_("sent on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT,
                           related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("literature sent")
        verbose_name_plural = _("literature sent")
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["customer", "-sent_on"])]

    def __str__(self) -> str:
        return self.title
