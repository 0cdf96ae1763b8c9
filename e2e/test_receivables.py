"""Receivables in a real browser (AR-1, AR-2, AR-3, AR-4): finance records one payment against
two invoices, sees the ageing and the collection rate change, and prints the receipt; a
salesperson finds a customer and records a promise to pay (issue 12's daily flows)."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from conftest import rule
from e2e.conftest import login
from kehu.receivables import services
from kehu.receivables.models import Invoice, Payment, Promise
from kehu.receivables.tests.builders import imported_invoice


@rule("AR-1")
def test_it_records_a_payment_against_two_invoices_and_the_figures_follow(page, server, users, customer):
    today = timezone.localdate()
    month_start = today.replace(day=1)
    # Two invoices falling due this month: ¥1,000 at its start (overdue unless that is today) and ¥500 today.
    services.invoice_import(by=users["finance"], rows=[
        (2, {"customer": customer.code, "number": "E2E-1", "amount": "1000",
             "issued_on": (month_start - timedelta(days=30)).isoformat(), "due_on": month_start.isoformat()}),
        (3, {"customer": customer.code, "number": "E2E-2", "amount": "500",
             "issued_on": (today - timedelta(days=30)).isoformat(), "due_on": today.isoformat()})])
    first, second = Invoice.objects.get(number="E2E-1"), Invoice.objects.get(number="E2E-2")

    login(page, server, "finance")
    page.goto(f"{server.url}/receivables/ageing/")
    expect(page.locator("#ageing-total [data-bucket=balance]")).to_have_text("¥1,500.00")
    page.goto(f"{server.url}/receivables/collection-rate/")
    expect(page.locator("#rate-total [data-rate]")).to_have_attribute("data-rate", "0.0")

    # One payment of ¥1,200: ¥1,000 settles the first invoice and ¥200 part of the second.
    page.goto(f"{server.url}/receivables/payments/new/?customer={customer.pk}")
    page.locator("#payment-form input[name=amount]").fill("1200")
    page.locator("#payment-form select[name=method]").select_option("transfer")
    page.locator(f"input[name=alloc-{first.pk}]").fill("1000")
    page.locator(f"input[name=alloc-{second.pk}]").fill("200")
    page.locator("#post-payment").click()
    payment = Payment.objects.get()
    expect(page.locator("#receipt-number")).to_contain_text(payment.number)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.open_amount, second.open_amount, payment.unallocated) == (
        Decimal("0.00"), Decimal("300.00"), Decimal("0.00"))

    page.goto(f"{server.url}/receivables/ageing/")
    expect(page.locator("#ageing-total [data-bucket=balance]")).to_have_text("¥300.00")
    expect(page.locator("#ageing-total [data-bucket=current]")).to_have_text("¥300.00")
    page.goto(f"{server.url}/receivables/collection-rate/")
    expect(page.locator("#rate-total [data-rate]")).to_have_attribute("data-rate", "80.0")  # 1,200 of 1,500

    page.goto(f"{server.url}/receivables/payments/{payment.pk}/")
    with page.context.expect_page() as opened:
        page.locator("#print-receipt").click()
    receipt = opened.value
    receipt.wait_for_load_state()
    expect(receipt.locator("#receipt-number")).to_contain_text(payment.number)
    expect(receipt.locator("#receipt-in-words")).to_contain_text("壹仟贰佰元整")
    expect(receipt.locator("#receipt-settles")).to_contain_text("E2E-1")
    expect(receipt.locator("#receipt-settles")).to_contain_text("E2E-2")

    # The customer's 360° page fetches its receivables block when the tab is opened.
    page.goto(f"{server.url}/customers/{customer.pk}/")
    page.locator("button[data-bs-target='#tab-business']").click()
    expect(page.locator("#customer-receivables")).to_contain_text("E2E-2")
    expect(page.locator("#customer-receivables")).to_contain_text("¥300.00")


@rule("AR-3")
def test_it_draws_the_report_chart_and_applies_a_choice_at_once(page, server, users, customer):
    """The list-and-report kit's scripts (core/charts.js, core/kehu.js): no inline script."""
    today = timezone.localdate()
    services.invoice_import(by=users["finance"], rows=[
        (2, {"customer": customer.code, "number": "E2E-9", "amount": "800",
             "issued_on": (today - timedelta(days=60)).isoformat(), "due_on": (today - timedelta(days=40)).isoformat()})])
    login(page, server, "owner")
    page.goto(f"{server.url}/receivables/ageing/")
    expect(page.locator("#ageing-chart canvas")).to_have_count(1)
    # A "group by" button applies at once, without Show.
    page.locator("label[for=by-office]").click()
    expect(page).to_have_url(re.compile(r"by=office"))
    expect(page.locator("#by-office")).to_be_checked()
    # The promise's fields are shown only for "promised to pay".
    page.goto(f"{server.url}/receivables/customers/{customer.pk}/attempt/")
    expect(page.locator("#promise-fields")).to_be_hidden()
    page.select_option("#id_outcome", "promised")
    expect(page.locator("#promise-fields")).to_be_visible()
    # The language applies as soon as it is chosen.
    page.select_option("#language-switch", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


@rule("AR-2")
def test_a_salesperson_finds_a_customer_by_initials_and_records_a_promise(page, server, users, customer):
    """Issue 12's first daily flow: a salesperson finds the customer (pinyin initials), opens the
    360° page, logs a call in which the customer promised to pay the overdue invoice, and finds
    the promise, with the invoice's open amount filled in, on the promises page."""
    today = timezone.localdate()
    late = imported_invoice(by=users["finance"], customer=customer, number="E2E-P1", amount="2345.60",
                            issued_on=today - timedelta(days=60), due_on=today - timedelta(days=15))

    login(page, server, "owner")
    page.goto(f"{server.url}/customers/")
    page.fill("#search", "SHHF")  # 上海恒丰…
    page.locator("#search-button").click()
    page.locator("#customer-table").get_by_text("上海恒丰商贸有限公司").click()
    page.locator("#customer-log-attempt").click()

    form = page.locator("#attempt-form")
    form.locator("select[name=channel]").select_option("call")
    form.locator("select[name=outcome]").select_option("promised")
    expect(page.locator("#promise-fields")).to_be_visible()
    form.locator("select[name=invoice]").select_option(str(late.pk))
    expect(form.locator("input[name=promised_amount]")).to_have_value("2345.60")
    form.locator("input[name=promised_on]").fill((today + timedelta(days=3)).isoformat())
    form.locator("input[name=contact]").fill("王经理")
    page.locator("#attempt-save").click()

    promise = Promise.objects.get()
    assert (promise.invoice_id, promise.amount, promise.promised_on) == (
        late.pk, Decimal("2345.60"), today + timedelta(days=3))
    page.goto(f"{server.url}/receivables/promises/")
    expect(page.locator("main")).to_contain_text("上海恒丰商贸有限公司")
    expect(page.locator("main")).to_contain_text("¥2,345.60")
