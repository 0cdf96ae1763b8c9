"""Row locks in one global order, and the stale-edit check of versioned records.

Two transactions that lock the same rows in different orders can deadlock. Every service
therefore takes its row locks through `lock()` / `lock_many()` / `lock_where()` /
`lock_versioned()` (or its app's `locks.py`, which names them), in one order:

* by the model's `lock_rank` (a class attribute; lower first) — the customer before its
  documents, counters (core.Sequence, 90) last;
* within one model, lower primary key first.

The ranks of every app's models are tabled in docs/architecture.md ("Locks"); a model without
one ranks DEFAULT_RANK (100). A row the transaction already holds may be locked again (it
waits for nobody). A new vertical gives each model it locks a `lock_rank` and locks in its app's
`locks.py`. `recording()` lets a test see the locks a service took, in order
(kehu/core/tests/test_locks.py checks every money service against the rule).
"""

import contextlib
import threading
from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from kehu.core.errors import StaleEdit

DEFAULT_RANK = 100
_local = threading.local()


def rank_of(model: type[Model]) -> int:
    return getattr(model, "lock_rank", DEFAULT_RANK)


def _note(model: type[Model], pks) -> None:
    taken = getattr(_local, "taken", None)
    if taken is not None:
        taken.extend((rank_of(model), model._meta.label, pk) for pk in pks)


@contextlib.contextmanager
def recording():
    """Collect (rank, model label, pk) of every lock taken in this thread, in order."""
    _local.taken = taken = []
    try:
        yield taken
    finally:
        _local.taken = None


def _queryset(target) -> QuerySet:
    return target if isinstance(target, QuerySet) else target._default_manager.all()


def lock(target, pk):
    """Lock one row of a model (or of a queryset, to narrow the columns or the scope) and return
    it; DoesNotExist if there is no such row."""
    qs = _queryset(target)
    row = qs.select_for_update(of=("self",)).get(pk=pk)
    _note(qs.model, [row.pk])
    return row


def lock_many(target, pks) -> dict:
    """Lock several rows of one model, lower pk first; {pk: row} of those that exist."""
    qs = _queryset(target)
    rows = list(qs.select_for_update(of=("self",)).filter(pk__in=list(pks)).order_by("pk"))
    _note(qs.model, [row.pk for row in rows])
    return {row.pk: row for row in rows}


def lock_where(target, **conditions):
    """Lock the rows that match (lower pk first) and return them as a list, e.g. the one
    settings row of a customer, or all its documents of a kind."""
    qs = _queryset(target)
    rows = list(qs.select_for_update(of=("self",)).filter(**conditions).order_by("pk"))
    _note(qs.model, [row.pk for row in rows])
    return rows


def lock_versioned(target, pk, *, version, stale: str | Callable[[Model], str] | None = None):
    """Lock a versioned record (core.models.VersionedModel) and refuse with StaleEdit when it is
    no longer the `version` the user read — a save from a stale copy would silently overwrite
    someone else's change. One contract everywhere: a missing version is refused too, since
    nobody can tell what the user saw. `stale` is the message (with %(name)s for str(row)), or
    a function of the locked row that words it (a message naming the order's number, say)."""
    row = lock(target, pk)
    if version is None or row.version != version:
        if callable(stale):
            raise StaleEdit(stale(row))
        message = stale or _("%(name)s was changed by someone else since you opened it. "
                             "Reload to see their changes; your edit was not saved.")
        raise StaleEdit(message % {"name": row})
    return row
