"""API plumbing shared by every app: domain errors become 400/403/409 answers, and the
schema describes every error answer alike; the permission every endpoint starts from;
reading a request's body; money in and out; the version an update carries; answering with
a record."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kehu.core.errors import DomainError
from kehu.core.scopes import scope_of


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.field_errors:
            body["errors"] = {k: [str(m) for m in v] for k, v in exc.field_errors.items()}
        return Response(body, status=exc.status)
    return drf_exception_handler(exc, context)


class DomainErrorSerializer(serializers.Serializer):
    """The body of a 400/403/404/409 answer (core.api.exception_handler)."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


ERRORS = {
    400: OpenApiResponse(DomainErrorSerializer, description=_("Bad input; nothing was changed.")),
    403: OpenApiResponse(DomainErrorSerializer, description=_("Your role may not do this.")),
    404: OpenApiResponse(DomainErrorSerializer, description=_("No such record in your scope.")),
    409: OpenApiResponse(DomainErrorSerializer, description=_("Changed by someone else since you read it.")),
}


class HasScope(permissions.BasePermission):
    """Logged in with a role that has a data scope (core.scopes)."""

    def has_permission(self, request, view):
        return scope_of(request.user) is not None


def valid_data(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def object_response(serializer_class, instance, request, *, status_code=status.HTTP_200_OK) -> Response:
    """`instance` serialized for the requester: a write answers with the record as a GET of
    it would, read back by the caller through the requester's scope."""
    return Response(serializer_class(instance, context={"request": request}).data, status=status_code)


def required_version(data: dict) -> int:
    """Take the `version` the client read out of an update's data; an update without it is
    refused, since the version guards against lost updates."""
    version = data.pop("version", None)
    if version is None:
        raise serializers.ValidationError({"version": [_("Send the version you read; it guards against lost updates.")]})
    return version


def money_field(**kwargs) -> serializers.DecimalField:
    """An amount of money in an answer: a string with two decimals."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


@extend_schema_field({"type": "string", "format": "decimal", "example": "1200.00"})
class MoneyInput(serializers.CharField):
    """An amount as the user typed it ("1200", "1,200.50", "￥１２００"): the service reads it and
    refuses a bad one (not a number, not above zero, three decimals, too large) with its message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true or false; anything else is answered 400 rather than ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Records in the user's scope, listed and read through the app's selectors, and every
    answer read back through them (what the user may see, as the pages show it):

        class PromiseViewSet(ScopedViewSet):
            serializer_class = PromiseSerializer
            visible = staticmethod(selectors.promises_visible_to)      # (user) -> queryset
            get_one = staticmethod(selectors.promise_get_for_user)     # (*, user, pk[, write]) -> record

    With `write_checked`, get_one is told whether the request writes (403 for a role that
    only reads). A subclass adds the create/update mixins and the actions it offers."""

    visible = None
    get_one = None
    write_checked = False

    def get_queryset(self):
        return self.visible(self.request.user)

    def get_object(self):
        extra = {"write": self.request.method not in permissions.SAFE_METHODS} if self.write_checked else {}
        return self.get_one(user=self.request.user, pk=self.kwargs["pk"], **extra)

    def answer(self, record, *, status_code=status.HTTP_200_OK) -> Response:
        """The record as it is now, read back through the scope (with the list's joins)."""
        fresh = self.get_queryset().get(pk=record.pk)
        return object_response(self.get_serializer_class(), fresh, self.request, status_code=status_code)


class ReportView(generics.GenericAPIView):
    """A report endpoint (GET): the query string validated by `query_serializer` (400 with the
    field errors), `report(request, **query)` builds the answer that `serializer_class` writes.
    Subclasses describe their GET with @report_schema(…)."""

    query_serializer = None

    def get(self, request):
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(self.get_serializer_class()(self.report(request, **query.validated_data)).data)

    def report(self, request, **query) -> dict:
        raise NotImplementedError


def report_schema(summary, *, query, answer):
    """The OpenAPI description of a ReportView's GET: its query parameters, its answer, 400 for a
    bad query and 403 for a role the report is not for."""
    return extend_schema_view(get=extend_schema(summary=summary, parameters=[query],
                                                responses={200: answer, 400: ERRORS[400], 403: ERRORS[403]}))
