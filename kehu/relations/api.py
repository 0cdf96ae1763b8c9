"""REST API of keeping in touch (REL-2): touches in your scope, listed, read and logged."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status

from kehu.core.api import ERRORS, HasScope, ScopedViewSet, valid_data
from kehu.customers.api import ScopedCustomerField
from kehu.customers.models import Customer
from kehu.relations import selectors, services
from kehu.relations.filters import TouchFilter
from kehu.relations.models import Touch, TouchKind

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
