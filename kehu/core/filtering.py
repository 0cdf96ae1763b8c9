"""List filters shared by every list page: bad values are reported and ignored, never a 500."""

from django.contrib import messages
from django.utils.translation import gettext as _


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
