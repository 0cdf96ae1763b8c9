"""What reminders show on other pages (core.registry): the navigation entry with the count of
unread reminders as its badge (PLT-4)."""

from django.utils.translation import pgettext_lazy

from kehu.core.capabilities import user_can
from kehu.core.registry import NavEntry, registry
from kehu.reminders import selectors
from kehu.reminders.capabilities import RECEIVE_REMINDERS


def unread_badge(request) -> int | None:
    return selectors.unread_count(request.user) or None


def register() -> None:
    registry.add(NavEntry(key="reminders", label=pgettext_lazy("message", "Reminders"), url_name="reminders:inbox",
                          order=85, visible=lambda user: user_can(user, RECEIVE_REMINDERS), badge=unread_badge,
                          element_id="nav-reminders"))
