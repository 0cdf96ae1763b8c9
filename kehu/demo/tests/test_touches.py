"""The demo's touches (REL-1, REL-2): each owned, active customer contacted about as its grade
asks, a few let slip, so the due list, the plan and the customer list's 最后联系 show something."""

import pytest
from django.db.models import F
from django.utils import timezone

from kehu.accounts.models import User
from kehu.demo.generate import generate
from kehu.relations import selectors
from kehu.relations.models import Touch

pytestmark = pytest.mark.django_db


@pytest.mark.rule("REL-2")
def test_the_demo_writes_touches_that_the_services_would_accept():
    made = generate(customers=120, seed=11)
    today = timezone.localdate()
    assert made["touches"] == Touch.objects.count() > 120
    assert not Touch.objects.filter(on__gt=today).exists()
    assert not Touch.objects.filter(next_step_on__lt=F("on")).exists()
    assert not Touch.objects.exclude(by=F("customer__owner")).exists()
    sales1 = User.objects.get(username="sales1")
    rows = selectors.due_customers(sales1, today=today, include_ok=True)
    assert rows and any(r.status == "ok" for r in rows) and any(r.status == "overdue" for r in rows)
