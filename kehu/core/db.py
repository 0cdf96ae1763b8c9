"""Database housekeeping shared by bulk writers."""

from django.db import connection


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
