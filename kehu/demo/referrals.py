"""The demo's referrals (REF-1 … REF-3) and the pool (CUS-7), through the services: a few
customers of each kind referred prospects — most contacted, some won and the referrer thanked,
some lost, a few still waiting (one of them in the pool) — and the worker's nightly pool move run
once, as if last night, so that the pool list, the ambassadors and the conversion rate are not
empty. Called by generate.generate after the touches."""

import random

from django.db import transaction

from kehu.customers.models import Customer, Status
from kehu.loyalty import services as loyalty
from kehu.loyalty.models import Referral
from kehu.relations.services import touch_record

SHARE = 0.02  # of the active customers, referring someone
MOST = 80
SHOPS = ["便利店", "副食店", "超市", "日杂店", "批发部", "百货店", "商行"]
DISTRICTS = ["东城", "西城", "南郊", "北关", "新区", "老街", "河西", "站前"]


def write_referrals(*, seed: int) -> dict[str, int]:
    rng = random.Random(f"{seed}-referrals")
    active = list(Customer.objects.filter(status=Status.ACTIVE, owner__isnull=False, owner__is_active=True)
                  .select_related("owner").order_by("pk"))
    referrers = rng.sample(active, min(MOST, round(len(active) * SHARE), len(active)))
    made = won = thanked = pooled = 0
    for n, referrer in enumerate(referrers):
        owner = referrer.owner
        name = f"{rng.choice(DISTRICTS)}{referrer.name[:4]}介绍{rng.choice(SHOPS)}{n + 1}号"
        # Every state at least once, whatever the size: the first still to contact, the last in the
        # pool, the second won and thanked, the third lost; the others as chance has it.
        to_pool = n == len(referrers) - 1 or n % 15 == 14
        fate = {0: -1.0, 1: 0.5, 2: 0.9}.get(n, rng.random())
        with transaction.atomic():
            referral = loyalty.referral_create(
                by=owner, referrer=referrer, to_pool=to_pool, on_duplicate="keep_both",
                data={"name": name, "category": rng.choice(["key_retailer", "wholesaler_2", "end_customer"]),
                      "phone": f"139{rng.randint(10_000_000, 99_999_999)}"})
            made += 1
            pooled += to_pool
            if to_pool or fate < 0.1:
                continue  # still to contact (the late ones are flagged by the worker)
            touch_record(by=owner, customer=referral.referred, kind="phone", purpose="转介绍客户首次电话联系")
            if fate < 0.3:
                continue  # contacted, outcome not known yet
            outcome = Referral.Outcome.WON if fate < 0.8 else Referral.Outcome.LOST  # the seed's ~60 %
            loyalty.referral_outcome(by=owner, referral=referral, outcome=outcome)
            won += outcome == Referral.Outcome.WON
            if n == 1 or rng.random() < 0.7:
                loyalty.referral_thank(by=owner, referral=referral, kind="phone", notes="电话告知结果并致谢")
                thanked += 1
    moved = loyalty.pool_nightly()
    return {"referrals": made, "referrals_won": won, "referrals_thanked": thanked,
            "pool": Customer.objects.filter(in_pool=True).count(), "pool_moved": moved["moved"]}
