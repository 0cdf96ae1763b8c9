"""Database housekeeping shared by bulk writers."""

from datetime import datetime

from django.db import connection, models
from django.db.models import Expression
from django.utils import timezone


def refresh_planner_statistics(*, no_skip_scan: tuple[str, ...] = ()) -> None:
    """ANALYZE after a bulk load: without fresh statistics SQLite and PostgreSQL choose poor
    plans for the list's filters and sorts (bench/RESULTS.md).

    no_skip_scan: SQLite indexes whose leading column must be given to use them (SQLite's
    documented `noskipscan` statistic). Left to itself, SQLite skip-scans a covering index
    for a company-wide filter and sorts every match instead of walking the sort's index until
    the page is full."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite" and no_skip_scan:
            for index in no_skip_scan:
                cursor.execute("UPDATE sqlite_stat1 SET stat = stat || ' noskipscan' WHERE idx = %s "
                               "AND stat NOT LIKE '%%noskipscan%%'", [index])
            cursor.execute("ANALYZE sqlite_schema")  # reload the statistics


class Ids(Expression):
    """A list of primary keys written into the SQL as integers: `filter(pk__in=Ids(ids))`.
    Django binds each value of an `__in` list as a parameter and prepares it one by one, which
    costs milliseconds for the thousand ids a small scoped set holds (DeferredJoinPaginator).
    Only integers pass, so nothing a user typed can reach the SQL this way."""

    output_field = models.BigIntegerField()

    def __init__(self, ids):
        super().__init__()
        self.ids = [int(i) for i in ids]
        if not self.ids:
            raise ValueError("Ids needs at least one id; filter with .none() instead")

    def as_sql(self, compiler, connection):
        return ",".join(map(str, self.ids)), []


class PreparedInsert:
    """New rows of one model, turned into database values before the write transaction, so
    that the transaction only inserts them (issue 13: on SQLite the one write lock is held by
    the insert alone, and payments posted meanwhile wait for seconds, not for the import).

        rows = prepare_insert(Invoice, invoices)   # outside the transaction: the CPU work
        with transaction.atomic():
            rows.write()                           # the insert; every object gets its pk

    On SQLite the rows go in with one `executemany` and take the ids that follow the table's
    last one (consecutive: the IMMEDIATE transaction holds the write lock); on PostgreSQL, whose
    writers do not wait for one another, `bulk_create` does the work and returns the ids."""

    def __init__(self, model, objs):
        self.model, self.objs = model, list(objs)
        self.sqlite = connection.vendor == "sqlite"
        if not self.sqlite or not self.objs:
            return
        meta = model._meta
        self.fields = [f for f in meta.local_concrete_fields if f is not meta.pk]
        # The rows of one insert share one moment for their auto_now(_add) fields; pre_save
        # fills the rest as bulk_create would, and the values are made exactly as Django's
        # insert compiler makes them (get_db_prep_save) — once per distinct datetime, since the
        # conversion of an aware datetime costs more than the rest of a row (issue 11).
        now, converted = timezone.now(), {}
        stamped = {f.attname for f in self.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}

        plain_text = {f.attname for f in self.fields if _passes_text_through(f)}

        def prepared(field, obj):
            if field.attname in stamped:
                setattr(obj, field.attname, now)
                value = now
            else:
                value = field.pre_save(obj, True)
            if type(value) is str and field.attname in plain_text:
                return value  # what get_db_prep_save gives a text field's str, without its five calls
            if not isinstance(value, datetime):
                return field.get_db_prep_save(value, connection)
            if (field, value) not in converted:
                converted[field, value] = field.get_db_prep_save(value, connection)
            return converted[field, value]

        self.values = [tuple(prepared(f, obj) for f in self.fields) for obj in self.objs]

    def write(self) -> None:
        if not connection.in_atomic_block:
            raise RuntimeError("PreparedInsert.write() belongs inside transaction.atomic()")
        if not self.objs:
            return
        if not self.sqlite:
            self.model.objects.bulk_create(self.objs, batch_size=1000)
            return
        # Only the model's own table and column names, quoted, go into the SQL; values are bound.
        quote = connection.ops.quote_name
        table, columns = quote(self.model._meta.db_table), ", ".join(quote(f.column) for f in self.fields)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, self.values)
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            first = last - len(self.objs) + 1
            # The ids are consecutive under the write lock; checked, since a wrong id would
            # attach history and events to another row (a failure rolls the whole insert back).
            id_column = quote(self.model._meta.pk.column)
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {id_column} BETWEEN %s AND %s",  # noqa: S608
                           [first, last])
            if cursor.fetchone()[0] != len(self.objs):
                raise RuntimeError(f"{self.model.__name__}: the inserted rows' ids are not consecutive")
        for pk, obj in enumerate(self.objs, start=first):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias


def _passes_text_through(field) -> bool:
    """A CharField or TextField of Django's own, whose database value of a str is the str."""
    kind = type(field)
    return (isinstance(field, models.CharField | models.TextField)
            and kind.get_db_prep_save is models.Field.get_db_prep_save
            and kind.get_db_prep_value is models.Field.get_db_prep_value
            and kind.get_prep_value in (models.CharField.get_prep_value, models.TextField.get_prep_value)
            and kind.to_python in (models.CharField.to_python, models.TextField.to_python))


def prepare_insert(model, objs) -> PreparedInsert:
    return PreparedInsert(model, objs)
