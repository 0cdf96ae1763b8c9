"""Credit rules: the approval chain (CRD-2), no sale beyond the limit (CRD-3), overrides."""

from decimal import Decimal

import pytest
from django.utils import translation

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.credit import selectors, services
from kehu.credit.models import CreditAccount, CreditApproval, CreditRequest
from kehu.credit.tests.builders import limit_request
from kehu.receivables import services as receivables
from kehu.sales import services as sales
from kehu.sales.models import Order
from kehu.sales.tests.builders import draft_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@rule("CRD-2")
@pytest.mark.parametrize(("amount", "levels"), [
    ("50000", ["director"]),
    ("100000", ["director", "sales_manager"]),
    ("600000", ["director", "sales_manager", "marketing_vp"]),
    ("1000000", ["director", "sales_manager", "marketing_vp", "general_manager"]),
])
def test_it_routes_a_request_to_the_levels_its_amount_reaches(users, customer, thresholds, amount, levels):
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount=amount, reasons="扩大经营")
    assert request.levels == levels
    assert request.next_level == "director"
    assert [r.pk for r in selectors.approval_queue_for(users["director"])] == [request.pk]
    assert selectors.approval_queue_for(users["manager"]) == []
    assert selectors.approval_queue_for(users["other_director"]) == []  # Hangzhou: not in scope


@rule("CRD-2")
def test_it_makes_the_limit_effective_on_the_last_approval_only(users, customer, thresholds):
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="150000", grade="B",
                                            reasons="旺季备货")
    services.credit_request_decide(by=users["director"], request=request, approve=True, comment="同意")
    assert CreditAccount.objects.get(customer=customer).limit == Decimal("0")
    assert [r.pk for r in selectors.approval_queue_for(users["manager"])] == [request.pk]
    request = services.credit_request_decide(by=users["manager"], request=request, approve=True, comment="可以")
    account = CreditAccount.objects.get(customer=customer)
    assert (request.status, account.limit, account.grade) == ("approved", Decimal("150000.00"), "B")
    assert [(s.level, s.decided_by.username, s.decision, s.comment) for s in request.steps.all()] == [
        ("director", "director", "approved", "同意"), ("sales_manager", "manager", "approved", "可以")]


@rule("CRD-2")
def test_it_changes_nothing_when_a_request_is_rejected(users, customer, thresholds):
    limit_request(customer=customer, by=users["owner"], amount="30000", signers=[users["director"]])
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="200000", reasons="扩大")
    services.credit_request_decide(by=users["director"], request=request, approve=True, comment="同意")
    request = services.credit_request_decide(by=users["manager"], request=request, approve=False, comment="回款慢")
    assert request.status == "rejected"
    assert CreditAccount.objects.get(customer=customer).limit == Decimal("30000.00")
    assert selectors.approval_queue_for(users["manager"]) == []
    with pytest.raises(ValidationFailed, match="already decided"):
        services.credit_request_decide(by=users["vp"], request=request, approve=True)


@rule("CRD-2")
def test_it_refuses_a_signature_out_of_turn_or_out_of_scope(users, customer, thresholds):
    request = services.credit_limit_request(by=users["owner"], customer=customer, amount="200000", reasons="扩大")
    for signer in ("manager", "gm", "other_director", "owner"):
        with pytest.raises(PermissionDeniedError):
            services.credit_request_decide(by=users[signer], request=request, approve=True)
    with pytest.raises(ValidationFailed, match="Say why"):
        services.credit_request_decide(by=users["director"], request=request, approve=False, comment=" ")
    assert CreditApproval.objects.count() == 0


@rule("CRD-2")
def test_it_refuses_bad_requests_with_a_message(users, customer, outsider_customer, thresholds):
    with pytest.raises(ValidationFailed, match="number"):
        services.credit_limit_request(by=users["owner"], customer=customer, amount="十万", reasons="x")
    with pytest.raises(ValidationFailed, match="negative"):
        services.credit_limit_request(by=users["owner"], customer=customer, amount="-1", reasons="x")
    with pytest.raises(ValidationFailed, match="reasons"):
        services.credit_limit_request(by=users["owner"], customer=customer, amount="100", reasons="")
    services.credit_limit_request(by=users["owner"], customer=customer, amount="100", reasons="x")
    with pytest.raises(ValidationFailed, match="already waiting"):
        services.credit_limit_request(by=users["owner"], customer=customer, amount="200", reasons="y")
    from django.http import Http404
    with pytest.raises(Http404):
        services.credit_limit_request(by=users["owner"], customer=outsider_customer, amount="100", reasons="x")
    assert CreditRequest.objects.count() == 1


@rule("CRD-3")
def test_it_refuses_an_order_beyond_the_limit_with_the_numbers(users, customer, product, thresholds):
    limit_request(customer=customer, by=users["owner"], amount="1000", signers=[users["director"]])
    first = draft_order(customer=customer, product=product, quantity=6)  # ¥600
    services.order_confirm(by=users["owner"], order=first, version=first.version)
    second = draft_order(customer=customer, product=product, quantity=5)  # ¥500: exposure would be ¥1,100
    with pytest.raises(services.CreditRefused) as refused:
        services.order_confirm(by=users["owner"], order=second, version=second.version)
    assert refused.value.message == ("Not confirmed: beyond the credit limit. Credit limit ¥1,000.00, exposure "
                                     "¥600.00, this order ¥500.00: ¥100.00 short. Collect payment, ask for a "
                                     "higher limit or for an override.")
    second.refresh_from_db()
    assert second.status == "draft"
    assert selectors.exposure_of(customer).total == Decimal("600.00")


@rule("CRD-3")
def test_it_counts_open_invoices_and_blocks_overdue_customers_until_they_pay(users, customer, product, thresholds):
    import datetime

    limit_request(customer=customer, by=users["owner"], amount="100000",
                  signers=[users["director"], users["manager"]])
    old = draft_order(customer=customer, product=product, quantity=10)
    services.order_confirm(by=users["owner"], order=old, version=old.version)
    old = sales.order_advance(by=users["owner"], order=old, version=old.version + 1, to="delivered")
    long_ago = datetime.date.today() - datetime.timedelta(days=120)  # due after 30 days: 90 days overdue
    old = receivables.order_invoice(by=users["finance"], order=old, version=old.version, on=long_ago)
    exposure = selectors.exposure_of(customer)
    assert (exposure.receivables, exposure.open_orders, exposure.overdue_days) == (Decimal("1000.00"), 0, 90)
    new = draft_order(customer=customer, product=product, quantity=1)
    with pytest.raises(services.CreditRefused, match="90 days overdue \\(more than 60\\)"):
        services.order_confirm(by=users["owner"], order=new, version=new.version)
    receivables.payment_post(by=users["finance"], customer=customer, amount="1000", method="transfer")
    assert services.order_confirm(by=users["owner"], order=new, version=new.version).status == "confirmed"


@rule("CRD-3")
def test_it_names_the_top_level_for_a_large_override(users, customer, product, thresholds):
    # ¥600,000 with no limit: the VP signs alone
    order = draft_order(customer=customer, product=product, quantity=6000)
    request = services.credit_override_request(by=users["owner"], order=order, reasons="大客户首单")
    assert (request.levels, request.amount) == (["marketing_vp"], Decimal("600000.00"))
    with pytest.raises(PermissionDeniedError):
        services.credit_request_decide(by=users["director"], request=request, approve=True)


@rule("CRD-3")
def test_it_lets_exactly_one_order_pass_on_an_approved_override(users, customer, product, thresholds):
    limit_request(customer=customer, by=users["owner"], amount="1000", signers=[users["director"]])
    order = draft_order(customer=customer, product=product, quantity=15)  # ¥1,500 > ¥1,000
    request = services.credit_override_request(by=users["owner"], order=order, reasons="大促，客户承诺月底付款")
    assert request.levels == ["director"]  # the level the thresholds name for an exposure of ¥1,500
    with pytest.raises(services.CreditRefused):  # not before it is approved
        services.order_confirm(by=users["owner"], order=order, version=order.version)
    services.credit_request_decide(by=users["director"], request=request, approve=True, comment="一次性")
    confirmed = services.order_confirm(by=users["owner"], order=order, version=order.version)
    assert confirmed.status == "confirmed"
    request.refresh_from_db()
    assert request.used_at is not None
    # The override was for that order only, and it is used up.
    another = draft_order(customer=customer, product=product, quantity=1)
    with pytest.raises(services.CreditRefused):
        services.order_confirm(by=users["owner"], order=another, version=another.version)
    assert Order.objects.filter(status="confirmed").count() == 1


@rule("CRD-3")
def test_it_states_the_refusal_in_chinese_by_default(users, customer, product, thresholds):
    limit_request(customer=customer, by=users["owner"], amount="1000", signers=[users["director"]])
    order = draft_order(customer=customer, product=product, quantity=15)
    with translation.override("zh-hans"), pytest.raises(services.CreditRefused) as refused:
        services.order_confirm(by=users["owner"], order=order, version=order.version)
    assert str(refused.value.message) == ("未能确认：超出信用额度。信用额度 ¥1,000.00，信用占用 ¥0.00，本订单 "
                                          "¥1,500.00，超出 ¥500.00。请催收货款、申请提高额度或申请一次性特批。")


# --- the requester never signs (CRD-2, CRD-3) -------------------------------------------------------------------

def _limit_of(customer) -> Decimal:
    account = CreditAccount.objects.filter(customer=customer).first()
    return account.limit if account else Decimal("0")


@rule("CRD-2")
@pytest.mark.parametrize(("requester", "amount", "levels", "signers"), [
    ("director", "50000", ["sales_manager"], ["manager"]),
    ("director", "600000", ["sales_manager", "marketing_vp"], ["manager", "vp"]),
    ("manager", "50000", ["marketing_vp"], ["vp"]),
    ("manager", "1000000", ["marketing_vp", "general_manager"], ["vp", "gm"]),
    ("vp", "99999.99", ["general_manager"], ["gm"]),
])
def test_crd2_a_signers_own_request_goes_to_the_next_level_up(users, customer, thresholds, requester, amount,
                                                               levels, signers):
    """CRD-2: a director (sales manager, VP) who asks for a limit does not sign it: the request
    goes to the levels above theirs, it is not in their own queue, and their signature is refused."""
    request = services.credit_limit_request(by=users[requester], customer=customer, amount=amount, reasons="扩大经营")
    assert request.levels == levels
    assert selectors.approval_queue_for(users[requester]) == []
    with pytest.raises(PermissionDeniedError, match="You asked for this request, so you cannot sign it"):
        services.credit_request_decide(by=users[requester], request=request, approve=True, comment="同意")
    assert (CreditApproval.objects.count(), _limit_of(customer)) == (0, Decimal("0"))
    for signer in signers:
        assert [r.pk for r in selectors.approval_queue_for(users[signer])] == [request.pk]
        request = services.credit_request_decide(by=users[signer], request=request, approve=True, comment="同意")
    assert request.status == "approved"
    assert [s.decided_by.username for s in request.steps.all()] == [users[s].username for s in signers]
    assert _limit_of(customer) == Decimal(amount)


@rule("CRD-2")
def test_crd2_a_signer_never_signs_a_step_of_their_own_request(users, customer, thresholds):
    """CRD-2: even at a level of the chain their role signs, the requester's signature is refused
    (a request asked before the rule, still waiting for the requester's level)."""
    request = services.credit_limit_request(by=users["director"], customer=customer, amount="50000", reasons="x")
    CreditRequest.objects.filter(pk=request.pk).update(levels=["director", "sales_manager"], next_level="director")
    request.refresh_from_db()
    assert selectors.approval_queue_for(users["director"]) == []
    with pytest.raises(PermissionDeniedError, match="You asked for this request"):
        services.credit_request_decide(by=users["director"], request=request, approve=True)
    assert services.request_actions(user=users["director"], request=request)["decide"] is False
    assert CreditApproval.objects.count() == 0


@rule("CRD-2")
def test_crd2_the_general_managers_own_request_needs_a_second_signer(users, customer, thresholds, settings):
    """CRD-2: nobody signs above the general manager: without a second signer named, the GM's own
    request cannot be approved by the GM, and the refusal says why."""
    settings.KEHU_CREDIT_SECOND_SIGNER = ""
    request = services.credit_limit_request(by=users["gm"], customer=customer, amount="99999.99", reasons="战略客户")
    assert request.levels == ["general_manager"]
    assert selectors.approval_queue_for(users["gm"]) == []
    assert selectors.waiting_count(users["gm"]) == 0
    with pytest.raises(PermissionDeniedError, match="KEHU_CREDIT_SECOND_SIGNER"):
        services.credit_request_decide(by=users["gm"], request=request, approve=True, comment="同意")
    with pytest.raises(PermissionDeniedError):
        services.credit_request_decide(by=users["vp"], request=request, approve=True, comment="同意")
    assert (CreditApproval.objects.count(), _limit_of(customer)) == (0, Decimal("0"))


@rule("CRD-2")
@pytest.mark.parametrize("named", ["vp", "marketing_vp"])
def test_crd2_the_named_second_signer_signs_the_general_managers_own_request(users, customer, thresholds, settings,
                                                                             named):
    """CRD-2: KEHU_CREDIT_SECOND_SIGNER (a username or a role) signs the GM's own requests, and
    sees them in the approval queue; the GM still cannot."""
    settings.KEHU_CREDIT_SECOND_SIGNER = named
    request = services.credit_limit_request(by=users["gm"], customer=customer, amount="99999.99", reasons="战略客户")
    assert selectors.approval_queue_for(users["gm"]) == []
    with pytest.raises(PermissionDeniedError, match="You asked for this request"):
        services.credit_request_decide(by=users["gm"], request=request, approve=True, comment="同意")
    assert [r.pk for r in selectors.approval_queue_for(users["vp"])] == [request.pk]
    assert selectors.waiting_count(users["vp"]) == 1
    request = services.credit_request_decide(by=users["vp"], request=request, approve=True, comment="同意")
    assert (request.status, _limit_of(customer)) == ("approved", Decimal("99999.99"))
    assert [(s.level, s.decided_by.username) for s in request.steps.all()] == [("general_manager", "vp")]


@rule("CRD-3")
@pytest.mark.parametrize(("requester", "signer", "level"), [
    ("director", "manager", "sales_manager"),
    ("manager", "vp", "marketing_vp"),
    ("vp", "gm", "general_manager"),
])
def test_crd3_an_override_of_a_signers_own_order_is_signed_above_them(users, customer, product, thresholds,
                                                                      requester, signer, level):
    """CRD-3: a director (manager, VP) who asks for an override of their own ¥60,000 order over
    a ¥50,000 limit cannot approve it and confirm beyond the limit: the level above signs."""
    limit_request(customer=customer, by=users["owner"], amount="50000", signers=[users["director"]])
    order = draft_order(customer=customer, product=product, quantity=600, by=users[requester])  # ¥60,000
    request = services.credit_override_request(by=users[requester], order=order, reasons="大客户")
    assert request.levels == [level]
    with pytest.raises(PermissionDeniedError, match="You asked for this request"):
        services.credit_request_decide(by=users[requester], request=request, approve=True, comment="同意")
    with pytest.raises(services.CreditRefused):
        services.order_confirm(by=users[requester], order=order, version=order.version)
    assert Order.objects.get(pk=order.pk).status == "draft"
    services.credit_request_decide(by=users[signer], request=request, approve=True, comment="一次性")
    assert services.order_confirm(by=users[requester], order=order, version=order.version).status == "confirmed"
