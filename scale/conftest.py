"""The scale-out tests (issue 17) run against live servers that scripts/test-scale.sh started
as docs/deploy.md says: one PostgreSQL, one Redis, two gunicorn nodes (KEHU_SCALE_NODES) and
two workers (KEHU_SCALE_WORKERS, their pids). This process reads and writes that same
database directly (no test database, nothing flushed), and queues into the same Redis.

Only `make test-scale` collects this folder (pyproject's testpaths is kehu/)."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scale.http import Browser, wait_for

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "scale-out-pass-2026"


def _nodes() -> list[int]:
    value = os.environ.get("KEHU_SCALE_NODES", "")
    if not value:
        raise pytest.UsageError("KEHU_SCALE_NODES is not set: run the scale-out tests with `make test-scale`.")
    return [int(address.rsplit(":", 1)[1]) for address in value.split(",")]


@pytest.fixture(scope="session")
def django_db_setup():
    """The live database scripts/test-scale.sh migrated: used as it is."""


@pytest.fixture(scope="session", autouse=True)
def live_database(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def nodes() -> list[int]:
    """The ports of the two app nodes, A and B."""
    ports = _nodes()
    assert len(ports) >= 2, ports
    return ports


@pytest.fixture(scope="session")
def workers() -> list[int]:
    pids = [int(p) for p in os.environ.get("KEHU_SCALE_WORKERS", "").split(",") if p]
    assert len(pids) >= 2, "two workers (`kehu worker`) must run: KEHU_SCALE_WORKERS"
    return pids


@pytest.fixture(scope="session")
def world():
    """An office with a salesperson, a finance clerk and a product, made through the services
    (names carry a tag of this run, so a second run in the same database meets no duplicate)."""
    from kehu.accounts.models import Office, User
    from kehu.core.roles import Role
    from kehu.sales.tests.builders import ProductFactory

    tag = secrets.token_hex(3)
    hq = Office.objects.filter(parent__isnull=True).first() or Office.objects.create(
        name="总部", code="HQ", kind=Office.Kind.HEADQUARTERS)
    office = Office.objects.create(name=f"扩展办事处{tag}", code=f"S{tag}", kind=Office.Kind.OFFICE, parent=hq)

    def user(name, role, at):
        return User.objects.create_user(username=f"{name}-{tag}", password=PASSWORD, role=role, office=at,
                                        last_name="扩", first_name=name)

    return {"tag": tag, "office": office, "seller": user("seller", Role.SALESPERSON, office),
            "finance": user("finance", Role.FINANCE, hq),
            "product": ProductFactory(code=f"P{tag}", name=f"洗衣粉{tag}", list_price="100.00")}


@pytest.fixture
def login(nodes):
    """login(user, node=0) → a Browser signed in on that node (its cookies go to any node)."""
    def sign_in(user, node: int = 0) -> Browser:
        browser = Browser(nodes)
        browser.login(user.username, PASSWORD, node=node)
        return browser
    return sign_in


@pytest.fixture
def spare_node(tmp_path):
    """A third node, started here with the same environment as A and B, for a test to kill."""
    from scale.http import free_port, healthy

    port = free_port()
    data = tmp_path / "node-c"
    data.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kehu.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "60", "--log-level", "error"],
        cwd=ROOT, env={**os.environ, "KEHU_DATA_DIR": str(data)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: healthy(port), "the third node")
        yield port, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
        time.sleep(0)
