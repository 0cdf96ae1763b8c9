"""Keeping in touch 维系顾客关系 (REL-1, REL-2): the touches a salesperson logs with a customer
(a visit 拜访, a call, a greeting card…) and the company's contact cadence by grade."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kehu.core.models import SettingsRow, TimeStampedModel


class TouchKind(models.TextChoices):
    VISIT = "visit", _("Visit 拜访")
    PHONE = "phone", pgettext_lazy("kind of touch", "Phone call")
    LETTER = "letter", _("Letter or e-mail")
    CARD = "card", _("Greeting card")
    GIFT = "gift", _("Gift 纪念品")
    EVENT = "event", pgettext_lazy("kind of touch", "Event")


class Touch(TimeStampedModel):
    """REL-2: one contact with a customer — what kind, when, why, what was said and what comes
    next. A visit may carry the place the phone reported, only when the salesperson agreed to
    share it (外勤签到)."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="touches")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("person who did it", "by"),
                           on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of touch"), max_length=10, choices=TouchKind.choices)
    on = models.DateField(_("date of the touch"))
    purpose = models.CharField(_("purpose"), max_length=200)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step by"), null=True, blank=True)
    location_consent = models.BooleanField(_("place shared with consent"), default=False)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("touch")
        verbose_name_plural = _("touches")
        ordering = ["-on", "-id"]
        # (customer, on, kind): a customer's last touch of the kinds that count (REL-1) is read
        # from the index alone, walking back from the newest until one of them.
        indexes = [models.Index(fields=["customer", "on", "kind"], name="touch_customer_day_kind"),
                   models.Index(fields=["on", "id"]), models.Index(fields=["next_step_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(next_step_on__isnull=True) | Q(next_step_on__gte=F("on")),
                                   name="touch_next_step_after_touch"),
            # A place is kept only with the salesperson's consent.
            models.CheckConstraint(condition=Q(location_consent=True) | Q(latitude__isnull=True, longitude__isnull=True),
                                   name="touch_place_needs_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.on} {self.kind}"

    def get_absolute_url(self) -> str:
        return reverse("relations:touch_detail", args=[self.pk])


def _days(label, default: int, most: int = 730):
    return models.PositiveSmallIntegerField(label, default=default,
                                            validators=[MinValueValidator(1), MaxValueValidator(most)])


class CadencePolicy(SettingsRow):
    """REL-1: how often each grade of customer is to be contacted, and which kinds of touch
    count as a contact; REL-3: how many days ahead greetings are announced (one row, edited in
    the admin)."""

    days_a = _days(_("grade A: contact at least every (days)"), 7)
    days_b = _days(_("grade B: contact at least every (days)"), 30)
    days_c = _days(_("grade C: contact at least every (days)"), 182)
    due_soon_days = models.PositiveSmallIntegerField(
        _("show a customer as due this many days before the contact falls due"), default=3,
        validators=[MaxValueValidator(60)])
    count_visit = models.BooleanField(_("a visit counts"), default=True)
    count_phone = models.BooleanField(_("a phone call counts"), default=True)
    count_letter = models.BooleanField(_("a letter or e-mail counts"), default=False)
    count_card = models.BooleanField(_("a greeting card counts"), default=False)
    count_gift = models.BooleanField(_("a gift counts"), default=False)
    count_event = models.BooleanField(_("an event counts"), default=True)
    # REL-3: birthdays, founding anniversaries and holidays are announced this many days ahead.
    greeting_days_before = models.PositiveSmallIntegerField(
        _("remind of birthdays, anniversaries and holidays this many days before"), default=7,
        validators=[MaxValueValidator(60)])

    class Meta:
        verbose_name = _("contact cadence")
        verbose_name_plural = _("contact cadence")

    def __str__(self) -> str:
        return str(_("Contact cadence"))

    def interval(self, grade: str) -> int:
        return {"A": self.days_a, "B": self.days_b}.get(grade, self.days_c)

    def counting_kinds(self) -> list[str]:
        return [kind for kind in TouchKind.values if getattr(self, f"count_{kind}")]


class PlanEntry(models.Model):
    """REL-4: one line of a salesperson's daily work plan 日工作计划, kept as it was planned —
    what was due that day, gathered from every app (core.registry.DueSource) when the plan was
    first opened — and whether it was done, so that planned and done can be compared per week."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.CASCADE,
                             related_name="+")
    day = models.DateField(_("day of the plan"))
    key = models.CharField(max_length=120)
    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=40)
    title = models.CharField(_("what is due"), max_length=200)
    url = models.CharField(max_length=500, blank=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 null=True, blank=True, related_name="+")
    due_on = models.DateField(_("due on"))
    overdue = models.BooleanField(default=False)
    # The salesperson's order of the day (REL-4: reordered by hand); new items go last.
    position = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["day", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "day", "key"], name="plan_entry_once_a_day")]
        indexes = [models.Index(fields=["day", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day} {self.key}"


# --- market information (REL-5) ------------------------------------------------------------------------

class MarketReportKind(models.TextChoices):
    COMPETITOR = "competitor", _("Competitor")
    MARKET = "market", _("Market")
    PERSONNEL = "personnel", _("Customer personnel change")
    NEW_PRODUCT = "new_product", _("New product in the area")
    OTHER = "other", pgettext_lazy("kind of market information", "Other")


class MarketReport(TimeStampedModel):
    """REL-5 市场信息: what a salesperson learnt of competitors, the market or a customer's
    people, sent to their office: its managers read it and note what they did about it. The
    report itself is never edited; reading and acting are recorded once, with who and when."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT,
                           related_name="+")
    office = models.ForeignKey("accounts.Office", verbose_name=_("office"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    kind = models.CharField(_("kind of information"), max_length=12, choices=MarketReportKind.choices)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="market_reports")
    text = models.TextField(_("what was learnt"), max_length=4000)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("read by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    acted_at = models.DateTimeField(_("acted on at"), null=True, blank=True)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acted on by"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    action_note = models.TextField(_("what was done"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("market information")
        verbose_name_plural = _("market information")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "-created_at"]), models.Index(fields=["by", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(acted_at__isnull=True) | Q(read_at__isnull=False),
                                   name="market_report_read_before_acted"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}" if self.created_at else self.get_kind_display()

    def get_absolute_url(self) -> str:
        return reverse("relations:market_detail", args=[self.pk])

    @property
    def status(self) -> str:
        return "acted" if self.acted_at else "read" if self.read_at else "new"


# --- dealer checks (REL-6) -----------------------------------------------------------------------------------

class RangeCarried(models.TextChoices):
    WHOLE = "whole", _("Whole range")
    PARTIAL = "partial", _("Part of the range")
    NONE = "none", pgettext_lazy("range carried", "None")


class StockLevel(models.TextChoices):
    AMPLE = "ample", _("Ample")
    ENOUGH = "enough", _("Enough")
    LOW = "low", _("Low")


class PaymentBehaviour(models.TextChoices):
    ON_TIME = "on_time", _("Pays on time")
    LATE = "late", _("Pays late")
    VERY_LATE = "very_late", _("Pays very late or must be chased")


class DealerCheck(models.Model):
    """REL-6 经销商检查: what a salesperson found at a dealer in a month — sales growth, our
    share of the dealer's sales 售额比率, the range carried, focus products pushed, display 陈列,
    stock and stock-outs, promotions, payment. One check per dealer per month; a record of what
    was seen, written once."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="dealer_checks")
    month = models.DateField(_("month checked"), help_text=_("The first day of the month checked."))
    sales_growth = models.DecimalField(_("sales growth %"), max_digits=6, decimal_places=1, null=True, blank=True)
    our_share = models.DecimalField(_("our share of their sales %"), max_digits=4, decimal_places=1, null=True,
                                    blank=True)
    range_carried = models.CharField(_("range carried"), max_length=8, choices=RangeCarried.choices)
    focus_pushed = models.BooleanField(_("focus products pushed"), default=False)
    display_place = models.CharField(_("display place"), max_length=100, blank=True)
    display_space = models.CharField(_("display space"), max_length=100, blank=True)
    display_height = models.CharField(_("display height"), max_length=100, blank=True)
    stock_level = models.CharField(_("stock level"), max_length=8, choices=StockLevel.choices)
    stock_outs = models.PositiveSmallIntegerField(_("products out of stock"), default=0)
    in_promotion = models.BooleanField(_("takes part in our promotions"), default=False)
    payment = models.CharField(_("payment behaviour"), max_length=10, choices=PaymentBehaviour.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT,
                           related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dealer check")
        verbose_name_plural = _("dealer checks")
        ordering = ["-month", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "month"], name="dealer_check_once_a_month")]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("relations:check_detail", args=[self.pk])


# --- dealer support plans (REL-7) ----------------------------------------------------------------------------

class SupportKind(models.TextChoices):
    TRAINING = "training", _("Training their staff")
    POS = "pos", _("POS material")
    DISPLAY = "display", _("Display")
    PROMOTION = "promotion", _("Joint promotion")
    ADVERTISING = "advertising", _("Shared advertising")
    OTHER = "other", pgettext_lazy("kind of support", "Other")


class SupportPlan(models.Model):
    """REL-7 协助客户: the year's support planned for a dealer — one plan per dealer per year,
    its items each with a budget, done or not, and the effect measured."""

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="support_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn up by"), on_delete=models.PROTECT,
                           related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "year"], name="support_plan_once_a_year")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("relations:support_detail", args=[self.pk])


class SupportItem(models.Model):
    plan = models.ForeignKey(SupportPlan, verbose_name=_("support plan"), on_delete=models.CASCADE,
                             related_name="items")
    kind = models.CharField(_("kind of support"), max_length=12, choices=SupportKind.choices)
    description = models.CharField(_("description"), max_length=200)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    planned_month = models.PositiveSmallIntegerField(_("planned month"),
                                                     validators=[MinValueValidator(1), MaxValueValidator(12)])
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    effect_note = models.TextField(_("measured effect"), max_length=2000, blank=True)
    sales_before = models.DecimalField(_("sales before"), max_digits=14, decimal_places=2, null=True, blank=True)
    sales_after = models.DecimalField(_("sales after"), max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support item")
        verbose_name_plural = _("support items")
        ordering = ["planned_month", "id"]
        constraints = [models.CheckConstraint(condition=Q(budget__gte=0), name="support_item_budget_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.planned_month}"


# --- family occasions of contacts (REL-3) --------------------------------------------------------------------

class FamilyOccasionKind(models.TextChoices):
    SPOUSE_BIRTHDAY = "spouse_birthday", _("Spouse's birthday")
    CHILD_BIRTHDAY = "child_birthday", _("Child's birthday")
    WEDDING_ANNIVERSARY = "wedding_anniversary", _("Wedding anniversary")
    PARENT_BIRTHDAY = "parent_birthday", _("Parent's birthday")
    CHILD_WEDDING = "child_wedding", _("Child's wedding")
    CHILD_ENTRANCE = "child_entrance", _("Child's university entrance")
    CHILD_GRADUATION = "child_graduation", _("Child's graduation")
    OTHER = "other", pgettext_lazy("kind of family occasion", "Other")


class FamilyOccasion(TimeStampedModel):
    """REL-3 家庭纪念日: a day in the family of a customer's key person — a spouse's or child's
    birthday, a wedding anniversary, a child's wedding or university entrance — that the
    salesperson greets. Yearly ones come back every year (29 February on 28 February in a
    common year), a one-off one only on its day."""

    key_person = models.ForeignKey("customers.KeyPerson", verbose_name=_("key person"), on_delete=models.CASCADE,
                                   related_name="family_occasions")
    kind = models.CharField(_("kind of family occasion"), max_length=20, choices=FamilyOccasionKind.choices)
    whose = models.CharField(_("whose (name)"), max_length=50, blank=True,
                             help_text=_("The name of the spouse, child or parent, if known."))
    on = models.DateField(_("date of the occasion"))
    yearly = models.BooleanField(_("every year"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                   related_name="+")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("family occasion")
        verbose_name_plural = _("family occasions")
        ordering = ["key_person", "on", "id"]
        indexes = [models.Index(fields=["yearly", "on"])]

    def __str__(self) -> str:
        return f"{self.key_person_id} {self.kind} {self.on}"
