"""Writes of accounts: the API tokens of a user (PLT-2). Keyword-only, in a transaction,
refusing with a domain error (core.errors)."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import ApiToken, token_digest
from kehu.core.errors import ValidationFailed, full_clean_or_refuse


@dataclass(frozen=True)
class NewToken:
    """A token just made: `key` is its only appearance in plain, shown once to its owner."""

    token: ApiToken
    key: str


def api_token_create(*, by, name: str = "", days: int | None = None) -> NewToken:
    """PLT-2: a new API token of `by`, valid for `days` (default KEHU_API_TOKEN_DAYS, at most
    KEHU_API_TOKEN_MAX_DAYS). The key is returned once; the database keeps its hash."""
    name = (name or "").strip() or _("API token")
    longest = settings.KEHU_API_TOKEN_MAX_DAYS
    days = settings.KEHU_API_TOKEN_DAYS if days in (None, "") else days
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= longest:
        message = _("A token is valid for 1 to %(days)d days.") % {"days": longest}
        raise ValidationFailed(message, field_errors={"days": [message]})
    if not by.is_active:
        raise ValidationFailed(_("This account is disabled."))
    key = secrets.token_hex(20)
    now = timezone.now()
    token = ApiToken(user=by, name=name, digest=token_digest(key), prefix=key[:ApiToken.PREFIX_LENGTH],
                     created_at=now, expires_at=now + timedelta(days=days))
    full_clean_or_refuse(token, exclude=["user", "digest", "prefix"])
    with transaction.atomic():
        token.save()
    return NewToken(token=token, key=key)


def api_token_revoke(*, by, token: ApiToken) -> ApiToken:
    """PLT-2: the owner revokes one of their tokens; from now on it is answered 401. Revoking
    a token again changes nothing."""
    if token.user_id != by.pk:  # the selectors never hand another user's token; a guard all the same
        raise ValidationFailed(_("This token is not yours."))
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=ApiToken.Revoked.OWNER)
    token.refresh_from_db()
    return token
