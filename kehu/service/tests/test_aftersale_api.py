"""The API (PLT-2) of service orders (SVC-1), commitments (SVC-2) and follow-ups (SVC-3): the same
rules as the pages — bad input is a 400 naming the field and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import api_list, rule
from kehu.service.models import Commitment, ServiceOrder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def today():
    return timezone.localdate()


@pytest.fixture
def api(client_for, english_client):
    return client_for


@rule("SVC-1")
def test_svc1_service_orders_are_planned_listed_and_completed_through_the_api(users, customer, outsider_customer,
                                                                             api):
    client = api(users["owner"])
    url = reverse("service-order-list")
    bad = client.post(url, {"customer": customer.pk, "kind": "repair", "description": "x", "due_on": "2030-01-01"},
                      content_type="application/json")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]
    assert ServiceOrder.objects.count() == 0
    made = client.post(url, {"customer": customer.pk, "kind": "installation", "description": "安装货架",
                             "due_on": today().isoformat()}, content_type="application/json")
    assert made.status_code == 201 and made.json()["assignee"] == users["owner"].pk
    pk = made.json()["id"]
    assert client.post(url, {"customer": outsider_customer.pk, "kind": "installation", "description": "x",
                             "due_on": today().isoformat()}, content_type="application/json").status_code == 404
    assert api_list(client, url) == [pk]
    assert api_list(api(users["outsider"]), url) == []
    client = api(users["owner"])  # the same test client, signed in as the owner again
    done = client.post(reverse("service-order-complete", args=[pk]), {"outcome": "已安装", "rating": 5, "cost": "80"},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert ServiceOrder.objects.get().cost == Decimal("80.00")
    again = client.post(reverse("service-order-complete", args=[pk]), {"outcome": "再来"},
                        content_type="application/json")
    assert again.status_code == 400 and "already done" in again.json()["detail"]


@rule("SVC-2")
def test_svc2_commitments_are_recorded_and_kept_through_the_api(users, customer, api):
    client = api(users["owner"])
    url = reverse("commitment-list")
    bad = client.post(url, {"customer": customer.pk, "description": "每月收保费", "repeat": "monthly",
                            "starts_on": today().isoformat()}, content_type="application/json")
    assert bad.status_code == 400 and "until" in bad.json()["errors"] and Commitment.objects.count() == 0
    made = client.post(url, {"customer": customer.pk, "description": "每月收保费", "repeat": "monthly",
                             "starts_on": today().isoformat(), "day_of_month": 31,
                             "until": (today() + timedelta(days=70)).isoformat()}, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert body["day_of_month"] == 31 and len(body["occurrences"]) >= 2
    first = body["occurrences"][0]
    fulfil = reverse("commitment-fulfil", args=[body["id"]])
    assert client.post(fulfil, {"occurrence": first["id"]}, content_type="application/json").status_code == 400
    kept = client.post(fulfil, {"occurrence": first["id"], "note": "已收"}, content_type="application/json")
    assert kept.status_code == 200 and kept.json()["occurrences"][0]["status"] == "fulfilled"
    assert client.post(fulfil, {"occurrence": 999999, "note": "x"}, content_type="application/json").status_code == 400
    assert api_list(client, url) == [body["id"]]
    assert api_list(api(users["outsider"]), url) == []


@rule("PLT-2")
def test_the_answers_conform_to_the_openapi_schema(users, customer, api):
    from kehu.core.tests.openapi import schema_errors

    schema = api(users["admin"]).get("/api/schema/?format=json").json()
    client = api(users["owner"])
    order = client.post("/api/v1/service-orders/", {"customer": customer.pk, "kind": "training",
                                                    "description": "培训店员", "due_on": today().isoformat()},
                        content_type="application/json")
    assert schema_errors(schema, "/api/v1/service-orders/", "post", 201, order.json()) == []
    made = client.post("/api/v1/commitments/", {"customer": customer.pk, "description": "送会员卡",
                                                "starts_on": today().isoformat()}, content_type="application/json")
    assert schema_errors(schema, "/api/v1/commitments/", "post", 201, made.json()) == []
    bad = client.post(f"/api/v1/commitments/{made.json()['id']}/fulfil/", {"occurrence": "x"},
                      content_type="application/json")
    assert schema_errors(schema, "/api/v1/commitments/{id}/fulfil/", "post", 400, bad.json()) == []
    listed = client.get("/api/v1/follow-ups/")
    assert schema_errors(schema, "/api/v1/follow-ups/", "get", 200, listed.json()) == []
