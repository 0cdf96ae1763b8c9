"""Faults (issue 13; AR-1, PLT-4): the process doing the work is killed with SIGKILL — the web
worker in the middle of a stream of payments, the background worker in the middle of an
import — and after the restart nothing is half-written: every acknowledged payment is there,
the receipt book has no gap, every balance holds, and the import left no row behind.

Real processes on the test's own database: gunicorn serves the payments, `kehu worker` runs
the import."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from http.client import HTTPConnection
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.middleware.csrf import _get_new_csrf_string
from django.utils import timezone

import kehu
from conftest import rule
from kehu.core import jobs
from kehu.core.models import Job
from kehu.receivables.jobs import INVOICE_IMPORT_ROWS
from kehu.receivables.models import Invoice, Payment
from kehu.receivables.tests.builders import imported_invoice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

ROOT = Path(kehu.__file__).resolve().parent.parent
ZERO = Decimal("0.00")
WAIT = 120  # seconds: a safeguard against a process that never comes up, not a measure


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database, for the processes the test starts."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment(data_dir: Path) -> dict:
    return {**os.environ, "DATABASE_URL": database_url(), "KEHU_DATA_DIR": str(data_dir), "KEHU_DEBUG": "0",
            "KEHU_SECRET_KEY": settings.SECRET_KEY, "KEHU_ALLOWED_HOSTS": "127.0.0.1", "KEHU_LOG_LEVEL": "ERROR",
            "KEHU_HUEY_IMMEDIATE": "0", "DJANGO_SETTINGS_MODULE": "kehu.settings"}


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def wait_for(check, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post_json(port: int, path: str, body: dict, *, cookies: dict, csrf: str) -> tuple[int, dict]:
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=json.dumps(body), headers={
            "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf,
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def ledger_holds(customer) -> None:
    """Every invoice's open amount and every payment's unallocated amount agree with the
    allocations that stand; the receipt book of the office runs 1, 2, 3 … without a gap."""
    for invoice in Invoice.objects.filter(customer=customer):
        standing = invoice.allocations.filter(withdrawn_on__isnull=True).aggregate(s=Sum("amount"))["s"] or ZERO
        assert invoice.open_amount == invoice.amount - standing >= 0, invoice.number
    for payment in Payment.objects.filter(customer=customer):
        standing = payment.allocations.filter(withdrawn_on__isnull=True).aggregate(s=Sum("amount"))["s"] or ZERO
        assert payment.unallocated == payment.amount - standing >= 0, payment.number
    serials = sorted(Payment.objects.filter(office=customer.office).values_list("serial", flat=True))
    assert serials == list(range(1, len(serials) + 1))


@rule("AR-1")
def test_ar1_a_web_worker_killed_in_a_stream_of_payments_loses_no_acknowledged_receipt(
        users, customer, client, tmp_path):
    """gunicorn's worker is killed with SIGKILL while payments are posted back to back; the
    master starts another and the stream goes on. Every payment answered 201 is in the
    ledger, the book has no gap, every balance holds."""
    for n in range(3):
        imported_invoice(by=users["finance"], customer=customer, number=f"F-{n}", amount="50.00",
                         issued_on=timezone.localdate() - timedelta(days=40 - n))
    client.force_login(users["finance"])
    csrf = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "kehu.wsgi:application", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--timeout", "60", "--log-level", "error"],
                              cwd=ROOT, env=environment(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    acknowledged, failures, killed = [], [], []
    try:
        def up():
            try:
                conn = HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/accounts/login/")
                return conn.getresponse().status
            except OSError:
                return None
        wait_for(up, "gunicorn")

        def stream():
            while len(acknowledged) < 40 and len(failures) < 200:
                try:
                    status, body = post_json(port, "/api/v1/payments/", {
                        "customer": customer.pk, "amount": "3.00", "method": "cash"}, cookies=cookies, csrf=csrf)
                except OSError as exc:  # the worker died under this request: not acknowledged
                    failures.append(repr(exc))
                    time.sleep(0.05)
                    continue
                if status == 201:
                    acknowledged.append(body["number"])
                else:
                    failures.append(status)

        thread = threading.Thread(target=stream)
        thread.start()
        wait_for(lambda: len(acknowledged) >= 10, "ten payments")
        worker = children(server.pid)
        assert len(worker) == 1
        os.kill(worker[0], signal.SIGKILL)
        killed.append(worker[0])
        thread.join(WAIT)
        assert len(acknowledged) >= 40, (acknowledged, failures)
        assert children(server.pid) and children(server.pid) != killed  # the master started another
    finally:
        stop(server)
    numbers = set(Payment.objects.filter(customer=customer).values_list("number", flat=True))
    assert set(acknowledged) <= numbers
    assert len(numbers) - len(acknowledged) <= 1  # at most the one in flight when it was killed
    ledger_holds(customer)
    # Each ¥3.00 settled the oldest open invoice: the three of ¥50.00 owe what is left.
    assert Invoice.objects.filter(customer=customer).aggregate(s=Sum("open_amount"))["s"] == \
        Decimal("150.00") - 3 * len(numbers)


@rule("PLT-4")
def test_plt4_a_worker_killed_in_the_middle_of_an_import_leaves_no_row_and_its_job_is_told(
        users, customer, tmp_path, large_imports):
    """`kehu worker` is killed with SIGKILL while it checks a 30,000-row import: no invoice of
    it was written; the next worker to start marks the job failed, and the same rows then
    import whole."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import SqliteStorage

    rows = [{"customer": customer.code, "number": f"K-{n:05d}", "issued_on": "2025-11-03", "amount": "10.00"}
            for n in range(30_000)]
    storage, HUEY.storage = HUEY.storage, SqliteStorage(name=HUEY.name, filename=str(tmp_path / "huey.sqlite3"))
    command = [sys.executable, "-m", "kehu", "worker", "--no-periodic", "--workers", "1"]
    worker = subprocess.Popen(command, cwd=ROOT, env=environment(tmp_path), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        job = jobs.start(INVOICE_IMPORT_ROWS, by=users["finance"], data=rows)
        wait_for(lambda: Job.objects.filter(pk=job.pk, status="running", done__gt=0).exists(), "the job to run")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        job.refresh_from_db()
        assert job.status == "running"  # nobody told it yet
        assert not Invoice.objects.filter(number__startswith="K-").exists()
        worker = subprocess.Popen(command, cwd=ROOT, env=environment(tmp_path), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        wait_for(lambda: Job.objects.filter(pk=job.pk, status="failed").exists(), "the job to be marked failed")
        job.refresh_from_db()
        assert job.result["message"].startswith("The worker stopped while this job was running")
        assert not Invoice.objects.filter(number__startswith="K-").exists()
        again = jobs.start(INVOICE_IMPORT_ROWS, by=users["finance"], data=rows)
        wait_for(lambda: Job.objects.filter(pk=again.pk, status__in=("done", "failed")).exists(), "the import")
        again.refresh_from_db()
        assert (again.status, again.result["counts"]["created"]) == ("done", 30_000), again.result
    finally:
        stop(worker)
        HUEY.storage = storage
    assert Invoice.objects.filter(number__startswith="K-").count() == 30_000
    ledger_holds(customer)
