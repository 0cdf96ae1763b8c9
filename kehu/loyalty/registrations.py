"""What loyalty shows on other apps' pages (core.registry): the customers about to drop into
the pool (CUS-7), the referred prospects to contact and the referrers to thank (REF-1, REF-2)
on the daily plan; the referrals on the customer's timeline; the referral button and list."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.capabilities import user_can
from kehu.core.registry import (
    Action,
    DueItem,
    DueSource,
    NavEntry,
    Panel,
    Report,
    TimelineEntry,
    TimelineSource,
    registry,
)
from kehu.loyalty import selectors
from kehu.loyalty.capabilities import RECORD_REFERRALS, WIN_BACK


def pool_notices_due(user, day) -> list[DueItem]:
    """The user's customers that drop into the pool within the notice days unless contacted."""
    return [DueItem(kind="pool_notice", key=f"pool:{n.customer.pk}", customer_id=n.customer.pk, due_on=n.drops_on,
                    title=gettext("Returns to the pool on %(day)s · %(name)s") % {"day": n.drops_on.isoformat(),
                                                                                 "name": n.customer.name},
                    url=n.customer.get_absolute_url())
            for n in selectors.pool_notices_for(user, today=day)]


def referrals_due(user, day) -> list[DueItem]:
    """REF-1: referred prospects of the user not contacted yet; REF-2: referrers to tell and thank."""
    to_contact, to_thank = selectors.referrals_due_for(user, day=day)
    items = [DueItem(kind="referral_contact", key=f"referral:{r.pk}", customer_id=r.referred_id, due_on=day,
                     overdue=r.flagged_at is not None, done=r.contacted, url=reverse("customers:detail", args=[r.referred_id]),
                     title=gettext("Contact the referred prospect %(name)s (referred by %(referrer)s)")
                     % {"name": r.referred.name, "referrer": r.referrer.name}) for r in to_contact]
    items += [DueItem(kind="referral_thanks", key=f"referral-thanks:{r.pk}", customer_id=r.referrer_id, due_on=day,
                      url=reverse("loyalty:referral_list") + "?thanked=false", done=r.thank_touch_id is not None,
                      title=gettext("Tell %(referrer)s how the referral of %(name)s ended, and thank them")
                      % {"referrer": r.referrer.name, "name": r.referred.name}) for r in to_thank]
    return items


def referral_entries(user, customer, limit: int) -> list[TimelineEntry]:
    entries = []
    for r in selectors.referrals_of(customer, limit=limit):
        if r.referrer_id == customer.pk:
            text = gettext("Referred %(name)s") % {"name": r.referred.name}
        else:
            text = gettext("Referred by %(name)s") % {"name": r.referrer.name}
        entries.append(TimelineEntry(at=r.created_at, text=text, by=r.created_by.display_name, kind="referral"))
    return entries


def refer_button(request, customer) -> dict | None:
    return {"customer": customer} if user_can(request.user, RECORD_REFERRALS) else None


def at_risk_due(user, day) -> list[DueItem]:
    """WIN-1, WIN-2: the user's at-risk and lost customers not called this week, the largest
    lost value first."""
    return [DueItem(kind="at_risk", key=f"win-back:{d.pk}", customer_id=d.customer_id, due_on=day,
                    overdue=d.state == d.State.LOST, url=reverse("loyalty:defection_detail", args=[d.pk]),
                    title=gettext("Call %(name)s: no purchase since %(day)s (a year's value %(value)s)")
                    % {"name": d.customer.name, "day": d.last_purchase_on.isoformat(), "value": d.lost_value})
            for d in selectors.to_call_for(user, day=day)]


def customer_defection(request, customer) -> dict | None:
    """WIN-1, WIN-2 on the 360° page: the customer at risk or lost, its lost value, the attempts."""
    row = selectors.open_defection_of(customer)
    if row is None:
        return None
    return {"customer": customer, "defection": row, "attempts": selectors.attempts_of(row, limit=5),
            "can_win_back": user_can(request.user, WIN_BACK)}


def attempt_entries(user, customer, limit: int) -> list[TimelineEntry]:
    """WIN-2: each win-back attempt on the customer's timeline."""
    return [TimelineEntry(at=a.created_at, by=a.by.display_name, kind="win_back",
                          url=reverse("loyalty:defection_detail", args=[a.defection_id]),
                          text=gettext("Win-back attempt (%(channel)s): %(outcome)s")
                          % {"channel": a.get_channel_display(), "outcome": a.get_outcome_display()}
                          + (f" · {a.offer}" if a.offer else ""))
            for a in selectors.customer_attempts(customer, limit=limit)]


def register() -> None:
    registry.add(DueSource(key="at-risk", label=_("At-risk customers to call"), items=at_risk_due, order=60))
    registry.add(Panel(key="defection", page="customer", tab="business", label=_("At risk or lost"),
                       template="loyalty/_customer_defection.html", context=customer_defection, order=5, lazy=True,
                       query_budget=2))
    registry.add(TimelineSource(key="win-back", label=_("Win-back attempts"), entries=attempt_entries, order=85,
                                query_budget=1))
    registry.add(NavEntry(key="defections", label=_("Lost customers"), url_name="loyalty:defection_list", order=76))
    registry.add(Report(key="win-back", label=_("Lost and won back by month"), url_name="loyalty:win_back_report",
                        order=70, visible=lambda user: user_can(user, WIN_BACK)))
    registry.add(DueSource(key="pool", label=_("About to return to the pool"), items=pool_notices_due))
    registry.add(DueSource(key="referrals", label=_("Referrals"), items=referrals_due))
    registry.add(TimelineSource(key="referrals", label=_("Referrals"), entries=referral_entries, order=80))
    registry.add(Action(key="refer", page="customer", template="loyalty/_customer_refer.html", context=refer_button,
                        order=70))
    registry.add(NavEntry(key="referrals", label=_("Referrals"), url_name="loyalty:referral_list", order=75))
