"""The customer list's filters and sorts, shared by the page and the API so both answer the
same question the same way."""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import Office, User, subtree_of
from kehu.accounts.selectors import offices_for, salespeople_for
from kehu.core.filtering import ScopedChoiceFilter
from kehu.core.text import fold
from kehu.customers.models import Category, Customer, Grade, Nature, Status

_PHONE_LIKE = re.compile(r"[0-9+()\-#转]+")

SORTS = {
    "name": "name",
    "code": "code",
    "grade": "grade",
    "category": "category",
    "status": "status",
    "owner": "owner__username",
    "completeness": "completeness",
    "developed_on": "developed_on",
    "updated_at": "updated_at",
}


def _offices(request):
    return offices_for(request.user) if request else Office.objects.none()


def _owners(request):
    return salespeople_for(request.user) if request else User.objects.none()


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search",
                                  help_text=_("Name, code, phone or contact name"))
    grade = django_filters.ChoiceFilter(label=_("grade 等级"), choices=Grade.choices)
    category = django_filters.ChoiceFilter(label=_("category 类别"), choices=Category.choices)
    nature = django_filters.ChoiceFilter(label=_("nature 性质"), choices=Nature.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    office = ScopedChoiceFilter(label=_("office"), queryset=_offices, method="filter_office")
    owner = ScopedChoiceFilter(label=_("owner"), queryset=_owners)
    incomplete = django_filters.BooleanFilter(label=_("incomplete cards only"), method="filter_incomplete")
    sort = django_filters.ChoiceFilter(
        label=_("sort"), method="filter_sort", empty_label=_("Recently updated"),
        choices=[(k, k) for k in SORTS] + [(f"-{k}", f"-{k}") for k in SORTS],
    )

    class Meta:
        model = Customer
        fields = ["q", "grade", "category", "nature", "status", "office", "owner", "incomplete", "sort"]

    def filter_search(self, queryset, name, value):
        value = fold(value)[:100]
        if not value:
            return queryset
        condition = Q(search_text__contains=value)
        # A phone number typed with other separators ("5555-0101" for "021-5555 0101") is
        # also looked up by its digits, which search_text holds (phone_key).
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 4 and digits != value and _PHONE_LIKE.fullmatch(value):
            condition |= Q(search_text__contains=digits)
        # No subquery for a company-wide search: a common term fills the page within a few
        # hundred rows of the sort order, and a rare one is a small set the paginator holds
        # as ids (core.pagination.SMALL_SET).
        return queryset.filter(condition)

    def filter_office(self, queryset, name, office):
        return queryset.filter(office_id__in=subtree_of(office.pk))

    def filter_incomplete(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(completeness__lt=100) if value else queryset.filter(completeness=100)

    def filter_sort(self, queryset, name, value):
        desc = value.startswith("-")
        field = SORTS[value.lstrip("-")]
        return queryset.order_by(f"-{field}" if desc else field, "-id" if desc else "id")


POOL_SORTS = {"name": "name", "code": "code", "grade": "grade", "category": "category", "pooled_at": "pooled_at"}


class PoolFilter(CustomerFilter):
    """The pool list's filters (CUS-7): the customer list's, without owner (nobody owns them);
    the office is the one the customer belonged to when it dropped."""

    sort = django_filters.ChoiceFilter(
        label=_("sort"), method="filter_sort", empty_label=_("Latest into the pool"),
        choices=[(k, k) for k in POOL_SORTS] + [(f"-{k}", f"-{k}") for k in POOL_SORTS],
    )

    class Meta:
        model = Customer
        fields = ["q", "grade", "category", "office", "sort"]

    def filter_sort(self, queryset, name, value):
        desc = value.startswith("-")
        field = POOL_SORTS[value.lstrip("-")]
        return queryset.order_by(f"-{field}" if desc else field, "-id" if desc else "id")
