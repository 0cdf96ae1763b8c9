"""Greetings (REL-3): the days a salesperson greets a customer's people — birthdays of key
people, the family occasions 家庭纪念日 recorded for them (a spouse's or child's birthday, a
wedding anniversary, a child's wedding or university entrance…), the customer's founding
anniversary, and the Chinese holidays, whose lunar dates (春节, 端午, 中秋) are computed for
each year (lunardate), never typed in."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from lunardate import LunarDate

from kehu.customers.models import KeyPerson
from kehu.customers.selectors import customers_visible_to
from kehu.relations.models import FamilyOccasion, FamilyOccasionKind

# (key, lunar month, lunar day) and (key, month, day) of the holidays greeted.
LUNAR_HOLIDAYS = [("spring_festival", 1, 1), ("dragon_boat", 5, 5), ("mid_autumn", 8, 15)]
SOLAR_HOLIDAYS = [("new_year", 1, 1), ("national_day", 10, 1)]


def holiday_names() -> dict[str, str]:
    return {"spring_festival": _("Spring Festival 春节"), "dragon_boat": _("Dragon Boat Festival 端午"),
            "mid_autumn": _("Mid-Autumn Festival 中秋"), "new_year": _("New Year's Day 元旦"),
            "national_day": _("National Day 国庆")}


def holidays(year: int) -> list[tuple[str, date]]:
    """The holidays of a (solar) year with their solar dates, in date order."""
    days = [(key, LunarDate(year, month, day).to_solar_date()) for key, month, day in LUNAR_HOLIDAYS]
    days += [(key, date(year, month, day)) for key, month, day in SOLAR_HOLIDAYS]
    return sorted(days, key=lambda kd: kd[1])


def next_anniversary(origin: date, today: date) -> date:
    """The next day (today or later) of `origin`'s month and day; 29 February is kept on
    28 February in a common year."""
    for year in (today.year, today.year + 1):
        try:
            day = origin.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Occasion:
    """A day to greet: what, for whom (the salesperson who greets), when, where to act."""

    key: str  # unique per occasion and year: the reminder's dedupe key
    kind: str  # "birthday", "family", "founding", "holiday"
    on: date
    title: str
    url: str
    owner_id: int | None
    customer_id: int | None = None


def _each(rows, *, many: bool):
    """The rows in chunks when they are every customer's (the morning run); one salesperson's few
    hundred at once — on PostgreSQL a chunked read is a server-side cursor, three round trips more."""
    return rows.iterator(chunk_size=5000) if many else rows


def occasions(*, user=None, today: date, days_before: int) -> list[Occasion]:
    """The occasions from today to `days_before` days ahead: of the user's customers (every
    customer with an owner when `user` is None — the morning run) — birthdays and family
    occasions of their current key people, founding anniversaries — and the holidays (for the
    user, or for every owner of a customer)."""
    until = today + timedelta(days=days_before)
    found = []
    people = KeyPerson.objects.filter(is_current=True, birth_date__isnull=False, customer__owner__isnull=False)
    customers = customers_visible_to(user) if user is not None else None
    from kehu.customers.models import Customer

    customers = (customers if customers is not None else Customer.objects.all()).filter(owner__isnull=False)
    if user is not None:
        people = people.filter(customer__in=customers.filter(owner=user))
    for pk, name, birth, customer_id, customer_name, owner_id in _each(people.values_list(
            "pk", "name", "birth_date", "customer_id", "customer__name", "customer__owner_id"), many=user is None):
        day = next_anniversary(birth, today)
        if day <= until:
            found.append(Occasion(key=f"birthday:{pk}:{day.year}", kind="birthday", on=day, owner_id=owner_id,
                                  customer_id=customer_id,
                                  title=_("Birthday of %(name)s (%(customer)s) on %(day)s") % {
                                      "name": name, "customer": customer_name, "day": day.isoformat()},
                                  url=reverse("customers:detail", args=[customer_id]) + "?tab=people"))
    found += _family_occasions(customers.filter(owner=user) if user is not None else None, today=today, until=until)
    own = customers.filter(owner=user) if user is not None else customers
    for pk, name, founded, owner_id in _each(own.filter(founded_on__isnull=False).values_list(
            "pk", "name", "founded_on", "owner_id"), many=user is None):
        day = next_anniversary(founded, today)
        if day <= until and day.year > founded.year:
            found.append(Occasion(key=f"founding:{pk}:{day.year}", kind="founding", on=day, owner_id=owner_id,
                                  customer_id=pk,
                                  title=_("%(customer)s was founded %(years)s years ago on %(day)s") % {
                                      "customer": name, "years": day.year - founded.year, "day": day.isoformat()},
                                  url=reverse("customers:detail", args=[pk])))
    names = holiday_names()
    owners = [user.pk] if user is not None else sorted(set(customers.values_list("owner_id", flat=True)))
    for year in {today.year, until.year}:
        for key, day in holidays(year):
            if today <= day <= until:
                for owner_id in owners:
                    found.append(Occasion(key=f"holiday:{key}:{day.year}", kind="holiday", on=day, owner_id=owner_id,
                                          title=_("%(holiday)s on %(day)s: greet your customers") % {
                                              "holiday": names[key], "day": day.isoformat()},
                                          url=reverse("relations:due")))
    return sorted(found, key=lambda o: (o.on, o.key))


def family_title(*, person: str, customer: str, kind_label: str, whose: str, day: date) -> str:
    values = {"person": person, "customer": customer, "kind": kind_label, "whose": whose, "day": day.isoformat()}
    if whose:
        return _("%(kind)s of %(whose)s, family of %(person)s (%(customer)s), on %(day)s") % values
    return _("%(kind)s of %(person)s (%(customer)s) on %(day)s") % values


def _family_occasions(customers, *, today: date, until: date) -> list[Occasion]:
    """REL-3: the family occasions of current key people of `customers` (every customer with an
    owner when None) falling from today to `until`: a yearly one on its day of each year from
    its date on, a one-off one only on its date. The key names the occasion and the year, so it
    is reminded once a year."""
    rows = FamilyOccasion.objects.filter(key_person__is_current=True, key_person__customer__owner__isnull=False).filter(
        Q(yearly=True, on__lte=until) | Q(yearly=False, on__gte=today, on__lte=until))
    if customers is not None:
        rows = rows.filter(key_person__customer__in=customers)
    labels = dict(FamilyOccasionKind.choices)
    found = []
    for pk, kind, whose, origin, yearly, person, customer_id, customer_name, owner_id in _each(rows.values_list(
            "pk", "kind", "whose", "on", "yearly", "key_person__name", "key_person__customer_id",
            "key_person__customer__name", "key_person__customer__owner_id"), many=customers is None):
        day = next_anniversary(origin, today) if yearly else origin
        if not today <= day <= until or day < origin:
            continue
        found.append(Occasion(key=f"family:{pk}:{day.year}", kind="family", on=day, owner_id=owner_id,
                              customer_id=customer_id,
                              title=family_title(person=person, customer=customer_name, kind_label=str(labels[kind]),
                                                 whose=whose, day=day),
                              url=reverse("customers:detail", args=[customer_id]) + "?tab=people"))
    return found
