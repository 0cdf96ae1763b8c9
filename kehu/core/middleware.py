import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.utils.cache import patch_cache_control

from kehu.core.errors import PermissionDeniedError


def is_busy(exception) -> bool:
    """A lock timeout of the database: SQLite's "database is locked" (another write held the
    file for longer than the timeout) or PostgreSQL's lock_timeout."""
    text = str(exception).lower()
    return isinstance(exception, OperationalError) and ("database is locked" in text or "lock timeout" in text)


class DomainErrorMiddleware:
    """A service's permission refusal that reaches a page becomes the 403 page with its message;
    a database lock timeout anywhere (page, API, htmx fragment) becomes a 503 "busy, try again"
    (core.views.busy: the page, or JSON under the API) — never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDeniedError) and not request.path.startswith("/api/"):
            from kehu.core.views import permission_denied

            return permission_denied(request, PermissionDenied(exception.message))
        if is_busy(exception):
            from kehu.core.views import busy

            return busy(request, exception)
        return None


LAST_SEEN = "kehu_last_seen"


class SecurityHeadersMiddleware:
    """Headers every answer carries: a Content-Security-Policy without inline script (every
    script is a static file), a Permissions-Policy, and `Cache-Control: no-store` on what a
    signed-in user sees, so a shared browser's back button or cache keeps no customer data."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.KEHU_CONTENT_SECURITY_POLICY
        self.permissions = settings.KEHU_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class IdleTimeoutMiddleware:
    """A session left idle for KEHU_SESSION_IDLE_MINUTES ends: the next request logs out. The
    time of the last request is written at most once a minute, not on every request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = settings.KEHU_SESSION_IDLE_MINUTES * 60

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(LAST_SEEN)
            if isinstance(seen, int) and now - seen > self.idle:
                logout(request)
            elif not isinstance(seen, int) or now - seen >= 60:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def client_ip(request) -> str:
    """The client's address for the login lockout: REMOTE_ADDR, unless it is one of the reverse
    proxies named in KEHU_TRUSTED_PROXIES; then the right-most X-Forwarded-For address that is
    not a trusted proxy (the left part of the header is whatever the client chose to send)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.KEHU_TRUSTED_PROXIES
    if remote not in trusted:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return remote
