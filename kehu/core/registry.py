"""Registration points: how an upper app shows itself on a lower app's page.

A lower app never names an upper one. Where a lower page must show something of an upper app
— a navigation entry, a panel on the customer's 360° page or on the order page, an action
button on an order, an item of the daily plan, a card on the dashboard, a report, a line of
the customer's timeline, a column of a list — the upper app registers it in its `registrations.register()`, which
core calls at start-up, and the lower page renders what is registered:

    registry.add(NavEntry(key="complaints", label=_("Complaints"), url_name="service:complaint_list",
                          order=80, visible=lambda user: user_can(user, HANDLE_COMPLAINTS)))

Every callable receives the request (or the user) and the record and returns None to stay out
of the page. See docs/architecture.md for each point and who fills it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise

Label = str | Promise


def _always(*_args) -> bool:
    return True


@dataclass(frozen=True)
class NavEntry:
    """A link of the navigation bar. `badge(request)` may return a small count to show."""

    key: str
    label: Label
    url_name: str
    order: int = 100
    visible: Callable[[Any], bool] = _always
    badge: Callable[[Any], int | None] | None = None
    element_id: str = ""


@dataclass(frozen=True)
class Panel:
    """A block on a record's page. `page` names the page ("customer" for the 360° page, "order"
    for the order page); `tab` groups the customer page's blocks into tabs. `context(request,
    record)` returns the template's context, or None to show nothing. A lazy panel is fetched
    with htmx when its tab is first shown (customers:panel), so the page does not pay for it.
    `query_budget` is the most queries the panel may take (a test renders every panel); a panel
    that gathers what other apps register (the timeline) gives a callable that adds up theirs."""

    key: str
    page: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100
    tab: str = ""
    label: Label = ""
    lazy: bool = False
    visible: Callable[[Any], bool] = _always
    query_budget: int | Callable[[], int] = 10

    def budget(self) -> int:
        return self.query_budget() if callable(self.query_budget) else self.query_budget


@dataclass(frozen=True)
class RecordPage:
    """A page that carries panels, and how to fetch its record for a user (404 outside the
    scope): the lazy panels' view (core.views.panel) loads the record through it."""

    key: str
    get: Callable[[Any, int], Any]
    order: int = 100


@dataclass(frozen=True)
class Action:
    """A button (or small form) in a record page's action bar, e.g. "Confirm" on an order.
    `context(request, record)` returns the template's context, or None when the user may not
    act on this record now."""

    key: str
    page: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


@dataclass(frozen=True)
class JobKind:
    """A kind of background job (core.jobs): `run(work)` does it in the worker — `work` gives
    the user (`by`), the `params`, the uploaded file (`open()`) and `progress(done, total)` —
    and returns the result as JSON-ready data. `result(request, job)` renders the result page
    (by default core/job_result.html: the message, the counts and the bad rows by line);
    `back` is the URL name of the page to return to."""

    key: str
    label: Label
    run: Callable[[Any], dict]
    back: str = ""
    result: Callable[[Any, Any], Any] | None = None


@dataclass(frozen=True)
class DueItem:
    """One line of a daily plan (REL-4): what is due, for whom, and where to act on it. `key`
    names the thing due (the same key on every day it stays due: the plan keeps it once per
    day); `done` says its app has already seen it done on that day (a touch logged, a task done)."""

    kind: str
    title: str
    url: str
    due_on: date
    customer_id: int | None = None
    overdue: bool = False
    key: str = ""
    done: bool = False


@dataclass(frozen=True)
class DueSource:
    """What an app contributes to a user's daily plan (REL-4, relations' /plan/): `items(user,
    day)` lists what is due for the user on the day, in a fixed number of queries."""

    key: str
    label: Label
    items: Callable[[Any, date], list[DueItem]]
    order: int = 100


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a customer's timeline: what happened, when, by whom, and where to see it."""

    at: datetime
    text: str
    url: str = ""
    by: str = ""
    kind: str = ""


@dataclass(frozen=True)
class TimelineSource:
    """What an app adds to the customer's one timeline (the 360° page's History tab): its own
    explicit records — written by its services in the write's transaction — read back by
    `entries(user, customer, limit)`, newest first, in at most `query_budget` queries."""

    key: str
    label: Label
    entries: Callable[[Any, Any, int], list[TimelineEntry]]
    order: int = 100
    visible: Callable[[Any], bool] = _always
    query_budget: int = 2


@dataclass(frozen=True)
class Card:
    """A card on the home dashboard (INS-1): `context(request)` or None to stay out."""

    key: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


@dataclass(frozen=True)
class Report:
    """A report listed on the dashboard's report menu (INS-1)."""

    key: str
    label: Label
    url_name: str
    order: int = 100
    visible: Callable[[Any], bool] = _always


@dataclass(frozen=True)
class ListColumn:
    """A column an upper app adds to a lower app's list, e.g. receivables' balance on the
    customer list: `values(user, ids)` gives the cell of each row of the page, by record id,
    in at most `query_budget` queries for the whole page (never one per row)."""

    key: str
    page: str  # the list's name, e.g. "customers"
    header: Label
    values: Callable[[Any, list[int]], dict[int, Any]]
    css: str = ""
    order: int = 100
    visible: Callable[[Any], bool] = _always
    query_budget: int = 2


@dataclass
class Registry:
    """Everything registered, by kind. Apps add at start-up; pages read."""

    items: dict[type, dict[str, Any]] = field(default_factory=dict)

    def add(self, item) -> None:
        """Register an item; the same key twice of one kind is a programming error (two apps
        fighting over a slot), except for re-registering an equal item (tests reload apps)."""
        bucket = self.items.setdefault(type(item), {})
        key = (getattr(item, "page", ""), item.key)
        if key in bucket and bucket[key] != item:
            raise ValueError(f"{type(item).__name__} {key!r} is registered twice")
        bucket[key] = item

    def of(self, kind: type, *, page: str | None = None) -> list:
        """The items of a kind (on one page), in their order."""
        found = [i for i in self.items.get(kind, {}).values() if page is None or getattr(i, "page", None) == page]
        return sorted(found, key=lambda i: (i.order, i.key))

    def find(self, kind: type, key: str, *, page: str = ""):
        """One item by its key (and page), or None."""
        return self.items.get(kind, {}).get((page, key))

    def nav_for(self, user) -> list[NavEntry]:
        return [entry for entry in self.of(NavEntry) if entry.visible(user)]

    def reports_for(self, user) -> list[Report]:
        return [report for report in self.of(Report) if report.visible(user)]

    def timeline_budget(self) -> int:
        """The most queries the timeline takes: what its sources may take together."""
        return sum(source.query_budget for source in self.of(TimelineSource))

    def timeline_for(self, user, customer, *, limit: int = 30) -> list[TimelineEntry]:
        """The customer's timeline: every registered source's entries, newest first."""
        entries = [entry for source in self.of(TimelineSource) if source.visible(user)
                   for entry in source.entries(user, customer, limit)]
        return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]

    def columns_for(self, page: str, user, ids: list[int]) -> list[tuple[ListColumn, dict[int, Any]]]:
        """The registered columns of list `page` the user may see, each with its cells for `ids`."""
        return [(column, column.values(user, ids) if ids else {}) for column in self.of(ListColumn, page=page)
                if column.visible(user)]

    def due_for(self, user, day: date) -> list[tuple[DueSource, list[DueItem]]]:
        """The daily plan's sources with their items for the user's day (REL-4)."""
        return [(source, source.items(user, day)) for source in self.of(DueSource)]


registry = Registry()
