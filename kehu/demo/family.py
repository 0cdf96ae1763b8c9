"""The demo's family occasions 家庭纪念日 (REL-3): for the first few key people of each
salesperson's customers, a spouse's or child's birthday, a wedding anniversary, a parent's
birthday and now and then a child's university entrance this year — one of each salesperson's
falling within the coming days, so the greetings and the daily plan show one."""

import random
from datetime import date, timedelta

from django.utils import timezone

from kehu.accounts.models import User
from kehu.core.roles import Role
from kehu.customers.models import KeyPerson
from kehu.relations.models import FamilyOccasion, FamilyOccasionKind

PEOPLE_PER_SELLER = 4
CHILDREN = ["小明", "小红", "小军", "小丽", "小强", "小雪"]
SPOUSES = ["李女士", "张女士", "陈先生", "刘女士", "赵先生"]
PARENTS = ["老太太", "老先生"]


def _day(rng: random.Random, year: int) -> date:
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def write_family_occasions(*, seed: int, today: date | None = None) -> int:
    rng = random.Random(f"{seed}-family")
    today = today or timezone.localdate()
    made = []
    sellers = User.objects.filter(role=Role.SALESPERSON, is_active=True).order_by("pk")
    for seller in sellers:
        people = list(KeyPerson.objects.filter(customer__owner=seller, is_current=True).order_by("pk")
                      .values_list("pk", "name")[:PEOPLE_PER_SELLER])
        for index, (pk, name) in enumerate(people):
            surname = name[:1]
            child = surname + rng.choice(CHILDREN)
            made.append(FamilyOccasion(key_person_id=pk, kind=FamilyOccasionKind.CHILD_BIRTHDAY, whose=child,
                                       on=_day(rng, today.year - rng.randint(3, 20)), created_by=seller))
            if index == 0:  # within the greeting days: the demo's reminder and plan item
                soon = today + timedelta(days=rng.randint(1, 5))
                made.append(FamilyOccasion(key_person_id=pk, kind=FamilyOccasionKind.SPOUSE_BIRTHDAY,
                                           whose=rng.choice(SPOUSES), created_by=seller,
                                           on=soon.replace(year=soon.year - 4 * rng.randint(9, 12))))
            elif rng.random() < 0.5:
                made.append(FamilyOccasion(key_person_id=pk, kind=FamilyOccasionKind.WEDDING_ANNIVERSARY,
                                           on=_day(rng, today.year - rng.randint(8, 30)), created_by=seller))
            else:
                made.append(FamilyOccasion(key_person_id=pk, kind=FamilyOccasionKind.PARENT_BIRTHDAY,
                                           whose=surname + rng.choice(PARENTS), created_by=seller,
                                           on=_day(rng, today.year - rng.randint(65, 85))))
            if index == 1:  # a one-off: the child starts university on the next 1 September
                entrance = date(today.year, 9, 1)
                made.append(FamilyOccasion(key_person_id=pk, kind=FamilyOccasionKind.CHILD_ENTRANCE, whose=child,
                                           on=entrance if entrance >= today else entrance.replace(year=today.year + 1),
                                           yearly=False, note="考上大学，送上祝贺", created_by=seller))
    FamilyOccasion.objects.bulk_create(made)
    return len(made)
