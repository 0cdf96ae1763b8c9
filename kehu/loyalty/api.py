"""REST API of referrals (REF-1, REF-2): the same selectors and services as the pages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action

from kehu.core.api import (
    ERRORS,
    HasScope,
    PeriodQuerySerializer,
    ReportView,
    ScopedViewSet,
    money_field,
    object_response,
    report_schema,
    valid_data,
)
from kehu.core.periods import add_months
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Category, Customer
from kehu.loyalty import selectors, services
from kehu.loyalty.filters import DefectionFilter, ReferralFilter
from kehu.loyalty.models import Defection, DefectionReason, Referral, WinBackAttempt
from kehu.relations.models import TouchKind


class ReferralSerializer(serializers.ModelSerializer):
    referrer_name = serializers.CharField(source="referrer.name", read_only=True)
    referred_name = serializers.CharField(source="referred.name", read_only=True)
    contacted = serializers.BooleanField(read_only=True)
    thanked_on = serializers.DateField(source="thank_touch.on", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Referral
        fields = ["id", "referrer", "referrer_name", "referrer_person", "referred", "referred_name", "created_at",
                  "contacted", "flagged_at", "outcome", "outcome_at", "thank_touch", "thanked_on"]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    referrer = ScopedCustomerField(queryset=Customer.objects.all(), help_text=_("The customer who referred."))
    referrer_person = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                               help_text=_("One of the referrer's current key people."))
    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    to_pool = serializers.BooleanField(required=False, default=False)
    on_duplicate = serializers.ChoiceField(choices=["keep_both"], required=False)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[Referral.Outcome.WON, Referral.Outcome.LOST])


class ThankSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TouchKind.choices, default=TouchKind.PHONE)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReferralViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """Referrals whose referred prospect is in your scope (REF-1, REF-2)."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    visible = staticmethod(selectors.referrals_visible_to)
    get_one = staticmethod(selectors.referral_get_for_user)

    @extend_schema(summary=_("Record a referral: the prospect becomes a customer card"),
                   request=ReferralCreateSerializer, responses={201: ReferralSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = dict(valid_data(ReferralCreateSerializer, request))
        prospect = {k: data.pop(k) for k in ("name", "category", "phone", "address") if data.get(k)}
        referral = services.referral_create(by=request.user, referrer=data["referrer"], data=prospect,
                                            referrer_person=data.get("referrer_person"), to_pool=data["to_pool"],
                                            on_duplicate=data.get("on_duplicate"))
        return self.answer(referral, status_code=status.HTTP_201_CREATED) if not data["to_pool"] else \
            self._plain(referral)

    def _plain(self, referral):
        fresh = selectors.referral_list_rows().get(pk=referral.pk)  # in the pool: outside the recorder's scope
        return object_response(ReferralSerializer, fresh, self.request, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Record the outcome of a referral"), request=OutcomeSerializer,
                   responses={200: ReferralSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        referral = self.get_object()
        data = valid_data(OutcomeSerializer, request)
        services.referral_outcome(by=request.user, referral=referral, outcome=data["outcome"])
        return self.answer(referral)

    @extend_schema(summary=_("Log the thank-you to the referrer as a touch"), request=ThankSerializer,
                   responses={200: ReferralSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def thank(self, request, pk=None):
        referral = self.get_object()
        data = valid_data(ThankSerializer, request)
        services.referral_thank(by=request.user, referral=referral, kind=data["kind"], notes=data["notes"])
        return self.answer(referral)


class ConversionQuerySerializer(PeriodQuerySerializer):
    start = serializers.DateField(required=False, help_text=_("First day; 1 January of this year if left out."))
    end = serializers.DateField(required=False, help_text=_("Last day; today if left out."))
    by = serializers.ChoiceField(choices=list(selectors.CONVERSION_GROUPS), default="referrer")


class ConversionRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True, help_text=_("The referrer's customer id, or the salesperson's id."))
    name = serializers.CharField()
    referrals = serializers.IntegerField()
    won = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=2)


class ConversionSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    rows = ConversionRowSerializer(many=True)
    total = ConversionRowSerializer()


@report_schema(_("Referral conversion per referrer (ambassadors) or salesperson"), query=ConversionQuerySerializer,
               answer=ConversionSerializer)
class ConversionView(ReportView):
    """GET /referral-conversion/: REF-3 over the referrals of your scope."""

    permission_classes = [permissions.IsAuthenticated, HasScope]
    serializer_class = ConversionSerializer
    query_serializer = ConversionQuerySerializer
    queryset = Referral.objects.none()

    def report(self, request, *, start=None, end=None, by="referrer") -> dict:
        today = timezone.localdate()
        start, end = start or today.replace(month=1, day=1), end or today
        rows = selectors.referral_conversion(request.user, start=start, end=end, by=by)
        return {"start": start, "end": end, "rows": rows, "total": selectors.conversion_total(rows)}


# --- lost customers and win-back (WIN-1, WIN-2) -------------------------------------------------------------------

class AttemptSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.display_name", read_only=True)

    class Meta:
        model = WinBackAttempt
        fields = ["id", "channel", "offer", "outcome", "notes", "on", "by", "by_name", "created_at"]
        read_only_fields = fields


class DefectionSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    grade = serializers.CharField(source="customer.grade", read_only=True)
    owner = serializers.IntegerField(source="customer.owner_id", read_only=True, allow_null=True)
    lost_value = money_field(help_text=_("What the customer bought in the year up to its last purchase."))
    reason = serializers.ChoiceField(choices=DefectionReason.choices, allow_blank=True, read_only=True)
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Defection
        fields = ["id", "customer", "customer_name", "customer_code", "grade", "owner", "state", "at_risk_on",
                  "lost_on", "ended_on", "expected_days", "last_purchase_on", "lost_value", "reason", "reason_note",
                  "reason_by", "reason_at", "won_by", "attempts"]
        read_only_fields = fields


class DefectionReasonSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DefectionReason.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttemptCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=TouchKind.choices)
    offer = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=WinBackAttempt.Outcome.choices, default=WinBackAttempt.Outcome.PENDING)
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, help_text=_("Today if left out."))


def _with_attempts(user):
    return selectors.defections_visible_to(user).prefetch_related("attempts__by")


class DefectionViewSet(ScopedViewSet):
    """Customers at risk or lost (and those won back) in your scope (WIN-1, WIN-2): `?state=open`
    for those still to win back."""

    serializer_class = DefectionSerializer
    filterset_class = DefectionFilter
    visible = staticmethod(_with_attempts)
    get_one = staticmethod(selectors.defection_get_for_user)

    @extend_schema(summary=_("Record why the customer stopped buying"), request=DefectionReasonSerializer,
                   responses={200: DefectionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reason(self, request, pk=None):
        defection = self.get_object()
        data = valid_data(DefectionReasonSerializer, request)
        services.defection_reason_set(by=request.user, defection=defection, reason=data["reason"], note=data["note"])
        return self.answer(defection)

    @extend_schema(summary=_("Log a win-back attempt"), request=AttemptCreateSerializer,
                   responses={201: AttemptSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def attempts(self, request, pk=None):
        defection = self.get_object()
        data = valid_data(AttemptCreateSerializer, request)
        attempt = services.win_back_attempt_record(by=request.user, defection=defection, **data)
        return object_response(AttemptSerializer, attempt, request, status_code=status.HTTP_201_CREATED)


class WinBackQuerySerializer(PeriodQuerySerializer):
    start = serializers.DateField(required=False, help_text=_("First day; the first of the month a year ago if left out."))
    end = serializers.DateField(required=False, help_text=_("Last day; today if left out."))


class WinBackMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    lost = serializers.IntegerField()
    lost_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    won = serializers.IntegerField()
    won_value = serializers.DecimalField(max_digits=16, decimal_places=2)


class WonBySerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    won = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=16, decimal_places=2)


class WinBackReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    months = WinBackMonthSerializer(many=True)
    salespeople = WonBySerializer(many=True)


@report_schema(_("Lost and won-back customers and value by month, and won back per salesperson"),
               query=WinBackQuerySerializer, answer=WinBackReportSerializer)
class WinBackReportView(ReportView):
    """GET /win-back/: WIN-2 over the customers of your scope."""

    permission_classes = [permissions.IsAuthenticated, HasScope]
    serializer_class = WinBackReportSerializer
    query_serializer = WinBackQuerySerializer
    queryset = Defection.objects.none()

    def report(self, request, *, start=None, end=None) -> dict:
        today = timezone.localdate()
        start, end = start or add_months(today.replace(day=1), -11), end or today
        return {"start": start, "end": end,
                "months": selectors.win_back_by_month(request.user, start=start, end=end),
                "salespeople": selectors.won_back_by_salesperson(request.user, start=start, end=end)}
