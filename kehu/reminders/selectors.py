"""Reads of reminders (PLT-4): a user's inbox, only their own; the unread count of the
navigation bar's badge, kept a minute in the cache."""

from django.core.cache import cache
from django.db.models import QuerySet

from kehu.reminders.models import Preference, Reminder

INBOX_LIST = "reminders"
UNREAD_SECONDS = 60
DIGEST = "digest"


def inbox_of(user) -> QuerySet[Reminder]:
    """The user's own reminders, newest first; nobody sees anyone else's."""
    if user is None or not user.is_authenticated:
        return Reminder.objects.none()
    return Reminder.objects.filter(recipient=user).order_by("-created_at", "-id")


def inbox_rows() -> QuerySet[Reminder]:
    return Reminder.objects.only("id", "kind", "title", "body", "url", "created_at", "read_at")


def reminder_get_for_user(*, user, pk) -> Reminder:
    from kehu.core.access import get_for_user

    return get_for_user(inbox_of(user), pk, user=user)


def _unread_key(user_id: int) -> str:
    return f"kehu:reminders:unread:{user_id}"


def unread_count(user) -> int:
    """How many of the user's reminders are unread: one indexed count, kept a minute so that
    the navigation bar costs no query on every page; the user's own reads refresh it at once."""
    if user is None or not user.is_authenticated:
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Reminder.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_SECONDS)
    return count


def forget_unread(user_id: int) -> None:
    cache.delete(_unread_key(user_id))


def preference_of(user) -> Preference:
    """The user's reminder settings, or the defaults (unsaved) when they chose none."""
    found = Preference.objects.filter(user=user).first()
    return found if found is not None else Preference(user=user)
