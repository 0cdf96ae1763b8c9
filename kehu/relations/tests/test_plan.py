"""REL-4: the daily work plan 日工作计划 — what every app registers as due, for a chosen day,
ticked off, printed, and planned versus done kept and reported per week."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.registry import DueItem, DueSource, registry
from kehu.customers.models import Customer
from kehu.customers.tests.builders import new_customer
from kehu.receivables import services as receivables
from kehu.relations import services
from kehu.relations.models import PlanEntry
from kehu.relations.tests.builders import touch

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def overdue_a(users):
    made = new_customer(by=users["owner"], name="甲级逾期商店", category="other")
    Customer.objects.filter(pk=made.pk).update(grade="A", status="active")
    touch(by=users["owner"], customer=made, days_ago=9)
    return made


def plan_kinds(user, day=None):
    return sorted((e.kind, e.done_at is not None) for e in services.plan_for(user, day or today()))


@rule("REL-4")
def test_the_plan_gathers_contacts_next_steps_and_promises_due(users, customer, overdue_a):
    touch(by=users["owner"], customer=customer, kind="phone", days_ago=2, next_step="送报价单",
          next_step_on=today() - timedelta(days=1))
    receivables.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="promised",
                            promised_on=today(), promised_amount="100")
    entries = services.plan_for(users["owner"], today())
    kinds = {(e.kind, e.customer_id) for e in entries}
    assert ("contact", overdue_a.pk) in kinds and ("next_step", customer.pk) in kinds and ("promise", customer.pk) in kinds
    assert next(e for e in entries if e.kind == "contact" and e.customer_id == overdue_a.pk).overdue
    assert PlanEntry.objects.filter(user=users["owner"], day=today()).count() == len(entries)
    # Opening the plan again adds nothing twice.
    services.plan_for(users["owner"], today())
    assert PlanEntry.objects.filter(user=users["owner"], day=today()).count() == len(entries)


@rule("REL-4")
def test_any_app_registers_into_the_plan(users):
    source = DueSource(key="test-source", label="Test", order=99, items=lambda user, day: [
        DueItem(kind="call_back", title="回电话", url="/", due_on=day, key="x1", done=False)])
    registry.add(source)
    try:
        assert ("call_back", False) in plan_kinds(users["owner"])
    finally:
        del registry.items[DueSource][("", "test-source")]


@rule("REL-4")
def test_a_visit_ticks_the_contact_off_and_it_stays_planned(users, overdue_a, client_for):
    """The browser flow without the browser: today's plan, one tap "visited, all fine", the
    customer leaves the overdue list and the plan shows the item done."""
    client = client_for(users["owner"])
    page = client.get(reverse("relations:plan"))
    assert f'data-quick-visit="{overdue_a.pk}"' in page.text
    client.post(reverse("relations:visit_quick", args=[overdue_a.pk]), {"next": reverse("relations:plan")})
    page = client.get(reverse("relations:plan"))
    assert "甲级逾期商店" in page.text and 'data-done="1"' in page.text
    assert f'data-customer="{overdue_a.pk}"' not in client.get(reverse("relations:due")).text
    entry = PlanEntry.objects.get(customer=overdue_a, kind="contact")
    assert entry.done_at is not None


@rule("REL-4")
def test_ticking_off_keeps_planned_and_done_and_only_for_its_owner(users, overdue_a, client_for):
    entry = next(e for e in services.plan_for(users["owner"], today()) if e.customer_id == overdue_a.pk)
    assert client_for(users["teammate"]).post(reverse("relations:plan_tick", args=[entry.pk]),
                                              {"done": "1"}).status_code == 404
    client = client_for(users["owner"])
    assert client.post(reverse("relations:plan_tick", args=[entry.pk]), {"done": "1"}).status_code == 302
    entry.refresh_from_db()
    assert entry.done_at is not None
    client.post(reverse("relations:plan_tick", args=[entry.pk]), {"done": "0"})
    entry.refresh_from_db()
    assert entry.done_at is None


@rule("REL-4")
def test_a_past_day_shows_what_was_planned_and_adds_nothing(users, overdue_a, client_for):
    yesterday = today() - timedelta(days=1)
    assert services.plan_for(users["owner"], yesterday) == []
    page = client_for(users["owner"]).get(reverse("relations:plan"), {"day": yesterday.isoformat()})
    assert 'id="empty-state"' in page.text and 'id="plan-past"' in page.text
    page = client_for(users["owner"]).get(reverse("relations:plan"), {"day": "2026-13-45"})
    assert page.status_code == 200 and "is not a day" in page.text


@rule("REL-4")
def test_the_plan_prints(users, overdue_a, client_for):
    page = client_for(users["owner"]).get(reverse("relations:plan_print"))
    assert page.status_code == 200 and "甲级逾期商店" in page.text and "data-print" in page.text


@rule("REL-4")
def test_the_weekly_report_compares_planned_and_done_per_salesperson(users, overdue_a, client_for):
    other = new_customer(by=users["owner"], name="乙级商店", category="other")
    services.plan_for(users["owner"], today())
    entry = PlanEntry.objects.get(customer=other, kind="contact")
    services.plan_tick(by=users["owner"], pk=entry.pk, done=True)
    page = client_for(users["director"]).get(reverse("relations:plan_weekly"), {"week": today().isoformat()})
    planned = PlanEntry.objects.filter(user=users["owner"]).count()
    assert f'data-user="{users["owner"].pk}"' in page.text and f"{round(100 / planned, 1)}%" in page.text
    assert f'data-user="{users["outsider"].pk}"' not in page.text  # another office
    sheet = openpyxl.load_workbook(io.BytesIO(client_for(users["director"]).get(
        reverse("relations:plan_weekly_export"), {"week": today().isoformat()}).content)).active
    rows = {row[0]: row[1:3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[users["owner"].display_name] == (planned, 1)


@rule("REL-4")
def test_the_plan_page_keeps_its_queries_fixed(users, client_for):
    """As many queries for 60 items as for 20: each registered source reads its items in a fixed
    number of queries, whatever their number (the cap grows only with the sources)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users["owner"])

    def plan_with(customers: int) -> tuple[int, int]:
        for n in range(Customer.objects.filter(name__startswith="计划客户").count(), customers):
            made = new_customer(by=users["owner"], name=f"计划客户{n}", category="other")
            Customer.objects.filter(pk=made.pk).update(grade="A", status="active")
            touch(by=users["owner"], customer=made, days_ago=8 + n % 3, next_step="回访", next_step_on=today())
        client.get(reverse("relations:plan"))
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("relations:plan"))
        return len(captured), page.text.count("data-plan-item=")

    few, many = plan_with(10), plan_with(30)
    assert (few[1], many[1]) == (20, 60)
    assert many[0] == few[0] <= 30


@rule("REL-4")
def test_the_api_gives_the_plan_and_ticks_its_items(users, overdue_a, client_for):
    client = client_for(users["owner"])
    answer = client.get("/api/v1/plan/")
    assert answer.status_code == 200
    item = next(i for i in answer.json()["items"] if i["customer"] == overdue_a.pk)
    assert (item["kind"], item["overdue"], item["done"]) == ("contact", True, False)
    ticked = client.post(f"/api/v1/plan-items/{item['id']}/tick/", {"done": True}, content_type="application/json")
    assert ticked.status_code == 200 and ticked.json()["done"] is True
    assert client_for(users["teammate"]).post(f"/api/v1/plan-items/{item['id']}/tick/", {"done": False},
                                              content_type="application/json").status_code == 404
    assert client_for(users["owner"]).get("/api/v1/plan/", {"day": "1800-01-01"}).status_code == 400


@rule("REL-1")
def test_the_api_lists_the_customers_due_in_the_scope(users, overdue_a, client_for):
    rows = client_for(users["owner"]).get("/api/v1/contacts-due/").json()["rows"]
    assert [(r["customer"], r["status"], r["days_overdue"]) for r in rows] == [(overdue_a.pk, "overdue", 2)]
    refused = client_for(users["owner"]).get("/api/v1/contacts-due/", {"owner": users["outsider"].pk})
    assert refused.status_code == 400
    rows = client_for(users["director"]).get("/api/v1/contacts-due/", {"owner": users["owner"].pk}).json()["rows"]
    assert [r["customer"] for r in rows] == [overdue_a.pk]


@rule("REL-4")
@rule("PLT-2")
def test_the_answers_conform_to_the_served_schema(users, overdue_a, client_for):
    from kehu.core.tests.openapi import schema_errors

    schema = client_for(users["admin"]).get("/api/schema/?format=json").json()
    client = client_for(users["owner"])
    plan = client.get("/api/v1/plan/").json()
    assert schema_errors(schema, "/api/v1/plan/", "get", 200, plan) == []
    due = client.get("/api/v1/contacts-due/").json()
    assert schema_errors(schema, "/api/v1/contacts-due/", "get", 200, due) == []
    ticked = client.post(f"/api/v1/plan-items/{plan['items'][0]['id']}/tick/", {}, content_type="application/json")
    assert schema_errors(schema, "/api/v1/plan-items/{id}/tick/", "post", 200, ticked.json()) == []
    made = client.post("/api/v1/touches/", {"customer": overdue_a.pk, "kind": "visit", "purpose": "拜访"},
                       content_type="application/json")
    assert schema_errors(schema, "/api/v1/touches/", "post", 201, made.json()) == []
    refused = client.post("/api/v1/touches/", {"customer": overdue_a.pk, "kind": "visit", "purpose": ""},
                          content_type="application/json")
    assert refused.status_code == 400
    assert schema_errors(schema, "/api/v1/touches/", "post", 400, refused.json()) == []


@rule("REL-4")
def test_the_salesperson_reorders_the_plan_within_a_group(users, overdue_a, client_for):
    second = new_customer(by=users["owner"], name="乙级商店", category="other")
    entries = [e for e in services.plan_for(users["owner"], today()) if e.kind == "contact"]
    assert [e.customer_id for e in entries] == [overdue_a.pk, second.pk]  # the longest due first
    client = client_for(users["owner"])
    client.post(reverse("relations:plan_move", args=[entries[1].pk]), {"direction": "up"})
    assert [e.customer_id for e in services.plan_for(users["owner"], today()) if e.kind == "contact"] == [
        second.pk, overdue_a.pk]
    client.post(reverse("relations:plan_move", args=[entries[1].pk]), {"direction": "up"})  # already first
    assert [e.customer_id for e in services.plan_for(users["owner"], today()) if e.kind == "contact"] == [
        second.pk, overdue_a.pk]
    assert client_for(users["teammate"]).post(reverse("relations:plan_move", args=[entries[0].pk]),
                                              {"direction": "up"}).status_code == 404
