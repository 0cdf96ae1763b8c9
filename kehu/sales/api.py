"""REST API for products, orders and returns (PLT-2, ORD-1, ORD-2): the same selectors
(scopes) and services (rules) as the pages. Writes on an order carry the `version` the
client read; a stale one is answered 409. Money is a string with two decimals.

Steps that belong to upper apps live there, on the order's URL: confirming under the credit
check (CRD-3), POST /orders/{id}/confirm/, in kehu/credit/api.py; invoicing (AR-1), POST
/orders/{id}/invoice/, and a return with its credit note (ORD-2), POST /orders/{id}/returns/,
in kehu/receivables/api_orders.py. Sales depends on neither."""

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.accounts.models import Office, User, subtree_of
from kehu.accounts.selectors import offices_for, salespeople_for
from kehu.core.api import (
    ERRORS,
    HasScope,
    ScopedViewSet,
    StrictBooleanFilter,
    money_field,
    object_response,
    required_version,
    valid_data,
)
from kehu.core.filtering import IdFilter, ScopedChoiceFilter
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Customer
from kehu.sales import selectors, services
from kehu.sales.models import Order, OrderLine, Product, Return, ReturnLine


class ScopedOrderField(serializers.PrimaryKeyRelatedField):
    """An order in the requester's scope; any other id is answered 404, as the order's detail is."""

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.orders_visible_to(request.user) if request else Order.objects.none()

    def to_internal_value(self, data):
        # Not a number is a bad value (400); any number that is no order in scope is 404.
        if isinstance(data, bool) or not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        return selectors.order_get_for_user(user=self.context["request"].user, pk=data)


# --- products ----------------------------------------------------------------------------------------

class ProductSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, help_text=_("Required on update: the version you read."))

    class Meta:
        model = Product
        fields = ["id", *services.PRODUCT_COLUMNS, "version", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        # The service reports a code already used, with the other rules, as a 400.
        extra_kwargs = {"code": {"validators": []}}


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", help_text=_("Code, name or specification"))
    line = django_filters.CharFilter(label=_("product line"))
    active = StrictBooleanFilter(label=_("active"))

    class Meta:
        model = Product
        fields = ["q", "line", "active"]

    def filter_search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(spec__icontains=value))


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Products (ORD-1): everyone with a role reads them, administrators maintain them."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    permission_classes = [permissions.IsAuthenticated, HasScope]
    queryset = Product.objects.order_by("code")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.product_save(by=self.request.user, data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = required_version(data)
        serializer.instance = services.product_save(by=self.request.user, product=serializer.instance,
                                                    version=version, data=data)


# --- orders ------------------------------------------------------------------------------------------

class OrderLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    unit = serializers.CharField(source="product.unit", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "product", "product_code", "product_name", "unit", "quantity", "unit_price", "discount_pct",
                  "amount", "returned_quantity"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True, default=None, allow_null=True)
    net = money_field(help_text=_("Total less returns: what the customer owes for the order."))
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "number", "customer", "customer_code", "customer_name", "owner", "owner_name", "office",
                  "office_name", "ordered_on", "status", "total", "returned", "net", "note", "lines", "confirmed_at",
                  "confirmed_by", "delivered_on", "invoiced_on", "closed_on", "cancelled_on", "cancel_reason",
                  "version", "created_at", "updated_at"]
        read_only_fields = fields


class OrderLineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                          help_text=_("Leave out for the list price."))
    discount_pct = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=0)


class OrderCreateSerializer(serializers.Serializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    lines = OrderLineInputSerializer(many=True)
    ordered_on = serializers.DateField(required=False, help_text=_("Today if left out."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class OrderStepSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The version of the order you read."))
    on = serializers.DateField(required=False, help_text=_("The day of the step; today if left out."))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   help_text=_("Required to cancel."))


class ReturnLineInputSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(help_text=_("The id of a line of this order."))
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReturnCreateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The version of the order you read."))
    kind = serializers.ChoiceField(choices=Return.Kind.choices)
    reason = serializers.ChoiceField(choices=Return.Reason.choices)
    responsible = serializers.CharField(max_length=100)
    lines = ReturnLineInputSerializer(many=True, required=False,
                                      help_text=_("Goods returned after delivery, line by line. A refusal "
                                                  "before delivery returns the whole order."))
    returned_on = serializers.DateField(required=False, help_text=_("Today if left out."))
    follow_up = serializers.CharField(required=False, allow_blank=True)


class ReturnLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = ReturnLine
        fields = ["id", "order_line", "product", "product_code", "product_name", "quantity", "amount"]
        read_only_fields = fields


class ReturnSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True)
    credit_note = serializers.CharField(source="credit_note.number", read_only=True, default=None, allow_null=True,
                                        help_text=_("The credit note a return after invoicing produced."))
    lines = ReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = Return
        fields = ["id", "number", "order", "order_number", "customer", "customer_name", "owner", "office", "kind",
                  "reason", "responsible", "returned_on", "amount", "lines", "credit_note", "follow_up",
                  "follow_up_done", "recorded_by", "recorded_by_name", "created_at"]
        read_only_fields = fields


def _offices(request):
    return offices_for(request.user) if request else Office.objects.none()


def _owners(request):
    return salespeople_for(request.user) if request else User.objects.none()


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Order.Status.choices)
    customer = IdFilter(label=_("customer"), field_name="customer_id")
    owner = ScopedChoiceFilter(label=_("salesperson"), queryset=_owners)
    office = ScopedChoiceFilter(label=_("office"), queryset=_offices, method="filter_office",
                                  help_text=_("The office and every team below it."))
    date_from = django_filters.DateFilter(label=_("ordered from"), field_name="ordered_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("ordered until"), field_name="ordered_on", lookup_expr="lte")
    line = django_filters.CharFilter(label=_("product line"), method="filter_line",
                                     help_text=_("Orders with at least one product of this line."))

    class Meta:
        model = Order
        fields = ["status", "customer", "owner", "office", "date_from", "date_to", "line"]

    def filter_office(self, queryset, name, office):
        return queryset.filter(office_id__in=subtree_of(office.pk))

    def filter_line(self, queryset, name, value):
        return queryset.filter(Exists(OrderLine.objects.filter(order=OuterRef("pk"), product__line=value.strip())))


def orders_for_api(user):
    """Orders in the user's scope with their lines and products, for the serializer."""
    return selectors.orders_visible_to(user).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product")))


def order_response(order, request, *, status_code=status.HTTP_200_OK) -> Response:
    """The order as it is now, read back through the scope."""
    return object_response(OrderSerializer, orders_for_api(request.user).get(pk=order.pk), request,
                           status_code=status_code)


def _step(name: str, to: str, summary: str):
    """The POST action `name` that moves an order to `to` (ORD-1, sales.services.order_advance)."""

    def step(self, request, pk=None):
        order = self.get_object()
        data = valid_data(OrderStepSerializer, request)
        order = services.order_advance(by=request.user, order=order, version=data["version"], to=to,
                                       on=data.get("on"), reason=data.get("reason", ""))
        return order_response(order, request)

    step.__name__ = name  # DRF routes an action by its function's name
    return extend_schema(summary=summary, request=OrderStepSerializer,
                         responses={200: OrderSerializer, **ERRORS})(action(detail=True, methods=["post"])(step))


class OrderViewSet(ScopedViewSet):
    """Orders in your scope (ORD-1), their lines nested. A new order is a draft; it is then
    confirmed (POST confirm/, the credit check of CRD-3), delivered, invoiced (POST invoice/) and
    closed once its invoice is settled (POST close/), or cancelled."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    visible = staticmethod(orders_for_api)
    get_one = staticmethod(selectors.order_get_for_user)
    write_checked = True

    @extend_schema(summary=_("Create a draft order"), request=OrderCreateSerializer,
                   responses={201: OrderSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        data = valid_data(OrderCreateSerializer, request)
        order = services.order_create(by=request.user, customer=data["customer"], lines=data["lines"],
                                      ordered_on=data.get("ordered_on"), note=data.get("note", ""))
        return order_response(order, request, status_code=status.HTTP_201_CREATED)

    deliver = _step("deliver", Order.Status.DELIVERED, _("Deliver a confirmed order"))
    cancel = _step("cancel", Order.Status.CANCELLED, _("Cancel a draft or confirmed order, with a reason"))


# --- returns -----------------------------------------------------------------------------------------

class ReturnFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Return.Kind.choices)
    reason = django_filters.ChoiceFilter(label=_("reason"), choices=Return.Reason.choices)
    customer = IdFilter(label=_("customer"), field_name="customer_id")
    order = IdFilter(label=_("order"), field_name="order_id")
    date_from = django_filters.DateFilter(label=_("returned from"), field_name="returned_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("returned until"), field_name="returned_on", lookup_expr="lte")

    class Meta:
        model = Return
        fields = ["kind", "reason", "customer", "order", "date_from", "date_to"]


def returns_for_api(user):
    """Returns in the user's scope with their credit note, lines and products, for the serializer."""
    return selectors.returns_visible_to(user).select_related("credit_note").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("product")))


class ReturnViewSet(ScopedViewSet):
    """Returns in your scope (ORD-2), with their lines and credit note. Recorded with
    POST /orders/{id}/returns/."""

    serializer_class = ReturnSerializer
    filterset_class = ReturnFilter
    visible = staticmethod(returns_for_api)
    get_one = staticmethod(selectors.return_get_for_user)
