"""Referrals 转介绍 (REF-1, REF-2): who referred whom, whether the prospect was contacted in
time, the outcome, and the thank-you to the referrer (a touch of relations)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.models import SettingsRow


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
