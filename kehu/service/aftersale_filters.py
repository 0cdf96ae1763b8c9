"""The filters of the commitment list (SVC-2) and the follow-up list (SVC-3), shared by the page,
its export and the API (kehu.core.filtering): a bad value is named in a warning and left out."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.core.filtering import IdFilter, sort_filter
from kehu.service.filters import YES_NO
from kehu.service.models import Commitment, FollowUp, Occurrence, ServiceOrder

OCCURRENCE_STATUS = [("pending", pgettext_lazy("commitments", "Not kept yet")), *Occurrence.Status.choices]


class OccurrenceFilter(django_filters.FilterSet):
    """SVC-2: the promises as they fall due — those not kept yet (due or missed) by default."""

    status = django_filters.ChoiceFilter(label=_("status"), choices=OCCURRENCE_STATUS, method="filter_status")
    mine = django_filters.ChoiceFilter(label=pgettext_lazy("commitments", "mine"), choices=YES_NO,
                                       method="filter_mine")
    owner = IdFilter(label=_("promised by"), field_name="commitment__owner_id")
    customer_id = IdFilter(label=_("customer"), field_name="commitment__customer_id")
    commitment = IdFilter(label=_("service commitment"), field_name="commitment_id")
    due_from = django_filters.DateFilter(label=_("due from"), field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(label=_("due until"), field_name="due_on", lookup_expr="lte")
    sort = sort_filter({"due_on": "due_on"})

    class Meta:
        model = Occurrence
        fields = ["status", "mine", "owner", "customer_id", "commitment", "due_from", "due_to", "sort"]

    def filter_status(self, queryset, name, value):
        if value == "pending":
            return queryset.exclude(status=Occurrence.Status.FULFILLED)
        return queryset.filter(status=value)

    def filter_mine(self, queryset, name, value):
        me = Q(commitment__owner=self.request.user)
        return queryset.filter(me) if value == "yes" else queryset.exclude(me)


class FollowUpFilter(django_filters.FilterSet):
    """SVC-3: the follow-up calls — those still to make by default, the user's own with mine=yes."""

    status = django_filters.ChoiceFilter(label=_("status"), choices=FollowUp.Status.choices)
    mine = django_filters.ChoiceFilter(label=pgettext_lazy("follow-ups", "mine"), choices=YES_NO,
                                       method="filter_mine")
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    sort = sort_filter({"due_on": "due_on"})

    class Meta:
        model = FollowUp
        fields = ["status", "mine", "customer_id", "sort"]

    def filter_mine(self, queryset, name, value):
        me = Q(assignee=self.request.user)
        return queryset.filter(me) if value == "yes" else queryset.exclude(me)


class ServiceOrderApiFilter(django_filters.FilterSet):
    """SVC-1 in the API: by status, service, assignee and customer (all by default)."""

    status = django_filters.ChoiceFilter(label=_("status"), choices=ServiceOrder.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("service"), choices=ServiceOrder.Kind.choices)
    assignee = IdFilter(label=_("assignee"), field_name="assignee_id")
    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    sort = sort_filter({"due_on": "due_on"})

    class Meta:
        model = ServiceOrder
        fields = ["status", "kind", "assignee", "customer_id", "sort"]


class CommitmentFilter(django_filters.FilterSet):
    """SVC-2 in the API: commitments by customer and by who promised."""

    customer_id = IdFilter(label=_("customer"), field_name="customer_id")
    owner = IdFilter(label=_("promised by"), field_name="owner_id")

    class Meta:
        model = Commitment
        fields = ["customer_id", "owner"]
