"""Fixtures shared by every test: an office tree and one user per role, with customers.

    HQ ─ East region ─┬─ Shanghai office ─ Team 1   (owner, teammate salespeople; director)
                      └─ Hangzhou office            (outsider salesperson, other director)
"""

import threading
from decimal import Decimal

import pytest

from kehu.accounts.models import Office, User
from kehu.core.roles import Role

PASSWORD = "kehu-test-pass-2026"
# The keys of `users`, and who of them sees the customers of Shanghai team 1 (`customer`) and
# of Hangzhou (`outsider_customer`) (CUS-5).
ROLES = ["owner", "teammate", "outsider", "director", "other_director", "manager", "vp", "gm", "service",
         "finance", "admin"]
SEES_SHANGHAI = {"owner", "director", "manager", "vp", "gm", "service", "finance", "admin"}
SEES_HANGZHOU = {"outsider", "other_director", "manager", "vp", "gm", "service", "finance", "admin"}


def rule(rule_id: str):
    """Mark a test with the DOMAIN.md rule it checks: @rule("CUS-5")."""
    return pytest.mark.rule(rule_id)


def expected_status(role, sees, *, allowed=True, ok=200, money=False) -> int:
    """What a scoped page or endpoint answers `role`: outside the scope (`sees`) 404; in it, a
    role the rule does not allow 403, else `ok`. With `money`, after-sales service staff are
    refused (403) first: receivables are not their function."""
    if money and role == "service":
        return 403
    if role not in sees:
        return 404
    return ok if allowed else 403


def api_list(api, url, params=None, *, field="id") -> list:
    """`field` of each row on the first page of a list endpoint, which must answer 200."""
    response = api.get(url, params or {})
    assert response.status_code == 200, response.content
    return [row[field] for row in response.json()["results"]]


def at_once(work, arguments, *, refused=(Exception,)) -> list:
    """Run work(argument) in a thread each (each with its own database connection), all
    released at the same moment: what each returned, or the `refused` exception it raised."""
    from django.db import connection

    start = threading.Barrier(len(arguments))
    outcomes = []

    def run(argument):
        try:
            start.wait()
            outcomes.append(work(argument))
        except refused as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def offices(db):
    hq = Office.objects.create(name="总部", code="HQ", kind=Office.Kind.HEADQUARTERS)
    east = Office.objects.create(name="华东大区", code="EAST", kind=Office.Kind.REGION, parent=hq)
    shanghai = Office.objects.create(name="上海办事处", code="SH", kind=Office.Kind.OFFICE, parent=east)
    team = Office.objects.create(name="上海一组", code="SH1", kind=Office.Kind.TEAM, parent=shanghai)
    hangzhou = Office.objects.create(name="杭州办事处", code="HZ", kind=Office.Kind.OFFICE, parent=east)
    return {"hq": hq, "east": east, "shanghai": shanghai, "team": team, "hangzhou": hangzhou}


def make_user(username, role, office, **extra):
    return User.objects.create_user(username=username, password=PASSWORD, role=role, office=office, **extra)


@pytest.fixture
def users(offices):
    """One user per role. `owner` and `teammate` sell in Shanghai team 1, `outsider` in Hangzhou."""
    o = offices
    return {
        "owner": make_user("owner", Role.SALESPERSON, o["team"], last_name="张", first_name="伟"),
        "teammate": make_user("teammate", Role.SALESPERSON, o["team"], last_name="李", first_name="娜"),
        "outsider": make_user("outsider", Role.SALESPERSON, o["hangzhou"], last_name="王", first_name="芳"),
        "director": make_user("director", Role.DIRECTOR, o["shanghai"], last_name="刘", first_name="洋"),
        "other_director": make_user("other_director", Role.DIRECTOR, o["hangzhou"]),
        "manager": make_user("manager", Role.SALES_MANAGER, o["east"]),
        "vp": make_user("vp", Role.MARKETING_VP, o["hq"]),
        "gm": make_user("gm", Role.GENERAL_MANAGER, o["hq"]),
        "service": make_user("service", Role.SERVICE, o["hq"]),
        "finance": make_user("finance", Role.FINANCE, o["hq"]),
        "admin": make_user("admin", Role.ADMIN, o["hq"], is_staff=True),
    }


@pytest.fixture
def customer(users):
    """A customer owned by `owner` (Shanghai team 1)."""
    from kehu.customers.tests.builders import new_customer

    return new_customer(by=users["owner"], name="上海恒丰商贸有限公司", category="wholesaler_1", phone="021-5555 0101",
                    address="上海市浦东新区张江路1号")


@pytest.fixture
def outsider_customer(users):
    """A customer of another office (Hangzhou)."""
    from kehu.customers.tests.builders import new_customer

    return new_customer(by=users["outsider"], name="杭州西湖百货商店", category="key_retailer", phone="0571-8888 0202")


@pytest.fixture
def thresholds(db):
    """CRD-2 thresholds: the director signs everything, the manager from 100k, the VP from
    500k, the GM from 1m (as the data migration sets them)."""
    from kehu.credit.models import ApprovalThreshold

    ApprovalThreshold.objects.all().delete()
    for level, amount in [("director", "0"), ("sales_manager", "100000"), ("marketing_vp", "500000"),
                          ("general_manager", "1000000")]:
        ApprovalThreshold.objects.create(level=level, min_amount=Decimal(amount))


@pytest.fixture
def product(db):
    """¥100.00 a bag: order quantities are hundreds of yuan."""
    from kehu.sales.tests.builders import ProductFactory

    return ProductFactory(code="P001", name="洗衣粉 5kg", spec="5kg/袋", unit="袋", list_price=Decimal("100.00"))


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client logged in as that user."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture
def in_english():
    """Messages of the services compared as written in the source (Chinese is the default).
    A module asks for it with pytestmark = pytest.mark.usefixtures("in_english")."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def english_client(client):
    """The test client (and so client_for) asking for English pages and API answers."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def en(client_for, english_client):
    """client_for(user) with the pages in English, so that messages compare exactly."""
    return client_for


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    """Tests render pages without running collectstatic first, and hash passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()  # choices cached per user must not leak from one test's data into another's
    # Test data spans years of history (ageing, collection rates): the back-dating window of
    # AR-1 is wide open and no period is closed, except in the tests of those rules.
    settings.KEHU_BACKDATE_DAYS = 100 * 366
    settings.KEHU_BOOKS_CLOSED_THROUGH = None
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def page_within(django_assert_max_num_queries):
    """page_within(client, url, params, queries): the page answered within `queries` SQL queries,
    after the page without parameters was asked for once (the session and the user's choices
    are then cached, as for anyone working)."""

    def get(client, url, params=None, *, queries: int):
        client.get(url)
        with django_assert_max_num_queries(queries):
            response = client.get(url, params or {})
        assert response.status_code == 200
        return response

    return get


@pytest.fixture
def consumer(tmp_path):
    """A real consumer with one worker thread, on a queue file of its own, stopped afterwards.
    The test must be transactional (django_db(transaction=True)): the worker reads committed data."""
    from django.db import connections
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    assert not HUEY.immediate
    storage = HUEY.storage
    HUEY.storage = SqliteStorage(name=HUEY.name, filename=str(tmp_path / "huey.sqlite3"))
    # The worker thread's own database connection closes with it, or the test database could
    # not be dropped (PostgreSQL) at the end of the run.
    HUEY.on_shutdown(name="close_test_connections")(connections.close_all)
    consumer = HUEY.create_consumer(workers=1, periodic=False, initial_delay=0.05, max_delay=0.5)
    consumer._set_signal_handlers = lambda: None  # Python sets signal handlers in the main thread only
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    yield consumer
    consumer.stop(graceful=True)
    thread.join(timeout=30)
    HUEY.unregister_on_shutdown("close_test_connections")
    HUEY.storage = storage


@pytest.fixture
def large_imports(settings, monkeypatch, tmp_path):
    """Every import file runs as a job, and the job writes its progress as often as it can;
    the job files of the test in a directory of its own."""
    from kehu.core import jobs

    settings.KEHU_JOB_INLINE_BYTES = 0
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(jobs, "JOB_DIR", tmp_path / "jobs")
