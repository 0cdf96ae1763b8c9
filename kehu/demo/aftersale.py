"""Demo data of after-sales work (SVC-1 … SVC-3), through the services: service
orders — one-off and periodic maintenance, done or still to do; service commitments of a
few customers — once and every month — some kept on time, some late, some missed (the manager
told, as the worker would); the follow-up calls of the orders delivered lately, half of them
made; and literature sent. Called by generate.generate after the complaints."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.service import aftersale_services as aftersale
from kehu.service import services
from kehu.service.models import FollowUp, Occurrence

SHARE = 0.05  # of the customers
MOST = 60
PROMISES = ["每月10日上门收保费", "每月月底前上门检查冷柜", "免费加入用户俱乐部", "下周送样品到店", "免费为店员做一次产品培训",
            "每月初送新品资料"]
USAGE = ["门店每天都在用，顾客反映不错", "刚上架，卖得还可以", "仓库还有存货，下周上架", "用起来比原来的好"]
LITERATURE = [("product", "2026 新品目录"), ("spec", "洗衣粉新规格说明书"), ("newsletter", "客户通讯 2026 年第 3 期")]


def write_after_sale(*, seed: int) -> dict[str, int]:
    rng = random.Random(f"{seed}-after-sale")
    today = timezone.localdate()
    customers = list(Customer.objects.filter(owner__isnull=False, owner__is_active=True).select_related("owner")
                     .order_by("pk"))
    chosen = rng.sample(customers, min(MOST, round(len(customers) * SHARE), len(customers)))
    commitments = 0
    for customer in chosen:
        owner = customer.owner
        with transaction.atomic():
            if rng.random() < 0.5:
                made = aftersale.commitment_create(by=owner, customer=customer, description=PROMISES[0],
                                                   repeat="monthly", starts_on=today, day_of_month=rng.choice([10, 31]),
                                                   until=today + timedelta(days=365))
            else:
                made = aftersale.commitment_create(by=owner, customer=customer, description=rng.choice(PROMISES[1:]),
                                                   starts_on=today + timedelta(days=rng.randint(0, 20)))
            commitments += 1
            # As if recorded three months ago: the earlier due days have passed, kept or not (all
            # moved by the same days, so that they stay distinct).
            back = timedelta(days=rng.choice([95, 100, 120]))
            for o in list(made.occurrences.all())[:3]:
                past = o.due_on - back
                outcome = rng.random()
                if outcome < 0.6:
                    Occurrence.objects.filter(pk=o.pk).update(
                        due_on=past, status=Occurrence.Status.FULFILLED, fulfilled_on=past, fulfilled_by=owner,
                        note="已按时办好")
                elif outcome < 0.8:
                    Occurrence.objects.filter(pk=o.pk).update(
                        due_on=past, status=Occurrence.Status.FULFILLED, fulfilled_on=past + timedelta(days=3),
                        fulfilled_by=owner, note="晚了三天")
                else:
                    Occurrence.objects.filter(pk=o.pk).update(due_on=past)
    missed = aftersale.mark_missed(today=today)
    follow_ups = aftersale.follow_ups_plan(today=today)
    called = 0
    for follow_up in FollowUp.objects.filter(due_on__lte=today).select_related("assignee").order_by("pk"):
        if rng.random() < 0.5:
            aftersale.follow_up_record(by=follow_up.assignee, follow_up=follow_up, usage=rng.choice(USAGE),
                                       satisfied=rng.random() < 0.85, congratulated=True)
            called += 1
    sends = 0
    for customer in chosen:
        kind, title = rng.choice(LITERATURE)
        aftersale.literature_log(by=customer.owner, customer=customer, kind=kind, title=title,
                                 sent_on=today - timedelta(days=rng.randint(0, 60)))
        sends += 1
    return {"commitments": commitments, "commitments_missed": missed, "follow_ups": follow_ups,
            "follow_ups_called": called, "literature_sent": sends, **_write_service_orders(rng, chosen, today)}


SERVICES = [("installation", "上门安装冷柜并调试"), ("delivery", "送货上门并验收"), ("training", "为店员做一次产品知识培训"),
            ("packaging", "更换破损包装"), ("credit", "协助办理信用额度申请")]
OUTCOMES = ["已完成，客户满意", "已完成，客户提出改进意见", "已完成，下次需带备件"]


def _write_service_orders(rng: random.Random, chosen: list, today) -> dict[str, int]:
    """SVC-1: service orders of the same customers — one-off ones of every kind and periodic
    maintenance every 90 days — some done with the customer's rating, parts and cost (a done
    maintenance schedules its next visit), some still to do, a few of them late."""
    planned = done = 0
    for customer in chosen:
        owner = customer.owner
        kind, description = ("maintenance", "冷柜定期保养") if rng.random() < 0.4 else rng.choice(SERVICES)
        with transaction.atomic():
            made = services.service_order_create(
                by=owner, customer=customer, kind=kind, description=description, assignee=owner,
                due_on=today + timedelta(days=rng.randint(-20, 30)), every_days=90 if kind == "maintenance" else None)
            planned += 1
            if made.due_on <= today and rng.random() < 0.7:
                services.service_order_done(by=owner, service_order=made, outcome=rng.choice(OUTCOMES),
                                            rating=rng.choice([5, 5, 4, 4, 3, None]),
                                            parts=rng.choice(["", "压缩机密封圈", "温控器"]),
                                            cost=rng.choice(["", "0", "120", "350"]))
                done += 1
    return {"service_orders": planned, "service_orders_done": done}
