"""What loyalty shows on other apps' pages (core.registry): the customers about to drop into
the pool on their owner's daily plan (CUS-7)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.registry import DueItem, DueSource, registry
from kehu.loyalty import selectors


def pool_notices_due(user, day) -> list[DueItem]:
    """The user's customers that drop into the pool within the notice days unless contacted."""
    return [DueItem(kind="pool_notice", key=f"pool:{n.customer.pk}", customer_id=n.customer.pk, due_on=n.drops_on,
                    title=gettext("Returns to the pool on %(day)s · %(name)s") % {"day": n.drops_on.isoformat(),
                                                                                 "name": n.customer.name},
                    url=n.customer.get_absolute_url())
            for n in selectors.pool_notices_for(user, today=day)]


def register() -> None:
    registry.add(DueSource(key="pool", label=_("About to return to the pool"), items=pool_notices_due))
