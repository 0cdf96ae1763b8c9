"""The phone (PLT-5): at 390 × 844 every list page and the customer's 360° page keep their key
cells — the number or name link, the amounts, the main action button — inside the screen, an
amount never breaks over two lines, and a phone number is a tel: link."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from conftest import rule
from e2e.conftest import login
from kehu.credit.tests.builders import limit_request
from kehu.customers.tests.builders import new_key_person
from kehu.receivables.tests.builders import credited_return, invoiced_order, new_payment, new_promise
from kehu.relations.tests.builders import touch
from kehu.service.tests.builders import new_complaint

PHONE = {"width": 390, "height": 844}

LISTS = [
    "/customers/",
    "/sales/orders/",
    "/sales/returns/",
    "/sales/products/",
    "/receivables/invoices/",
    "/receivables/payments/",
    "/receivables/promises/",
    "/receivables/collection/",
    "/credit/requests/",
    "/credit/queue/",
    "/relations/touches/",
    "/relations/adherence/",
    "/service/complaints/",
]

# The key cells of the first rows of every table in the page's content, and the amounts: what
# lies beyond the screen's right edge (x + width > 390) or an amount laid out on two lines.
CHECK = """(width) => {
  const problems = [];
  const money = /^-?¥-?[0-9,]+\\.[0-9]{2}$/;
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const where = (el) => (el.closest("[id]") ? "#" + el.closest("[id]").id + " " : "") + el.tagName.toLowerCase()
                        + " «" + el.textContent.trim().slice(0, 30) + "»";
  document.querySelectorAll("main table tbody tr:nth-child(-n+3)").forEach((row) => {
    const keys = [...row.querySelectorAll("td a, td .btn, td.text-end")];
    keys.forEach((el) => {
      if (!shown(el)) { return; }
      const r = el.getBoundingClientRect();
      if (r.left < 0 || r.right > width + 0.5) { problems.push("off-screen: " + where(el) + " at " + Math.round(r.left) + "–" + Math.round(r.right)); }
    });
  });
  document.querySelectorAll("main td, main dd").forEach((cell) => {
    if (!shown(cell)) { return; }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (!money.test(text)) { continue; }
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) { problems.push("amount on " + lines.size + " lines: " + where(cell)); }
      const r = range.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5) { problems.push("amount off-screen: " + where(cell)); }
    }
  });
  return problems;
}"""


def phone_problems(page) -> list[str]:
    return page.evaluate(CHECK, PHONE["width"])


@rule("PLT-5")
def test_plt5_every_list_and_the_360_page_keep_their_key_cells_on_a_390px_phone(page, server, users, customer,
                                                                                product):
    today = timezone.localdate()
    # Amounts as long as real ones (¥100,602.54), overdue and current, a payment, a promise due
    # today, a return, a credit request waiting for the office director, a visit and a complaint.
    new_key_person(by=users["owner"], customer=customer, role="buyer", name="王经理", phone="021-5555 0101")
    late = invoiced_order(customer=customer, product=product, quantity=1006, due_on=today - timedelta(days=40))
    invoiced_order(customer=customer, product=product, quantity=547, due_on=today + timedelta(days=10))
    returned = invoiced_order(customer=customer, product=product, quantity=30, due_on=today - timedelta(days=3))
    credited_return(order=returned.order)
    new_payment(customer=customer, amount="25602.54", by=users["owner"])
    new_promise(customer=customer, by=users["owner"], promised_on=today, amount="50301.27", invoice=late,
                contact="王经理")
    limit_request(customer=customer, by=users["owner"], amount="180000")
    touch(by=users["owner"], customer=customer, days_ago=2)
    new_complaint(customer=customer, by=users["owner"], amount_claimed="12345.67")

    page.set_viewport_size(PHONE)
    login(page, server, "director")
    problems = {}
    for path in LISTS:
        page.goto(f"{server.url}{path}")
        expect(page.locator("main table tbody tr").first).to_be_visible()
        problems[path] = phone_problems(page)

    page.goto(f"{server.url}/customers/{customer.pk}/")
    for key in ("#customer-name", "#customer-log-attempt", "[data-header-figure=balance]",
                "[data-header-figure=overdue]", "[data-header-figure=available]"):
        box = page.locator(key).bounding_box()
        assert box and box["x"] + box["width"] <= PHONE["width"], key
    problems["360"] = phone_problems(page)
    page.locator("#tab-business-button").click()
    page.locator("#receivables-loading").scroll_into_view_if_needed()  # the lazy block loads when seen
    expect(page.locator("#customer-open-invoices")).to_be_visible()
    problems["360 business"] = phone_problems(page)
    page.locator("#tab-people-button").click()
    expect(page.locator("#people-table a[href^='tel:']")).to_have_attribute("href", "tel:02155550101")
    problems["360 people"] = phone_problems(page)

    page.goto(f"{server.url}{late.order.get_absolute_url()}")
    problems["order"] = phone_problems(page)
    page.goto(f"{server.url}/receivables/collection-rate/")
    problems["collection rate"] = phone_problems(page)
    page.goto(f"{server.url}/receivables/ageing/")
    problems["ageing"] = phone_problems(page)
    found = {where: found for where, found in problems.items() if found}
    assert not found, "\n".join(f"{where}: {p}" for where, ps in found.items() for p in ps)
