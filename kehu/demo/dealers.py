"""The demo's dealer checks (REL-6) and support plans (REL-7): for a few dealers of each
salesperson (agents and wholesalers), a check each month of the past year with figures that
drift, and this year's support plan with its items, the past ones done with their effect."""

import random
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kehu.accounts.models import User
from kehu.core.periods import add_months
from kehu.core.roles import Role
from kehu.customers.models import Category, Customer
from kehu.relations.models import (
    DealerCheck,
    PaymentBehaviour,
    RangeCarried,
    StockLevel,
    SupportItem,
    SupportKind,
    SupportPlan,
)

DEALERS_PER_SELLER = 5
DEALER_CATEGORIES = (Category.AGENT, Category.WHOLESALER_1, Category.WHOLESALER_2)
PLACES = ["入口端架", "主通道货架", "收银台旁", "仓库门口", "二楼货架"]
SUPPORT = {
    SupportKind.TRAINING: "为经销商店员做产品知识培训", SupportKind.POS: "提供 POP 海报和货架插卡",
    SupportKind.DISPLAY: "协助布置端架陈列", SupportKind.PROMOTION: "联合开展买赠促销",
    SupportKind.ADVERTISING: "分担本地报纸广告费用",
}
EFFECTS = ["店员能主动介绍新品", "陈列位置改善，销量上升", "促销期间出货明显增加", "效果一般，下次调整方式"]


def write_dealer_data(*, seed: int, today: date | None = None) -> dict[str, int]:
    rng = random.Random(f"{seed}-dealers")
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    checks, plans, items = [], [], []
    sellers = User.objects.filter(role=Role.SALESPERSON, is_active=True).order_by("pk")
    for seller in sellers:
        dealers = list(Customer.objects.filter(owner=seller, category__in=DEALER_CATEGORIES).order_by("pk")
                       .values_list("pk", flat=True)[:DEALERS_PER_SELLER])
        for dealer in dealers:
            share = Decimal(rng.randint(10, 60))
            for back in range(12, -1, -1):
                share = min(Decimal(100), max(Decimal(0), share + rng.randint(-3, 4)))
                checks.append(DealerCheck(
                    customer_id=dealer, by_id=seller.pk, month=add_months(this_month, -back),
                    sales_growth=Decimal(rng.randint(-150, 250)) / 10, our_share=share,
                    range_carried=rng.choices(RangeCarried.values, weights=[5, 4, 1])[0],
                    focus_pushed=rng.random() < 0.6, display_place=rng.choice(PLACES),
                    display_space=f"{rng.randint(1, 6)} 米货架", display_height=rng.choice(["齐眉", "齐腰", "底层"]),
                    stock_level=rng.choices(StockLevel.values, weights=[3, 5, 2])[0], stock_outs=rng.choice([0, 0, 0, 1, 2, 3]),
                    in_promotion=rng.random() < 0.5,
                    payment=rng.choices(PaymentBehaviour.values, weights=[6, 3, 1])[0]))
            plans.append(SupportPlan(customer_id=dealer, by_id=seller.pk, year=today.year))
    DealerCheck.objects.bulk_create(checks)
    SupportPlan.objects.bulk_create(plans)
    for plan in SupportPlan.objects.filter(year=today.year).order_by("pk"):
        for kind in rng.sample(list(SUPPORT), k=rng.randint(2, 4)):
            month = rng.randint(1, 12)
            done = month < today.month and rng.random() < 0.8
            budget = Decimal(rng.randint(5, 60) * 100)
            before = Decimal(rng.randint(50, 300) * 100) if done else None
            items.append(SupportItem(
                plan=plan, kind=kind, description=SUPPORT[kind], budget=budget, planned_month=month,
                done_on=date(today.year, month, rng.randint(1, 28)) if done else None,
                done_by_id=plan.by_id if done else None, effect_note=rng.choice(EFFECTS) if done else "",
                sales_before=before, sales_after=(before * Decimal(rng.randint(90, 130)) / 100).quantize(Decimal("0.01"))
                if done else None))
    SupportItem.objects.bulk_create(items)
    return {"dealer_checks": len(checks), "support_plans": len(plans), "support_items": len(items)}
