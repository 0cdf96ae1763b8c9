"""REST API of the ledger (AR-1, AR-5): invoices and their import, payments with their
receipts and allocations, collection plans."""

import django_filters
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.core import jobs
from kehu.core.access import parse_id, require
from kehu.core.api import (
    ERRORS,
    HasScope,
    JobSerializer,
    MoneyInput,
    ReasonSerializer,
    ScopedViewSet,
    job_answer,
    money_field,
    object_response,
    valid_data,
)
from kehu.core.errors import ValidationFailed
from kehu.core.filtering import IdFilter, sort_filter
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Customer
from kehu.receivables import selectors, services
from kehu.receivables.api._common import PERMISSIONS, WRITE_ERRORS
from kehu.receivables.capabilities import KEEP_LEDGER
from kehu.receivables.filters import INVOICE_SORTS, PAYMENT_SORTS, InvoiceFilter, PaymentFilter
from kehu.receivables.jobs import INVOICE_IMPORT_BODY, INVOICE_IMPORT_ROWS
from kehu.receivables.models import Allocation, CollectionPlan, Instalment, Invoice, Payment, ReceiptMethod
from kehu.sales import selectors as sales_selectors
from kehu.sales.api import (
    OrderSerializer,
    OrderStepSerializer,
    ReturnCreateSerializer,
    ReturnSerializer,
    ScopedOrderField,
    order_response,
)
from kehu.sales.models import Order

# --- invoices (AR-1) -----------------------------------------------------------------------------------

class InvoiceSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None, allow_null=True)
    settled = money_field(help_text=_("Settled by payments and credit notes: amount − open amount."))
    days_overdue = serializers.SerializerMethodField(help_text=_("Days past the due date today; 0 once paid."))

    class Meta:
        model = Invoice
        fields = ["id", "number", "customer", "customer_name", "order", "order_number", "issued_on", "due_on",
                  "amount", "open_amount", "settled", "credited", "days_overdue", "source", "note", "created_at"]
        read_only_fields = fields

    def get_days_overdue(self, invoice) -> int:
        return invoice.days_overdue(self.context.setdefault("today", timezone.localdate()))


class InvoiceApiFilter(InvoiceFilter):
    """The invoice list's filters (receivables/filters.py) under the API's names: `customer`
    is an id, as on every other endpoint."""

    customer = IdFilter(label=_("customer"), field_name="customer_id")
    due_after = django_filters.DateFilter(label=_("due on or after"), field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(label=_("due on or before"), field_name="due_on", lookup_expr="lte")
    ordering = sort_filter(INVOICE_SORTS)
    customer_id = due_from = due_to = sort = None

    class Meta(InvoiceFilter.Meta):
        fields = ["status", "customer", "owner", "office", "issued_from", "issued_to", "due_after", "due_before",
                  "ordering"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_office(self, queryset, name, office):
        return super().filter_office(queryset, name, office)


class InvoiceImportRowSerializer(serializers.Serializer):
    """One invoice as on the import sheet; the service reads and checks every value."""

    customer = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=100,
                                     help_text=_("The customer's code."))
    number = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=100)
    issued_on = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=40,
                                      help_text=_("YYYY-MM-DD"))
    due_on = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=40,
                                   help_text=_("YYYY-MM-DD; left out: by the customer's payment terms."))
    amount = MoneyInput(allow_blank=True, allow_null=True, required=False)
    note = serializers.CharField(allow_blank=True, allow_null=True, required=False, max_length=300)


class InvoiceImportSerializer(serializers.Serializer):
    rows = InvoiceImportRowSerializer(many=True, allow_empty=False,
                                      help_text=_("The invoices; a problem is reported by the row's line, from 1."))

    def validate_rows(self, rows):
        limit = settings.KEHU_IMPORT_MAX_ROWS
        if len(rows) > limit:
            raise serializers.ValidationError(_("At most %(limit)d rows at a time.") % {"limit": limit})
        return rows


class InvoiceViewSet(ScopedViewSet):
    """Invoices in your scope (AR-1). They are written by invoicing an order (POST
    /orders/{id}/invoice/) or imported by finance."""

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceApiFilter
    permission_classes = PERMISSIONS
    visible = staticmethod(selectors.invoices_visible_to)
    get_one = staticmethod(selectors.invoice_get_for_user)

    @extend_schema(summary=_("Import invoices (opening balances), all or nothing, as a background job"),
                   description=_("Finance and administrators. The rows are checked and written by a background "
                                 "job: the answer (202) is the job, whose `api_url` tells its progress and, once "
                                 "it has ended, its result: the count created, or every bad row by its line with "
                                 "nothing written (`refused`). A small import has already ended in the answer."),
                   request=InvoiceImportSerializer,
                   responses={202: OpenApiResponse(JobSerializer, description=_("The import job.")),
                              400: ERRORS[400], 403: ERRORS[403]})
    @action(detail=False, methods=["post"], url_path="import")
    def import_rows(self, request):
        require(request.user, KEEP_LEDGER, _("Only finance imports invoices."))
        size = parse_id(request.META.get("CONTENT_LENGTH"))
        if jobs.waits(size):
            # A large body is not read here: it goes to the job's file as it arrives, and the
            # worker checks it row by row (INS-2), up to the import's own size limit.
            if request.content_type.split(";")[0].strip() != "application/json":
                raise ValidationFailed(_("Send the rows as JSON: {\"rows\": [...]}."))
            job = jobs.start(INVOICE_IMPORT_BODY, by=request.user,
                             upload=jobs.Body(request, limit=settings.KEHU_IMPORT_MAX_BYTES))
        else:
            data = valid_data(InvoiceImportSerializer, request)
            job = jobs.start(INVOICE_IMPORT_ROWS, by=request.user, data=[dict(row) for row in data["rows"]],
                             at_once=True)
        answer = job_answer(job)
        return Response(answer, status=status.HTTP_202_ACCEPTED, headers={"Location": answer["api_url"]})


# --- payments and allocations (AR-1) ------------------------------------------------------------------

class AllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    payment_number = serializers.CharField(source="payment.number", read_only=True, default=None, allow_null=True)
    credit_note_number = serializers.CharField(source="credit_note.number", read_only=True, default=None, allow_null=True)
    source_kind = serializers.SerializerMethodField(help_text=_("What settles the invoice: a payment or a credit note."))

    class Meta:
        model = Allocation
        fields = ["id", "invoice", "invoice_number", "source_kind", "payment", "payment_number", "credit_note",
                  "credit_note_number", "amount", "on", "withdrawn_on", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["payment", "credit_note"]))
    def get_source_kind(self, allocation) -> str:
        return "payment" if allocation.payment_id else "credit_note"


class PaymentAllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = Allocation
        fields = ["id", "invoice", "invoice_number", "amount", "on", "withdrawn_on"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    collector_name = serializers.CharField(source="collector.display_name", read_only=True)
    method = serializers.ChoiceField(choices=ReceiptMethod.choices, read_only=True)
    allocations = PaymentAllocationSerializer(many=True, read_only=True,
                                              help_text=_("Every allocation, withdrawn ones with the day they "
                                                          "stopped counting."))

    class Meta:
        model = Payment
        fields = ["id", "number", "office", "office_name", "customer", "customer_name", "received_on", "method",
                  "amount", "unallocated", "collector", "collector_name", "reference", "note", "allocations",
                  "reversed_on", "reversed_by", "reversal_reason", "created_at"]
        read_only_fields = fields
        extra_kwargs = {"number": {"help_text": _("The receipt number.")},
                        "unallocated": {"help_text": _("Not allocated to an invoice: credit on account.")}}


class AllocationInputSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(help_text=_("The id of one of the customer's open invoices."))
    amount = MoneyInput()


class PaymentCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    amount = MoneyInput()
    method = serializers.ChoiceField(choices=ReceiptMethod.choices)
    received_on = serializers.DateField(required=False, help_text=_("Today if left out."))
    office = serializers.IntegerField(required=False, allow_null=True,
                                      help_text=_("The receipt book: the customer's office (the default)."))
    collector = serializers.IntegerField(required=False, allow_null=True,
                                         help_text=_("The user who collected the money; you if left out."))
    reference = serializers.CharField(required=False, allow_blank=True, max_length=60)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    allocations = AllocationInputSerializer(many=True, required=False,
                                            help_text=_("The invoices it settles. Left out: the oldest open "
                                                        "invoices first; what is left stays on account."))


class PaymentAllocateSerializer(serializers.Serializer):
    allocations = AllocationInputSerializer(many=True, required=False,
                                            help_text=_("What the payment settles from now on; allocations "
                                                        "left out are withdrawn. Left out: the credit on account "
                                                        "settles the oldest open invoices."))


def _allocations(data) -> list[dict] | None:
    return [dict(row) for row in data["allocations"]] if "allocations" in data else None


class PaymentApiFilter(PaymentFilter):
    """The payment list's filters (receivables/filters.py); `customer` is an id."""

    customer = IdFilter(label=_("customer"), field_name="customer_id")
    ordering = sort_filter(PAYMENT_SORTS)
    customer_id = sort = None

    class Meta(PaymentFilter.Meta):
        fields = ["customer", "office", "method", "received_from", "received_to", "reversed", "ordering"]


class AllocationFilter(django_filters.FilterSet):
    invoice = IdFilter(label=_("invoice"), field_name="invoice_id")
    payment = IdFilter(label=_("payment"), field_name="payment_id")

    class Meta:
        model = Allocation
        fields = ["invoice", "payment"]


def payments_for_api(user):
    """Payments in the user's scope with their allocations and the invoices' numbers."""
    return selectors.payments_visible_to(user).prefetch_related(
        Prefetch("allocations", queryset=Allocation.objects.select_related("invoice").order_by("id")))


class PaymentViewSet(ScopedViewSet):
    """Payments in your scope with their receipt numbers and what they settle (AR-1), newest first."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentApiFilter
    permission_classes = PERMISSIONS
    visible = staticmethod(payments_for_api)
    get_one = staticmethod(selectors.payment_get_for_user)

    def retrieve(self, request, *args, **kwargs):
        return self.answer(self.get_object())

    @extend_schema(summary=_("Record a payment and write its receipt"), request=PaymentCreateSerializer,
                   responses={201: PaymentSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(PaymentCreateSerializer, request)
        payment = services.payment_post(
            by=request.user, customer=data["customer"], amount=data["amount"], method=data["method"],
            received_on=data.get("received_on"), office=data.get("office"), collector=data.get("collector"),
            reference=data.get("reference", ""), note=data.get("note", ""), allocations=_allocations(data))
        return self.answer(payment, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Change what a payment settles"), request=PaymentAllocateSerializer,
                   responses={200: PaymentSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        payment = self.get_object()
        data = valid_data(PaymentAllocateSerializer, request)
        payment = services.payment_allocate(by=request.user, payment=payment, allocations=_allocations(data))
        return self.answer(payment)

    @extend_schema(summary=_("Reverse a payment recorded in error (finance)"),
                   description=_("The receipt stays with its reversing entry; the invoices it settled are open "
                                 "again. A reason is required."),
                   request=ReasonSerializer, responses={200: PaymentSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        data = valid_data(ReasonSerializer, request)
        payment = services.payment_reverse(by=request.user, payment=payment, reason=data.get("reason", ""))
        return self.answer(payment)


class AllocationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Allocations of payments and credit notes to invoices in your scope (AR-1); withdrawn
    ones stay with the day they stopped counting."""

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return selectors.allocations_visible_to(self.request.user)


# --- collection plans (AR-5) ---------------------------------------------------------------------------------

class InstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instalment
        fields = ["id", "due_on", "amount", "reminder_days", "paid", "status"]
        read_only_fields = fields


class CollectionPlanSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True)
    instalments = InstalmentSerializer(many=True, read_only=True)

    class Meta:
        model = CollectionPlan
        fields = ["id", "order", "order_number", "customer", "customer_name", "status", "note", "instalments",
                  "created_by", "created_by_name", "void_reason", "created_at"]
        read_only_fields = fields


class InstalmentInputSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    amount = MoneyInput()
    reminder_days = serializers.IntegerField(required=False, allow_null=True,
                                             help_text=_("Remind this many days before (0 to 60); 3 if left out."))


class CollectionPlanCreateSerializer(serializers.Serializer):
    order = ScopedOrderField(queryset=Order.objects.all(),
                             help_text=_("A confirmed, delivered or invoiced order without an active plan."))
    instalments = InstalmentInputSerializer(many=True, help_text=_("They add up to the order's amount after "
                                                                   "returns exactly."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CollectionPlanFilter(django_filters.FilterSet):
    customer = IdFilter(label=_("customer"), field_name="customer_id")
    order = IdFilter(label=_("order"), field_name="order_id")
    status = django_filters.ChoiceFilter(label=_("status"), choices=CollectionPlan.Status.choices)

    class Meta:
        model = CollectionPlan
        fields = ["customer", "order", "status"]


def plans_for_api(user):
    return selectors.plans_visible_to(user).prefetch_related(
        Prefetch("instalments", queryset=Instalment.objects.order_by("due_on", "id")))


class CollectionPlanViewSet(ScopedViewSet):
    """Collection plans 回款计划 in your scope (AR-5): an order paid in instalments, each with
    its due date, amount, reminder days and status."""

    serializer_class = CollectionPlanSerializer
    filterset_class = CollectionPlanFilter
    permission_classes = PERMISSIONS
    visible = staticmethod(plans_for_api)
    get_one = staticmethod(selectors.plan_get_for_user)

    def retrieve(self, request, *args, **kwargs):
        return self.answer(self.get_object())

    @extend_schema(summary=_("Plan an order's collection in instalments"), request=CollectionPlanCreateSerializer,
                   responses={201: CollectionPlanSerializer, **WRITE_ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(CollectionPlanCreateSerializer, request)
        plan = services.plan_create(by=request.user, order=data["order"],
                                    instalments=[dict(row) for row in data["instalments"]],
                                    note=data.get("note", ""))
        return self.answer(plan, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary=_("Void a plan, with a reason"), request=ReasonSerializer,
                   responses={200: CollectionPlanSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        plan = self.get_object()
        data = valid_data(ReasonSerializer, request)
        plan = services.plan_void(by=request.user, plan=plan, reason=data.get("reason", ""))
        return self.answer(plan)


# --- the order steps that write receivables, on the order's URL (AR-1, ORD-2) ----------------------------
# Invoicing a delivered order writes its invoice; a return writes its credit note when the order
# was invoiced. Sales offers the order, receivables the step: sales does not depend on receivables.

class OrderInvoiceView(generics.GenericAPIView):
    permission_classes = [HasScope]
    serializer_class = OrderStepSerializer

    @extend_schema(summary=_("Invoice a delivered order"), request=OrderStepSerializer,
                   responses={200: OrderSerializer, **ERRORS}, operation_id="orders_invoice_create", tags=["orders"])
    def post(self, request, pk):
        order = sales_selectors.order_get_for_user(user=request.user, pk=pk, write=True)
        data = valid_data(OrderStepSerializer, request)
        order = services.order_invoice(by=request.user, order=order, version=data["version"], on=data.get("on"))
        return order_response(order, request)


class OrderCloseView(generics.GenericAPIView):
    permission_classes = [HasScope]
    serializer_class = OrderStepSerializer

    @extend_schema(summary=_("Close an invoiced order whose receivable is settled"),
                   description=_("Refused with 400 while the order's receivable has an amount open; nothing "
                                 "is changed then."),
                   request=OrderStepSerializer, responses={200: OrderSerializer, **ERRORS},
                   operation_id="orders_close_create", tags=["orders"])
    def post(self, request, pk):
        order = sales_selectors.order_get_for_user(user=request.user, pk=pk, write=True)
        data = valid_data(OrderStepSerializer, request)
        order = services.order_close(by=request.user, order=order, version=data["version"], on=data.get("on"))
        return order_response(order, request)


class OrderReturnView(generics.GenericAPIView):
    permission_classes = [HasScope]
    serializer_class = ReturnCreateSerializer

    @extend_schema(summary=_("Record a return of the order (ORD-2)"), request=ReturnCreateSerializer,
                   responses={201: ReturnSerializer, **ERRORS}, operation_id="orders_returns_create",
                   tags=["orders"])
    def post(self, request, pk):
        order = sales_selectors.order_get_for_user(user=request.user, pk=pk, write=True)
        data = valid_data(ReturnCreateSerializer, request)
        ret = services.return_record(by=request.user, order=order, version=data["version"], kind=data["kind"],
                                     reason=data["reason"], responsible=data["responsible"],
                                     lines=data.get("lines"), returned_on=data.get("returned_on"),
                                     follow_up=data.get("follow_up", ""))
        ret = sales_selectors.return_get_for_user(user=request.user, pk=ret.pk)
        return object_response(ReturnSerializer, ret, request, status_code=status.HTTP_201_CREATED)
