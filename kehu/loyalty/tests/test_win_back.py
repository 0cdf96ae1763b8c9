"""Win-back 挽回 (WIN-2): attempts with channel, offer and outcome; a lost customer tried for who
buys again is won back and counted for the salesperson who tried; lost and won-back value by
month; the pages, their export and the API, each within the user's scope."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.customers.tests.builders import new_customer
from kehu.loyalty import selectors, services
from kehu.loyalty.models import Defection, WinBackAttempt
from kehu.loyalty.tests.builders import at_risk_customer, bought, quiet

pytestmark = pytest.mark.usefixtures("in_english")


def lost_customer(users, customer):
    quiet(by=users["finance"], customer=customer, every=10, times=4, since=40)  # 40 > 3 × 10
    services.defections_daily()
    return Defection.objects.get(customer=customer)


@rule("WIN-2")
def test_win2_a_lost_customer_tried_for_who_buys_again_is_won_back_and_counted(users, customer):
    won = lost_customer(users, customer)
    assert (won.state, won.lost_value) == ("lost", Decimal("4000.00"))
    other = new_customer(by=users["owner"], name="自己回来的店")
    quiet(by=users["finance"], customer=other, every=10, times=2, since=40, amount="500.00")  # 2 buys: grade C
    alone = lost_customer(users, new_customer(by=users["owner"], name="没有挽回的店"))
    attempt = services.win_back_attempt_record(by=users["owner"], defection=won, channel="visit", offer="九折 3 个月",
                                               outcome="agreed")
    assert (attempt.channel, attempt.offer, attempt.outcome, attempt.on) == (
        "visit", "九折 3 个月", "agreed", timezone.localdate())
    for back in (customer, alone.customer):
        bought(by=users["finance"], customer=back, days_ago=[0])
    assert services.defections_daily() == {"at_risk": 0, "lost": 0, "won_back": 1, "cleared": 1}
    won.refresh_from_db()
    alone.refresh_from_db()
    assert (won.state, won.won_by, won.ended_on) == ("won_back", users["owner"], timezone.localdate())
    assert alone.state == "cleared"  # bought again without an attempt: not counted as won back
    with pytest.raises(ValidationFailed, match="record is closed"):
        services.win_back_attempt_record(by=users["owner"], defection=won, channel="phone")
    today = timezone.localdate()
    months = selectors.win_back_by_month(users["gm"], start=today.replace(day=1), end=today)
    assert [(m.lost, m.lost_value, m.won, m.won_value) for m in months] == [
        (2, Decimal("8000.00"), 1, Decimal("4000.00"))]
    people = selectors.won_back_by_salesperson(users["director"], start=today.replace(day=1), end=today)
    assert [(p.name, p.won, p.value) for p in people] == [("张伟", 1, Decimal("4000.00"))]
    assert selectors.won_back_by_salesperson(users["outsider"], start=today.replace(day=1), end=today) == []


@rule("WIN-2")
def test_win2_a_bad_attempt_is_refused_and_nothing_is_recorded(users, customer):
    row = lost_customer(users, customer)
    with pytest.raises(ValidationFailed, match="check the fields"):
        services.win_back_attempt_record(by=users["owner"], defection=row, channel="pigeon")
    with pytest.raises(ValidationFailed, match="check the fields"):
        services.win_back_attempt_record(by=users["owner"], defection=row, channel="phone", outcome="maybe")
    assert not WinBackAttempt.objects.exists()


@rule("WIN-2")
def test_win2_the_pages_list_record_and_export_within_the_scope(users, customer, en):
    row = lost_customer(users, customer)
    teammate = en(users["teammate"])
    assert "No customer at risk or lost" in teammate.get("/loyalty/lost/").text
    for url in (f"/loyalty/lost/{row.pk}/", f"/api/v1/lost-customers/{row.pk}/"):
        assert teammate.get(url).status_code == 404
    assert teammate.post(f"/loyalty/lost/{row.pk}/reason/", {"reason": "price"}).status_code == 404
    assert teammate.post(f"/loyalty/lost/{row.pk}/attempts/", {"channel": "phone", "outcome": "pending",
                                                               "on": timezone.localdate()}).status_code == 404
    assert teammate.get("/loyalty/lost/", {"owner": users["owner"].pk}).text.count('<tr id="defection-') == 0
    owner = en(users["owner"])
    page = owner.get("/loyalty/lost/", {"sort": "-lost_value", "grade": "C", "state": "lost"})
    assert page.status_code == 200 and f'<tr id="defection-{row.pk}"' in page.text and "4,000.00" in page.text
    refused = owner.post(f"/loyalty/lost/{row.pk}/reason/", {"reason": "weather"})
    assert refused.status_code == 400
    row.refresh_from_db()
    assert row.reason == ""
    assert owner.post(f"/loyalty/lost/{row.pk}/reason/", {"reason": "price", "reason_note": "对手便宜"}).status_code == 302
    done = owner.post(f"/loyalty/lost/{row.pk}/attempts/", {"channel": "phone", "offer": "送货上门", "outcome": "pending",
                                                            "on": timezone.localdate().isoformat()})
    assert done.status_code == 302
    detail = owner.get(f"/loyalty/lost/{row.pk}/").text
    assert "送货上门" in detail and "对手便宜" in detail and "Replace the reason recorded before?" in detail
    assert owner.get("/loyalty/lost/", {"reason": "price"}).text.count('<tr id="defection-') == 1
    assert owner.get("/loyalty/lost/", {"reason": "none"}).text.count('<tr id="defection-') == 0
    sheet = openpyxl.load_workbook(io.BytesIO(owner.get("/loyalty/lost/export.xlsx").content)).active
    rows = list(sheet.values)
    assert len(rows) == 2 and rows[1][1] == customer.name and rows[1][9] == 4000
    panel = owner.get(f"/panels/customer/defection/{customer.pk}/").text
    assert "4,000.00" in panel and "送货上门" in panel
    report = owner.get("/loyalty/win-back/")
    assert report.status_code == 200 and 'id="total-lost">1<' in report.text
    export = owner.get("/loyalty/win-back/export.xlsx")
    assert list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)[-1][1] == 1
    assert owner.get("/loyalty/win-back/", {"start": "2026-05-01", "end": "2026-01-01"}).status_code == 200


@rule("WIN-1")
def test_win1_the_list_takes_as_many_queries_for_40_rows_as_for_10(users, client_for,
                                                                  django_capture_on_commit_callbacks):
    client = client_for(users["director"])

    def rows(n: int) -> tuple[int, int]:
        for i in range(Defection.objects.count(), n):
            made = new_customer(by=users["owner"], name=f"久未进货的店{i}号")
            bought(by=users["finance"], customer=made, days_ago=[140])  # grade C: 90 days, 140 > 135
        with django_capture_on_commit_callbacks(execute=True):
            services.defections_daily()
        client.get("/loyalty/lost/")
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/loyalty/lost/")
        return len(captured), page.text.count('<tr id="defection-')

    few, many = rows(10), rows(40)
    assert (few[1], many[1]) == (10, 40)
    assert many[0] == few[0] <= 14


@rule("WIN-2")
def test_win2_the_api_lists_records_the_reason_and_logs_attempts(users, customer, outsider_customer, client_for):
    row = lost_customer(users, customer)
    at_risk_customer(owner=users["outsider"], finance=users["finance"], name="杭州久未进货的店")
    api = client_for(users["owner"])
    listed = api.get("/api/v1/lost-customers/", {"state": "open"}).json()
    assert [(r["customer_name"], r["state"], r["lost_value"]) for r in listed["results"]] == [
        (customer.name, "lost", "4000.00")]
    bad = api.post(f"/api/v1/lost-customers/{row.pk}/reason/", {"reason": "weather"}, content_type="application/json")
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    set_ = api.post(f"/api/v1/lost-customers/{row.pk}/reason/", {"reason": "moved", "note": "搬到苏州"},
                    content_type="application/json")
    assert set_.status_code == 200 and (set_.json()["reason"], set_.json()["reason_note"]) == ("moved", "搬到苏州")
    made = api.post(f"/api/v1/lost-customers/{row.pk}/attempts/", {"channel": "letter", "offer": "新品试用"},
                    content_type="application/json")
    assert made.status_code == 201 and (made.json()["outcome"], made.json()["by"]) == ("pending", users["owner"].pk)
    assert api.get(f"/api/v1/lost-customers/{row.pk}/").json()["attempts"][0]["offer"] == "新品试用"
    report = api.get("/api/v1/win-back/").json()
    assert report["months"][-1]["lost"] == 1 and report["salespeople"] == []
    assert api.get("/api/v1/win-back/", {"start": "2026-05-01", "end": "2026-01-01"}).status_code == 400
