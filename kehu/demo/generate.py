"""Realistic zh_CN demo data: an office tree, one user per demo login, `customers` customer
cards with key people, notes and events, and their trade: products, a year of orders with
returns and credit notes, credit limits, credit cards and requests waiting for approval; and
the receivables of those orders (invoices, receipts, promises, plans: kehu/demo/ledger.py).

Faker is slow, so names, streets and companies are drawn from Faker once into pools and
then combined with one `random.Random(seed)`: the same seed gives the same data. Rows are
written in batches of 2,000 inside transactions (one executemany per table), and the derived columns of each
card (completeness, duplicate keys, search text) come from `customers.services.refresh_derived`,
exactly as the services compute them. Order lines are priced with `OrderLine.amount_of` and
orders are confirmed only within the customer's limit, as the services do (CRD-3). No history
rows are written for demo data.
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
from kehu.core.models import CompanyProfile, Sequence
from kehu.core.money import ZERO
from kehu.core.pagination import lists_changed
from kehu.core.roles import Role
from kehu.core.text import company_key, phone_key
from kehu.credit.models import CreditAccount, CreditApproval, CreditCard, CreditPolicy, CreditRequest
from kehu.credit.rules import brand_shares
from kehu.credit.services import levels_for
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
from kehu.demo.aftersale import write_after_sale
from kehu.demo.complaint_history import write_complaint_history
from kehu.demo.dealers import write_dealer_data
from kehu.demo.family import write_family_occasions
from kehu.demo.ledger import LedgerWriter
from kehu.demo.market import write_market_reports
from kehu.demo.referrals import write_referrals
from kehu.demo.rows import ActiveCustomer, Org, PlannedLine, PlannedOrder, PlannedReturn, insert_rows, row
from kehu.demo.touches import write_touches
from kehu.demo.winback import write_win_back
from kehu.receivables.models import CollectionPolicy
from kehu.receivables.selectors import INVOICE_LIST, PAYMENT_LIST
from kehu.relations.selectors import MARKET_LIST
from kehu.relations.services import DEALER_CHECK_LIST, SUPPORT_LIST, TOUCH_LIST
from kehu.sales.models import CENT, CreditNote, Order, OrderLine, Product, Return, ReturnLine
from kehu.sales.selectors import ORDER_LIST
from kehu.service import satisfaction
from kehu.service import selectors as complaint_selectors
from kehu.service import services as complaints
from kehu.service.models import STEPS, AuthorityLimit, Complaint, Step
from kehu.service.selectors import COMPLAINT_LIST

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
# AR-1: the customer's own payment terms (days), None = the company's (CollectionPolicy).
TERMS_WEIGHTS = {None: 65, 30: 15, 45: 12, 60: 8}
# One profile per card: the grade gives the yearly turnover (yuan), the nature caps it and the
# staff; the staff follow from the turnover (sales per head), the scale note from the staff.
TURNOVER = {Grade.A: (20_000_000, 200_000_000), Grade.B: (5_000_000, 20_000_000), Grade.C: (500_000, 5_000_000)}
NATURE_LIMITS = {Nature.INDIVIDUAL: (10_000_000, 20), Nature.PARTNERSHIP: (50_000_000, 120)}  # turnover, staff
MOST_STAFF = 400
SALES_PER_HEAD = (250_000, 600_000)
SMALL_STAFF, LARGE_STAFF = 15, 100  # the scale note: up to 15 small, from 100 large
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
        receipt_code = vocab.RECEIPT_CODES[city.code]
        office = Office(name=f"{city.name}办事处", code=city.code, receipt_code=receipt_code,
                        kind=Office.Kind.OFFICE, parent=regions[region_index])
        office.save()
        teams = []
        for number, team_name in enumerate(vocab.TEAM_NAMES, 1):
            team = Office(name=f"{city.name}{team_name}", code=f"{city.code}-{number}",
                          receipt_code=f"{receipt_code}{number}", kind=Office.Kind.TEAM, parent=office)
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

    def __init__(self, *, rng: random.Random, pools: Pools, terms_rng: random.Random | None = None,
                 default_terms: int = 30):
        self.rng, self.default_terms = rng, default_terms
        # Payment terms come from a stream of their own: the rest of a seed's cards stays as it was.
        self.terms_rng = terms_rng or random.Random(0)
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

    def size(self, *, grade: str, nature: str) -> tuple[Decimal, int, str]:
        """The yearly turnover, the staff and the scale note of one consistent profile (as
        many draws as before, so that the rest of a seed's data stays as it was)."""
        rng = self.rng
        low, high = TURNOVER[grade]
        most_turnover, most_staff = NATURE_LIMITS.get(nature, (high, MOST_STAFF))
        turnover = _money(rng, min(low, most_turnover // 2), min(high, most_turnover))
        staff = max(2, min(most_staff, round(turnover / rng.randint(*SALES_PER_HEAD))))
        scale = "small" if staff <= SMALL_STAFF else "large" if staff >= LARGE_STAFF else "medium"
        notes = vocab.SCALE_NOTES[scale]  # picked without a draw: a seed's other values stay as they were
        return turnover, staff, notes[staff % len(notes)].format(n=staff)

    def terms(self, customer: Customer) -> None:
        """The payment terms and the words about credit agree (AR-1): a customer who buys on
        terms (its own or the company's) never reads 现款现货，无赊欠; only a card not trading yet
        that pays cash does."""
        customer.payment_days = _weighted(self.terms_rng, TERMS_WEIGHTS)
        cash = (customer.status != Status.ACTIVE and customer.payment_method == PaymentMethod.CASH
                and customer.payment_days is None)
        days = customer.payment_days or self.default_terms
        if customer.trade_terms:
            customer.trade_terms = "现款现货。" if cash else (
                f"银行承兑汇票，月结{days}天。" if customer.payment_method == PaymentMethod.ACCEPTANCE
                else f"月结{days}天。")
        if cash:
            customer.credit_status = customer.credit_status and "现款现货，无赊欠。"
        elif customer.credit_status and customer.credit_status not in vocab.CREDIT_STATUS_ON_TERMS:
            customer.credit_status = vocab.CREDIT_STATUS_ON_TERMS[0]

    def customer(self, *, code: str, owner: User, city: vocab.City) -> tuple[Customer, list[KeyPerson]]:
        rng = self.rng
        nature = _weighted(rng, NATURE_WEIGHTS)
        category = _weighted(rng, CATEGORY_WEIGHTS)
        grade = _weighted(rng, GRADE_WEIGHTS)
        if nature == Nature.INDIVIDUAL and grade == Grade.A:  # an individual business 个体 is not a grade-A size
            grade = Grade.B
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
        turnover, staff, scale_note = self.size(grade=grade, nature=nature)
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
            employee_count=staff, premises=rng.choice([Premises.OWNED] * 2 + [Premises.RENTED] * 3),
            vehicles=rng.randint(0, {Grade.A: 30, Grade.B: 10, Grade.C: 3}[grade]), transport_modes=_transport(rng),
            payment_method=_weighted(rng, PAYMENT_WEIGHTS), annual_turnover=turnover,
            product_lines=_product_lines(rng), coverage_area=rng.choice(vocab.COVERAGE).format(**context),
            developed_on=developed_on, developed_by_id=owner.pk, filled_by_id=owner.pk, filled_at=filled_at,
            owner=owner, office_id=owner.office_id, version=1, created_at=filled_at, updated_at=updated_at,
            **{field: _sentence(rng, field, **context) for field in vocab.SECTIONS},
        )
        customer.size_description = scale_note
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
        # AR-1: some customers have payment terms of their own; the others the company's.
        self.terms(customer)
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

# --- the whole run --------------------------------------------------------------------------------

def check_empty() -> None:
    """Refuse to mix demo data with existing data."""
    if Customer.objects.exists():
        raise DemoDataExists(_("The database already has customers. Use --reset to replace them with demo data."))
    demo_logins = FIXED_LOGINS + ["manager1", "director1", "sales1"]
    if Office.objects.exists() or User.objects.filter(username__in=demo_logins).exists():
        raise DemoDataExists(_("The database already has offices or demo users. Use --reset to start over."))


def _name_the_company() -> None:
    """The demo company heads the printed forms, unless a company profile was already set."""
    profile = CompanyProfile.current()
    if not profile.name:
        for field, value in vocab.COMPANY.items():
            setattr(profile, field, value)
        profile.save()


def generate(*, customers: int, seed: int = 2026, stdout=None) -> dict:
    """Create the office tree, the demo users, `customers` customer cards and their trade
    (products, orders, returns, credit). Returns the counts and the seconds each step took."""
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
            _name_the_company()
            org = _create_org(plan=plan, rng=rng, pools=pools)
        timings["offices_and_users"] = perf_counter() - mark
        _say(stdout, _("%(offices)d offices, %(users)d users (%(sales)d salespeople)")
             % {"offices": len(org.offices), "users": len(org.users), "sales": len(org.salespeople)})

        mark = perf_counter()
        counts = {"customers": 0, "key_people": 0, "notes": 0, "events": 0, "reassignments": 0}
        codes = Sequence.take(CODE_SEQUENCE, customers) if customers else range(0)
        maker = CardMaker(rng=rng, pools=pools, terms_rng=random.Random(f"{seed}-terms"),
                          default_terms=CollectionPolicy.current().payment_days)
        for start in range(0, customers, BATCH_SIZE):
            batch = codes[start:start + BATCH_SIZE]
            with transaction.atomic():
                written = _write_batch(numbers=batch, org=org, maker=maker, rng=rng)
            for key, value in written.items():
                counts[key] += value
            _say(stdout, _("%(done)d / %(total)d customers") % {"done": counts["customers"], "total": customers})
        timings["customers"] = perf_counter() - mark

        mark = perf_counter()
        trade, planned = _write_trade(org=org, seed=seed, stdout=stdout)
        timings["trade"] = perf_counter() - mark

        mark = perf_counter()
        receivables = _write_receivables(org=org, planned=planned, seed=seed, stdout=stdout)
        timings["receivables"] = perf_counter() - mark

        mark = perf_counter()
        complaints = _write_complaints(seed=seed, stdout=stdout)
        in_hand = set(Complaint.objects.values_list("customer_id", flat=True))
        complaints |= write_complaint_history(seed=seed, words=COMPLAINT_WORDS, skip=in_hand)
        _say(stdout, _("%(complaints)d past complaints") % {"complaints": complaints["complaints_past"]})
        timings["complaints"] = perf_counter() - mark

        mark = perf_counter()
        after_sale = write_after_sale(seed=seed)  # SVC-2, SVC-3
        timings["after_sale"] = perf_counter() - mark

        mark = perf_counter()
        with transaction.atomic():
            touches = write_touches(seed=seed)
        _say(stdout, _("%(touches)d touches") % {"touches": touches})
        timings["touches"] = perf_counter() - mark

        mark = perf_counter()
        with transaction.atomic():
            market_reports = write_market_reports(seed=seed)
        _say(stdout, _("%(reports)d market reports") % {"reports": market_reports})
        timings["market_reports"] = perf_counter() - mark

        mark = perf_counter()
        with transaction.atomic():
            dealers = write_dealer_data(seed=seed)  # REL-6, REL-7
        _say(stdout, _("%(checks)d dealer checks, %(plans)d support plans") % {
            "checks": dealers["dealer_checks"], "plans": dealers["support_plans"]})
        timings["dealers"] = perf_counter() - mark

        mark = perf_counter()
        with transaction.atomic():
            family_occasions = write_family_occasions(seed=seed)  # REL-3
        _say(stdout, _("%(occasions)d family occasions") % {"occasions": family_occasions})
        timings["family_occasions"] = perf_counter() - mark

        mark = perf_counter()
        referrals = write_referrals(seed=seed)  # REF-1 … REF-3, and the first nightly pool move (CUS-7)
        _say(stdout, _("%(referrals)d referrals, %(pool)d customers in the pool") % referrals)
        timings["referrals_and_pool"] = perf_counter() - mark

        mark = perf_counter()
        win_back = write_win_back(seed=seed)  # WIN-1, WIN-2
        _say(stdout, _("%(at_risk)d customers at risk, %(lost)d lost") % win_back)
        timings["win_back"] = perf_counter() - mark

    for name in (CUSTOMER_LIST, ORDER_LIST, INVOICE_LIST, PAYMENT_LIST, COMPLAINT_LIST, TOUCH_LIST, MARKET_LIST,
                 DEALER_CHECK_LIST, SUPPORT_LIST):
        lists_changed(name)
    mark = perf_counter()
    refresh_planner_statistics(no_skip_scan=Customer.NO_SKIP_SCAN)
    timings["analyze"] = perf_counter() - mark
    timings["total"] = perf_counter() - started
    return {
        "offices": len(org.offices),
        "users": len(org.users),
        "salespeople": len(org.salespeople),
        **counts,
        **trade,
        **receivables,
        **complaints,
        **after_sale,
        "touches": touches,
        "market_reports": market_reports,
        **dealers,
        "family_occasions": family_occasions,
        **referrals,
        **win_back,
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
    for record in (*people, *notes, *events, *reassignments):
        record.customer_id = record.customer.pk
    for model, rows in ((KeyPerson, people), (CustomerNote, notes), (CustomerEvent, events),
                        (Reassignment, reassignments)):
        insert_rows(model, rows)
    return {"customers": len(cards), "key_people": len(people), "notes": len(notes), "events": len(events),
            "reassignments": len(reassignments)}


# --- trade: products, orders, returns (ORD-1, ORD-2) and credit (CRD-1…CRD-3) ---------------------

# Orders a year by grade, and cases per line: higher grades buy more and larger (CRD-4).
ORDERS_PER_YEAR = {Grade.A: 6.0, Grade.B: 3.0, Grade.C: 1.5}
QUANTITY = {Grade.A: (20, 200), Grade.B: (8, 80), Grade.C: (2, 30)}
DISCOUNT_WEIGHTS = {0: 70, 2: 10, 3: 8, 5: 8, 8: 3, 10: 1}
# Days from invoice to payment by the customer's habit, how common each habit is, and the
# payment attitude its credit card records (CRD-1).
PAYMENT_DAYS = {"prompt": (5, 30), "normal": (20, 55), "slow": (45, 150)}
HABIT_WEIGHTS = {"prompt": 70, "normal": 25, "slow": 5}
# Invoices the customer has not paid to this day, whatever its habit said (AR-3's long overdue).
UNPAID_SHARE = {"prompt": 0.01, "normal": 0.05, "slow": 0.3}
HABIT_ATTITUDES = {"prompt": ["prompt", "prompt", "normal"], "normal": ["normal", "acceptable"],
                   "slow": ["delays", "difficult"]}
ACCOUNT_SHARE = 0.92  # of active customers; the others wait for their first limit
FIRST_DRAFT_SHARE = 0.4  # of those: a first order waits as a draft
DRAFT_DAYS, DRAFT_SHARE = 10, 0.35  # orders of the last ten days not confirmed yet
CANCELLED_SHARE = 0.04
REFUSED_SHARE = 0.015  # confirmed orders refused by the customer before delivery
RETURNED_SHARE = 0.04  # delivered orders some goods of which came back
RETURN_REASON_WEIGHTS = {Return.Reason.DEFECT: 30, Return.Reason.CUSTOMER: 25, Return.Reason.DELIVERY: 20,
                         Return.Reason.SALESPERSON: 15, Return.Reason.POLICY: 10}
WITHDRAWN_DAYS = 180  # withdrawn products appear on orders older than this
CARD_SHARE = 0.04  # of customers with an account: a filled-in credit card
PENDING_FIRST_SHARE = 0.5  # of customers without an account: their limit request waits
PENDING_MORE_SHARE = 0.01  # of customers with an account: a higher limit waits
REJECTED_SHARE = 0.005  # of limits: a later request for more, rejected, kept in the history
HIGHER_LIMITS = {Grade.A: ["800000", "1200000"], Grade.B: ["300000", "400000"], Grade.C: ["80000", "100000"]}
# Guaranteed, so the demo queues are never empty: requests in director1's office waiting for
# director1, and waiting for manager1 with director1's signature already given.
FOR_DIRECTOR1, FOR_MANAGER1 = 3, 2
# Quantities and discounts are whole numbers: one shared Decimal each keeps a year of orders small.
WHOLE = [Decimal(f"{n}.00") for n in range(max(high for _low, high in QUANTITY.values()) + 1)]


class TradePlanner:
    """Plans a customer's year of orders day by day, as the services would have let it happen:
    an order is confirmed only if it keeps the exposure within the limit and nothing is overdue
    beyond the policy's days (CRD-3); otherwise it is cancelled, or waits as a draft if recent."""

    def __init__(self, *, rng: random.Random, products: list[Product], policy: CreditPolicy, owner_names: dict):
        self.rng = rng
        self.today, self.now = timezone.localdate(), timezone.now()
        self.tz = timezone.get_current_timezone()
        self.current = [p for p in products if p.active]
        self.all = products
        self.policy = policy
        self.owner_names = owner_names
        self.refusal_reasons = {r: str(r.label) for r in Return.Reason}

    def at(self, day: date) -> datetime:
        """A moment of the working day `day`, never later than now."""
        return min(self.now, _moment(self.rng, day, self.tz))

    def orders_of(self, customer: ActiveCustomer) -> list[PlannedOrder]:
        rng, today = self.rng, self.today
        start = max(customer.developed_on, today - timedelta(days=364))
        if customer.limit is None:
            if rng.random() >= FIRST_DRAFT_SHARE:
                return []
            days = [today - timedelta(days=rng.randint(0, min(DRAFT_DAYS, (today - start).days)))]
        else:
            expected = ORDERS_PER_YEAR[customer.grade] * ((today - start).days + 1) / 365
            count = int(expected) + (rng.random() < expected - int(expected))
            days = sorted(_random_day(rng, start, today) for _i in range(count))
        planned: list[PlannedOrder] = []
        for day in days:
            order = self._order(customer, day)
            if customer.limit is not None:
                self._progress(order, earlier=planned)
            planned.append(order)
        return planned

    def _order(self, customer: ActiveCustomer, day: date) -> PlannedOrder:
        rng = self.rng
        pool = self.all if (self.today - day).days > WITHDRAWN_DAYS else self.current
        lines = []
        for product in rng.sample(pool, rng.choice((1, 1, 2, 2, 2, 3))):
            quantity = WHOLE[rng.randint(*QUANTITY[customer.grade])]
            price = product.list_price if rng.random() < 0.85 else (product.list_price * Decimal("0.95")).quantize(CENT)
            discount = WHOLE[_weighted(rng, DISCOUNT_WEIGHTS)]
            lines.append(PlannedLine(product=product, quantity=quantity, unit_price=price, discount_pct=discount,
                                     amount=OrderLine.amount_of(quantity, price, discount)))
        created = self.at(day)
        return PlannedOrder(customer=customer, ordered_on=day, created_at=created, updated_at=created, lines=lines,
                            total=sum((line.amount for line in lines), ZERO), note=rng.choice(vocab.ORDER_NOTES))

    def _exposure(self, earlier: list[PlannedOrder], day: date) -> tuple[Decimal, int]:
        """What the customer owes on `day` for earlier orders (counted until paid, returns not
        deducted: never less than the true exposure), and the days the oldest invoice is overdue."""
        exposure, overdue = ZERO, 0
        for order in earlier:
            if order.confirmed_at is None or order.status == Order.Status.CANCELLED:
                continue
            if order.closed_on is None or order.closed_on > day:
                exposure += order.total
                if order.invoiced_on and order.invoiced_on <= day:
                    overdue = max(overdue, (day - order.invoiced_on).days - order.customer.terms)
        return exposure, overdue

    def _progress(self, order: PlannedOrder, *, earlier: list[PlannedOrder]) -> None:
        rng, today, customer = self.rng, self.today, order.customer
        age = (today - order.ordered_on).days
        if age <= DRAFT_DAYS and rng.random() < DRAFT_SHARE:
            return
        roll = rng.random()
        confirmed_on = order.ordered_on + timedelta(days=rng.choice((0, 0, 0, 1)))
        if roll < CANCELLED_SHARE or confirmed_on > today:
            if confirmed_on <= today:
                self._cancel(order, on=min(today, order.ordered_on + timedelta(days=rng.randint(0, 3))),
                             reason=rng.choice(vocab.CANCEL_REASONS))
            return
        exposure, overdue = self._exposure(earlier, confirmed_on)
        if exposure + order.total > customer.limit or overdue > self.policy.overdue_block_days:
            if age <= DRAFT_DAYS:
                order.blocked_at = exposure + order.total
            else:
                self._cancel(order, on=confirmed_on, reason="逾期未回款，暂停发货" if overdue > self.policy.overdue_block_days
                             else "超出信用额度，客户先回款再订货")
            return
        order.status, order.confirmed_at = Order.Status.CONFIRMED, self.at(confirmed_on)
        order.updated_at = max(order.created_at, order.confirmed_at)
        if roll < CANCELLED_SHARE + REFUSED_SHARE:
            self._refuse(order, on=min(today, confirmed_on + timedelta(days=rng.randint(0, 3))))
            return
        delivered_on = confirmed_on + timedelta(days=rng.randint(1, 6))
        if delivered_on > today:
            return
        order.status, order.delivered_on = Order.Status.DELIVERED, delivered_on
        invoiced_on = delivered_on + timedelta(days=rng.randint(0, 10))
        if invoiced_on <= today:
            order.status, order.invoiced_on = Order.Status.INVOICED, invoiced_on
            paid_on = invoiced_on + timedelta(days=rng.randint(*PAYMENT_DAYS[customer.habit]))
            order.unpaid = rng.random() < UNPAID_SHARE[customer.habit]
            if paid_on <= today and not order.unpaid:
                order.status, order.closed_on = Order.Status.CLOSED, paid_on
        order.updated_at = max(order.updated_at, self.at(order.closed_on or order.invoiced_on or delivered_on))
        if rng.random() < RETURNED_SHARE:
            self._return_goods(order)

    def _cancel(self, order: PlannedOrder, *, on: date, reason: str) -> None:
        order.status, order.cancelled_on, order.cancel_reason = Order.Status.CANCELLED, on, reason
        order.updated_at = max(order.updated_at, self.at(on))

    def _ret(self, order: PlannedOrder, *, kind: str, on: date, lines, credit_note: bool) -> PlannedReturn:
        rng = self.rng
        reason = _weighted(rng, RETURN_REASON_WEIGHTS)
        responsible = rng.choice(vocab.RETURN_RESPONSIBLE[reason]).format(
            owner=self.owner_names[order.customer.owner_id])
        ret = PlannedReturn(kind=kind, reason=reason, responsible=responsible, returned_on=on,
                            at=max(order.updated_at, self.at(on)),
                            follow_up=rng.choice(vocab.RETURN_FOLLOW_UPS[reason]),
                            follow_up_done=(self.today - on).days > 14 or rng.random() < 0.3, lines=lines,
                            credit_note=credit_note, amount=sum((amount for _l, _q, amount in lines), ZERO))
        for line, quantity, _amount in lines:
            line.returned_quantity += quantity
        order.returned += ret.amount
        order.ret = ret
        return ret

    def _refuse(self, order: PlannedOrder, *, on: date) -> None:
        """ORD-2: refused before delivery: the whole order comes back and is cancelled."""
        ret = self._ret(order, kind=Return.Kind.REFUSED, on=on, credit_note=False,
                        lines=[(line, line.quantity, line.amount) for line in order.lines])
        # The words return_record writes, in the demo's language.
        self._cancel(order, on=on, reason=(_("Refused by the customer: %(reason)s")
                                           % {"reason": self.refusal_reasons[ret.reason]})[:200])
        order.updated_at = ret.at

    def _return_goods(self, order: PlannedOrder) -> None:
        """ORD-2: goods returned after delivery, part of one line; a credit note once invoiced."""
        on = order.delivered_on + timedelta(days=self.rng.randint(1, 20))
        if on > self.today:
            return
        line = self.rng.choice(order.lines)
        quantity = WHOLE[self.rng.randint(1, int(line.quantity))]
        # As return_record prices it: the whole line returns its amount, part of it pro rata.
        amount = line.amount if quantity == line.quantity else (line.amount * quantity / line.quantity).quantize(CENT)
        if amount <= 0:
            return
        invoiced = order.invoiced_on is not None and order.invoiced_on <= on
        self._ret(order, kind=Return.Kind.RETURNED, on=on, lines=[(line, quantity, amount)], credit_note=invoiced)
        order.updated_at = max(order.updated_at, order.ret.at)


def _write_products() -> list[Product]:
    now = timezone.now()
    products = [
        Product(code=f"{prefix}{n:03d}", name=name, spec=spec, unit=unit, list_price=Decimal(price), line=line,
                active=f"{prefix}{n:03d}" not in vocab.WITHDRAWN_PRODUCTS, version=1, created_at=now, updated_at=now)
        for line, prefix, items in vocab.CATALOGUE for n, (name, spec, unit, price) in enumerate(items, 1)
    ]
    insert_rows(Product, products)
    ids = dict(Product.objects.values_list("code", "id"))
    for product in products:
        product.pk = ids[product.code]
    return products


def _active_customers(rng: random.Random, policy: CreditPolicy, default_terms: int) -> list[ActiveCustomer]:
    rows = Customer.objects.filter(status=Status.ACTIVE).order_by("id").values_list(
        "id", "owner_id", "office_id", "grade", "developed_on", "created_at", "payment_days", "payment_method")
    # A card without its development date (CUS-4) trades from the day it was filled in.
    return [ActiveCustomer(id=pk, owner_id=owner, office_id=office, grade=grade,
                           developed_on=developed or timezone.localdate(created), habit=_weighted(rng, HABIT_WEIGHTS),
                           limit=policy.limit_for_grade(grade) if rng.random() < ACCOUNT_SHARE else None,
                           terms=default_terms if days is None else days, payment_method=method)
            for pk, owner, office, grade, developed, created, days, method in rows]


def _write_orders(planned: list[PlannedOrder]) -> None:
    """Orders numbered in date order from the 'order' counter, so the next order the services
    take continues the numbering; then their lines (and the line ids the returns point at)."""
    planned.sort(key=lambda o: (o.created_at, o.customer.id))
    numbers = Sequence.take("order", len(planned)) if planned else range(0)
    for start in range(0, len(planned), BATCH_SIZE):
        batch = planned[start:start + BATCH_SIZE]
        with transaction.atomic():
            orders = []
            for plan, number in zip(batch, numbers[start:start + BATCH_SIZE], strict=True):
                plan.number = f"SO{number:07d}"
                c = plan.customer
                orders.append(row(
                    number=plan.number, customer_id=c.id, owner_id=c.owner_id, office_id=c.office_id,
                    ordered_on=plan.ordered_on, status=plan.status, total=plan.total, returned=plan.returned,
                    note=plan.note, created_by_id=c.owner_id, confirmed_at=plan.confirmed_at,
                    confirmed_by_id=c.owner_id if plan.confirmed_at else None, delivered_on=plan.delivered_on,
                    invoiced_on=plan.invoiced_on, closed_on=plan.closed_on, cancelled_on=plan.cancelled_on,
                    cancel_reason=plan.cancel_reason, version=1, created_at=plan.created_at,
                    updated_at=plan.updated_at))
            insert_rows(Order, orders)
            ids = dict(Order.objects.filter(number__gte=batch[0].number, number__lte=batch[-1].number)
                       .values_list("number", "id"))
            lines = []
            for plan in batch:
                plan.id = ids[plan.number]
                lines += [row(order_id=plan.id, product_id=line.product.pk, quantity=line.quantity,
                              unit_price=line.unit_price, discount_pct=line.discount_pct, amount=line.amount,
                              returned_quantity=line.returned_quantity) for line in plan.lines]
            insert_rows(OrderLine, lines)
            returned = [plan for plan in batch if plan.ret]
            if returned:  # an order's products are distinct: (order, product) names its line
                line_ids = {(o, p): pk for o, p, pk in OrderLine.objects.filter(
                    order_id__in=[plan.id for plan in returned]).values_list("order_id", "product_id", "id")}
                for plan in returned:
                    for line in plan.lines:
                        line.id = line_ids[(plan.id, line.product.pk)]


def _write_returns(planned: list[PlannedOrder]) -> tuple[int, int]:
    """Returns numbered in date order from the 'return' counter, with their lines, and the
    credit notes of returns after invoicing from the 'credit_note' counter."""
    orders = sorted((plan for plan in planned if plan.ret), key=lambda o: (o.ret.at, o.id))
    numbers = Sequence.take("return", len(orders)) if orders else range(0)
    with_notes = sum(1 for o in orders if o.ret.credit_note)
    note_numbers = iter(Sequence.take("credit_note", with_notes) if with_notes else range(0))
    for start in range(0, len(orders), BATCH_SIZE):
        batch = orders[start:start + BATCH_SIZE]
        with transaction.atomic():
            returns = []
            for order, number in zip(batch, numbers[start:start + BATCH_SIZE], strict=True):
                ret, c = order.ret, order.customer
                returns.append(Return(
                    number=f"TH{number:07d}", order_id=order.id, customer_id=c.id, owner_id=c.owner_id,
                    office_id=c.office_id, kind=ret.kind, reason=ret.reason, responsible=ret.responsible,
                    returned_on=ret.returned_on, amount=ret.amount, follow_up=ret.follow_up,
                    follow_up_done=ret.follow_up_done, recorded_by_id=c.owner_id, created_at=ret.at,
                    updated_at=ret.at))
            insert_rows(Return, returns)
            ids = dict(Return.objects.filter(number__gte=returns[0].number, number__lte=returns[-1].number)
                       .values_list("number", "id"))
            lines, notes = [], []
            for order, ret in zip(batch, returns, strict=True):
                ret.pk = order.ret.id = ids[ret.number]
                lines += [ReturnLine(ret_id=ret.pk, order_line_id=line.id, product_id=line.product.pk,
                                     quantity=quantity, amount=amount) for line, quantity, amount in order.ret.lines]
                if order.ret.credit_note:
                    notes.append(CreditNote(number=f"CN{next(note_numbers):07d}", ret_id=ret.pk,
                                            customer_id=ret.customer_id, amount=ret.amount, issued_on=ret.returned_on,
                                            created_at=ret.created_at, updated_at=ret.created_at))
            insert_rows(ReturnLine, lines)
            insert_rows(CreditNote, notes)
    if with_notes:  # the receivables settle invoices with them (AR-1)
        note_ids = dict(CreditNote.objects.values_list("ret_id", "id"))
        for order in orders:
            order.ret.credit_note_id = note_ids.get(order.ret.id)
    return len(orders), with_notes


class CreditWriter:
    """Credit accounts with the limit the grade proposes (CRD-4), a few credit cards (CRD-1),
    and limit requests: decided ones in the history, pending ones at every level of the chain
    (CRD-2), and overrides asked for recent drafts the credit check refused (CRD-3)."""

    def __init__(self, *, rng: random.Random, org: Org, policy: CreditPolicy):
        self.rng, self.org, self.policy = rng, org, policy
        self.today, self.now, self.tz = timezone.localdate(), timezone.now(), timezone.get_current_timezone()
        self.by_name = {u.username: u for u in org.users}
        self.manager_of_region = {u.office_id: u for u in org.users if u.role == Role.SALES_MANAGER}
        self.levels: dict[Decimal, list[str]] = {}  # levels_for(amount), asked once per amount
        self.requests: list[tuple[CreditRequest, list[CreditApproval]]] = []
        self.first_paid: dict[int, date] = {}

    def at(self, day: date) -> datetime:
        return min(self.now, _moment(self.rng, day, self.tz))

    def _levels(self, amount: Decimal) -> list[str]:
        if amount not in self.levels:
            self.levels[amount] = levels_for(amount)
        return self.levels[amount]

    def signer(self, level: str, office_id: int) -> User:
        if level == "director":
            return self.org.director_of_office[office_id]
        if level == "sales_manager":
            return self.manager_of_region[self.org.office_of_team[office_id].parent_id]
        return self.by_name["vp" if level == "marketing_vp" else "gm"]

    def request(self, c: ActiveCustomer, *, amount: Decimal, signed: int, status=CreditRequest.Status.PENDING,
                grade: str = "", reasons: str, created: datetime, order: PlannedOrder | None = None,
                levels: list[str] | None = None, previous_limit: Decimal | None = None,
                decided_at: datetime | None = None) -> None:
        """A request and the signatures given so far: `signed` levels approved, then (if
        rejected) the next one refuses. An approved request's last signature is at `decided_at`."""
        rng = self.rng
        levels = levels or self._levels(amount)
        kind = CreditRequest.Kind.OVERRIDE if order else CreditRequest.Kind.LIMIT
        request = CreditRequest(kind=kind, customer_id=c.id, office_id=c.office_id, amount=amount, grade=grade,
                                previous_limit=(c.limit or ZERO) if previous_limit is None else previous_limit,
                                order_id=order.id if order else None, reasons=reasons,
                                requested_by_id=c.owner_id, levels=list(levels), status=status, created_at=created,
                                updated_at=created)
        steps, at = [], created
        decided = len(levels) if status == CreditRequest.Status.APPROVED else signed
        signing = levels[:decided + (status == CreditRequest.Status.REJECTED)]
        for index, level in enumerate(signing):
            at = min(decided_at or self.now, at + timedelta(hours=rng.randint(2, 40)))
            if decided_at and index == len(signing) - 1:
                at = decided_at
            rejected = index == decided
            steps.append(CreditApproval(
                level=level, decided_by_id=self.signer(level, c.office_id).pk, at=at,
                decision=CreditApproval.Decision.REJECTED if rejected else CreditApproval.Decision.APPROVED,
                comment=rng.choice(vocab.REJECTION_COMMENTS if rejected else vocab.APPROVAL_COMMENTS)))
        if status != CreditRequest.Status.PENDING:
            request.decided_at = request.updated_at = at
        else:
            request.next_level = levels[signed]
        self.requests.append((request, steps))

    def write(self, customers: list[ActiveCustomer], planned: list[PlannedOrder]) -> dict:
        rng, policy = self.rng, self.policy
        for order in planned:  # the day each customer's first order was paid in full (closed)
            if order.closed_on and order.closed_on < self.first_paid.get(order.customer.id, date.max):
                self.first_paid[order.customer.id] = order.closed_on
        accounts, cards, pending = [], [], set()
        director1 = self.by_name.get("director1")
        for c in customers:
            if c.limit is None:
                continue
            approved_on = _random_day(rng, c.developed_on, self.today)
            accounts.append(CreditAccount(customer_id=c.id, limit=c.limit, grade=c.grade,
                                          approved_at=self.at(approved_on)))
            if rng.random() < CARD_SHARE:
                cards.append(self.card(c, filled_on=approved_on))
            # The request that set the present limit, signed by its chain (KH002 names the signers).
            created = accounts[-1].approved_at - timedelta(days=rng.randint(2, 6))
            self.request(c, amount=c.limit, grade=c.grade, signed=0, status=CreditRequest.Status.APPROVED,
                         reasons=self.reasons(c, created=created), created=created, previous_limit=ZERO,
                         decided_at=accounts[-1].approved_at)
            if rng.random() < REJECTED_SHARE:
                amount = Decimal(rng.choice(HIGHER_LIMITS[c.grade]))
                self.request(c, amount=amount, signed=rng.randrange(len(self._levels(amount))),
                             status=CreditRequest.Status.REJECTED, reasons=self.reasons(c, more=True),
                             created=self.at(_random_day(rng, approved_on, self.today)))
        # Requests waiting: first the ones the demo logins must find in their queue.
        in_office_1 = [c for c in customers if director1 and c.office_id is not None
                       and self.org.director_of_office.get(c.office_id) == director1]
        for n, c in enumerate(in_office_1[:FOR_DIRECTOR1 + FOR_MANAGER1]):
            if n < FOR_DIRECTOR1:  # the director signs first, whatever the amount
                self.pending(c, amount=Decimal(HIGHER_LIMITS[c.grade][0]), signed=0)
            else:  # the highest step of every grade reaches the sales manager's threshold
                self.pending(c, amount=Decimal(HIGHER_LIMITS[c.grade][-1]), signed=1)
            pending.add(c.id)
        for c in customers:
            if c.id in pending:
                continue
            if c.limit is None and rng.random() < PENDING_FIRST_SHARE:
                self.pending(c, amount=policy.limit_for_grade(c.grade))
            elif c.limit is not None and rng.random() < PENDING_MORE_SHARE:
                self.pending(c, amount=Decimal(rng.choice(HIGHER_LIMITS[c.grade])))
        # CRD-3: a one-off override asked for each recent draft the credit check refused.
        for order in planned:
            if order.blocked_at is not None:
                self.request(order.customer, amount=order.blocked_at, signed=0, order=order,
                             levels=self._levels(order.blocked_at)[-1:], reasons="客户承诺本周内结清欠款，请特批发货。",
                             created=max(order.created_at, self.now - timedelta(hours=rng.randint(1, 48))))
        with transaction.atomic():
            insert_rows(CreditAccount, accounts)
            insert_rows(CreditCard, cards)
            insert_rows(CreditRequest, [r for r, _steps in self.requests])
            # The table was empty (check_empty): ids follow the order of insertion.
            ids = list(CreditRequest.objects.order_by("id").values_list("id", flat=True))
            steps = []
            for pk, (_request, approvals) in zip(ids, self.requests, strict=True):
                for step in approvals:
                    step.request_id = pk
                    steps.append(step)
            insert_rows(CreditApproval, steps)
        return {"credit_accounts": len(accounts), "credit_cards": len(cards), "credit_requests": len(self.requests),
                "pending_requests": sum(r.status == CreditRequest.Status.PENDING for r, _s in self.requests)}

    def pending(self, c: ActiveCustomer, *, amount: Decimal, signed: int | None = None) -> None:
        rng = self.rng
        levels = self._levels(amount)
        signed = rng.randrange(len(levels)) if signed is None else min(signed, len(levels) - 1)
        created = self.now - timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 23)) - timedelta(hours=40 * signed)
        self.request(c, amount=amount, grade=c.grade, signed=signed, created=created,
                     reasons=self.reasons(c, created=created, more=bool(c.limit)))

    def reasons(self, c: ActiveCustomer, *, created: datetime | None = None, more: bool = False) -> str:
        """Why the limit is asked, true to the customer's history at `created`: 首批订单已付清
        only once an order of theirs was paid (closed), 回款一直及时 never for a slow payer."""
        if more:
            return self.rng.choice(vocab.CREDIT_REASONS_MORE + ([vocab.CREDIT_REASON_ON_TIME] if c.habit != "slow"
                                                                 else []))
        paid = self.first_paid.get(c.id)
        return self.rng.choice(vocab.CREDIT_REASONS_NEW + (
            [vocab.CREDIT_REASON_FIRST_PAID] if paid and created and paid < timezone.localdate(created) else []))

    def card(self, c: ActiveCustomer, *, filled_on: date) -> CreditCard:
        rng = self.rng
        choice = rng.choice
        at = self.at(filled_on)
        brands = rng.sample(vocab.BRANDS, 3)
        return CreditCard(
            customer_id=c.id, started_trading_on=c.developed_on, location=choice(CreditCard.Location.values),
            character=choice(CreditCard.Character.values), temperament=choice(CreditCard.Temperament.values),
            interests=choice(vocab.CARD_INTERESTS), education=choice(vocab.CARD_EDUCATION),
            experience=choice(vocab.CARD_EXPERIENCE), eloquence=choice(CreditCard.Eloquence.values),
            mindset=choice(CreditCard.Mindset.values), technical_level=choice(CreditCard.Level3.values),
            drive=choice(CreditCard.Drive.values), focus=choice(CreditCard.Level3.values),
            planning=choice(CreditCard.Strength.values), health=choice(["good", "good", "medium"]),
            successor=choice(CreditCard.Successor.values), staff_attitude=choice(CreditCard.StaffAttitude.values),
            vehicle_count=rng.randint(0, 12), property_tenure=choice(CreditCard.Tenure.values),
            site=choice(CreditCard.Site.values), shop_area=_area(rng, 30, 1500), decoration=choice(["good", "medium"]),
            floors=rng.randint(1, 3), insurance=choice(CreditCard.Insurance.values),
            bank_standing=choice(["very_good", "good", "good", "average"] if c.habit != "slow" else ["average", "poor"]),
            books_complete=c.habit != "slow" or rng.random() < 0.5,
            peer_evaluation=choice(["very_good", "good", "average"]),
            management_evaluation=choice(["good", "average"]), payment_attitude=choice(HABIT_ATTITUDES[c.habit]),
            brand_sales=brand_shares([{"brand": brand, "company": "", "monthly_sales": f"{rng.randint(2, 60) * 1000}.00"}
                                      for brand in brands]),
            salesperson_assessment=choice(vocab.CARD_ASSESSMENTS), filled_by_id=c.owner_id, version=1,
            created_at=at, updated_at=at)


def _write_trade(*, org: Org, seed: int, stdout=None) -> tuple[dict, list[PlannedOrder]]:
    # A stream of its own: the customer cards of a seed stay what they were before orders existed.
    rng = random.Random(f"{seed}-trade")
    policy = CreditPolicy.current()
    collection = CollectionPolicy.current()
    with transaction.atomic():
        products = _write_products()
    customers = _active_customers(rng, policy, collection.payment_days)
    planner = TradePlanner(rng=rng, products=products, policy=policy,
                           owner_names={u.pk: u.display_name for u in org.users})
    planned = [order for c in customers for order in planner.orders_of(c)]
    _write_orders(planned)
    returns, credit_notes = _write_returns(planned)
    credit = CreditWriter(rng=rng, org=org, policy=policy).write(customers, planned)
    _say(stdout, _("%(products)d products, %(orders)d orders, %(returns)d returns")
         % {"products": len(products), "orders": len(planned), "returns": returns})
    return {"products": len(products), "orders": len(planned),
            "order_lines": sum(len(order.lines) for order in planned), "returns": returns,
            "credit_notes": credit_notes, **credit}, planned


def _write_receivables(*, org: Org, planned: list[PlannedOrder], seed: int, stdout=None) -> dict:
    """AR-1 … AR-5: the ledger of the orders (kehu/demo/ledger.py)."""
    # A stream of its own too: the ledger can change without changing the orders of a seed.
    rng = random.Random(f"{seed}-ledger")
    receivables = LedgerWriter(rng=rng, org=org, policy=CollectionPolicy.current()).write(planned)
    _say(stdout, _("%(invoices)d invoices, %(payments)d payments, %(promises)d promises to pay") % receivables)
    return receivables


# --- complaints (CMP-1 … CMP-4) ------------------------------------------------------------------------

COMPLAINT_SHARE = 0.05  # of the customers
MAX_COMPLAINTS = 120
COMPLAINT_WORDS = {
    "quality": ["上周进的洗衣粉结块了，顾客退回来好几袋。", "新到的一批香皂包装破损，没法上架。", "产品和样品不一样，味道太冲。"],
    "delivery": ["说好周一送货，周三还没到，我们断货两天了。", "送来的货少了两箱，签收单却写的是齐的。"],
    "service": ["刚买的时候还不错，现在连个人影都找不着！", "打了三次电话都没人回。"],
    "attitude": ["你们送货员态度太差，还跟我们店员吵起来。"],
    "price": ["隔壁店拿的价比我们低，你们这样不公平。"],
    "billing": ["对账单上多算了一笔货款。", "上个月的返利到现在还没兑现。"],
}
# CMP-2: the authority of each role as a company setting, kept when the demo makes its data anew.
DEMO_AUTHORITIES = {"salesperson": "500", "service": "1000", "director": "5000", "sales_manager": "20000",
                    "marketing_vp": "100000"}


def _write_complaints(*, seed: int, stdout=None) -> dict:
    """CMP-1 … CMP-3: complaints of a few customers in every state — just received, handled part of
    the way, waiting for a level above to accept a costly solution, taken over, closed — through the
    services, received over the last two months (so some are past their deadlines, CMP-4)."""
    rng = random.Random(f"{seed}-complaints")
    for role, amount in DEMO_AUTHORITIES.items():
        AuthorityLimit.objects.get_or_create(role=role, defaults={"max_amount": Decimal(amount)})
    customers = list(Customer.objects.filter(owner__isnull=False).select_related("owner", "office")
                     .order_by("pk"))
    chosen = rng.sample(customers, min(MAX_COMPLAINTS, round(len(customers) * COMPLAINT_SHARE), len(customers)))
    directors = {}
    now = timezone.now()
    made = escalated = closed = 0
    for customer in chosen:
        owner = customer.owner
        kind = rng.choice(list(COMPLAINT_WORDS))
        with transaction.atomic():
            complaint = complaints.complaint_open(
                by=owner, customer=customer, kind=kind, channel=rng.choice(["phone", "visit", "salesperson", "online"]),
                words=rng.choice(COMPLAINT_WORDS[kind]), severity=rng.choice(["low", "medium", "medium", "high",
                                                                                "critical"]),
                nature=rng.choice(["good_faith", "good_faith", "unclear"]),
                amount_claimed=str(rng.choice([0, 0, 200, 800, 3000])),
                received_at=now - timedelta(hours=rng.randint(1, 60 * 24)))
            made += 1
            reach = rng.randint(0, len(STEPS))
            for step in STEPS[:reach]:
                if step == Step.PROPOSE:
                    amount = rng.choice(["0", "300", "2000", "2000"])
                    if amount == "2000":
                        complaints.complaint_escalate(by=owner, complaint=complaint, amount=amount,
                                                      solution="退款 2000 元并补发新货")
                        escalated += 1
                        level = complaint_selectors.pending_escalation_of(complaint).level
                        key = (customer.pk, level)
                        people = directors.get(key) or complaint_selectors.level_people(customer, level)
                        directors[key] = people
                        if not people or rng.random() < 0.5:
                            break  # still waiting for the level above
                        complaints.escalation_decide(by=people[0], complaint=complaint, accept=True, comment="同意")
                        owner = people[0]
                        continue
                    complaints.step_record(by=owner, complaint=complaint, step=step, note="换货并上门致歉",
                                           amount=amount)
                    continue
                complaints.step_record(by=owner, complaint=complaint, step=step, note=DEMO_STEP_NOTES.get(step, "已完成"),
                                       cause=rng.choice(DEMO_CAUSES) if step == Step.INVESTIGATE else "",
                                       responsibility=rng.choice(DEMO_RESPONSIBILITIES) if step == Step.DECIDE else "")
            else:
                if reach == len(STEPS):
                    complaints.complaint_close(by=owner, complaint=complaint)
                    closed += 1
                    if rng.random() < 0.7:  # CMP-6: most customers answer about the handling
                        satisfaction.record_by_staff(by=owner, complaint=complaint, rating=rng.choice([3, 4, 4, 5, 5, 2]),
                                                     comment=rng.choice(["", "处理及时", "希望以后别再出这种问题"]))
    _say(stdout, _("%(complaints)d complaints") % {"complaints": made})
    return {"complaints": made, "complaints_escalated": escalated, "complaints_closed": closed}


DEMO_CAUSES = ["product", "product", "promise", "explanation", "attitude", "customer"]
DEMO_RESPONSIBILITIES = ["company", "product", "salesperson", "customer", "shared"]
DEMO_STEP_NOTES = {"listen": "客户来电，已记录原话", "investigate": "仓库受潮，批次问题", "decide": "我方责任",
                   "review": "通报全组：入库前检查包装"}


# --- reset -----------------------------------------------------------------------------------------

EXTRA_TABLES_TO_CLEAR = {"admin.LogEntry", "sessions.Session"}
# The company's settings, not data: the approval thresholds (CRD-2), the credit and collection policies,
# the maximum discount of each role (ORD-1), the company profile that heads the printed forms, the
# contact cadence (REL-1), the reply scripts of complaints (CMP-5). (Floor
# prices belong to products, which the demo makes anew.)
SETTINGS_TO_KEEP = {"credit.ApprovalThreshold", "credit.CreditPolicy", "receivables.CollectionPolicy",
                    "credit.DiscountAllowance", "core.CompanyProfile", "relations.CadencePolicy",
                    "service.AuthorityLimit", "service.ComplaintPolicy", "service.ReplyScript", "loyalty.WinBackPolicy"}


def _models_to_clear() -> list:
    """Every model of Kehu's apps (with their history and many-to-many tables) and the tables
    that point at users, ordered so that a table is emptied before the tables it points at."""
    candidates = [
        m for m in apps.get_models(include_auto_created=True)
        if (m._meta.app_config.name.startswith("kehu.") or m._meta.label in EXTRA_TABLES_TO_CLEAR)
        and m._meta.managed and not m._meta.proxy and m._meta.label not in SETTINGS_TO_KEEP
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
    records of every other Kehu app, all users and offices, and the counters; the
    company settings (credit, collection, company profile) stay. Raw DELETEs:
    going through the ORM would write a history row for every deleted card."""
    deleted = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in _models_to_clear():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
            if cursor.rowcount:
                deleted[model._meta.label] = cursor.rowcount
    _say(stdout, _("Deleted %(rows)d rows of earlier data.") % {"rows": sum(deleted.values())})
    return deleted
