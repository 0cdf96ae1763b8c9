"""Error pages and the lazy panels of record pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from kehu.core.registry import Panel, RecordPage, registry


def _error(request, status, title, message):
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, _("Bad request"), _("The request could not be understood. Nothing was changed."))


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else _("Your role may not do this.")
    return _error(request, 403, _("Not allowed"), message)


def page_not_found(request, exception=None):
    return _error(request, 404, _("Not found"), _("This page does not exist or is outside your scope."))


def server_error(request):
    return _error(request, 500, _("Something went wrong"), _("The error was logged. Nothing was changed."))


@login_required
def panel(request, page: str, key: str, pk: int):
    """A lazy panel (core.registry.Panel), fetched by htmx when its tab is first shown."""
    record_page = registry.find(RecordPage, page)
    found = registry.find(Panel, key, page=page)
    if record_page is None or found is None:
        raise Http404
    if not found.visible(request.user):
        raise PermissionDenied
    record = record_page.get(request, pk)
    extra = found.context(request, record)
    if extra is None:
        raise Http404
    return render(request, found.template, extra)
