"""PLT-2: the API's token authentication. Clients send `Authorization: Token <key>` as they
did with DRF's authtoken; the key is looked up by its hash (accounts.models.ApiToken), and an
unknown, revoked or expired token, or one of a disabled user, is answered 401 in the API's
error shape (core.api.exception_handler)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from kehu.accounts.models import ApiToken, token_digest

# The last use is written at most once a minute per token: a busy client does not write a row per request.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Token <token>."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Unknown API token.")) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Unknown API token."))
        now = timezone.now()
        if token.revoked_at is not None:
            if token.revoked_reason == ApiToken.Revoked.PASSWORD:
                raise exceptions.AuthenticationFailed(
                    _("This API token was revoked when the password was changed; make a new one."))
            raise exceptions.AuthenticationFailed(_("This API token was revoked; make a new one."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This API token expired on %(date)s; make a new one.")
                % {"date": date_format(timezone.localtime(token.expires_at), "Y-m-d H:i")})
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema, as DRF's TokenAuthentication was described."""

    target_class = "kehu.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": str(_('Token-based authentication with the prefix "Token ", e.g. '
                                     '"Token 0123456789abcdef0123456789abcdef01234567".'))}
