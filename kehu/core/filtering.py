"""List filters shared by every list page: bad values are reported and ignored, never a 500."""

import django_filters
from django import forms
from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.access import MAX_ID


def filterset_for(request, filter_class, queryset):
    """The request's filters bound to `queryset`. A filter with a bad value is named in a
    warning and left out; the others still apply."""
    params = request.GET.dict()
    filterset = filter_class(params or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        for field, errors in filterset.errors.items():
            label = filterset.filters[field].label if field in filterset.filters else field
            messages.warning(request, _("Filter “%(field)s” ignored: %(error)s") % {"field": label, "error": errors[0]})
        cleaned = {k: v for k, v in params.items() if k not in filterset.errors}
        filterset = filter_class(cleaned, queryset=queryset, request=request)
    return filterset


def sort_filter(sorts: dict[str, str]) -> django_filters.ChoiceFilter:
    """A sort filter over `sorts` (name → field), ascending or with "-" descending, ties
    broken by id so that pages never overlap."""

    def filter_sort(queryset, name, value):
        desc = value.startswith("-")
        field = sorts[value.lstrip("-")]
        return queryset.order_by(f"-{field}" if desc else field, "-id" if desc else "id")

    return django_filters.ChoiceFilter(
        label=gettext_lazy("sort"), method=filter_sort,
        choices=[(k, k) for k in sorts] + [(f"-{k}", f"-{k}") for k in sorts])


class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number the database can hold (a longer one is a bad value, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

