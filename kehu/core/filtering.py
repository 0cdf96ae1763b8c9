"""List filters shared by every list page, export and API: never a 500.

One rule for a bad filter value (issue 12): a value that names a record the user may not choose
(a salesperson or an office outside their scope, or one that does not exist) is refused — the
API answers 400 naming the filter, a page or an export says so and shows nothing — because
ignoring it would silently widen the list to everything the user sees. Any other bad value (a
malformed date, an unknown sort) is named in a warning and left out; the others still apply."""

import django_filters
from django import forms
from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.core.access import MAX_ID

OUT_OF_SCOPE = gettext_lazy("Not one you can choose: it is outside the records you can see, or does not exist.")


class ScopedChoiceFilter(django_filters.ModelChoiceFilter):
    """A filter by a record chosen among those in the user's scope (`queryset` is a callable
    of the request, e.g. owners_in_scope): a record outside it is refused, never ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": OUT_OF_SCOPE})
        super().__init__(*args, **kwargs)


def filterset_for(request, filter_class, queryset, *, defaults: dict | None = None):
    """The request's filters bound to `queryset`. A value outside the user's scope (a
    ScopedChoiceFilter's) gives an empty list and a message; any other bad value is named in a
    warning and left out, the others still apply. `defaults` are the filters a list opens with
    (e.g. open invoices): each applies while its parameter is absent, and an empty value — the
    user choosing "all" — lifts it."""
    params = {**(defaults or {}), **request.GET.dict()}
    params = {k: v for k, v in params.items() if not (defaults and k in defaults and v == "")}
    filterset = filter_class(params or None, queryset=queryset, request=request)
    if filterset.is_bound and not filterset.is_valid():
        refused = False
        for field, errors in filterset.errors.items():
            label = filterset.filters[field].label if field in filterset.filters else field
            if isinstance(filterset.filters.get(field), ScopedChoiceFilter):
                refused = True
                messages.error(request, _("Filter “%(field)s” refused: %(error)s Nothing is shown.")
                               % {"field": label, "error": errors[0]})
            else:
                messages.warning(request, _("Filter “%(field)s” ignored: %(error)s")
                                 % {"field": label, "error": errors[0]})
        cleaned = {k: v for k, v in params.items() if k not in filterset.errors}
        # Nothing matches (a condition the database runs: the lists' pagination reads its SQL).
        filterset = filter_class(cleaned, queryset=queryset.filter(pk__isnull=True) if refused else queryset,
                                 request=request)
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

