"""REST API of keeping in touch: touches in your scope, listed, read and logged (REL-2); the
customers due for a contact (REL-1); your daily plan and its ticks (REL-4); the family
occasions of key people, listed, recorded, corrected and removed (REL-3)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.accounts.selectors import owner_choices_for
from kehu.core.access import require
from kehu.core.api import (
    ERRORS,
    HasScope,
    MoneyInput,
    PeriodQuerySerializer,
    ReportView,
    ScopedViewSet,
    money_field,
    report_schema,
    valid_data,
)
from kehu.core.errors import ValidationFailed
from kehu.core.periods import month_bounds
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Customer
from kehu.relations import selectors, services
from kehu.relations.capabilities import HANDLE_MARKET_REPORTS
from kehu.relations.filters import (
    DealerCheckFilter,
    FamilyOccasionFilter,
    MarketReportFilter,
    SupportPlanFilter,
    TouchFilter,
)
from kehu.relations.models import (
    DealerCheck,
    FamilyOccasion,
    FamilyOccasionKind,
    MarketReport,
    MarketReportKind,
    PaymentBehaviour,
    PlanEntry,
    RangeCarried,
    StockLevel,
    SupportItem,
    SupportKind,
    SupportPlan,
    Touch,
    TouchKind,
)

WRITE_ERRORS = {code: ERRORS[code] for code in (400, 403, 404)}


class TouchSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    by_name = serializers.CharField(source="by.display_name", read_only=True)

    class Meta:
        model = Touch
        fields = ["id", "customer", "customer_name", "kind", "on", "purpose", "notes", "next_step", "next_step_on",
                  "location_consent", "latitude", "longitude", "by", "by_name", "created_at"]
        read_only_fields = fields


class TouchCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    kind = serializers.ChoiceField(choices=TouchKind.choices)
    on = serializers.DateField(required=False, help_text=_("The day of the touch: today (the default) or earlier."))
    purpose = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=200)
    next_step_on = serializers.DateField(required=False, allow_null=True,
                                         help_text=_("When the next step is due: on or after the touch."))
    location_consent = serializers.BooleanField(default=False, help_text=_(
        "The salesperson agrees to keep the place of the visit; without it a place is refused."))
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=10, decimal_places=6, required=False, allow_null=True)


class TouchViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """Touches with customers in your scope (REL-2): visits 拜访, calls, letters, cards, gifts, events."""

    serializer_class = TouchSerializer
    filterset_class = TouchFilter
    permission_classes = [permissions.IsAuthenticated, HasScope]
    visible = staticmethod(selectors.touches_visible_to)
    get_one = staticmethod(selectors.touch_get_for_user)

    @extend_schema(summary=_("Log a touch with a customer"), request=TouchCreateSerializer,
                   responses={201: TouchSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(TouchCreateSerializer, request)
        touch = services.touch_record(by=request.user, **data)
        return self.answer(touch, status_code=status.HTTP_201_CREATED)


# --- the daily plan (REL-4) and the customers due (REL-1) --------------------------------------------------------

class PlanQuerySerializer(serializers.Serializer):
    day = serializers.DateField(required=False, help_text=_("The plan's day; today if left out."))

    def validate_day(self, value):
        if value < services.EARLIEST:
            raise serializers.ValidationError(_("Choose a day from %(day)s on.") % {"day": services.EARLIEST.isoformat()})
        return value


class PlanItemSerializer(serializers.ModelSerializer):
    done = serializers.SerializerMethodField()

    class Meta:
        model = PlanEntry
        fields = ["id", "day", "source", "kind", "title", "url", "customer", "due_on", "overdue", "done", "done_at"]
        read_only_fields = fields

    def get_done(self, entry) -> bool:
        return entry.done_at is not None


class PlanSerializer(serializers.Serializer):
    day = serializers.DateField()
    items = PlanItemSerializer(many=True)


class PlanTickSerializer(serializers.Serializer):
    done = serializers.BooleanField(default=True, help_text=_("true ticks the item off, false marks it not done."))


@report_schema(_("Your daily work plan"), query=PlanQuerySerializer, answer=PlanSerializer)
class PlanView(ReportView):
    """GET /plan/: your work plan of a day (REL-4): what every app registers as due, kept as
    planned, with what is done."""

    permission_classes = [permissions.IsAuthenticated, HasScope]
    serializer_class = PlanSerializer
    query_serializer = PlanQuerySerializer
    queryset = PlanEntry.objects.none()  # for the schema; reads go through the services

    def report(self, request, *, day=None) -> dict:
        day = day or timezone.localdate()
        return {"day": day, "items": services.plan_for(request.user, day)}


class PlanTickView(generics.GenericAPIView):
    """POST /plan-items/{id}/tick/: tick an item of your own plan off, or back on (REL-4)."""

    permission_classes = [permissions.IsAuthenticated, HasScope]
    serializer_class = PlanItemSerializer
    queryset = PlanEntry.objects.none()

    @extend_schema(summary=_("Tick an item of your plan off"), request=PlanTickSerializer,
                   responses={200: PlanItemSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        data = valid_data(PlanTickSerializer, request)
        entry = services.plan_tick(by=request.user, pk=pk, done=data["done"])
        return Response(PlanItemSerializer(entry).data)


class DueQuerySerializer(serializers.Serializer):
    owner = serializers.IntegerField(required=False, min_value=1, help_text=_(
        "A salesperson of your scope; all of your scope if left out (a salesperson: their own)."))


class DueRowSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    customer_name = serializers.CharField(source="customer.name")
    grade = serializers.CharField(source="customer.grade")
    owner = serializers.IntegerField(source="customer.owner_id", allow_null=True)
    last_contact = serializers.DateField(source="last_on", allow_null=True)
    due_on = serializers.DateField()
    days_overdue = serializers.IntegerField(source="days_late")
    status = serializers.ChoiceField(choices=[("overdue", "overdue"), ("due", "due")])


class DueSerializer(serializers.Serializer):
    day = serializers.DateField()
    rows = DueRowSerializer(many=True)


@report_schema(_("Customers due and overdue for a contact"), query=DueQuerySerializer, answer=DueSerializer)
class DueView(ReportView):
    """GET /contacts-due/: the customers of your scope due or overdue for a contact today by
    their grade's cadence (REL-1); a salesperson outside your scope is refused (400)."""

    permission_classes = [permissions.IsAuthenticated, HasScope]
    serializer_class = DueSerializer
    query_serializer = DueQuerySerializer
    queryset = PlanEntry.objects.none()

    def report(self, request, *, owner=None) -> dict:
        if owner is not None and owner not in dict(owner_choices_for(request.user)):
            raise ValidationFailed(_("That salesperson is not in your scope."),
                                   field_errors={"owner": [_("Choose a salesperson of your scope.")]})
        today = timezone.localdate()
        return {"day": today, "rows": selectors.due_customers(request.user, today=today,
                                                              owner_ids=[owner] if owner else None)}


# --- market information (REL-5) ----------------------------------------------------------------------------------

class MarketReportSerializer(serializers.ModelSerializer):
    by_name = serializers.CharField(source="by.display_name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=[("new", "new"), ("read", "read"), ("acted", "acted")], read_only=True)

    class Meta:
        model = MarketReport
        fields = ["id", "kind", "text", "customer", "customer_name", "by", "by_name", "office", "created_at", "status",
                  "read_at", "read_by", "acted_at", "acted_by", "action_note"]
        read_only_fields = fields


class MarketReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MarketReportKind.choices)
    text = serializers.CharField(max_length=4000)
    customer = ScopedCustomerField(queryset=Customer.objects.all(), required=False, allow_null=True)


class MarketActSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=_("What was done about the information."))


class MarketReportViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """Market information 市场信息 of your scope (REL-5): filed by salespeople, read and acted on
    by their office's managers."""

    serializer_class = MarketReportSerializer
    filterset_class = MarketReportFilter
    permission_classes = [permissions.IsAuthenticated, HasScope]
    visible = staticmethod(selectors.market_reports_visible_to)
    get_one = staticmethod(selectors.market_report_get_for_user)

    @extend_schema(summary=_("File market information"), request=MarketReportCreateSerializer,
                   responses={201: MarketReportSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(MarketReportCreateSerializer, request)
        report = services.market_report_file(by=request.user, **data)
        return self.answer(report, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Mark market information read"), request=None,
                   responses={200: MarketReportSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        report = services.market_report_read(by=request.user, report=self.get_object())
        return self.answer(report)

    @extend_schema(summary=_("Record what was done about market information"), request=MarketActSerializer,
                   responses={200: MarketReportSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        report = self.get_object()
        data = valid_data(MarketActSerializer, request)
        return self.answer(services.market_report_act(by=request.user, report=report, note=data["note"]))


class MarketCountQuerySerializer(PeriodQuerySerializer):
    start = serializers.DateField(required=False, help_text=_("First day; the first of this month if left out."))
    end = serializers.DateField(required=False, help_text=_("Last day; the end of this month if left out."))


class MarketCountRowSerializer(serializers.Serializer):
    by = serializers.IntegerField(source="by_id", allow_null=True)
    name = serializers.CharField()
    office = serializers.CharField()
    total = serializers.IntegerField()
    acted = serializers.IntegerField()
    kinds = serializers.DictField(child=serializers.IntegerField())


class MarketCountSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    rows = MarketCountRowSerializer(many=True)
    total = MarketCountRowSerializer()


@report_schema(_("Market information per salesperson"), query=MarketCountQuerySerializer, answer=MarketCountSerializer)
class MarketCountView(ReportView):
    """GET /market-report-counts/: per salesperson of your scope, the market information filed in
    the period, by kind and acted on (REL-5; managers)."""

    permission_classes = [permissions.IsAuthenticated, HasScope]
    serializer_class = MarketCountSerializer
    query_serializer = MarketCountQuerySerializer
    queryset = MarketReport.objects.none()

    def report(self, request, *, start=None, end=None) -> dict:
        require(request.user, HANDLE_MARKET_REPORTS, _("Your role does not see the counts of market information."))
        first, last = month_bounds(timezone.localdate())
        start, end = start or first, end or last
        if start > end:
            raise ValidationFailed(_("The period ends before it starts."))
        rows, total = selectors.market_counts(request.user, start=start, end=end)
        return {"start": start, "end": end, "rows": rows, "total": total}


# --- dealer checks (REL-6) -----------------------------------------------------------------------------------

class DealerCheckSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    by_name = serializers.CharField(source="by.display_name", read_only=True)

    class Meta:
        model = DealerCheck
        fields = ["id", "customer", "customer_name", "month", "sales_growth", "our_share", "range_carried",
                  "focus_pushed", "display_place", "display_space", "display_height", "stock_level", "stock_outs",
                  "in_promotion", "payment", "note", "by", "by_name", "created_at"]
        read_only_fields = fields


class DealerCheckCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text=_("The month checked, YYYY-MM: this month or earlier."))
    sales_growth = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)
    our_share = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True,
                                         help_text=_("售额比率: our sales as a share of all their sales, 0 to 100."))
    range_carried = serializers.ChoiceField(choices=RangeCarried.choices)
    focus_pushed = serializers.BooleanField(default=False)
    display_place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    display_space = serializers.CharField(required=False, allow_blank=True, max_length=100)
    display_height = serializers.CharField(required=False, allow_blank=True, max_length=100)
    stock_level = serializers.ChoiceField(choices=StockLevel.choices)
    stock_outs = serializers.IntegerField(default=0, min_value=0, max_value=9999)
    in_promotion = serializers.BooleanField(default=False)
    payment = serializers.ChoiceField(choices=PaymentBehaviour.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DealerCheckViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """Dealer checks 经销商检查 of your scope (REL-6): one per dealer per month."""

    serializer_class = DealerCheckSerializer
    filterset_class = DealerCheckFilter
    permission_classes = [permissions.IsAuthenticated, HasScope]
    visible = staticmethod(selectors.dealer_checks_visible_to)
    get_one = staticmethod(selectors.dealer_check_get_for_user)

    @extend_schema(summary=_("Record a dealer check"), request=DealerCheckCreateSerializer,
                   responses={201: DealerCheckSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(DealerCheckCreateSerializer, request)
        check = services.dealer_check_record(by=request.user, **data)
        return self.answer(check, status_code=status.HTTP_201_CREATED)


# --- dealer support plans (REL-7) ----------------------------------------------------------------------------

class SupportItemSerializer(serializers.ModelSerializer):
    budget = money_field()
    sales_before = money_field(allow_null=True)
    sales_after = money_field(allow_null=True)
    done = serializers.SerializerMethodField()

    class Meta:
        model = SupportItem
        fields = ["id", "kind", "description", "budget", "planned_month", "done", "done_on", "done_by",
                  "effect_note", "sales_before", "sales_after"]
        read_only_fields = fields

    def get_done(self, item) -> bool:
        return item.done_on is not None


class SupportPlanSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    budget_total = money_field(help_text=_("The budget of all its items."))
    spent = money_field(help_text=_("The budget of the items done."))
    items = SupportItemSerializer(many=True, read_only=True)

    class Meta:
        model = SupportPlan
        fields = ["id", "customer", "customer_name", "year", "by", "created_at", "budget_total", "spent", "items"]
        read_only_fields = fields

    def to_representation(self, plan):
        answer = super().to_representation(plan)
        for name in ("budget_total", "spent"):
            answer[name] = answer[name] or "0.00"
        return answer


class SupportPlanCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    year = serializers.IntegerField()


class SupportItemCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SupportKind.choices)
    description = serializers.CharField(max_length=200)
    budget = MoneyInput()
    planned_month = serializers.IntegerField(min_value=1, max_value=12)


class SupportDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True, help_text=_("Today if left out."))
    effect_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    sales_before = MoneyInput(required=False, allow_blank=True, allow_null=True)
    sales_after = MoneyInput(required=False, allow_blank=True, allow_null=True)


class SupportPlanViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """Dealer support plans 协助客户 of your scope (REL-7): one per dealer per year, with its items."""

    serializer_class = SupportPlanSerializer
    filterset_class = SupportPlanFilter
    permission_classes = [permissions.IsAuthenticated, HasScope]
    visible = staticmethod(lambda user: selectors.with_totals(selectors.support_plans_visible_to(user))
                           .prefetch_related("items"))
    get_one = staticmethod(selectors.support_plan_get_for_user)

    @extend_schema(summary=_("Draw up a dealer's support plan for a year"), request=SupportPlanCreateSerializer,
                   responses={201: SupportPlanSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(SupportPlanCreateSerializer, request)
        plan = services.support_plan_create(by=request.user, **data)
        return self.answer(selectors.support_plan_get_for_user(user=request.user, pk=plan.pk),
                           status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Add support to the plan"), request=SupportItemCreateSerializer,
                   responses={201: SupportPlanSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        plan = self.get_object()
        data = valid_data(SupportItemCreateSerializer, request)
        services.support_item_add(by=request.user, plan=plan, **data)
        return self.answer(selectors.support_plan_get_for_user(user=request.user, pk=plan.pk),
                           status_code=status.HTTP_201_CREATED)


class SupportItemDoneView(generics.GenericAPIView):
    """POST /support-items/{id}/done/: the support was given, with its measured effect (REL-7)."""

    permission_classes = [permissions.IsAuthenticated, HasScope]
    serializer_class = SupportItemSerializer
    queryset = SupportItem.objects.none()

    @extend_schema(summary=_("Mark support done"), request=SupportDoneSerializer,
                   responses={200: SupportItemSerializer, **WRITE_ERRORS})
    def post(self, request, pk):
        item = selectors.support_item_get_for_user(user=request.user, pk=pk)
        data = valid_data(SupportDoneSerializer, request)
        item = services.support_item_done(by=request.user, item=item, **data)
        return Response(SupportItemSerializer(item, context={"request": request}).data)


# --- family occasions of contacts (REL-3) --------------------------------------------------------------------

class FamilyOccasionSerializer(serializers.ModelSerializer):
    key_person_name = serializers.CharField(source="key_person.name", read_only=True)
    customer = serializers.IntegerField(source="key_person.customer_id", read_only=True)
    customer_name = serializers.CharField(source="key_person.customer.name", read_only=True)

    class Meta:
        model = FamilyOccasion
        fields = ["id", "key_person", "key_person_name", "customer", "customer_name", "kind", "whose", "on", "yearly",
                  "note", "created_by", "created_at", "updated_at"]
        read_only_fields = fields


class FamilyOccasionWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FamilyOccasionKind.choices)
    whose = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                  help_text=_("The name of the spouse, child or parent, if known."))
    on = serializers.DateField(help_text=_("The day of the occasion; for a yearly one the day it began. A one-off "
                                           "occasion is today or later."))
    yearly = serializers.BooleanField(default=True, help_text=_("Reminded every year (true) or once (false)."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                 help_text=_("Required for the kind \"other\": what the occasion is."))


class FamilyOccasionCreateSerializer(FamilyOccasionWriteSerializer):
    key_person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_(
        "A current key person of a customer you may edit."))


class FamilyOccasionUpdateSerializer(FamilyOccasionWriteSerializer):
    """Only the fields sent change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["yearly"].default = serializers.empty


class FamilyOccasionViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                            ScopedViewSet):
    """Family occasions 家庭纪念日 of the key people of customers in your scope (REL-3): a spouse's or
    child's birthday, a wedding anniversary, a child's wedding or university entrance. The
    customer's salesperson is reminded of them with the greetings. Recording, correcting and
    removing them needs the right to edit customer cards."""

    serializer_class = FamilyOccasionSerializer
    filterset_class = FamilyOccasionFilter
    permission_classes = [permissions.IsAuthenticated, HasScope]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    visible = staticmethod(selectors.family_occasions_visible_to)
    get_one = staticmethod(selectors.family_occasion_get_for_user)
    write_checked = True

    @extend_schema(summary=_("Record a family occasion of a key person"), request=FamilyOccasionCreateSerializer,
                   responses={201: FamilyOccasionSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(FamilyOccasionCreateSerializer, request)
        occasion = services.family_occasion_add(by=request.user, **data)
        return self.answer(occasion, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Correct a family occasion"), request=FamilyOccasionUpdateSerializer,
                   responses={200: FamilyOccasionSerializer, **WRITE_ERRORS})
    def partial_update(self, request, *args, **kwargs):
        occasion = self.get_object()
        data = valid_data(FamilyOccasionUpdateSerializer, request)
        current = {"kind": occasion.kind, "whose": occasion.whose, "on": occasion.on, "yearly": occasion.yearly,
                   "note": occasion.note}
        occasion = services.family_occasion_update(by=request.user, occasion=occasion, **(current | data))
        return self.answer(occasion)

    @extend_schema(summary=_("Remove a family occasion"), responses={204: None, **WRITE_ERRORS})
    def destroy(self, request, *args, **kwargs):
        services.family_occasion_delete(by=request.user, occasion=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
