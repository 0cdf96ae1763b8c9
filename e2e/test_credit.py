"""Credit in a real browser (CRD-2, CRD-3): a salesperson asks for a higher limit, the
office director and the sales manager approve it in turn, and an order over the old limit
but under the new one, refused before, is then confirmed."""

from decimal import Decimal

from playwright.sync_api import expect

from conftest import rule
from e2e.conftest import login
from kehu.credit.models import ApprovalThreshold, CreditAccount
from kehu.sales.models import Order, Product


def approve_from_the_queue(page, server, username, comment):
    page.context.clear_cookies()
    login(page, server, username)
    page.goto(f"{server.url}/credit/queue/")
    page.locator("#queue-table a.queue-customer", has_text="上海恒丰商贸有限公司").click()
    page.locator("#decide input[name=comment]").fill(comment)
    page.once("dialog", lambda dialog: dialog.accept())  # CRD-2: approving asks for a confirmation
    page.locator("#decide button[value=approve]").click()
    expect(page.locator("#request-steps")).to_contain_text(comment)


@rule("CRD-3")
def test_it_accepts_an_order_once_a_higher_limit_is_approved_in_turn(page, server, users, customer):
    # The test database is flushed between browser tests: the thresholds are set here.
    for level, amount in [("director", "0"), ("sales_manager", "100000"), ("marketing_vp", "500000"),
                          ("general_manager", "1000000")]:
        ApprovalThreshold.objects.update_or_create(level=level, defaults={"min_amount": Decimal(amount)})
    CreditAccount.objects.create(customer=customer, limit=Decimal("1000"))
    Product.objects.create(code="P001", name="洗衣粉 5kg", unit="袋", list_price=Decimal("100.00"), line="日化")

    login(page, server, "owner")
    # An order of ¥2,000 against a limit of ¥1,000 is refused with the numbers.
    page.goto(f"{server.url}/sales/orders/new/?customer={customer.pk}")
    page.locator("#product-search").fill("洗衣")  # the product lists narrow to what is typed
    page.locator("select[data-line-product]").first.select_option(label="P001 洗衣粉 5kg (袋)")
    page.locator("input[name$='-quantity']").first.fill("20")
    expect(page.locator("#order-total")).to_have_text("¥2,000.00")  # the running total, before saving
    page.locator("input[name$='-discount_pct']").first.fill("10")
    expect(page.locator("#order-total")).to_have_text("¥1,800.00")
    page.locator("input[name$='-discount_pct']").first.fill("")
    page.locator("#save-order").click()
    page.locator("#confirm-order").click()
    expect(page.locator("#credit-refused")).to_contain_text("¥1,000.00")
    expect(page.locator("#credit-refused")).to_contain_text("¥2,000.00")
    order = Order.objects.get()
    assert order.status == "draft"

    # The salesperson asks for ¥150,000: the director and the sales manager must sign.
    page.goto(f"{server.url}/credit/customers/{customer.pk}/limit/")
    page.locator("#limit-request-form input[name=amount]").fill("150000")
    page.locator("#limit-request-form textarea[name=reasons]").fill("旺季备货，近一年回款及时")
    page.locator("#send-request").click()
    expect(page.locator("#request-amount")).to_contain_text("¥150,000.00")

    approve_from_the_queue(page, server, "director", "同意，客户经营稳定")
    assert CreditAccount.objects.get(customer=customer).limit == Decimal("1000.00")  # not yet: one signature left
    approve_from_the_queue(page, server, "manager", "同意")
    assert CreditAccount.objects.get(customer=customer).limit == Decimal("150000.00")

    page.context.clear_cookies()
    login(page, server, "owner")
    page.goto(f"{server.url}/sales/orders/{order.pk}/")
    page.locator("#confirm-order").click()
    expect(page.locator("#credit-refused")).to_have_count(0)
    order.refresh_from_db()
    assert order.status == "confirmed"
