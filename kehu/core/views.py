"""Error pages."""

from django.shortcuts import render
from django.utils.translation import gettext as _


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
