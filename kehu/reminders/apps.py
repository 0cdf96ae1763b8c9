from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RemindersConfig(AppConfig):
    name = "kehu.reminders"
    label = "reminders"
    verbose_name = pgettext_lazy("message", "Reminders")
