"""PLT-4: reminders — one row per message a user is told (the inbox), the user's choices of
channels and digest time, and each sending of a reminder by a channel other than the inbox
(e-mail, a WeCom or DingTalk group robot), with its state so that the worker retries a failed
send without repeating one that went through."""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Reminder(models.Model):
    """A message for one user: in the inbox at once, unread until read. `dedupe_key` makes
    sending idempotent: one reminder per recipient and key, whoever sends it how often."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="reminders")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("message", "reminder")
        verbose_name_plural = pgettext_lazy("message", "reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="reminder_once_per_key"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="reminder_inbox"),
            models.Index(fields=["recipient", "read_at"], name="reminder_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class WebhookFormat(models.TextChoices):
    NONE = "", _("No group robot")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


DIGEST_AT = time(8, 0)


class Preference(models.Model):
    """How a user is told: the inbox always; e-mail and a group robot if chosen; the daily
    digest at the chosen time, in the chosen language."""

    lock_rank = 95  # core.locks: locked alone (the settings page, the day's digest)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("whose settings"), on_delete=models.CASCADE,
                                related_name="reminder_preference")
    by_email = models.BooleanField(_("by e-mail"), default=False)
    webhook_format = models.CharField(_("group robot"), max_length=10, choices=WebhookFormat.choices,
                                      blank=True, default="")
    webhook_url = models.CharField(_("webhook address"), max_length=500, blank=True)
    webhook_secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    each_reminder = models.BooleanField(_("send each reminder as it comes"), default=True)
    digest = models.BooleanField(_("daily digest"), default=True)
    digest_at = models.TimeField(_("digest time"), default=DIGEST_AT)
    language = models.CharField(_("language of the reminders"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    last_digest_on = models.DateField(_("last digest on"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self.user)


class Delivery(models.Model):
    """One sending of a reminder by one channel (not the inbox): made pending with the
    reminder, sent by the worker, retried while it fails. A channel sends a reminder once.
    Not locked: the worker claims it with one conditional UPDATE (services.delivery_send)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["reminder", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["state", "created_at"], name="delivery_state")]

    def __str__(self) -> str:
        return f"{self.reminder_id}/{self.channel}: {self.state}"
