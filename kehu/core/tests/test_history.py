"""PLT-3: the audit trail of customer cards, credit and money names who made each change —
written by the services through kehu.core.history.save_by, outside any web request too (no
HistoryRequestMiddleware here: the user comes from the service's `by`)."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from conftest import rule
from kehu.credit import services as credit
from kehu.credit.models import CreditAccount, CreditCard
from kehu.customers import services as customers
from kehu.receivables import services as receivables
from kehu.receivables.models import Allocation, Invoice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def en():
    with translation.override("en"):
        yield


def newest(record):
    return record.history.order_by("-history_date", "-history_id").first()


@rule("PLT-3")
def test_a_card_edit_leaves_a_history_row_naming_the_user(users, customer):
    customer = customers.customer_update(by=users["teammate"], customer=customer, version=customer.version,
                                         data={"address": "上海市浦东新区张江路2号"})
    row = newest(customer)
    assert (row.history_type, row.history_user, row.address) == ("~", users["teammate"], "上海市浦东新区张江路2号")
    card = credit.credit_card_save(by=users["owner"], customer=customer, version=None,
                                   data={"payment_attitude": "prompt"})
    credit.credit_card_save(by=users["director"], customer=customer, version=card.version,
                            data={"payment_attitude": "difficult"})
    assert [(h.history_type, h.history_user, h.payment_attitude)
            for h in CreditCard.objects.get(pk=card.pk).history.order_by("history_date", "history_id")] == [
        ("+", users["owner"], "prompt"), ("~", users["director"], "difficult")]


@rule("PLT-3")
def test_a_credit_limit_decision_leaves_a_history_row_naming_who_signed_last(users, customer, thresholds):
    request = credit.credit_limit_request(by=users["owner"], customer=customer, amount="150000", grade="B",
                                          reasons="老客户，回款及时")
    for signer in ("director", "manager"):
        request = credit.credit_request_decide(by=users[signer], request=request, approve=True, comment="同意")
    row = newest(CreditAccount.objects.get(customer=customer))
    assert (row.history_type, row.history_user, row.limit, row.grade) == (
        "~", users["manager"], Decimal("150000.00"), "B")


@rule("PLT-3")
def test_a_payment_reversal_is_recorded_with_who_reversed_it(users, customer):
    """Payments keep no simple_history table: the ledger is its own trail. The receipt stays
    with its reversing entry, and each allocation it withdrew names the user too."""
    today = timezone.localdate()
    invoice = Invoice.objects.create(number="INV-OPEN-1", customer=customer, issued_on=today, due_on=today,
                                     amount=Decimal("300.00"), open_amount=Decimal("300.00"), created_by=users["finance"])
    payment = receivables.payment_post(by=users["finance"], customer=customer, amount="300", method="transfer")
    receivables.payment_reverse(by=users["finance"], payment=payment, reason="支票退票")
    payment.refresh_from_db()
    assert (payment.recorded_by, payment.reversed_by, payment.reversal_reason) == (
        users["finance"], users["finance"], "支票退票")
    assert list(Allocation.objects.filter(payment=payment).values_list("invoice", "created_by", "withdrawn_by")) == [
        (invoice.pk, users["finance"].pk, users["finance"].pk)]
