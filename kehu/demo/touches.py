"""The demo's touches (REL-2): a year of visits, calls, cards and gifts by each customer's
salesperson, about as often as the contact cadence of its grade asks (REL-1) — most customers
on time, some late — so that the due list, the adherence report, the daily plan and the
customer list's 最后联系 are not empty."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from kehu.customers.models import Customer, Status
from kehu.demo.rows import insert_rows, row
from kehu.relations.models import CadencePolicy, Touch, TouchKind

DAYS_BACK = 365
KINDS = {TouchKind.VISIT: 50, TouchKind.PHONE: 35, TouchKind.LETTER: 5, TouchKind.CARD: 3, TouchKind.GIFT: 3,
         TouchKind.EVENT: 4}
PURPOSES = {
    TouchKind.VISIT: ["例行拜访，了解销售情况", "检查陈列和库存", "介绍新品", "协助店员培训", "对账并催收货款", "处理客户意见"],
    TouchKind.PHONE: ["电话回访", "确认订货数量", "通知促销活动", "提醒付款", "了解竞争对手动向"],
    TouchKind.LETTER: ["寄送新品目录", "邮件发送对账单", "发送促销方案"],
    TouchKind.CARD: ["春节贺卡", "中秋贺卡", "生日贺卡"],
    TouchKind.GIFT: ["中秋月饼", "年终纪念品", "开业花篮"],
    TouchKind.EVENT: ["新品订货会", "经销商年会", "联合促销活动"],
}
NOTES = ["", "", "", "店主反映销量平稳", "需要补货", "对价格有意见", "竞争对手在做促销", "陈列位置有改善"]
NEXT_STEPS = ["送样品", "寄报价单", "安排培训", "跟进付款", "确认订单"]


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def write_touches(*, seed: int, today: date | None = None) -> int:
    """Touches of the active customers and prospects with an owner, written in one INSERT per
    batch; returns how many."""
    rng = random.Random(f"{seed}-touches")
    today = today or timezone.localdate()
    policy = CadencePolicy.current()
    zone = timezone.get_current_timezone()
    rows, written = [], 0
    customers = (Customer.objects.filter(status__in=(Status.ACTIVE, Status.PROSPECT), owner__isnull=False)
                 .order_by("pk").values_list("pk", "owner_id", "grade", "created_at"))
    for pk, owner_id, grade, created_at in customers.iterator(chunk_size=5000):
        interval = policy.interval(grade)
        start = max(today - timedelta(days=DAYS_BACK), timezone.localtime(created_at).date())
        # Most salespeople keep to the cadence; one customer in five is let slip.
        stretch = 1.6 if rng.random() < 0.2 else 0.8
        day = start + timedelta(days=rng.randint(0, max(1, interval)))
        while day <= today:
            kind = _weighted(rng, KINDS)
            moment = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59))), zone)
            next_step, next_on = "", None
            if rng.random() < 0.15:
                next_step, next_on = rng.choice(NEXT_STEPS), day + timedelta(days=rng.randint(1, 14))
            rows.append(row(customer_id=pk, by_id=owner_id, kind=kind, on=day, purpose=rng.choice(PURPOSES[kind]),
                            notes=rng.choice(NOTES), next_step=next_step, next_step_on=next_on,
                            location_consent=False, latitude=None, longitude=None, created_at=moment,
                            updated_at=moment))
            day += timedelta(days=max(1, round(interval * stretch * rng.uniform(0.6, 1.3))))
        if len(rows) >= 20_000:
            insert_rows(Touch, rows)
            written, rows = written + len(rows), []
    insert_rows(Touch, rows)
    return written + len(rows)
