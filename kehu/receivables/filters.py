"""List filters of invoices and payments, shared by the pages and the API. A salesperson or an
office outside the scope is refused, any other bad value reported and ignored
(kehu.core.filtering), never a 500."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import subtree_of
from kehu.accounts.selectors import offices_in_scope, owners_in_scope
from kehu.core.filtering import IdFilter, ScopedChoiceFilter, sort_filter
from kehu.core.text import fold
from kehu.receivables.models import Invoice, Payment, ReceiptMethod

INVOICE_SORTS = {"due_on": "due_on", "issued_on": "issued_on", "amount": "amount", "open_amount": "open_amount",
                 "number": "number"}
PAYMENT_SORTS = {"received_on": "received_on", "amount": "amount", "unallocated": "unallocated", "number": "number"}
INVOICE_STATUSES = [("open", _("Open")), ("overdue", _("Overdue")), ("paid", _("Paid"))]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _customer_search(queryset, value: str):
    """Name or code: both are in the customer's folded search text."""
    value = fold(value.strip()[:100])
    return queryset.filter(customer__search_text__contains=value) if value else queryset


class InvoiceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=INVOICE_STATUSES, method="filter_status")
    customer = django_filters.CharFilter(label=_("customer"), method="filter_customer",
                                         help_text=_("Name or code"))
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    owner = ScopedChoiceFilter(label=_("salesperson"), queryset=owners_in_scope, field_name="customer__owner")
    office = ScopedChoiceFilter(label=_("office"), queryset=offices_in_scope, method="filter_office")
    issued_from = django_filters.DateFilter(label=_("issued from"), field_name="issued_on", lookup_expr="gte")
    issued_to = django_filters.DateFilter(label=_("issued until"), field_name="issued_on", lookup_expr="lte")
    due_from = django_filters.DateFilter(label=_("due from"), field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(label=_("due until"), field_name="due_on", lookup_expr="lte")
    sort = sort_filter(INVOICE_SORTS)

    class Meta:
        model = Invoice
        fields = ["status", "customer", "customer_id", "owner", "office", "issued_from", "issued_to", "due_from",
                  "due_to", "sort"]

    def filter_status(self, queryset, name, value):
        if value == "paid":
            return queryset.filter(open_amount=0)
        if value == "overdue":
            return queryset.filter(open_amount__gt=0, due_on__lt=timezone.localdate())
        return queryset.filter(open_amount__gt=0)

    def filter_customer(self, queryset, name, value):
        return _customer_search(queryset, value)

    def filter_office(self, queryset, name, office):
        return queryset.filter(customer__office_id__in=subtree_of(office.pk))


class PaymentFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(label=_("customer"), method="filter_customer",
                                         help_text=_("Name or code"))
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    office = ScopedChoiceFilter(label=_("office"), queryset=offices_in_scope, method="filter_office")
    method = django_filters.ChoiceFilter(label=_("payment method"), choices=ReceiptMethod.choices)
    received_from = django_filters.DateFilter(label=_("received from"), field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(label=_("received until"), field_name="received_on", lookup_expr="lte")
    reversed = django_filters.ChoiceFilter(label=_("reversed"), choices=YES_NO, method="filter_reversed")
    sort = sort_filter(PAYMENT_SORTS)

    class Meta:
        model = Payment
        fields = ["customer", "customer_id", "office", "method", "received_from", "received_to", "reversed", "sort"]

    def filter_customer(self, queryset, name, value):
        return _customer_search(queryset, value)

    def filter_office(self, queryset, name, office):
        return queryset.filter(office_id__in=subtree_of(office.pk))

    def filter_reversed(self, queryset, name, value):
        return queryset.filter(reversed_on__isnull=value != "yes")

