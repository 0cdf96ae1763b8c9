"""What roles may do with products, orders and returns (core.capabilities)."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import EVERY_ROLE, define
from kehu.core.roles import Role

# After-sales service reads orders; everyone else with a scope moves them on.
HANDLE_ORDERS = define("handle_orders", _("Move orders on (deliver, invoice, close)"),
                       roles=EVERY_ROLE - {Role.SERVICE})
# Finance invoices and closes orders but does not take them or record returns.
TAKE_ORDERS = define("take_orders", _("Take orders and record returns"),
                     roles=EVERY_ROLE - {Role.SERVICE, Role.FINANCE})
# ORD-1: only administrators change the product list.
MAINTAIN_PRODUCTS = define("maintain_products", _("Maintain the product list"), roles={Role.ADMIN})
