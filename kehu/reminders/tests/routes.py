"""The reminders' pages and endpoints in the permission matrix (kehu/core/tests/test_permission_matrix.py).
A reminder is its recipient's only: anyone else gets 404, as for a record outside the scope."""

from functools import partial

from kehu.core.tests.matrix import Route


def owners_reminder(ctx, side) -> dict:
    from kehu.reminders.tests.builders import new_reminder

    return {"pk": new_reminder(to=ctx.users["owner"]).pk}


def read_at(made):
    from kehu.reminders.models import Reminder

    return Reminder.objects.filter(pk=made["pk"]).values_list("read_at", flat=True).first()


def recipient(role, side) -> bool:
    return role == "owner"


Own = partial(Route, make=owners_reminder, scoped=False, who=recipient, not_who=404, rule="PLT-4")

ROUTES = [
    Route("reminders:inbox", scoped=False, rule="PLT-4"),
    Route("reminders:settings", scoped=False, rule="PLT-4"),
    Own("reminders:read", method="post", ok=302, state=read_at),
    Own("reminders:open", method="post", ok=302, state=read_at),
]
