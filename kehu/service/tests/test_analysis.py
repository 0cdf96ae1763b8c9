"""The complaint analysis (CMP-6, CMP-4): complaints by type, cause, responsibility, product,
salesperson and month in the user's scope, with missed deadlines, median times to the first
response and to the resolution, a chart, an Excel export and links down to the complaints."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import rule
from kehu.service import services
from kehu.service.models import Breach, Complaint
from kehu.service.satisfaction import record_by_staff
from kehu.service.tests.builders import NOTES, new_complaint, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

ANALYSIS = reverse("service:complaint_analysis")


def handled(customer, by, *, kind="quality", cause="product", responsibility="product", product=None,
            hours_ago=48):
    """A complaint received `hours_ago`, investigated (cause) and decided (responsibility)."""
    complaint = new_complaint(customer=customer, by=by, kind=kind, product=product,
                              received_at=timezone.now() - timedelta(hours=hours_ago))
    walk(complaint, by=by, through="apologise")
    services.step_record(by=by, complaint=complaint, step="investigate", note=NOTES["investigate"], cause=cause)
    services.step_record(by=by, complaint=complaint, step="decide", note=NOTES["decide"],
                         responsibility=responsibility)
    complaint.refresh_from_db()
    return complaint


@rule("CMP-2")
def test_cmp2_the_investigation_names_the_cause_and_the_decision_the_responsibility(users, en, customer):
    complaint = new_complaint(customer=customer, by=users["owner"])
    walk(complaint, by=users["owner"], through="apologise")
    client = en(users["owner"])
    step = reverse("service:complaint_step", args=[complaint.pk])
    assert 'id="step-cause"' in client.get(complaint.get_absolute_url()).content.decode()
    refused = client.post(step, {"step": "investigate", "note": "查了", "cause": "aliens"}, follow=True)
    assert "Choose a cause from the list." in refused.content.decode()
    assert not complaint.steps.filter(step="investigate").exists()
    client.post(step, {"step": "investigate", "note": "说明书写得不清楚", "cause": "explanation"})
    client.post(step, {"step": "decide", "note": "业务员说明不够", "responsibility": "salesperson"})
    complaint.refresh_from_db()
    assert (complaint.cause, complaint.responsibility) == ("explanation", "salesperson")
    assert "The salesperson&#x27;s explanation was insufficient" in client.get(complaint.get_absolute_url()).content.decode()


@rule("CMP-6")
def test_cmp6_the_analysis_counts_by_cause_with_medians_breaches_and_satisfaction(users, en, customer):
    owner = users["owner"]
    first = handled(customer, owner, cause="product")
    handled(customer, owner, cause="product")
    handled(customer, owner, cause="promise", responsibility="salesperson")
    new_complaint(customer=customer, by=owner, kind="price")  # nothing found yet: "not said"
    walk(first, by=owner)
    services.complaint_close(by=owner, complaint=first)
    record_by_staff(by=owner, complaint=first, rating=4)
    Breach.objects.create(complaint=first, kind=Breach.Kind.RESPONSE, due_at=first.respond_by)
    page = en(users["director"]).get(ANALYSIS, {"by": "cause"})
    rows = {r["key"]: r for r in page.context["rows"]}
    assert {k: r["count"] for k, r in rows.items()} == {"product": 2, "promise": 1, "": 1}
    assert rows["product"]["breached"] == 1 and rows["product"]["closed"] == 1
    assert rows["product"]["satisfaction"] == 4 and rows[""]["label"] == "Not said"
    # the first response came right away, ~48 hours after the (back-dated) intake
    assert 47 < rows["product"]["median_respond"] < 49 and 47 < rows["product"]["median_resolve"] < 49
    assert page.context["total"]["count"] == 4
    body = page.content.decode()
    assert 'id="complaints-chart"' in body and "echarts" in body


@rule("CMP-6")
def test_cmp6_the_analysis_is_scoped_a_director_sees_the_office_the_gm_everything(users, en, customer,
                                                                                  outsider_customer):
    handled(customer, users["owner"])
    handled(outsider_customer, users["outsider"])
    director = en(users["director"]).get(ANALYSIS, {"by": "salesperson"}).context
    assert [(r["key"], r["count"]) for r in director["rows"]] == [(users["owner"].pk, 1)]
    gm = en(users["gm"]).get(ANALYSIS, {"by": "salesperson"}).context
    assert sorted(r["key"] for r in gm["rows"]) == sorted([users["owner"].pk, users["outsider"].pk])
    owner_only = en(users["outsider"]).get(ANALYSIS, {"by": "kind"}).context
    assert owner_only["total"]["count"] == 1


@rule("CMP-6")
def test_cmp6_each_row_drills_down_to_its_complaints_on_the_list(users, en, customer, product):
    owner = users["owner"]
    mine = handled(customer, owner, cause="attitude", responsibility="salesperson", product=product, kind="attitude")
    other = handled(customer, owner, cause="product", kind="quality")
    client = en(owner)
    for by, key, expected in (("cause", "attitude", [mine.pk]), ("responsibility", "salesperson", [mine.pk]),
                              ("product", product.pk, [mine.pk]), ("kind", "attitude", [mine.pk]),
                              ("salesperson", owner.pk, sorted([mine.pk, other.pk]))):
        row = next(r for r in client.get(ANALYSIS, {"by": by}).context["rows"] if r["key"] == key)
        listed = client.get(row["url"])
        assert sorted(c.pk for c in listed.context["page"].object_list) == expected, by
    month = client.get(ANALYSIS, {"by": "month"}).context["rows"]
    assert len(month) == 1 and month[0]["count"] == 2
    assert len(client.get(month[0]["url"]).context["page"].object_list) == 2


@rule("CMP-6")
def test_cmp6_the_analysis_exports_its_rows_and_total_to_excel(users, en, customer):
    handled(customer, users["owner"], cause="product")
    handled(customer, users["owner"], cause="customer", responsibility="customer")
    response = en(users["owner"]).get(reverse("service:complaint_analysis_export"), {"by": "responsibility"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("responsibility", "number of complaints", "closed", "missed a deadline")
    assert sorted(r[0] for r in rows[1:3]) == ["The customer", "The product or its maker"]
    assert rows[-1][:2] == ("total", 2)


@rule("CMP-6")
def test_cmp6_a_bad_period_or_group_is_named_and_the_defaults_used(users, en, customer):
    handled(customer, users["owner"])
    response = en(users["owner"]).get(ANALYSIS, {"by": "weather", "date_from": "yesterday"}, follow=True)
    assert response.status_code == 200 and "ignored" in response.content.decode()
    assert response.context["by"] == "kind" and response.context["total"]["count"] == 1
    empty = en(users["owner"]).get(ANALYSIS, {"date_from": "2001-01-01", "date_to": "2001-12-31"})
    assert 'id="empty-state"' in empty.content.decode()


@rule("CMP-6")
def test_cmp6_the_list_filters_of_the_drill_down_refuse_bad_values_without_error(users, en, customer):
    complaint = handled(customer, users["owner"])
    Breach.objects.create(complaint=complaint, kind=Breach.Kind.RESOLUTION, due_at=complaint.resolve_by)
    client = en(users["owner"])
    listed = client.get(reverse("service:complaint_list"), {"status": "", "breached": "yes"})
    assert [c.pk for c in listed.context["page"].object_list] == [complaint.pk]
    assert not client.get(reverse("service:complaint_list"), {"breached": "no", "status": ""}).context[
        "page"].object_list
    bad = client.get(reverse("service:complaint_list"), {"cause": "x", "received_from": "soon"}, follow=True)
    assert bad.status_code == 200 and "ignored" in bad.content.decode()
    assert Complaint.objects.count() == 1


@rule("CMP-6")
def test_cmp6_the_analysis_reads_a_bounded_number_of_queries(users, client_for, customer, page_within):
    for n in range(8):
        handled(customer, users["owner"], cause="product" if n % 2 else "promise")
    page = page_within(client_for(users["gm"]), ANALYSIS, {"by": "salesperson"}, queries=14)
    assert page.context["total"]["count"] == 8  # every complaint counted, within the query budget


@rule("CMP-6")
def test_cmp6_the_analysis_api_answers_the_same_rows_in_the_users_scope(users, client_for, customer,
                                                                       outsider_customer):
    handled(customer, users["owner"], cause="product")
    handled(customer, users["owner"], cause="promise", responsibility="salesperson")
    handled(outsider_customer, users["outsider"], cause="product")
    url = reverse("complaint-analysis")
    mine = client_for(users["director"]).get(url, {"by": "cause"}).json()
    assert sorted((r["key"], r["count"]) for r in mine["rows"]) == [("product", 1), ("promise", 1)]
    assert mine["total"]["count"] == 2 and mine["by"] == "cause"
    everyone = client_for(users["gm"]).get(url, {"by": "cause"}).json()
    assert sorted((r["key"], r["count"]) for r in everyone["rows"]) == [("product", 2), ("promise", 1)]
    bad = client_for(users["gm"]).get(url, {"by": "weather"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"by"}
    backwards = client_for(users["gm"]).get(url, {"date_from": "2030-01-01", "date_to": "2029-01-01"})
    assert backwards.status_code == 400 and set(backwards.json()["errors"]) == {"date_to"}
