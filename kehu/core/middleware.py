from django.core.exceptions import PermissionDenied

from kehu.core.errors import PermissionDeniedError


class DomainErrorMiddleware:
    """A service's permission refusal that reaches a page becomes the 403 page with its message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDeniedError) and not request.path.startswith("/api/"):
            from kehu.core.views import permission_denied

            return permission_denied(request, PermissionDenied(exception.message))
        return None
