"""REST API of the collection work (AR-2): promises to pay, recorded and cancelled."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from kehu.core.api import MoneyInput, ReasonSerializer, ScopedViewSet, valid_data
from kehu.core.filtering import IdFilter
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Customer
from kehu.receivables import selectors, services
from kehu.receivables.api._common import PERMISSIONS, WRITE_ERRORS
from kehu.receivables.models import CollectionAttempt, Promise


class PromiseSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    invoice_number = serializers.CharField(source="invoice.number", read_only=True, default=None, allow_null=True)
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True)

    class Meta:
        model = Promise
        fields = ["id", "customer", "customer_name", "invoice", "invoice_number", "promised_on", "amount", "made_on",
                  "contact", "status", "resolved_on", "note", "recorded_by", "recorded_by_name", "created_at"]
        read_only_fields = fields


class PromiseCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    promised_on = serializers.DateField(help_text=_("The day the customer promises to pay: the day the promise "
                                                    "was made or later."))
    made_on = serializers.DateField(required=False, help_text=_(
        "The day the customer made the promise: today (the default) or up to KEHU_PROMISE_BACKDATE_DAYS days ago."))
    keep_both = serializers.BooleanField(default=False, help_text=_(
        "Record the promise although the invoice has another open promise; "
        "without it such a promise is refused with 409 second_promise."))
    amount = MoneyInput()
    invoice = serializers.IntegerField(required=False, allow_null=True,
                                       help_text=_("The id of the customer's invoice the promise is about."))
    contact = serializers.CharField(required=False, allow_blank=True, max_length=60,
                                    help_text=_("Who at the customer promised."))
    channel = serializers.ChoiceField(choices=CollectionAttempt.Channel.choices,
                                      default=CollectionAttempt.Channel.CALL)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class PromiseFilter(django_filters.FilterSet):
    customer = IdFilter(label=_("customer"), field_name="customer_id")
    status = django_filters.ChoiceFilter(label=_("status"), choices=Promise.Status.choices)

    class Meta:
        model = Promise
        fields = ["customer", "status"]


class PromiseViewSet(ScopedViewSet):
    """Promises to pay 付款承诺 in your scope (AR-2), followed up on their date."""

    serializer_class = PromiseSerializer
    filterset_class = PromiseFilter
    permission_classes = PERMISSIONS
    visible = staticmethod(selectors.promises_visible_to)
    get_one = staticmethod(selectors.promise_get_for_user)

    @extend_schema(summary=_("Record a promise to pay (a collection attempt with that outcome)"),
                   request=PromiseCreateSerializer, responses={201: PromiseSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(PromiseCreateSerializer, request)
        attempt = services.attempt_log(
            by=request.user, customer=data["customer"], channel=data["channel"],
            outcome=CollectionAttempt.Outcome.PROMISED, note=data.get("note", ""), invoice=data.get("invoice"),
            promised_on=data["promised_on"], promised_amount=data["amount"], contact=data.get("contact", ""),
            made_on=data.get("made_on"), keep_both=data["keep_both"])
        return self.answer(attempt.promise, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Cancel an open promise"), request=ReasonSerializer,
                   responses={200: PromiseSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        promise = self.get_object()
        data = valid_data(ReasonSerializer, request)
        promise = services.promise_cancel(by=request.user, promise=promise, reason=data.get("reason", ""))
        return self.answer(promise)
