"""Invoice imports as background jobs (AR-1, INS-2, PLT-4): a large file runs in the worker (a
real Huey consumer) with progress the page polls and a result page with every bad line; the
API answers 202 with the job; only its owner sees a job; its file is removed."""

import os
import re
import stat
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core import jobs
from kehu.core.models import Job
from kehu.core.tests.jobs import follow, job_of, midway
from kehu.receivables.models import Invoice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

ROWS = 5000


def invoice_file(code: str, rows: int, *, bad_last: bool = False) -> SimpleUploadedFile:
    lines = ["customer code,invoice number,invoice date,amount"]
    lines += [f"{code},OB-{n:06d},2025-11-{1 + n % 28:02d},{100 + n}.50" for n in range(rows)]
    if bad_last:
        lines[-1] = f"{code},OB-LAST,2025-11-30,-1"
    return SimpleUploadedFile("invoices.csv", ("\n".join(lines) + "\n").encode("utf-8"), content_type="text/csv")


@rule("AR-1")
def test_ar1_a_5000_row_invoice_file_whose_last_row_is_bad_reports_that_line_and_writes_nothing(
        en, users, customer, consumer, large_imports):
    """INS-2, PLT-4: the import runs in the worker; the page polls its progress (read midway)
    and the result page names line 5001; nothing is written; the uploaded file is removed."""
    client = en(users["finance"])
    job = job_of(client.post(reverse("receivables:invoice_import"),
                             {"file": invoice_file(customer.code, ROWS, bad_last=True)}))
    page = client.get(reverse("core:job", args=[job.pk]))
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.text
    seen, result = follow(client, job)
    assert midway(seen, ROWS), seen[:5]
    assert result.status_code == 200
    assert re.findall(r'data-line="(\d+)"', result.text) == [str(ROWS + 1)]
    assert "amount: The amount must be more than zero." in result.text
    assert "Nothing was imported: 1 row has problems." in result.text
    assert Invoice.objects.count() == 0
    job.refresh_from_db()
    assert (job.status, job.file, job.done, job.total) == ("done", "", ROWS, ROWS)
    assert list(jobs.JOB_DIR.iterdir()) == []  # the uploaded file is removed


@rule("AR-1")
def test_ar1_a_5000_row_invoice_file_is_imported_by_the_worker(en, users, customer, consumer, large_imports):
    client = en(users["finance"])
    job = job_of(client.post(reverse("receivables:invoice_import"), {"file": invoice_file(customer.code, ROWS)}))
    seen, result = follow(client, job)
    assert midway(seen, ROWS), seen[:5]
    assert "Invoices imported: 5000." in result.text
    assert re.search(r"created: 5000", result.text)
    assert Invoice.objects.filter(source=Invoice.Source.IMPORT).count() == ROWS


@rule("AR-1")
def test_ar1_the_api_answers_202_with_the_job_and_the_worker_runs_it(en, users, customer, consumer, large_imports):
    client = en(users["finance"])
    rows = [{"customer": customer.code, "number": f"API-{n:05d}", "issued_on": "2025-11-03", "amount": "10"}
            for n in range(ROWS)]
    rows[-1]["issued_on"] = "soon"
    response = client.post("/api/v1/invoices/import/", {"rows": rows}, content_type="application/json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] in ("queued", "running") and response.json()["result"] is None
    url = response["Location"]
    job = Job.objects.get(pk=response.json()["id"])
    follow(client, job)
    body = client.get(url).json()
    assert (body["status"], body["result"]["refused"], body["result"]["errors"]) == ("done", True, [
        {"line": ROWS, "messages": ["issued_on: The invoice date is not a date (YYYY-MM-DD)."]}])
    assert Invoice.objects.count() == 0


@rule("PLT-4")
def test_plt4_another_users_job_is_404(en, users, customer, large_imports):
    """Only the job's owner sees its progress, its result and its state in the API."""
    job = job_of(en(users["finance"]).post(reverse("receivables:invoice_import"),
                                           {"file": invoice_file(customer.code, 3)}))
    other = en(users["admin"])
    for name in ("core:job", "core:job_progress", "core:job_result"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404, name
    answer = other.get(f"/api/v1/jobs/{job.pk}/")
    assert (answer.status_code, answer.headers["Content-Type"]) == (404, "application/json")
    assert other.get("/api/v1/jobs/99999999999999999999/").status_code == 404
    mine = en(users["finance"]).get(f"/api/v1/jobs/{job.pk}/")
    assert (mine.status_code, mine.json()["status"]) == (200, "queued")


@rule("PLT-4")
def test_plt4_the_uploaded_file_is_private_and_removed_after_a_day_if_never_run(en, users, customer, large_imports):
    """No worker runs: the file waits with owner-only permissions; a day later it is removed
    and the job says why."""
    job = job_of(en(users["finance"]).post(reverse("receivables:invoice_import"),
                                           {"file": invoice_file(customer.code, 3)}))
    path = jobs.JOB_DIR / job.file
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(jobs.JOB_DIR).st_mode) == 0o700
    assert jobs.purge() == 0 and path.exists()  # not yet a day old
    assert jobs.purge(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert not path.exists()
    job.refresh_from_db()
    assert (job.status, job.file) == ("failed", "")
    result = en(users["finance"]).get(reverse("core:job_result", args=[job.pk]))
    assert "The job was not run within a day; upload the file again." in result.text


@rule("INS-2")
def test_ins2_a_large_api_body_is_read_by_the_worker_and_its_bad_rows_reported_by_line(
        en, users, customer, consumer, large_imports, settings):
    """A body over KEHU_JOB_INLINE_BYTES is not read in the request (no 10 MB cap, no
    serializer over 200,000 rows in the web worker): the worker checks it row by row; a row
    that is not an object or a value that is not text or a number is a bad line, and nothing
    is written."""
    client = en(users["finance"])
    rows = [{"customer": customer.code, "number": f"BIG-{n:05d}", "issued_on": "2025-11-03", "amount": 10.5}
            for n in range(ROWS)]
    rows[10] = ["not", "an", "object"]
    rows[20]["amount"] = {"value": 3}
    response = client.post("/api/v1/invoices/import/", {"rows": rows}, content_type="application/json")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    follow(client, job)
    body = client.get(response["Location"]).json()
    assert (body["status"], body["result"]["refused"], body["result"]["errors"]) == ("done", True, [
        {"line": 11, "messages": ["A row is an object of the columns."]},
        {"line": 21, "messages": ["amount: text or a number."]}])
    assert Invoice.objects.count() == 0
    rows[10], rows[20]["amount"] = {**rows[11], "number": "BIG-X"}, "10.50"
    response = client.post("/api/v1/invoices/import/", {"rows": rows}, content_type="application/json")
    follow(client, Job.objects.get(pk=response.json()["id"]))
    assert client.get(response["Location"]).json()["result"]["counts"]["created"] == ROWS
    assert Invoice.objects.filter(source=Invoice.Source.IMPORT).count() == ROWS


@rule("INS-2")
def test_ins2_an_api_body_over_the_import_limit_is_refused_in_json_and_leaves_no_file(
        en, users, customer, large_imports, settings):
    """Refused by its declared length before a byte is read; and a body that is not JSON is
    refused in words, not read."""
    settings.KEHU_IMPORT_MAX_BYTES = 1024 * 1024
    client = en(users["finance"])
    rows = [{"customer": customer.code, "number": f"N-{n:06d}", "issued_on": "2025-11-03", "amount": "1"}
            for n in range(15_000)]
    response = client.post("/api/v1/invoices/import/", {"rows": rows}, content_type="application/json")
    assert (response.status_code, response.json()["detail"]) == (400, "The request is too large; the limit is 1 MB.")
    assert Job.objects.count() == 0
    assert not jobs.JOB_DIR.exists() or list(jobs.JOB_DIR.iterdir()) == []
    bad = client.post("/api/v1/invoices/import/", "rows=1", content_type="application/x-www-form-urlencoded")
    assert (bad.status_code, bad.json()["detail"]) == (400, 'Send the rows as JSON: {"rows": [...]}.')
    assert Job.objects.count() == 0
