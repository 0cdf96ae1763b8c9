"""Ledger pages: invoices, payments and receipts, plans (AR-1, AR-5). Thin: parse the
request, call a selector or service, render."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.selectors import office_choices_for, owner_choices_for
from kehu.core.access import require
from kehu.core.capabilities import user_can
from kehu.core.errors import UserInputError
from kehu.core.excel import Column, export_response
from kehu.core.filtering import filterset_for
from kehu.core.forms import ImportFileForm, apply_line_errors
from kehu.core.models import CompanyProfile
from kehu.core.money import ZERO, money
from kehu.core.pagination import kept_until_changed, list_page
from kehu.core.text import fold
from kehu.core.views import post_step
from kehu.customers.selectors import customer_get_for_user, customers_visible_to
from kehu.receivables import selectors, services
from kehu.receivables.capabilities import COLLECT, KEEP_LEDGER, SEE_RECEIVABLES
from kehu.receivables.filters import INVOICE_STATUSES, YES_NO, InvoiceFilter, PaymentFilter
from kehu.receivables.forms import (
    InvoiceStepForm,
    PaymentForm,
    PlanForm,
    ReasonForm,
    allocation_rows,
    allocations_from,
    instalment_forms,
    instalment_rows,
    invoice_headers,
    invoice_rows,
)
from kehu.receivables.jobs import INVOICE_IMPORT
from kehu.receivables.models import ReceiptMethod
from kehu.receivables.receipt import amount_in_words
from kehu.sales import selectors as sales_selectors
from kehu.sales.capabilities import TAKE_ORDERS
from kehu.sales.forms import ReturnForm
from kehu.sales.models import Order, Return

CUSTOMER_CHOICES = 20


def _see(request) -> None:
    """Every ledger page: after-sales service staff do not handle money (403)."""
    require(request.user, SEE_RECEIVABLES, _("Your role does not see receivables."))


def _sums(qs, **amounts) -> dict:
    """Totals of the filtered set in one query (an empty set sums to zero)."""
    # Named apart from the model's fields: an aggregate may not share a field's name.
    sums = qs.order_by().aggregate(**{f"sum_{k}": Coalesce(v, Value(ZERO)) for k, v in amounts.items()})
    return {k: sums[f"sum_{k}"] for k in amounts}


def _refuse(form, exc) -> None:
    """A service's refusal on the form: the message on top, field errors on their fields."""
    form.add_error(None, exc.message)
    for field, errors in (exc.field_errors or {}).items():
        if field in form.fields and not form.fields[field].widget.is_hidden:
            for error in errors:
                form.add_error(field, error)


# --- invoices (AR-1) ---------------------------------------------------------------------------------------

def _invoices(request):
    # The list opens with what is still to collect, the longest overdue first (its default
    # order); choosing "all" in the status box shows the paid ones too.
    return filterset_for(request, InvoiceFilter, selectors.invoices_visible_to(request.user),
                         defaults={"status": "open"})


@login_required
@require_GET
def invoice_list(request):
    _see(request)
    filterset = _invoices(request)
    return render(request, "receivables/invoice_list.html", {
        "filter": filterset,
        "page": list_page(request, filterset.qs, rows=selectors.invoice_list_rows(), generation=selectors.INVOICE_LIST),
        "totals": kept_until_changed(selectors.INVOICE_LIST, filterset.qs,
                                     lambda qs: _sums(qs, amount=Sum("amount"), open=Sum("open_amount"))),
        "status_choices": INVOICE_STATUSES,
        "owner_choices": owner_choices_for(request.user), "office_choices": office_choices_for(request.user),
        "today": timezone.localdate(), "can_import": user_can(request.user, KEEP_LEDGER),
    })


def _invoice_columns(today) -> list[Column]:
    return [
        Column(_("invoice number"), "number"), Column(_("customer code"), "customer.code"),
        Column(_("customer"), "customer.name"), Column(_("salesperson"), "customer.owner.display_name"),
        Column(_("invoice date"), "issued_on"), Column(_("due date"), "due_on"), Column(_("amount"), "amount"),
        Column(_("settled"), "settled"), Column(_("credited"), "credited"), Column(_("open amount"), "open_amount"),
        Column(_("days overdue"), lambda i: i.days_overdue(today)), Column(_("order number"), "order.number"),
        Column(_("note"), "note"),
    ]


@login_required
@require_GET
def invoice_export(request):
    _see(request)
    return export_response(_invoices(request).qs, _invoice_columns(timezone.localdate()),
                           sheet_name=_("Invoices"), filename="invoices")


@login_required
@require_GET
def invoice_detail(request, pk):
    _see(request)
    invoice = selectors.invoice_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    return render(request, "receivables/invoice_detail.html", {
        "invoice": invoice, "allocations": selectors.allocations_of_invoice(invoice),
        "promises": invoice.promises.select_related("recorded_by").order_by("promised_on", "id"),
        "days_overdue": invoice.days_overdue(today), "today": today,
        "can_collect": user_can(request.user, COLLECT),
    })


@login_required
@require_http_methods(["GET", "POST"])
def invoice_import(request):
    _see(request)
    require(request.user, KEEP_LEDGER, _("Only finance imports invoices."))
    form = ImportFileForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    result, unknown = None, []
    if request.method == "POST" and form.is_valid():
        try:
            job = form.background(INVOICE_IMPORT, by=request.user)  # a large file: in the worker
            if job is not None:
                return redirect(job)
            headers, body = form.table()
            rows, unknown = invoice_rows(headers, body)
            result = services.invoice_import(by=request.user, rows=rows)
        except UserInputError as exc:
            form.add_error("file", exc.message)
        else:
            if not result.errors:
                messages.success(request, _("Invoices imported: %(count)d.") % {"count": result.created})
                return redirect("receivables:invoice_list")
    return render(request, "receivables/invoice_import.html", {
        "form": form, "result": result, "unknown": unknown, "columns": invoice_headers(),
        "heading": _("Import invoices"), "back": "receivables:invoice_list"})


@login_required
@require_GET
def invoice_import_template(request):
    _see(request)
    require(request.user, KEEP_LEDGER, _("Only finance imports invoices."))
    # The import's columns, empty: the sheet to fill in.
    return export_response([], [Column(header, "") for header in invoice_headers()], sheet_name=_("Invoices"),
                           filename="invoice-import")


# --- payments (AR-1) ---------------------------------------------------------------------------------------

def _payments(request):
    return filterset_for(request, PaymentFilter, selectors.payments_visible_to(request.user))


@login_required
@require_GET
def payment_list(request):
    _see(request)
    filterset = _payments(request)
    standing = Q(reversed_on__isnull=True)
    return render(request, "receivables/payment_list.html", {
        "filter": filterset,
        "page": list_page(request, filterset.qs, rows=selectors.payment_list_rows(), generation=selectors.PAYMENT_LIST),
        "totals": kept_until_changed(selectors.PAYMENT_LIST, filterset.qs, lambda qs: _sums(
            qs, amount=Sum("amount", filter=standing), on_account=Sum("unallocated"),
            reversed=Sum("amount", filter=~standing))),
        "method_choices": ReceiptMethod.choices, "office_choices": office_choices_for(request.user),
        "reversed_choices": YES_NO,
        "can_collect": user_can(request.user, COLLECT),
    })


PAYMENT_EXPORT = [
    Column(gettext_lazy("receipt number"), "number"), Column(gettext_lazy("date received"), "received_on"),
    Column(gettext_lazy("office"), "office.name"), Column(gettext_lazy("customer code"), "customer.code"),
    Column(gettext_lazy("customer"), "customer.name"), Column(gettext_lazy("payment method"), "get_method_display"),
    Column(gettext_lazy("amount"), "amount"), Column(pgettext_lazy("part of a receipt", "on account"), "unallocated"),
    Column(gettext_lazy("collected by"), "collector.display_name"), Column(gettext_lazy("reference"), "reference"),
    Column(gettext_lazy("reversed on"), "reversed_on"),
    Column(gettext_lazy("reason for the reversal"), "reversal_reason"), Column(gettext_lazy("note"), "note"),
]


@login_required
@require_GET
def payment_export(request):
    _see(request)
    return export_response(_payments(request).qs, PAYMENT_EXPORT, sheet_name=_("Payments"), filename="payments")


def _customer_search(request) -> list[dict]:
    """The payment form without a customer: the user's customers matching a name or code, those
    who owe something first (the longest overdue first), each with its balance and days overdue."""
    search = fold(request.GET.get("q", "").strip()[:100])
    qs = customers_visible_to(request.user)
    if search:
        qs = qs.filter(search_text__contains=search)
    return selectors.owing_first(qs, limit=CUSTOMER_CHOICES)


@login_required
@require_http_methods(["GET", "POST"])
def payment_create(request):
    _see(request)
    require(request.user, COLLECT, _("Your role does not record payments."))
    if not request.GET.get("customer"):
        return render(request, "receivables/payment_form.html", {
            "customers": _customer_search(request), "search": request.GET.get("q", "")})
    customer = customer_get_for_user(user=request.user, pk=request.GET["customer"])
    form = PaymentForm(request.POST if request.method == "POST" else None, user=request.user, initial={
        "received_on": timezone.localdate(), "method": ReceiptMethod.TRANSFER, "collector": request.user.pk,
        "office": customer.office_id or "", "auto": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_post(
                by=request.user, customer=customer, amount=data["amount"], method=data["method"],
                received_on=data["received_on"], office=data["office"] or None, collector=data["collector"],
                reference=data["reference"], note=data["note"],
                allocations=allocations_from(request.POST, auto=data["auto"]))
        except UserInputError as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("Receipt %(number)s recorded: %(amount)s received, %(on_account)s on account.")
                             % {"number": payment.number, "amount": money(payment.amount),
                                "on_account": money(payment.unallocated)})
            return redirect("receivables:payment_detail", payment.pk)
    invoices = selectors.open_invoices_of(customer.pk)
    return render(request, "receivables/payment_form.html", {
        "customer": customer, "form": form,
        "rows": allocation_rows(invoices, typed=request.POST if request.method == "POST" else None),
        "today": timezone.localdate(),
    })


def _payment_page(request, payment, *, refusal: str = "", typed=None, reason_form=None, status: int = 200):
    allocations = list(selectors.allocations_of_payment(payment))
    standing = {a.invoice_id: a.amount for a in allocations if a.is_standing}
    invoices = list(selectors.invoices_payment_may_settle(payment))
    user = request.user
    return render(request, "receivables/payment_detail.html", {
        "payment": payment, "allocations": allocations,
        "allocated": sum(standing.values(), ZERO), "amount_cents": int(payment.amount * 100),
        "rows": [] if payment.is_reversed else allocation_rows(invoices, typed=typed, standing=standing),
        "refusal": refusal, "reason_form": reason_form or ReasonForm(),
        "can_collect": user_can(user, COLLECT) and not payment.is_reversed,
        "can_reverse": user_can(user, KEEP_LEDGER) and not payment.is_reversed,
        "today": timezone.localdate(),
    }, status=status)


def _reasoned_step(request, record, page, act, *, done: str):
    """A step that takes a reason (reverse a receipt, void a plan): a refusal is shown on the
    record's page with the reason typed kept; success returns to the page with `done`."""
    form = ReasonForm(request.POST)
    try:
        act(form.cleaned_data["reason"] if form.is_valid() else "")
    except UserInputError as exc:
        return page(request, record, reason_form=form, refusal=exc.message)
    messages.success(request, done)
    return redirect(record.get_absolute_url())


@login_required
@require_GET
def payment_detail(request, pk):
    _see(request)
    return _payment_page(request, selectors.payment_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def payment_allocate(request, pk):
    _see(request)
    payment = selectors.payment_get_for_user(user=request.user, pk=pk)
    require(request.user, COLLECT, _("Your role does not allocate payments."))
    auto = request.POST.get("apply") == "oldest"  # "Apply credit on account oldest first"
    try:
        payment = services.payment_allocate(by=request.user, payment=payment,
                                            allocations=None if auto else allocations_from(request.POST, auto=False))
    except UserInputError as exc:
        return _payment_page(request, payment, refusal=exc.message, typed=None if auto else request.POST)
    messages.success(request, _("Receipt %(number)s re-allocated: %(on_account)s stays on account.")
                     % {"number": payment.number, "on_account": money(payment.unallocated)})
    return redirect("receivables:payment_detail", payment.pk)


@login_required
@require_POST
def payment_reverse(request, pk):
    _see(request)
    payment = selectors.payment_get_for_user(user=request.user, pk=pk)
    require(request.user, KEEP_LEDGER, _("Only finance can reverse a payment."))
    return _reasoned_step(
        request, payment, _payment_page,
        lambda reason: services.payment_reverse(by=request.user, payment=payment, reason=reason),
        done=_("Receipt %(number)s reversed: the invoices it settled are open again.") % {"number": payment.number})


@login_required
@require_GET
def payment_receipt(request, pk):
    _see(request)
    payment = selectors.payment_get_for_user(user=request.user, pk=pk)
    allocations = [a for a in selectors.allocations_of_payment(payment) if a.is_standing]
    return render(request, "receivables/payment_receipt.html", {
        "payment": payment, "allocations": allocations, "in_words": amount_in_words(payment.amount),
        "company": CompanyProfile.current(),
    })


# --- collection plans (AR-5) --------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, pk):
    _see(request)
    order = sales_selectors.order_get_for_user(user=request.user, pk=pk)
    require(request.user, COLLECT, _("Your role does not plan collections."))
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data)
    rows = instalment_forms(data)
    if request.method == "POST" and not all(f.is_valid() for f in rows):
        form.add_error(None, _("An instalment row holds a value too long to be a date, an amount or days."))
    elif request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(by=request.user, order=order, instalments=instalment_rows(rows),
                                        note=form.cleaned_data["note"])
        except UserInputError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Collection plan of order %(number)s saved: %(count)d instalments.")
                             % {"number": order.number, "count": plan.instalments.count()})
            return redirect("receivables:plan_detail", plan.pk)
    return render(request, "receivables/plan_form.html", {
        "order": order, "form": form, "rows": rows, "active": selectors.active_plan_of(order),
        "invoice": getattr(order, "invoice", None),
    })


def _plan_page(request, plan, *, reason_form=None, refusal: str = ""):
    return render(request, "receivables/plan_detail.html", {
        "plan": plan, "instalments": selectors.instalments_of(plan),
        "invoice": getattr(plan.order, "invoice", None),
        "reason_form": reason_form or ReasonForm(), "refusal": refusal,
        "can_void": user_can(request.user, COLLECT) and plan.status == plan.Status.ACTIVE,
    })


@login_required
@require_GET
def plan_detail(request, pk):
    _see(request)
    return _plan_page(request, selectors.plan_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def plan_void(request, pk):
    _see(request)
    plan = selectors.plan_get_for_user(user=request.user, pk=pk)
    require(request.user, COLLECT, _("Your role does not plan collections."))
    return _reasoned_step(
        request, plan, _plan_page, lambda reason: services.plan_void(by=request.user, plan=plan, reason=reason),
        done=_("The collection plan of order %(number)s was voided.") % {"number": plan.order.number})


# --- the customer's statement of account (AR-1) -----------------------------------------------------------

def _ledger_customer(request, pk):
    _see(request)
    return customer_get_for_user(user=request.user, pk=pk)


@login_required
@require_GET
def customer_ledger(request, pk):
    customer = _ledger_customer(request, pk)
    entries = selectors.ledger_of(customer)
    return render(request, "receivables/customer_ledger.html", {
        "customer": customer, "entries": entries,
        "debit": sum((e["debit"] for e in entries), ZERO), "credit": sum((e["credit"] for e in entries), ZERO),
        "balance": entries[-1]["balance"] if entries else ZERO,
        "can_collect": user_can(request.user, COLLECT),
    })


LEDGER_EXPORT = [
    Column(gettext_lazy("date"), "on"), Column(pgettext_lazy("ledger column", "entry"), lambda e: str(e["label"])),
    Column(pgettext_lazy("ledger column", "number"), "number"),
    Column(pgettext_lazy("ledger column", "debit"), lambda e: e["debit"] or None),
    Column(pgettext_lazy("ledger column", "credit"), lambda e: e["credit"] or None), Column(gettext_lazy("balance"), "balance"),
]


@login_required
@require_GET
def customer_ledger_export(request, pk):
    customer = _ledger_customer(request, pk)
    return export_response(selectors.ledger_of(customer), LEDGER_EXPORT, sheet_name=_("Statement of account"),
                           filename=f"ledger-{customer.code}")



# --- the order steps that write receivables (registered on the order page: receivables.registrations) ------

@login_required
@require_POST
def order_invoice(request, pk):
    """AR-1: invoicing a delivered order writes its invoice, due by the customer's terms."""
    order = sales_selectors.order_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(
        request, InvoiceStepForm(request.POST),
        lambda data: services.order_invoice(by=request.user, order=order, version=data["version"], on=data["on"]),
        back=order.get_absolute_url(), done=_("Order %(number)s marked as invoiced.") % {"number": order.number})


@login_required
@require_POST
def order_close(request, pk):
    """ORD-1, AR-1: closing (结案) an invoiced order once its invoice is settled; refused while
    anything is open on it."""
    order = sales_selectors.order_get_for_user(user=request.user, pk=pk, write=True)
    return post_step(
        request, InvoiceStepForm(request.POST),
        lambda data: services.order_close(by=request.user, order=order, version=data["version"], on=data["on"]),
        back=order.get_absolute_url(), done=_("Order %(number)s closed.") % {"number": order.number})


@login_required
@require_http_methods(["GET", "POST"])
def return_create(request, pk):
    """ORD-2: a refusal before delivery or a return after it; a return of an invoiced order
    writes its credit note, which settles the invoice (AR-1)."""
    order = sales_selectors.order_get_for_user(user=request.user, pk=pk, write=True)
    require(request.user, TAKE_ORDERS, _("Your role does not record returns."))
    order_lines = list(sales_selectors.order_lines_of(order))
    kind = Return.Kind.REFUSED if order.status == Order.Status.CONFIRMED else Return.Kind.RETURNED
    form = ReturnForm(request.POST or None, order_lines=order_lines,
                      initial={"version": order.version, "kind": kind, "returned_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ret = services.return_record(
                by=request.user, order=order, version=data["version"], kind=data["kind"], reason=data["reason"],
                responsible=data["responsible"], returned_on=data["returned_on"], follow_up=data["follow_up"],
                lines=form.lines() if data["kind"] == Return.Kind.RETURNED else None)
        except UserInputError as exc:
            apply_line_errors(form, exc)
        else:
            messages.success(request, _("Return %(number)s recorded: %(amount)s.")
                             % {"number": ret.number, "amount": money(ret.amount)})
            return redirect("sales:return_detail", ret.pk)
    return render(request, "receivables/return_form.html", {"form": form, "order": order})
