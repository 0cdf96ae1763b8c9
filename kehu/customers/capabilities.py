"""What roles may do with customer cards (core.capabilities)."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import EVERY_ROLE, define
from kehu.core.roles import Role

# Service and finance staff read the cards of their function but do not change them.
EDIT_CUSTOMERS = define("edit_customers", _("Create and edit customer cards"),
                        roles=EVERY_ROLE - {Role.SERVICE, Role.FINANCE})
# CUS-5: managers hand customers over in bulk within their scope.
REASSIGN_CUSTOMERS = define("reassign_customers", _("Reassign customers"),
                            roles={Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP, Role.GENERAL_MANAGER,
                                   Role.ADMIN})
# CRD-2: the grade and the payment terms (账期) are credit decisions: the due dates, the
# overdue block (CRD-3) and collection work follow them. They are set by the approval chain's
# managers; everyone else asks for them with a credit request.
SET_CREDIT_TERMS = define("set_credit_terms", _("Set a customer's grade and payment terms"),
                          roles={Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP, Role.GENERAL_MANAGER})
# CUS-7: salespeople claim customers from the shared pool (managers assign from it: REASSIGN_CUSTOMERS).
CLAIM_FROM_POOL = define("claim_from_pool", _("Claim customers from the pool"), roles={Role.SALESPERSON})
# CUS-7: who sees the pool: those who claim from it and the managers who assign from it.
SEE_POOL = define("see_pool", _("See the customer pool"),
                  roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP,
                         Role.GENERAL_MANAGER, Role.ADMIN})
