"""Ledger pages (AR-1, AR-5) as their users see them: who may open what, payments posted
against invoices and refused without changing anything, re-allocation and reversal, the
printed receipt in capital numerals, imports, plans, the statement of account, exports,
bad query strings and the query counts of the lists."""

import html
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conftest import rule
from kehu.receivables import services
from kehu.receivables.models import Allocation, CollectionPlan, Instalment, Invoice, Payment
from kehu.receivables.receipt import amount_in_words
from kehu.receivables.tests.builders import invoiced_order, new_payment
from kehu.sales.tests.builders import delivered_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
TODAY = timezone.localdate()


def ledger_state():
    """Everything a refused payment must leave as it was."""
    return (Payment.objects.count(), Allocation.objects.count(),
            sorted(Invoice.objects.values_list("pk", "open_amount", "credited")),
            sorted(Payment.objects.values_list("pk", "unallocated", "reversed_on")))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def listed(response, attr):
    return re.findall(rf'{attr}="([^"]+)"', response.text)


def text_of(response, element_id: str) -> str:
    """The text of the element with that id, without its tags."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(td|th|dd|div|span|b|a|button|h1)>', response.text, re.S)
    assert match, element_id
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1)))).strip()


@pytest.fixture
def two_invoices(users, customer, product):
    """An overdue invoice of ¥1,000.00 (issued 40 days ago) and a current one of ¥500.00."""
    old = invoiced_order(customer=customer, product=product, quantity=10, on=TODAY - timedelta(days=40))
    new = invoiced_order(customer=customer, product=product, quantity=5)
    return old, new


@rule("AR-1")
@pytest.mark.parametrize("role", ["owner", "service"])
def test_it_shows_the_receivables_menu_only_to_those_who_see_receivables(role, client_for, users):
    response = client_for(users[role]).get(reverse("customers:list"))
    assert ('id="nav-receivables"' in response.text) is (role != "service")


# --- recording a payment -----------------------------------------------------------------------------------

@rule("AR-1")
def test_it_posts_a_payment_against_two_invoices_as_typed(en, users, customer, two_invoices):
    old, new = two_invoices
    client = en(users["owner"])
    page = client.get(reverse("receivables:payment_create"), {"customer": customer.pk})
    assert listed(page, "data-invoice") == [old.number, new.number]  # oldest first
    assert f'name="alloc-{old.pk}"' in page.text and 'id="post-payment"' in page.text
    assert 'name="auto" checked' in page.text or re.search(r'name="auto"[^>]*checked', page.text)
    response = client.post(reverse("receivables:payment_create") + f"?customer={customer.pk}", {
        "amount": "1,200", "received_on": TODAY.isoformat(), "method": "cash", "collector": users["owner"].pk,
        "reference": "现金收据", "office": customer.office_id, "auto": "on",
        f"alloc-{old.pk}": "1000", f"alloc-{new.pk}": "150.00"}, follow=True)
    payment = Payment.objects.get()
    assert response.redirect_chain == [(reverse("receivables:payment_detail", args=[payment.pk]), 302)]
    assert messages_of(response) == [f"Receipt {payment.number} recorded: ¥1,200.00 received, ¥50.00 on account."]
    assert payment.number == "SH1-000001"
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.open_amount, new.open_amount) == (Decimal("0.00"), Decimal("350.00"))
    assert (payment.amount, payment.unallocated, payment.method, payment.reference) == (
        Decimal("1200.00"), Decimal("50.00"), "cash", "现金收据")
    assert text_of(response, "payment-allocated") == "¥1,150.00"
    assert text_of(response, "payment-on-account") == "¥50.00"
    assert listed(response, "data-allocation")[:2] == [old.number, new.number]


@rule("AR-1")
def test_it_settles_the_oldest_invoices_first_when_no_amount_is_typed(en, users, customer, two_invoices):
    old, new = two_invoices
    url = reverse("receivables:payment_create") + f"?customer={customer.pk}"
    client = en(users["director"])
    assert client.post(url, {"amount": "1200", "method": "transfer", "auto": "on",
                             "collector": users["owner"].pk}).status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.open_amount, new.open_amount) == (Decimal("0.00"), Decimal("300.00"))
    payment = Payment.objects.get()
    assert (payment.collector, payment.recorded_by, payment.received_on) == (users["owner"], users["director"], TODAY)
    # Unticked and nothing typed: the whole amount stays on account.
    assert client.post(url, {"amount": "80", "method": "cash"}).status_code == 302
    new.refresh_from_db()
    assert new.open_amount == Decimal("300.00")
    assert Payment.objects.order_by("-pk").first().unallocated == Decimal("80.00")


@rule("AR-1")
@pytest.mark.parametrize("field, value, message", [
    ("alloc-new", "600", "Invoice {new} has ¥500.00 open; ¥600.00 cannot be allocated to it."),
    ("alloc-new", "-5", "The allocated amount must be more than zero."),
    ("amount", "-100", "The amount must be more than zero."),
    ("amount", "1200.001", "The amount has more than two decimals."),
    ("alloc-99999999", "10", "Invoice #99999999 is not one of this customer's invoices."),
    ("alloc-abc", "10", "Unknown invoice “abc”."),
    ("alloc-foreign", "10", "Invoice #{foreign_pk} is not one of this customer's invoices."),
    ("office", "hangzhou", "Customer 上海恒丰商贸有限公司 is served by another office: write the receipt in that "
                           "office's book."),
    ("alloc-old", "1000", "The allocations add up to ¥1,500.00, more than the ¥1,200.00 available."),
    ("received_on", "tomorrow", "A payment cannot be received in the future."),
])
def test_it_refuses_a_bad_payment_with_its_message_and_changes_nothing(en, users, customer, outsider_customer, product,
                                                                       offices, two_invoices, field, value, message):
    old, new = two_invoices
    foreign = invoiced_order(customer=outsider_customer, product=product, quantity=1, by=users["outsider"])
    keys = {"alloc-new": f"alloc-{new.pk}", "alloc-old": f"alloc-{old.pk}", "alloc-foreign": f"alloc-{foreign.pk}"}
    data = {"amount": "1200", "method": "transfer", "reference": "B-778", "auto": "on"}
    if field == "alloc-old":
        data[f"alloc-{new.pk}"] = "500"
    value = {"hangzhou": offices["hangzhou"].pk, "tomorrow": (TODAY + timedelta(days=1)).isoformat()}.get(value, value)
    data[keys.get(field, field)] = value
    before = ledger_state()
    response = en(users["owner"]).post(reverse("receivables:payment_create") + f"?customer={customer.pk}", data)
    assert response.status_code == 200
    assert text_of(response, "payment-refused") == message.format(new=new.number, foreign_pk=foreign.pk)
    assert ledger_state() == before
    # What the user typed is still there.
    assert 'value="B-778"' in response.text
    if field.startswith("alloc-") and field != "alloc-abc" and field != "alloc-99999999" and field != "alloc-foreign":
        assert f'name="{keys[field]}" id="{keys[field]}" value="{value}"' in response.text
    # A refused payment leaves no gap in the receipt book.
    assert new_payment(customer=customer, amount="1", by=users["owner"]).number == "SH1-000001"


@rule("AR-1")
@rule("AR-3")
def test_the_payment_form_lists_who_owes_first_with_their_balance_and_days_overdue(en, users, customer, product):
    """Who paid is found among those who owe: the longest overdue first, each with the balance."""
    from kehu.customers.tests.builders import new_customer

    quiet = new_customer(by=users["owner"], name="一品无欠款商店", category="agent")  # first by name, owes nothing
    invoiced_order(customer=customer, product=product, quantity=10, due_on=TODAY - timedelta(days=12))
    page = en(users["owner"]).get(reverse("receivables:payment_create"))
    assert listed(page, "data-customer") == [customer.code, quiet.code]
    first = page.text.split(f'data-customer="{customer.code}"', 1)[1].split("</a>", 1)[0]
    assert "12 days overdue" in first and "¥1,000.00" in first
    assert "¥0.00" in page.text.split(f'data-customer="{quiet.code}"', 1)[1].split("</a>", 1)[0]


@rule("AR-1")
def test_it_offers_a_customer_search_when_the_form_has_no_customer(en, users, customer, outsider_customer):
    client = en(users["owner"])
    page = client.get(reverse("receivables:payment_create"))
    assert listed(page, "data-customer") == [customer.code]  # the outsider's customer is not in scope
    assert listed(client.get(reverse("receivables:payment_create"), {"q": "恒丰"}), "data-customer") == [customer.code]
    assert listed(client.get(reverse("receivables:payment_create"), {"q": "西湖"}), "data-customer") == []
    for bad in ("abc", "9" * 30, str(outsider_customer.pk)):
        assert client.get(reverse("receivables:payment_create"), {"customer": bad}).status_code == 404
    # An invalid date re-renders the form; nothing is written.
    response = client.post(reverse("receivables:payment_create") + f"?customer={customer.pk}",
                           {"amount": "10", "method": "cash", "received_on": "notadate"})
    assert response.status_code == 200 and Payment.objects.count() == 0
    assert "Enter a valid date." in response.text


# --- the payment page: re-allocation, credit on account, reversal --------------------------------------------

@rule("AR-1")
def test_it_reallocates_a_payment_keeping_the_withdrawn_rows_struck_through(en, users, customer, two_invoices):
    old, new = two_invoices
    payment = new_payment(customer=customer, amount="1200", by=users["owner"],
                          allocations=[{"invoice": old.pk, "amount": "1000"},
                                                         {"invoice": new.pk, "amount": "150"}])
    client = en(users["owner"])
    page = client.get(reverse("receivables:payment_detail", args=[payment.pk]))
    assert f'name="alloc-{old.pk}" id="alloc-{old.pk}" value="1000.00"' in page.text  # what stands, prefilled
    assert f'name="alloc-{new.pk}" id="alloc-{new.pk}" value="150.00"' in page.text
    assert 'id="print-receipt"' in page.text
    response = client.post(reverse("receivables:payment_allocate", args=[payment.pk]),
                           {f"alloc-{old.pk}": "1000.00", f"alloc-{new.pk}": "200"}, follow=True)
    assert messages_of(response) == [f"Receipt {payment.number} re-allocated: ¥0.00 stays on account."]
    new.refresh_from_db()
    payment.refresh_from_db()
    assert (new.open_amount, payment.unallocated) == (Decimal("300.00"), Decimal("0.00"))
    withdrawn = Allocation.objects.get(invoice=new, withdrawn_on__isnull=False)
    assert (withdrawn.amount, withdrawn.withdrawn_on) == (Decimal("150.00"), TODAY)
    rows = response.text[response.text.index('id="payment-allocations"'):]
    assert f'<del><a href="{reverse("receivables:invoice_detail", args=[new.pk])}">{new.number}</a></del>' in rows
    assert "<del>¥150.00</del>" in rows
    invoice_page = client.get(reverse("receivables:invoice_detail", args=[new.pk]))
    assert text_of(invoice_page, "invoice-open") == "¥300.00"
    assert "<del>¥150.00</del>" in invoice_page.text and TODAY.isoformat() in invoice_page.text


@rule("AR-1")
def test_it_refuses_a_reallocation_beyond_the_open_amount_and_keeps_what_was_typed(en, users, customer,
                                                                                 two_invoices):
    old, new = two_invoices
    payment = new_payment(customer=customer, amount="1200", by=users["owner"],
                          allocations=[{"invoice": old.pk, "amount": "1000"}])
    before = ledger_state()
    response = en(users["owner"]).post(reverse("receivables:payment_allocate", args=[payment.pk]),
                                       {f"alloc-{old.pk}": "1000.00", f"alloc-{new.pk}": "501"})
    assert response.status_code == 200
    assert text_of(response, "payment-refused") == (
        f"Invoice {new.number} has ¥500.00 open; ¥501.00 cannot be allocated to it.")
    assert f'name="alloc-{new.pk}" id="alloc-{new.pk}" value="501"' in response.text
    assert ledger_state() == before


@rule("AR-1")
def test_it_applies_credit_on_account_to_the_oldest_invoices(en, users, customer, two_invoices):
    old, new = two_invoices
    payment = new_payment(customer=customer, amount="1100", by=users["owner"], allocations=[])
    client = en(users["owner"])
    page = client.get(reverse("receivables:payment_detail", args=[payment.pk]))
    assert text_of(page, "apply-on-account") == "Apply the ¥1,100.00 on account, oldest invoices first"
    client.post(reverse("receivables:payment_allocate", args=[payment.pk]), {"apply": "oldest"})
    old.refresh_from_db()
    new.refresh_from_db()
    payment.refresh_from_db()
    assert (old.open_amount, new.open_amount, payment.unallocated) == (
        Decimal("0.00"), Decimal("400.00"), Decimal("0.00"))


@rule("AR-1")
def test_it_reverses_a_payment_only_with_a_reason_and_keeps_both_entries(en, users, customer, two_invoices):
    old, _new = two_invoices
    payment = new_payment(customer=customer, amount="600", by=users["owner"])
    client = en(users["finance"])
    before = ledger_state()
    refused = client.post(reverse("receivables:payment_reverse", args=[payment.pk]), {"reason": "  "})
    assert refused.status_code == 200
    assert text_of(refused, "payment-refused") == "Give the reason for reversing the payment."
    assert ledger_state() == before
    page = client.get(reverse("receivables:payment_detail", args=[payment.pk]))
    assert re.search(r'id="reverse-payment" data-confirm="[^"]+"', page.text)
    response = client.post(reverse("receivables:payment_reverse", args=[payment.pk]), {"reason": "支票退票"},
                           follow=True)
    assert messages_of(response) == [f"Receipt {payment.number} reversed: the invoices it settled are open again."]
    payment.refresh_from_db()
    old.refresh_from_db()
    assert (payment.reversed_on, payment.reversal_reason, payment.unallocated) == (TODAY, "支票退票", Decimal("0"))
    assert old.open_amount == Decimal("1000.00")
    entries = response.text[response.text.index('id="reversal-entries"'):]
    assert f"Receipt {payment.number}</td><td class=\"text-end\">−¥600.00" in entries
    assert f"Receipt reversed {payment.number}</td><td class=\"text-end\">+¥600.00" in entries
    assert text_of(response, "reversal-reason") == "支票退票"
    assert 'id="reverse-payment"' not in response.text and 'id="reallocate-form"' not in response.text
    ledger = client.get(reverse("receivables:customer_ledger", args=[customer.pk]))
    assert listed(ledger, "data-entry") == ["invoice", "invoice", "payment", "reversal"]
    assert text_of(ledger, "ledger-balance") == "¥1,500.00"
    again = client.post(reverse("receivables:payment_reverse", args=[payment.pk]), {"reason": "再来一次"})
    assert again.status_code == 200 and Payment.objects.get().reversal_reason == "支票退票"


# --- the printed receipt ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, words", [
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("100", "壹佰元整"),
    ("10.05", "壹拾元零伍分"),
    ("0.5", "伍角整"),
    ("0.05", "伍分"),
    ("0", "零元整"),
    ("1005", "壹仟零伍元整"),
    ("1000500", "壹佰万零伍佰元整"),
    ("105000000", "壹亿零伍佰万元整"),
    ("100000005", "壹亿零伍元整"),
    ("1010101.01", "壹佰零壹万零壹佰零壹元零壹分"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("-3.20", "负叁元贰角整"),
])
@rule("AR-1")
def test_it_writes_amounts_in_chinese_capital_numerals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


@rule("AR-1")
def test_it_prints_the_receipt_with_the_amount_in_capital_numerals(en, users, customer, product):
    invoice = invoiced_order(customer=customer, product=product, quantity=100)
    payment = new_payment(customer=customer, amount="12345.67", by=users["owner"])
    client = en(users["owner"])
    receipt = client.get(reverse("receivables:payment_receipt", args=[payment.pk]))
    assert text_of(receipt, "receipt-in-words") == "壹万贰仟叁佰肆拾伍元陆角柒分"
    assert text_of(receipt, "receipt-amount") == "¥12,345.67"
    assert text_of(receipt, "receipt-number") == "SH1-000001"
    assert 'id="company-name"' not in receipt.text and "客户 Kehu" not in receipt.text  # no profile yet
    assert 'id="company-missing"' in receipt.text
    assert f"invoice {invoice.number} ¥10,000.00；on account ¥2,345.67" in re.sub(r"\s+", " ", receipt.text)
    assert text_of(receipt, "receipt-collector") == "张伟"
    assert "已冲销" not in receipt.text
    services.payment_reverse(by=users["finance"], payment=payment, reason="录错客户")
    receipt = client.get(reverse("receivables:payment_receipt", args=[payment.pk]))
    assert text_of(receipt, "receipt-reversed") == "已冲销 REVERSED"


@rule("AR-1")
def test_the_company_profile_set_in_the_admin_heads_the_receipt_and_every_printed_form(en, users, customer,
                                                                                       product):
    """AR-1: the receipt names the issuing company (not the software): its name, address, phone
    and tax no. from the company profile edited in the admin, its seal text in the stamp box and a
    交款人 line for the payer's signature; KH001 and KH002 are headed the same way."""
    from kehu.accounts.models import User
    from kehu.core.models import CompanyProfile

    invoiced_order(customer=customer, product=product, quantity=10)
    payment = new_payment(customer=customer, amount="500", by=users["owner"])
    root = Client()  # the administrator, in a browser of their own
    root.force_login(User.objects.create_superuser("root", password="x", role="admin"))
    response = root.post(reverse("admin:core_companyprofile_add"), {
        "name": "上海日化贸易有限公司", "address": "上海市徐汇区漕溪北路88号", "tax_no": "91310104MA1FL2XK3Q",
        "phone": "021-6438 8888", "seal_text": "上海日化贸易有限公司 财务专用章"})
    assert response.status_code == 302
    assert root.get(reverse("admin:core_companyprofile_add")).status_code == 403  # one row only
    client = en(users["owner"])
    receipt = client.get(reverse("receivables:payment_receipt", args=[payment.pk]))
    assert text_of(receipt, "company-name") == "上海日化贸易有限公司"
    details = re.sub(r"\s+", " ", text_of(receipt, "company-details"))
    assert "上海市徐汇区漕溪北路88号" in details and "021-6438 8888" in details and "91310104MA1FL2XK3Q" in details
    assert text_of(receipt, "receipt-stamp") == "上海日化贸易有限公司 财务专用章"
    assert "paid by 交款人 (signature)" in text_of(receipt, "receipt-payer")
    assert "客户 Kehu" not in receipt.text
    for url in (reverse("customers:print", args=[customer.pk]), reverse("credit:card_print", args=[customer.pk])):
        assert text_of(client.get(url), "company-name") == "上海日化贸易有限公司", url
    profile = CompanyProfile.current()
    response = root.post(reverse("admin:core_companyprofile_change", args=[profile.pk]), {
        "name": "上海日化贸易股份有限公司", "address": profile.address, "tax_no": profile.tax_no,
        "phone": profile.phone, "seal_text": profile.seal_text})
    assert response.status_code == 302, response.text[-3000:]
    receipt = client.get(reverse("receivables:payment_receipt", args=[payment.pk]))
    assert text_of(receipt, "company-name") == "上海日化贸易股份有限公司"


@rule("AR-1")
def test_new_receipts_use_the_offices_readable_code_and_printed_ones_keep_their_number(client_for, users,
                                                                                       customer, product, offices):
    """AR-1: a receipt number starts with the office's receipt code a person can read (SH1-…),
    set in the admin; receipts already written keep the number printed on them, and the book's
    counter goes on without a gap. A code that is not readable or that another office prints
    is refused with a clear message and changes nothing."""
    from kehu.accounts.models import Office, User

    team = offices["team"]
    Office.objects.filter(pk=team.pk).update(code="SHANGHAI-1")  # an office code in pinyin capitals
    invoiced_order(customer=customer, product=product, quantity=10)
    first = new_payment(customer=customer, amount="100", by=users["owner"])
    assert first.number == "SHANGHAI-1-000001"
    root = client_for(User.objects.create_superuser("root", password="x", role="admin"))
    team.refresh_from_db()
    form = {"name": team.name, "code": team.code, "kind": team.kind, "parent": team.parent_id}
    url = reverse("admin:accounts_office_change", args=[team.pk])
    for bad, message in (("sh-1", "A receipt code is 1 to 4 capital letters and up to 3 digits, e.g. SH1."),
                         ("HZ", "Another office already prints its receipts as HZ: choose another receipt code.")):
        with translation.override("en"):
            response = root.post(url, {**form, "receipt_code": bad}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert message in html.unescape(response.text)
        assert Office.objects.get(pk=team.pk).receipt_code == ""
    assert root.post(url, {**form, "receipt_code": "SH1"}).status_code == 302
    second = new_payment(customer=customer, amount="100", by=users["owner"])
    assert second.number == "SH1-000002"
    first.refresh_from_db()
    assert first.number == "SHANGHAI-1-000001"


# --- invoices: list, detail, export, import ------------------------------------------------------------------

@rule("AR-1")
@rule("AR-3")
def test_the_invoice_list_opens_with_what_is_to_collect_longest_overdue_first(en, users, customer, product,
                                                                            two_invoices):
    """Receivables open on what is still owed, the oldest due first — not on pages of paid ones."""
    old, new = two_invoices
    paid = invoiced_order(customer=customer, product=product, quantity=2, on=TODAY - timedelta(days=400))
    new_payment(customer=customer, amount="200", by=users["owner"], allocations=[{"invoice": paid.pk, "amount": "200"}])
    client = en(users["gm"])
    opened = client.get(reverse("receivables:invoice_list"))
    assert listed(opened, "data-invoice") == [old.number, new.number]  # the paid one, due longest ago, is left out
    assert '<option value="open" selected>' in opened.text
    export = client.get(reverse("receivables:invoice_export"))
    assert len(list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)) == 3  # header + the two
    everything = client.get(reverse("receivables:invoice_list"), {"status": ""})
    assert listed(everything, "data-invoice")[0] == paid.number and len(listed(everything, "data-invoice")) == 3


@rule("AR-1")
def test_it_lists_invoices_with_filters_sorting_and_totals(en, users, customer, outsider_customer, product,
                                                          two_invoices):
    old, new = two_invoices
    paid = invoiced_order(customer=customer, product=product, quantity=2)
    new_payment(customer=customer, amount="200", by=users["owner"],
                allocations=[{"invoice": paid.pk, "amount": "200"}])
    far = invoiced_order(customer=outsider_customer, product=product, quantity=3, by=users["outsider"])
    client = en(users["gm"])
    everything = client.get(reverse("receivables:invoice_list"), {"sort": "-amount", "status": ""})  # "all statuses"
    assert listed(everything, "data-invoice") == [old.number, new.number, far.number, paid.number]
    assert (text_of(everything, "total-amount"), text_of(everything, "total-open")) == ("¥2,000.00", "¥1,800.00")
    assert text_of(everything, "result-count") == "4"
    cases = [
        ({"status": "overdue"}, [old.number]),
        ({"status": "open", "sort": "due_on"}, [old.number, new.number, far.number]),
        ({"status": "paid"}, [paid.number]),
        ({"customer": "西湖"}, [far.number]),
        ({"customer": customer.code, "sort": "open_amount"}, [paid.number, new.number, old.number]),
        ({"owner": users["outsider"].pk}, [far.number]),
        ({"office": users["outsider"].office_id}, [far.number]),
        ({"issued_to": (TODAY - timedelta(days=1)).isoformat()}, [old.number]),
        ({"due_from": TODAY.isoformat(), "sort": "-issued_on"}, [far.number, paid.number, new.number]),
    ]
    for params, numbers in cases:
        response = client.get(reverse("receivables:invoice_list"), {"status": "", **params})  # over all statuses
        assert sorted(listed(response, "data-invoice")) == sorted(numbers), params
        if "sort" in params:
            assert listed(response, "data-invoice") == numbers, params
    overdue = client.get(reverse("receivables:invoice_list"), {"status": "overdue"})
    assert (text_of(overdue, "total-amount"), text_of(overdue, "total-open")) == ("¥1,000.00", "¥1,000.00")
    # The owner sees their own customer's invoices only; a search that matches nothing says so.
    mine = en(users["owner"]).get(reverse("receivables:invoice_list"), {"status": ""})
    assert sorted(listed(mine, "data-invoice")) == sorted([old.number, new.number, paid.number])
    empty = client.get(reverse("receivables:invoice_list"), {"customer": "没有这家"})
    assert 'id="empty-state"' in empty.text and "No invoice matches these filters." in empty.text
    assert text_of(empty, "total-amount") == "¥0.00"


@rule("AR-1")
def test_it_never_fails_on_stale_or_invalid_query_strings(en, users, customer, two_invoices):
    client = en(users["director"])
    bad = [{"page": "abc"}, {"page": "999"}, {"page": "-1"}, {"sort": "evil"}, {"sort": "-evil;drop"},
           {"due_from": "notadate"}, {"issued_to": "2024-13-45"}, {"owner": "abc"}, {"office": "99999999"},
           {"customer_id": "9" * 30}, {"status": "weird"}, {"reversed": "maybe"}, {"method": "bitcoin"},
           {"received_from": "昨天"}, {"customer": "x" * 500}]
    for params in bad:
        for name in ("invoice_list", "payment_list", "invoice_export", "payment_export"):
            response = client.get(reverse(f"receivables:{name}"), params)
            assert response.status_code == 200, (name, params)
    response = client.get(reverse("receivables:invoice_list"), {"due_from": "notadate", "sort": "evil"})
    assert sorted(messages_of(response)) == ["Filter “due from” ignored: Enter a valid date.",
                                             "Filter “sort” ignored: Select a valid choice. evil is not one of "
                                             "the available choices."]
    assert len(listed(response, "data-invoice")) == 2  # the other filters still apply
    assert client.get(reverse("receivables:invoice_list"), {"page": "abc"}).context["page"].number == 1
    assert client.get("/receivables/orders/99999999999999999999999/plan/").status_code == 404
    assert client.get("/receivables/customers/99999999999999999999999/ledger/").status_code == 404
    assert client.get("/receivables/invoices/99999999999999999999999/").status_code == 404
    assert client.get("/receivables/payments/99999999999999999999999/receipt/").status_code == 404


@rule("AR-1")
def test_it_exports_the_filtered_invoices_to_excel(en, users, customer, two_invoices):
    old, new = two_invoices
    response = en(users["owner"]).get(reverse("receivables:invoice_export"), {"status": "overdue"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.match(r'attachment; filename="invoices-\d{8}-\d{4}\.xlsx"', response["Content-Disposition"])
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == ("invoice number", "customer code", "customer", "salesperson", "invoice date", "due date",
                       "amount", "settled", "credited", "open amount", "days overdue", "order number", "note")
    assert len(rows) == 2
    row = rows[1]
    assert row[:4] == (old.number, customer.code, "上海恒丰商贸有限公司", "张伟")
    assert (row[4].date(), row[5].date()) == (TODAY - timedelta(days=40), TODAY - timedelta(days=10))
    assert row[6:11] == (1000, 0, 0, 1000, 10)
    assert row[11] == old.order.number


@rule("AR-1")
def test_it_shows_an_invoice_with_its_figures_allocations_and_promises(en, users, customer, two_invoices):
    old, _new = two_invoices
    payment = new_payment(customer=customer, amount="400", by=users["owner"])
    services.attempt_log(by=users["owner"], customer=customer, channel="call", outcome="promised", invoice=old,
                         promised_on=TODAY + timedelta(days=5), promised_amount="600", contact="王经理")
    response = en(users["owner"]).get(reverse("receivables:invoice_detail", args=[old.pk]))
    figures = {name: text_of(response, f"invoice-{name}") for name in (
        "amount", "settled", "credited", "open", "due", "days-overdue")}
    assert figures == {"amount": "¥1,000.00", "settled": "¥400.00", "credited": "¥0.00", "open": "¥600.00",
                       "due": (TODAY - timedelta(days=10)).isoformat(), "days-overdue": "10"}
    assert text_of(response, "invoice-order") == old.order.number
    assert f'href="{reverse("receivables:payment_detail", args=[payment.pk])}">{payment.number}</a>' in response.text
    promises = response.text[response.text.index('id="invoice-promises"'):]
    assert "¥600.00" in promises and "王经理" in promises and "Open" in promises
    assert f'href="{reverse("receivables:payment_create")}?customer={customer.pk}" id="record-payment"' in (
        response.text)


@rule("AR-1")
def test_it_imports_invoices_all_or_nothing_with_errors_by_line(en, users, customer):
    def upload(text):
        return SimpleUploadedFile("invoices.csv", text.encode("utf-8"), content_type="text/csv")

    client = en(users["finance"])
    url = reverse("receivables:invoice_import")
    bad = ("客户编码,发票号,开票日期,到期日,金额,备注,多余\n"
           f"{customer.code},OB-001,2025-01-10,2025-02-10,1500.50,期初余额,x\n"
           f"NOPE,OB-002,2025-01-10,,100,,\n"
           f"{customer.code},OB-001,notadate,,-5,,\n")
    response = client.post(url, {"file": upload(bad)})
    assert response.status_code == 200
    assert text_of(response, "import-refused") == "2 rows have errors; nothing was imported."
    errors = dict(re.findall(r'data-line="(\d+)"><td>\d+</td><td class="text-wrap">([^<]*)</td>', response.text))
    assert set(errors) == {"3", "4"}
    assert "customer: no customer with code “NOPE” in your scope." in errors["3"]
    assert "number: OB-001 is already used." in errors["4"]
    assert "issued_on: The invoice date is not a date (YYYY-MM-DD)." in errors["4"]
    assert "amount: The amount must be more than zero." in errors["4"]
    assert text_of(response, "unknown-headers") == "Columns not recognised and ignored: 多余"
    assert Invoice.objects.count() == 0
    good = ("customer code,invoice number,invoice date,due date,amount,note\n"
            f"{customer.code},OB-001,2025-01-10,2025-02-10,1500.50,期初余额\n"
            f"{customer.code},OB-002,2025-01-20,,99,\n")
    response = client.post(url, {"file": upload(good)}, follow=True)
    assert messages_of(response) == ["Invoices imported: 2."]
    assert sorted(Invoice.objects.values_list("number", "amount", "open_amount", "due_on", "source")) == [
        ("OB-001", Decimal("1500.50"), Decimal("1500.50"), TODAY.replace(2025, 2, 10), "import"),
        ("OB-002", Decimal("99.00"), Decimal("99.00"), TODAY.replace(2025, 2, 19), "import")]
    missing = client.post(url, {"file": upload("金额\n100\n")})
    assert "The file has no column for: customer code, invoice number, invoice date." in missing.text
    template = client.get(reverse("receivables:invoice_import_template"))
    rows = list(openpyxl.load_workbook(io.BytesIO(template.content)).active.values)
    assert rows == [("customer code", "invoice number", "invoice date", "due date", "amount", "note")]


@rule("AR-1")
def test_it_imports_an_excel_sheet_whose_cells_are_numbers_and_dates(en, users, customer):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["客户编码", "发票号", "开票日期", "金额"])
    sheet.append([customer.code, 20250001, TODAY.replace(2025, 3, 1), 2500.5])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("invoices.xlsx", buffer.getvalue())
    response = en(users["admin"]).post(reverse("receivables:invoice_import"), {"file": upload}, follow=True)
    assert messages_of(response) == ["Invoices imported: 1."]
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.issued_on, invoice.amount) == ("20250001", TODAY.replace(2025, 3, 1),
                                                                   Decimal("2500.50"))


# --- payments list and export --------------------------------------------------------------------------------

@rule("AR-1")
def test_it_lists_payments_with_filters_and_totals_and_exports_them(en, users, customer, outsider_customer, product,
                                                                    two_invoices):
    cash = services.payment_post(by=users["owner"], customer=customer, amount="300", method="cash")
    bill = services.payment_post(by=users["owner"], customer=customer, amount="2000", method="acceptance",
                                 reference="=HYPERLINK(1)")
    far = services.payment_post(by=users["outsider"], customer=outsider_customer, amount="50", method="cash")
    services.payment_reverse(by=users["finance"], payment=cash, reason="假币")
    client = en(users["gm"])
    response = client.get(reverse("receivables:payment_list"))
    assert listed(response, "data-payment") == [far.number, bill.number, cash.number]
    assert (text_of(response, "total-amount"), text_of(response, "total-on-account"),
            text_of(response, "total-reversed")) == ("¥2,050.00", "¥850.00", "¥300.00")
    cases = [({"reversed": "yes"}, [cash.number]), ({"reversed": "no", "sort": "amount"}, [far.number, bill.number]),
             ({"method": "acceptance"}, [bill.number]), ({"customer": "西湖"}, [far.number]),
             ({"office": users["outsider"].office_id}, [far.number]),
             ({"received_from": (TODAY + timedelta(days=1)).isoformat()}, [])]
    for params, numbers in cases:
        assert listed(client.get(reverse("receivables:payment_list"), params), "data-payment") == numbers, params
    export = client.get(reverse("receivables:payment_export"), {"method": "acceptance"})
    rows = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)
    assert rows[0] == ("receipt number", "date received", "office", "customer code", "customer", "payment method",
                       "amount", "on account", "collected by", "reference", "reversed on",
                       "reason for the reversal", "note")
    assert rows[1][:1] == (bill.number,) and rows[1][2:10] == (
        "上海一组", customer.code, "上海恒丰商贸有限公司", "Bank acceptance bill", 2000, 800, "张伟", "'=HYPERLINK(1)")
    assert len(rows) == 2


# --- collection plans (AR-5) ---------------------------------------------------------------------------------

@rule("AR-5")
def test_it_makes_a_plan_from_fewer_rows_than_offered_and_refuses_one_that_does_not_add_up(en, users, customer,
                                                                                         product):
    order = delivered_order(customer=customer, product=product, quantity=10)
    client = en(users["owner"])
    url = reverse("receivables:plan_create", args=[order.pk])
    page = client.get(url)
    assert page.text.count('name="inst-') == 18  # six rows of date, amount and reminder days
    d1, d2 = TODAY + timedelta(days=10), TODAY + timedelta(days=40)
    refused = client.post(url, {"inst-0-due_on": d1.isoformat(), "inst-0-amount": "600", "inst-0-reminder_days": "3",
                                "inst-1-due_on": d2.isoformat(), "inst-1-amount": "300", "inst-1-reminder_days": "5",
                                "inst-2-reminder_days": "3", "note": "两期"})
    assert text_of(refused, "plan-refused") == "The instalments add up to ¥900.00; the order asks ¥1,000.00."
    assert 'value="300"' in refused.text and 'value="两期"' in refused.text
    assert CollectionPlan.objects.count() == 0
    bad_day = client.post(url, {"inst-0-due_on": "31/12", "inst-0-amount": "1000"})
    assert text_of(bad_day, "plan-refused") == "Instalment 1: The due date is not a date (YYYY-MM-DD)."
    response = client.post(url, {"inst-0-due_on": d2.isoformat(), "inst-0-amount": "400", "inst-0-reminder_days": "5",
                                 "inst-1-due_on": d1.isoformat(), "inst-1-amount": "600", "inst-1-reminder_days": "3",
                                 "note": "两期"}, follow=True)
    plan = CollectionPlan.objects.get()
    assert messages_of(response) == [f"Collection plan of order {order.number} saved: 2 instalments."]
    assert list(plan.instalments.order_by("due_on").values_list("due_on", "amount", "reminder_days", "status")) == [
        (d1, Decimal("600.00"), 3, "pending"), (d2, Decimal("400.00"), 5, "pending")]
    assert listed(response, "data-instalment") == [d1.isoformat(), d2.isoformat()]
    again = client.get(url)
    assert 'id="active-plan"' in again.text and 'id="plan-form"' not in again.text


@rule("AR-5")
def test_it_shows_the_instalments_paid_and_voids_a_plan_only_with_a_reason(en, users, customer, product):
    order = delivered_order(customer=customer, product=product, quantity=10)
    plan = services.plan_create(by=users["owner"], order=order, instalments=[
        {"due_on": TODAY + timedelta(days=1), "amount": "600"}, {"due_on": TODAY + timedelta(days=30), "amount": "400"}])
    services.order_invoice(by=users["finance"], order=order, version=order.version)
    new_payment(customer=customer, amount="800", by=users["owner"])
    client = en(users["owner"])
    response = client.get(reverse("receivables:plan_detail", args=[plan.pk]))
    badges = re.findall(r'class="badge instalment-(\w+)[^"]*">([^<]+)<', response.text)
    assert badges == [("paid", "Paid"), ("partly_paid", "Partly paid")]
    assert "¥200.00" in response.text  # what the second instalment has been paid
    assert re.search(r'id="void-plan" data-confirm="[^"]+"', response.text)
    refused = client.post(reverse("receivables:plan_void", args=[plan.pk]), {"reason": ""})
    assert text_of(refused, "plan-refused") == "Give the reason for voiding the plan."
    plan.refresh_from_db()
    assert plan.status == "active"
    response = client.post(reverse("receivables:plan_void", args=[plan.pk]), {"reason": "客户一次付清"}, follow=True)
    assert messages_of(response) == [f"The collection plan of order {order.number} was voided."]
    assert set(Instalment.objects.values_list("status", flat=True)) == {"void"}
    assert "客户一次付清" in text_of(response, "plan-void")
    assert 'id="void-plan"' not in response.text


@rule("AR-5")
def test_it_shows_the_invoice_and_the_plan_on_the_order_page(en, users, customer, product):
    order = delivered_order(customer=customer, product=product, quantity=10)
    client = en(users["owner"])
    page = client.get(reverse("sales:order_detail", args=[order.pk]))
    assert f'href="{reverse("receivables:plan_create", args=[order.pk])}" id="order-plan">Collection plan' in page.text
    services.order_invoice(by=users["finance"], order=order, version=order.version)
    invoice = Invoice.objects.get(order=order)
    new_payment(customer=customer, amount="250", by=users["owner"])
    plan = services.plan_create(by=users["owner"], order=order, instalments=[
        {"due_on": TODAY + timedelta(days=5), "amount": "1000"}])
    page = client.get(reverse("sales:order_detail", args=[order.pk]))
    assert text_of(page, "order-invoice") == invoice.number
    assert text_of(page, "order-invoice-open") == "¥750.00 / ¥1,000.00"
    assert f'href="{reverse("receivables:plan_detail", args=[plan.pk])}" id="order-plan">1 instalment' in page.text
    service_page = en(users["service"]).get(reverse("sales:order_detail", args=[order.pk]))
    assert service_page.status_code == 200 and 'id="order-receivable"' not in service_page.text


# --- the statement of account --------------------------------------------------------------------------------

@rule("AR-1")
def test_it_shows_the_statement_of_account_with_a_running_balance_and_exports_it(en, users, customer, two_invoices):
    old, new = two_invoices
    payment = new_payment(customer=customer, amount="1200", by=users["owner"])
    client = en(users["director"])
    response = client.get(reverse("receivables:customer_ledger", args=[customer.pk]))
    rows = re.findall(r'<tr data-entry="(\w+)"[^>]*>\s*<td>([\d-]+)</td>\s*<td>([^<]+)</td>.*?'
                      r'<td class="text-end">([^<]*)</td>\s*<td class="text-end">([^<]*)</td>\s*'
                      r'<td class="text-end">([^<]*)</td>', response.text, re.S)
    assert [(kind, label, debit, credit, balance) for kind, _on, label, debit, credit, balance in rows] == [
        ("invoice", "Invoice", "¥1,000.00", "", "¥1,000.00"),
        ("invoice", "Invoice", "¥500.00", "", "¥1,500.00"),
        ("payment", "Receipt", "", "¥1,200.00", "¥300.00")]
    assert (text_of(response, "ledger-debit"), text_of(response, "ledger-credit"),
            text_of(response, "ledger-balance")) == ("¥1,500.00", "¥1,200.00", "¥300.00")
    export = client.get(reverse("receivables:customer_ledger_export", args=[customer.pk]))
    assert export["Content-Disposition"].startswith(f'attachment; filename="ledger-{customer.code}-')
    sheet = list(openpyxl.load_workbook(io.BytesIO(export.content)).active.values)
    assert sheet[0] == ("date", "entry", "number", "debit", "credit", "balance")
    assert [row[1:] for row in sheet[1:]] == [("Invoice", old.number, 1000, None, 1000),
                                              ("Invoice", new.number, 500, None, 1500),
                                              ("Receipt", payment.number, None, 1200, 300)]


# --- query counts ----------------------------------------------------------------------------------------------

def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@rule("AR-1")
def test_it_keeps_the_invoice_list_free_of_n_plus_one(en, users, customer, outsider_customer, product,
                                                      django_assert_max_num_queries):
    client = en(users["gm"])
    url = reverse("receivables:invoice_list")
    invoiced_order(customer=customer, product=product, quantity=1)
    client.get(url, {"sort": "-amount", "status": ""})
    few = _queries(client, url, {"sort": "-amount", "status": ""})
    for n in range(12):
        target, by = (customer, "owner") if n % 2 else (outsider_customer, "outsider")
        invoiced_order(customer=target, product=product, quantity=n + 2, by=users[by])
    client.get(url, {"sort": "-amount", "status": ""})
    # session, user, list generation (for the count, and for the totals kept with it), ids, rows,
    # totals, the user's office (menu); choices are cached
    with django_assert_max_num_queries(9):
        response = client.get(url, {"sort": "-amount", "status": "open"})
    assert len(listed(response, "data-invoice")) == 13
    assert _queries(client, url, {"sort": "-amount"}) == few
    with django_assert_max_num_queries(4):  # session, user, rows
        assert client.get(reverse("receivables:invoice_export")).status_code == 200


@rule("AR-1")
def test_it_keeps_the_payment_list_free_of_n_plus_one(en, users, customer, outsider_customer,
                                                      django_assert_max_num_queries):
    client = en(users["gm"])
    url = reverse("receivables:payment_list")
    new_payment(customer=customer, amount="10", by=users["owner"])
    client.get(url, {"sort": "amount"})
    few = _queries(client, url, {"sort": "amount"})
    for n in range(12):
        target, by = (customer, "owner") if n % 2 else (outsider_customer, "outsider")
        new_payment(customer=target, amount=str(20 + n), by=users[by])
    client.get(url, {"sort": "amount"})
    with django_assert_max_num_queries(9):  # as the invoice list
        response = client.get(url, {"sort": "amount", "reversed": "no"})
    assert len(listed(response, "data-payment")) == 13
    assert _queries(client, url, {"sort": "amount"}) == few
    with django_assert_max_num_queries(4):  # session, user, rows
        assert client.get(reverse("receivables:payment_export")).status_code == 200
