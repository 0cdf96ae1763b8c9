"""What roles may do with credit (core.capabilities). Which approval level a signer signs for
is credit.models.LEVEL_ROLE; the amount thresholds say which levels a request needs (CRD-2)."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import EVERY_ROLE, define
from kehu.core.roles import Role

# Those who edit cards and take orders ask for limits and one-off overrides.
REQUEST_CREDIT = define("request_credit", _("Ask for a credit limit or an override"),
                        roles=EVERY_ROLE - {Role.SERVICE, Role.FINANCE})
# CRD-2: the chain office director → sales manager → marketing VP → general manager.
SIGN_CREDIT = define("sign_credit", _("Sign credit requests"),
                     roles={Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP, Role.GENERAL_MANAGER})
