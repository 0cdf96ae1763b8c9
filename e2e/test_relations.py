"""Keeping in touch in a real browser (REL-1, REL-2, REL-4): a salesperson opens today's plan
on a 390 px phone, ticks an overdue customer off as visited in one tap, the customer leaves the
overdue list and the plan shows the visit done."""

from playwright.sync_api import expect

from conftest import rule
from e2e.conftest import login
from kehu.customers.models import Customer
from kehu.customers.tests.builders import new_customer
from kehu.relations.models import Touch
from kehu.relations.tests.builders import touch

PHONE = {"width": 390, "height": 844}


@rule("REL-4")
def test_a_salesperson_visits_an_overdue_customer_from_the_plan_on_a_phone(page, server, users):
    late = new_customer(by=users["owner"], name="甲级逾期商店", category="other")
    Customer.objects.filter(pk=late.pk).update(grade="A", status="active")
    touch(by=users["owner"], customer=late, days_ago=9)  # grade A: at least weekly

    page.set_viewport_size(PHONE)
    login(page, server, "owner")
    page.goto(f"{server.url}/relations/due/")
    expect(page.locator("#due-table")).to_contain_text("甲级逾期商店")

    page.goto(f"{server.url}/relations/plan/")
    item = page.locator("[data-plan-item][data-kind=contact]", has_text="甲级逾期商店")
    expect(item).to_have_attribute("data-done", "0")
    visit = item.locator(f"[data-quick-visit='{late.pk}']")
    box = visit.bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"], "the visit button is off-screen"
    visit.click()

    item = page.locator("[data-plan-item][data-kind=contact]", has_text="甲级逾期商店")
    expect(item).to_have_attribute("data-done", "1")
    assert Touch.objects.filter(customer=late, kind="visit").count() == 2
    page.goto(f"{server.url}/relations/due/")
    expect(page.locator("main")).not_to_contain_text("甲级逾期商店")
