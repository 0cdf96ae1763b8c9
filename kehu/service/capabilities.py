"""What roles may do with complaints (core.capabilities). Scopes say which customers' complaints
a user sees (a salesperson: their own customers')."""

from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import EVERY_ROLE, define
from kehu.core.roles import Role

# CMP-1: whoever hears a complaint records it — the salesperson in the shop, service on the phone.
RECEIVE_COMPLAINTS = define("receive_complaints", _("Record complaints"), roles=EVERY_ROLE)
# CMP-2: the handlers walk the steps; finance answers billing questions but does not handle.
HANDLE_COMPLAINTS = define("handle_complaints", _("Handle complaints"), roles=EVERY_ROLE - {Role.FINANCE})
# SVC-1: service orders are planned by whoever sells or serves, and done by their assignee.
SERVE = define("serve_customers", _("Plan and do after-sales service"), roles=EVERY_ROLE - {Role.FINANCE})
# SVC-2, SVC-3: promises made while selling and the follow-up after a sale are kept by whoever
# sells or serves; the promise-keeping rate per salesperson is a manager's view.
COMMIT = define("record_commitments", _("Record and keep service commitments"), roles=EVERY_ROLE - {Role.FINANCE})
SEE_PROMISE_KEEPING = define("see_promise_keeping", _("See the promise-keeping rate per salesperson"),
                             roles={Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP, Role.GENERAL_MANAGER,
                                    Role.ADMIN})
