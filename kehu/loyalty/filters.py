"""The referral list's filters and sorts, shared by the page, its export and the API (REF-1)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from kehu.core.text import fold
from kehu.loyalty.models import Referral

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
