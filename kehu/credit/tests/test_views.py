"""Credit pages: the KH002 card (CRD-1), limit requests through the chain (CRD-2), the
approval queue with exposure (CRD-3) and grade vs behaviour (CRD-4), as their users see them."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conftest import rule
from kehu.credit import services
from kehu.credit.models import CreditAccount, CreditApproval, CreditCard, CreditPolicy, CreditRequest
from kehu.credit.tests.builders import limit_request
from kehu.customers import services as customer_services
from kehu.customers.tests.builders import new_customer, new_customers
from kehu.receivables.tests.builders import invoiced_order
from kehu.sales.tests.builders import confirmed_order

pytestmark = pytest.mark.django_db

EMPTY_BRANDS = {"brands-TOTAL_FORMS": "5", "brands-INITIAL_FORMS": "0", "brands-MIN_NUM_FORMS": "0",
                "brands-MAX_NUM_FORMS": "5"}


def card_form(version=0, **values):
    return {"version": version, **EMPTY_BRANDS, **values}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the card KH002 (CRD-1) -----------------------------------------------------------------------------------

@rule("CRD-1")
def test_it_shows_the_card_grouped_like_the_paper_form_with_the_limit_and_its_signatures(en, users, customer,
                                                                                          thresholds):
    services.credit_card_save(by=users["owner"], customer=customer, version=None, data={
        "character": "cheerful", "payment_attitude": "prompt", "bank_standing": "good", "floors": 2,
        "brand_sales": [{"brand": "立白", "company": "立白集团", "monthly_sales": "12000.00", "share": "40.0"}],
        "salesperson_assessment": "经营稳健，可适当提高额度"})
    limit_request(customer=customer, by=users["owner"], amount="150000",
                  signers=[users["director"], users["manager"]], grade="B")
    response = en(users["owner"]).get(reverse("credit:card", args=[customer.pk]))
    assert response.status_code == 200
    text = response.text
    assert text.count('class="card-section') == 6  # business, person, shop, accounts, brands, assessment
    assert 'id="approved-limit">¥150,000.00</div>' in text
    assert 'id="approved-grade">B</div>' in text
    assert "Office director: 刘洋" in text and "Sales manager: manager" in text
    assert 'data-field="character">cheerful 爽朗</dd>' in text
    assert 'data-field="payment_attitude">prompt 爽快</dd>' in text
    assert "<td>立白</td><td>立白集团</td><td class=\"text-end\">¥12,000.00</td><td class=\"text-end\">100.0%</td>" in text
    assert "经营稳健，可适当提高额度" in text


@rule("CRD-1")
def test_it_saves_the_card_with_its_brand_rows_and_keeps_the_history(en, users, customer):
    client = en(users["owner"])
    response = client.post(reverse("credit:card_edit", args=[customer.pk]), card_form(
        character="gentle", payment_attitude="prompt", shop_area="85.5", market_value="1,200,000",
        **{"brands-0-brand": "立白", "brands-0-company": "立白集团", "brands-0-monthly_sales": "12000",
           "brands-0-share": "40", "brands-1-brand": "雕牌", "brands-1-monthly_sales": "8000", "brands-1-share": "25"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("credit:card", args=[customer.pk])
    card = CreditCard.objects.get(customer=customer)
    assert (card.character, card.payment_attitude, card.shop_area, card.filled_by) == (
        "gentle", "prompt", Decimal("85.5"), users["owner"])
    assert card.brand_sales == [  # the typed shares are not taken: 比重 comes from the amounts
        {"brand": "立白", "company": "立白集团", "monthly_sales": "12000.00", "share": "60.0"},
        {"brand": "雕牌", "company": "", "monthly_sales": "8000.00", "share": "40.0"}]
    response = client.post(reverse("credit:card_edit", args=[customer.pk]),
                           card_form(version=card.version, character="gentle", payment_attitude="delays",
                                     shop_area="85.5", **{"brands-0-brand": "立白", "brands-0-share": "40"}))
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.version, card.payment_attitude, card.market_value) == (2, "delays", None)
    page = client.get(reverse("credit:card", args=[customer.pk]), follow=True)
    assert messages_of(page) == ["The credit card of 上海恒丰商贸有限公司 was saved."] * 2
    history = page.text[page.text.index('id="card-history"'):]
    assert "payment attitude 付款态度</span>: <del>prompt 爽快</del> → <ins>delays 拖延</ins>" in history
    assert "market value 市价</span>: <del>¥1,200,000.00</del> → <ins>—</ins>" in history
    assert "张伟 · card created" in history


@rule("CRD-1")
def test_it_refuses_a_stale_card_edit_and_keeps_the_other_change(en, users, customer):
    card = services.credit_card_save(by=users["owner"], customer=customer, version=None,
                                     data={"payment_attitude": "prompt"})
    services.credit_card_save(by=users["director"], customer=customer, version=card.version,
                              data={"payment_attitude": "difficult"})
    response = en(users["owner"]).post(reverse("credit:card_edit", args=[customer.pk]),
                                            card_form(version=card.version, payment_attitude="normal"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The credit card of 上海恒丰商贸有限公司 was changed by someone else since you opened it. "
        "Reload to see the change; your edit was not saved."]
    card.refresh_from_db()
    assert (card.version, card.payment_attitude) == (2, "difficult")


@rule("CRD-1")
def test_it_refuses_a_card_created_meanwhile_by_someone_else(en, users, customer):
    client = en(users["owner"])
    assert 'name="version" value="0"' in client.get(reverse("credit:card_edit", args=[customer.pk])).text
    services.credit_card_save(by=users["director"], customer=customer, version=None, data={"health": "good"})
    response = client.post(reverse("credit:card_edit", args=[customer.pk]), card_form(health="poor"))
    assert response.status_code == 200
    assert CreditCard.objects.get(customer=customer).health == "good"


@rule("CRD-1")
def test_it_shows_what_is_wrong_with_bad_card_values_and_saves_nothing(en, users, customer):
    client = en(users["owner"])
    response = client.post(reverse("credit:card_edit", args=[customer.pk]), card_form(
        floors="-2", market_value="很多", character="sly", **{
            "brands-0-brand": "立白", "brands-0-share": "150", "brands-1-company": "无品牌公司",
            "brands-2-brand": "雕牌", "brands-2-monthly_sales": "-5"}))
    assert response.status_code == 200
    form, brands = response.context["form"], response.context["brands"]
    assert form.errors == {
        "floors": ["Ensure this value is greater than or equal to 0."],
        "market_value": ["Enter a number."],
        "character": ["Select a valid choice. sly is not one of the available choices."],
    }
    assert [dict(f.errors) for f in brands.forms[:3]] == [
        {},
        {"brand": ["Name the brand of this row."]},
        {"monthly_sales": ["Ensure this value is greater than or equal to 0."]},
    ]
    assert 'id="form-errors"' in response.text
    assert CreditCard.objects.count() == 0
    # A form without its row count is refused the same way.
    response = client.post(reverse("credit:card_edit", args=[customer.pk]), {"version": "0", "health": "good"})
    assert response.status_code == 200
    assert response.context["brands"].non_form_errors()
    assert CreditCard.objects.count() == 0


@rule("CRD-1")
def test_it_prints_the_kh002_card(en, users, customer, thresholds):
    customer_services.key_person_add(by=users["owner"], customer=customer,
                                     data={"role": "in_charge", "name": "陈建国"})
    services.credit_card_save(by=users["owner"], customer=customer, version=None, data={
        "owner_home_phone": "021-6666 1234", "location": "market", "site": "near_road",
        "brand_sales": [{"brand": "立白", "company": "立白集团", "monthly_sales": "12000.00", "share": "40.0"}]})
    limit_request(customer=customer, by=users["owner"], amount="50000", signers=[users["director"]],
                  grade="B")
    response = en(users["owner"]).get(reverse("credit:card_print", args=[customer.pk]))
    assert response.status_code == 200
    text = response.text
    assert "KH002" in text and customer.code in text
    assert "<td>陈建国</td>" in text and "021-6666 1234" in text and "market 市场" in text
    assert 'data-field="site">near the road 离马路近</td>' in text
    assert '<td id="approved-limit">¥50,000.00</td>' in text
    assert "<td>Office director</td><td data-signature>刘洋</td>" in text
    assert text.count("<td>&nbsp;</td><td></td><td></td><td></td>") == 4  # the paper form's five brand rows


@rule("CRD-1")
def test_kh002_shows_the_customer_cards_heading_and_accounting_items_from_kh001(en, users, thresholds):
    """CRD-1: the ten items KH002 shares with KH001 are read from the customer card, on the page
    and the print, and follow it when the customer card changes (no copy on the credit card)."""
    customer = new_customer(
        by=users["owner"], name="杭州百益商行", fax="0571-8888 1234", postcode="310000",
        founded_on=date(2009, 4, 1), nature="partnership", product_lines="洗涤用品 60%; 纸品 40%",
        coverage_area="杭州城西及余杭", bank="工商银行西湖支行", bank_account="6222 0001 2345",
        registered_capital=Decimal("500000"), working_capital=Decimal("120000"),
        registration_no="330100000123456")
    services.credit_card_save(by=users["owner"], customer=customer, version=None, data={"location": "market"})
    client = en(users["owner"])
    expected = {
        "customer.fax": "0571-8888 1234", "customer.postcode": "310000", "customer.founded_on": "2009-04-01",
        "customer.nature": "Partnership 合伙", "customer.product_lines": "洗涤用品 60%; 纸品 40%",
        "customer.coverage_area": "杭州城西及余杭", "customer.bank": "工商银行西湖支行 6222 0001 2345",
        "customer.registered_capital": "¥500,000.00", "customer.working_capital": "¥120,000.00",
        "customer.registration_no": "330100000123456"}
    page = client.get(reverse("credit:card", args=[customer.pk])).text
    printed = client.get(reverse("credit:card_print", args=[customer.pk])).text
    for name, text in expected.items():
        assert f'data-field="{name}">{text}</dd>' in page, name
        assert f'data-field="{name}">{text}</td>' in printed, name
    assert "fax 传真" in page and "business licence no. 营业执照登记号" in printed
    customer_services.customer_update(by=users["owner"], customer=customer, version=customer.version,
                                      data={"fax": "0571-8888 9999"})
    assert 'data-field="customer.fax">0571-8888 9999</td>' in client.get(
        reverse("credit:card_print", args=[customer.pk])).text


@rule("CRD-1")
def test_kh002_computes_each_brands_share_from_the_monthly_amounts(en, users, customer):
    """CRD-1: 比重 is each brand's monthly sales over the card's total, never typed: ¥8,000 of
    ¥45,000 is 17.8 %, whatever share the caller sends."""
    services.credit_card_save(by=users["owner"], customer=customer, version=None, data={"brand_sales": [
        {"brand": "立白", "company": "", "monthly_sales": "25000.00", "share": "50"},
        {"brand": "雕牌", "company": "", "monthly_sales": "8000.00", "share": "50"},
        {"brand": "奥妙", "company": "", "monthly_sales": "12000.00", "share": ""},
        {"brand": "白猫", "company": "", "monthly_sales": "", "share": "10"}]})
    card = CreditCard.objects.get(customer=customer)
    assert [row["share"] for row in card.brand_sales] == ["55.6", "17.8", "26.7", ""]
    for url in ("credit:card", "credit:card_print"):
        text = en(users["owner"]).get(reverse(url, args=[customer.pk])).text
        assert '<td class="text-end">¥8,000.00</td><td class="text-end">17.8%</td>' in text
        assert "50%" not in text and "10%" not in text
    # A card stored with typed shares (before they were computed) shows them from the amounts.
    CreditCard.objects.filter(pk=card.pk).update(brand_sales=[
        {"brand": "立白", "company": "", "monthly_sales": "37000.00", "share": "50"},
        {"brand": "雕牌", "company": "", "monthly_sales": "8000.00", "share": "50"}])
    text = en(users["owner"]).get(reverse("credit:card", args=[customer.pk])).text
    assert '<td class="text-end">¥8,000.00</td><td class="text-end">17.8%</td>' in text
    assert 'name="brands-0-share"' not in en(users["owner"]).get(reverse("credit:card_edit", args=[customer.pk])).text


@rule("CRD-1")
def test_kh002_reads_as_a_credit_evaluation_and_its_approvers_sign(client_for, users, customer, thresholds):
    """CRD-1/CRD-2: titled 客户信用卡（信用评估） (not a bank card); the approver block's column is
    签名 with the name of who signed each level."""
    limit_request(customer=customer, by=users["owner"], amount="50000", signers=[users["director"]], grade="B")
    client = client_for(users["owner"])
    with translation.override("zh-hans"):
        page = client.get(reverse("credit:card", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").text
        printed = client.get(reverse("credit:card_print", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    for text in (page, printed):
        assert 'id="card-title">客户信用卡（信用评估）' in text
    assert "<th>签名</th>" in printed and "<th>名称</th>" not in printed
    assert "<td data-signature>刘洋</td>" in printed
    with translation.override("en"):
        assert str(translation.gettext("Customer credit card (credit evaluation)")) == \
            "Customer credit card (credit evaluation)"


# --- limit requests (CRD-2) ------------------------------------------------------------------------------------

@rule("CRD-2")
def test_it_sends_a_limit_request_from_the_page(en, users, customer, product, thresholds):
    limit_request(customer=customer, by=users["owner"], amount="50000", signers=[users["director"]],
                  grade="C")
    confirmed_order(customer=customer, product=product, quantity=20, limit=None)  # ¥2,000 not yet invoiced
    client = en(users["owner"])
    page = client.get(reverse("credit:request_limit", args=[customer.pk]))
    assert 'data-figure="limit">¥50,000.00<' in page.text
    assert 'data-figure="open_orders">¥2,000.00<' in page.text
    assert 'data-figure="available">¥48,000.00<' in page.text
    assert 'id="current-grade">C<' in page.text
    preview = client.get(reverse("credit:levels"), {"amount": "150,000"})
    assert [str(level) for level in preview.context["levels"]] == ["Office director", "Sales manager"]
    assert client.get(reverse("credit:levels"), {"amount": "很多"}).context["levels_error"] == (
        "Enter the amount as a number, e.g. 200000.")
    response = client.post(reverse("credit:request_limit", args=[customer.pk]),
                           {"amount": "150,000", "grade": "B", "reasons": "旺季备货，回款及时"}, follow=True)
    request = CreditRequest.objects.get(status="pending")
    assert response.redirect_chain == [(reverse("credit:request_detail", args=[request.pk]), 302)]
    assert (request.amount, request.grade, request.previous_limit, request.levels) == (
        Decimal("150000.00"), "B", Decimal("50000.00"), ["director", "sales_manager"])
    assert messages_of(response) == ["The request for a limit of ¥150,000.00 for 上海恒丰商贸有限公司 was sent; it "
                                     "waits for the signature of the Office director."]
    assert 'id="request-amount">¥150,000.00<' in response.text
    assert 'id="previous-limit">¥50,000.00<' in response.text


@rule("CRD-2")
def test_it_refuses_a_bad_limit_request_with_a_message(en, users, customer, thresholds):
    client = en(users["owner"])
    url = reverse("credit:request_limit", args=[customer.pk])
    for amount, reasons, errors in (
        ("十万", "x", {"amount": ["Enter the amount as a number, e.g. 200000."]}),
        ("-5", "x", {"amount": ["The amount cannot be negative."]}),
        ("1e40", "x", {"amount": ["The amount is too large."]}),
        ("100000", "", {"reasons": ["This field is required."]}),
    ):
        response = client.post(url, {"amount": amount, "grade": "A", "reasons": reasons})
        assert response.status_code == 200
        assert response.context["form"].errors == errors
    assert client.post(url, {"amount": "１００，０００", "grade": "Z", "reasons": "x"}).context["form"].errors == {
        "grade": ["Select a valid choice. Z is not one of the available choices."]}
    assert CreditRequest.objects.count() == 0
    client.post(url, {"amount": "１００，０００", "reasons": "扩大经营"})  # full-width digits are understood
    assert CreditRequest.objects.get().amount == Decimal("100000.00")
    page = client.get(url)
    assert 'id="pending-request"' in page.text
    response = client.post(url, {"amount": "200000", "reasons": "再提"})
    assert response.context["form"].non_field_errors() == [
        "A limit request for 上海恒丰商贸有限公司 is already waiting for approval."]
    assert CreditRequest.objects.count() == 1


@rule("CRD-2")
def test_it_takes_a_request_through_the_director_then_the_manager_and_the_limit_takes_effect(
        en, users, customer, thresholds):
    en(users["owner"]).post(reverse("credit:request_limit", args=[customer.pk]),
                                 {"amount": "150000", "grade": "B", "reasons": "旺季备货"})
    request = CreditRequest.objects.get()
    director = en(users["director"])
    queue = director.get(reverse("credit:queue"))
    assert [row["request"].pk for row in queue.context["rows"]] == [request.pk]
    assert 'id="credit-waiting">1<' in queue.text
    response = director.post(reverse("credit:request_decide", args=[request.pk]),
                             {"decision": "approve", "comment": "同意", "next": reverse("credit:queue")}, follow=True)
    assert response.redirect_chain == [(reverse("credit:queue"), 302)]
    assert messages_of(response) == ["Signed. The request of 上海恒丰商贸有限公司 now waits for the Sales manager."]
    assert response.context["rows"] == [] and 'id="queue-empty"' in response.text
    assert 'id="credit-waiting"' not in response.text
    assert CreditAccount.objects.get(customer=customer).limit == Decimal("0")
    manager = en(users["manager"])
    detail = manager.get(reverse("credit:request_detail", args=[request.pk]))
    assert 'id="decide"' in detail.text
    response = manager.post(reverse("credit:request_decide", args=[request.pk]),
                            {"decision": "approve", "comment": "可以"}, follow=True)
    assert messages_of(response) == ["Approved: the credit limit of 上海恒丰商贸有限公司 is ¥150,000.00 from now on."]
    account = CreditAccount.objects.get(customer=customer)
    assert (account.limit, account.grade) == (Decimal("150000.00"), "B")
    assert 'id="request-status">Approved<' in response.text
    assert [(s.level, s.decided_by.username, s.decision, s.comment) for s in request.steps.all()] == [
        ("director", "director", "approved", "同意"), ("sales_manager", "manager", "approved", "可以")]
    assert "刘洋 · " in response.text and "“可以”" in response.text
    assert 'id="decide"' not in response.text


@rule("CRD-2")
def test_it_needs_a_comment_to_reject_and_then_changes_nothing(en, users, customer, thresholds):
    limit_request(customer=customer, by=users["owner"], amount="30000", signers=[users["director"]])
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="80000", reasons="扩大")
    director = en(users["director"])
    url = reverse("credit:request_decide", args=[request.pk])
    response = director.post(url, {"decision": "reject", "comment": "  "}, follow=True)
    assert messages_of(response) == ["Say why the request is rejected."]
    request.refresh_from_db()
    assert (request.status, CreditApproval.objects.filter(request=request).count()) == ("pending", 0)
    response = director.post(url, {"decision": "maybe"}, follow=True)
    assert messages_of(response) == ["Choose to approve or reject, with a comment of at most 500 characters. "
                                     "Nothing was signed."]
    response = director.post(url, {"decision": "reject", "comment": "回款偏慢"}, follow=True)
    assert messages_of(response) == ["The request of 上海恒丰商贸有限公司 was rejected."]
    request.refresh_from_db()
    assert request.status == "rejected"
    assert CreditAccount.objects.get(customer=customer).limit == Decimal("30000.00")
    response = director.post(url, {"decision": "approve"}, follow=True)
    assert messages_of(response) == ["This request was already decided."]


@rule("CRD-2")
def test_it_lets_the_requester_withdraw_a_waiting_request(en, users, customer, thresholds):
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="80000", reasons="扩大")
    client = en(users["owner"])
    assert 'id="withdraw"' in client.get(reverse("credit:request_detail", args=[request.pk])).text
    response = client.post(reverse("credit:request_withdraw", args=[request.pk]), follow=True)
    assert messages_of(response) == ["The request was withdrawn."]
    request.refresh_from_db()
    assert request.status == "withdrawn"
    response = client.post(reverse("credit:request_withdraw", args=[request.pk]), follow=True)
    assert messages_of(response) == ["This request was already decided."]


# --- the approval queue (CRD-2, CRD-3) ------------------------------------------------------------------------

@rule("CRD-3")
def test_it_queues_only_what_waits_for_the_user_with_the_exposure_beside_it(
        en, users, customer, outsider_customer, product, thresholds):
    limit_request(customer=customer, by=users["owner"], amount="50000", signers=[users["director"]],
                  grade="B")
    # ¥500, 30 days overdue
    late = invoiced_order(customer=customer, product=product, quantity=5, days_ago=60, limit=None)
    confirmed_order(customer=customer, product=product, quantity=10, limit=None)  # ¥1,000 not yet invoiced
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="80000", reasons="扩大经营")
    other = services.credit_limit_request(by=users["outsider"], customer=outsider_customer, amount="20000",
                                          reasons="新客户")
    response = en(users["director"]).get(reverse("credit:queue"))
    assert [row["request"].pk for row in response.context["rows"]] == [request.pk]
    text = response.text
    for figure, value in (("requested", "¥80,000.00"), ("limit", "¥50,000.00"), ("total", "¥1,500.00"),
                          ("available", "¥48,500.00"), ("overdue_days", "30")):
        assert f'data-figure="{figure}">{value}<' in text, figure
    assert late.order.number not in text  # the payment history is on the request's page
    assert outsider_customer.name not in text
    assert "You sign as: Office director" in text
    assert [row["request"].pk for row in en(users["other_director"]).get(reverse("credit:queue"))
            .context["rows"]] == [other.pk]
    assert 'id="queue-empty"' in en(users["manager"]).get(reverse("credit:queue")).text
    owner_page = en(users["owner"]).get(reverse("credit:queue"))
    assert "Your role does not sign credit requests." in owner_page.text
    assert 'id="credit-waiting"' not in owner_page.text


@rule("CRD-2")
def test_it_lists_the_requests_in_scope_with_filters(en, users, customer, outsider_customer, thresholds):
    approved = limit_request(customer=customer, by=users["owner"], amount="30000",
                             signers=[users["director"]])
    waiting = services.credit_limit_request(by=users["director"], customer=customer, amount="60000", reasons="扩大")
    services.credit_limit_request(by=users["outsider"], customer=outsider_customer, amount="20000", reasons="新")
    client = en(users["director"])

    def listed(**params):
        response = client.get(reverse("credit:requests"), params)
        return response, [r.pk for r in response.context["page"].object_list]

    assert listed()[1] == [waiting.pk, approved.pk]
    assert listed(status="approved")[1] == [approved.pk]
    assert listed(mine="1")[1] == [waiting.pk]
    assert listed(kind="override")[1] == []
    response, pks = listed(status="nonsense", kind="limit")
    assert pks == [waiting.pk, approved.pk]
    assert messages_of(response) == [
        "Filter “status” ignored: Select a valid choice. nonsense is not one of the available choices."]
    # The level the waiting request needs: the director asked, so not the director (CRD-2).
    assert "<td>Sales manager</td>" in response.text


# --- grade vs behaviour (CRD-4) -------------------------------------------------------------------------------

@rule("CRD-4")
def test_it_flags_a_grade_a_customer_paying_late_and_proposes_the_limit_of_the_grade_that_fits(
        en, users, customer, outsider_customer, product, thresholds):
    limit_request(customer=customer, by=users["owner"], amount="300000",
                  signers=[users["director"], users["manager"]], grade="A")
    limit_request(customer=outsider_customer, by=users["outsider"], amount="20000",
                  signers=[users["other_director"]], grade="C")
    # due 30 days later: 45 days overdue (> 30)
    invoiced_order(customer=customer, product=product, quantity=10, days_ago=75, limit=None)
    client = en(users["director"])
    response = client.get(reverse("credit:misfits"))
    rows = response.context["rows"]
    assert [(r["misfit"].customer.pk, r["misfit"].grade, r["misfit"].fitting_grade, r["misfit"].limit,
             r["misfit"].proposed_limit, r["misfit"].overdue_days, r["reasons"]) for r in rows] == [
        (customer.pk, "A", "B", Decimal("300000.00"), Decimal("200000.00"), 45, "45 days overdue")]
    assert 'proposed-limit">¥200,000.00<' in response.text
    start = reverse("credit:request_limit", args=[customer.pk])
    link = f'href="{start}?amount=200000.00&amp;grade=B&amp;reasons=45%20days%20overdue"'
    assert link in response.text
    form = client.get(start, {"amount": "200000.00", "grade": "B", "reasons": "45 days overdue"})
    assert 'name="amount" id="id_amount" value="200000.00"' in form.text
    assert '<option value="B" selected>' in form.text
    assert [str(level) for level in form.context["levels"]] == ["Office director", "Sales manager"]
    export = client.get(reverse("credit:misfits_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        (customer.code, customer.name, "张伟", "A", "B", 300000, 200000, 45, 0, None, "45 days overdue")]
    assert 'id="misfits-empty"' in en(users["outsider"]).get(reverse("credit:misfits")).text


# --- the customer's 360° page and the navigation bar ------------------------------------------------------------

@rule("CRD-3")
def test_it_shows_limit_exposure_and_waiting_requests_on_the_customer_page(en, users, customer, product,
                                                                        thresholds):
    limit_request(customer=customer, by=users["owner"], amount="50000", signers=[users["director"]],
                  grade="B")
    confirmed_order(customer=customer, product=product, quantity=30, limit=None)
    services.credit_limit_request(by=users["owner"], customer=customer, amount="120000", reasons="扩大")
    text = en(users["owner"]).get(reverse("customers:detail", args=[customer.pk])).text
    block = text[text.index('id="customer-credit"'):]
    assert 'data-figure="total">¥3,000.00<' in block and 'data-figure="available">¥47,000.00<' in block
    assert 'id="credit-grade">B<' in block
    assert "Credit limit ¥120,000.00</a> · waiting for the Office director" in block
    assert 'id="request-limit-link"' in text[:text.index('role="tablist"')]  # in the header
    service_page = en(users["service"]).get(reverse("customers:detail", args=[customer.pk])).text
    assert 'id="request-limit-link"' not in service_page


# --- query counts ------------------------------------------------------------------------------------------------

@rule("CRD-2")
def test_it_keeps_the_queue_free_of_n_plus_one(client_for, users, product, thresholds,
                                              django_assert_max_num_queries):
    for target in new_customers(by=users["owner"], count=10, name="信用客户{n}号商店", category="other"):
        limit_request(customer=target, by=users["owner"], amount="50000", signers=[users["director"]])
        invoiced_order(customer=target, product=product, quantity=2, days_ago=40, limit=None)
        confirmed_order(customer=target, product=product, quantity=1, limit=None)
        services.credit_limit_request(by=users["owner"], customer=target, amount="60000", reasons="扩大")
    client = client_for(users["director"])
    client.get(reverse("credit:queue"))
    with django_assert_max_num_queries(14):  # receivables: open invoices, receipts and credit notes on account
        response = client.get(reverse("credit:queue"))
    assert len(response.context["rows"]) == 10
    assert response.text.count('class="queue-row"') == 10


@rule("CRD-2")
def test_it_pages_the_queue_oldest_first(client_for, users, thresholds, monkeypatch):
    from kehu.credit import views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 10)
    targets = new_customers(by=users["owner"], count=12, name="信用客户{n}号商店", category="other")
    made = [services.credit_limit_request(by=users["owner"], customer=t, amount="60000", reasons="扩大").pk
            for t in targets]
    client = client_for(users["director"])
    first = client.get(reverse("credit:queue"))
    assert [row["request"].pk for row in first.context["rows"]] == made[:10]
    assert 'id="queue-count">12<' in first.text
    second = client.get(reverse("credit:queue"), {"page": 2})
    assert [row["request"].pk for row in second.context["rows"]] == made[10:]
    assert [row["request"].pk for row in client.get(reverse("credit:queue"), {"page": "x"}).context["rows"]] == made[:10]


@rule("CRD-2")
def test_it_keeps_the_request_list_free_of_n_plus_one(client_for, users, thresholds, django_assert_max_num_queries):
    for target in new_customers(by=users["owner"], count=30, name="信用客户{n}号商店", category="other"):
        limit_request(customer=target, by=users["owner"], amount="50000", signers=[users["director"]])
    client = client_for(users["director"])
    client.get(reverse("credit:requests"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("credit:requests"))
    assert len(response.context["page"].object_list) == 30


@rule("CRD-4")
def test_it_keeps_the_misfits_page_free_of_n_plus_one(client_for, users, product, thresholds,
                                                      django_assert_max_num_queries):
    for target in new_customers(by=users["owner"], count=10, name="信用客户{n}号商店", category="other"):
        limit_request(customer=target, by=users["owner"], amount="50000", signers=[users["director"]],
                      grade="A")
        invoiced_order(customer=target, product=product, quantity=1, days_ago=120, limit=None)
    client = client_for(users["director"])
    client.get(reverse("credit:misfits"))
    with django_assert_max_num_queries(12):  # receivables: as in the queue, and broken promises
        response = client.get(reverse("credit:misfits"))
    assert len(response.context["rows"]) == 10


# --- methods, ids and the admin (moved from test_permissions.py; the matrix is kehu/core/tests/test_permission_matrix.py)

@rule("CRD-2")
def test_it_takes_no_writes_on_the_read_pages(client_for, users):
    client = client_for(users["director"])
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(reverse("credit:levels")).status_code == 405


@rule("CRD-2")
def test_it_refuses_a_decision_by_get_and_a_request_that_is_not_a_number(client_for, users, customer, thresholds):
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="50000", reasons="x")
    client = client_for(users["director"])
    assert client.get(reverse("credit:request_decide", args=[request.pk])).status_code == 405
    assert client.get(reverse("credit:request_withdraw", args=[request.pk])).status_code == 405
    assert client.get("/credit/requests/99999/").status_code == 404
    assert client.get("/credit/requests/abc/").status_code == 404
    assert client.get("/credit/customers/99999/card/").status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


@rule("CRD-2")
def test_it_keeps_the_policy_single_and_limits_and_requests_read_only_in_the_admin(client, users, customer,
                                                                                thresholds):
    from kehu.accounts.models import User

    superuser = User.objects.create_superuser(username="root", password="kehu-root-pass-2026", role="admin")
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    CreditPolicy.objects.all().delete()
    assert client.get("/admin/credit/creditpolicy/add/").status_code == 200  # none yet
    policy = CreditPolicy.current()
    assert client.get("/admin/credit/creditpolicy/add/").status_code == 403
    assert client.get(f"/admin/credit/creditpolicy/{policy.pk}/change/").status_code == 200
    assert client.post(f"/admin/credit/creditpolicy/{policy.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CreditPolicy.objects.count() == 1
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="50000", reasons="x")
    services.credit_request_decide(by=users["director"], request=request, approve=True, comment="同意")
    account = CreditAccount.objects.get(customer=customer)
    for model, pk in (("creditaccount", account.pk), ("creditrequest", request.pk)):
        assert client.get(f"/admin/credit/{model}/").status_code == 200
        assert client.get(f"/admin/credit/{model}/add/").status_code == 403
        page = client.get(f"/admin/credit/{model}/{pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in page.text  # view only
        assert client.post(f"/admin/credit/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert "刘洋" in client.get(f"/admin/credit/creditrequest/{request.pk}/change/").text  # the signature inline
    assert client.get(f"/admin/credit/creditaccount/{account.pk}/history/").status_code == 200
    assert client.get("/admin/credit/approvalthreshold/").status_code == 200
    assert client.get("/admin/credit/creditcard/").status_code == 200
    account.refresh_from_db()
    assert account.limit == 50000


# --- the approval queue as a dense table (issue 12, item 10) ------------------------------------------------------

def queue_row(response, request) -> str:
    match = re.search(rf'<tr class="queue-row" id="request-{request.pk}">(.*?)</tr>', response.text, re.S)
    assert match, request.pk
    return match.group(1)


def cells(row: str) -> dict[str, tuple[str, str]]:
    """Each figure cell of a row: (its classes, its text)."""
    return {name: (css, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip())
            for css, name, text in re.findall(r'<td class="([^"]*)" data-figure="([^"]+)">(.*?)</td>', row, re.S)}


@rule("CRD-2")
def test_the_queue_is_one_row_per_request_with_the_facts_an_approver_weighs(
        en, users, customer, product, thresholds):
    """CRD-2: a dense table — the amount asked, the limit, the exposure, what is available, the
    days overdue, KH002's payment attitude and bank standing, who asked and since when — one row
    per request; on a 390 px phone the customer, the amount, the days overdue and the buttons
    stay visible (the other columns show from md up)."""
    services.credit_card_save(by=users["owner"], customer=customer, version=None,
                              data={"payment_attitude": "delays", "bank_standing": "good"})
    limit_request(customer=customer, by=users["owner"], amount="50000", signers=[users["director"]])
    invoiced_order(customer=customer, product=product, quantity=5, days_ago=60, limit=None)
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="80000", reasons="扩大经营")
    CreditRequest.objects.filter(pk=request.pk).update(created_at=timezone.now() - timedelta(days=3))  # asked 3 days ago
    others = new_customers(by=users["owner"], count=3, name="信用客户{n}号商店", category="other")
    more = [services.credit_limit_request(by=users["owner"], customer=c, amount="20000", reasons="新客户")
            for c in others]
    response = en(users["director"]).get(reverse("credit:queue"))
    assert response.text.count('class="queue-row"') == 4 and 'class="card mb-3 queue-item"' not in response.text
    html = queue_row(response, request)
    assert re.search(r'<td><a href="[^"]+" class="queue-customer">', html)  # always shown, as are the buttons:
    assert re.search(r'<td class="text-nowrap">\s*<div class="decide', html)
    row = cells(html)
    assert {name: text for name, (_css, text) in row.items()} == {
        "requested": "¥80,000.00", "limit": "¥50,000.00", "total": "¥500.00", "available": "¥49,500.00",
        "overdue_days": "30", "payment_attitude": "delays 拖延", "bank_standing": "good",
        "requested_by": "张伟", "age": "3 days"}
    phone = {name for name, (css, _text) in row.items() if "d-none" not in css.split()}
    assert phone == {"requested", "overdue_days"}
    assert cells(queue_row(response, more[0]))["payment_attitude"][1] == "—"  # no KH002 yet


@rule("CRD-2")
def test_approving_from_the_queue_asks_for_a_confirmation_naming_what_is_approved(en, users, customer, thresholds):
    """CRD-2: the Approve button confirms first, naming the customer and the amount."""
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="80000", reasons="扩大经营")
    row = queue_row(en(users["director"]).get(reverse("credit:queue")), request)
    approve = re.search(r'<button type="submit" name="decision" value="approve"[^>]*>', row).group(0)
    assert 'data-confirm="Approve Credit limit of 上海恒丰商贸有限公司: ¥80,000.00?"' in approve


@rule("CRD-2")
def test_rejecting_from_the_queue_asks_for_the_reason_first(en, users, customer, thresholds):
    """CRD-2: Reject opens a box asking why (required) before anything is sent — not "are you
    sure?" and then a refusal for the missing reason; the reason given is the rejection's comment."""
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="80000", reasons="扩大经营")
    client = en(users["director"])
    row = queue_row(client.get(reverse("credit:queue")), request)
    box = re.search(rf'<details class="decide-reject" id="reject-{request.pk}">(.*?)</details>', row, re.S).group(1)
    assert re.search(r'<textarea name="comment"[^>]*required', box)
    assert '<input type="hidden" name="decision" value="reject">' in box and "data-confirm" not in box
    assert "Why is it rejected? (required)" in box
    response = client.post(reverse("credit:request_decide", args=[request.pk]),
                           {"decision": "reject", "comment": "逾期未清", "next": reverse("credit:queue")}, follow=True)
    assert messages_of(response) == ["The request of 上海恒丰商贸有限公司 was rejected."]
    request.refresh_from_db()
    assert (request.status, request.steps.get().comment) == ("rejected", "逾期未清")


# --- the 360° page's header: money and the main actions (issue 12, item 7) ------------------------------------

def header_of(page: str) -> str:
    return page[:page.index('role="tablist"')]


@rule("CUS-3")
def test_cus3_the_360_header_shows_balance_overdue_and_available_credit_and_the_main_actions(
        en, users, customer, product):
    """CUS-3, AR-4, CRD-3: what the customer owes, how much is overdue and the credit still
    available are read in the header, with 记录催收 / 登记收款 / 申请额度 / 新建订单, without
    opening the fourth tab."""
    late = invoiced_order(customer=customer, product=product, quantity=10,
                          due_on=timezone.localdate() - timedelta(days=5))
    current = invoiced_order(customer=customer, product=product, quantity=3, due_on=timezone.localdate())
    limit = CreditAccount.objects.get(customer=customer).limit
    header = header_of(en(users["owner"]).get(reverse("customers:detail", args=[customer.pk])).text)
    owed = late.open_amount + current.open_amount
    assert f'data-header-figure="balance">¥{owed:,.2f}<' in header
    assert re.search(rf'data-header-figure="overdue">¥{late.open_amount:,.2f} <span[^>]*>5 days</span>', header)
    assert f'data-header-figure="available">¥{limit - owed:,.2f}<' in header
    for button in ("customer-log-attempt", "customer-record-payment", "request-limit-link", "customer-new-order"):
        assert f'id="{button}"' in header, button


@rule("CUS-3")
def test_cus3_the_header_offers_only_the_actions_of_the_users_role(en, users, customer):
    """CUS-3: the service clerk sees the figures but neither collects, asks for limits nor takes orders."""
    header = header_of(en(users["service"]).get(reverse("customers:detail", args=[customer.pk])).text)
    assert 'data-header-figure="balance">¥0.00<' in header
    for button in ("customer-log-attempt", "customer-record-payment", "request-limit-link", "customer-new-order"):
        assert f'id="{button}"' not in header, button


@rule("AR-2")
def test_ar2_an_attempt_started_on_a_tab_returns_to_that_tab(en, users, customer):
    """AR-2, CUS-3: 记录催收 started while 订单与款项 is open comes back to 订单与款项 once saved;
    the page opens on the tab its address names, and a `next` outside the site is ignored."""
    client = en(users["owner"])
    detail = reverse("customers:detail", args=[customer.pk])
    page = client.get(f"{detail}?tab=business").text
    assert 'class="nav-link active" data-bs-toggle="tab" data-bs-target="#tab-business"' in page
    assert 'class="tab-pane fade show active" id="tab-business"' in page
    link = re.search(r'href="([^"]+)" id="customer-log-attempt"', page).group(1).replace("&amp;", "&")
    form = client.get(link)
    assert f'name="next" value="{detail}?tab=business"' in form.text
    attempt = {"channel": "call", "outcome": "unreachable", "made_on": timezone.localdate().isoformat()}
    saved = client.post(reverse("receivables:attempt_create", args=[customer.pk]),
                        {**attempt, "next": f"{detail}?tab=business"})
    assert saved.status_code == 302 and saved["Location"] == f"{detail}?tab=business"
    outside = client.post(reverse("receivables:attempt_create", args=[customer.pk]),
                          {**attempt, "next": "https://evil.example.com/"})
    assert outside["Location"] == detail
    note = client.post(reverse("customers:note_add", args=[customer.pk]), {"text": "回访"})
    assert note["Location"] == f"{detail}?tab=notes"


@rule("CUS-3")
def test_cus3_an_unknown_tab_opens_the_card_and_service_opens_the_touches_and_complaints(en, users, customer):
    """CUS-3: a tab the page does not have, asked for by its address, opens the card; 服务与联系
    holds the touches and the complaints (relations, service) and opens when asked for."""
    client = en(users["owner"])
    page = client.get(reverse("customers:detail", args=[customer.pk]) + "?tab=nonsense").text
    assert 'class="tab-pane fade show active" id="tab-card"' in page
    assert page.count("show active") == 1
    page = client.get(reverse("customers:detail", args=[customer.pk]) + "?tab=service").text
    assert "Service and touches" in page
    assert 'class="tab-pane fade show active" id="tab-service"' in page
    assert page.count("show active") == 1
