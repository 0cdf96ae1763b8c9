from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.forms import BootstrapFormMixin


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Accounts are locked after repeated failures."),
        "inactive": _("This account is disabled."),
    }


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    """PLT-2: a new API token: what it is for and how long it lasts."""

    name = forms.CharField(label=pgettext_lazy("API token", "name"), max_length=100, required=False,
                           help_text=_("What the token is for, e.g. the program that uses it."))
    days = forms.IntegerField(label=_("valid for (days)"), min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.max_value = settings.KEHU_API_TOKEN_MAX_DAYS
        days.validators.append(MaxValueValidator(settings.KEHU_API_TOKEN_MAX_DAYS))
        days.widget.attrs["max"] = settings.KEHU_API_TOKEN_MAX_DAYS
        days.help_text = _("Empty: %(days)d days. At most %(max)d.") % {
            "days": settings.KEHU_API_TOKEN_DAYS, "max": settings.KEHU_API_TOKEN_MAX_DAYS}
