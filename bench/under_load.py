"""Imports under load (issue 13, INS-2, PLT-4): the largest imports the documentation allows —
customers through the import page, invoices through the page and through the API — run as
background jobs by a real worker (`kehu worker`) while clients keep posting payments over the
API to a gunicorn server. Reports each import's time and progress, the payments' errors and
latencies, and the worker's peak memory.

    .venv/bin/python bench/under_load.py [--rows 200000] [--postgres] [--clients 8]

Uses the size S data set of bench/run.py (bench/data/S-<db>, generated when missing). The
imports are kept: the data set is generated anew at the next run of this script (and the next
run of `make bench` without REUSE)."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from client import Session  # noqa: E402
from run import (  # noqa: E402
    BENCH,
    PASSWORD,
    ROOT,
    build_import_file,
    configure_environment,
    ensure_data,
    log,
    peak_rss_mb,
    percentile,
    start_gunicorn,
    stop_gunicorn,
)

JOB_GIVE_UP_S = 1800


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="rows of each import (default 200,000)")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL 15 cluster")
    parser.add_argument("--clients", type=int, default=8, help="clients posting payments (default 8)")
    parser.add_argument("--only", default="customers,invoices-page,invoices-api",
                        help="which imports, comma-separated (default all three)")
    return parser.parse_args()


def multipart(fields: dict, file_field: str, path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{path.name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf_of(session: Session, path: str) -> str:
    page = session.get(path)
    assert page.status == 200, (path, page.status)
    return page.body.split(b'name="csrfmiddlewaretoken" value="', 1)[1].split(b'"', 1)[0].decode()


def post_form(session: Session, path: str, body: bytes, content_type: str):
    return session.request("POST", path, body=body, headers={
        "Content-Type": content_type, "Referer": f"http://{session.host}:{session.port}{path}"})


def follow_job(session: Session, location: str) -> dict:
    """Poll the job's state in the API until it ends; (seconds, progress samples, final state)."""
    job_id = location.rstrip("/").rsplit("/", 1)[1]
    started, seen, refused = perf_counter(), [], {}
    while perf_counter() - started < JOB_GIVE_UP_S:
        answer = session.get(f"/api/v1/jobs/{job_id}/", accept="application/json")
        if answer.status != 200:
            # A busy answer (503) is counted and asked again: the run reports it, it does not end.
            refused[answer.status] = refused.get(answer.status, 0) + 1
            time.sleep(1)
            continue
        state = json.loads(answer.body)
        seen.append((state["status"], state["done"], state["total"]))
        if state["status"] in ("done", "failed"):
            midway = sum(1 for status, done, total in seen if status == "running" and 0 < done < total)
            return {"seconds": round(perf_counter() - started, 1), "progress_reads_midway": midway,
                    "status": state["status"], "result": {k: v for k, v in (state["result"] or {}).items()
                                                          if k != "errors"},
                    "bad_rows": len((state["result"] or {}).get("errors") or []),
                    "job_reads_refused": refused}
        time.sleep(1)
    raise SystemExit(f"job {job_id} did not end within {JOB_GIVE_UP_S} s")


def invoice_rows(codes: list[str], rows: int, prefix: str) -> list[dict]:
    rng = random.Random(prefix)
    return [{"customer": rng.choice(codes), "number": f"{prefix}-{n:07d}", "issued_on": f"2026-0{1 + n % 9}-15",
             "amount": f"{rng.randrange(100, 500_000) / 100:.2f}", "note": ""} for n in range(rows)]


def invoice_file(rows: list[dict]) -> Path:
    path = BENCH / "data" / f"invoices-{len(rows)}-{rows[0]['number'].split('-')[0]}.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("customer,number,issued_on,amount,note\n")
        for row in rows:
            out.write(f"{row['customer']},{row['number']},{row['issued_on']},{row['amount']},\n")
    return path


class Payments:
    """`clients` threads posting payments of ¥1.00–¥50.00 to random customers over the API."""

    def __init__(self, port: int, cookies: dict, customers: list[int], clients: int):
        self.port, self.cookies, self.customers, self.clients = port, cookies, customers, clients
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.latencies, self.errors, self.samples = [], 0, []

    def client(self, index: int) -> None:
        rng = random.Random(index)
        session = Session(self.port, cookies=dict(self.cookies))
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"],
                   "Referer": f"http://127.0.0.1:{self.port}/"}
        while not self.stop.is_set():
            body = json.dumps({"customer": rng.choice(self.customers), "method": "cash",
                               "amount": f"{rng.randrange(100, 5000) / 100:.2f}"}).encode()
            try:
                response = session.request("POST", "/api/v1/payments/", body=body, headers=headers,
                                           accept="application/json")
                failure = None if response.status == 201 else f"HTTP {response.status} {response.body[:200]!r}"
            except Exception as exc:  # noqa: BLE001 - any failure counts
                failure, response = f"{type(exc).__name__}: {exc}", None
            with self.lock:
                if failure:
                    self.errors += 1
                    if len(self.samples) < 5:
                        self.samples.append(failure)
                else:
                    self.latencies.append(response.seconds * 1000)

    def __enter__(self):
        self.threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(self.clients)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def summary(self) -> dict:
        lat = self.latencies
        return {"posted": len(lat), "errors": self.errors, "error_samples": self.samples,
                "p50_ms": round(percentile(lat, 50), 1) if lat else None,
                "p95_ms": round(percentile(lat, 95), 1) if lat else None,
                "max_ms": round(max(lat), 1) if lat else None,
                "mean_ms": round(statistics.fmean(lat), 1) if lat else None}


def start_worker(data_dir: Path) -> subprocess.Popen:
    logfile = open(data_dir / "worker.log", "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "-m", "kehu", "worker"], env=os.environ.copy(), cwd=ROOT,
                            stdout=logfile, stderr=subprocess.STDOUT)


class PeakRss(threading.Thread):
    """The worker's peak resident memory, read from the kernel (VmHWM) every half second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.peak = max(self.peak, peak_rss_mb(self.pid) or 0.0)


def main() -> int:
    args = parse_args()
    db = "postgres" if args.postgres else "sqlite"
    data_dir = BENCH / "data" / f"S-{db}"
    data_dir.mkdir(parents=True, exist_ok=True)
    setup = argparse.Namespace(size="S", postgres=args.postgres, reuse=False)
    cluster = configure_environment(setup, data_dir)
    os.environ["KEHU_IMPORT_MAX_ROWS"] = str(max(args.rows, 200_000))
    os.environ["KEHU_JOB_INLINE_BYTES"] = "0"  # every import a job, as a large one is
    proc = worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from kehu.accounts.models import User
        from kehu.customers.models import Customer
        from kehu.receivables.models import Invoice, Payment

        ensure_data(setup, data_dir, db)
        call_command("collectstatic", interactive=False, verbosity=0)
        salespeople = list(User.objects.filter(role="salesperson").order_by("id").values_list("username", flat=True))
        codes = list(Customer.objects.order_by("id").values_list("code", flat=True))
        customer_ids = list(Customer.objects.filter(office__isnull=False).order_by("id").values_list("id", flat=True))
        before = {"customers": Customer.objects.count(), "invoices": Invoice.objects.count(),
                  "payments": Payment.objects.count()}
        files = {}
        if "customers" in args.only:
            files["customers"] = build_import_file(args.rows, salespeople)
        page_rows = invoice_rows(codes, args.rows, "PG")
        api_rows = invoice_rows(codes, args.rows, "API")
        files["invoices-page"] = invoice_file(page_rows)
        api_body = json.dumps({"rows": api_rows}).encode()
        log(f"files ready: {', '.join(f'{k} {v.stat().st_size / 2**20:.1f} MB' for k, v in files.items())}, "
            f"API body {len(api_body) / 2**20:.1f} MB")

        from django.db import connections

        connections.close_all()
        proc, port = start_gunicorn(data_dir)
        worker = start_worker(data_dir)
        rss = PeakRss(worker.pid)
        rss.start()
        gm, finance = Session(port), Session(port)
        gm.login("gm", PASSWORD)
        finance.login("finance", PASSWORD)
        results = {"rows": args.rows, "db": db, "clients": args.clients, "imports": {}}
        for name in [n.strip() for n in args.only.split(",") if n.strip()]:
            with Payments(port, finance.cookies, customer_ids, args.clients) as payments:
                time.sleep(2)  # the payments run before the upload, too
                started = perf_counter()
                if name == "customers":
                    body, kind = multipart({"csrfmiddlewaretoken": csrf_of(gm, "/customers/import/")}, "file",
                                           files[name])
                    answer = post_form(gm, "/customers/import/", body, kind)
                    preview = follow_job(gm, answer.headers["Location"])
                    result_page = gm.get(answer.headers["Location"] + "result/")
                    token = result_page.body.split(b'name="token" value="', 1)[1].split(b'"', 1)[0].decode()
                    form = (f"csrfmiddlewaretoken={csrf_of(gm, '/customers/import/')}&token={token}"
                            f"&mode=valid_only&on_duplicate=keep_both").encode()
                    answer = post_form(gm, "/customers/import/", form, "application/x-www-form-urlencoded")
                    outcome = {"preview": preview, "commit": follow_job(gm, answer.headers["Location"])}
                elif name == "invoices-page":
                    body, kind = multipart({"csrfmiddlewaretoken": csrf_of(finance, "/receivables/invoices/import/")},
                                           "file", files[name])
                    answer = post_form(finance, "/receivables/invoices/import/", body, kind)
                    outcome = follow_job(finance, answer.headers["Location"])
                else:
                    answer = finance.request("POST", "/api/v1/invoices/import/", body=api_body, headers={
                        "Content-Type": "application/json", "X-CSRFToken": finance.cookies["csrftoken"],
                        "Referer": f"http://127.0.0.1:{port}/"}, accept="application/json")
                    assert answer.status == 202, (answer.status, answer.body[:300])
                    outcome = follow_job(finance, answer.headers["Location"])
                outcome["total_s"] = round(perf_counter() - started, 1)
                time.sleep(2)
            outcome["payments"] = payments.summary()
            outcome["worker_peak_rss_mb"] = rss.peak
            results["imports"][name] = outcome
            log(f"{name}: {json.dumps(outcome, ensure_ascii=False)}")
        rss.done.set()
        after = {"customers": Customer.objects.count(), "invoices": Invoice.objects.count(),
                 "payments": Payment.objects.count()}
        results["rows_added"] = {k: after[k] - before[k] for k in after}
        results["worker_peak_rss_mb"] = rss.peak
        out = BENCH / "results" / f"under-load-{db}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        log(f"wrote {out.relative_to(ROOT)}")
        failed = [n for n, o in results["imports"].items()
                  if o.get("payments", {}).get("errors") or "failed" in json.dumps(o)]
        return 1 if failed else 0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        if proc is not None:
            stop_gunicorn(proc)
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
