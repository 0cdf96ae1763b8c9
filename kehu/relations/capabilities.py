"""What roles may do to keep in touch with customers (core.capabilities)."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import define
from kehu.core.roles import Role

# REL-2: those who meet and call customers log their touches — the sales line and after-sales
# service — and the administrator, who enters what a salesperson reports on paper; finance
# reads them.
LOG_TOUCHES = define("log_touches", _("Log touches with customers"),
                     roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP,
                            Role.GENERAL_MANAGER, Role.SERVICE, Role.ADMIN})
# REL-1: cadence adherence per salesperson and office is a manager's view.
SEE_ADHERENCE = define("see_cadence_adherence", _("See contact cadence adherence per salesperson"),
                       roles={Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP, Role.GENERAL_MANAGER,
                              Role.ADMIN})
# REL-5: the sales line files market information; the office's managers read and act on it.
FILE_MARKET_REPORTS = define("file_market_reports", _("File market information"),
                             roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP,
                                    Role.GENERAL_MANAGER, Role.SERVICE, Role.ADMIN})
HANDLE_MARKET_REPORTS = define("handle_market_reports", _("Read and act on market information, see the counts"),
                               roles={Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP, Role.GENERAL_MANAGER,
                                      Role.ADMIN})
# REL-6: the sales line records what it finds at its dealers; everyone reads the checks of their scope.
RECORD_DEALER_CHECKS = define("record_dealer_checks", _("Record dealer checks"),
                              roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP,
                                     Role.GENERAL_MANAGER, Role.ADMIN})
# REL-7: the sales line plans the support given to its dealers and records what was done.
PLAN_DEALER_SUPPORT = define("plan_dealer_support", _("Plan dealer support"),
                             roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP,
                                    Role.GENERAL_MANAGER, Role.ADMIN})
