"""The complaint list's filters, shared by the page, its export and the API (kehu.core.filtering):
a bad value is named in a warning and left out, never a 500."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.filtering import IdFilter, sort_filter
from kehu.service.models import Breach, Complaint, ServiceOrder

COMPLAINT_SORTS = {"received_at": "received_at", "resolve_by": "resolve_by", "severity": "severity",
                   "amount_claimed": "amount_claimed"}
STATUS_CHOICES = [("active", pgettext_lazy("complaints", "Not closed")), *Complaint.Status.choices]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
NOT_SAID = ("none", pgettext_lazy("cause or responsibility", "Not said"))


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=STATUS_CHOICES, method="filter_status")
    kind = django_filters.ChoiceFilter(label=_("complaint type"), choices=Complaint.Kind.choices)
    severity = django_filters.ChoiceFilter(label=_("severity"), choices=Complaint.Severity.choices)
    handler = IdFilter(label=_("handler"), field_name="handler_id")
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    order = IdFilter(label=_("order"), field_name="order_id")
    overdue = django_filters.ChoiceFilter(label=_("overdue"), choices=YES_NO, method="filter_overdue",
                                          help_text=_("yes: not closed after the resolution deadline (CMP-4)."))
    # CMP-6: the analysis drills down to the complaints of one of its rows.
    cause = django_filters.ChoiceFilter(label=_("cause"), choices=[*Complaint.Cause.choices, NOT_SAID],
                                        method="filter_said")
    responsibility = django_filters.ChoiceFilter(label=_("responsibility"),
                                                 choices=[*Complaint.Responsibility.choices, NOT_SAID],
                                                 method="filter_said")
    product = IdFilter(label=_("product"), field_name="product_id")
    salesperson = IdFilter(label=_("salesperson"), field_name="customer__owner_id")
    received_from = django_filters.DateFilter(label=pgettext_lazy("complaint", "received from"), field_name="received_at",
                                              lookup_expr="date__gte")
    received_to = django_filters.DateFilter(label=pgettext_lazy("complaint", "received until"), field_name="received_at",
                                            lookup_expr="date__lte")
    breached = django_filters.ChoiceFilter(label=_("missed a deadline"), choices=YES_NO, method="filter_breached")
    sort = sort_filter(COMPLAINT_SORTS)

    class Meta:
        model = Complaint
        fields = ["status", "kind", "severity", "handler", "customer_id", "order", "overdue", "cause",
                  "responsibility", "product", "salesperson", "received_from", "received_to", "breached", "sort"]

    def filter_said(self, queryset, name, value):
        return queryset.filter(**{name: "" if value == NOT_SAID[0] else value})

    def filter_breached(self, queryset, name, value):
        late = Q(Exists(Breach.objects.filter(complaint=OuterRef("pk"))))
        return queryset.filter(late) if value == "yes" else queryset.exclude(late)

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.exclude(status=Complaint.Status.CLOSED)
        return queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        late = Q(resolve_by__lt=timezone.now()) & ~Q(status=Complaint.Status.CLOSED)
        return queryset.filter(late) if value == "yes" else queryset.exclude(late)


class ServiceOrderFilter(django_filters.FilterSet):
    """SVC-1: the service queue — open ones by default, the assignee's own with mine=yes."""

    status = django_filters.ChoiceFilter(label=_("status"), choices=ServiceOrder.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("service"), choices=ServiceOrder.Kind.choices)
    mine = django_filters.ChoiceFilter(label=pgettext_lazy("service queue", "mine"), choices=YES_NO, method="filter_mine")
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    sort = sort_filter({"due_on": "due_on"})

    class Meta:
        model = ServiceOrder
        fields = ["status", "kind", "mine", "customer_id", "sort"]

    def filter_mine(self, queryset, name, value):
        me = Q(assignee=self.request.user)
        return queryset.filter(me) if value == "yes" else queryset.exclude(me)
