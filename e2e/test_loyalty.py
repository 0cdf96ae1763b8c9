"""Referrals in a real browser (REF-1, REF-2): a customer refers a prospect, the salesperson records
it and contacts the prospect, the prospect becomes a customer, and the reminder to tell and thank
the referrer appears — in the inbox and on the daily plan — and is done."""

from playwright.sync_api import expect

from conftest import rule
from e2e.conftest import login
from kehu.customers.models import Customer
from kehu.customers.tests.builders import new_customer
from kehu.loyalty.models import Referral
from kehu.relations.models import Touch


@rule("REF-1")
@rule("REF-2")
def test_a_referral_is_contacted_won_and_the_referrer_thanked(page, server, users):
    referrer = new_customer(by=users["owner"], name="老主顾百货商店", category="key_retailer")
    Customer.objects.filter(pk=referrer.pk).update(status="active")

    login(page, server, "owner")
    page.goto(f"{server.url}/customers/{referrer.pk}/")
    page.click("#customer-new-referral")
    page.fill("#id_name", "朋友介绍的新超市")
    page.select_option("#id_category", "key_retailer")
    page.click("#save-referral")

    referral = Referral.objects.get(referrer=referrer)
    row = page.locator(f"#referral-{referral.pk}")
    expect(row).to_contain_text("朋友介绍的新超市")
    expect(row.locator(".badge")).to_have_class("badge text-bg-warning")  # not contacted yet

    # The daily plan says to contact the prospect; the salesperson visits it from its page.
    page.goto(f"{server.url}/relations/plan/")
    expect(page.locator("[data-plan-item][data-kind=referral_contact]")).to_contain_text("朋友介绍的新超市")
    page.goto(f"{server.url}/customers/{referral.referred_id}/")
    page.click("#quick-visit")
    assert Touch.objects.filter(customer_id=referral.referred_id).count() == 1

    page.goto(f"{server.url}/loyalty/referrals/")
    row = page.locator(f"#referral-{referral.pk}")
    expect(row.locator(".badge")).to_have_class("badge text-bg-success")  # contacted
    row.locator(f"#outcome-{referral.pk}-won").click()
    referral.refresh_from_db()
    assert referral.outcome == Referral.Outcome.WON

    # REF-2: the reminder to tell and thank the referrer, in the inbox and on the plan.
    page.goto(f"{server.url}/reminders/")
    expect(page.locator("main")).to_contain_text("老主顾百货商店")
    page.goto(f"{server.url}/relations/plan/")
    thanks = page.locator("[data-plan-item][data-kind=referral_thanks]", has_text="老主顾百货商店")
    expect(thanks).to_have_attribute("data-done", "0")

    page.goto(f"{server.url}/loyalty/referrals/")
    page.locator(f"#thank-{referral.pk}").click()
    referral.refresh_from_db()
    assert referral.thank_touch is not None and referral.thank_touch.customer_id == referrer.pk
    expect(page.locator(f"#referral-{referral.pk}")).not_to_contain_text("—")

    page.goto(f"{server.url}/relations/plan/")
    thanks = page.locator("[data-plan-item][data-kind=referral_thanks]", has_text="老主顾百货商店")
    expect(thanks).to_have_attribute("data-done", "1")
