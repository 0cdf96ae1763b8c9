"""The receivables pages and endpoints in the permission matrix (kehu/core/tests/test_permission_matrix.py).
Money is not after-sales service's function: every ledger page and endpoint refuses it (403)
before looking at the record (SEE_RECEIVABLES is a gate)."""

from functools import partial

from kehu.core.tests.matrix import (
    Route,
    card,
    confirmed,
    count,
    customer_ref,
    day,
    delivered,
    invoice,
    ledger_state,
    order_status,
    payment,
    payment_and_invoice,
    plan,
    promise,
    settled,
)
from kehu.receivables.capabilities import COLLECT, KEEP_LEDGER, SEE_RECEIVABLES
from kehu.sales.capabilities import HANDLE_ORDERS, TAKE_ORDERS

SEE = (SEE_RECEIVABLES,)
Ledger = partial(Route, rule="AR-1", gate=SEE)
Collection = partial(Route, rule="AR-2", gate=SEE)
Report = partial(Route, rule="AR-3", gate=SEE, scoped=False)
Api = partial(Route, gate=SEE)
ONE_INSTALMENT = [{"due_on": day(30), "amount": "200"}]  # the whole order (2 × ¥100)


def promise_status(made):
    from kehu.receivables.models import Promise

    return Promise.objects.get(pk=made["pk"]).status


def for_customer(made):
    return {"customer": made["customer"]}


def finance_job(ctx, side) -> dict:
    """An invoice import job of finance's, ended (core.jobs): only finance knows of it."""
    from kehu.core.models import Job
    from kehu.receivables.jobs import INVOICE_IMPORT

    job = Job.objects.create(kind=INVOICE_IMPORT, created_by=ctx.users["finance"], status=Job.Status.DONE,
                             result={"message": "Invoices imported: 0.", "counts": {"created": 0}, "errors": []})
    return {"pk": job.pk}


def job_owner(role, side) -> bool:
    return role == "finance"


Job = partial(Route, make=finance_job, scoped=False, who=job_owner, not_who=404, rule="PLT-4")

ROUTES = [
    # A background job (core.jobs) of an invoice import: its owner's only, 404 to anyone else.
    Job("core:job", ok=302), Job("core:job_progress"), Job("core:job_result"), Job("api-job"),
    *(Ledger(f"receivables:{name}", scoped=False) for name in ("invoice_list", "invoice_export", "payment_list",
                                                               "payment_export")),
    *(Report(f"receivables:{name}") for name in ("ageing", "ageing_export", "ageing_invoices", "collection_rate",
                                                 "collection_rate_export", "collection_work", "promise_list")),
    Ledger("receivables:payment_create", scoped=False, gate=SEE + (COLLECT,)),
    Ledger("receivables:invoice_import", scoped=False, needs=(KEEP_LEDGER,)),
    Ledger("receivables:invoice_import_template", scoped=False, needs=(KEEP_LEDGER,)),
    Ledger("receivables:invoice_detail", invoice),
    Ledger("receivables:payment_detail", payment),
    Ledger("receivables:payment_receipt", payment),
    Ledger("receivables:plan_detail", plan),
    Ledger("receivables:customer_ledger", card),
    Ledger("receivables:customer_ledger_export", card),
    Ledger("panel", card, args=lambda m: ["customer", "receivables", m["pk"]]),
    Ledger("receivables:payment_create", customer_ref, query=for_customer, gate=SEE + (COLLECT,)),
    Ledger("receivables:plan_create", confirmed, needs=(COLLECT,)),
    # Writes with nothing to change: the status says who may, and nothing changes.
    Ledger("receivables:payment_create", customer_ref, "post", query=for_customer, data={"amount": ""},
           gate=SEE + (COLLECT,), state=ledger_state, changes=False),
    Ledger("receivables:payment_allocate", payment, "post", data={"apply": "oldest"}, needs=(COLLECT,), ok=302,
           state=ledger_state, changes=False),
    Ledger("receivables:payment_reverse", payment, "post", data={"reason": ""}, needs=(KEEP_LEDGER,),
           state=ledger_state, changes=False),
    Ledger("receivables:plan_void", plan, "post", data={"reason": " "}, needs=(COLLECT,), state=ledger_state,
           changes=False),
    Ledger("receivables:plan_create", confirmed, "post", data={}, needs=(COLLECT,), state=ledger_state,
           changes=False),
    # The order's steps that write money (AR-1, ORD-2): those who handle orders invoice, those who take them
    # record returns; neither is a receivables page, so service is refused by the order's rule.
    Route("receivables:order_invoice", delivered, "post", data=lambda m: {"version": m["version"]}, needs=(HANDLE_ORDERS,),
          ok=302, state=order_status, rule="ORD-1"),
    Route("receivables:order_close", settled, "post", data=lambda m: {"version": m["version"]},
          needs=(HANDLE_ORDERS,), ok=302, state=order_status, rule="ORD-1"),
    Route("receivables:return_create", delivered, needs=(HANDLE_ORDERS, TAKE_ORDERS), rule="ORD-2"),
    Collection("receivables:attempt_create", card, needs=(COLLECT,)),
    Collection("receivables:attempt_create", card, "post", data={"channel": "call", "outcome": "reminded"},
               needs=(COLLECT,), ok=302, state=count("receivables.CollectionAttempt")),
    Collection("receivables:promise_cancel", promise, needs=(COLLECT,)),
    Collection("receivables:promise_cancel", promise, "post", data={}, needs=(COLLECT,), ok=302,
               state=promise_status),
    *(Api(name, scoped=False) for name in ("invoice-list", "payment-list", "allocation-list", "promise-list",
                                           "collection-plan-list")),
    *(Api(name, scoped=False, query=lambda m: {"by": "customer"}) for name in ("ageing", "collection-rate")),
    Api("invoice-detail", invoice),
    Api("payment-detail", payment),
    Api("promise-detail", promise),
    Api("collection-plan-detail", plan),
    Api("payment-list", customer_ref, "post", data=lambda m: {"customer": m["customer"], "amount": "10",
                                                              "method": "cash"},
        needs=(COLLECT,), ok=201, state=ledger_state),
    Api("payment-allocate", payment_and_invoice, "post", needs=(COLLECT,), state=ledger_state,
        data=lambda m: {"allocations": [{"invoice": m["invoice"], "amount": "10"}]}),
    Api("payment-reverse", payment, "post", data={"reason": "支票退票"}, needs=(KEEP_LEDGER,), state=ledger_state),
    Api("promise-list", customer_ref, "post", needs=(COLLECT,), ok=201, state=ledger_state,
        data=lambda m: {"customer": m["customer"], "promised_on": day(3), "amount": "20"}),
    Api("promise-cancel", promise, "post", data={}, needs=(COLLECT,), state=ledger_state),
    Api("collection-plan-list", confirmed, "post", args=lambda m: [], needs=(COLLECT,), ok=201, state=ledger_state,
        data=lambda m: {"order": m["pk"], "instalments": ONE_INSTALMENT}),
    Api("collection-plan-void", plan, "post", data={"reason": "改为一次付清"}, needs=(COLLECT,), state=ledger_state),
    Api("invoice-import-rows", customer_ref, "post", scoped=False, needs=(KEEP_LEDGER,), ok=202, state=ledger_state,
        data=lambda m: {"rows": [{"customer": m["code"], "number": "IMP-1", "issued_on": day(0), "amount": "10"}]}),
    # The order's steps on the order's URL; the order's rule decides (sales.capabilities).
    Route("order-invoice", delivered, "post", data=lambda m: {"version": m["version"]}, needs=(HANDLE_ORDERS,),
          state=order_status),
    Route("order-close", settled, "post", data=lambda m: {"version": m["version"]}, needs=(HANDLE_ORDERS,),
          state=order_status),
    Route("order-returns", delivered, "post", needs=(TAKE_ORDERS,), ok=201, state=count("sales.Return"),
          data=lambda m: {"version": m["version"], "kind": "returned", "reason": "defect", "responsible": "生产部",
                          "lines": [{"order_line": m["line"], "quantity": 1}]}),
]
