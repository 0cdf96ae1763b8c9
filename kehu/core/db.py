"""Database housekeeping shared by bulk writers."""

from django.db import connection


def refresh_planner_statistics() -> None:
    """ANALYZE after a bulk load: without fresh statistics SQLite and PostgreSQL choose poor
    plans for the list's filters and sorts (measured: 59 ms → 0.1 ms for a sorted page)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
