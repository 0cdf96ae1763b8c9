"""REL-7: dealer support 协助客户 — a yearly plan per dealer of the support given (training their
staff, POS material, displays, joint promotions, shared advertising), each item with its budget,
done or not, and the measured effect."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.relations import selectors, services
from kehu.relations.models import SupportItem, SupportPlan

pytestmark = pytest.mark.django_db


def year() -> int:
    return timezone.localdate().year


def plan_with_items(by, customer, *budgets, plan_year=None):
    plan = services.support_plan_create(by=by, customer=customer, year=plan_year or year())
    for month, budget in enumerate(budgets, start=1):
        services.support_item_add(by=by, plan=plan, kind="training", description=f"培训 {month}", budget=budget,
                                  planned_month=month)
    return plan


@rule("REL-7")
def test_rel7_one_plan_per_dealer_per_year_the_second_is_refused(users, customer):
    first = services.support_plan_create(by=users["owner"], customer=customer, year=str(year()))
    with pytest.raises(ValidationFailed) as refused:
        services.support_plan_create(by=users["director"], customer=customer, year=year())
    assert refused.value.message == f"上海恒丰商贸有限公司 already has a support plan for {year()}; add to that plan."
    assert list(SupportPlan.objects.values_list("pk", flat=True)) == [first.pk]
    services.support_plan_create(by=users["owner"], customer=customer, year=year() + 1)
    for bad in ("1999", str(year() + 2), "next"):
        with pytest.raises(ValidationFailed):
            services.support_plan_create(by=users["owner"], customer=customer, year=bad)
    assert SupportPlan.objects.count() == 2


@rule("REL-7")
def test_rel7_only_the_sales_line_plans_support_for_its_own_dealers(users, customer, outsider_customer):
    with pytest.raises(Http404):
        services.support_plan_create(by=users["owner"], customer=outsider_customer, year=year())
    for role in ("service", "finance"):
        with pytest.raises(PermissionDeniedError):
            services.support_plan_create(by=users[role], customer=customer, year=year())
    assert not SupportPlan.objects.exists()


@rule("REL-7")
def test_rel7_the_budget_is_exact_money_and_the_plan_totals_budget_and_spent(users, customer):
    plan = plan_with_items(users["owner"], customer, "1,200.10", "￥300.20", "0.30")
    first = plan.items.order_by("planned_month").first()
    services.support_item_done(by=users["owner"], item=first, effect_note="店员会讲解新品", sales_before="10000",
                               sales_after="12500.50")
    totals = selectors.support_plan_get_for_user(user=users["director"], pk=plan.pk)
    assert (totals.budget_total, totals.spent, totals.item_count, totals.done_count) == (
        Decimal("1500.60"), Decimal("1200.10"), 3, 1)
    first.refresh_from_db()
    assert (first.done_on, first.done_by, first.sales_before, first.sales_after) == (
        timezone.localdate(), users["owner"], Decimal("10000.00"), Decimal("12500.50"))


@rule("REL-7")
@pytest.mark.parametrize("bad", [{"budget": "-1"}, {"budget": "1.005"}, {"budget": "abc"}, {"budget": ""},
                                 {"kind": "party"}, {"description": "  "}, {"planned_month": "13"},
                                 {"planned_month": "0"}, {"description": "长" * 201}])
def test_rel7_a_bad_item_is_refused_and_nothing_added(users, customer, bad):
    plan = services.support_plan_create(by=users["owner"], customer=customer, year=year())
    values = {"kind": "display", "description": "端架陈列", "budget": "500", "planned_month": 4} | bad
    with pytest.raises(ValidationFailed):
        services.support_item_add(by=users["owner"], plan=plan, **values)
    assert not SupportItem.objects.exists()


@rule("REL-7")
def test_rel7_support_is_marked_done_once_never_in_the_future(users, customer):
    item = plan_with_items(users["owner"], customer, "800").items.get()
    with pytest.raises(ValidationFailed):
        services.support_item_done(by=users["owner"], item=item, done_on=timezone.localdate().replace(
            year=year() + 1))
    with pytest.raises(ValidationFailed):
        services.support_item_done(by=users["owner"], item=item, sales_after="-5")
    assert SupportItem.objects.get().done_on is None
    services.support_item_done(by=users["owner"], item=item, effect_note="第一次")
    with pytest.raises(ValidationFailed) as again:
        services.support_item_done(by=users["director"], item=item, effect_note="第二次")
    assert "already marked done" in again.value.message
    assert SupportItem.objects.values_list("effect_note", "done_by").get() == ("第一次", users["owner"].pk)


@rule("REL-7")
def test_rel7_the_plan_page_adds_items_and_marks_one_done_with_confirmation(users, customer, en):
    client = en(users["owner"])
    created = client.post(reverse("relations:support_create", args=[customer.pk]), {"year": year()}, follow=True)
    plan = SupportPlan.objects.get()
    assert f"Support plan {year()} of 上海恒丰商贸有限公司 drawn up" in created.text
    again = client.post(reverse("relations:support_create", args=[customer.pk]), {"year": year()})
    assert again.status_code == 200 and "already has a support plan" in again.text
    add = reverse("relations:support_item_add", args=[plan.pk])
    client.post(add, {"kind": "promotion", "description": "联合促销", "budget": "2,000", "planned_month": "6"})
    refused = client.post(add, {"kind": "pos", "description": "海报", "budget": "-3", "planned_month": "6"})
    assert refused.status_code == 200 and "cannot be negative" in refused.text
    item = SupportItem.objects.get()
    page = client.get(plan.get_absolute_url()).text
    assert 'data-confirm="Mark “联合促销” done? It cannot be undone."' in page
    assert 'id="support-budget">¥2,000.00' in page and 'id="support-spent">¥0.00' in page
    done = client.post(reverse("relations:support_item_done", args=[item.pk]),
                       {f"i{item.pk}-effect_note": "销量提升 20%", f"i{item.pk}-sales_before": "5000",
                        f"i{item.pk}-sales_after": "6000"}, follow=True)
    assert "“联合促销” marked done." in done.text and 'id="support-spent">¥2,000.00' in done.text
    assert 'data-done="1"' in done.text and "¥5,000.00" in done.text
    twice = client.post(reverse("relations:support_item_done", args=[item.pk]), {f"i{item.pk}-effect_note": "x"},
                        follow=True)
    assert "This support was already marked done on" in twice.text
    assert SupportItem.objects.get().effect_note == "销量提升 20%"


@rule("REL-7")
def test_rel7_the_dealers_panel_shows_its_plans(users, customer, en):
    plan_with_items(users["owner"], customer, "100", "200")
    panel = en(users["director"]).get(reverse("panel", args=["customer", "dealer-support", customer.pk])).text
    assert f'data-plan="{SupportPlan.objects.get().pk}"' in panel and "¥300.00" in panel
    assert 'id="customer-plan-support"' in panel
    assert 'id="customer-plan-support"' not in en(users["service"]).get(
        reverse("panel", args=["customer", "dealer-support", customer.pk])).text


@rule("REL-7")
def test_rel7_the_list_is_scoped_and_exported(users, customer, outsider_customer, en, page_within):
    for offset in range(20):
        plan_with_items(users["owner"], customer, "100", "50.50", plan_year=year() - offset)
    plan_with_items(users["outsider"], outsider_customer, "999")
    director = en(users["director"])
    page = page_within(director, "/relations/support/", queries=12)
    assert page.text.count("data-plan=") == 20 and "杭州西湖百货商店" not in page.text
    assert director.get("/relations/support/", {"year": year()}).text.count("data-plan=") == 1
    sheet = openpyxl.load_workbook(io.BytesIO(director.get("/relations/support/export.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 21 and rows[0][:3] == ("year", "customer code", "customer")
    assert rows[1][0] == year() and rows[1][5] == 150.5 and rows[1][6] in (None, 0)
    assert "No support plans yet." in en(users["teammate"]).get("/relations/support/").text


@rule("REL-7")
def test_rel7_the_api_draws_up_adds_and_marks_done(users, customer, outsider_customer, client_for):
    owner = client_for(users["owner"])
    made = owner.post("/api/v1/support-plans/", {"customer": customer.pk, "year": year()},
                      content_type="application/json")
    assert made.status_code == 201 and made.json()["budget_total"] == "0.00"
    pk = made.json()["id"]
    assert owner.post("/api/v1/support-plans/", {"customer": customer.pk, "year": year()},
                      content_type="application/json").status_code == 400
    added = owner.post(f"/api/v1/support-plans/{pk}/items/", {"kind": "advertising", "description": "共同广告",
                                                                "budget": "1234.56", "planned_month": 9},
                       content_type="application/json")
    assert added.status_code == 201 and added.json()["budget_total"] == "1234.56"
    item = added.json()["items"][0]["id"]
    assert owner.post(f"/api/v1/support-plans/{pk}/items/", {"kind": "advertising", "description": "x",
                                                              "budget": "1.001", "planned_month": 9},
                      content_type="application/json").status_code == 400
    done = owner.post(f"/api/v1/support-items/{item}/done/", {"effect_note": "知名度提高", "sales_after": "800"},
                      content_type="application/json")
    assert done.status_code == 200 and done.json()["done"] is True and done.json()["sales_after"] == "800.00"
    assert owner.get(f"/api/v1/support-plans/{pk}/").json()["spent"] == "1234.56"
    assert client_for(users["outsider"]).get(f"/api/v1/support-plans/{pk}/").status_code == 404
