"""The home page and error pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from kehu.core.scopes import scope_of


@login_required
def home(request):
    from kehu.customers.selectors import customers_visible_to, recent_events_for

    customers = customers_visible_to(request.user)
    context = {
        "scope": scope_of(request.user),
        "customer_count": customers.count(),
        "incomplete": customers.filter(completeness__lt=60).order_by("completeness", "id")[:10],
        "events": recent_events_for(request.user),
    }
    return render(request, "core/home.html", context)


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
