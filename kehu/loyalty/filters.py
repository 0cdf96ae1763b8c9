"""The referral list's filters and sorts, shared by the page, its export and the API (REF-1)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.accounts.selectors import owners_in_scope
from kehu.core.filtering import ScopedChoiceFilter, sort_filter
from kehu.core.text import fold
from kehu.customers.models import Grade
from kehu.loyalty.models import Defection, DefectionReason, Referral

YES_NO = [("true", _("Yes")), ("false", _("No"))]
SORTS = {"created_at": "created_at", "outcome": "outcome", "referrer": "referrer__name", "referred": "referred__name"}


class ReferralFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search",
                                  help_text=_("Name or code of the referrer or the referred prospect"))
    outcome = django_filters.ChoiceFilter(label=_("outcome"), choices=Referral.Outcome.choices)
    late = django_filters.BooleanFilter(label=_("flagged as not contacted in time"), method="filter_late")
    thanked = django_filters.BooleanFilter(label=_("referrer thanked"), method="filter_thanked")
    sort = django_filters.ChoiceFilter(
        label=_("sort"), method="filter_sort", empty_label=_("Latest first"),
        choices=[(k, k) for k in SORTS] + [(f"-{k}", f"-{k}") for k in SORTS])

    class Meta:
        model = Referral
        fields = ["q", "outcome", "late", "thanked", "sort"]

    def filter_search(self, queryset, name, value):
        value = fold(value)[:100]
        if not value:
            return queryset
        return queryset.filter(referrer__search_text__contains=value) | queryset.filter(
            referred__search_text__contains=value)

    def filter_late(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(flagged_at__isnull=not value)

    def filter_thanked(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(thank_touch__isnull=not value)

    def filter_sort(self, queryset, name, value):
        desc = value.startswith("-")
        field = SORTS[value.lstrip("-")]
        return queryset.order_by(f"-{field}" if desc else field, "-id" if desc else "id")


DEFECTION_SORTS = {"lost_value": "lost_value", "at_risk_on": "at_risk_on", "last_purchase": "last_purchase_on",
                   "customer": "customer__name", "state": "state"}
OPEN_STATES = "open"


class DefectionFilter(django_filters.FilterSet):
    """The lost-customer list (WIN-1): open ones by default; state, grade, reason, salesperson."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search", help_text=_("Customer name or code"))
    state = django_filters.ChoiceFilter(label=pgettext_lazy("lost customer", "state"), method="filter_state",
                                        choices=[(OPEN_STATES, _("At risk or lost"))] + Defection.State.choices)
    grade = django_filters.ChoiceFilter(label=_("grade 等级"), field_name="customer__grade", choices=Grade.choices)
    reason = django_filters.ChoiceFilter(label=_("reason"), method="filter_reason",
                                         choices=[("none", _("Not recorded yet"))] + DefectionReason.choices)
    owner = ScopedChoiceFilter(label=_("salesperson"), queryset=owners_in_scope, field_name="customer__owner")
    sort = sort_filter(DEFECTION_SORTS)

    class Meta:
        model = Defection
        fields = ["q", "state", "grade", "reason", "owner", "sort"]

    def filter_search(self, queryset, name, value):
        value = fold(value)[:100]
        return queryset.filter(customer__search_text__contains=value) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == OPEN_STATES:
            return queryset.filter(state__in=Defection.OPEN)
        return queryset.filter(state=value)

    def filter_reason(self, queryset, name, value):
        return queryset.filter(reason="" if value == "none" else value)
