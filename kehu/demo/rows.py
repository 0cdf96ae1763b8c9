"""The shapes the demo generator plans with, and the fast INSERT both its writers use
(generate.py for cards, orders and credit, ledger.py for the receivables)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection

from kehu.accounts.models import Office, User
from kehu.core.money import ZERO
from kehu.demo import vocab
from kehu.sales.models import Order, Product


@dataclass
class Org:
    offices: list[Office]
    users: list[User]
    salespeople: list[User]
    city_of_office: dict[int, vocab.City]  # office id (and its teams) → city
    director_of_office: dict[int, User]  # team/office id → director
    office_of_team: dict[int, Office]


# Values the database drivers take as they are; everything else goes through the field.
PLAIN_TYPES = (str, int, bool, type(None))


def insert_rows(model, objs) -> None:
    """INSERT `objs` with one executemany. Like bulk_create, without save() or signals, but
    it stores the timestamps we set (cards filled in over the years, not "now") and skips
    the per-value SQL assembly that makes bulk_create the slowest part of a large data set.
    Values are prepared by the model fields, so every backend gets what the ORM would send.
    `objs` are model instances or any objects with the fields' attnames (see `row`)."""
    if not objs:
        return
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    rows = []
    prepared = {}  # the same dates and amounts recur: prepare each once
    adapt_moment = connection.ops.adapt_datetimefield_value
    for obj in objs:
        row = []
        for field in fields:
            value = getattr(obj, field.attname)
            if not isinstance(value, PLAIN_TYPES):
                if isinstance(value, datetime) and value.tzinfo is not None:
                    # What DateTimeField.get_db_prep_save does with an aware moment; moments
                    # rarely recur, so they are adapted directly rather than cached.
                    value = adapt_moment(value)
                elif isinstance(value, list):
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


def row(**values) -> SimpleNamespace:
    """A row for insert_rows without a model instance, for the largest tables (orders and
    their lines): building ~400,000 model instances alone took seconds. Every field's attname
    must be given, defaults included."""
    return SimpleNamespace(**values)


@dataclass(slots=True)
class ActiveCustomer:
    id: int
    owner_id: int
    office_id: int | None
    grade: str
    developed_on: date
    habit: str
    limit: Decimal | None  # None: no credit account yet
    terms: int  # days an invoice has until it falls due (AR-1)
    payment_method: str


@dataclass(slots=True)
class PlannedLine:
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    amount: Decimal
    returned_quantity: Decimal = ZERO
    id: int | None = None


@dataclass(slots=True)
class PlannedReturn:
    kind: str
    reason: str
    responsible: str
    returned_on: date
    at: datetime
    follow_up: str
    follow_up_done: bool
    lines: list[tuple[PlannedLine, Decimal, Decimal]]  # (order line, quantity, amount)
    credit_note: bool
    amount: Decimal = ZERO
    id: int | None = None
    credit_note_id: int | None = None


@dataclass(slots=True)
class PlannedOrder:
    customer: ActiveCustomer
    ordered_on: date
    created_at: datetime
    lines: list[PlannedLine]
    total: Decimal
    note: str
    status: str = Order.Status.DRAFT
    updated_at: datetime | None = None
    confirmed_at: datetime | None = None
    delivered_on: date | None = None
    invoiced_on: date | None = None
    closed_on: date | None = None
    unpaid: bool = False  # invoiced and not paid to this day, nor planned to be
    cancelled_on: date | None = None
    cancel_reason: str = ""
    returned: Decimal = ZERO
    ret: PlannedReturn | None = None
    blocked_at: Decimal | None = None  # a recent draft the credit check refused: exposure it would reach
    number: str = ""
    id: int | None = None
