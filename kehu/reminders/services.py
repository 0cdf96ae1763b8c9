"""Reminders (PLT-4): every app tells a user something through `notify()`. The reminder is in
the user's inbox at once; each other channel the user chose (e-mail, a group robot) gets a
Delivery that the worker sends (tasks.deliver) and retries while it fails, never sending twice
what went through. The daily digest (`digests_send`) is a reminder too, once a day per user."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.core import locks
from kehu.core.errors import ValidationFailed
from kehu.core.pagination import lists_changed
from kehu.reminders import channels, selectors
from kehu.reminders.models import DIGEST_AT, Delivery, Preference, Reminder

DIGEST = selectors.DIGEST


def _checked(*, kind: str, title: str, url: str, dedupe_key: str) -> tuple[str, str, str, str]:
    kind, title, url, dedupe_key = (str(kind).strip(), " ".join(str(title).split()), str(url).strip(),
                                    str(dedupe_key).strip())
    if not kind or len(kind) > 40:
        raise ValidationFailed(_("A reminder needs a kind of at most 40 characters."))
    if not title:
        raise ValidationFailed(_("A reminder needs a title."))
    if len(title) > 200:
        title = title[:199] + "…"
    # A link of this site only: a path, never another host (the inbox and the robots show it).
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > 500):
        raise ValidationFailed(_("A reminder's link must be a path of this site."))
    if len(dedupe_key) > 200:
        raise ValidationFailed(_("A reminder's dedupe key has at most 200 characters."))
    return kind, title, url, dedupe_key


def notify(*, recipient, kind: str, title: str, url: str = "", body: str = "", dedupe_key: str = "") -> Reminder:
    """PLT-4: tell `recipient` something: into the inbox now, and out by each channel they chose
    (sent by the worker once the caller's transaction commits). With a `dedupe_key`, the same
    reminder is never made or sent twice: a second call with the key returns the first reminder."""
    kind, title, url, dedupe_key = _checked(kind=kind, title=title, url=url, dedupe_key=dedupe_key)
    with transaction.atomic():
        if dedupe_key:
            found = Reminder.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
            if found is not None:
                return found
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(recipient=recipient, kind=kind, title=title, url=url,
                                                   body=str(body), dedupe_key=dedupe_key)
        except IntegrityError:  # the same key made at this moment by another worker
            return Reminder.objects.get(recipient=recipient, dedupe_key=dedupe_key)
        preference = selectors.preference_of(recipient)
        if recipient.is_active and (preference.each_reminder or kind == DIGEST):
            deliveries = [Delivery.objects.create(reminder=reminder, channel=channel.key)
                          for channel in channels.senders_for(preference)]
            for delivery in deliveries:
                transaction.on_commit(lambda pk=delivery.pk: queue(pk))
        lists_changed(selectors.INBOX_LIST)
        transaction.on_commit(lambda: selectors.forget_unread(recipient.pk))
    return reminder


def queue(delivery_id: int) -> None:
    """Hand a delivery to the worker, which retries it KEHU_REMINDER_RETRIES times."""
    from kehu.reminders import tasks

    tasks.deliver(delivery_id, retries=settings.KEHU_REMINDER_RETRIES,
                  retry_delay=settings.KEHU_REMINDER_RETRY_SECONDS)


def reminder_read(*, by, reminder: Reminder) -> Reminder:
    """Mark one of one's own reminders read (reading it twice changes nothing)."""
    if reminder.recipient_id != by.pk:
        raise ValidationFailed(_("This reminder is not yours."))
    with transaction.atomic():
        if Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now()):
            lists_changed(selectors.INBOX_LIST)
        reminder.refresh_from_db(fields=["read_at"])
    selectors.forget_unread(by.pk)
    return reminder


def reminders_read_all(*, by) -> int:
    """Mark every unread reminder of one's own read; how many were."""
    with transaction.atomic():
        count = Reminder.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())
        if count:
            lists_changed(selectors.INBOX_LIST)
    selectors.forget_unread(by.pk)
    return count


# --- sending, in the worker ---------------------------------------------------------------------------

def message_of(reminder: Reminder, preference) -> channels.Message:
    link = f"{settings.KEHU_BASE_URL.rstrip('/')}{reminder.url}" if reminder.url else ""
    return channels.Message(title=reminder.title, text=reminder.body, link=link)


def _sending_stale() -> datetime:
    return timezone.now() - timedelta(seconds=settings.KEHU_WEBHOOK_TIMEOUT * 10 + 60)


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery, once: the worker claims it (pending or failed → sending) in one
    UPDATE, so two workers never both send it, sends, and writes the outcome. A failure is
    recorded and raised (channels.SendFailed): Huey tries again after a while, then the sweep
    (`deliveries_retry`) until KEHU_REMINDER_MAX_ATTEMPTS. What was sent is never sent again."""
    claim = (Delivery.objects.filter(pk=delivery_id, attempts__lt=settings.KEHU_REMINDER_MAX_ATTEMPTS)
             .filter(Q(state__in=[Delivery.State.PENDING, Delivery.State.FAILED])
                     | Q(state=Delivery.State.SENDING, claimed_at__lt=_sending_stale())))
    if not claim.update(state=Delivery.State.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1):
        return Delivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first() or "missing"
    delivery = Delivery.objects.select_related("reminder", "reminder__recipient").get(pk=delivery_id)
    preference = selectors.preference_of(delivery.reminder.recipient)
    channel = channels.CHANNELS.get(delivery.channel)
    mine = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.SENDING)
    if channel is None or channel.inbox or not channel.wanted(preference):
        # The user has since given the channel up: nothing to send, nothing to retry.
        mine.update(state=Delivery.State.FAILED, attempts=settings.KEHU_REMINDER_MAX_ATTEMPTS,
                    error="channel no longer chosen")
        return Delivery.State.FAILED
    with translation.override(preference.language):
        message = message_of(delivery.reminder, preference)
        try:
            channel.send(message, preference)
        except channels.SendFailed as exc:
            mine.update(state=Delivery.State.FAILED, error=str(exc)[:300])
            raise
    mine.update(state=Delivery.State.SENT, sent_at=timezone.now(), error="")
    return Delivery.State.SENT


def deliveries_retry() -> int:
    """The sweep (every few minutes): hand again to the worker every delivery that failed and
    may still be tried, that waits longer than a minute (its task lost), or whose sending
    stopped half-way (a worker killed). How many were queued."""
    now = timezone.now()
    due = (Delivery.objects.filter(attempts__lt=settings.KEHU_REMINDER_MAX_ATTEMPTS)
           .filter(Q(state=Delivery.State.FAILED,
                     claimed_at__lt=now - timedelta(seconds=settings.KEHU_REMINDER_RETRY_SECONDS))
                   | Q(state=Delivery.State.PENDING, created_at__lt=now - timedelta(minutes=1))
                   | Q(state=Delivery.State.SENDING, claimed_at__lt=_sending_stale()))
           .values_list("pk", flat=True)[:1000])
    ids = list(due)
    from kehu.reminders import tasks

    for pk in ids:
        tasks.deliver(pk)
    return len(ids)


# --- the user's choices -------------------------------------------------------------------------------

PREFERENCE_FIELDS = ("by_email", "webhook_format", "webhook_url", "webhook_secret", "each_reminder", "digest",
                     "digest_at", "language")


def preference_save(*, by, **values) -> Preference:
    """PLT-4: how `by` is told. The webhook address is checked as hostile input
    (channels.check_webhook_url); a robot needs its address and the address its kind."""
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown settings: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    url = str(values.get("webhook_url") or "").strip()
    values["webhook_url"] = channels.check_webhook_url(url) if url else ""
    values["webhook_secret"] = str(values.get("webhook_secret") or "").strip()
    if bool(values.get("webhook_format")) != bool(values["webhook_url"]):
        raise ValidationFailed(_("A group robot needs both its kind and its address."))
    with transaction.atomic():
        Preference.objects.get_or_create(user=by)
        preference = locks.lock_where(Preference, user=by)[0]
        for name, value in values.items():
            setattr(preference, name, value)
        preference.full_clean()
        preference.save()
    return preference


def in_language_of(user):
    """`with in_language_of(user): title = gettext(…)` — a reminder written in the language its
    recipient chose for reminders (Chinese by default), whoever sends it (the worker too)."""
    return translation.override(selectors.preference_of(user).language)


# --- the daily digest ---------------------------------------------------------------------------------

DIGEST_LINES = 10  # of each part; the rest is counted


def digest_text(user, day) -> tuple[str, str] | None:
    """The digest of `user` for `day` (title, text), in their language: their unread reminders
    (earlier digests aside) and what the apps register as due for them that day (core.registry
    DueSource, the daily plan's sources). None when there is nothing to tell."""
    from kehu.core.registry import registry

    unread = selectors.inbox_of(user).filter(read_at__isnull=True).exclude(kind=DIGEST)
    unread_count = unread.count()
    latest = list(unread.values_list("title", flat=True)[:DIGEST_LINES])
    due = [(source, [item for item in items if not item.done]) for source, items in registry.due_for(user, day)]
    due_count = sum(len(items) for _source, items in due)
    if not unread_count and not due_count:
        return None
    title = _("Your day %(day)s: unread reminders %(unread)d, due %(due)d") % {
        "day": day.isoformat(), "unread": unread_count, "due": due_count}
    lines = []
    if unread_count:
        lines.append(_("**Unread reminders (%(count)d)**") % {"count": unread_count})
        lines += [f"- {line}" for line in latest]
        if unread_count > len(latest):
            lines.append(_("- and %(count)d more") % {"count": unread_count - len(latest)})
    if due_count:
        if lines:
            lines.append("")
        lines.append(_("**Today's plan (%(count)d)**") % {"count": due_count})
        for source, items in due:
            if not items:
                continue
            shown = items[:DIGEST_LINES]
            lines.append(f"{source.label} ({len(items)})")
            overdue = _("overdue")
            lines += [f"- {item.title}" + (f" ({overdue})" if item.overdue else "") for item in shown]
            if len(items) > len(shown):
                lines.append(_("- and %(count)d more") % {"count": len(items) - len(shown)})
    return title, "\n".join(lines)


def digest_send(*, user, day) -> Reminder | None:
    """PLT-4: the daily digest of one user for one day, once: the day is claimed on the user's
    settings by one conditional UPDATE (a second worker, or the same run twice, finds it
    claimed), and the reminder's dedupe key is the day. It goes to the inbox and out by each
    channel the user chose (e-mail, the group robot), retried like every reminder. A user who
    never chose gets it by the defaults (the inbox, at DIGEST_AT)."""
    from django.urls import reverse

    with transaction.atomic():
        Preference.objects.get_or_create(user=user)
        claimed = (Preference.objects.filter(user=user, digest=True)
                   .filter(Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=day))
                   .update(last_digest_on=day))
        if not claimed:
            return None
        with in_language_of(user):
            content = digest_text(user, day)
        if content is None:
            return None
        title, text = content
        return notify(recipient=user, kind=DIGEST, title=title, body=text, url=reverse("reminders:inbox"),
                      dedupe_key=f"{DIGEST}:{day.isoformat()}")


def digests_send(*, now: datetime | None = None) -> int:
    """PLT-4, every five minutes by the worker: the digest of each active user who wants one and
    whose chosen time of today has come (local time; DIGEST_AT for one who never chose), if not
    sent today. A worker down at the time sends it when it is back, the same day. How many
    digests were sent."""
    from django.contrib.auth import get_user_model

    moment = timezone.localtime(now or timezone.now())
    day = moment.date()
    wants = (Q(reminder_preference__digest=True, reminder_preference__digest_at__lte=moment.time())
             & (Q(reminder_preference__last_digest_on__isnull=True) | Q(reminder_preference__last_digest_on__lt=day)))
    if moment.time() >= DIGEST_AT:
        wants |= Q(reminder_preference__isnull=True)
    due = get_user_model().objects.filter(wants, is_active=True).order_by("pk")
    sent = 0
    for user in due.iterator(chunk_size=200):
        if digest_send(user=user, day=day) is not None:
            sent += 1
    return sent
