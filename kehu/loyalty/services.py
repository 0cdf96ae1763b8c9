"""Loyalty work that reads several lower apps (CUS-7): the nightly pool move. It decides who
drops from touches (relations), sales (sales) and open receivables (receivables), and moves
through kehu.customers.services, which logs each move on the customer's timeline."""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
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
from kehu.loyalty.capabilities import RECORD_REFERRALS, WIN_BACK
from kehu.loyalty.models import (
    Defection,
    DefectionReason,
    Referral,
    ReferralPolicy,
    WinBackAttempt,
    WinBackPolicy,
)
from kehu.relations.models import TouchKind
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


# --- lost customers and win-back (WIN-1, WIN-2) -------------------------------------------------------------------

AT_RISK_NOTICE = "at_risk"


def defections_daily(*, today: date | None = None, tell: bool = True) -> dict[str, int]:
    """WIN-1: from every customer's purchase history (one GROUP BY over the invoices) mark who is
    at risk and who is lost, close the rows of those who bought again (won back when lost and
    tried for), then price every open row with one UPDATE; tell each owner once when their
    customer becomes at risk (unless `tell` is False: the demo's first run). Safe to run twice:
    the second run finds nothing new."""
    today = today or timezone.localdate()
    policy = WinBackPolicy.current()
    counts = {"at_risk": 0, "lost": 0, "won_back": 0, "cleared": 0}
    with transaction.atomic():
        open_rows = {d.customer_id: d for d in Defection.objects
                     .filter(state__in=Defection.OPEN).annotate(tries=Count("attempts"), last_by=Subquery(
                         WinBackAttempt.objects.filter(defection=OuterRef("pk")).order_by("-on", "-id")
                         .values("by")[:1]))}
        new, changed, seen = [], [], set()
        for history in selectors.purchase_histories():
            seen.add(history.customer_id)
            state, expected = history.state_on(today, policy)
            row = open_rows.get(history.customer_id)
            if row is not None and (history.last > row.last_purchase_on or state is None):
                won = bool(history.last > row.last_purchase_on and row.state == Defection.State.LOST and row.tries)
                row.state = Defection.State.WON_BACK if won else Defection.State.CLEARED
                row.ended_on, row.won_by_id = today, row.last_by if won else None
                changed.append(row)
                counts[row.state] += 1
                row = None
            if state is None:
                continue
            if row is None:
                new.append(Defection(customer_id=history.customer_id, state=state, at_risk_on=today,
                                     lost_on=today if state == Defection.State.LOST else None,
                                     expected_days=expected, last_purchase_on=history.last))
                counts[state] += 1
            elif row.state != state or row.expected_days != expected:
                if state == Defection.State.LOST and row.state != state:
                    row.lost_on = today
                    counts["lost"] += 1
                row.state, row.expected_days = state, expected
                changed.append(row)
        for customer_id, row in open_rows.items():
            if customer_id not in seen:  # its invoices are gone: nothing to lose
                row.state, row.ended_on = Defection.State.CLEARED, today
                changed.append(row)
                counts["cleared"] += 1
        Defection.objects.bulk_update(changed, ["state", "lost_on", "ended_on", "won_by", "expected_days"],
                                      batch_size=BATCH)
        Defection.objects.bulk_create(new, batch_size=BATCH)
        Defection.objects.filter(state__in=Defection.OPEN).update(lost_value=selectors.year_before_last_purchase())
        if new or changed:
            lists_changed(selectors.DEFECTION_LIST)
    if tell:
        _tell_at_risk([d.customer_id for d in new])
    return counts


def _tell_at_risk(customer_ids: list[int]) -> None:
    """Each owner told once per defection (the key names the customer and its last purchase)."""
    for start in range(0, len(customer_ids), BATCH):
        rows = (Defection.objects.filter(customer_id__in=customer_ids[start:start + BATCH], state__in=Defection.OPEN,
                                         customer__owner__isnull=False)
                .select_related("customer", "customer__owner"))
        for d in rows:
            owner = d.customer.owner
            with transaction.atomic(), in_language_of(owner):
                notify(recipient=owner, kind=AT_RISK_NOTICE, dedupe_key=f"at-risk:{d.customer_id}:{d.last_purchase_on}",
                       url=reverse("loyalty:defection_detail", args=[d.pk]),
                       title=_("%(name)s has not bought since %(day)s (usually every %(days)d days): call them")
                       % {"name": d.customer.name, "day": d.last_purchase_on.isoformat(), "days": d.expected_days})


def _open_locked(defection: Defection) -> Defection:
    row = lock(Defection.objects.select_related("customer"), defection.pk)
    if not row.is_open:
        raise ValidationFailed(_("This record is closed: the customer bought again or is no longer at risk."))
    return row


def defection_reason_set(*, by, defection: Defection, reason: str, note: str = "") -> Defection:
    """WIN-1: why the customer stopped buying, one of the list, with a note."""
    require(by, WIN_BACK, _("Your role does not record why customers were lost."))
    if reason not in DefectionReason.values:
        raise ValidationFailed(_("Choose a reason from the list."),
                               field_errors={"reason": [_("Choose a reason from the list.")]})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed(_("The note is too long (500 characters at most)."),
                               field_errors={"reason_note": [_("500 characters at most.")]})
    if reason == DefectionReason.OTHER and not note:
        raise ValidationFailed(_("Say what the other reason is."), field_errors={"reason_note": [_("Required.")]})
    with transaction.atomic():
        row = _open_locked(defection)
        row.reason, row.reason_note, row.reason_by, row.reason_at = reason, note, by, timezone.now()
        row.save(update_fields=["reason", "reason_note", "reason_by", "reason_at"])
        lists_changed(selectors.DEFECTION_LIST)
    return row


def win_back_attempt_record(*, by, defection: Defection, channel: str, offer: str = "", outcome: str = "pending",
                            notes: str = "", on: date | None = None) -> WinBackAttempt:
    """WIN-2: one try to win the customer back: how, what was offered, the answer."""
    require(by, WIN_BACK, _("Your role does not try to win customers back."))
    on = on or timezone.localdate()
    errors = {}
    if channel not in TouchKind.values:
        errors["channel"] = [_("Choose how you tried.")]
    if outcome not in WinBackAttempt.Outcome.values:
        errors["outcome"] = [_("Choose the outcome from the list.")]
    if on > timezone.localdate():
        errors["on"] = [_("The day of an attempt cannot be in the future.")]
    if errors:
        raise ValidationFailed(_("The attempt was not recorded: check the fields marked."), field_errors=errors)
    with transaction.atomic():
        row = _open_locked(defection)
        attempt = WinBackAttempt(defection=row, channel=channel, offer=(offer or "").strip(), outcome=outcome,
                                 notes=(notes or "").strip(), on=on, by=by)
        try:
            attempt.full_clean()
        except DjangoValidationError as exc:
            raise ValidationFailed(_("The attempt was not recorded: check the fields marked."),
                                   field_errors=exc.message_dict) from exc
        attempt.save()
        lists_changed(selectors.DEFECTION_LIST)
    return attempt
