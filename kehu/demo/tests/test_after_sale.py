"""The demo's after-sales work (SVC-1 … SVC-3, CMP-1 … CMP-6): service orders done and to do, one-off and
periodic; a year of complaints handled to the end beside those in hand; commitments kept on time, late and missed, monthly
and once; follow-up calls of the orders delivered lately, some made; literature sent."""

import pytest

from conftest import rule
from kehu.demo.generate import generate
from kehu.service.models import (
    STEPS,
    Breach,
    Commitment,
    Complaint,
    ComplaintStep,
    FollowUp,
    LiteratureSend,
    Occurrence,
    Satisfaction,
    ServiceOrder,
)


@rule("SVC-2")
def test_svc2_svc3_the_demo_has_commitments_in_every_state_and_follow_ups(db):
    made = generate(customers=120, seed=5)
    assert made["commitments"] == Commitment.objects.count() > 0
    assert set(Commitment.objects.values_list("repeat", flat=True)) == {"once", "monthly"}
    assert set(Occurrence.objects.values_list("status", flat=True)) == {"open", "fulfilled", "missed"}
    assert any(not o.on_time for o in Occurrence.objects.filter(status="fulfilled"))
    assert made["follow_ups"] == FollowUp.objects.count() > 0
    assert FollowUp.objects.filter(status="done").count() == made["follow_ups_called"]
    assert LiteratureSend.objects.count() == made["literature_sent"] > 0


@rule("SVC-1")
def test_the_demo_has_service_orders_done_and_to_do_one_off_and_periodic(db):
    made = generate(customers=400, seed=5)
    assert made["service_orders"] > 0 and made["service_orders_done"] > 0
    orders = ServiceOrder.objects.all()
    assert set(orders.values_list("status", flat=True)) == {"open", "done"}
    assert orders.filter(every_days=90).exists() and orders.filter(every_days__isnull=True).exists()
    # A done maintenance has its next visit planned, 90 days on (SVC-1).
    for done in orders.filter(status="done", every_days=90):
        assert orders.filter(customer=done.customer, status="open", every_days=90, due_on__gt=done.due_on).exists()
    assert orders.filter(status="done", rating__isnull=False).exists()
    # Each done maintenance added one planned visit; nothing else was made.
    assert orders.count() == made["service_orders"] + orders.filter(status="done", every_days=90).count()


@rule("CMP-6")
def test_the_demo_has_a_year_of_closed_complaints_with_every_step_and_some_deadlines_missed(db):
    made = generate(customers=400, seed=5)
    past = Complaint.objects.filter(pk__in=ComplaintStep.objects.filter(step="review").values("complaint"),
                                    status="closed")
    # One in twenty of the customers with an owner and no complaint in hand.
    assert 0.04 * made["customers"] <= made["complaints_past"] <= 0.05 * made["customers"]
    assert past.count() == made["complaints_past"] + made["complaints_closed"]
    for complaint in past.prefetch_related("steps")[:30]:
        assert [s.step for s in complaint.steps.all()] == [s.value for s in STEPS]
        assert complaint.received_at <= complaint.first_response_at <= complaint.closed_at
    assert Breach.objects.filter(complaint__in=past).exists()
    assert Satisfaction.objects.filter(complaint__in=past).count() > made["complaints_past"] // 2
    # Nobody with a complaint in hand got a past one too: one complaint per customer in the demo's year.
    assert Complaint.objects.values("customer").distinct().count() == Complaint.objects.count()


pytestmark = pytest.mark.django_db
