"""The touch list's filters, shared by the page, its export and the API (core.filtering): a
salesperson outside the scope is refused, any other bad value reported and ignored."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.accounts.selectors import owners_in_scope
from kehu.core.filtering import IdFilter, ScopedChoiceFilter, sort_filter
from kehu.core.text import fold
from kehu.relations.models import Touch, TouchKind

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
