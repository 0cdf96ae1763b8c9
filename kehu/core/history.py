"""Change history (django-simple-history): who changed a row (save_by), and the history of
rows written in bulk. Every service that writes a record with a history names its user here,
so the audit trail (PLT-3) records who did each change."""

from django.db import connection
from django.utils import timezone

_OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


def history_record_created(model, ids: list[int], *, user, reason: str) -> None:
    """The "created" history rows of rows just bulk-inserted, copied by the database with one
    INSERT … SELECT per 500 rows. simple_history's bulk_create_with_history builds a Python
    object per row and sends its ~55 values back, most of a large import's time
    (bench/RESULTS.md)."""
    history = model.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in history._meta.concrete_fields if f.column not in _OWN)
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            # Identifiers come from the models; every value is a bound parameter.
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "  # noqa: S608
                f"history_type, history_user_id) SELECT {columns}, %s, %s, '+', %s "
                f"FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN ({marks})",
                [now, reason, user.pk if user else None, *chunk],
            )


def save_by(instance, by, **save_kwargs) -> None:
    """Save `instance` and record `by` as the user of its history row. Services use it for every
    record kept with a history: outside a web request
    (the API's token, the worker, the demo, a test) HistoryRequestMiddleware names nobody."""
    instance._history_user = by
    instance.save(**save_kwargs)
