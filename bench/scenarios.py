"""The benchmark's scenarios: one small record per page, with the URL the harness requests
and the bare SQL that fetches the same rows through the database driver.

To add a scenario (later issues add theirs here): write a URL builder and a bare-SQL
function, then append a `Scenario` to SCENARIOS. See bench/README.md.

    url(ctx, i) -> str              the path of the i-th request (ctx: the user and their data)
    bare_sql(db, ctx, i) -> None    the hand-written SQL the i-th page needs, rows fetched

`ctx` is a `UserContext` prepared once per user by run.py (scope, counts, sample ids);
`db` is a `BareDB` (sqlite3 or psycopg connection, `%s` placeholders on both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

PAGE_SIZE = 50  # kehu.core.pagination.LIST_PAGE_SIZE and the API's PAGE_SIZE

# Targets (issue 3), by the group a scenario belongs to.
P95_TARGET_MS = {"list": 100, "search": 100, "detail": 100, "daily-plan": 100, "api": 100,
                 "dashboard": 300, "report": 300}
RATIO_TARGET = {"list": 3, "search": 3, "detail": 3, "api": 3}  # page p50 ÷ bare SQL p50, where bare > 5 ms
# What the page adds above its bare SQL (page p50 − bare p50): for light pages, whose SQL takes
# well under 5 ms, the ratio means nothing and this is the target instead.
OVERHEAD_TARGET_MS = {"list": 10, "search": 10, "detail": 10, "api": 10}
RATIO_APPLIES_ABOVE_MS = 5


@dataclass
class UserContext:
    """What the scenarios need to know about one benchmark user, prepared once."""

    username: str
    user_id: int
    role: str
    scope: str  # "own" | "team" | "all"
    office_path: str  # the user's office path, "/1/4/9/" (team scope)
    office_ids: list[int]  # the user's office subtree (team scope), as kehu.core.scopes looks it up
    customer_count: int  # customers in the user's scope
    detail_ids: list[int]  # customers in scope the 360° scenario cycles through
    chain_of_command_ids: set[int] = field(default_factory=set)  # of detail_ids: private notes visible
    extra: dict = field(default_factory=dict)  # for scenarios added later

    def scope_sql(self, alias: str = "c") -> tuple[str, list]:
        """The scope condition of kehu.core.scopes, hand-written."""
        if self.scope == "own":
            return f"{alias}.owner_id = %s", [self.user_id]
        if self.scope == "team":  # the subtree's ids, as Django sends them
            return f"{alias}.office_id IN ({', '.join(['%s'] * len(self.office_ids))})", list(self.office_ids)
        return "1 = 1", []

    def last_page(self, count: int | None = None) -> int:
        count = self.customer_count if count is None else count
        return max(1, -(-count // PAGE_SIZE))


@dataclass(frozen=True)
class Scenario:
    name: str
    group: str  # target class: list | search | detail | daily-plan | api | dashboard | report
    url: Callable[[UserContext, int], str]
    bare_sql: Callable[[object, UserContext, int], None]
    kind: str = "page"  # "page" | "report" (results JSON)
    weight: int = 1  # share in the concurrent mixed workload
    users: tuple[str, ...] = ("sales1", "director1", "gm")
    accept: str = "text/html"

    @property
    def p95_target_ms(self) -> float | None:
        return P95_TARGET_MS.get(self.group)

    @property
    def ratio_target(self) -> float | None:
        return RATIO_TARGET.get(self.group)

    @property
    def overhead_target_ms(self) -> float | None:
        return OVERHEAD_TARGET_MS.get(self.group)


# --- customer list -------------------------------------------------------------------------------

LIST_COLUMNS = ("c.id, c.code, c.name, c.grade, c.category, c.status, c.phone, c.completeness, c.updated_at, "
                "u.username, u.last_name, u.first_name, o.name")
DEFAULT_ORDER = "c.updated_at DESC, c.id DESC"


def customer_page_sql(db, ctx: UserContext, *, where: str = "", params: tuple = (), order: str = DEFAULT_ORDER,
                      page: int = 1, columns: str = LIST_COLUMNS, balances: bool = True) -> None:
    """What a customer list page needs: the count for the pager and the page's rows with the
    owner's and office's names, under the user's scope. The rows are found as a page of ids
    first (a deferred join: the OFFSET walks an index, not the wide rows), then joined."""
    scope, scope_params = ctx.scope_sql()
    condition = scope + (f" AND {where}" if where else "")
    all_params = [*scope_params, *params]
    db.fetchall(f"SELECT COUNT(*) FROM customers_customer c WHERE {condition}", all_params)
    rows = db.fetchall(f"SELECT {columns} FROM (SELECT c.id FROM customers_customer c WHERE {condition} "
                       f"ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}) p "
                       f"JOIN customers_customer c ON c.id = p.id LEFT JOIN accounts_user u ON u.id = c.owner_id "
                       f"LEFT JOIN accounts_office o ON o.id = c.office_id ORDER BY {order}", all_params)
    if balances and rows:
        # The balance owed column (receivables' ListColumn): open invoices and credit on account.
        ids = ",".join(str(row[0]) for row in rows)
        db.fetchall("SELECT customer_id, SUM(open_amount), MIN(due_on) FROM receivables_invoice "
                    f"WHERE customer_id IN ({ids}) AND open_amount > 0 GROUP BY customer_id", [])
        db.fetchall("SELECT customer_id, SUM(unallocated) FROM receivables_payment "
                    f"WHERE customer_id IN ({ids}) AND unallocated > 0 GROUP BY customer_id", [])
        db.fetchall("SELECT n.customer_id, SUM(n.amount - COALESCE((SELECT SUM(a.amount) FROM receivables_allocation a "
                    "WHERE a.credit_note_id = n.id AND a.withdrawn_on IS NULL), 0)) FROM sales_creditnote n "
                    f"WHERE n.customer_id IN ({ids}) GROUP BY n.customer_id", [])


def deep_page(ctx: UserContext) -> int:
    """80% of the way to the last page of the user's unfiltered list."""
    return max(1, int(ctx.last_page() * 0.8))


SEARCH_TERM = "商贸"


def _q(params: dict) -> str:
    return "?" + urlencode(params) if params else ""


# --- customer 360° ----------------------------------------------------------------------------------

def detail_sql(db, ctx: UserContext, i: int) -> None:
    """The card with owner/office/developer/filler names, its key people, the notes the user
    may read, the change history of card and people, reassignments and events."""
    pk = ctx.detail_ids[i % len(ctx.detail_ids)]
    scope, scope_params = ctx.scope_sql()
    db.fetchall(
        "SELECT c.*, u.username, u.last_name, u.first_name, o.name, d.username, d.last_name, d.first_name, "
        "f.username, f.last_name, f.first_name "
        "FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        "LEFT JOIN accounts_office o ON o.id = c.office_id LEFT JOIN accounts_user d ON d.id = c.developed_by_id "
        f"LEFT JOIN accounts_user f ON f.id = c.filled_by_id WHERE c.id = %s AND {scope}",
        [pk, *scope_params],
    )
    db.fetchall("SELECT * FROM customers_keyperson WHERE customer_id = %s ORDER BY is_current DESC, role, id", [pk])
    private = "" if pk in ctx.chain_of_command_ids else " AND NOT n.is_private"
    db.fetchall(
        "SELECT n.*, a.username, a.last_name, a.first_name FROM customers_customernote n "
        f"JOIN accounts_user a ON a.id = n.author_id WHERE n.customer_id = %s{private} "
        "ORDER BY n.created_at DESC, n.id DESC LIMIT 50", [pk])
    db.fetchall(
        "SELECT h.*, a.username, a.last_name, a.first_name FROM customers_historicalcustomer h "
        "LEFT JOIN accounts_user a ON a.id = h.history_user_id WHERE h.id = %s "
        "ORDER BY h.history_date DESC, h.history_id DESC LIMIT 31", [pk])
    db.fetchall(
        "SELECT h.*, a.username, a.last_name, a.first_name FROM customers_historicalkeyperson h "
        "LEFT JOIN accounts_user a ON a.id = h.history_user_id WHERE h.customer_id = %s "
        "ORDER BY h.history_date DESC, h.history_id DESC LIMIT 30", [pk])
    db.fetchall(
        "SELECT r.*, f.username, f.last_name, f.first_name, t.username, t.last_name, t.first_name, "
        "b.username, b.last_name, b.first_name FROM customers_reassignment r "
        "LEFT JOIN accounts_user f ON f.id = r.from_owner_id JOIN accounts_user t ON t.id = r.to_owner_id "
        "JOIN accounts_user b ON b.id = r.by_id WHERE r.customer_id = %s ORDER BY r.at DESC, r.id DESC LIMIT 30",
        [pk])
    db.fetchall(
        "SELECT e.*, b.username, b.last_name, b.first_name FROM customers_customerevent e "
        "LEFT JOIN accounts_user b ON b.id = e.by_id WHERE e.customer_id = %s ORDER BY e.at DESC, e.id DESC "
        "LIMIT 30", [pk])


# --- API ------------------------------------------------------------------------------------------------

API_COLUMNS = "c.*, u.last_name, u.first_name, o.name"


# --- orders, credit and returns (issue 4) ------------------------------------------------------------

def order_page_sql(db, ctx: UserContext) -> None:
    """The order list: the count for the pager and the newest 50 orders in scope with the
    customer's, the salesperson's and the office's names."""
    scope, params = ctx.scope_sql("o")
    db.fetchall(f"SELECT COUNT(*) FROM sales_order o WHERE {scope}", params)
    db.fetchall(
        "SELECT o.id, o.number, o.ordered_on, o.status, o.total, o.returned, c.code, c.name, u.username, "
        "u.last_name, u.first_name, f.name FROM sales_order o JOIN customers_customer c ON c.id = o.customer_id "
        "JOIN accounts_user u ON u.id = o.owner_id LEFT JOIN accounts_office f ON f.id = o.office_id "
        f"WHERE {scope} ORDER BY o.ordered_on DESC, o.id DESC LIMIT {PAGE_SIZE}", params)


def order_detail_sql(db, ctx: UserContext, i: int) -> None:
    """The order with its customer, lines and products, status history, returns and overrides."""
    ids = ctx.extra["order_ids"]
    pk = ids[i % len(ids)]
    scope, params = ctx.scope_sql("o")
    db.fetchall("SELECT o.*, c.code, c.name, u.username, u.last_name, u.first_name, f.name FROM sales_order o "
                "JOIN customers_customer c ON c.id = o.customer_id JOIN accounts_user u ON u.id = o.owner_id "
                f"LEFT JOIN accounts_office f ON f.id = o.office_id WHERE o.id = %s AND {scope}", [pk, *params])
    db.fetchall("SELECT l.*, p.code, p.name, p.unit FROM sales_orderline l JOIN sales_product p ON p.id = l.product_id "
                "WHERE l.order_id = %s ORDER BY l.id", [pk])
    db.fetchall("SELECT h.status, h.history_date, a.username FROM sales_historicalorder h LEFT JOIN accounts_user a "
                "ON a.id = h.history_user_id WHERE h.id = %s ORDER BY h.history_date, h.history_id", [pk])
    db.fetchall("SELECT r.* FROM sales_return r WHERE r.order_id = %s ORDER BY r.returned_on DESC, r.id DESC", [pk])
    db.fetchall("SELECT q.* FROM credit_creditrequest q WHERE q.order_id = %s ORDER BY q.created_at DESC", [pk])


def queue_sql(db, ctx: UserContext) -> None:
    """The approval queue: pending requests in scope with their signatures, then the exposure
    figures (limits, invoiced unpaid orders, confirmed uninvoiced orders) of their customers."""
    scope, params = ctx.scope_sql("c")
    rows = db.fetchall(
        "SELECT q.id, q.customer_id, q.amount, q.levels, c.name FROM credit_creditrequest q "
        f"JOIN customers_customer c ON c.id = q.customer_id WHERE q.status = 'pending' AND {scope} "
        "ORDER BY q.created_at, q.id", params)
    if not rows:
        return
    ids = [r[0] for r in rows]
    customers = sorted({r[1] for r in rows})
    marks, cmarks = ", ".join(["%s"] * len(ids)), ", ".join(["%s"] * len(customers))
    db.fetchall(f"SELECT * FROM credit_creditapproval WHERE request_id IN ({marks})", ids)
    db.fetchall(f"SELECT customer_id, \"limit\" FROM credit_creditaccount WHERE customer_id IN ({cmarks})", customers)
    db.fetchall(f"SELECT customer_id, total, returned, invoiced_on FROM sales_order WHERE customer_id IN ({cmarks}) "
                "AND status = 'invoiced'", customers)
    db.fetchall(f"SELECT customer_id, SUM(total - returned) FROM sales_order WHERE customer_id IN ({cmarks}) "
                "AND status IN ('confirmed', 'delivered') GROUP BY customer_id", customers)
    db.fetchall(f"SELECT * FROM sales_order WHERE customer_id IN ({cmarks}) AND status <> 'draft' "
                "ORDER BY ordered_on DESC", customers)


def returns_by_reason_sql(db, ctx: UserContext) -> None:
    """The returns analysis by reason over the last twelve months, in scope."""
    scope, params = ctx.scope_sql("r")
    db.fetchall(f"SELECT r.reason, SUM(r.amount), COUNT(*) FROM sales_return r WHERE {scope} "
                "AND r.returned_on >= %s GROUP BY r.reason ORDER BY 2 DESC",
                [*params, (date.today() - timedelta(days=365)).isoformat()])


# --- receivables (issue 5) ------------------------------------------------------------------------------

INVOICE_FROM = "FROM receivables_invoice v JOIN customers_customer c ON c.id = v.customer_id"


def _today() -> date:
    return date.today()


def invoice_page_sql(db, ctx: UserContext, *, overdue: bool = False) -> None:
    """The invoice list (kehu.receivables.views.invoice_list) as it opens, on the open invoices:
    the count for the pager, the totals of the filtered set, and the first 50 by due date with the customer's and
    the salesperson's names, found as a page of ids first (a deferred join)."""
    scope, params = ctx.scope_sql("c")
    where = scope + " AND v.open_amount > 0"  # the list opens with the open invoices (issue 12)
    if overdue:
        where += " AND v.due_on < %s"
        params = [*params, _today().isoformat()]
    db.fetchall(f"SELECT COUNT(*) {INVOICE_FROM} WHERE {where}", params)
    db.fetchall(f"SELECT COALESCE(SUM(v.amount), 0), COALESCE(SUM(v.open_amount), 0) {INVOICE_FROM} WHERE {where}",
                params)
    db.fetchall(
        "SELECT v.id, v.number, v.issued_on, v.due_on, v.amount, v.open_amount, c.id, c.code, c.name, u.username, "
        f"u.last_name, u.first_name FROM (SELECT v.id {INVOICE_FROM} WHERE {where} ORDER BY v.due_on, v.id "
        f"LIMIT {PAGE_SIZE}) p JOIN receivables_invoice v ON v.id = p.id JOIN customers_customer c "
        "ON c.id = v.customer_id LEFT JOIN accounts_user u ON u.id = c.owner_id ORDER BY v.due_on, v.id", params)


def payment_page_sql(db, ctx: UserContext) -> None:
    """The payment list: the count, the totals (received, on account, reversed) and the newest
    50 receipts with the customer, the office and the collector."""
    scope, params = ctx.scope_sql("c")
    frm = "FROM receivables_payment r JOIN customers_customer c ON c.id = r.customer_id"
    db.fetchall(f"SELECT COUNT(*) {frm} WHERE {scope}", params)
    db.fetchall("SELECT COALESCE(SUM(CASE WHEN r.reversed_on IS NULL THEN r.amount ELSE 0 END), 0), "
                "COALESCE(SUM(r.unallocated), 0), "
                f"COALESCE(SUM(CASE WHEN r.reversed_on IS NOT NULL THEN r.amount ELSE 0 END), 0) {frm} WHERE {scope}",
                params)
    db.fetchall(
        "SELECT r.id, r.number, r.received_on, r.method, r.amount, r.unallocated, r.reversed_on, c.id, c.code, "
        "c.name, o.name, u.username, u.last_name, u.first_name "
        f"FROM (SELECT r.id {frm} WHERE {scope} ORDER BY r.received_on DESC, r.id DESC LIMIT {PAGE_SIZE}) p "
        "JOIN receivables_payment r ON r.id = p.id JOIN customers_customer c ON c.id = r.customer_id "
        "JOIN accounts_office o ON o.id = r.office_id JOIN accounts_user u ON u.id = r.collector_id "
        "ORDER BY r.received_on DESC, r.id DESC", params)


def _group_key(ctx: UserContext) -> str:
    """The report's default grouping: a salesperson reads their customers, the others their
    salespeople (kehu.receivables.collection_forms.default_group)."""
    return "c.id" if ctx.scope == "own" else "c.owner_id"


def _labels(db, ctx: UserContext, keys) -> None:
    keys = sorted({k for k in keys if k is not None})
    if not keys:
        return
    marks = ", ".join(["%s"] * len(keys))
    if ctx.scope == "own":
        db.fetchall(f"SELECT id, name FROM customers_customer WHERE id IN ({marks})", keys)
    else:
        db.fetchall(f"SELECT id, username, last_name, first_name FROM accounts_user WHERE id IN ({marks})", keys)


# Ageing buckets (kehu.receivables.selectors.BUCKET_DAYS): days overdue, first and last.
AGEING_BUCKETS = [(1, 30), (31, 60), (61, 90), (91, 180), (181, None)]


def ageing_sql(db, ctx: UserContext) -> None:
    """The ageing report as of today (AR-3): open amounts in buckets of days overdue per
    salesperson (per customer for a salesperson), the credit on account per group (payments
    not allocated, credit notes not used), and the names of the groups."""
    today = _today()
    scope, params = ctx.scope_sql("c")
    key = _group_key(ctx)
    sums, bucket_params = ["SUM(CASE WHEN v.due_on >= %s THEN v.open_amount ELSE 0 END)"], [today.isoformat()]
    for first, last in AGEING_BUCKETS:
        condition = "v.due_on <= %s" + ("" if last is None else " AND v.due_on >= %s")
        sums.append(f"SUM(CASE WHEN {condition} THEN v.open_amount ELSE 0 END)")
        bucket_params.append((today - timedelta(days=first)).isoformat())
        if last is not None:
            bucket_params.append((today - timedelta(days=last)).isoformat())
    rows = db.fetchall(f"SELECT {key}, {', '.join(sums)} {INVOICE_FROM} WHERE {scope} AND v.open_amount > 0 "
                       f"AND v.issued_on <= %s GROUP BY {key}", [*bucket_params, *params, today.isoformat()])
    credit = db.fetchall(
        f"SELECT {key}, SUM(r.unallocated) FROM receivables_payment r JOIN customers_customer c "
        f"ON c.id = r.customer_id WHERE {scope} AND r.received_on <= %s AND r.reversed_on IS NULL "
        f"AND r.unallocated > 0 GROUP BY {key}", [*params, today.isoformat()])
    notes = db.fetchall(
        f"SELECT {key}, SUM(n.amount - COALESCE((SELECT SUM(a.amount) FROM receivables_allocation a "
        "WHERE a.credit_note_id = n.id AND a.\"on\" <= %s AND (a.withdrawn_on IS NULL OR a.withdrawn_on > %s)), 0)) "
        f"FROM sales_creditnote n JOIN customers_customer c ON c.id = n.customer_id WHERE {scope} "
        f"AND n.issued_on <= %s GROUP BY {key}", [today.isoformat(), today.isoformat(), *params, today.isoformat()])
    _labels(db, ctx, [r[0] for r in (*rows, *credit, *notes)])


def _month(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def collection_rate_sql(db, ctx: UserContext) -> None:
    """The collection rate of this month and of the month before (AR-4): per salesperson (per
    customer for a salesperson) what fell due, what credit notes and payments settled of it by
    the end of the period; and the names of the groups."""
    scope, params = ctx.scope_sql("c")
    key = _group_key(ctx)
    start, end = _month(_today())
    keys = []
    for first, last in ((start, end), _month(start - timedelta(days=1))):
        period = [first.isoformat(), last.isoformat()]
        due = db.fetchall(f"SELECT {key}, SUM(v.amount) {INVOICE_FROM} WHERE {scope} AND v.due_on >= %s "
                          f"AND v.due_on <= %s GROUP BY {key}", [*params, *period])
        settled = db.fetchall(
            f"SELECT {key}, SUM(CASE WHEN a.credit_note_id IS NOT NULL THEN a.amount ELSE 0 END), "
            "SUM(CASE WHEN a.payment_id IS NOT NULL THEN a.amount ELSE 0 END) FROM receivables_allocation a "
            f"JOIN receivables_invoice v ON v.id = a.invoice_id JOIN customers_customer c ON c.id = v.customer_id "
            f"WHERE {scope} AND v.due_on >= %s AND v.due_on <= %s AND a.\"on\" <= %s "
            f"AND (a.withdrawn_on IS NULL OR a.withdrawn_on > %s) GROUP BY {key}",
            [*params, *period, period[1], period[1]])
        keys += [r[0] for r in (*due, *settled)]
    _labels(db, ctx, keys)


def fixed(name: str, group: str, path: str, bare_sql, **options) -> Scenario:
    """A scenario whose page is one fixed path and whose bare SQL needs only the user's context."""
    return Scenario(name=name, group=group, url=lambda ctx, i: path,
                    bare_sql=lambda db, ctx, i: bare_sql(db, ctx), **options)


def api_page_sql(db, ctx):
    customer_page_sql(db, ctx, columns=API_COLUMNS, balances=False)


SCENARIOS: list[Scenario] = [
    fixed("list", "list", "/customers/", customer_page_sql, weight=3),
    Scenario(
        name="list filtered+sorted", group="list", weight=2,
        url=lambda ctx, i: "/customers/" + _q({"grade": "C", "status": "active", "sort": "name"}),
        bare_sql=lambda db, ctx, i: customer_page_sql(
            db, ctx, where="c.grade = %s AND c.status = %s", params=("C", "active"), order="c.name ASC, c.id ASC"),
    ),
    Scenario(
        name="list deep page", group="list", weight=1,
        url=lambda ctx, i: "/customers/" + _q({"page": deep_page(ctx)}),
        bare_sql=lambda db, ctx, i: customer_page_sql(db, ctx, page=deep_page(ctx)),
    ),
    Scenario(
        name="search", group="search", weight=2,
        url=lambda ctx, i: "/customers/" + _q({"q": SEARCH_TERM}),
        bare_sql=lambda db, ctx, i: customer_page_sql(
            db, ctx, where="c.search_text LIKE %s", params=(f"%{SEARCH_TERM}%",)),
    ),
    Scenario(
        name="detail", group="detail", weight=4,
        url=lambda ctx, i: f"/customers/{ctx.detail_ids[i % len(ctx.detail_ids)]}/",
        bare_sql=detail_sql,
    ),
    fixed("api list", "api", "/api/v1/customers/", api_page_sql, weight=2, accept="application/json"),
    fixed("order list", "list", "/sales/orders/", order_page_sql, weight=2),
    Scenario(
        name="order detail", group="detail", weight=2,
        url=lambda ctx, i: f"/sales/orders/{ctx.extra['order_ids'][i % len(ctx.extra['order_ids'])]}/",
        bare_sql=order_detail_sql,
    ),
    fixed("approval queue", "list", "/credit/queue/", queue_sql, users=("director1",)),
    fixed("returns analysis", "report", "/sales/returns/analysis/?by=reason", returns_by_reason_sql, kind="report"),
    # issue 5: receivables
    fixed("invoice list", "list", "/receivables/invoices/", invoice_page_sql, weight=2),
    Scenario(
        name="overdue invoices", group="list", weight=2,
        url=lambda ctx, i: "/receivables/invoices/" + _q({"status": "overdue"}),
        bare_sql=lambda db, ctx, i: invoice_page_sql(db, ctx, overdue=True),
    ),
    fixed("payment list", "list", "/receivables/payments/", payment_page_sql, weight=2),
    fixed("ageing", "report", "/receivables/ageing/", ageing_sql, kind="report"),
    fixed("collection rate", "report", "/receivables/collection-rate/", collection_rate_sql, kind="report"),
]


# --- after-sales service and complaints (issue 14) ------------------------------------------------------

COMPLAINT_FROM = "FROM service_complaint k JOIN customers_customer c ON c.id = k.customer_id"


def complaint_page_sql(db, ctx: UserContext) -> None:
    """The complaint list of every status: the count for the pager and the newest 50 complaints in
    scope with the customer's code and name and the handler's name."""
    scope, params = ctx.scope_sql("c")
    db.fetchall(f"SELECT COUNT(*) {COMPLAINT_FROM} WHERE {scope}", params)
    db.fetchall(
        "SELECT k.id, k.kind, k.severity, k.status, k.step, k.received_at, k.resolve_by, k.amount_claimed, c.code, "
        f"c.name, h.username, h.last_name, h.first_name {COMPLAINT_FROM} JOIN accounts_user h ON h.id = k.handler_id "
        f"WHERE {scope} ORDER BY k.received_at DESC, k.id DESC LIMIT {PAGE_SIZE}", params)


def complaint_detail_sql(db, ctx: UserContext, i: int) -> None:
    """The handling page: the complaint with its customer, owner, handler, receiver, order and
    product; its steps with who took them; escalations, breaches, three-changes actions, the
    customer's answer; the reply scripts of its type and the authority limits."""
    ids = ctx.extra["complaint_ids"]
    pk = ids[i % len(ids)]
    scope, params = ctx.scope_sql("c")
    found = db.fetchall(
        "SELECT k.*, c.code, c.name, c.phone, u.username, u.last_name, u.first_name, h.username, h.last_name, "
        "h.first_name, r.username, r.last_name, r.first_name, o.number, p.name "
        f"{COMPLAINT_FROM} LEFT JOIN accounts_user u ON u.id = c.owner_id JOIN accounts_user h ON h.id = k.handler_id "
        "JOIN accounts_user r ON r.id = k.received_by_id LEFT JOIN sales_order o ON o.id = k.order_id "
        f"LEFT JOIN sales_product p ON p.id = k.product_id WHERE k.id = %s AND {scope}", [pk, *params])
    db.fetchall("SELECT s.*, u.username, u.last_name, u.first_name FROM service_complaintstep s "
                "JOIN accounts_user u ON u.id = s.by_id WHERE s.complaint_id = %s ORDER BY s.at, s.id", [pk])
    for table in ("service_escalation", "service_breach", "service_change", "service_satisfaction"):
        db.fetchall(f"SELECT * FROM {table} WHERE complaint_id = %s", [pk])
    if found:
        db.fetchall("SELECT * FROM service_replyscript WHERE active AND (kind = %s OR kind = '') ORDER BY \"order\"",
                    [found[0][6]])
    db.fetchall("SELECT role, max_amount FROM service_authoritylimit", [])


def complaint_analysis_sql(db, ctx: UserContext) -> None:
    """The complaint analysis over the past year by type: each complaint's times, whether it missed
    a deadline and its satisfaction answer (the medians are taken from these rows)."""
    scope, params = ctx.scope_sql("c")
    start, end = _year_back()
    db.fetchall(
        "SELECT k.id, k.received_at, k.first_response_at, k.closed_at, k.kind, "
        "EXISTS (SELECT 1 FROM service_breach b WHERE b.complaint_id = k.id), s.rating "
        f"{COMPLAINT_FROM} LEFT JOIN service_satisfaction s ON s.complaint_id = k.id "
        f"WHERE {scope} AND k.received_at >= %s AND k.received_at < %s", [*params, start, end])


def _year_back() -> tuple[str, str]:
    """The past year up to the end of today, as the analysis's period asks: [start, end)."""
    today = _today()
    return (today - timedelta(days=365)).isoformat(), (today + timedelta(days=1)).isoformat()


def analysis_url(path: str) -> str:
    today = _today()
    return path + _q({"by": "kind", "date_from": (today - timedelta(days=365)).isoformat(),
                      "date_to": today.isoformat()})


# --- keeping in touch (issue 15) ---------------------------------------------------------------------------

# The kinds of touch that count for the cadence by default (relations.CadencePolicy).
COUNTING_KINDS = ("visit", "phone", "event")


def cadence_sql(db, ctx: UserContext, *, owner_only: bool = False) -> list:
    """Each active customer or prospect in scope (or the user's own) with its grade, entry date
    and last counting touch: what the due list and the plan's due contacts are worked out from."""
    scope, params = ctx.scope_sql("c") if not owner_only else ("c.owner_id = %s", [ctx.user_id])
    kinds = ", ".join(["%s"] * len(COUNTING_KINDS))
    return db.fetchall(
        "SELECT c.id, c.code, c.name, c.grade, c.status, c.phone, c.created_at, u.username, u.last_name, "
        "u.first_name, o.name, (SELECT t.\"on\" FROM relations_touch t WHERE t.customer_id = c.id "
        f"AND t.kind IN ({kinds}) ORDER BY t.\"on\" DESC LIMIT 1) FROM customers_customer c LEFT JOIN accounts_user u ON u.id = c.owner_id "
        f"LEFT JOIN accounts_office o ON o.id = c.office_id WHERE {scope} AND c.status IN ('active', 'prospect')",
        [*COUNTING_KINDS, *params])


def due_list_sql(db, ctx: UserContext) -> None:
    db.fetchall("SELECT * FROM relations_cadencepolicy", [])
    cadence_sql(db, ctx)


def plan_sql(db, ctx: UserContext) -> None:
    """The daily plan of a salesperson: the day's stored entries, then what every app has due for
    them today — contacts by cadence, collection tasks and promises of their customers, service
    orders, commitments and follow-ups assigned to them, complaint deadlines they handle."""
    today = _today().isoformat()
    me = [ctx.user_id]
    db.fetchall("SELECT * FROM relations_planentry WHERE user_id = %s AND day = %s ORDER BY position, id", [*me, today])
    cadence_sql(db, ctx, owner_only=True)
    db.fetchall("SELECT t.*, c.name FROM receivables_collectiontask t JOIN customers_customer c ON c.id = t.customer_id "
                "WHERE c.owner_id = %s AND t.status = 'open' AND t.due_on <= %s", [*me, today])
    db.fetchall("SELECT p.*, c.name FROM receivables_promise p JOIN customers_customer c ON c.id = p.customer_id "
                "WHERE c.owner_id = %s AND p.status = 'open' AND p.promised_on <= %s", [*me, today])
    db.fetchall("SELECT s.*, c.name FROM service_serviceorder s JOIN customers_customer c ON c.id = s.customer_id "
                "WHERE s.assignee_id = %s AND s.status = 'open' AND s.due_on <= %s", [*me, today])
    db.fetchall("SELECT o.*, m.description, c.name FROM service_occurrence o JOIN service_commitment m "
                "ON m.id = o.commitment_id JOIN customers_customer c ON c.id = m.customer_id "
                "WHERE m.owner_id = %s AND o.status = 'open' AND o.due_on <= %s", [*me, today])
    db.fetchall("SELECT f.*, c.name FROM service_followup f JOIN customers_customer c ON c.id = f.customer_id "
                "WHERE f.assignee_id = %s AND f.status = 'open' AND f.due_on <= %s", [*me, today])
    db.fetchall(f"SELECT k.id, k.respond_by, k.resolve_by, c.name {COMPLAINT_FROM} WHERE k.handler_id = %s "
                "AND k.status <> 'closed' AND k.resolve_by < %s", [*me, (_today() + timedelta(days=1)).isoformat()])
    db.fetchall("SELECT p.name, p.birth_date, c.name FROM customers_keyperson p JOIN customers_customer c "
                "ON c.id = p.customer_id WHERE c.owner_id = %s AND p.is_current AND p.birth_date IS NOT NULL", me)


# --- the pool (issue 16) -----------------------------------------------------------------------------------

def pool_page_sql(db, ctx: UserContext) -> None:
    """The pool list: shared by everyone who may claim or assign, newest in the pool first."""
    db.fetchall("SELECT COUNT(*) FROM customers_customer c WHERE c.in_pool", [])
    db.fetchall(
        "SELECT c.id, c.code, c.name, c.grade, c.category, c.status, c.address, c.pooled_at, o.name "
        "FROM customers_customer c LEFT JOIN accounts_office o ON o.id = c.office_id WHERE c.in_pool "
        f"ORDER BY c.pooled_at DESC, c.id DESC LIMIT {PAGE_SIZE}", [])


def defection_page_sql(db, ctx: UserContext) -> None:
    """The at-risk and lost customers in scope (open ones), largest lost value first, with the
    customer's name, grade and owner and the number and last day of the win-back attempts."""
    scope, params = ctx.scope_sql("c")
    where = f"{scope} AND d.state IN ('at_risk', 'lost')"
    db.fetchall("SELECT COUNT(*) FROM loyalty_defection d JOIN customers_customer c ON c.id = d.customer_id "
                f"WHERE {where}", params)
    db.fetchall(
        "SELECT d.id, d.state, d.at_risk_on, d.lost_on, d.expected_days, d.last_purchase_on, d.lost_value, d.reason, "
        "c.code, c.name, c.grade, u.username, u.last_name, u.first_name, "
        "(SELECT COUNT(*) FROM loyalty_winbackattempt a WHERE a.defection_id = d.id), "
        "(SELECT MAX(a.\"on\") FROM loyalty_winbackattempt a WHERE a.defection_id = d.id) "
        "FROM loyalty_defection d JOIN customers_customer c ON c.id = d.customer_id "
        f"LEFT JOIN accounts_user u ON u.id = c.owner_id WHERE {where} ORDER BY d.lost_value DESC, d.id DESC "
        f"LIMIT {PAGE_SIZE}", params)


SCENARIOS += [
    fixed("complaint list", "list", "/service/complaints/?status=", complaint_page_sql, weight=1),
    Scenario(
        name="complaint handling", group="detail", weight=1,
        url=lambda ctx, i: f"/service/complaints/{ctx.extra['complaint_ids'][i % len(ctx.extra['complaint_ids'])]}/",
        bare_sql=complaint_detail_sql,
    ),
    Scenario(name="complaint analysis", group="report", kind="report", url=lambda ctx, i: analysis_url(
        "/service/complaints/analysis/"), bare_sql=lambda db, ctx, i: complaint_analysis_sql(db, ctx)),
    fixed("daily plan", "daily-plan", "/relations/plan/", plan_sql, weight=2, users=("sales1",)),
    fixed("contacts due", "list", "/relations/due/", due_list_sql, weight=1, users=("sales1", "director1")),
    fixed("pool list", "list", "/customers/pool/", pool_page_sql, weight=1),
    fixed("at-risk list", "list", "/loyalty/lost/", defection_page_sql, weight=1, users=("sales1", "director1", "gm")),
]
