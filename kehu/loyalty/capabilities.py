"""What roles may do with referrals (core.capabilities)."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import define
from kehu.core.roles import Role

# REF-1, REF-2: those who sell record referrals, their outcome and the thank-you.
RECORD_REFERRALS = define("record_referrals", _("Record referrals and thank referrers"),
                          roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP,
                                 Role.GENERAL_MANAGER, Role.ADMIN})

# WIN-1, WIN-2: those who sell record why a customer was lost and try to win it back.
WIN_BACK = define("win_back", _("Record why customers were lost and win them back"),
                  roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP,
                         Role.GENERAL_MANAGER, Role.ADMIN})
