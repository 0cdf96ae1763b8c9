"""One way to fetch a single record for a user: ids parsed once, 404 outside the scope, 403
without the capability. Pages and the API both go through `get_for_user`; no view or API
module calls `.objects.get(` itself.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kehu.core.capabilities import Capability, user_can
from kehu.core.errors import PermissionDeniedError

# The largest id a database column holds (bigint); a longer one is a bad id, not a 500.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A record id from a URL, a form or a query string: a whole number from 1 to MAX_ID, or None.
    Accepts an int or decimal digits (no sign, no spaces, no exponent)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "")
        if not text.isascii() or not text.isdigit() or len(text) > 19:
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def get_for_user(queryset: QuerySet, pk, *, user, write: Capability | None = None,
                 not_found: str | None = None, forbidden: str | None = None):
    """The record `pk` of `queryset` — which the caller has already scoped to `user` — or 404
    (its existence is not revealed); with `write`, the user must hold that capability, else 403."""
    number = parse_id(pk)
    try:
        if number is None:
            raise queryset.model.DoesNotExist
        record = queryset.get(pk=number)
    except queryset.model.DoesNotExist:
        raise Http404(not_found or _("No such record in your scope.")) from None
    if write is not None and not user_can(user, write):
        raise PermissionDeniedError(forbidden or _("Your role may not do this."))
    return record


def require(user, capability: Capability, message: str | None = None) -> None:
    """Refuse (403) unless the user holds the capability; services, views and the API alike."""
    if not user_can(user, capability):
        raise PermissionDeniedError(message or _("Your role may not do this."))
