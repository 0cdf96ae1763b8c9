"""What roles may do with referrals (core.capabilities)."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import define
from kehu.core.roles import Role

# REF-1, REF-2: those who sell record referrals, their outcome and the thank-you.
RECORD_REFERRALS = define("record_referrals", _("Record referrals and thank referrers"),
                          roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP,
                                 Role.GENERAL_MANAGER, Role.ADMIN})
