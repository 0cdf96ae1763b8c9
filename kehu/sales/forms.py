"""Forms and list filters of the sales pages. Forms only parse input; the rules (prices,
quantities, status flow, credit) are checked by sales.services and credit.services."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import subtree_of
from kehu.accounts.selectors import offices_in_scope, owners_in_scope
from kehu.core import periods
from kehu.core.errors import ValidationFailed
from kehu.core.filtering import IdFilter, ScopedChoiceFilter, sort_filter
from kehu.core.forms import CHOOSE, BootstrapFormMixin
from kehu.core.importing import header_aliases, map_headers
from kehu.core.reports import GroupBy, PeriodReportForm
from kehu.customers.models import Customer
from kehu.sales.models import Order, OrderLine, Product, Return
from kehu.sales.selectors import product_lines

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_ORDER_LINES = 10


def _line_choices():
    return [(line, line) for line in product_lines()]


# --- products ----------------------------------------------------------------------------------------

PRODUCT_SORTS = {"code": "code", "name": "name", "line": "line", "list_price": "list_price", "unit": "unit"}


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", help_text=_("Code or name"))
    line = django_filters.ChoiceFilter(label=_("product line"), choices=_line_choices)
    active = django_filters.ChoiceFilter(label=_("active"), method="filter_active",
                                         choices=[("yes", _("On sale")), ("no", pgettext_lazy("product", "Withdrawn"))])
    sort = sort_filter(PRODUCT_SORTS)

    class Meta:
        model = Product
        fields = ["q", "line", "active", "sort"]

    def filter_search(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset

    def filter_active(self, queryset, name, value):
        return queryset.filter(active=value == "yes")


# --- orders -----------------------------------------------------------------------------------------------

ORDER_SORTS = {"number": "number", "ordered_on": "ordered_on", "customer": "customer__name", "owner": "owner__username",
               "status": "status", "total": "total", "returned": "returned"}


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Order.Status.choices)
    date_from = django_filters.DateFilter(label=pgettext_lazy("date range", "from"), field_name="ordered_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=pgettext_lazy("date range", "to"), field_name="ordered_on", lookup_expr="lte")
    office = ScopedChoiceFilter(label=_("office"), queryset=offices_in_scope, method="filter_office")
    owner = ScopedChoiceFilter(label=_("salesperson"), queryset=owners_in_scope)
    customer = django_filters.CharFilter(label=_("customer"), method="filter_customer")
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    line = django_filters.ChoiceFilter(label=_("product line"), choices=_line_choices, method="filter_line")
    sort = sort_filter(ORDER_SORTS)

    class Meta:
        model = Order
        fields = ["status", "date_from", "date_to", "office", "owner", "customer", "customer_id", "line", "sort"]

    def filter_office(self, queryset, name, office):
        return queryset.filter(office_id__in=subtree_of(office.pk))

    def filter_customer(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(customer__name__icontains=value) if value else queryset

    def filter_line(self, queryset, name, value):
        # EXISTS, not a join: an order with two lines of the line is listed once.
        return queryset.filter(Exists(OrderLine.objects.filter(order=OuterRef("pk"), product__line=value)))


class OrderForm(BootstrapFormMixin, forms.Form):
    """The order's head; its lines are LineForms. Any customer in the user's scope is valid,
    while the page offers a short list of them (see views.order_create)."""

    customer = forms.ModelChoiceField(label=_("customer"), queryset=Customer.objects.none())
    ordered_on = forms.DateField(label=_("order date"), required=False, widget=DATE)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, customers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers if customers is not None else Customer.objects.none()


class OrderEditForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class LineForm(forms.Form):
    """One order line, passed as typed to sales.services, which checks every value."""

    product = forms.CharField(required=False)
    quantity = forms.CharField(required=False, max_length=20)
    unit_price = forms.CharField(required=False, max_length=20)
    discount_pct = forms.CharField(required=False, max_length=20)

    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(f) or "").strip() for f in self.fields)

    def as_line(self) -> dict:
        return {f: (self.cleaned_data.get(f) or "").strip() for f in self.fields}


def line_forms(data=None, *, initial: list[dict] | None = None) -> list[LineForm]:
    initial = initial or []
    return [LineForm(data, prefix=f"lines-{n}", initial=initial[n] if n < len(initial) else None)
            for n in range(MAX_ORDER_LINES)]


def compact_lines(forms_: list[LineForm]) -> list[dict]:
    """The lines filled in, in order: the services number them 1, 2, 3… as the page then shows them."""
    return [f.as_line() for f in forms_ if f.is_valid() and not f.is_blank()]


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


class AdvanceForm(forms.Form):
    # Invoicing writes the invoice and closing checks that it is settled: receivables' own steps
    # (receivables:order_invoice, receivables:order_close).
    to = forms.ChoiceField(choices=[(s, s) for s in (Order.Status.DELIVERED, Order.Status.CANCELLED)])
    version = forms.IntegerField(min_value=1)
    on = forms.DateField(required=False)
    reason = forms.CharField(required=False, max_length=200)


# --- returns ------------------------------------------------------------------------------------------------

RETURN_SORTS = {"returned_on": "returned_on", "number": "number", "amount": "amount", "customer": "customer__name"}


class ReturnFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Return.Kind.choices)
    reason = django_filters.ChoiceFilter(label=_("reason"), choices=Return.Reason.choices)
    date_from = django_filters.DateFilter(label=pgettext_lazy("date range", "from"), field_name="returned_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=pgettext_lazy("date range", "to"), field_name="returned_on", lookup_expr="lte")
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    sort = sort_filter(RETURN_SORTS)

    class Meta:
        model = Return
        fields = ["kind", "reason", "date_from", "date_to", "customer_id", "sort"]


class ReturnForm(BootstrapFormMixin, forms.Form):
    """ORD-2; for goods returned after delivery, one quantity field per order line (qty_<line id>)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("kind"), choices=Return.Kind.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(label=_("reason"), choices=[("", CHOOSE), *Return.Reason.choices])
    responsible = forms.CharField(label=_("responsible party"), max_length=100)
    returned_on = forms.DateField(label=_("return date"), required=False, widget=DATE)
    follow_up = forms.CharField(label=_("follow-up"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, order_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.order_lines = list(order_lines)
        for line in self.order_lines:
            self.fields[f"qty_{line.pk}"] = forms.CharField(
                label=str(line.product), required=False, max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control form-control-sm"}))

    def line_fields(self):
        return [(line, self[f"qty_{line.pk}"]) for line in self.order_lines]

    def lines(self) -> list[dict]:
        return [{"order_line": line.pk, "quantity": self.cleaned_data.get(f"qty_{line.pk}") or "0"}
                for line in self.order_lines]


class FollowUpForm(BootstrapFormMixin, forms.Form):
    follow_up = forms.CharField(label=_("follow-up"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    done = forms.BooleanField(label=_("follow-up done"), required=False)


ANALYSIS_GROUPS = GroupBy([("reason", _("reason")), ("product", _("product")), ("customer", _("customer")),
                           ("salesperson", _("salesperson")), ("month", _("month"))])
# The analysis covers this many months up to today unless told otherwise.
ANALYSIS_MONTHS = 12


class AnalysisForm(PeriodReportForm):
    date_from = forms.DateField(label=pgettext_lazy("date range", "from"), required=False, widget=DATE)
    date_to = forms.DateField(label=pgettext_lazy("date range", "to"), required=False, widget=DATE)
    by = ANALYSIS_GROUPS.field()
    period_fields = ("date_from", "date_to")

    def period(self):
        """The period asked for, values that are not dates left out; by default the last 12
        months up to today: from the first day of the month eleven months back."""
        start, end = self.typed_period()
        end = end or timezone.localdate()
        return start or periods.last_months(end, ANALYSIS_MONTHS)[0], end

    def group(self) -> str:
        return self.values({"by": ANALYSIS_GROUPS.default})["by"]


# --- product import: the sheet's columns, named in English or Chinese -----------------------------------------

PRODUCT_HEADER_ALIASES = {
    "code": ["code", "产品编码", "编码", "产品代码", "代码", "货号"],
    "name": ["name", "产品名称", "名称", "品名"],
    "spec": ["spec", "specification", "规格"],
    "unit": ["unit", "单位"],
    "list_price": ["list_price", "list price", "price", "价格", "单价", "定价", "目录价"],
    "line": ["line", "product line", "产品线", "产品系列", "系列"],
    "active": ["active", "启用", "在售", "有效"],
}


def _product_aliases() -> dict[str, str]:
    return header_aliases(PRODUCT_HEADER_ALIASES, lambda name: Product._meta.get_field(name).verbose_name)


def product_rows(headers: list[str], body: list[tuple[int, list]]) -> tuple[list[tuple[int, dict]], list[str]]:
    """A read sheet → ([(line, {column: cell})], headers not recognised)."""
    columns = map_headers(headers, _product_aliases())
    if columns.missing(["code"]):
        raise ValidationFailed(gettext("The file has no column for the product code (产品编码 / code)."))
    return columns.rows(body, _cell), columns.unknown


def _cell(value, name: str):
    # A spreadsheet stores the code 1001 as the number 1001.0.
    if isinstance(value, float) and value.is_integer() and name != "list_price":
        return str(int(value))
    return value
