"""The demo's lost customers (WIN-1, WIN-2): the daily run over the demo's invoices finds who is
at risk and who is lost (without reminding anyone); then, for the first few of each salesperson
by lost value, a reason and a win-back attempt or two, recorded through loyalty's services as
the salesperson would. Deterministic for a seed."""

import random
from datetime import date, timedelta

from django.utils import timezone

from kehu.loyalty import services
from kehu.loyalty.models import Defection, DefectionReason, WinBackAttempt

PER_SELLER = 2
OFFERS = ["新品试用装免费送", "三个月九五折", "免运费送货上门", "经理上门拜访", ""]
NOTES = ["对手价格低 5%", "上次投诉处理太慢", "门店搬到新区", "老板换人，新老板不熟悉", ""]
REASONS = [DefectionReason.PRICE, DefectionReason.COMPETITOR, DefectionReason.SERVICE, DefectionReason.COMPLAINT,
           DefectionReason.MOVED]


def write_win_back(*, seed: int, today: date | None = None) -> dict[str, int]:
    rng = random.Random(f"{seed}-win-back")
    today = today or timezone.localdate()
    found = services.defections_daily(today=today, tell=False)
    rows = (Defection.objects.filter(state__in=Defection.OPEN, customer__owner__isnull=False)
            .select_related("customer", "customer__owner").order_by("customer__owner_id", "-lost_value", "pk"))
    per_owner: dict[int, int] = {}
    reasons = attempts = 0
    for row in rows.iterator():
        owner = row.customer.owner
        if per_owner.get(owner.pk, 0) >= PER_SELLER:
            continue
        per_owner[owner.pk] = per_owner.get(owner.pk, 0) + 1
        reason = rng.choice(REASONS)
        services.defection_reason_set(by=owner, defection=row, reason=reason, note=rng.choice(NOTES))
        reasons += 1
        for back in sorted(rng.sample(range(1, 20), rng.randint(1, 2)), reverse=True):
            services.win_back_attempt_record(
                by=owner, defection=row, channel=rng.choice(["phone", "visit", "letter"]), offer=rng.choice(OFFERS),
                outcome=rng.choice(WinBackAttempt.Outcome.values), on=today - timedelta(days=back))
            attempts += 1
    return {"at_risk": found["at_risk"], "lost": found["lost"], "win_back_reasons": reasons,
            "win_back_attempts": attempts}
