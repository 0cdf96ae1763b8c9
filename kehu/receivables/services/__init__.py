"""Writes of the receivables: the ledger's (services.ledger: invoices, payments, allocations,
credit notes, collection plans) and the collection work's (services.collection: attempts,
promises, the morning run). Callers use `services.payment_post(...)` as before."""

from kehu.receivables.services.collection import (
    attempt_log,
    check_cancellable,
    collection_day,
    may_cancel,
    promise_cancel,
)
from kehu.receivables.services.ledger import (
    INVOICE_COLUMNS,
    PLANNABLE,
    ImportResult,
    credit_note_apply,
    due_date_for,
    instalment_status,
    invoice_import,
    order_invoice,
    payment_allocate,
    payment_post,
    payment_reverse,
    plan_create,
    plan_void,
    return_record,
)

__all__ = [
    "INVOICE_COLUMNS",
    "PLANNABLE",
    "ImportResult",
    "attempt_log",
    "collection_day",
    "credit_note_apply",
    "due_date_for",
    "instalment_status",
    "invoice_import",
    "order_invoice",
    "payment_allocate",
    "payment_post",
    "payment_reverse",
    "plan_create",
    "plan_void",
    "promise_cancel",
    "check_cancellable",
    "may_cancel",
    "return_record",
]
