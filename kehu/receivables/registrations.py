"""What receivables show on other apps' pages (core.registry): the navigation entry, the
receivables block of the customer's 360° page (lazy), on the order page its invoice and
plan with the steps "Mark as invoiced", "Close the order" (once its receivable is settled)
and "Record a return" (a return of an invoiced order
writes its credit note, AR-1), the money cards of the home page, the reports, and the
collection work of the daily plan."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kehu.core import periods
from kehu.core.capabilities import user_can
from kehu.core.money import money
from kehu.core.registry import (
    Action,
    Card,
    DueItem,
    DueSource,
    JobKind,
    ListColumn,
    NavEntry,
    Panel,
    Report,
    TimelineEntry,
    TimelineSource,
    registry,
)
from kehu.receivables import jobs, selectors
from kehu.receivables.capabilities import COLLECT, SEE_RECEIVABLES
from kehu.receivables.services import PLANNABLE, close_refusal
from kehu.sales.services import order_actions

RECENT_PAYMENTS = 5
RECENT_PROMISES = 5
OPEN_INVOICES_SHOWN = 10


def sees_receivables(user) -> bool:
    return user_can(user, SEE_RECEIVABLES)


def customer_block(request, customer) -> dict | None:
    """AR-1..4 on the 360° page: open invoices, recent payments and promises, the customer's
    ageing and collection rate. A fixed number of queries, however many invoices it has."""
    user = request.user
    if not sees_receivables(user):
        return None
    today = timezone.localdate()
    ids = [customer.pk]
    month_start, month_end = periods.month_bounds(today)
    # by="company" over one customer: the customer's own figures without a query for its name.
    _rows, ageing = selectors.ageing(user, as_of=today, by="company", customer_ids=ids)
    _rows, this_month = selectors.collection_rate(user, start=month_start, end=month_end, by="company",
                                                  customer_ids=ids)
    three_start, three_end = periods.month_start(today, 3), month_start - timedelta(days=1)
    _rows, three_months = selectors.collection_rate(user, start=three_start, end=three_end, by="company",
                                                    customer_ids=ids)
    invoices = list(selectors.open_invoices_of(customer.pk)[:OPEN_INVOICES_SHOWN + 1])
    for invoice in invoices:
        invoice.late = invoice.days_overdue(today)
    return {
        "show": True, "customer": customer, "today": today,
        "invoices": invoices[:OPEN_INVOICES_SHOWN], "more_invoices": len(invoices) > OPEN_INVOICES_SHOWN,
        "payments": list(selectors.payments_of(customer, limit=RECENT_PAYMENTS)),
        "promises": list(selectors.promises_of(customer, limit=RECENT_PROMISES)),
        "ageing": ageing, "buckets": [(key, label, ageing.buckets[key]) for key, label in selectors.BUCKETS],
        "rate_month": this_month, "rate_three": three_months,
        "month_start": month_start, "three_start": three_start, "three_end": three_end,
    }


def customer_actions(request, customer) -> dict | None:
    """AR-2, AR-1: 记录催收 and 登记收款 in the 360° page's header, for those who collect; the
    attempt returns to the tab it was started from (`next`, core.views.next_url)."""
    if not user_can(request.user, COLLECT):
        return None
    return {"customer": customer}


def order_receivable(request, order) -> dict | None:
    """AR-1, AR-5 on the order page: its invoice with what stays open, and its collection plan."""
    if not sees_receivables(request.user):
        return None
    return {"show": True, "order": order, "invoice": getattr(order, "invoice", None),
            "plan": selectors.active_plan_of(order),
            "can_plan": user_can(request.user, COLLECT) and order.status in PLANNABLE}


def invoice_button(request, order) -> dict | None:
    return {"order": order} if order_actions(user=request.user, order=order)["invoice"] else None


def close_button(request, order) -> dict | None:
    """结案: shown to those who may close the invoiced order; while its receivable is open the
    button is disabled and says why (receivables.services.close_refusal, as the step checks)."""
    if not order_actions(user=request.user, order=order)["close"]:
        return None
    invoice = getattr(order, "invoice", None)
    return {"order": order, "invoice": invoice, "refusal": close_refusal(order, invoice)}


def return_button(request, order) -> dict | None:
    return {"order": order} if order_actions(user=request.user, order=order)["return"] else None


def home_money(request) -> dict | None:
    """AR-4: sales and collection rate, a salesperson's two headline measures; overdue and
    today's collection work."""
    money = selectors.headline_for(request.user)
    return {"money": money} if money else None


def collection_due(user, day) -> list[DueItem]:
    """REL-4: the collection tasks and the promises to pay due on the day."""
    if not user_can(user, COLLECT):
        return []
    items = [DueItem(kind="collection_task", title=f"{task.get_kind_display()} · {task.customer.name}",
                     url=reverse("receivables:collection_work"), due_on=task.due_on, customer_id=task.customer_id,
                     key=f"task:{task.pk}")
             for task in selectors.collection_tasks_for(user, on=day)]
    items += [DueItem(kind="promise", title=gettext("Promise to pay · %(name)s") % {"name": promise.customer.name},
                      url=reverse("receivables:promise_list"), due_on=promise.promised_on,
                      customer_id=promise.customer_id, key=f"promise:{promise.pk}")
              for promise in selectors.promises_due_for(user, on=day)]
    return items


def payment_entries(user, customer, limit: int) -> list[TimelineEntry]:
    """AR-1: payments received and reversed (the receipts themselves, written by the services)."""
    entries = []
    for p in selectors.payments_of(customer, limit=limit):
        url = reverse("receivables:payment_detail", args=[p.pk])
        entries.append(TimelineEntry(at=p.created_at, kind="payment", url=url, by=p.collector.display_name,
                                     text=gettext("Receipt %(number)s: %(amount)s received") % {
                                         "number": p.number, "amount": money(p.amount)}))
        if p.reversed_on:
            entries.append(TimelineEntry(at=p.updated_at, kind="reversal", url=url,
                                         by=p.reversed_by.display_name if p.reversed_by else "",
                                         text=gettext("Receipt %(number)s reversed: %(reason)s") % {
                                             "number": p.number, "reason": p.reversal_reason}))
    return entries


def balance_cells(user, ids: list[int]) -> dict:
    """The customer list's balance column (AR-1, AR-3): what each customer owes, and how many
    days the oldest open invoice is overdue; three queries for the page (open invoices, receipts
    and credit notes on account)."""
    cells = {}
    for pk, (balance, late) in selectors.receivables_position(ids).items():
        badge = format_html(' <span class="badge text-bg-danger">{}</span>', ngettext(
            "%(days)s day overdue", "%(days)s days overdue", late) % {"days": late}) if late else ""
        cells[pk] = format_html('<span class="text-nowrap">{}</span>{}', money(balance), badge)
    return cells


def register() -> None:
    registry.add(JobKind(key=jobs.INVOICE_IMPORT, label=_("Import invoices"), run=jobs.import_file,
                         back="receivables:invoice_list"))
    registry.add(JobKind(key=jobs.INVOICE_IMPORT_ROWS, label=_("Import invoices"), run=jobs.import_rows,
                         back="receivables:invoice_list"))
    registry.add(JobKind(key=jobs.INVOICE_IMPORT_BODY, label=_("Import invoices"), run=jobs.import_body,
                         back="receivables:invoice_list"))
    registry.add(NavEntry(key="receivables", label=_("Receivables"), url_name="receivables:invoice_list", order=60,
                          visible=sees_receivables, element_id="nav-receivables"))
    registry.add(ListColumn(key="balance", page="customers", header=_("balance owed"), values=balance_cells,
                            css="text-end", order=10, visible=sees_receivables, query_budget=3))
    registry.add(Panel(key="receivables", page="customer", tab="business", label=_("Receivables"),
                       template="receivables/_customer_receivables.html", context=customer_block, order=30,
                       lazy=True, visible=sees_receivables, query_budget=12))
    registry.add(Action(key="collect", page="customer", template="receivables/_customer_actions.html",
                        context=customer_actions, order=10))
    registry.add(Panel(key="receivable", page="order", tab="side", template="receivables/_order_receivable.html",
                       context=order_receivable, order=20, query_budget=2))
    registry.add(Action(key="invoice", page="order", template="receivables/_order_invoice.html",
                        context=invoice_button, order=30))
    registry.add(Action(key="close", page="order", template="receivables/_order_close.html",
                        context=close_button, order=40))
    registry.add(Action(key="return", page="order", template="receivables/_order_return.html",
                        context=return_button, order=60))
    registry.add(Card(key="money", template="receivables/_home_money.html", context=home_money, order=10))
    registry.add(Report(key="ageing", label=_("Ageing"), url_name="receivables:ageing", order=20,
                        visible=sees_receivables))
    registry.add(Report(key="collection-rate", label=_("Collection rate"), url_name="receivables:collection_rate",
                        order=30, visible=sees_receivables))
    registry.add(TimelineSource(key="payments", label=_("Payments"), entries=payment_entries, order=30,
                                visible=sees_receivables, query_budget=1))
    registry.add(DueSource(key="collection", label=_("Collection work"), items=collection_due, order=30))
