"""`kehu receipt-counters` (AR-1): after restoring a backup, the receipt books are moved past
the numbers already written on paper, so that no receipt number is issued twice."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conftest import rule
from kehu.core.models import Sequence
from kehu.receivables.tests.builders import new_payment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def counters(*args) -> str:
    out = StringIO()
    call_command("receipt_counters", *args, stdout=out)
    return out.getvalue()


@rule("AR-1")
def test_ar1_after_a_restore_the_next_receipt_follows_the_last_one_on_paper(users, customer):
    """AR-1: the backup knew receipt 1 of the office; receipts 2 and 3 were written on paper
    after it. Listed, then moved to at least 3: the next receipt is 4, not a second 2."""
    office = customer.office
    first = new_payment(customer=customer, amount="100", by=users["owner"])
    assert first.number == f"{office.code}-000001"
    assert f"{office.code}\t1\t{office.name}" in counters()

    assert counters("--at-least", f"{office.code}=3") == f"{office.code}: last receipt number 1 → 3\n"
    assert new_payment(customer=customer, amount="100", by=users["owner"]).number == f"{office.code}-000004"

    counters("--at-least", f"{office.code}=2")  # never back: 5 is next
    assert new_payment(customer=customer, amount="100", by=users["owner"]).number == f"{office.code}-000005"


@rule("AR-1")
@pytest.mark.parametrize("value", ["NOPE=5", "=5", "{code}", "{code}=-1", "{code}=x"])
def test_ar1_a_bad_counter_is_refused_with_a_message_and_changes_nothing(users, customer, value):
    new_payment(customer=customer, amount="100", by=users["owner"])
    before = list(Sequence.objects.values_list("name", "value"))
    with pytest.raises(CommandError) as refused:
        counters("--at-least", f"{customer.office.code}=9", "--at-least", value.format(code=customer.office.code))
    assert "office" in str(refused.value).lower() or "OFFICE=NUMBER" in str(refused.value)
    assert list(Sequence.objects.values_list("name", "value")) == before
