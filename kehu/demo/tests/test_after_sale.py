"""The demo's after-sales work (SVC-2, SVC-3): commitments kept on time, late and missed, monthly
and once; follow-up calls of the orders delivered lately, some made; literature sent."""

import pytest

from conftest import rule
from kehu.demo.generate import generate
from kehu.service.models import Commitment, FollowUp, LiteratureSend, Occurrence


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


pytestmark = pytest.mark.django_db
