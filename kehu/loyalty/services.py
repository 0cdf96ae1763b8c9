"""Loyalty work that reads several lower apps (CUS-7): the nightly pool move. It decides who
drops from touches (relations), sales (sales) and open receivables (receivables), and moves
through kehu.customers.services, which logs each move on the customer's timeline."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.selectors import managers_of
from kehu.core.access import parse_id, require
from kehu.core.errors import ValidationFailed
from kehu.core.locks import lock
from kehu.core.pagination import lists_changed
from kehu.customers import services as customers
from kehu.customers.models import PoolPolicy, Status
from kehu.customers.selectors import customer_get_for_user
from kehu.loyalty import selectors
from kehu.loyalty.capabilities import RECORD_REFERRALS
from kehu.loyalty.models import Referral, ReferralPolicy
from kehu.relations.services import touch_record
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


# --- referrals (REF-1, REF-2) -----------------------------------------------------------------------------------

def _told(recipient, *, kind: str, key: str, title, url: str) -> None:
    with in_language_of(recipient):
        notify(recipient=recipient, kind=kind, title=title(), url=url, dedupe_key=key)


def referral_create(*, by, referrer, data: dict, referrer_person=None, to_pool: bool = False,
                    on_duplicate: str | None = None) -> Referral:
    """REF-1: a customer of the user's scope (or one of its current key people) referred a
    prospect: the prospect becomes a customer card, the user's own or put into the pool."""
    require(by, RECORD_REFERRALS, _("Your role does not record referrals."))
    referrer = customer_get_for_user(user=by, pk=getattr(referrer, "pk", referrer))
    if referrer_person is not None:
        person_pk = parse_id(getattr(referrer_person, "pk", referrer_person))
        referrer_person = referrer.key_people.filter(pk=person_pk, is_current=True).first() if person_pk else None
        if referrer_person is None:
            raise ValidationFailed(_("Choose one of the referring customer's current key people."),
                                   field_errors={"referrer_person": [_("Not a current key person of this customer.")]})
    with transaction.atomic():
        prospect = customers.customer_create(by=by, data={**data, "status": Status.PROSPECT},
                                             on_duplicate=on_duplicate)
        referral = Referral.objects.create(referrer=referrer, referrer_person=referrer_person, referred=prospect,
                                           created_by=by)
        if to_pool:
            customers.pool_drop(customer_ids=[prospect.pk], reason=_("referred by %(name)s") % {"name": referrer.name})
        lists_changed(selectors.REFERRAL_LIST)
    return referral


def flag_late_referrals(*, now=None) -> dict[str, int]:
    """REF-1: a referred prospect not contacted within the policy's hours is flagged once, to its
    owner and their manager (to the recorder's managers while it waits in the pool)."""
    now = now or timezone.now()
    hours = ReferralPolicy.current().contact_hours
    flagged = 0
    for candidate in selectors.referrals_to_flag(now=now, hours=hours):
        with transaction.atomic():
            referral = lock(Referral.objects.select_related("referred", "referred__owner", "referrer", "created_by"),
                            candidate.pk)
            if referral.flagged_at is not None:
                continue  # another run flagged it meanwhile
            referral.flagged_at = now
            referral.save(update_fields=["flagged_at"])
            owner = referral.referred.owner
            people = [owner, *managers_of(owner)] if owner else managers_of(referral.created_by)
            for person in people:
                _told(person, kind="referral_late", key=f"referral-late:{referral.pk}", url=reverse(
                    "customers:detail", args=[referral.referred_id]),
                    title=lambda r=referral: _("Referred %(hours)dh ago and not contacted yet: %(name)s (by %(referrer)s)")
                    % {"hours": hours, "name": r.referred.name, "referrer": r.referrer.name})
        flagged += 1
    return {"flagged": flagged}


def referral_outcome(*, by, referral: Referral, outcome: str) -> Referral:
    """REF-2: the outcome is known: the referrer's owner is reminded to tell and thank them."""
    require(by, RECORD_REFERRALS, _("Your role does not record referrals."))
    if outcome not in (Referral.Outcome.WON, Referral.Outcome.LOST):
        raise ValidationFailed(_("Choose the outcome: became a customer or did not buy."),
                               field_errors={"outcome": [_("Required.")]})
    with transaction.atomic():
        row = lock(Referral.objects.select_related("referrer", "referrer__owner", "referred"), referral.pk)
        if row.outcome != Referral.Outcome.PENDING:
            raise ValidationFailed(_("The outcome of this referral is recorded already."))
        row.outcome, row.outcome_at = outcome, timezone.now()
        row.save(update_fields=["outcome", "outcome_at"])
        if row.referrer.owner is not None:
            _told(row.referrer.owner, kind="referral_thanks", key=f"referral-thanks:{row.pk}",
                  url=reverse("loyalty:referral_list") + "?thanked=false",
                  title=lambda: _("Tell %(referrer)s how the referral of %(name)s ended, and thank them")
                  % {"referrer": row.referrer.name, "name": row.referred.name})
        lists_changed(selectors.REFERRAL_LIST)
    return row


def referral_thank(*, by, referral: Referral, kind: str = "phone", notes: str = "") -> Referral:
    """REF-2: the referrer was told the outcome and thanked: logged as a touch with the referrer."""
    require(by, RECORD_REFERRALS, _("Your role does not record referrals."))
    with transaction.atomic():
        row = lock(Referral.objects.select_related("referrer", "referred"), referral.pk)
        if row.outcome == Referral.Outcome.PENDING:
            raise ValidationFailed(_("Record the outcome first: the referrer is told how it ended."))
        if row.thank_touch_id is not None:
            raise ValidationFailed(_("The referrer was thanked already."))
        row.thank_touch = touch_record(by=by, customer=row.referrer, kind=kind, notes=notes,
                                       purpose=_("Told the outcome of the referral of %(name)s and thanked")
                                       % {"name": row.referred.name})
        row.save(update_fields=["thank_touch"])
        lists_changed(selectors.REFERRAL_LIST)
    return row
