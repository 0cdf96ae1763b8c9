"""Writes of keeping in touch (REL-2, REL-4): logging a touch with a customer, keeping the daily
plan and ticking it off. A touch is a record of what happened: it is written once and never
edited (the admin shows touches read-only, with their history)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.selectors import managers_of
from kehu.core.access import require
from kehu.core.errors import ValidationFailed
from kehu.core.importing import check_lengths
from kehu.core.money import CENT, decimal_or_refuse
from kehu.core.pagination import lists_changed
from kehu.core.periods import day_input
from kehu.core.registry import registry
from kehu.customers.selectors import customer_get_for_user, key_person_get_for_user
from kehu.relations import selectors
from kehu.relations.capabilities import (
    FILE_MARKET_REPORTS,
    HANDLE_MARKET_REPORTS,
    LOG_TOUCHES,
    PLAN_DEALER_SUPPORT,
    RECORD_DEALER_CHECKS,
)
from kehu.relations.models import (
    CadencePolicy,
    DealerCheck,
    FamilyOccasion,
    FamilyOccasionKind,
    MarketReport,
    MarketReportKind,
    PaymentBehaviour,
    PlanEntry,
    RangeCarried,
    StockLevel,
    SupportItem,
    SupportKind,
    SupportPlan,
    Touch,
    TouchKind,
)

TOUCH_LIST = "touches"
# The earliest day a touch may be dated: older ones are typing mistakes (2062 for 2026).
EARLIEST = date(2000, 1, 1)


def default_visit_purpose() -> str:
    """The purpose of the one-tap visit ("visited, all fine")."""
    return _("Routine visit, all fine")


def _coordinate(value, *, field: str, label, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not -bound <= number <= bound:
        raise ValidationFailed(_("The %(label)s is not a coordinate between -%(bound)s and %(bound)s.")
                               % {"label": label, "bound": bound}, field_errors={field: [_("Not a coordinate.")]})
    return number.quantize(Decimal("0.000001"))


def _place(*, kind: str, consent: bool, latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """REL-2 外勤签到: a place only on a visit, both coordinates, and only with consent."""
    lat = _coordinate(latitude, field="latitude", label=_("latitude"), bound=90)
    lng = _coordinate(longitude, field="longitude", label=_("longitude"), bound=180)
    if lat is None and lng is None:
        return None, None
    if (lat is None) != (lng is None):
        raise ValidationFailed(_("A place needs both its latitude and its longitude."))
    if not consent:
        raise ValidationFailed(_("The place is kept only when you agree to share it."),
                               field_errors={"location_consent": [_("Tick it to share the place.")]})
    if kind != TouchKind.VISIT:
        raise ValidationFailed(_("Only a visit carries a place."))
    return lat, lng


def touch_record(*, by, customer, kind: str, on=None, purpose: str = "", notes: str = "", next_step: str = "",
                 next_step_on=None, location_consent: bool = False, latitude=None, longitude=None) -> Touch:
    """REL-2: log a touch with a customer of the user's scope (404 for another's). It is dated
    today or earlier, never in the future; its next step, if dated, comes on or after it."""
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    require(by, LOG_TOUCHES, _("Your role does not log touches with customers."))
    purpose, notes, next_step = (str(purpose or "").strip(), str(notes or "").strip(), str(next_step or "").strip())
    check_lengths(Touch, purpose=purpose, notes=notes, next_step=next_step)
    if kind not in TouchKind.values:
        raise ValidationFailed(_("Choose the kind of touch."), field_errors={"kind": [_("Required.")]})
    today = timezone.localdate()
    on = day_input(on, field="on", label=_("date of the touch"), required=False) or today
    if on > today:
        raise ValidationFailed(_("A touch is logged once it happened: %(day)s is in the future.")
                               % {"day": on.isoformat()}, field_errors={"on": [_("Today or earlier.")]})
    if on < EARLIEST:
        raise ValidationFailed(_("%(day)s is too long ago for a touch.") % {"day": on.isoformat()},
                               field_errors={"on": [_("Check the year.")]})
    if not purpose:
        raise ValidationFailed(_("Say what the touch was for."), field_errors={"purpose": [_("Required.")]})
    next_step_on = day_input(next_step_on, field="next_step_on", label=_("next step date"), required=False)
    if next_step_on is not None:
        if not next_step:
            raise ValidationFailed(_("Say what the next step is, or leave its date empty."),
                                   field_errors={"next_step": [_("Required with a date.")]})
        if next_step_on < on:
            raise ValidationFailed(_("The next step (%(next)s) cannot come before the touch (%(on)s).")
                                   % {"next": next_step_on.isoformat(), "on": on.isoformat()},
                                   field_errors={"next_step_on": [_("On or after the touch.")]})
    consent = bool(location_consent)
    lat, lng = _place(kind=kind, consent=consent, latitude=latitude, longitude=longitude)
    with transaction.atomic():
        touch = Touch.objects.create(customer=customer, by=by, kind=kind, on=on, purpose=purpose, notes=notes,
                                     next_step=next_step, next_step_on=next_step_on,
                                     location_consent=consent and lat is not None, latitude=lat, longitude=lng)
        lists_changed(TOUCH_LIST)
    return touch


def visit_record(*, by, customer) -> Touch:
    """The one-tap visit of the 360° page: visited today, all fine."""
    return touch_record(by=by, customer=customer, kind=TouchKind.VISIT, purpose=default_visit_purpose())


# --- the daily work plan (REL-4) ---------------------------------------------------------------------------------

# Plan items of these kinds are done once the customer is touched on the plan's day.
DONE_BY_A_TOUCH = ("contact", "next_step")


def _entry_key(source_key: str, item) -> str:
    return (f"{source_key}:{item.key}" if item.key else
            f"{source_key}:{item.kind}:{item.customer_id or ''}:{item.due_on.isoformat()}")[:120]


def plan_for(user, day: date) -> list[PlanEntry]:
    """REL-4: the user's plan of `day`. From today on, what every app registers as due
    (core.registry.DueSource) is added to it the first time it is seen and kept — planned — even
    once done; a past day shows what was planned then. A contact or next step is done once the
    customer is touched that day; anything is done once ticked."""
    today = timezone.localdate()
    if day >= today:
        now = timezone.now()
        # What the plan holds already: a plan read again (after every tick) writes only what is
        # new or newly done — no write transaction at all when nothing changed.
        stored = {key: (position, done_at) for key, position, done_at in PlanEntry.objects.filter(
            user=user, day=day).values_list("key", "position", "done_at")}
        last = max((position for position, _done in stored.values()), default=0)
        fresh, done_keys = [], set()
        for source, items in registry.due_for(user, day):
            for item in sorted(items, key=lambda i: (i.due_on, i.title)):
                key = _entry_key(source.key, item)
                if key in stored:
                    if item.done and stored[key][1] is None:
                        done_keys.add(key)
                    continue
                last += 1
                fresh.append(PlanEntry(user=user, day=day, key=key, source=source.key[:40], kind=item.kind[:40],
                                       title=str(item.title)[:200], url=item.url[:500], customer_id=item.customer_id,
                                       due_on=item.due_on, overdue=item.overdue, position=last,
                                       done_at=now if item.done else None))
        if fresh:
            PlanEntry.objects.bulk_create(fresh, ignore_conflicts=True)  # a parallel read may have added one
        if done_keys:
            PlanEntry.objects.filter(user=user, day=day, key__in=done_keys, done_at__isnull=True).update(done_at=now)
    entries = list(selectors.plan_of(user, day=day).select_related("customer").only(
        "key", "source", "kind", "title", "url", "due_on", "overdue", "position", "done_at", "customer_id",
        "customer__name"))
    waiting = [e for e in entries if e.done_at is None and e.kind in DONE_BY_A_TOUCH and e.customer_id]
    if waiting:
        touched = selectors.customers_touched_on({e.customer_id for e in waiting}, day=day)
        now = timezone.now()
        finished = [e for e in waiting if e.customer_id in touched]
        if finished:
            PlanEntry.objects.filter(pk__in=[e.pk for e in finished]).update(done_at=now)
            for entry in finished:
                entry.done_at = now
    return entries


def plan_move(*, by, pk, up: bool) -> PlanEntry:
    """REL-4: move an item of one's own plan one place up or down among the items of its
    source (the page groups them so); at the top or the bottom it stays."""
    with transaction.atomic():
        entry = selectors.plan_entry_of(by, pk)
        siblings = PlanEntry.objects.select_for_update().filter(user=by, day=entry.day, source=entry.source)
        neighbour = (siblings.filter(position__lt=entry.position).order_by("-position", "-id") if up else
                     siblings.filter(position__gt=entry.position).order_by("position", "id")).first()
        if neighbour is not None:
            entry.position, neighbour.position = neighbour.position, entry.position
            PlanEntry.objects.bulk_update([entry, neighbour], ["position"])
    return entry


def plan_tick(*, by, pk, done: bool) -> PlanEntry:
    """REL-4: tick an item of one's own plan off (or back on)."""
    entry = selectors.plan_entry_of(by, pk)
    entry.done_at = timezone.now() if done else None
    entry.save(update_fields=["done_at"])
    return entry


# --- greetings (REL-3) -------------------------------------------------------------------------------------------

GREETING = "greeting"


def greetings_send(*, today: date | None = None) -> dict[str, int]:
    """REL-3: tell each salesperson of the birthdays, founding anniversaries and holidays of
    the coming days (CadencePolicy.greeting_days_before), once each: a second run the same day
    — or the next day, while the occasion is still ahead — sends nothing again (dedupe_key)."""
    from kehu.accounts.models import User
    from kehu.relations.greetings import occasions
    from kehu.reminders.services import notify

    today = today or timezone.localdate()
    days = CadencePolicy.current().greeting_days_before
    found = occasions(today=today, days_before=days)
    users = {u.pk: u for u in User.objects.filter(pk__in={o.owner_id for o in found}, is_active=True)}
    sent = 0
    for occasion in found:
        recipient = users.get(occasion.owner_id)
        if recipient is None:
            continue
        notify(recipient=recipient, kind=GREETING, title=occasion.title, url=occasion.url,
               dedupe_key=f"{GREETING}:{occasion.key}")
        sent += 1
    return {"occasions": len(found), "reminded": sent}


# --- family occasions of contacts (REL-3) ------------------------------------------------------------------

# A family occasion is dated from this day on (a parent's birthday) and at most this many years ahead.
FAMILY_EARLIEST = date(1900, 1, 1)
FAMILY_YEARS_AHEAD = 10


def _family_values(*, kind, whose, on, yearly, note, was=None) -> dict:
    """REL-3: the checked values of a family occasion. A one-off occasion already past is
    refused when it is new or its day or kind of repetition is changed (there is nothing left
    to greet); one kept as it was may stay on the list."""
    if kind not in FamilyOccasionKind.values:
        raise ValidationFailed(_("Choose the kind of family occasion."), field_errors={"kind": [_("Required.")]})
    whose, note = str(whose or "").strip(), str(note or "").strip()
    check_lengths(FamilyOccasion, whose=whose, note=note)
    on = day_input(on, field="on", label=_("date of the occasion"))
    today = timezone.localdate()
    if on < FAMILY_EARLIEST or on.year > today.year + FAMILY_YEARS_AHEAD:
        raise ValidationFailed(_("%(day)s is not a likely day for a family occasion: check the year.")
                               % {"day": on.isoformat()}, field_errors={"on": [_("Check the year.")]})
    yearly = bool(yearly)
    changed = was is None or was.on != on or was.yearly != yearly
    if not yearly and on < today and changed:
        raise ValidationFailed(_("The one-off occasion on %(day)s has passed: choose a coming day, or mark it "
                                 "as every year.") % {"day": on.isoformat()},
                               field_errors={"on": [_("Today or later for a one-off occasion.")]})
    if kind == FamilyOccasionKind.OTHER and not note:
        raise ValidationFailed(_("Say in the note what the occasion is."), field_errors={"note": [_("Required.")]})
    return {"kind": kind, "whose": whose, "on": on, "yearly": yearly, "note": note}


def family_occasion_add(*, by, key_person, kind: str, on, whose: str = "", yearly: bool = True,
                        note: str = "") -> FamilyOccasion:
    """REL-3: record a family occasion of a current key person of a customer the user may edit
    (404 outside the scope, 403 for a role that only reads cards). The owner of the customer
    is reminded of it with the other greetings."""
    person = key_person_get_for_user(user=by, pk=getattr(key_person, "pk", key_person), write=True)
    if not person.is_current:
        raise ValidationFailed(_("%(name)s has left %(customer)s: family occasions are kept for current key "
                                 "people.") % {"name": person.name, "customer": person.customer.name},
                               field_errors={"key_person": [_("Choose a current key person.")]})
    values = _family_values(kind=kind, whose=whose, on=on, yearly=yearly, note=note)
    occasion = FamilyOccasion(key_person=person, created_by=by, **values)
    occasion._history_user = by
    occasion.save()
    return occasion


def family_occasion_update(*, by, occasion, kind: str, on, whose: str = "", yearly: bool = True,
                           note: str = "") -> FamilyOccasion:
    """REL-3: correct a family occasion (its key person stays)."""
    occasion = selectors.family_occasion_get_for_user(user=by, pk=getattr(occasion, "pk", occasion), write=True)
    values = _family_values(kind=kind, whose=whose, on=on, yearly=yearly, note=note, was=occasion)
    for name, value in values.items():
        setattr(occasion, name, value)
    occasion._history_user = by
    occasion.save()
    return occasion


def family_occasion_delete(*, by, occasion) -> None:
    """REL-3: remove a family occasion entered by mistake (its history keeps who removed it)."""
    occasion = selectors.family_occasion_get_for_user(user=by, pk=getattr(occasion, "pk", occasion), write=True)
    occasion._history_user = by
    occasion.delete()


# --- market information (REL-5) ----------------------------------------------------------------------------------

MARKET_REPORT = "market_report"


def market_report_file(*, by, kind: str, text: str, customer=None) -> MarketReport:
    """REL-5: a salesperson reports what they learnt (a competitor's move, the market, a change
    of a customer's people, a new product in the area): sent to their office, whose managers
    are told at once (reminders). The customer, if named, is one of the reporter's scope."""
    from kehu.reminders.services import in_language_of, notify

    require(by, FILE_MARKET_REPORTS, _("Your role does not file market information."))
    text = str(text or "").strip()
    if kind not in MarketReportKind.values:
        raise ValidationFailed(_("Choose the kind of information."), field_errors={"kind": [_("Required.")]})
    if not text:
        raise ValidationFailed(_("Write what you learnt."), field_errors={"text": [_("Required.")]})
    check_lengths(MarketReport, text=text)
    if customer not in (None, ""):
        customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    else:
        customer = None
    with transaction.atomic():
        report = MarketReport.objects.create(by=by, office_id=by.office_id, kind=kind, text=text, customer=customer)
        for manager in managers_of(by):
            with in_language_of(manager):
                title = _("Market information from %(name)s: %(kind)s") % {
                    "name": by.display_name, "kind": report.get_kind_display()}
            notify(recipient=manager, kind=MARKET_REPORT, title=title, body=text[:500], url=report.get_absolute_url(),
                   dedupe_key=f"{MARKET_REPORT}:{report.pk}")
        lists_changed(selectors.MARKET_LIST)
    return report


def _handled(by, report) -> MarketReport:
    require(by, HANDLE_MARKET_REPORTS, _("Your role does not handle market information."))
    return selectors.market_report_get_for_user(user=by, pk=getattr(report, "pk", report))


def market_report_read(*, by, report) -> MarketReport:
    """REL-5: a manager marks the report read (once: who and when of the first reading stay)."""
    report = _handled(by, report)
    with transaction.atomic():
        if MarketReport.objects.filter(pk=report.pk, read_at__isnull=True).update(read_at=timezone.now(), read_by=by):
            lists_changed(selectors.MARKET_LIST)
    report.refresh_from_db()
    return report


def market_report_act(*, by, report, note: str) -> MarketReport:
    """REL-5: a manager notes what was done about the report (read too, if not yet). Acted on
    once: a second note is refused, never written over the first."""
    report = _handled(by, report)
    note = str(note or "").strip()
    if not note:
        raise ValidationFailed(_("Write what was done about it."), field_errors={"note": [_("Required.")]})
    check_lengths(MarketReport, action_note=note)
    now = timezone.now()
    with transaction.atomic():
        MarketReport.objects.filter(pk=report.pk, read_at__isnull=True).update(read_at=now, read_by=by)
        if not MarketReport.objects.filter(pk=report.pk, acted_at__isnull=True).update(
                acted_at=now, acted_by=by, action_note=note):
            raise ValidationFailed(_("This market information was already acted on by %(name)s.") % {
                "name": MarketReport.objects.select_related("acted_by").get(pk=report.pk).acted_by.display_name})
        lists_changed(selectors.MARKET_LIST)
    report.refresh_from_db()
    return report


# --- dealer checks (REL-6) -----------------------------------------------------------------------------------

DEALER_CHECK_LIST = "dealer_checks"


def month_input(value, *, field: str = "month", label=None) -> date:
    """A month as YYYY-MM (or a day, or YYYY-MM-DD): its first day; anything else refused."""
    label = label or _("month checked")
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(_("Enter the %(label)s.") % {"label": label}, field_errors={field: [_("Required.")]})
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise ValidationFailed(_("The %(label)s is not a month (YYYY-MM).") % {"label": label},
                               field_errors={field: [_("Enter a month as YYYY-MM.")]}) from None


def _percent(value, *, field: str, label, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not low <= number <= high:
        raise ValidationFailed(_("The %(label)s must be a number from %(low)s to %(high)s.")
                               % {"label": label, "low": low, "high": high},
                               field_errors={field: [_("From %(low)s to %(high)s.") % {"low": low, "high": high}]})
    return number.quantize(Decimal("0.1"))


def _choice(value, choices, *, field: str, label) -> str:
    if value not in choices.values:
        raise ValidationFailed(_("Choose the %(label)s.") % {"label": label}, field_errors={field: [_("Required.")]})
    return value


def dealer_check_record(*, by, customer, month, range_carried: str, stock_level: str, payment: str,
                        sales_growth=None, our_share=None, focus_pushed: bool = False, display_place: str = "",
                        display_space: str = "", display_height: str = "", stock_outs=0,
                        in_promotion: bool = False, note: str = "") -> DealerCheck:
    """REL-6: record what the user found at a dealer of their scope in a month (this month or an
    earlier one). One check per dealer per month: a second is refused, the first kept as it is."""
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    require(by, RECORD_DEALER_CHECKS, _("Your role does not record dealer checks."))
    month = month_input(month)
    if month > timezone.localdate().replace(day=1):
        raise ValidationFailed(_("%(month)s has not come yet: check a month once it has begun.")
                               % {"month": f"{month:%Y-%m}"}, field_errors={"month": [_("This month or earlier.")]})
    if month < EARLIEST:
        raise ValidationFailed(_("%(month)s is too long ago for a check.") % {"month": f"{month:%Y-%m}"},
                               field_errors={"month": [_("Check the year.")]})
    texts = {name: str(value or "").strip() for name, value in (
        ("display_place", display_place), ("display_space", display_space), ("display_height", display_height),
        ("note", note))}
    check_lengths(DealerCheck, **texts)
    try:
        outs = int(str(stock_outs if stock_outs not in (None, "") else 0).strip())
    except ValueError:
        outs = -1
    if not 0 <= outs <= 9999:
        raise ValidationFailed(_("The number of products out of stock must be a whole number from 0 to 9999."),
                               field_errors={"stock_outs": [_("From 0 to 9999.")]})
    values = {
        "sales_growth": _percent(sales_growth, field="sales_growth", label=_("sales growth %"), low=-100, high=9999),
        "our_share": _percent(our_share, field="our_share", label=_("our share of their sales %"), low=0, high=100),
        "range_carried": _choice(range_carried, RangeCarried, field="range_carried", label=_("range carried")),
        "stock_level": _choice(stock_level, StockLevel, field="stock_level", label=_("stock level")),
        "payment": _choice(payment, PaymentBehaviour, field="payment", label=_("payment behaviour")),
        "focus_pushed": bool(focus_pushed), "in_promotion": bool(in_promotion), "stock_outs": outs, **texts,
    }
    taken = ValidationFailed(_("The check of %(month)s for %(name)s is already recorded; there is one check "
                               "per dealer per month.") % {"month": f"{month:%Y-%m}", "name": customer.name},
                             field_errors={"month": [_("Already checked.")]})
    if DealerCheck.objects.filter(customer=customer, month=month).exists():
        raise taken
    try:
        with transaction.atomic():
            check = DealerCheck.objects.create(customer=customer, month=month, by=by, **values)
            lists_changed(DEALER_CHECK_LIST)
    except IntegrityError:
        raise taken from None
    return check


# --- dealer support plans (REL-7) ----------------------------------------------------------------------------

SUPPORT_LIST = "support_plans"


def _year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = 0
    this_year = timezone.localdate().year
    if not EARLIEST.year <= year <= this_year + 1:
        raise ValidationFailed(_("Choose a year from %(first)s to %(last)s.") % {"first": EARLIEST.year,
                                                                                "last": this_year + 1},
                               field_errors={"year": [_("Check the year.")]})
    return year


def _amount(value, *, field: str, label, required: bool) -> Decimal | None:
    if not str(value if value is not None else "").strip():
        if required:
            raise ValidationFailed(_("Enter the %(label)s.") % {"label": label}, field_errors={field: [_("Required.")]})
        return None
    amount = decimal_or_refuse(value, field=field, label=label)
    if amount < 0:
        raise ValidationFailed(_("The %(label)s cannot be negative.") % {"label": label},
                               field_errors={field: [_("Zero or more.")]})
    if amount != amount.quantize(CENT):
        raise ValidationFailed(_("The %(label)s has more than two decimals.") % {"label": label},
                               field_errors={field: [_("Two decimals at most.")]})
    return amount.quantize(CENT)


def support_plan_create(*, by, customer, year) -> SupportPlan:
    """REL-7: the year's support plan of a dealer of the user's scope; one per dealer per year."""
    customer = customer_get_for_user(user=by, pk=getattr(customer, "pk", customer))
    require(by, PLAN_DEALER_SUPPORT, _("Your role does not plan dealer support."))
    year = _year(year)
    taken = ValidationFailed(_("%(name)s already has a support plan for %(year)s; add to that plan.")
                             % {"name": customer.name, "year": year}, field_errors={"year": [_("Already planned.")]})
    if SupportPlan.objects.filter(customer=customer, year=year).exists():
        raise taken
    try:
        with transaction.atomic():
            plan = SupportPlan.objects.create(customer=customer, year=year, by=by)
            lists_changed(SUPPORT_LIST)
    except IntegrityError:
        raise taken from None
    return plan


def support_item_add(*, by, plan, kind: str, description: str, budget, planned_month) -> SupportItem:
    """REL-7: a piece of support planned for a month of the plan's year, with its budget."""
    require(by, PLAN_DEALER_SUPPORT, _("Your role does not plan dealer support."))
    if kind not in SupportKind.values:
        raise ValidationFailed(_("Choose the kind of support."), field_errors={"kind": [_("Required.")]})
    description = str(description or "").strip()
    if not description:
        raise ValidationFailed(_("Describe the support."), field_errors={"description": [_("Required.")]})
    check_lengths(SupportItem, description=description)
    amount = _amount(budget, field="budget", label=_("budget"), required=True)
    try:
        month = int(str(planned_month).strip())
    except (TypeError, ValueError):
        month = 0
    if not 1 <= month <= 12:
        raise ValidationFailed(_("Choose the planned month, 1 to 12."), field_errors={"planned_month": [_("1 to 12.")]})
    with transaction.atomic():
        item = SupportItem.objects.create(plan=plan, kind=kind, description=description, budget=amount,
                                          planned_month=month)
        lists_changed(SUPPORT_LIST)
    return item


def support_item_done(*, by, item, done_on=None, effect_note: str = "", sales_before=None,
                      sales_after=None) -> SupportItem:
    """REL-7: the support was given — on a day (today by default, never in the future), with the
    effect measured (a note, the dealer's sales before and after, optional). Marked once: a
    second time is refused and the first record kept."""
    require(by, PLAN_DEALER_SUPPORT, _("Your role does not plan dealer support."))
    today = timezone.localdate()
    done_on = day_input(done_on, field="done_on", label=_("done on"), required=False) or today
    if done_on > today:
        raise ValidationFailed(_("Support is marked done once given: %(day)s is in the future.")
                               % {"day": done_on.isoformat()}, field_errors={"done_on": [_("Today or earlier.")]})
    if done_on < EARLIEST:
        raise ValidationFailed(_("%(day)s is too long ago.") % {"day": done_on.isoformat()},
                               field_errors={"done_on": [_("Check the year.")]})
    effect_note = str(effect_note or "").strip()
    check_lengths(SupportItem, effect_note=effect_note)
    before = _amount(sales_before, field="sales_before", label=_("sales before"), required=False)
    after = _amount(sales_after, field="sales_after", label=_("sales after"), required=False)
    with transaction.atomic():
        changed = SupportItem.objects.filter(pk=item.pk, done_on__isnull=True).update(
            done_on=done_on, done_by=by, effect_note=effect_note, sales_before=before, sales_after=after)
        if not changed:
            item.refresh_from_db()
            raise ValidationFailed(_("This support was already marked done on %(day)s.")
                                   % {"day": item.done_on.isoformat() if item.done_on else ""})
        lists_changed(SUPPORT_LIST)
    item.refresh_from_db()
    return item
