"""Complaint intake (CMP-1) and the guided process (CMP-2) through the services: the steps are
taken in the seeds' order, each once, with who and when; a complaint closes only when every
step is recorded; every refusal names what to do and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.sales.tests.builders import confirmed_order
from kehu.service import services
from kehu.service.models import STEPS, Complaint, ComplaintPolicy, ComplaintStep, Step
from kehu.service.services import StepMissing
from kehu.service.tests.builders import new_complaint, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def state():
    return (sorted(Complaint.objects.values_list("id", "status", "step", "first_response_at", "closed_at")),
            sorted(ComplaintStep.objects.values_list("complaint_id", "step")), Complaint.history.count())


@rule("CMP-1")
def test_cmp1_a_complaint_records_who_what_and_the_customers_own_words(users, customer, product):
    order = confirmed_order(customer=customer, product=product, quantity="5")
    complaint = new_complaint(customer=customer, by=users["owner"], kind="delivery", channel="visit",
                              severity="high", nature="good_faith", order=order, product=product,
                              amount_claimed="1,200.50", words="  送货晚了三天  ")
    complaint.refresh_from_db()
    assert (complaint.kind, complaint.channel, complaint.severity, complaint.nature, complaint.order, complaint.product,
            complaint.amount_claimed, complaint.words, complaint.status, complaint.received_by, complaint.handler) == (
        "delivery", "visit", "high", "good_faith", order, product, Decimal("1200.50"), "送货晚了三天", "open",
        users["owner"], users["owner"])
    # CMP-4: the deadlines follow from the severity.
    policy = ComplaintPolicy.current()
    assert complaint.respond_by == complaint.received_at + timedelta(hours=policy.respond_high_hours)
    assert complaint.resolve_by == complaint.received_at + timedelta(hours=policy.resolve_high_hours)
    assert complaint.history.get().history_user == users["owner"]


@rule("CMP-1")
def test_cmp1_finance_records_a_complaint_and_the_salesperson_handles_it(users, customer):
    complaint = new_complaint(customer=customer, by=users["finance"], kind="billing")
    assert (complaint.received_by, complaint.handler) == (users["finance"], users["owner"])


@rule("CMP-1")
def test_cmp1_bad_intake_is_refused_naming_each_field_and_nothing_is_recorded(users, customer, outsider_customer,
                                                                             product):
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        services.complaint_open(by=users["owner"], customer=customer, kind="weather", channel="pigeon", words=" ",
                                severity="apocalyptic", amount_claimed="-5")
    assert set(refused.value.field_errors) == {"kind", "channel", "words", "severity", "amount_claimed"}
    with pytest.raises(ValidationFailed, match="must be a number"):
        new_complaint(customer=customer, by=users["owner"], amount_claimed="lots")
    other_order = confirmed_order(customer=outsider_customer, product=product, quantity="1")
    with pytest.raises(ValidationFailed, match="not one of this customer"):
        new_complaint(customer=customer, by=users["owner"], order=other_order)
    with pytest.raises(ValidationFailed, match="Choose a handler"):
        new_complaint(customer=customer, by=users["owner"], handler=users["outsider"])
    assert state() == before


@rule("CMP-1")
def test_cmp1_a_salesperson_cannot_record_a_complaint_of_anothers_customer(users, outsider_customer):
    with pytest.raises(Http404):
        new_complaint(customer=outsider_customer, by=users["owner"])
    assert not Complaint.objects.exists()


@rule("CMP-2")
def test_cmp2_the_steps_are_recorded_in_the_seeds_order_with_who_and_when(users, customer):
    complaint = new_complaint(customer=customer, by=users["service"])
    walk(complaint, by=users["service"], through="apologise")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.step) == ("handling", "apologise")
    assert complaint.first_response_at is not None  # CMP-4: the first step is the first response
    walk(complaint, by=users["owner"])
    rows = list(complaint.steps.order_by("at", "id").values_list("step", "by__username"))
    assert [s for s, _by in rows] == [s.value for s in STEPS]
    assert rows[0][1] == "service" and rows[-1][1] == "owner"
    assert [str(s.label) for s in STEPS] == [
        "Listen and record 倾听记录", "Apologise 致歉", "Investigate the cause 调查原因", "Decide responsibility 判定责任",
        "Propose a solution 提出方案", "The customer agrees 客户同意", "Carry it out 执行方案", "Tell the customer 告知客户",
        "Review 回顾总结"]


@rule("CMP-2")
def test_cmp2_a_step_out_of_order_is_refused_naming_the_step_that_comes_first(users, customer):
    complaint = new_complaint(customer=customer, by=users["owner"])
    walk(complaint, by=users["owner"], through="apologise")
    before = state()
    with pytest.raises(StepMissing) as refused:
        services.step_record(by=users["owner"], complaint=complaint, step="propose", note="退款")
    assert refused.value.message == "Record “Investigate the cause 调查原因” first: the steps are taken in order."
    assert refused.value.step == "investigate"
    with pytest.raises(ValidationFailed, match="already recorded"):
        services.step_record(by=users["owner"], complaint=complaint, step="listen", note="再听一遍")
    with pytest.raises(ValidationFailed, match="Write what was done for “Investigate the cause"):
        services.step_record(by=users["owner"], complaint=complaint, step="investigate", note="  ")
    with pytest.raises(ValidationFailed, match="Choose a step"):
        services.step_record(by=users["owner"], complaint=complaint, step="pray", note="x")
    assert state() == before


@rule("CMP-2")
def test_cmp2_a_complaint_with_a_step_missing_cannot_be_closed_and_the_message_names_it(users, customer):
    complaint = new_complaint(customer=customer, by=users["owner"])
    walk(complaint, by=users["owner"], through="inform")
    before = state()
    with pytest.raises(StepMissing) as refused:
        services.complaint_close(by=users["owner"], complaint=complaint)
    assert "the step “Review 回顾总结” is missing" in refused.value.message
    assert state() == before
    walk(complaint, by=users["owner"])
    closed = services.complaint_close(by=users["owner"], complaint=complaint)
    assert (closed.status, closed.closed_at is not None) == ("closed", True)
    with pytest.raises(ValidationFailed, match="already closed"):
        services.complaint_close(by=users["owner"], complaint=complaint)


@rule("CMP-2")
def test_cmp2_finance_does_not_handle_complaints(users, customer):
    complaint = new_complaint(customer=customer, by=users["owner"])
    with pytest.raises(PermissionDeniedError):
        services.step_record(by=users["finance"], complaint=complaint, step=Step.LISTEN, note="听")
    assert not ComplaintStep.objects.exists()
