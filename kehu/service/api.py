"""REST API for complaints (PLT-2): intake (CMP-1) and the guided process (CMP-2) — a step out
of order and a close with a step missing are refused as on the pages (409 step_missing, nothing
changed). The same selectors (scopes) and services (rules) as the pages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action

from kehu.core.api import (
    ERRORS,
    HasScope,
    MoneyInput,
    PeriodQuerySerializer,
    ReportView,
    ScopedViewSet,
    report_schema,
    valid_data,
)
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Customer
from kehu.sales.api import ScopedOrderField
from kehu.sales.models import Order, Product
from kehu.service import satisfaction, selectors, services
from kehu.service.filters import ComplaintFilter
from kehu.service.models import Change, Complaint, ComplaintStep, Escalation, Satisfaction, Step


class ComplaintStepSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.display_name", read_only=True)

    class Meta:
        model = ComplaintStep
        fields = ["step", "note", "by", "by_name", "at"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    requested_by_name = serializers.CharField(source="requested_by.display_name", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.display_name", read_only=True, default=None,
                                            allow_null=True)

    class Meta:
        model = Escalation
        fields = ["id", "amount", "solution", "level", "requested_by", "requested_by_name", "status", "decided_by",
                  "decided_by_name", "decided_at", "comment", "created_at"]
        read_only_fields = fields


class ChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Change
        fields = ["id", "kind", "note", "who", "due_at", "by", "at", "kept_at"]
        read_only_fields = fields


class SatisfactionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Satisfaction
        fields = ["rating", "comment", "source", "recorded_by", "answered_at"]
        read_only_fields = fields


class SatisfactionInSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text=_("1 (very unhappy) to 5 (very satisfied)."))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ComplaintSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None, allow_null=True)
    handler_name = serializers.CharField(source="handler.display_name", read_only=True)
    steps = ComplaintStepSerializer(many=True, read_only=True,
                                    help_text=_("The steps recorded, in the order of the process."))
    next_step = serializers.SerializerMethodField(help_text=_("The step to record next; null once all are done."))
    escalations = EscalationSerializer(many=True, read_only=True)
    changes = ChangeSerializer(many=True, read_only=True)
    satisfaction = serializers.SerializerMethodField(
        help_text=_("CMP-6: the customer's satisfaction with the handling, once answered; else null."))

    class Meta:
        model = Complaint
        fields = ["id", "customer", "customer_code", "customer_name", "order", "order_number", "product", "kind",
                  "nature", "severity", "channel", "received_by", "handler", "handler_name", "words",
                  "amount_claimed", "received_at", "status", "step", "respond_by", "resolve_by", "first_response_at",
                  "closed_at", "solution_amount", "cause", "responsibility", "steps", "next_step", "escalations",
                  "changes", "satisfaction"]
        read_only_fields = fields
        extra_kwargs = {"step": {"help_text": _("The last step recorded; empty before the first."), "allow_blank": True},
                        # empty until the investigation and the decision say them: the schema says so
                        "cause": {"allow_blank": True}, "responsibility": {"allow_blank": True}}

    @extend_schema_field(SatisfactionSerializer(allow_null=True))
    def get_satisfaction(self, obj) -> dict | None:
        answer = getattr(obj, "satisfaction", None)
        return SatisfactionSerializer(answer).data if answer is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=Step.choices, allow_null=True))
    def get_next_step(self, obj) -> str | None:
        upcoming = selectors.next_step(obj)
        return upcoming.value if upcoming else None


class ComplaintCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    kind = serializers.ChoiceField(choices=Complaint.Kind.choices)
    channel = serializers.ChoiceField(choices=Complaint.Channel.choices)
    severity = serializers.ChoiceField(choices=Complaint.Severity.choices, default=Complaint.Severity.MEDIUM)
    nature = serializers.ChoiceField(choices=Complaint.Nature.choices, default=Complaint.Nature.UNCLEAR)
    words = serializers.CharField(max_length=4000, help_text=_("The customer's own words."))
    amount_claimed = MoneyInput(required=False, allow_blank=True)
    order = ScopedOrderField(queryset=Order.objects.all(), required=False, allow_null=True)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    handler = serializers.IntegerField(required=False, allow_null=True,
                                       help_text=_("A user who handles complaints and sees the customer; by "
                                                   "default you, or else the customer's salesperson."))


class StepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=Step.choices, help_text=_("The next step of the process, in order."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    amount = MoneyInput(required=False, allow_blank=True,
                        help_text=_("step=propose: the cost of the solution, within your authority (else escalate)."))
    cause = serializers.ChoiceField(choices=Complaint.Cause.choices, required=False, allow_blank=True,
                                    help_text=_("step=investigate: the cause found (CMP-6 analysis)."))
    responsibility = serializers.ChoiceField(choices=Complaint.Responsibility.choices, required=False,
                                             allow_blank=True,
                                             help_text=_("step=decide: who is responsible (CMP-6 analysis)."))


class EscalateSerializer(serializers.Serializer):
    amount = MoneyInput(help_text=_("The cost of the solution, beyond your authority."))
    solution = serializers.CharField(max_length=4000)


class EscalationDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text=_("true: accept the solution and take the complaint over; false: "
                                                  "decline it (a comment is then required)."))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ChangePlanSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Change.Kind.choices)
    note = serializers.CharField(max_length=4000)
    due_at = serializers.DateTimeField()
    who = serializers.IntegerField(required=False, allow_null=True,
                                   help_text=_("kind=person: who meets the customer instead."))


class ChangeKeptSerializer(serializers.Serializer):
    change = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class ComplaintViewSet(ScopedViewSet):
    """Complaints in your scope, with the steps of their handling (CMP-1, CMP-2)."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    visible = staticmethod(lambda user: selectors.complaints_visible_to(user).prefetch_related(
        "steps__by", "escalations__requested_by", "escalations__decided_by", "changes",
    ).select_related("satisfaction"))
    get_one = staticmethod(selectors.complaint_get_for_user)

    @extend_schema(summary=_("Record a complaint"), request=ComplaintCreateSerializer,
                   responses={201: ComplaintSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(ComplaintCreateSerializer, request)
        customer = data["customer"]
        handler = None
        if data.get("handler") is not None:
            handler = selectors.handlers_for(customer).filter(pk=data["handler"]).first()
            if handler is None:
                raise serializers.ValidationError({"handler": [_("Not a handler who sees this customer.")]})
        created = services.complaint_open(
            by=request.user, customer=customer, kind=data["kind"], channel=data["channel"], words=data["words"],
            severity=data["severity"], nature=data["nature"], amount_claimed=data.get("amount_claimed") or "0",
            order=data.get("order"), product=data.get("product"), handler=handler)
        return self.answer(created, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Record the next step of the handling"), request=StepSerializer,
                   responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        complaint = self.get_object()
        data = valid_data(StepSerializer, request)
        services.step_record(by=request.user, complaint=complaint, step=data["step"], note=data.get("note", ""),
                             amount=data.get("amount"), cause=data.get("cause", ""),
                             responsibility=data.get("responsibility", ""))
        return self.answer(complaint)

    @extend_schema(summary=_("Escalate a solution beyond your authority to the next level"),
                   request=EscalateSerializer, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        complaint = self.get_object()
        data = valid_data(EscalateSerializer, request)
        services.complaint_escalate(by=request.user, complaint=complaint, amount=data["amount"],
                                    solution=data["solution"])
        return self.answer(complaint)

    @extend_schema(summary=_("Accept (and take over) or decline the escalated solution"),
                   request=EscalationDecisionSerializer, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        complaint = self.get_object()
        data = valid_data(EscalationDecisionSerializer, request)
        services.escalation_decide(by=request.user, complaint=complaint, accept=data["accept"],
                                   comment=data.get("comment", ""))
        return self.answer(complaint)

    @extend_schema(summary=_("Plan a change of person, place or time (三变法)"), request=ChangePlanSerializer,
                   responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def changes(self, request, pk=None):
        complaint = self.get_object()
        data = valid_data(ChangePlanSerializer, request)
        who = None
        if data.get("who") is not None:
            who = selectors.handlers_for(complaint.customer).filter(pk=data["who"]).first()
            if who is None:
                raise serializers.ValidationError({"who": [_("Not a handler who sees this customer.")]})
        services.change_plan(by=request.user, complaint=complaint, kind=data["kind"], note=data["note"],
                             due_at=data["due_at"], who=who)
        return self.answer(complaint)

    @extend_schema(summary=_("Mark a change as kept"), request=ChangeKeptSerializer,
                   responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="changes/kept")
    def change_kept(self, request, pk=None):
        complaint = self.get_object()
        data = valid_data(ChangeKeptSerializer, request)
        services.change_keep(by=request.user, complaint=complaint, change_pk=data["change"])
        return self.answer(complaint)

    @extend_schema(summary=_("Close a complaint whose every step is recorded"), request=None,
                   responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        complaint = self.get_object()
        services.complaint_close(by=request.user, complaint=complaint)
        return self.answer(complaint)

    @extend_schema(summary=_("Record the customer's satisfaction with the handling of a closed complaint (once)"),
                   request=SatisfactionInSerializer, responses={200: ComplaintSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="satisfaction")
    def satisfaction(self, request, pk=None):
        complaint = self.get_object()
        data = valid_data(SatisfactionInSerializer, request)
        satisfaction.record_by_staff(by=request.user, complaint=complaint, rating=data["rating"],
                                     comment=data.get("comment", ""))
        return self.answer(complaint)


# --- the complaint analysis (CMP-6) ------------------------------------------------------------------------

class AnalysisQuerySerializer(PeriodQuerySerializer):
    start_field, end_field = "date_from", "date_to"

    by = serializers.ChoiceField(choices=[(b, b) for b in selectors.ANALYSIS_BY], required=False, default="kind",
                                 help_text=_("Group by type, cause, responsibility, product, salesperson or month."))
    date_from = serializers.DateField(required=False, help_text=_("Received from (default: 12 months back)."))
    date_to = serializers.DateField(required=False, help_text=_("Received until (default: today)."))


class AnalysisRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("What the complaint list filters by; empty: not said."))
    label = serializers.CharField()
    count = serializers.IntegerField()
    closed = serializers.IntegerField()
    breached = serializers.IntegerField(help_text=_("Complaints that missed a deadline (CMP-4)."))
    median_respond = serializers.FloatField(allow_null=True, help_text=_("Median hours to the first response."))
    median_resolve = serializers.FloatField(allow_null=True, help_text=_("Median hours to the resolution."))
    rated = serializers.IntegerField()
    satisfaction = serializers.FloatField(allow_null=True, help_text=_("Average satisfaction (1–5)."))


class AnalysisSerializer(serializers.Serializer):
    by = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    rows = AnalysisRowSerializer(many=True)
    total = AnalysisRowSerializer()


@report_schema(_("Complaints by type, cause, responsibility, product, salesperson or month"),
               query=AnalysisQuerySerializer, answer=AnalysisSerializer)
class ComplaintAnalysisView(ReportView):
    """GET /complaint-analysis/: the complaints of your scope received in the period, grouped (CMP-6)."""

    permission_classes = [permissions.IsAuthenticated, HasScope]
    serializer_class = AnalysisSerializer
    query_serializer = AnalysisQuerySerializer
    queryset = Complaint.objects.none()

    def report(self, request, *, by="kind", date_from=None, date_to=None) -> dict:
        from kehu.core import periods

        end = date_to or timezone.localdate()
        start = date_from or periods.last_months(end, 12)[0]
        result = selectors.complaint_analysis(request.user, start=start, end=end, by=by)
        for row in [*result["rows"], result["total"]]:
            row["key"] = str(row["key"])
        return {"by": by, "date_from": start, "date_to": end, **result}
