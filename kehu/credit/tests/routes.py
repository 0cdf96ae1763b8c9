"""The credit pages and endpoints in the permission matrix (kehu/core/tests/test_permission_matrix.py).
Only the director the request waits for signs it (CRD-2); only who asked withdraws it."""

from functools import partial

from kehu.core.tests.matrix import (
    Route,
    card,
    count,
    customer_ref,
    draft,
    limit_request,
    order_status,
    override_request,
)
from kehu.credit.capabilities import REQUEST_CREDIT, SIGN_CREDIT
from kehu.customers.capabilities import EDIT_CUSTOMERS
from kehu.sales.capabilities import HANDLE_ORDERS, TAKE_ORDERS

EDIT = (EDIT_CUSTOMERS,)
Card = partial(Route, rule="CRD-1")
Chain = partial(Route, rule="CRD-2")
Check = partial(Route, rule="CRD-3")


def below_floor(ctx, side):
    """ORD-1: a draft sold below the product's floor price, which needs a discount approval
    whoever confirms it."""
    from kehu.credit.tests.builders import floor_price

    floor_price(ctx.product, "1000000.00")
    return draft(ctx, side)


def the_awaited_signer(role, side):
    return role == side.director


def who_asked(role, side):
    return role == side.who


def request_state(made):
    from kehu.credit.models import CreditApproval, CreditRequest

    return CreditRequest.objects.get(pk=made["pk"]).status, CreditApproval.objects.filter(request=made["pk"]).count()


ROUTES = [
    *(Chain(f"credit:{name}", scoped=False) for name in ("queue", "requests", "misfits", "misfits_export", "levels")),
    Card("credit:card", card),
    Card("credit:card_print", card),
    Card("credit:card_edit", card, needs=EDIT),
    Card("credit:card_edit", card, "post", needs=EDIT, ok=302, state=count("credit.CreditCard"),
         data={"version": "0", "health": "good", "brands-TOTAL_FORMS": "5", "brands-INITIAL_FORMS": "0"}),
    Chain("credit:request_limit", card, needs=EDIT + (REQUEST_CREDIT,)),
    Chain("credit:request_limit", card, "post", data={"amount": "10000", "reasons": "试"}, needs=EDIT + (REQUEST_CREDIT,),
          ok=302, state=count("credit.CreditRequest")),
    Chain("credit:request_detail", limit_request),
    Chain("credit:request_decide", limit_request, "post", data={"decision": "approve", "comment": "同意"},
          needs=(SIGN_CREDIT,), who=the_awaited_signer, ok=302, state=request_state),
    Chain("credit:request_withdraw", limit_request, "post", who=who_asked, ok=302, state=request_state),
    Check("credit:order_confirm", draft, "post", data=lambda m: {"version": m["version"]}, needs=(TAKE_ORDERS,),
          ok=302, state=order_status),
    Check("credit:order_override", draft, "post", data={"reasons": "春节备货"}, needs=(HANDLE_ORDERS, REQUEST_CREDIT),
          ok=302, state=count("credit.CreditRequest")),
    Route("credit:order_discount", below_floor, "post", data={"reasons": "年度大单"}, needs=(HANDLE_ORDERS, REQUEST_CREDIT),
          ok=302, state=count("credit.CreditRequest"), rule="ORD-1"),
    Route("credit-request-list", scoped=False),
    Route("credit-request-detail", override_request),
    Route("customer-credit", card),
    Route("order-confirm", draft, "post", data=lambda m: {"version": m["version"]}, needs=(TAKE_ORDERS,),
          state=order_status),
    Route("credit-request-list", customer_ref, "post", needs=(REQUEST_CREDIT,), ok=201, note="limit",
          data=lambda m: {"customer": m["customer"], "amount": "50000", "reasons": "扩大经营"},
          state=count("credit.CreditRequest")),
    Route("credit-request-list", draft, "post", args=lambda m: [], needs=(REQUEST_CREDIT,), ok=201, note="override",
          data=lambda m: {"kind": "override", "order": m["pk"], "reasons": "急单"},
          state=count("credit.CreditRequest")),
    Route("credit-request-list", below_floor, "post", args=lambda m: [], needs=(REQUEST_CREDIT,), ok=201,
          note="discount", data=lambda m: {"kind": "discount", "order": m["pk"], "reasons": "年度大单"},
          state=count("credit.CreditRequest"), rule="ORD-1"),
    Route("credit-request-decide", override_request, "post", data={"approve": True, "comment": "同意"},
          needs=(SIGN_CREDIT,), who=the_awaited_signer, state=request_state),
]
