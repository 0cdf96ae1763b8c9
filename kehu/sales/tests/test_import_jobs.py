"""The product import as a background job (ORD-1, INS-2, PLT-4), run by a real Huey consumer:
all or nothing, the bad lines on the result page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import rule
from kehu.core import jobs
from kehu.core.tests.jobs import follow, job_of
from kehu.sales.models import Product

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]

ROWS = 2000


def product_file(rows: int, *, bad_last: bool = False) -> SimpleUploadedFile:
    lines = ["code,name,list_price,line"] + [f"J{n:05d},产品{n},{10 + n},日化" for n in range(rows)]
    if bad_last:
        lines[-1] = "J-LAST,,abc,日化"
    return SimpleUploadedFile("products.csv", ("\n".join(lines) + "\n").encode("utf-8"))


@rule("INS-2")
def test_ins2_a_large_product_file_runs_in_the_worker_all_or_nothing(en, users, consumer, large_imports):
    client = en(users["admin"])
    job = job_of(client.post(reverse("sales:product_import"), {"file": product_file(ROWS, bad_last=True)}))
    _seen, result = follow(client, job)
    assert re.findall(r'data-line="(\d+)"', result.text) == [str(ROWS + 1)]
    assert "list price: Enter a number." in result.text and "Nothing was imported: 1 row has problems." in result.text
    assert not Product.objects.exists()
    job = job_of(client.post(reverse("sales:product_import"), {"file": product_file(ROWS)}))
    _seen, result = follow(client, job)
    assert "Products imported: 2000 new, 0 updated." in result.text
    assert Product.objects.count() == ROWS
    assert list(jobs.JOB_DIR.iterdir()) == []
