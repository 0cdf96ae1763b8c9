"""pytest plugin: in CI a skipped test is a failed test.

Load it with ``-p kehu.core.pytest_noskip`` (the Makefile does). When the environment
variable ``CI`` or ``KEHU_NO_SKIP`` is set (to anything but ``""``, ``0``, ``false``, ``no``),
every skip — ``pytest.skip()``, ``@pytest.mark.skip``/``skipif``, ``importorskip``, a skip at
module level — is reported as a failure naming the reason, so a missing browser, database or
library can never make the suite pass by running less. ``xfail`` is left alone: it is
declared, visible and still runs the test.
"""

import os

import pytest

_OFF = {"", "0", "false", "no", "off"}


def _enabled() -> bool:
    return any(os.environ.get(name, "").strip().lower() not in _OFF for name in ("CI", "KEHU_NO_SKIP"))


def _reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, lineno, "Skipped: reason")
        path, lineno, message = longrepr
        return f"{message} ({path}:{lineno})"
    return str(longrepr)


def _fail(report) -> None:
    report.outcome = "failed"
    report.longrepr = f"Skipped tests are not allowed when CI or KEHU_NO_SKIP is set: {_reason(report)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if _enabled() and report.skipped and not hasattr(report, "wasxfail"):
        _fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if _enabled() and report.skipped:
        _fail(report)


def pytest_report_header(config):
    if _enabled():
        return "kehu: skipped tests count as failures (CI / KEHU_NO_SKIP is set)"
    return None
