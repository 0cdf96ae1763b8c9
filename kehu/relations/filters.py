"""The touch list's filters, shared by the page, its export and the API (core.filtering): a
salesperson outside the scope is refused, any other bad value reported and ignored."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.accounts.selectors import owners_in_scope
from kehu.core.filtering import IdFilter, ScopedChoiceFilter, sort_filter
from kehu.core.text import fold
from kehu.relations.models import (
    DealerCheck,
    FamilyOccasion,
    FamilyOccasionKind,
    MarketReport,
    MarketReportKind,
    PaymentBehaviour,
    RangeCarried,
    StockLevel,
    SupportPlan,
    Touch,
    TouchKind,
)

TOUCH_SORTS = {"on": "on", "kind": "kind", "next_step_on": "next_step_on"}


class TouchFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(label=_("customer"), method="filter_customer", help_text=_("Name or code"))
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    kind = django_filters.ChoiceFilter(label=_("kind of touch"), choices=TouchKind.choices)
    by = ScopedChoiceFilter(label=_("salesperson"), queryset=owners_in_scope, field_name="by")
    on_from = django_filters.DateFilter(label=_("touched from"), field_name="on", lookup_expr="gte")
    on_to = django_filters.DateFilter(label=_("touched until"), field_name="on", lookup_expr="lte")
    sort = sort_filter(TOUCH_SORTS)

    class Meta:
        model = Touch
        fields = ["customer", "customer_id", "kind", "by", "on_from", "on_to", "sort"]

    def filter_customer(self, queryset, name, value):
        value = fold(value.strip()[:100])
        return queryset.filter(customer__search_text__contains=value) if value else queryset


MARKET_SORTS = {"created_at": "created_at", "kind": "kind"}
MARKET_STATUSES = [("new", _("Not read")), ("read", _("Read, not acted on")),
                   ("acted", _("Acted on"))]


class MarketReportFilter(django_filters.FilterSet):
    """REL-5: the market information list's filters (page, export and API)."""

    q = django_filters.CharFilter(label=_("Words of the report"), method="filter_text")
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    kind = django_filters.ChoiceFilter(label=_("kind of information"), choices=MarketReportKind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=MARKET_STATUSES, method="filter_status")
    by = ScopedChoiceFilter(label=_("reported by"), queryset=owners_in_scope, field_name="by")
    on_from = django_filters.DateFilter(label=_("reported from"), field_name="created_at__date", lookup_expr="gte")
    on_to = django_filters.DateFilter(label=_("reported until"), field_name="created_at__date", lookup_expr="lte")
    sort = sort_filter(MARKET_SORTS)

    class Meta:
        model = MarketReport
        fields = ["q", "customer_id", "kind", "status", "by", "on_from", "on_to", "sort"]

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]
        return queryset.filter(text__icontains=value) if value else queryset

    def filter_status(self, queryset, name, value):
        if value == "new":
            return queryset.filter(read_at__isnull=True)
        if value == "read":
            return queryset.filter(read_at__isnull=False, acted_at__isnull=True)
        return queryset.filter(acted_at__isnull=False)


CHECK_SORTS = {"month": "month", "sales_growth": "sales_growth", "our_share": "our_share",
               "stock_outs": "stock_outs"}


class DealerCheckFilter(django_filters.FilterSet):
    """REL-6: the dealer check list's filters (page, export and API)."""

    customer = django_filters.CharFilter(label=_("customer"), method="filter_customer", help_text=_("Name or code"))
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    by = ScopedChoiceFilter(label=_("checked by"), queryset=owners_in_scope, field_name="by")
    range_carried = django_filters.ChoiceFilter(label=_("range carried"), choices=RangeCarried.choices)
    stock_level = django_filters.ChoiceFilter(label=_("stock level"), choices=StockLevel.choices)
    payment = django_filters.ChoiceFilter(label=_("payment behaviour"), choices=PaymentBehaviour.choices)
    month_from = django_filters.DateFilter(label=_("checked from"), field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(label=_("checked until"), field_name="month", lookup_expr="lte")
    sort = sort_filter(CHECK_SORTS)

    class Meta:
        model = DealerCheck
        fields = ["customer", "customer_id", "by", "range_carried", "stock_level", "payment", "month_from",
                  "month_to", "sort"]

    def filter_customer(self, queryset, name, value):
        value = fold(value.strip()[:100])
        return queryset.filter(customer__search_text__contains=value) if value else queryset


SUPPORT_SORTS = {"year": "year"}


class SupportPlanFilter(django_filters.FilterSet):
    """REL-7: the support plan list's filters (page, export and API)."""

    customer = django_filters.CharFilter(label=_("customer"), method="filter_customer", help_text=_("Name or code"))
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    year = django_filters.NumberFilter(label=_("year"), field_name="year")
    by = ScopedChoiceFilter(label=_("drawn up by"), queryset=owners_in_scope, field_name="by")
    sort = sort_filter(SUPPORT_SORTS)

    class Meta:
        model = SupportPlan
        fields = ["customer", "customer_id", "year", "by", "sort"]

    def filter_customer(self, queryset, name, value):
        value = fold(value.strip()[:100])
        return queryset.filter(customer__search_text__contains=value) if value else queryset


FAMILY_SORTS = {"on": "on", "kind": "kind", "key_person": "key_person__name"}


class FamilyOccasionFilter(django_filters.FilterSet):
    """REL-3: family occasions by customer, key person, kind and whether yearly."""

    customer_id = IdFilter(label=_("customer"), field_name="key_person__customer_id")
    key_person = IdFilter(label=_("key person"), field_name="key_person_id")
    kind = django_filters.ChoiceFilter(label=_("kind of family occasion"), choices=FamilyOccasionKind.choices)
    yearly = django_filters.BooleanFilter(label=_("every year"))
    sort = sort_filter(FAMILY_SORTS)

    class Meta:
        model = FamilyOccasion
        fields = ["customer_id", "key_person", "kind", "yearly", "sort"]
