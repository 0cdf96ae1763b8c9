"""What every receivables endpoint shares: who may call it, and the errors a write answers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from kehu.core.api import ERRORS, HasScope
from kehu.core.capabilities import user_can
from kehu.receivables.capabilities import SEE_RECEIVABLES

WRITE_ERRORS = {code: ERRORS[code] for code in (400, 403, 404)}


class SeesReceivables(HasScope):
    """A role that works with receivables: everyone with a scope but after-sales service."""

    message = _("Your role does not work with receivables.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and user_can(request.user, SEE_RECEIVABLES)


PERMISSIONS = [permissions.IsAuthenticated, SeesReceivables]
