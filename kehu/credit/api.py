"""REST API for credit (PLT-2): limit and override requests through the approval chain
(CRD-2), a customer's limit and exposure, and confirming an order under the limit (CRD-3).
The same selectors (scopes) and services (rules) as the pages. Money is a string with two
decimals."""

from decimal import Decimal

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.core.api import ERRORS, DomainErrorSerializer, ScopedViewSet, StrictBooleanFilter, valid_data
from kehu.core.errors import StaleEdit
from kehu.core.filtering import IdFilter
from kehu.core.money import CENT
from kehu.credit import selectors, services
from kehu.credit.models import CreditApproval, CreditRequest, Level
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Customer, Grade
from kehu.customers.selectors import customer_get_for_user
from kehu.sales.api import OrderSerializer, ScopedOrderField, order_response
from kehu.sales.models import Order
from kehu.sales.selectors import order_get_for_user


def _two_places(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT))


# --- credit requests (CRD-2) ------------------------------------------------------------------------------

class CreditApprovalSerializer(serializers.ModelSerializer):
    decided_by_name = serializers.CharField(source="decided_by.display_name", read_only=True)

    class Meta:
        model = CreditApproval
        fields = ["level", "decision", "decided_by", "decided_by_name", "comment", "at"]
        read_only_fields = fields


class CreditRequestSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None, allow_null=True)
    requested_by_name = serializers.CharField(source="requested_by.display_name", read_only=True)
    levels = serializers.ListField(child=serializers.ChoiceField(choices=Level.choices), read_only=True,
                                   help_text=_("The levels that sign, in order."))
    next_level = serializers.ChoiceField(choices=Level.choices, read_only=True, allow_null=True,
                                         help_text=_("The level whose signature is awaited; null once decided."))
    steps = CreditApprovalSerializer(many=True, read_only=True)
    requested_limit = serializers.SerializerMethodField(
        help_text=_("kind=limit: the credit limit asked for; null for an override."))
    exposure_reached = serializers.SerializerMethodField(
        help_text=_("kind=override: the exposure the order would take the customer to, which the override "
                    "allows once (the signing level is the one the thresholds name for it); null for a limit."))

    class Meta:
        model = CreditRequest
        fields = ["id", "kind", "customer", "customer_code", "customer_name", "amount", "requested_limit",
                  "exposure_reached", "grade", "previous_limit", "order", "order_number", "reasons", "requested_by",
                  "requested_by_name", "levels", "next_level", "status", "steps", "decided_at", "used_at",
                  "created_at", "discount_pct"]
        read_only_fields = fields
        extra_kwargs = {
            "amount": {"help_text": _("Kept for existing clients: requested_limit for a limit, exposure_reached for "
                                      "an override. Read those instead.")},
            "previous_limit": {"help_text": _("The customer's credit limit when the request was made.")},
            "grade": {"allow_blank": True},  # empty for an override: the schema says so
            "discount_pct": {"help_text": _("kind=discount: the deepest discount below the list price the approval "
                                            "covers, in percent; null for the other kinds.")},
        }

    def _amount_if(self, obj, kind) -> str | None:
        return str(obj.amount.quantize(CENT)) if obj.kind == kind else None

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_requested_limit(self, obj) -> str | None:
        return self._amount_if(obj, CreditRequest.Kind.LIMIT)

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_exposure_reached(self, obj) -> str | None:
        return self._amount_if(obj, CreditRequest.Kind.OVERRIDE)


class CreditRequestCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CreditRequest.Kind.choices, default=CreditRequest.Kind.LIMIT)
    customer = ScopedCustomerField(queryset=Customer.objects.all(), required=False,
                                   help_text=_("For a limit: the customer."))
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                      help_text=_("For a limit: the limit asked for. An override takes no "
                                                  "amount: the exposure the order would reach is computed."))
    grade = serializers.ChoiceField(choices=Grade.choices, required=False, allow_blank=True)
    order = ScopedOrderField(queryset=Order.objects.all(), required=False,
                             help_text=_("For an override: the draft order refused by the credit check; for a "
                                         "discount approval: the draft order whose prices need one."))
    reasons = serializers.CharField()

    def validate(self, attrs):
        needed = ["customer", "amount"] if attrs["kind"] == CreditRequest.Kind.LIMIT else ["order"]
        missing = {field: [_("Required for this kind of request.")] for field in needed if attrs.get(field) is None}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class CreditDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text=_("true to approve, false to reject (a comment is then required)."))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CreditRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=CreditRequest.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=CreditRequest.Kind.choices)
    customer = IdFilter(label=_("customer"), field_name="customer_id")
    awaiting_me = StrictBooleanFilter(label=_("awaiting my signature"), method="filter_awaiting_me",
                                               help_text=_("true: only the requests waiting for your signature."))

    class Meta:
        model = CreditRequest
        fields = ["status", "kind", "customer", "awaiting_me"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_awaiting_me(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=[r.pk for r in selectors.approval_queue_for(self.request.user)])


class CreditRequestViewSet(ScopedViewSet):
    """Credit limit requests and one-off overrides in your scope, with their approval steps."""

    serializer_class = CreditRequestSerializer
    filterset_class = CreditRequestFilter
    visible = staticmethod(selectors.credit_requests_visible_to)
    get_one = staticmethod(selectors.credit_request_get_for_user)

    @extend_schema(summary=_("Ask for a credit limit, a one-off override or a discount approval of an order"),
                   description=_("kind=limit needs customer, amount (and optionally grade); kind=override needs "
                                 "order: the request then waits for the levels the thresholds name. "
                                 "kind=discount needs order: a draft with lines priced deeper below the list "
                                 "price than your role may give, or below a floor price; it waits for the first "
                                 "level above you whose maximum discount covers it."),
                   request=CreditRequestCreateSerializer, responses={201: CreditRequestSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(CreditRequestCreateSerializer, request)
        if data["kind"] == CreditRequest.Kind.LIMIT:
            created = services.credit_limit_request(by=request.user, customer=data["customer"], amount=data["amount"],
                                                    grade=data.get("grade", ""), reasons=data["reasons"])
        elif data["kind"] == CreditRequest.Kind.DISCOUNT:
            created = services.credit_discount_request(by=request.user, order=data["order"], reasons=data["reasons"])
        else:
            created = services.credit_override_request(by=request.user, order=data["order"], reasons=data["reasons"])
        return self.answer(created, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Sign the awaited step: approve or reject"), request=CreditDecisionSerializer,
                   responses={200: CreditRequestSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        credit_request = self.get_object()
        data = valid_data(CreditDecisionSerializer, request)
        services.credit_request_decide(by=request.user, request=credit_request, approve=data["approve"],
                                       comment=data.get("comment", ""))
        return self.answer(credit_request)


# --- a customer's limit and exposure (CRD-3) ------------------------------------------------------------

class CustomerCreditSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    limit = serializers.DecimalField(max_digits=14, decimal_places=2)
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    receivables = serializers.DecimalField(max_digits=14, decimal_places=2,
                                           help_text=_("Invoiced and not yet paid."))
    open_orders = serializers.DecimalField(max_digits=14, decimal_places=2,
                                           help_text=_("Confirmed or delivered orders not yet invoiced, less returns."))
    exposure = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("receivables + open_orders"))
    available = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("limit − exposure"))
    overdue_days = serializers.IntegerField(help_text=_("Days the oldest unpaid receivable is overdue."))


class CustomerCreditView(generics.GenericAPIView):
    """GET /customers/{id}/credit/: the customer's limit, grade and exposure (CRD-3)."""

    serializer_class = CustomerCreditSerializer
    queryset = Customer.objects.none()  # for the schema; reads go through the scoped selectors

    @extend_schema(summary=_("The customer's credit limit and exposure"),
                   responses={200: CustomerCreditSerializer, 404: ERRORS[404]})
    def get(self, request, pk):
        customer = customer_get_for_user(user=request.user, pk=pk)
        account = selectors.credit_account_of(customer)
        exposure = selectors.exposure_of(customer, limit=account.limit if account else Decimal("0"))
        data = {"customer": customer.pk, "limit": exposure.limit, "grade": account.grade if account else "",
                "approved_at": account.approved_at if account else None, "receivables": exposure.receivables,
                "open_orders": exposure.open_orders, "exposure": exposure.total, "available": exposure.available,
                "overdue_days": exposure.overdue_days}
        return Response(CustomerCreditSerializer(data).data)


# --- confirming an order (CRD-3) ---------------------------------------------------------------------------

class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The version of the order you read."))


class _CreditRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("The refusal in words, with the numbers."))
    limit = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("The customer's credit limit."))
    exposure = serializers.DecimalField(max_digits=14, decimal_places=2,
                                        help_text=_("Without this order."))
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("This order."))


class CreditOverLimitSerializer(_CreditRefusalSerializer):
    code = serializers.ChoiceField(choices=[services.CreditRefused.OVER_LIMIT])
    shortfall = serializers.DecimalField(max_digits=14, decimal_places=2,
                                         help_text=_("How far exposure plus this order goes beyond the limit."))


class CreditOverdueSerializer(_CreditRefusalSerializer):
    code = serializers.ChoiceField(choices=[services.CreditRefused.OVERDUE])
    overdue_days = serializers.IntegerField(help_text=_("Days the oldest unpaid receivable is overdue."))
    policy_days = serializers.IntegerField(
        help_text=_("The days overdue beyond which the credit policy blocks new orders."))


class DiscountLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=_("The line's position on the order, from 1."))
    product = serializers.CharField()
    list_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    net_price = serializers.DecimalField(max_digits=14, decimal_places=2,
                                         help_text=_("The unit price after the line's discount."))
    discount_pct = serializers.DecimalField(max_digits=5, decimal_places=2,
                                            help_text=_("How far the net price is below the list price, in percent."))
    allowed_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                           help_text=_("The most your role may give; null: not limited."))
    floor_price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                           help_text=_("The product's floor price; null: none."))
    below_floor = serializers.BooleanField()


class DiscountRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("The refusal in words, naming each line and what is allowed."))
    code = serializers.ChoiceField(choices=[services.DiscountRefused.code])
    lines = DiscountLineSerializer(many=True, help_text=_("The lines that need a discount approval."))


def discount_refusal_body(refused: services.DiscountRefused) -> dict:
    """The 409 answer of a confirmation refused for its prices (ORD-1)."""
    lines = [{"line": e.line.number, "product": e.line.product, "list_price": e.line.list_price,
              "net_price": e.line.net_price.quantize(CENT), "discount_pct": e.line.below_list_pct,
              "allowed_pct": e.allowed_pct, "floor_price": e.line.floor_price, "below_floor": e.below_floor}
             for e in refused.excesses]
    return DiscountRefusalSerializer({"detail": str(refused.message), "code": refused.code, "lines": lines}).data


class StaleEditSerializer(DomainErrorSerializer):
    """The 409 of a confirmation whose version is not the order's any more."""

    code = serializers.ChoiceField(choices=[StaleEdit.code])


CREDIT_REFUSAL = PolymorphicProxySerializer(
    component_name="CreditRefusal",
    serializers={services.CreditRefused.OVER_LIMIT: CreditOverLimitSerializer,
                 services.CreditRefused.OVERDUE: CreditOverdueSerializer,
                 services.DiscountRefused.code: DiscountRefusalSerializer,
                 StaleEdit.code: StaleEditSerializer},
    resource_type_field_name="code")


def refusal_body(refused: services.CreditRefused) -> dict:
    """The 409 answer of a refused confirmation: its own code and the fields of its reason."""
    body = {"detail": str(refused.message), "code": refused.code, "limit": _two_places(refused.exposure.limit),
            "exposure": _two_places(refused.exposure.total), "amount": _two_places(refused.amount)}
    if refused.code == services.CreditRefused.OVERDUE:
        body.update(overdue_days=refused.overdue_days, policy_days=refused.policy_days)
    else:
        body["shortfall"] = _two_places(refused.shortfall)
    return body


class OrderConfirmView(generics.GenericAPIView):
    """POST /orders/{id}/confirm/: confirm a draft under the credit limit (CRD-3). Kept in the
    credit app: sales does not depend on credit."""

    serializer_class = VersionSerializer
    queryset = Order.objects.none()  # for the schema; reads go through the scoped selectors

    @extend_schema(
        summary=_("Confirm a draft order: the credit check"),
        description=_("Refused with 409 code 'discount_over_limit' (with the lines) when a line is priced deeper "
                      "below the list price than your role may give, or below its floor price, and no approved "
                      "discount approval of the order covers it. "
                      "Refused with 409 unless an approved override of this order is still unused: code "
                      "'credit_over_limit' (with the shortfall) when the order would take the customer's "
                      "exposure beyond the credit limit; code 'credit_overdue' (with overdue_days and "
                      "policy_days) when receivables are overdue beyond the policy's days, which is the "
                      "refusal given when both hold."),
        request=VersionSerializer,
        responses={200: OrderSerializer, 400: ERRORS[400], 403: ERRORS[403], 404: ERRORS[404],
                   409: OpenApiResponse(CREDIT_REFUSAL,
                                        description=_("Refused by the credit check (code credit_over_limit or "
                                                      "credit_overdue), for its prices (code discount_over_limit), "
                                                      "or changed by someone else (code stale)."))},
    )
    def post(self, request, pk):
        order = order_get_for_user(user=request.user, pk=pk, write=True)
        data = valid_data(VersionSerializer, request)
        try:
            order = services.order_confirm(by=request.user, order=order, version=data["version"])
        except services.CreditRefused as refused:
            return Response(refusal_body(refused), status=refused.status)
        except services.DiscountRefused as refused:
            return Response(discount_refusal_body(refused), status=refused.status)
        return order_response(order, request)
