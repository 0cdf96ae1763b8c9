"""The demo's lost customers (WIN-1, WIN-2): found by the daily run over the demo's invoices,
a few per salesperson with a reason and win-back attempts, nobody reminded, the same each time."""

from django.core.management import call_command

from conftest import rule
from kehu.demo.generate import generate
from kehu.loyalty.models import Defection, WinBackAttempt
from kehu.reminders.models import Reminder


def story():
    return (list(Defection.objects.order_by("customer__code").values_list("customer__code", "state", "reason",
                                                                        "lost_value")),
            list(WinBackAttempt.objects.order_by("defection__customer__code", "on", "pk")
                 .values_list("defection__customer__code", "channel", "offer", "outcome", "on")))


@rule("WIN-2")
def test_win2_the_demo_has_at_risk_and_lost_customers_with_reasons_and_attempts(db):
    made = generate(customers=120, seed=11)
    rows, attempts = story()
    assert made["at_risk"] + made["lost"] == len(rows) > 0
    with_reason = [r for r in rows if r[2]]
    assert 0 < len(with_reason) == made["win_back_reasons"] and len(attempts) == made["win_back_attempts"] > 0
    assert all(value >= 0 for *_rest, value in rows)
    assert not Reminder.objects.filter(kind="at_risk").exists()
    call_command("demo_data", customers=120, seed=11, reset=True, verbosity=0)
    assert story() == (rows, attempts)
