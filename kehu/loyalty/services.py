"""Loyalty work that reads several lower apps (CUS-7): the nightly pool move. It decides who
drops from touches (relations), sales (sales) and open receivables (receivables), and moves
through kehu.customers.services, which logs each move on the customer's timeline."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.customers import services as customers
from kehu.customers.models import PoolPolicy
from kehu.loyalty import selectors
from kehu.reminders.models import Reminder
from kehu.reminders.services import in_language_of, notify

BATCH = 500  # customers moved per transaction: a night of 100,000 never holds one long lock
POOL_NOTICE = "pool_notice"


def pool_nightly(*, today: date | None = None) -> dict[str, int]:
    """CUS-7: tell owners of the customers about to drop (once per customer and drop day), then
    move those due into the pool. Safe to run twice: the second run finds them in the pool."""
    today = today or timezone.localdate()
    policy = PoolPolicy.current()
    told = 0
    for notice in selectors.pool_notices(today=today, policy=policy):
        customer, owner = notice.customer, notice.customer.owner
        key = f"pool:{customer.pk}:{notice.drops_on.isoformat()}"
        if Reminder.objects.filter(recipient=owner, dedupe_key=key).exists():
            continue  # told already for this drop day
        with transaction.atomic(), in_language_of(owner):
            title = _("%(name)s returns to the pool on %(day)s unless you contact it or sell to it") % {
                "name": customer.name, "day": notice.drops_on.isoformat()}
            notify(recipient=owner, kind=POOL_NOTICE, title=title, dedupe_key=key,
                   url=reverse("customers:detail", args=[customer.pk]))
            customers.pool_notice_logged(customer=customer, message=_("%(owner)s told: returns to the pool on %(day)s")
                                         % {"owner": owner.display_name, "day": notice.drops_on.isoformat()})
        told += 1
    moved = 0
    due = selectors.pool_due(today=today, policy=policy)
    reason = _("no touch or sale for the days set for its grade")
    for start in range(0, len(due), BATCH):
        moved += customers.pool_drop(customer_ids=due[start:start + BATCH], reason=reason)
    return {"told": told, "moved": moved}
