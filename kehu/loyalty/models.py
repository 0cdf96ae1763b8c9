"""Referrals 转介绍 (REF-1, REF-2): who referred whom, whether the prospect was contacted in
time, the outcome, and the thank-you to the referrer (a touch of relations)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import SettingsRow
from kehu.relations.models import TouchKind


class ReferralPolicy(SettingsRow):
    """REF-1: within how many hours a referred prospect must be contacted (one row, in the admin)."""

    contact_hours = models.PositiveIntegerField(_("contact a referred prospect within (hours)"), default=24,
                                                validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("referral rules")
        verbose_name_plural = _("referral rules")

    def __str__(self) -> str:
        return str(_("Referral rules"))


class Referral(models.Model):
    """A customer (or one of its key people) referred a prospect, created as a customer (REF-1)."""

    lock_rank = 80  # core.locks: after the customers it names

    class Outcome(models.TextChoices):
        PENDING = "pending", pgettext_lazy("referral outcome", "Pending")
        WON = "won", _("Became a customer")
        LOST = "lost", _("Did not buy")

    referrer = models.ForeignKey("customers.Customer", verbose_name=_("referred by"), on_delete=models.PROTECT,
                                 related_name="referrals_made")
    referrer_person = models.ForeignKey("customers.KeyPerson", verbose_name=_("key person who referred"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    referred = models.OneToOneField("customers.Customer", verbose_name=_("referred prospect"),
                                    on_delete=models.PROTECT, related_name="referral")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("referred at"), auto_now_add=True, db_index=True)
    flagged_at = models.DateTimeField(_("flagged as not contacted at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_at = models.DateTimeField(_("outcome known at"), null=True, blank=True)
    thank_touch = models.ForeignKey("relations.Touch", verbose_name=_("thank-you"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["referrer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.referred_id}"


# --- lost customers and win-back (WIN-1, WIN-2) ------------------------------------------------------------------

def _interval(label, default):
    return models.PositiveIntegerField(label, default=default, validators=[MinValueValidator(1)])


class WinBackPolicy(SettingsRow):
    """WIN-1: when a customer who stopped buying is at risk and when lost (one row, in the admin).
    Each customer's expected interval is the mean gap between its purchase days; with fewer than
    `min_purchases` purchases, the default of its grade."""

    at_risk_factor = models.DecimalField(_("at risk after this many expected intervals"), max_digits=4,
                                         decimal_places=1, default=Decimal("1.5"),
                                         validators=[MinValueValidator(Decimal("1.0"))])
    lost_factor = models.DecimalField(_("lost after this many expected intervals"), max_digits=4, decimal_places=1,
                                      default=Decimal("3.0"), validators=[MinValueValidator(Decimal("1.0"))])
    min_purchases = models.PositiveSmallIntegerField(_("purchases needed to use the customer's own interval"),
                                                     default=3, validators=[MinValueValidator(2)])
    interval_a = _interval(_("expected days between purchases, grade A"), 30)
    interval_b = _interval(_("expected days between purchases, grade B"), 60)
    interval_c = _interval(_("expected days between purchases, grade C"), 90)

    class Meta:
        verbose_name = _("lost customer rules")
        verbose_name_plural = _("lost customer rules")

    def __str__(self) -> str:
        return str(_("Lost customer rules"))

    def default_interval(self, grade: str) -> int:
        return {"A": self.interval_a, "B": self.interval_b}.get(grade, self.interval_c)

    def clean(self):
        if self.lost_factor is not None and self.at_risk_factor is not None and self.lost_factor <= self.at_risk_factor:
            raise ValidationError({"lost_factor": _("A customer is lost later than at risk: give a larger number.")})


class DefectionReason(models.TextChoices):
    PRICE = "price", _("Price")
    SERVICE = "service", pgettext_lazy("reason a customer left", "Service")
    QUALITY = "quality", _("Quality")
    COMPLAINT = "complaint", _("Complaint not resolved")
    COMPETITOR = "competitor", _("Went to a competitor")
    MOVED = "moved", _("Moved away")
    CLOSED = "closed", _("Closed down")
    OTHER = "other", pgettext_lazy("reason a customer left", "Other")


class Defection(models.Model):
    """WIN-1: a customer who stopped buying for longer than expected, from the day the daily run
    found it at risk until it buys again. One open row per customer; a closed one stays as the
    history of what was lost and won back (WIN-2)."""

    lock_rank = 82  # core.locks: after the customers it names

    class State(models.TextChoices):
        AT_RISK = "at_risk", _("At risk")
        LOST = "lost", pgettext_lazy("customer state", "Lost")
        WON_BACK = "won_back", _("Won back")
        CLEARED = "cleared", _("No longer at risk")  # bought again, or the rules changed

    OPEN = (State.AT_RISK, State.LOST)

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="defections")
    state = models.CharField(pgettext_lazy("lost customer", "state"), max_length=10, choices=State.choices, default=State.AT_RISK, db_index=True)
    at_risk_on = models.DateField(_("at risk since"))
    lost_on = models.DateField(_("lost since"), null=True, blank=True, db_index=True)
    ended_on = models.DateField(_("no longer at risk since"), null=True, blank=True, db_index=True)
    expected_days = models.PositiveIntegerField(_("expected days between purchases"))
    last_purchase_on = models.DateField(_("last purchase"))
    lost_value = models.DecimalField(_("lost value (a year's purchases)"), max_digits=14, decimal_places=2,
                                     default=Decimal("0.00"))
    reason = models.CharField(_("reason"), max_length=12, choices=DefectionReason.choices, blank=True, db_index=True)
    reason_note = models.CharField(_("note on the reason"), max_length=500, blank=True)
    reason_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reason recorded by"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    reason_at = models.DateTimeField(_("reason recorded at"), null=True, blank=True)
    won_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("won back by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("lost customer")
        verbose_name_plural = _("lost customers")
        ordering = ["-lost_value", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=models.Q(state__in=["at_risk", "lost"]),
                                    name="defection_one_open_per_customer"),
            models.CheckConstraint(condition=models.Q(lost_value__gte=0), name="defection_lost_value_not_negative"),
        ]
        indexes = [models.Index(fields=["-lost_value", "-id"], name="defection_by_value")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


class WinBackAttempt(models.Model):
    """WIN-2: one try to win a lost or at-risk customer back: how, what was offered, the answer."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        AGREED = "agreed", _("Agreed to buy again")
        REFUSED = "refused", pgettext_lazy("win-back outcome", "Refused")
        NO_ANSWER = "no_answer", _("No answer")

    defection = models.ForeignKey(Defection, verbose_name=_("lost customer"), on_delete=models.PROTECT,
                                  related_name="attempts")
    channel = models.CharField(_("win-back channel"), max_length=10, choices=TouchKind.choices)
    offer = models.CharField(_("what was offered"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("person who did it", "by"),
                           on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("win-back attempt")
        verbose_name_plural = _("win-back attempts")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.defection_id} {self.on} {self.outcome}"
