"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server, which runs in a thread of this process on a transactional test database.

Fixtures: ``browser`` (one Chromium per session), ``page`` (a fresh context per test,
zh-CN), ``server`` (the live server, serving static files). Helper: ``login(page, server,
username)``. The users, offices and customers come from the shared fixtures in the root
conftest.py (password ``PASSWORD``).

A test also fails when its page threw a JavaScript error or a static file failed to load;
on failure a screenshot is saved under e2e/artifacts/.
"""

import os
import re
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; the live server and the fixtures
# use the ORM synchronously from the same process. Must be set before Django checks it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from conftest import PASSWORD  # noqa: E402

CHROMIUM = os.environ.get("KEHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test-e2e` (installs it as root) or set KEHU_CHROMIUM.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(browser, request) -> Page:
    """A fresh browser context per test (no cookies carried over), in Simplified Chinese."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    # A script or style the Content-Security-Policy blocks is reported on the console.
    page.on("console", lambda message: problems.append(f"Blocked: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text else None)
    page.on(
        "response",
        lambda response: problems.append(f"HTTP {response.status} for {response.url}")
        if "/static/" in response.url and response.status >= 400
        else None,
    )
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}.png"), full_page=True)
    context.close()
    assert not problems, "the page had errors:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    # Production settings use whitenoise's manifest storage, which needs collectstatic;
    # the live server serves static files straight from the finders instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def server(live_server, transactional_db):
    """The running Kehu (pytest-django's live_server): ``server.url`` is its base URL."""
    return live_server


def submit_login(page: Page, server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def login(page: Page, server, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page and check that it landed on the home page."""
    submit_login(page, server, username, password)
    expect(page).to_have_url(f"{server.url}/")
    expect(page.locator("#user-menu")).to_be_attached()  # inside the collapsed navbar on a phone
