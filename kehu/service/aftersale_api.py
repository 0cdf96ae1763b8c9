"""REST API (PLT-2) of service orders (SVC-1), service commitments (SVC-2) and after-sale
follow-ups (SVC-3): the same selectors (scopes) and services (rules) as the pages."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from kehu.core.api import ERRORS, MoneyInput, ScopedViewSet, valid_data
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Customer
from kehu.sales.api import ScopedOrderField
from kehu.sales.models import Order
from kehu.service import aftersale_selectors, aftersale_services, selectors, services
from kehu.service.aftersale_filters import CommitmentFilter, FollowUpFilter, ServiceOrderApiFilter
from kehu.service.models import Commitment, FollowUp, Occurrence, ServiceOrder


def _person(customer, pk, field: str):
    """A user who serves and sees the customer, or a 400 naming `field`."""
    if pk is None:
        return None
    person = selectors.handlers_for(customer).filter(pk=pk).first()
    if person is None:
        raise serializers.ValidationError({field: [_("Not someone who serves and sees this customer.")]})
    return person


# --- service orders (SVC-1) ---------------------------------------------------------------------------------

class ServiceOrderSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None, allow_null=True)
    assignee_name = serializers.CharField(source="assignee.display_name", read_only=True)

    class Meta:
        model = ServiceOrder
        fields = ["id", "customer", "customer_code", "customer_name", "order", "order_number", "kind", "description",
                  "assignee", "assignee_name", "due_on", "every_days", "status", "outcome", "rating", "parts", "cost",
                  "done_at", "created_at"]
        read_only_fields = fields


class ServiceOrderCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    kind = serializers.ChoiceField(choices=ServiceOrder.Kind.choices)
    description = serializers.CharField(max_length=4000)
    due_on = serializers.DateField()
    assignee = serializers.IntegerField(required=False, allow_null=True,
                                        help_text=_("Who does it: someone who serves and sees the customer; by "
                                                    "default you."))
    every_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=366,
                                          help_text=_("Periodic maintenance: the next visit is scheduled this many "
                                                      "days after one is done."))
    order = ScopedOrderField(queryset=Order.objects.all(), required=False, allow_null=True)


class ServiceOrderCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=4000)
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5,
                                      help_text=_("The customer's rating, 1 to 5."))
    parts = serializers.CharField(required=False, allow_blank=True, max_length=300)
    cost = MoneyInput(required=False, allow_blank=True)


class ServiceOrderViewSet(ScopedViewSet):
    """After-sales services in your scope (SVC-1): the queue, planning one, recording one done."""

    serializer_class = ServiceOrderSerializer
    filterset_class = ServiceOrderApiFilter
    visible = staticmethod(selectors.service_orders_visible_to)
    get_one = staticmethod(selectors.service_order_get_for_user)

    @extend_schema(summary=_("Plan a service"), request=ServiceOrderCreateSerializer,
                   responses={201: ServiceOrderSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(ServiceOrderCreateSerializer, request)
        customer = data["customer"]
        assignee = _person(customer, data.get("assignee"), "assignee") or request.user
        planned = services.service_order_create(
            by=request.user, customer=customer, kind=data["kind"], description=data["description"],
            assignee=assignee, due_on=data["due_on"], every_days=data.get("every_days"), order=data.get("order"))
        return self.answer(planned, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Record a service as done"), request=ServiceOrderCompleteSerializer,
                   responses={200: ServiceOrderSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        planned = self.get_object()
        data = valid_data(ServiceOrderCompleteSerializer, request)
        services.service_order_done(by=request.user, service_order=planned, outcome=data["outcome"],
                                    rating=data.get("rating"), parts=data.get("parts", ""), cost=data.get("cost"))
        return self.answer(planned)


# --- service commitments (SVC-2) ----------------------------------------------------------------------------

class OccurrenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Occurrence
        fields = ["id", "due_on", "status", "fulfilled_on", "fulfilled_by", "note", "missed_at"]
        read_only_fields = fields


class CommitmentSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    occurrences = OccurrenceSerializer(many=True, read_only=True,
                                       help_text=_("Each day the promise falls due, fulfilled or missed."))

    class Meta:
        model = Commitment
        fields = ["id", "customer", "customer_code", "customer_name", "owner", "owner_name", "description", "repeat",
                  "starts_on", "day_of_month", "until", "created_at", "occurrences"]
        read_only_fields = fields


class CommitmentCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    description = serializers.CharField(max_length=4000, help_text=_("What was promised."))
    repeat = serializers.ChoiceField(choices=Commitment.Repeat.choices, default=Commitment.Repeat.ONCE)
    starts_on = serializers.DateField(help_text=_("Once: the day it is due; every month: the first month's day."))
    day_of_month = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=31,
                                            help_text=_("Every month: the day (the 31st falls on the last day of a "
                                                        "shorter month); by default the day of starts_on."))
    until = serializers.DateField(required=False, allow_null=True,
                                  help_text=_("Every month: the last day (at most five years)."))
    owner = serializers.IntegerField(required=False, allow_null=True,
                                     help_text=_("Who keeps the promise; by default you."))


class FulfilSerializer(serializers.Serializer):
    occurrence = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("The due day kept."))
    note = serializers.CharField(max_length=4000, help_text=_("How the promise was kept."))


class CommitmentViewSet(ScopedViewSet):
    """Service commitments in your scope (SVC-2), each with the days it falls due."""

    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    visible = staticmethod(lambda user: aftersale_selectors.commitments_visible_to(user)
                           .prefetch_related("occurrences"))
    get_one = staticmethod(aftersale_selectors.commitment_get_for_user)

    @extend_schema(summary=_("Record a commitment"), request=CommitmentCreateSerializer,
                   responses={201: CommitmentSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(CommitmentCreateSerializer, request)
        customer = data["customer"]
        made = aftersale_services.commitment_create(
            by=request.user, customer=customer, description=data["description"], repeat=data["repeat"],
            starts_on=data["starts_on"], day_of_month=data.get("day_of_month"), until=data.get("until"),
            owner=_person(customer, data.get("owner"), "owner"))
        return self.answer(made, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Record a due day of the commitment as kept"), request=FulfilSerializer,
                   responses={200: CommitmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        commitment = self.get_object()
        data = valid_data(FulfilSerializer, request)
        occurrence = commitment.occurrences.filter(pk=data["occurrence"]).first()
        if occurrence is None:
            raise serializers.ValidationError({"occurrence": [_("Not a due day of this commitment.")]})
        aftersale_services.occurrence_fulfil(by=request.user, occurrence=occurrence, note=data["note"])
        return self.answer(commitment)


# --- after-sale follow-up (SVC-3) ---------------------------------------------------------------------------

class FollowUpSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    assignee_name = serializers.CharField(source="assignee.display_name", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "order", "order_number", "customer", "customer_name", "assignee", "assignee_name", "due_on",
                  "status", "usage", "satisfied", "congratulated", "note", "done_at", "done_by"]
        read_only_fields = fields


class FollowUpRecordSerializer(serializers.Serializer):
    usage = serializers.CharField(max_length=4000, help_text=_("How the customer uses the product."))
    satisfied = serializers.BooleanField()
    congratulated = serializers.BooleanField(default=False, help_text=_("Congratulated on the decision."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class FollowUpViewSet(ScopedViewSet):
    """The follow-up calls after delivery in your scope (SVC-3)."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    visible = staticmethod(aftersale_selectors.follow_ups_visible_to)
    get_one = staticmethod(aftersale_selectors.follow_up_get_for_user)

    @extend_schema(summary=_("Record the follow-up call's answers"), request=FollowUpRecordSerializer,
                   responses={200: FollowUpSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        follow_up = self.get_object()
        data = valid_data(FollowUpRecordSerializer, request)
        aftersale_services.follow_up_record(by=request.user, follow_up=follow_up, usage=data["usage"],
                                            satisfied=data["satisfied"], congratulated=data["congratulated"],
                                            note=data.get("note", ""))
        return self.answer(follow_up)
