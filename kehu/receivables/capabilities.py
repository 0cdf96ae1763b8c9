"""What roles may do with receivables (core.capabilities)."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import EVERY_ROLE, define
from kehu.core.roles import Role

# Money is not after-sales service's function.
SEE_RECEIVABLES = define("see_receivables", _("See receivables"), roles=EVERY_ROLE - {Role.SERVICE})
# AR-1, AR-2, AR-5: record payments, promises and attempts, plan instalments.
COLLECT = define("collect", _("Collect money"),
                 roles={Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.FINANCE, Role.ADMIN})
# Reversing a payment or importing invoices: finance's and the administrator's acts.
KEEP_LEDGER = define("keep_ledger", _("Keep the ledger (reverse payments, import invoices)"),
                     roles={Role.FINANCE, Role.ADMIN})
