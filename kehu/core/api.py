"""API plumbing shared by every app: domain errors become 400/403/409 answers, and the
schema describes every error answer alike; the permission every endpoint starts from;
reading a request's body; money in and out; the version an update carries; answering with
a record."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, generics, mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from kehu.core.errors import DomainError
from kehu.core.scopes import scope_of


def exception_handler(exc, context):
    """Every error answer of the API has one shape (DomainErrorSerializer): `detail` in words,
    `code`, and for bad input `errors` by field — domain errors and DRF's own alike (validation,
    404, 405, 415, 429, a missing or bad token)."""
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.field_errors:
            body["errors"] = {k: [str(m) for m in v] for k, v in exc.field_errors.items()}
        return Response(body, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        first = next(iter(errors.values()))[0] if errors else str(_("Bad input; nothing was changed."))
        response.data = {"detail": first, "code": "invalid", "errors": errors}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", None) or "error"
        response.data = {"detail": str(detail), "code": str(code)}
    return response


def _field_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's validation detail flattened to field → messages; a nested field is named by its
    path (`lines.0.quantity`), errors of the whole request by `non_field_errors`."""
    if isinstance(detail, dict):
        found = {}
        for key, value in detail.items():
            found.update(_field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        found = {}
        for index, item in enumerate(detail):
            found.update(_field_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return found
    messages = detail if isinstance(detail, list) else [detail]
    messages = [str(m) for m in messages if str(m)]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: messages} if messages else {}


class DomainErrorSerializer(serializers.Serializer):
    """The body of every error answer of the API (core.api.exception_handler, and
    core.views._error for what fails before DRF is reached)."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


ERRORS = {
    400: OpenApiResponse(DomainErrorSerializer, description=_("Bad input; nothing was changed.")),
    403: OpenApiResponse(DomainErrorSerializer, description=_("Your role may not do this.")),
    404: OpenApiResponse(DomainErrorSerializer, description=_("No such record in your scope.")),
    409: OpenApiResponse(DomainErrorSerializer, description=_("Changed by someone else since you read it.")),
}


# Answers any operation may give, whatever it documents itself: bad input (also a query
# parameter or an oversized body), no or a bad token, a role or scope that does not reach, a
# method or media type the operation does not take, too many requests.
COMMON_ERRORS = {
    400: _("Bad input; nothing was changed."),
    401: _("Not logged in, or the token is unknown, revoked or expired."),
    403: _("Your role may not do this."),
    404: _("No such record in your scope."),
    405: _("This method is not offered here."),
    406: _("The answer cannot be given in the format asked for."),
    415: _("The body is not in a format this operation reads."),
    429: _("Too many requests; try again later."),
}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents every error answer it
    can give, all in the one shape of DomainErrorSerializer (SPECTACULAR_SETTINGS)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    if "DomainError" not in schemas:
        from drf_spectacular.openapi import AutoSchema

        schemas["DomainError"] = AutoSchema()._map_serializer(DomainErrorSerializer, "response")
    reference = {"$ref": "#/components/schemas/DomainError"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status_code, description in COMMON_ERRORS.items():
                operation["responses"].setdefault(str(status_code), {
                    "content": {"application/json": {"schema": reference}}, "description": str(description)})
    return result


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


class PeriodQuerySerializer(serializers.Serializer):
    """A report's query string with a period: subclasses declare the two date fields (each
    report says its own default when one is left out) and name them if not `start`/`end`. A
    period that ends before it starts is refused on its last day, in the one message."""

    start_field, end_field = "start", "end"

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start, end = attrs.get(self.start_field), attrs.get(self.end_field)
        if start and end and start > end:
            raise serializers.ValidationError({self.end_field: [_("The period ends before it starts.")]})
        return attrs


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


# --- background jobs (core.jobs) ---------------------------------------------------------------------------

class JobLineErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    messages = serializers.ListField(child=serializers.CharField())


class JobResultSerializer(serializers.Serializer):
    """What an ended job reports: its message; for an import, the counts, whether nothing was
    written (`refused`), the bad rows by line and the columns not recognised."""

    message = serializers.CharField(required=False)
    counts = serializers.DictField(child=serializers.IntegerField(), required=False)
    refused = serializers.BooleanField(required=False)
    errors = JobLineErrorSerializer(many=True, required=False)
    unknown = serializers.ListField(child=serializers.CharField(), required=False)


class JobSerializer(serializers.Serializer):
    """A background job (an import) and how far it is."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "failed"],
                                     help_text=_("done: it ran to the end (see the result); failed: it could not."))
    done = serializers.IntegerField(help_text=_("Rows done so far."))
    total = serializers.IntegerField(help_text=_("Rows in all, once known."))
    percent = serializers.IntegerField()
    result = JobResultSerializer(allow_null=True, help_text=_("Once the job has ended."))
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text=_("The job's progress page."))
    api_url = serializers.CharField(help_text=_("This endpoint, to poll."))


def job_answer(job) -> dict:
    """A job as JobSerializer describes it (the bad rows as {line, messages})."""
    from kehu.core import jobs

    answer = jobs.state(job)
    if answer["result"] and "errors" in answer["result"]:
        answer["result"] = {**answer["result"], "errors": [{"line": line, "messages": messages}
                                                           for line, messages in answer["result"]["errors"]]}
    return JobSerializer(answer).data


class JobView(generics.GenericAPIView):
    """One of your background jobs (an import): its progress, then its result."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = JobSerializer

    @extend_schema(summary=_("A background job: progress and result"),
                   responses={200: JobSerializer, 404: ERRORS[404]})
    def get(self, request, pk):
        from kehu.core import jobs
        from kehu.core.access import get_for_user

        return Response(job_answer(get_for_user(jobs.for_user(request.user), pk, user=request.user)))
