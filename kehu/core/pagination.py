"""Pagination that stays fast on deep pages of large lists."""

from django.core.paginator import Paginator


class DeferredJoinPaginator(Paginator):
    """Finds the page's ids first — a query the database answers from an index, even with a
    large OFFSET — and only then fetches those rows (with their joins) from `rows`."""

    def __init__(self, object_list, per_page, *, rows, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        by_id = {obj.pk: obj for obj in self.rows.filter(pk__in=ids)}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)
