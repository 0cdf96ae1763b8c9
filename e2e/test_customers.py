"""The customer card in a real browser: search by a Chinese fragment, create, edit, the
stale-edit refusal, bulk reassignment and the Excel export."""

import io

import openpyxl
from playwright.sync_api import expect

from conftest import rule
from e2e.conftest import login, submit_login
from kehu.customers import services
from kehu.customers.models import Customer


@rule("CUS-1")
def test_it_searches_creates_and_edits_a_customer(page, server, users, customer, outsider_customer):
    login(page, server, "owner")
    page.goto(f"{server.url}/customers/")
    page.fill("#search", "恒丰")
    page.locator("#search-button").click()
    expect(page.locator("#customer-table")).to_contain_text("上海恒丰商贸有限公司")
    expect(page.locator("#customer-table")).not_to_contain_text("杭州西湖百货商店")

    page.locator("#new-customer").click()
    page.fill("#id_name", "上海浦江五金批发部")
    page.select_option("#id_category", "wholesaler_2")
    page.fill("#id_postcode", "2000")  # five digits: refused with a message
    page.locator("#save-customer").click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    assert not Customer.objects.filter(name="上海浦江五金批发部").exists()
    page.fill("#id_postcode", "200120")
    page.fill("#id_phone", "021-6888 1234")
    page.locator("#save-customer").click()
    expect(page.locator("#customer-name")).to_have_text("上海浦江五金批发部")
    created = Customer.objects.get(name="上海浦江五金批发部")
    assert created.owner == users["owner"] and created.postcode == "200120"

    page.locator("#edit-customer").click()
    page.fill("#id_address", "上海市浦东新区浦江路8号")
    page.locator("#save-customer").click()
    expect(page.locator("#customer-name")).to_be_visible()
    created.refresh_from_db()
    assert created.address == "上海市浦东新区浦江路8号"
    assert created.version == 2


@rule("CUS-3")
def test_it_refuses_a_stale_edit_in_the_browser(page, server, users, customer):
    login(page, server, "owner")
    page.goto(f"{server.url}/customers/{customer.pk}/edit/")
    # Meanwhile the director changes the card.
    services.customer_update(by=users["director"], customer=customer, version=customer.version,
                             data={"address": "主任改过的地址"})
    page.fill("#id_address", "业务员的地址")
    page.locator("#save-customer").click()
    expect(page.locator("#form-errors")).to_be_visible()
    customer.refresh_from_db()
    assert customer.address == "主任改过的地址"


@rule("CUS-5")
def test_it_reassigns_customers_in_bulk(page, server, users, customer):
    second = services.customer_create(by=users["owner"], data={"name": "上海顺达食品店", "category": "key_retailer"})
    login(page, server, "director")
    page.goto(f"{server.url}/customers/")
    page.locator(f'input[name="ids"][value="{customer.pk}"]').check()
    page.locator(f'input[name="ids"][value="{second.pk}"]').check()
    page.select_option("#id_to_owner", str(users["teammate"].pk))
    page.fill("#id_reason", "张伟调往杭州")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#reassign-button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"teammate"}
    page.goto(f"{server.url}/customers/{customer.pk}/")
    page.locator("#tab-history-button").click()
    expect(page.locator("#reassignments")).to_contain_text("张伟调往杭州")


@rule("INS-2")
def test_it_exports_the_filtered_list_to_excel(page, server, users, customer, outsider_customer):
    login(page, server, "gm")
    page.goto(f"{server.url}/customers/?q=恒丰")
    with page.expect_download() as download_info:
        page.locator("#export").click()
    content = download_info.value.path().read_bytes()
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert customer.code in rows[1] and customer.name in rows[1]


@rule("PLT-5")
def test_it_works_on_a_phone_sized_screen(browser, server, users, customer):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    submit_login(page, server, "owner")  # the user menu is folded behind the menu button here
    expect(page.locator("#customer-count")).to_have_text("1")
    page.goto(f"{server.url}/customers/")
    expect(page.locator("#customer-table")).to_contain_text(customer.name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page scrolls sideways on a phone ({width}px)"
    context.close()
