"""REST API for customers and key people (PLT-2): the same selectors (scopes) and services
(rules) as the pages. Updates carry `version`; a stale one is answered 409."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kehu.accounts.models import User
from kehu.accounts.selectors import salespeople_for
from kehu.core.access import require
from kehu.core.api import ERRORS, ScopedViewSet, object_response, required_version, valid_data
from kehu.customers import selectors, services
from kehu.customers.capabilities import CLAIM_FROM_POOL, REASSIGN_CUSTOMERS, SEE_POOL
from kehu.customers.filters import CustomerFilter, PoolFilter
from kehu.customers.models import Customer, KeyPerson, Transport


class CustomerSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, default=None, allow_null=True)
    office_name = serializers.CharField(source="office.name", read_only=True, default=None, allow_null=True)
    transport_modes = serializers.ListField(child=serializers.ChoiceField(choices=Transport.choices), required=False)
    version = serializers.IntegerField(required=False, help_text=_("Required on update: the version you read."))
    on_duplicate = serializers.ChoiceField(choices=["keep_both"], required=False, write_only=True,
                                           help_text=_("Set to keep_both to create a customer similar to existing ones."))

    class Meta:
        model = Customer
        fields = ["id", "code", *services.EDITABLE_FIELDS, "owner", "owner_name", "office", "office_name",
                  "completeness", "version", "created_at", "updated_at", "on_duplicate"]
        read_only_fields = ["id", "code", "office", "completeness", "created_at", "updated_at"]


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer in the requester's scope. Any other id is answered 404, as the customer's
    detail is: the API never reveals whether a customer outside the scope exists."""

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.customers_visible_to(request.user) if request else Customer.objects.none()

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            int(data)  # not a number at all is a bad value (400); any other number not in scope is 404
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return selectors.customer_get_for_user(user=self.context["request"].user, pk=data)


class KeyPersonSerializer(serializers.ModelSerializer):
    customer = ScopedCustomerField(queryset=Customer.objects.all())
    version = serializers.IntegerField(required=False, help_text=_("Required on update: the version you read."))

    class Meta:
        model = KeyPerson
        fields = ["id", "customer", *services.KEY_PERSON_FIELDS, "is_current", "left_on", "version",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "is_current", "left_on", "created_at", "updated_at"]


class CustomerViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """Customers in your scope. Filters and sorts are those of the customer list page."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    visible = staticmethod(selectors.customers_visible_to)
    get_one = staticmethod(selectors.customer_get_for_user)
    write_checked = True

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        owner = data.pop("owner", None)
        on_duplicate = data.pop("on_duplicate", None)
        data.pop("version", None)
        serializer.instance = services.customer_create(by=self.request.user, data=data, owner=owner,
                                                       on_duplicate=on_duplicate)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = required_version(data)
        if "owner" in data and data.pop("owner") != serializer.instance.owner:
            raise serializers.ValidationError({"owner": [_("Owners change by reassignment, not by editing the card.")]})
        data.pop("on_duplicate", None)
        serializer.instance = services.customer_update(by=self.request.user, customer=serializer.instance,
                                                       version=version, data=data)

    @extend_schema(description=_("Customers similar to the given one are answered 409 with code 'duplicate'."))
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


def key_people_for_api(user):
    return selectors.key_people_visible_to(user).order_by("customer_id", "-is_current", "role", "id")


class KeyPersonViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """Key people of customers in your scope (CUS-2)."""

    serializer_class = KeyPersonSerializer
    filterset_fields = ["customer", "role", "is_current"]
    visible = staticmethod(key_people_for_api)
    get_one = staticmethod(selectors.key_person_get_for_user)
    write_checked = True

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = selectors.customer_get_for_user(user=self.request.user, pk=data.pop("customer").pk, write=True)
        data.pop("version", None)
        serializer.instance = services.key_person_add(by=self.request.user, customer=customer, data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = required_version(data)
        if "customer" in data and data.pop("customer").pk != serializer.instance.customer_id:
            raise serializers.ValidationError({"customer": [_("A key person cannot move to another customer.")]})
        serializer.instance = services.key_person_update(by=self.request.user, person=serializer.instance,
                                                         version=version, data=data)


# --- the pool 公海 (CUS-7) ---------------------------------------------------------------------------------------

class PoolCustomerSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Customer
        fields = ["id", "code", "name", "grade", "category", "status", "address", "office", "office_name",
                  "pooled_at"]
        read_only_fields = fields


class PoolAssignSerializer(serializers.Serializer):
    customers = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
                                      max_length=1000, help_text=_("Ids of customers in the pool."))
    to_owner = serializers.IntegerField(min_value=1, help_text=_("A salesperson in your scope."))


class PoolAssignAnswer(serializers.Serializer):
    assigned = serializers.IntegerField()


def _see_pool(request) -> None:
    require(request.user, SEE_POOL, _("Your role does not work with the customer pool."))


class PoolViewSet(ScopedViewSet):
    """The customer pool 公海 (CUS-7): customers nobody touched or sold to for the days of their
    grade. Shared: every salesperson claims from it (first come), managers assign from it."""

    serializer_class = PoolCustomerSerializer
    filterset_class = PoolFilter
    visible = staticmethod(selectors.pool_visible_to)
    get_one = staticmethod(selectors.pool_get_for_user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _see_pool(request)

    @extend_schema(summary=_("Claim a customer from the pool (first come, within your ownership limit)"),
                   request=None, responses={200: CustomerSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        require(request.user, CLAIM_FROM_POOL, _("Only salespeople claim customers from the pool."))
        customer = services.pool_claim(by=request.user, customer_id=self.get_object().pk)
        return object_response(CustomerSerializer, selectors.customers_visible_to(request.user).get(pk=customer.pk),
                               request)

    @extend_schema(summary=_("Assign customers of the pool to a salesperson"), request=PoolAssignSerializer,
                   responses={200: PoolAssignAnswer, **ERRORS})
    @action(detail=False, methods=["post"])
    def assign(self, request):
        require(request.user, REASSIGN_CUSTOMERS, _("Only managers assign customers from the pool."))
        data = valid_data(PoolAssignSerializer, request)
        to_owner = salespeople_for(request.user).filter(pk=data["to_owner"]).first()
        if to_owner is None:
            raise serializers.ValidationError({"to_owner": [_("Choose a salesperson in your scope.")]})
        count = services.pool_assign(by=request.user, customer_ids=data["customers"], to_owner=to_owner)
        return Response({"assigned": count})
