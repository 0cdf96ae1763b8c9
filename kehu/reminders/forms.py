from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.core.errors import ValidationFailed
from kehu.core.forms import BootstrapFormMixin
from kehu.reminders import channels
from kehu.reminders.models import Preference


class PreferenceForm(BootstrapFormMixin, forms.ModelForm):
    """How a user is told (PLT-4): the inbox always; e-mail, a group robot, the digest's time."""

    class Meta:
        model = Preference
        fields = ["by_email", "webhook_format", "webhook_url", "webhook_secret", "each_reminder", "digest",
                  "digest_at", "language"]
        widgets = {"digest_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "webhook_secret": forms.PasswordInput(render_value=True)}
        help_texts = {
            "webhook_url": _("The group robot's address, from the group's robot settings (https://…)."),
            "webhook_secret": _("DingTalk only, when the robot signs its messages (加签): the secret starting SEC."),
            "each_reminder": _("Otherwise only the daily digest goes out by e-mail and the group robot."),
            "digest_at": _("Your unread reminders and today's plan, once a day from this time."),
        }

    def clean_webhook_url(self):
        url = self.cleaned_data.get("webhook_url", "")
        if not url.strip():
            return ""
        try:
            return channels.check_webhook_url(url)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        if data.get("webhook_format") and not data.get("webhook_url"):
            self.add_error("webhook_url", _("Give the group robot's address, or choose no group robot."))
        if data.get("webhook_url") and not data.get("webhook_format"):
            self.add_error("webhook_format", _("Choose the kind of group robot the address belongs to."))
        return data
