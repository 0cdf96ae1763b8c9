"""The customer import as background jobs (INS-2, CUS-8, PLT-4), run by a real Huey consumer:
the preview of a 5,000-row file checked in the worker with its progress read midway and every
bad line on the result page, then the commit — all or nothing writes nothing when a row is bad,
the valid rows are written by the worker."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import rule
from kehu.core import jobs
from kehu.core.tests.jobs import follow, job_of, midway
from kehu.customers import importing
from kehu.customers.models import Customer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

ROWS = 5000


@pytest.fixture(autouse=True)
def import_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "IMPORT_DIR", tmp_path / "imports")


def customer_file(rows: int) -> SimpleUploadedFile:
    lines = ["customer name,category 类别,phone"]
    lines += [f"导入客户{n:05d}商行,wholesaler_1,021-{6000000 + n}" for n in range(rows)]
    lines[-1] = f"导入客户最后商行,no-such-category,021-{5000000}"
    return SimpleUploadedFile("customers.csv", ("\n".join(lines) + "\n").encode("utf-8"))


@rule("INS-2")
def test_ins2_a_5000_row_customer_import_runs_in_the_worker_and_all_or_nothing_writes_nothing(
        en, users, consumer, large_imports):
    client = en(users["owner"])
    url = reverse("customers:import")
    job = job_of(client.post(url, {"file": customer_file(ROWS)}))
    seen, preview = follow(client, job)
    assert midway(seen, ROWS), seen[:5]
    # The result page is the import page's preview: every bad line, the counts, the commit form.
    assert re.findall(r'data-line="(\d+)"', preview.text) == [str(ROWS + 1)]
    assert "category 类别: Value &#x27;no-such-category&#x27; is not a valid choice." in preview.text
    assert f"valid: {ROWS - 1}" in preview.text and 'id="commit-form"' in preview.text
    token = re.search(r'name="token" value="([0-9a-f-]+)"', preview.text)[1]
    assert list(jobs.JOB_DIR.iterdir()) == []  # the uploaded file is gone once checked

    refused = job_of(client.post(url, {"token": token, "mode": "all_or_nothing", "on_duplicate": "skip"}))
    _seen, result = follow(client, refused)
    assert "1 rows have errors; as you chose, nothing was imported." in result.text
    assert not Customer.objects.exists()

    done = job_of(client.post(url, {"token": token, "mode": "valid_only", "on_duplicate": "skip"}))
    _seen, result = follow(client, done)
    assert f"Imported {ROWS - 1} new customers, merged 0, skipped 0 similar ones and 1 bad rows." in result.text
    assert Customer.objects.filter(owner=users["owner"]).count() == ROWS - 1
