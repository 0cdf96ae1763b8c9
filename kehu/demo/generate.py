"""Realistic zh_CN demo data: an office tree, one user per demo login and `customers`
customer cards with key people, notes and events.

Faker is slow, so names, streets and companies are drawn from Faker once into pools and
then combined with one `random.Random(seed)`: the same seed gives the same data. Rows are
written in batches of 2,000 inside transactions (one executemany per table), and the derived columns of each
card (completeness, duplicate keys, search text) come from `customers.services.refresh_derived`,
exactly as the services compute them. No history rows are written for demo data.
"""

import math
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.accounts.models import Office, User
from kehu.core.db import refresh_planner_statistics
from kehu.core.models import Sequence
from kehu.core.pagination import lists_changed
from kehu.core.roles import Role
from kehu.core.text import company_key, phone_key
from kehu.customers import rules
from kehu.customers.models import (
    Category,
    Customer,
    CustomerEvent,
    CustomerNote,
    Grade,
    KeyPerson,
    Nature,
    PaymentMethod,
    Premises,
    Reassignment,
    Status,
    Transport,
)
from kehu.customers.selectors import CUSTOMER_LIST
from kehu.customers.services import CODE_SEQUENCE, format_code, refresh_derived
from kehu.demo import vocab

DEMO_PASSWORD = "kehu2026"
DEFAULT_CUSTOMERS = 2000
CUSTOMERS_PER_SALESPERSON = 200
SALESPEOPLE_PER_OFFICE = 20
BATCH_SIZE = 2000
# Usernames of the fixed demo logins; numbered ones are manager1…, director1…, sales1….
FIXED_LOGINS = ["gm", "vp", "admin", "service", "finance"]

NATURE_WEIGHTS = {Nature.INDIVIDUAL: 30, Nature.COLLECTIVE: 5, Nature.PARTNERSHIP: 10, Nature.STATE_OWNED: 5,
                  Nature.JOINT_STOCK: 35, Nature.OTHER: 15}
CATEGORY_WEIGHTS = {Category.AGENT: 5, Category.WHOLESALER_1: 15, Category.WHOLESALER_2: 25,
                    Category.KEY_RETAILER: 20, Category.END_CUSTOMER: 30, Category.OTHER: 5}
GRADE_WEIGHTS = {Grade.A: 10, Grade.B: 30, Grade.C: 60}
STATUS_WEIGHTS = {Status.ACTIVE: 70, Status.PROSPECT: 15, Status.DORMANT: 10, Status.LOST: 5}
PAYMENT_WEIGHTS = {PaymentMethod.TRANSFER: 40, PaymentMethod.CASH: 15, PaymentMethod.ACCEPTANCE: 15,
                   PaymentMethod.CREDIT: 20, PaymentMethod.CHEQUE: 5, PaymentMethod.OTHER: 5}
# Yearly turnover range (yuan) and staff by grade.
TURNOVER = {Grade.A: (20_000_000, 200_000_000), Grade.B: (5_000_000, 20_000_000), Grade.C: (500_000, 5_000_000)}
EMPLOYEES = {Grade.A: (50, 400), Grade.B: (15, 80), Grade.C: (2, 20)}
# Fields a card may leave blank (CUS-4); the rest are always filled.
OPTIONAL_CARD_FIELDS = [f for f in rules.COMPLETENESS_FIELDS if f not in {"name", "category", "grade", "developed_by"}]
# Characters of the unified social credit code (GB 32100) and the weights of its check character.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


class DemoDataExists(Exception):
    """The database already holds data the demo would collide with."""


@dataclass(frozen=True)
class Plan:
    salespeople: int
    offices: int


def plan_for(customers: int) -> Plan:
    """About one salesperson per 200 customers and twenty per office; at least two of each
    so that the scopes (own customers, office subtree) show something."""
    salespeople = max(2, round(customers / CUSTOMERS_PER_SALESPERSON))
    cities = sum(len(cities) for _name, _code, cities in vocab.REGIONS)
    offices = min(cities, max(2, round(salespeople / SALESPEOPLE_PER_OFFICE)))
    return Plan(salespeople=salespeople, offices=offices)


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _short_district(name: str) -> str:
    for suffix in ("新区", "街道", "区", "县", "镇", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


# --- pools drawn from Faker once ------------------------------------------------------------

@dataclass
class Pools:
    people: list[tuple[str, str, str]]  # (family name, given name, gender)
    streets: list[str]
    trade_names: list[str]


def build_pools(seed: int, *, size: int = 6000) -> Pools:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    male = fake.provider("faker.providers.person").first_names_male
    female = fake.provider("faker.providers.person").first_names_female
    people = []
    for _i in range(size):
        gender = rng.choice("mf")
        given_pool = male if gender == "m" else female
        given = rng.choice(given_pool)
        if len(given) == 1 and rng.random() < 0.55:  # most Chinese given names have two characters
            given += rng.choice(given_pool)[:1]
        people.append((fake.last_name(), given, gender))
    streets = sorted({fake.street_name() for _i in range(400)})
    chars = vocab.TRADE_NAME_CHARS
    trade_names = {a + b for a in chars for b in chars if a != b}
    trade_names |= {
        p for p in fake.provider("faker.providers.company").company_prefixes
        if 2 <= len(p) <= 4 and not any(word in p for word in vocab.NOT_A_TRADE_NAME)
    }
    return Pools(people=people, streets=streets, trade_names=sorted(trade_names))


# --- offices and users -------------------------------------------------------------------------

@dataclass
class Org:
    offices: list[Office]
    users: list[User]
    salespeople: list[User]
    city_of_office: dict[int, vocab.City]  # office id (and its teams) → city
    director_of_office: dict[int, User]  # team/office id → director
    office_of_team: dict[int, Office]


def _office_cities(count: int) -> list[tuple[int, vocab.City]]:
    """Open offices round-robin over the regions: office 1 in 华东 (上海), 2 in 华南 (广州)…"""
    queues = [list(cities) for _name, _code, cities in vocab.REGIONS]
    picked = []
    while len(picked) < count:
        for region_index, queue in enumerate(queues):
            if queue and len(picked) < count:
                picked.append((region_index, queue.pop(0)))
    return picked


def _create_org(*, plan: Plan, rng: random.Random, pools: Pools) -> Org:
    password = make_password(DEMO_PASSWORD)
    people = iter(rng.sample(pools.people, len(pools.people)))

    def user(username, role, office, **extra):
        family, given, _gender = next(people)
        return User(username=username, password=password, role=role, office=office, last_name=family,
                    first_name=given, email=f"{username}@demo.kehu.example", phone=_mobile(rng), **extra)

    hq = Office(name="总部", code="HQ", kind=Office.Kind.HEADQUARTERS)
    hq.save()
    offices = [hq]
    placed = _office_cities(plan.offices)
    regions: dict[int, Office] = {}
    for region_index in sorted({r for r, _city in placed}):
        name, code, _cities = vocab.REGIONS[region_index]
        region = Office(name=name, code=code, kind=Office.Kind.REGION, parent=hq)
        region.save()
        regions[region_index] = region
        offices.append(region)
    users = [
        user("gm", Role.GENERAL_MANAGER, hq),
        user("vp", Role.MARKETING_VP, hq),
        user("admin", Role.ADMIN, hq, is_staff=True, is_superuser=True),
        user("service", Role.SERVICE, hq),
        user("finance", Role.FINANCE, hq),
    ]
    users += [user(f"manager{i}", Role.SALES_MANAGER, region) for i, region in enumerate(regions.values(), 1)]
    city_of_office: dict[int, vocab.City] = {}
    office_of_team: dict[int, Office] = {}
    office_teams: list[tuple[Office, list[Office]]] = []
    for region_index, city in placed:
        office = Office(name=f"{city.name}办事处", code=city.code, kind=Office.Kind.OFFICE, parent=regions[region_index])
        office.save()
        teams = []
        for number, team_name in enumerate(vocab.TEAM_NAMES, 1):
            team = Office(name=f"{city.name}{team_name}", code=f"{city.code}-{number}", kind=Office.Kind.TEAM,
                          parent=office)
            team.save()
            teams.append(team)
            city_of_office[team.pk] = city
            office_of_team[team.pk] = office
        city_of_office[office.pk] = city
        office_of_team[office.pk] = office
        offices += [office, *teams]
        office_teams.append((office, teams))
    directors = [user(f"director{i}", Role.DIRECTOR, office) for i, (office, _t) in enumerate(office_teams, 1)]
    salespeople = []
    for k in range(plan.salespeople):
        office_index = k * plan.offices // plan.salespeople  # contiguous: sales1 is in director1's office
        first_of_office = math.ceil(office_index * plan.salespeople / plan.offices)
        _office, teams = office_teams[office_index]
        salespeople.append(user(f"sales{k + 1}", Role.SALESPERSON, teams[(k - first_of_office) % len(teams)]))
    users += directors + salespeople
    User.objects.bulk_create(users, batch_size=500)
    director_of_office = {}
    for director in directors:
        director_of_office[director.office_id] = director
    for team_id, office in office_of_team.items():
        director_of_office[team_id] = director_of_office[office.pk]
    return Org(offices=offices, users=users, salespeople=salespeople, city_of_office=city_of_office,
               director_of_office=director_of_office, office_of_team=office_of_team)


# --- one customer card ---------------------------------------------------------------------------

def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _uscc(rng: random.Random, city: vocab.City, nature: str) -> str:
    """A unified social credit code with a valid check character."""
    kind = "92" if nature == Nature.INDIVIDUAL else "91"
    body = kind + city.admin_code[:4] + f"{rng.randrange(100):02d}" + "".join(rng.choices(USCC_CHARS, k=9))
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]


def _money(rng: random.Random, low: int, high: int, step: int = 10_000) -> Decimal:
    return Decimal(f"{rng.randrange(low // step, high // step + 1) * step}.00")


def _area(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(f"{rng.randint(low, high)}.{rng.randrange(10)}")


def _product_lines(rng: random.Random) -> str:
    count = rng.choice([1, 2, 2, 3, 3, 4])
    lines = rng.sample(vocab.PRODUCT_LINES, count)
    units = rng.choice([20, 20, 20, 18, 16])  # shares in steps of 5%, adding up to 80–100%
    cuts = sorted(rng.sample(range(1, units), count - 1))
    shares = sorted((b - a) * 5 for a, b in zip([0, *cuts], [*cuts, units], strict=True))[::-1]
    return "; ".join(f"{line} {share}%" for line, share in zip(lines, shares, strict=True))


def _transport(rng: random.Random) -> list[str]:
    modes = [mode for mode, p in ((Transport.ROAD, 0.85), (Transport.SELF_PICKUP, 0.3), (Transport.RAIL, 0.08),
                                  (Transport.WATER, 0.04), (Transport.OTHER, 0.02)) if rng.random() < p]
    return [str(m) for m in modes] or [str(Transport.ROAD)]


def _sentence(rng: random.Random, field: str, **context) -> str:
    return rng.choice(vocab.SECTIONS[field]).format(n=rng.randint(3, 60), pct=rng.randint(70, 130), **context)


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _moment(rng: random.Random, day: date, tz) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 19), rng.randrange(60), rng.randrange(60)), tzinfo=tz)


class CardMaker:
    """Builds unsaved Customer and KeyPerson instances; remembers names and phones in use so
    that no two demo cards look like duplicates (CUS-8)."""

    def __init__(self, *, rng: random.Random, pools: Pools):
        self.rng = rng
        self.pools = pools
        self.used_names: set[str] = set()
        self.used_phones: set[str] = set()
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.blank = {
            name: (None if Customer._meta.get_field(name).null else [] if name == "transport_modes" else "")
            for name in OPTIONAL_CARD_FIELDS
        }

    def _name(self, city: vocab.City, district: str, nature: str, category: str) -> str:
        rng = self.rng
        suffixes = vocab.SUFFIXES[nature]
        retail = category in (Category.KEY_RETAILER, Category.END_CUSTOMER)
        for attempt in range(60):
            place = city.name
            if attempt > 30 or rng.random() < 0.3:
                place += _short_district(district)
            suffix = "" if retail and nature not in (Nature.JOINT_STOCK, Nature.STATE_OWNED) else rng.choice(suffixes)
            name = f"{place}{rng.choice(self.pools.trade_names)}{rng.choice(vocab.TRADES[category])}{suffix}"
            key = company_key(name)
            if key not in self.used_names:
                self.used_names.add(key)
                return name
        raise RuntimeError("demo data: ran out of distinct customer names")  # pragma: no cover

    def _landline(self, city: vocab.City) -> str:
        while True:
            number = f"{city.area_code}-{self.rng.randint(2, 8)}{self.rng.randrange(10**7):07d}"
            key = phone_key(number)
            if key not in self.used_phones:
                self.used_phones.add(key)
                return number

    def _address(self, city: vocab.City, district: str | None = None) -> str:
        rng = self.rng
        district = district or rng.choice(city.districts)
        return f"{city.name}市{district}{rng.choice(self.pools.streets)}{rng.randint(1, 999)}号"

    def customer(self, *, code: str, owner: User, city: vocab.City) -> tuple[Customer, list[KeyPerson]]:
        rng = self.rng
        nature = _weighted(rng, NATURE_WEIGHTS)
        category = _weighted(rng, CATEGORY_WEIGHTS)
        grade = _weighted(rng, GRADE_WEIGHTS)
        status = _weighted(rng, STATUS_WEIGHTS)
        district = rng.choice(city.districts)
        developed_on = self.today - timedelta(days=rng.randint(20, 8 * 365))
        founded_on = max(date(1985, 1, 1), developed_on - timedelta(days=rng.randint(200, 25 * 365)))
        filled_on = _random_day(rng, developed_on, min(self.today, developed_on + timedelta(days=30)))
        filled_at = _moment(rng, filled_on, self.tz)
        updated_at = filled_at if rng.random() < 0.4 else min(
            self.now, _moment(rng, _random_day(rng, filled_on, self.today), self.tz)
        )
        updated_at = max(updated_at, filled_at)
        uscc = _uscc(rng, city, nature)
        turnover = _money(rng, *TURNOVER[grade])
        registered = _money(rng, 30_000, 500_000) if nature == Nature.INDIVIDUAL else _money(rng, 500_000, 50_000_000)
        context = {"city": city.name, "district": district}
        customer = Customer(
            code=code, name=self._name(city, district, nature, category), address=self._address(city, district),
            phone=self._landline(city), postcode=f"{city.postcode}{rng.randrange(1000):03d}",
            fax=self._landline(city) if rng.random() < 0.5 else "",
            nature=nature, category=category, grade=grade, status=status,
            registration_no=uscc, tax_no=uscc,
            bank=f"{rng.choice(vocab.BANKS)}{city.name}{_short_district(district)}支行",
            bank_account=f"{rng.choice(['6222', '6227', '6217', '4367', '6228'])}{rng.randrange(10**15):015d}",
            registered_capital=registered,
            working_capital=(registered * Decimal(rng.randint(10, 60)) / 100).quantize(Decimal("0.01")),
            founded_on=founded_on, shop_area=_area(rng, 20, 3000), warehouse_area=_area(rng, 0, 5000),
            employee_count=rng.randint(*EMPLOYEES[grade]), premises=rng.choice([Premises.OWNED] * 2 + [Premises.RENTED] * 3),
            vehicles=rng.randint(0, {Grade.A: 30, Grade.B: 10, Grade.C: 3}[grade]), transport_modes=_transport(rng),
            payment_method=_weighted(rng, PAYMENT_WEIGHTS), annual_turnover=turnover,
            product_lines=_product_lines(rng), coverage_area=rng.choice(vocab.COVERAGE).format(**context),
            developed_on=developed_on, developed_by_id=owner.pk, filled_by_id=owner.pk, filled_at=filled_at,
            owner=owner, office_id=owner.office_id, version=1, created_at=filled_at, updated_at=updated_at,
            **{field: _sentence(rng, field, **context) for field in vocab.SECTIONS},
        )
        # Some cards are filled in only in part: prospects most of all (CUS-4 completeness varies).
        roll = rng.random()
        missing = 0
        if status == Status.PROSPECT or roll < 0.12:
            missing = rng.randint(8, 22)
        elif roll < 0.40:
            missing = rng.randint(1, 7)
        for field in rng.sample(OPTIONAL_CARD_FIELDS, missing):
            setattr(customer, field, self.blank[field])
        for field in ("size_description", "management_quality", "competitor_relations", "current_activity",
                      "future_measures", "image", "reputation", "problems", "strengths", "credit_problems"):
            if missing and rng.random() < 0.5:
                setattr(customer, field, "")
        return customer, self.people(customer, city=city, sparse=missing > 7)

    def people(self, customer: Customer, *, city: vocab.City, sparse: bool) -> list[KeyPerson]:
        rng = self.rng
        roles = []
        if not sparse or rng.random() < 0.7:
            roles.append(KeyPerson.Role.PERSON_IN_CHARGE)
        if rng.random() < (0.6 if sparse else 0.95):
            roles.append(KeyPerson.Role.BUYER)
        if rng.random() < 0.7:
            roles.append(KeyPerson.Role.SELLER)
        if rng.random() < 0.35:
            roles.append(KeyPerson.Role.INFLUENCER)
        for role in (KeyPerson.Role.SELLER, KeyPerson.Role.INFLUENCER):
            if len(roles) < 2 and role not in roles:
                roles.append(role)
        # In KeyPerson's default order (by role), the order the services read them in.
        return [self.person(customer, role=role, city=city) for role in sorted(roles)]

    def person(self, customer: Customer, *, role: str, city: vocab.City, is_current: bool = True) -> KeyPerson:
        rng = self.rng
        family, given, gender = rng.choice(self.pools.people)
        age = rng.randint(24, 62)
        birth = date(self.today.year - age, 1, 1) + timedelta(days=rng.randrange(365))
        return KeyPerson(
            customer=customer, role=role, name=family + given, gender=gender, birth_date=birth,
            ethnicity=rng.choice(vocab.ETHNICITIES), title=rng.choice(vocab.TITLES[role]),
            married=None if rng.random() < 0.15 else (age > 27 and rng.random() < 0.85), phone=_mobile(rng),
            home_address=self._address(city) if rng.random() < 0.6 else "",
            character_notes=rng.choice(vocab.CHARACTER_NOTES), is_current=is_current, version=1,
            created_at=customer.filled_at, updated_at=customer.filled_at,
        )


# --- writing rows --------------------------------------------------------------------------------

# Values the database drivers take as they are; everything else goes through the field.
PLAIN_TYPES = (str, int, bool, type(None))


def insert_rows(model, objs) -> None:
    """INSERT `objs` with one executemany. Like bulk_create, without save() or signals, but
    it stores the timestamps we set (cards filled in over the years, not "now") and skips
    the per-value SQL assembly that makes bulk_create the slowest part at 100,000 cards.
    Values are prepared by the model fields, so every backend gets what the ORM would send."""
    if not objs:
        return
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    rows = []
    prepared = {}  # the same timestamps, dates and amounts recur: prepare each once
    for obj in objs:
        row = []
        for field in fields:
            value = getattr(obj, field.attname)
            if not isinstance(value, PLAIN_TYPES):
                if isinstance(value, list):
                    value = field.get_db_prep_save(value, connection)
                else:
                    key = (field.attname, value)
                    if key not in prepared:
                        prepared[key] = field.get_db_prep_save(value, connection)
                    value = prepared[key]
            row.append(value)
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# --- the whole run --------------------------------------------------------------------------------

def check_empty() -> None:
    """Refuse to mix demo data with existing data."""
    if Customer.objects.exists():
        raise DemoDataExists(_("The database already has customers. Use --reset to replace them with demo data."))
    demo_logins = FIXED_LOGINS + ["manager1", "director1", "sales1"]
    if Office.objects.exists() or User.objects.filter(username__in=demo_logins).exists():
        raise DemoDataExists(_("The database already has offices or demo users. Use --reset to start over."))


def generate(*, customers: int, seed: int = 2026, stdout=None) -> dict:
    """Create the office tree, the demo users and `customers` customer cards. Returns the
    counts and the seconds each step took."""
    if customers < 0:
        raise ValueError("customers must be zero or more")
    check_empty()
    started = perf_counter()
    timings: dict[str, float] = {}
    rng = random.Random(seed)
    plan = plan_for(customers)
    with translation.override(settings.LANGUAGE_CODE):
        pools = build_pools(seed)
        timings["pools"] = perf_counter() - started

        mark = perf_counter()
        with transaction.atomic():
            org = _create_org(plan=plan, rng=rng, pools=pools)
        timings["offices_and_users"] = perf_counter() - mark
        _say(stdout, _("%(offices)d offices, %(users)d users (%(sales)d salespeople)")
             % {"offices": len(org.offices), "users": len(org.users), "sales": len(org.salespeople)})

        mark = perf_counter()
        counts = {"customers": 0, "key_people": 0, "notes": 0, "events": 0, "reassignments": 0}
        codes = Sequence.take(CODE_SEQUENCE, customers) if customers else range(0)
        maker = CardMaker(rng=rng, pools=pools)
        for start in range(0, customers, BATCH_SIZE):
            batch = codes[start:start + BATCH_SIZE]
            with transaction.atomic():
                written = _write_batch(numbers=batch, org=org, maker=maker, rng=rng)
            for key, value in written.items():
                counts[key] += value
            _say(stdout, _("%(done)d / %(total)d customers") % {"done": counts["customers"], "total": customers})
        timings["customers"] = perf_counter() - mark

    lists_changed(CUSTOMER_LIST)
    mark = perf_counter()
    refresh_planner_statistics(no_skip_scan=Customer.NO_SKIP_SCAN)
    timings["analyze"] = perf_counter() - mark
    timings["total"] = perf_counter() - started
    return {
        "offices": len(org.offices),
        "users": len(org.users),
        "salespeople": len(org.salespeople),
        **counts,
        "password": DEMO_PASSWORD,
        "seconds": {k: round(v, 2) for k, v in timings.items()},
    }


def _write_batch(*, numbers, org: Org, maker: CardMaker, rng: random.Random) -> dict:
    cards: list[tuple[Customer, list[KeyPerson], vocab.City]] = []
    for number in numbers:
        owner = rng.choice(org.salespeople)
        city = org.city_of_office[owner.office_id]
        customer, people = maker.customer(code=format_code(number), owner=owner, city=city)
        refresh_derived(customer, people=people)
        cards.append((customer, people, city))
    insert_rows(Customer, [c for c, _p, _city in cards])
    # Codes are consecutive: one range query gives every new card its id.
    ids = dict(Customer.objects.filter(code__gte=cards[0][0].code, code__lte=cards[-1][0].code)
               .values_list("code", "id"))
    for customer, _people, _city in cards:
        customer.pk = ids[customer.code]

    people, notes, events, reassignments = [], [], [], []
    buyer_label = str(KeyPerson.Role.BUYER.label)
    by_office: dict[int, list[User]] = {}
    for person in org.salespeople:
        by_office.setdefault(org.office_of_team[person.office_id].pk, []).append(person)
    for customer, current, city in cards:
        people += current
        district = rng.choice(city.districts)
        # A buyer who left: the card keeps the record and a reminder was raised (CUS-2).
        if rng.random() < 0.05 and any(p.role == KeyPerson.Role.BUYER for p in current):
            former = maker.person(customer, role=KeyPerson.Role.BUYER, city=city, is_current=False)
            former.left_on = _random_day(rng, customer.filled_at.date(), maker.today)
            people.append(former)
            new_buyer = next(p for p in current if p.role == KeyPerson.Role.BUYER)
            events.append(CustomerEvent(
                customer=customer, kind=CustomerEvent.Kind.KEY_PERSON_CHANGED, by=customer.owner,
                message=_("New %(role)s: %(name)s") % {"role": buyer_label, "name": new_buyer.name},
                at=_moment(rng, former.left_on, maker.tz),
            ))
        if rng.random() < 0.3:
            notes.append(CustomerNote(customer=customer, author=customer.owner, text=rng.choice(vocab.PUBLIC_NOTES),
                                      is_private=False, created_at=customer.updated_at))
        if rng.random() < 0.1:
            notes.append(CustomerNote(customer=customer, author=customer.owner, is_private=True,
                                      text=rng.choice(vocab.PRIVATE_NOTES).format(district=district),
                                      created_at=customer.updated_at))
        # A few cards were handed over from a colleague who moved on (CUS-5).
        colleagues = [p for p in by_office[org.office_of_team[customer.office_id].pk] if p.pk != customer.owner_id]
        if colleagues and rng.random() < 0.02:
            reassignments.append(Reassignment(
                batch=uuid.UUID(int=rng.getrandbits(128), version=4), customer=customer,
                from_owner=rng.choice(colleagues), to_owner=customer.owner,
                by=org.director_of_office[customer.office_id],
                reason=rng.choice(["原业务员调岗，客户移交", "原业务员离职，客户移交", "区域调整"]),
                at=customer.filled_at,
            ))
    for row in (*people, *notes, *events, *reassignments):
        row.customer_id = row.customer.pk
    for model, rows in ((KeyPerson, people), (CustomerNote, notes), (CustomerEvent, events),
                        (Reassignment, reassignments)):
        insert_rows(model, rows)
    return {"customers": len(cards), "key_people": len(people), "notes": len(notes), "events": len(events),
            "reassignments": len(reassignments)}


# --- reset -----------------------------------------------------------------------------------------

EXTRA_TABLES_TO_CLEAR = {"admin.LogEntry", "authtoken.Token", "authtoken.TokenProxy", "sessions.Session"}


def _models_to_clear() -> list:
    """Every model of Kehu's apps (with their history and many-to-many tables) and the tables
    that point at users, ordered so that a table is emptied before the tables it points at."""
    candidates = [
        m for m in apps.get_models(include_auto_created=True)
        if (m._meta.app_config.name.startswith("kehu.") or m._meta.label in EXTRA_TABLES_TO_CLEAR)
        and m._meta.managed and not m._meta.proxy
    ]
    remaining = set(candidates)
    targets = {
        m: {f.related_model for f in m._meta.concrete_fields if f.is_relation and f.related_model in remaining
            and f.related_model is not m}
        for m in candidates
    }
    ordered = []
    while remaining:
        # Models no remaining model points at can go now.
        pointed_at = set().union(*(targets[m] for m in remaining))
        free = sorted((m for m in remaining if m not in pointed_at), key=lambda m: m._meta.label)
        if not free:  # a cycle: fall back to a stable order, the database checks the rest
            free = sorted(remaining, key=lambda m: m._meta.label)
        ordered += free
        remaining -= set(free)
    return ordered


def reset(*, stdout=None) -> dict[str, int]:
    """Delete all customers, their key people, notes, events, reassignments and history, the
    records of every other Kehu app, all users and offices, and the counters. Raw DELETEs:
    going through the ORM would write a history row for every deleted card."""
    deleted = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in _models_to_clear():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
            if cursor.rowcount:
                deleted[model._meta.label] = cursor.rowcount
    _say(stdout, _("Deleted %(rows)d rows of earlier data.") % {"rows": sum(deleted.values())})
    return deleted
