"""Database housekeeping shared by bulk writers."""

from django.db import connection, models
from django.db.models import Expression


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
