"""The sales pages and endpoints in the permission matrix (kehu/core/tests/test_permission_matrix.py).
After-sales service reads orders; finance also invoices and closes them; the rest take orders."""

from functools import partial

from kehu.core.tests.matrix import (
    Route,
    a_return,
    card,
    confirmed,
    count,
    customer_ref,
    delivered,
    draft,
    order_status,
)
from kehu.sales.capabilities import HANDLE_ORDERS, MAINTAIN_PRODUCTS, TAKE_ORDERS

TAKE = (TAKE_ORDERS,)
HANDLE = (HANDLE_ORDERS,)
Page = partial(Route, rule="ORD-1")


def product(ctx, side):
    return {"pk": ctx.product.pk, "version": ctx.product.version}


def follow_up_of(made):
    from kehu.sales.models import Return

    return Return.objects.values_list("follow_up", "follow_up_done").get(pk=made["pk"])


def step(made):
    return {"version": made["version"], "reason": "测试"}


ROUTES = [
    *(Page(f"sales:{name}", scoped=False) for name in ("order_list", "order_export", "return_list",
                                                         "returns_analysis", "product_list", "product_export")),
    Page("sales:product_import", scoped=False, needs=(MAINTAIN_PRODUCTS,)),
    Page("sales:order_create", scoped=False, needs=TAKE),
    Page("sales:order_customer_options", scoped=False, needs=TAKE),
    # The form for a customer: only those who take orders get to look the customer up.
    Page("sales:order_create", customer_ref, query=lambda m: {"customer": m["customer"]}, gate=TAKE),
    # Someone else's customer is simply not among the choices: the form comes back (200).
    Page("sales:order_create", customer_ref, "post", gate=TAKE, ok=302, outside=200,
         data=lambda m: {"customer": m["customer"], "lines-0-product": m["product"], "lines-0-quantity": "1"},
         state=count("sales.Order")),
    Page("sales:order_detail", delivered),
    Page("sales:order_edit", draft, needs=HANDLE + TAKE),
    Page("sales:order_advance", draft, "post", data=lambda m: {"to": "cancelled", "version": m["version"],
                                                               "reason": "改单"},
         needs=TAKE, ok=302, state=order_status),
    Page("sales:return_detail", a_return),
    Page("panel", card, args=lambda m: ["customer", "orders", m["pk"]]),
    Page("sales:return_follow_up", a_return, "post", data={"follow_up": "已处理", "done": "on"}, needs=TAKE, ok=302,
         state=follow_up_of),
    Route("product-list", scoped=False),
    Route("product-list", method="post", scoped=False, needs=(MAINTAIN_PRODUCTS,), ok=201,
          data={"code": "X-1", "name": "新品", "list_price": "1.00", "line": "日化"}, state=count("sales.Product")),
    Route("product-detail", product, scoped=False),
    Route("product-detail", product, "patch", scoped=False, needs=(MAINTAIN_PRODUCTS,),
          data=lambda m: {"version": m["version"], "spec": "新规格"}),
    Route("order-list", scoped=False),
    Route("order-list", customer_ref, "post", needs=TAKE, ok=201, state=count("sales.Order"),
          data=lambda m: {"customer": m["customer"], "lines": [{"product": m["product"], "quantity": 1}]}),
    Route("order-detail", confirmed),
    Route("order-deliver", confirmed, "post", data=step, needs=TAKE, state=order_status),
    Route("order-cancel", draft, "post", data=step, needs=TAKE, state=order_status),
    Route("return-list", scoped=False),
    Route("return-detail", a_return),
]
