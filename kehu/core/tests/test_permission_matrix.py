"""The permission matrix, generated from the capability table: every role against every page
and endpoint (kehu/<app>/tests/routes.py), for a record of a customer of the Shanghai office
(owned by `owner`) and of one of the Hangzhou office. The status is computed, not written:
anonymous → the login page (pages) or 401/403 (API); outside the role's scope → 404 (the
record's existence is not revealed); without the capability → 403; else the route's success.
Refused requests change nothing; allowed ones do what they say. Every URL that takes an id
must be in the matrix (test_it_leaves_no_route_with_an_id_out_of_the_matrix)."""

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from conftest import rule
from kehu.accounts.tests.routes import ROUTES as ACCOUNTS
from kehu.core.capabilities import table
from kehu.core.roles import Role
from kehu.core.tests import matrix
from kehu.core.tests.matrix import ROLES, SEES, Ctx, Route, Side, expected, holds
from kehu.core.tests.routes import ROUTES as CORE
from kehu.credit.models import CreditRequest
from kehu.credit.tests.routes import ROUTES as CREDIT
from kehu.customers.models import Customer
from kehu.customers.tests.routes import ROUTES as CUSTOMERS
from kehu.loyalty.tests.routes import ROUTES as LOYALTY
from kehu.receivables import services as receivables
from kehu.receivables.capabilities import SEE_RECEIVABLES
from kehu.receivables.models import Allocation, CollectionPlan, Invoice, Payment, Promise
from kehu.receivables.tests.routes import ROUTES as RECEIVABLES
from kehu.relations.tests.routes import ROUTES as RELATIONS
from kehu.reminders.tests.routes import ROUTES as REMINDERS
from kehu.sales.models import Order, Return
from kehu.sales.tests.routes import ROUTES as SALES
from kehu.service.tests.routes import ROUTES as SERVICE

pytestmark = pytest.mark.django_db

ROUTES: list[Route] = [*CORE, *ACCOUNTS, *CUSTOMERS, *SALES, *CREDIT, *RECEIVABLES, *RELATIONS, *REMINDERS,
                      *SERVICE, *LOYALTY]
LOGIN = "/accounts/login/"


def each(routes):
    return [pytest.param(route, id=route.label, marks=rule(route.rule)) for route in routes]


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def url_of(route: Route, made, args=None) -> str:
    url = reverse(route.name, args=route.args(made) if args is None else args)
    return url + "?" + urlencode(route.query(made)) if route.query else url


def call(client: Client, route: Route, made, args=None):
    url = url_of(route, made, args)
    body = route.body(made)
    if url.startswith("/api/"):
        if route.method == "get":
            return client.get(url)
        return getattr(client, route.method)(url, body or {}, content_type="application/json")
    return client.get(url) if route.method == "get" else getattr(client, route.method)(url, body or {})


@pytest.fixture
def ctx(users, product, customer, thresholds):
    return Ctx(users=users, product=product, customer=customer)


@pytest.fixture
def sides(customer, outsider_customer):
    return [Side("shanghai", customer, "owner", "director"), Side("hangzhou", outsider_customer, "outsider",
                                                                  "other_director")]


def attempt(route: Route, role: str, user, side, made) -> tuple | None:
    """One role's request, rolled back afterwards so that every role meets the same records.
    Returns what went wrong, or None."""
    want, allowed = expected(route, role, user, side)
    with transaction.atomic():
        cache.clear()  # counts and choices cached per user must not outlive the rollback
        before = route.state(made) if route.state else None
        response = call(login(user), route, made)
        after = route.state(made) if route.state else None
        transaction.set_rollback(True)
    if response.status_code != want:
        return response.status_code, want, response.content[:200]
    if route.state and (before != after) != (allowed and route.changes):
        return "changed" if before != after else "unchanged", before, after
    return None


@pytest.mark.parametrize("route", each(ROUTES))
def test_it_gives_every_role_the_status_the_table_and_the_scopes_say(route, ctx, sides, users):
    wrong = {}
    for side in sides if route.scoped else [None]:
        with transaction.atomic():
            made = route.make(ctx, side) if route.make else {}
            for role in ROLES:
                problem = attempt(route, role, users[role], side, made)
                if problem:
                    wrong[(side.office if side else "-", role)] = problem
            transaction.set_rollback(True)
    assert not wrong, wrong


@pytest.mark.parametrize("route", each(ROUTES))
def test_it_refuses_anonymous_users_and_changes_nothing(route, ctx, sides):
    side = sides[0] if route.scoped else None
    made = route.make(ctx, side) if route.make else {}
    before = route.state(made) if route.state else None
    response = call(Client(), route, made)
    if route.public:
        assert response.status_code == route.ok, response.status_code
    elif url_of(route, made).startswith("/api/"):
        assert response.status_code in (401, 403), response.status_code
    else:
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), response.status_code
    assert (route.state(made) if route.state else None) == before


def _with_ids(args, bad):
    return [bad if isinstance(arg, int) else arg for arg in args]


@rule("PLT-2")
@pytest.mark.parametrize("route", each(r for r in ROUTES if r.method == "get" and r.make and r.scoped))
def test_it_answers_404_for_an_id_that_is_no_record(route, ctx, sides, users):
    made = route.make(ctx, sides[0])
    client = login(users["admin"])  # holds everything a read needs, sees everything
    assert call(client, route, made).status_code == 200
    bad_ids = [999999, 10**30] + (["abc"] if url_of(route, made).startswith("/api/") else [])
    for bad in bad_ids:
        args = _with_ids(route.args(made), bad)
        if args == route.args(made):
            continue  # the id is in the query string
        try:
            reverse(route.name, args=args)
        except NoReverseMatch:
            continue  # the URL takes digits only: "abc" is no route at all
        assert call(client, route, made, args=args).status_code == 404, bad


# --- every list shows the scope and nothing else -------------------------------------------------------------

SEE = (SEE_RECEIVABLES,)


def _list_checks():
    see = SEE
    return [("customer-list", Customer, "pk", ()), ("order-list", Order, "customer", ()),
            ("return-list", Return, "customer", ()), ("credit-request-list", CreditRequest, "customer", ()),
            ("invoice-list", Invoice, "customer", see), ("payment-list", Payment, "customer", see),
            ("allocation-list", Allocation, "invoice__customer", see), ("promise-list", Promise, "customer", see),
            ("collection-plan-list", CollectionPlan, "customer", see)]


@rule("PLT-2")
@pytest.mark.parametrize("role", ROLES)
def test_it_lists_only_the_records_of_the_scope(role, ctx, sides, users):
    for side in sides:
        matrix.a_return(ctx, side)
        made = matrix.invoiced(ctx, side)
        receivables.payment_post(by=users[side.who], customer=side.customer, amount="30", method="cash",
                                 allocations=[{"invoice": made["invoice"], "amount": "30"}])
        matrix.promise(ctx, side)
        matrix.plan(ctx, side)
        matrix.limit_request(ctx, side)
    client = login(users[role])
    in_scope = [side.customer.pk for side in sides if role in side.sees]
    for name, model, field, gate in _list_checks():
        response = client.get(reverse(name))
        if not holds(users[role], gate):
            assert (response.status_code, response.json()["detail"]) == (
                403, "Your role does not work with receivables."), name
            continue
        listed = {row["id"] for row in response.json()["results"]}
        assert listed == set(model.objects.filter(**{f"{field}__in": in_scope}).values_list("pk", flat=True)), name
        assert listed or not in_scope, name
    ageing = client.get(reverse("ageing"))
    if holds(users[role], SEE):
        assert {row["key"] for row in ageing.json()["rows"]} == set(in_scope)
    else:
        assert ageing.status_code == 403
    requests = {r.customer_id for r in client.get(reverse("credit:requests")).context["page"].object_list}
    assert requests == set(in_scope)
    waiting = {row["request"].customer_id for row in client.get(reverse("credit:queue")).context["rows"]}
    assert waiting == {side.customer.pk for side in sides if side.director == role}


# --- the table itself --------------------------------------------------------------------------------------

EVERY = set(Role)
MANAGERS = {Role.DIRECTOR, Role.SALES_MANAGER, Role.MARKETING_VP, Role.GENERAL_MANAGER}


@rule("PLT-2")
def test_the_table_gives_each_role_what_the_rules_say():
    """The matrix trusts the table; this pins the table to the rules (DOMAIN.md)."""
    assert {c.key: set(c.roles) for c in table()}.items() >= {
        "edit_customers": EVERY - {Role.SERVICE, Role.FINANCE},
        "reassign_customers": MANAGERS | {Role.ADMIN},  # CUS-5
        "set_credit_terms": MANAGERS,  # CRD-2: grade and payment terms
        "handle_orders": EVERY - {Role.SERVICE},
        "take_orders": EVERY - {Role.SERVICE, Role.FINANCE},
        "maintain_products": {Role.ADMIN},  # ORD-1
        "see_receivables": EVERY - {Role.SERVICE},
        "collect": {Role.SALESPERSON, Role.DIRECTOR, Role.SALES_MANAGER, Role.FINANCE, Role.ADMIN},  # AR-1, AR-2
        "keep_ledger": {Role.FINANCE, Role.ADMIN},
        "request_credit": EVERY - {Role.SERVICE, Role.FINANCE},
        "sign_credit": MANAGERS,  # CRD-2
    }.items()
    assert set(SEES) == {"shanghai", "hangzhou"}


# --- no route with an id outside the matrix -----------------------------------------------------------------

ID_PARAMETER = re.compile(r"(^|_)pk$")
IGNORED_NAMESPACES = {"admin"}


def routes_with_an_id(resolver=None, namespace=""):
    """The URL names (namespaced as `reverse` takes them) of every pattern that takes an id,
    pages and API alike; the admin is Django's own."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in IGNORED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= routes_with_an_id(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            parameters = set(pattern.pattern.regex.groupindex)
            if any(ID_PARAMETER.search(p) for p in parameters):
                names.add(f"{namespace}{pattern.name}")
    return names


@rule("PLT-2")
def test_it_leaves_no_route_with_an_id_out_of_the_matrix():
    with_id = routes_with_an_id()
    assert {"customers:person_edit", "sales:order_detail", "order-detail", "panel"} <= with_id  # the walk works
    missing = sorted(with_id - {route.name for route in ROUTES})
    assert not missing, f"routes that take an id but are not in the permission matrix: {missing}"
