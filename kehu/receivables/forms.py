"""Forms of the ledger pages. Forms only parse input; amounts, dates, allocations and plans
are checked by receivables.services, whose messages the pages show."""

from datetime import datetime

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.accounts.selectors import owner_choices_for
from kehu.core.errors import ValidationFailed
from kehu.core.forms import BootstrapFormMixin
from kehu.core.importing import header_aliases, map_headers
from kehu.receivables.models import ReceiptMethod
from kehu.receivables.services import INVOICE_COLUMNS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ALLOCATION_PREFIX = "alloc-"
PLAN_ROWS = 6


# --- invoice import (AR-1) ---------------------------------------------------------------------------------

INVOICE_HEADERS = {
    "customer": (_("customer code"), ["customer", "客户编码", "客户代码", "客户编号"]),
    "number": (_("invoice number"), ["number", "应收单号", "发票号", "发票号码", "发票编号"]),
    "issued_on": (_("invoice date"), ["issued_on", "开单日期", "开票日期", "发票日期"]),
    "due_on": (_("due date"), ["due_on", "到期日", "到期日期"]),
    "amount": (_("amount"), ["amount", "金额"]),
    "note": (_("note"), ["note", "备注"]),
}
REQUIRED_COLUMNS = ("customer", "number", "issued_on", "amount")
assert list(INVOICE_HEADERS) == INVOICE_COLUMNS


def invoice_headers() -> list[str]:
    """The column names of the template sheet, in the user's language."""
    return [str(label) for label, _words in INVOICE_HEADERS.values()]


def _invoice_aliases() -> dict[str, str]:
    # The words, then the labels of the template sheet in either language.
    return header_aliases({name: words for name, (_label, words) in INVOICE_HEADERS.items()},
                          lambda name: INVOICE_HEADERS[name][0])


def invoice_rows(headers: list[str], body: list[tuple[int, list]]) -> tuple[list[tuple[int, dict]], list[str]]:
    """A read sheet → ([(line, {column: cell})], headers not recognised) for
    services.invoice_import."""
    columns = map_headers(headers, _invoice_aliases())
    missing = [str(INVOICE_HEADERS[name][0]) for name in columns.missing(REQUIRED_COLUMNS)]
    if missing:
        raise ValidationFailed(gettext("The file has no column for: %(columns)s.") % {"columns": ", ".join(missing)})
    return columns.rows(body, _cell), columns.unknown


def _cell(value, _name=None):
    # A spreadsheet stores the code 1001 as 1001.0 and a date as a datetime at midnight.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, float):
        return repr(value)
    return value


# --- payments (AR-1) ---------------------------------------------------------------------------------------

class PaymentForm(BootstrapFormMixin, forms.Form):
    """A payment received; amounts and dates are passed as typed to services.payment_post."""

    amount = forms.CharField(label=_("amount received"), max_length=30,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    received_on = forms.DateField(label=_("date received"), required=False, widget=DATE)
    method = forms.ChoiceField(label=_("payment method"), choices=ReceiptMethod.choices)
    collector = forms.TypedChoiceField(label=_("collected by"), coerce=int, required=False)
    reference = forms.CharField(label=_("reference (bank, cheque or bill number)"), max_length=60, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    # The customer's office when the form was opened: a receipt goes into that office's book.
    office = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    auto = forms.BooleanField(label=_("allocate oldest first automatically"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        others = [(pk, label) for pk, label in owner_choices_for(user) if pk != user.pk]
        self.fields["collector"].choices = [(user.pk, user.display_name), *others]


def allocations_from(data, *, auto: bool) -> list[dict] | None:
    """The alloc-<invoice id> inputs as services' allocations. None (oldest first) when
    none is filled and `auto` is ticked; an empty list keeps everything on account."""
    rows = [{"invoice": key[len(ALLOCATION_PREFIX):], "amount": value.strip()}
            for key, value in data.items() if key.startswith(ALLOCATION_PREFIX) and value.strip()]
    if not rows and auto:
        return None
    return rows


def allocation_rows(invoices, *, typed=None, standing=None) -> list[dict]:
    """The allocation table: each invoice with what the input holds — as typed on a refused
    post, else what stands (re-allocation) or nothing."""
    standing = standing or {}
    rows = []
    for invoice in invoices:
        held = standing.get(invoice.pk)
        if typed is not None:
            value = typed.get(f"{ALLOCATION_PREFIX}{invoice.pk}", "")
        else:
            value = f"{held:.2f}" if held else ""
        # What this payment may put on the invoice: its open amount and what it already holds there.
        rows.append({"invoice": invoice, "value": value, "standing": held,
                     "available": invoice.open_amount + (held or 0)})
    return rows


class ReasonForm(BootstrapFormMixin, forms.Form):
    """A reversal's or a void's reason: the service asks for it and says so."""

    reason = forms.CharField(label=_("reason"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"required": True}))


# --- collection plans (AR-5) --------------------------------------------------------------------------------

class PlanForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class InstalmentForm(forms.Form):
    """One row of a plan, passed as typed to services.plan_create."""

    due_on = forms.CharField(required=False, max_length=20,
                             widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
    amount = forms.CharField(required=False, max_length=30, widget=forms.TextInput(
        attrs={"inputmode": "decimal", "class": "form-control form-control-sm text-end"}))
    reminder_days = forms.CharField(required=False, max_length=5, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "class": "form-control form-control-sm text-end"}))

    def as_row(self) -> dict | None:
        """The row as the service takes it; None when neither date nor amount is filled."""
        values = {f: str(self.cleaned_data.get(f) or "").strip() for f in self.fields}
        return values if values["due_on"] or values["amount"] else None


def instalment_forms(data=None, *, initial: list[dict] | None = None) -> list[InstalmentForm]:
    initial = initial or []
    return [InstalmentForm(data, prefix=f"inst-{n}",
                           initial=initial[n] if n < len(initial) else {"reminder_days": "3"})
            for n in range(PLAN_ROWS)]


def instalment_rows(forms_: list[InstalmentForm]) -> list[dict]:
    return [row for f in forms_ if f.is_valid() and (row := f.as_row()) is not None]


class InvoiceStepForm(forms.Form):
    """The order page's "Mark as invoiced": the order's version and, optionally, the day."""

    version = forms.IntegerField(min_value=1)
    on = forms.DateField(required=False)
