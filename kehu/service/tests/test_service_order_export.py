"""The service queue's Excel export (SVC-1): the queue as filtered, with outcome, rating and cost."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import rule
from kehu.service import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@rule("SVC-1")
def test_svc1_the_queue_exports_as_filtered_to_excel(users, customer, en):
    values = {"customer": customer, "assignee": users["service"], "due_on": timezone.localdate()}
    services.service_order_create(by=users["owner"], kind="installation", description="安装货架", **values)
    done = services.service_order_create(by=users["owner"], kind="maintenance", description="检修冷柜", **values)
    services.service_order_done(by=users["service"], service_order=done, outcome="已检修", rating=4, cost="120")
    client = en(users["service"])
    page = client.get(reverse("service:service_order_list")).content.decode()
    assert reverse("service:service_order_export") in page
    rows = list(load_workbook(BytesIO(client.get(reverse("service:service_order_export")).content)).active.values)
    assert len(rows) == 2 and "安装货架" in rows[1]  # the queue's default: open, mine
    everything = list(load_workbook(BytesIO(client.get(reverse("service:service_order_export"),
                                                       {"status": ""}).content)).active.values)
    assert len(everything) == 3 and any("已检修" in row and 4 in row for row in everything)
