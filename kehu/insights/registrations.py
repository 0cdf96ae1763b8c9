"""The home page ("Today") in the navigation bar (core.registry)."""

from django.utils.translation import gettext_lazy as _

from kehu.core.registry import NavEntry, registry


def register() -> None:
    registry.add(NavEntry(key="today", label=_("Today"), url_name="home", order=10))
