"""Pagination that stays fast on deep pages of large lists."""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.utils.functional import cached_property

from kehu.core.db import Ids
from kehu.core.models import Sequence

# A set this small is fetched whole (unordered, from an index) and its page sorted by primary
# key lookups: walking a sort index in search of a rare combination reads most of the table.
SMALL_SET = 1000
COUNT_SECONDS = 300


def list_generation(name: str) -> int:
    """The number of the last change to the records behind list `name` (see `lists_changed`)."""
    return Sequence.objects.filter(name=f"list:{name}").values_list("value", flat=True).first() or 0


def lists_changed(name: str) -> None:
    """Called by every service that adds, removes or changes records of list `name`: once its
    transaction commits, cached counts of that list are recomputed on the next request. (After
    the commit, so that a long import does not hold the counter's row lock; a count read in
    between is taken from the committed data, so it is right under either number.)"""
    transaction.on_commit(lambda: Sequence.take(f"list:{name}"))


def _set_key(kind: str, name: str, queryset) -> str:
    """The cache key of a figure of `queryset` in the present generation of list `name`. The
    SQL names the scope and every filter, so equal SQL means the same set."""
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.blake2b(repr((sql, params)).encode(), digest_size=16).hexdigest()
    return f"kehu:{kind}:{name}:{list_generation(name)}:{digest}"


def kept_until_changed(name: str, queryset, compute):
    """compute(queryset) — the totals of a filtered list — kept in the cache until the next
    change to the records of list `name` (as DeferredJoinPaginator keeps its counts)."""
    key = _set_key("figures", name, queryset.order_by())
    found = cache.get(key)
    if found is None:
        found = compute(queryset)
        cache.set(key, found, COUNT_SECONDS)
    return found


class DeferredJoinPaginator(Paginator):
    """Finds the page's ids first — a query the database answers from an index, even with a
    large OFFSET — and only then fetches those rows (with their joins) from `rows`.

    With `generation` (the name given to `lists_changed`), the size of the filtered set is
    kept in the cache until the next change to the list: counting the matches of a
    company-wide filter or search over a large list is costly (bench/RESULTS.md), so it is paid
    once instead of on every page. Sets of at most SMALL_SET rows are held as ids instead."""

    def __init__(self, object_list, per_page, *, rows, generation: str | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows
        self.generation = generation

    @cached_property
    def _summary(self) -> tuple[int, list[int] | None]:
        """(count, ids of the whole set when it is small, else None)."""
        key = None
        if self.generation:
            key = _set_key("set", self.generation, self.object_list.order_by().values("pk"))
            found = cache.get(key)
            if found is not None:
                return found
        ids = list(self.object_list.order_by().values_list("pk", flat=True)[:SMALL_SET + 1])
        summary = (len(ids), ids) if len(ids) <= SMALL_SET else (self.object_list.count(), None)
        if key:
            cache.set(key, summary, COUNT_SECONDS)
        return summary

    @cached_property
    def count(self) -> int:
        return self._summary[0]

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        small = self._summary[1]
        ordered = self.object_list
        if small:
            ordered = self.object_list.model._default_manager.filter(pk__in=Ids(small)).order_by(
                *self.object_list.query.order_by or self.object_list.model._meta.ordering)
        ids = list(ordered.values_list("pk", flat=True)[bottom:top])
        if not ids:
            return self._get_page([], number, self)
        by_id = {obj.pk: obj for obj in self.rows.filter(pk__in=Ids(ids))}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)


LIST_PAGE_SIZE = 50


def list_page(request, filtered, *, rows, generation: str, per_page: int = LIST_PAGE_SIZE):
    """The page a list shows (`?page=`, out-of-range numbers clamped): `filtered` paginated by
    DeferredJoinPaginator, its rows read from `rows`, its counts kept for list `generation`."""
    paginator = DeferredJoinPaginator(filtered, per_page, rows=rows, generation=generation)
    return paginator.get_page(request.GET.get("page"))
