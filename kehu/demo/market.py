"""The demo's market information (REL-5): a year of reports by each salesperson — competitors'
moves, the market, customers' personnel changes, new products in the area — about two a month,
most read by their office's managers and many acted on, so that the list, its statuses and
the count per salesperson show something."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from kehu.accounts.models import User
from kehu.accounts.selectors import managers_of
from kehu.core.roles import Role
from kehu.customers.models import Customer
from kehu.demo.rows import insert_rows, row
from kehu.relations.models import MarketReport, MarketReportKind

DAYS_BACK = 365
KINDS = {MarketReportKind.COMPETITOR: 40, MarketReportKind.MARKET: 20, MarketReportKind.PERSONNEL: 15,
         MarketReportKind.NEW_PRODUCT: 15, MarketReportKind.OTHER: 10}
TEXTS = {
    MarketReportKind.COMPETITOR: ["竞争对手在本区降价约 5%，主要针对批发商", "竞品推出买十送一促销，为期一个月",
                                  "竞争对手新招两名业务员，重点拜访我们的 A 级客户", "竞品在超市做堆头陈列，位置比我们好"],
    MarketReportKind.MARKET: ["本月整体需求下滑，客户普遍压低库存", "新小区入住，周边零售店销量上升",
                              "原材料涨价，客户担心后续调价", "雨季到来，物流时效变慢"],
    MarketReportKind.PERSONNEL: ["客户采购经理离职，新任采购尚未见面", "客户老板的儿子开始接手业务",
                                 "客户财务负责人更换，付款流程可能变化"],
    MarketReportKind.NEW_PRODUCT: ["竞争对手在本区上市新规格产品，价格偏低", "本地品牌推出环保包装新品",
                                   "进口同类产品进入本区大型超市"],
    MarketReportKind.OTHER: ["区内道路施工三个月，部分门店客流减少", "当地举办商品展销会，可考虑参加"],
}
ACTIONS = ["已通知价格组评估是否跟价", "已安排业务员拜访新任采购", "已报告营销副总", "已在周会上通报",
           "已申请促销支持", "继续观察，下月复查"]


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def write_market_reports(*, seed: int, today: date | None = None) -> int:
    """About two reports a month by each salesperson over the past year, some about one of
    their customers; older ones read and mostly acted on by a manager of their office."""
    rng = random.Random(f"{seed}-market")
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    rows = []
    sellers = User.objects.filter(role=Role.SALESPERSON, is_active=True).select_related("office").order_by("pk")
    for seller in sellers:
        managers = managers_of(seller)
        customers = list(Customer.objects.filter(owner=seller).order_by("pk").values_list("pk", flat=True)[:50])
        day = today - timedelta(days=DAYS_BACK) + timedelta(days=rng.randint(0, 14))
        while day <= today:
            kind = _weighted(rng, KINDS)
            at = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 19), rng.randint(0, 59))), zone)
            customer = rng.choice(customers) if customers and (kind == MarketReportKind.PERSONNEL
                                                               or rng.random() < 0.3) else None
            read_at = read_by = acted_at = acted_by = None
            note = ""
            age = (today - day).days
            if managers and (age > 7 or rng.random() < 0.5):
                read_by = rng.choice(managers)
                read_at = at + timedelta(hours=rng.randint(1, 48))
                if age > 14 and rng.random() < 0.7:
                    acted_by, acted_at, note = read_by, read_at + timedelta(days=rng.randint(0, 5)), rng.choice(ACTIONS)
            rows.append(row(by_id=seller.pk, office_id=seller.office_id, kind=kind, customer_id=customer,
                            text=rng.choice(TEXTS[kind]), read_at=read_at, read_by_id=getattr(read_by, "pk", None),
                            acted_at=acted_at, acted_by_id=getattr(acted_by, "pk", None), action_note=note,
                            created_at=at, updated_at=acted_at or read_at or at))
            day += timedelta(days=rng.randint(7, 24))
    insert_rows(MarketReport, rows)
    return len(rows)
