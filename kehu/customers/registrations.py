"""The customer pages in the registry (core.registry): the navigation entry, and the 360°
page as a record page that upper apps add panels to."""

from django.utils.translation import gettext_lazy as _

from kehu.core.registry import NavEntry, RecordPage, registry
from kehu.customers.selectors import customer_get_for_user


def register() -> None:
    registry.add(NavEntry(key="customers", label=_("Customers"), url_name="customers:list", order=20))
    registry.add(RecordPage(key="customer", get=lambda request, pk: customer_get_for_user(user=request.user, pk=pk)))
