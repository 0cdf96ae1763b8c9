"""What roles may do with reminders (core.capabilities). Everyone reads their own inbox and
chooses how they are told (PLT-4); nobody reads anyone else's."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import EVERY_ROLE, define

RECEIVE_REMINDERS = define("receive_reminders", _("Read one's own reminders and choose how to be told"),
                           roles=EVERY_ROLE)
