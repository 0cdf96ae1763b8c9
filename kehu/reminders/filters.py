import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InboxFilter(django_filters.FilterSet):
    """The inbox's one filter: unread, read, or all (PLT-4)."""

    state = django_filters.ChoiceFilter(label=_("read or unread"), method="by_state", choices=[
        ("unread", pgettext_lazy("reminder", "Unread")), ("read", pgettext_lazy("reminder", "Read"))])

    def by_state(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "unread")
