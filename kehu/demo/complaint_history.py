"""The demo's past complaints (CMP-1 … CMP-6): a year of complaints handled to the end — every
step recorded, cause and responsibility said, some deadlines missed, most customers asked about
the handling — so that the complaint list, the analysis and its medians have the volume of a real
company (about one customer in twenty complains in a year). Written in one INSERT per table:
through the services (as `generate._write_complaints` does for the complaints still in hand) a
data set of 100,000 customers would take many minutes. The services' audit trail and reminders
are not written for them: they are history."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kehu.customers.models import Customer
from kehu.demo.rows import insert_rows, row
from kehu.sales.models import Product
from kehu.service.models import STEPS, Breach, Complaint, ComplaintPolicy, ComplaintStep, Satisfaction

SHARE = 0.05  # of the customers with an owner, complaining once in the past year
DAYS_BACK = 365
QUIET_DAYS = 20  # the newest of them were received this long ago, so all are closed by now
CAUSES = ["product", "product", "promise", "explanation", "attitude", "customer"]
RESPONSIBILITIES = ["company", "product", "salesperson", "customer", "shared"]
STEP_NOTES = {"listen": "客户来电，已记录原话", "apologise": "当面致歉", "investigate": "仓库受潮，批次问题",
              "decide": "我方责任", "propose": "换货并上门致歉", "agree": "客户同意", "execute": "已换货",
              "inform": "电话告知客户处理结果", "review": "通报全组：入库前检查包装"}
COMMENTS = ["", "处理及时", "希望以后别再出这种问题", "态度很好"]


def write_complaint_history(*, seed: int, words: dict[str, list[str]], skip: set[int] = frozenset()) -> dict:
    """Closed complaints of about SHARE of the customers with an owner (not those in `skip`, who
    have one in hand), received over the past year; `words` gives the customer's words by type."""
    rng = random.Random(f"{seed}-complaint-history")
    policy = ComplaintPolicy.current()
    now = timezone.now()
    customers = [c for c in Customer.objects.filter(owner__isnull=False).order_by("pk").values_list("pk", "owner_id")
                 if c[0] not in skip]
    chosen = rng.sample(customers, min(len(customers), round(len(customers) * SHARE)))
    products = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    complaints, plans = [], []
    for customer_id, owner_id in chosen:
        kind = rng.choice(list(words))
        severity = rng.choice(["low", "medium", "medium", "high", "critical"])
        received = now - timedelta(days=rng.randint(QUIET_DAYS, DAYS_BACK), minutes=rng.randint(0, 24 * 60))
        respond_by, resolve_by = policy.deadlines(severity, received)
        # Most answered and settled within their deadlines; about one in seven late.
        late_response, late_resolution = rng.random() < 0.12, rng.random() < 0.15
        responded = received + (respond_by - received) * (rng.uniform(1.2, 3) if late_response else rng.uniform(0.1, 0.9))
        closed = received + (resolve_by - received) * (rng.uniform(1.1, 2) if late_resolution else rng.uniform(0.3, 0.95))
        closed = max(closed, responded + timedelta(hours=1))
        amount = Decimal(rng.choice([0, 0, 200, 800, 3000]))
        complaints.append(row(
            created_at=received, updated_at=closed, customer_id=customer_id, order_id=None,
            product_id=rng.choice(products) if products and rng.random() < 0.6 else None, kind=kind,
            nature=rng.choice(["good_faith", "good_faith", "unclear"]), severity=severity,
            channel=rng.choice(["phone", "visit", "salesperson", "online"]), received_by_id=owner_id,
            handler_id=owner_id, words=rng.choice(words[kind]), amount_claimed=amount, received_at=received,
            status=Complaint.Status.CLOSED, respond_by=respond_by, resolve_by=resolve_by, first_response_at=responded,
            closed_at=closed, step=STEPS[-1].value, solution_amount=min(amount, Decimal(500)),
            cause=rng.choice(CAUSES), responsibility=rng.choice(RESPONSIBILITIES)))
        plans.append((late_response, late_resolution, rng.random() < 0.7, rng.choice([5, 5, 4, 4, 3, 2]),
                      rng.choice(COMMENTS)))
    before = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    insert_rows(Complaint, complaints)
    ids = list(Complaint.objects.filter(pk__gt=before).order_by("pk").values_list("pk", "customer_id"))
    if [customer for _pk, customer in ids] != [c.customer_id for c in complaints]:
        raise RuntimeError("the complaints were not numbered in the order written")
    steps, breaches, answers = [], [], []
    for (pk, _customer), made, (late_response, late_resolution, answered, rating, comment) in zip(
            ids, complaints, plans, strict=True):
        span = made.closed_at - made.first_response_at
        for n, step in enumerate(STEPS):
            at = made.first_response_at + span * (n / (len(STEPS) - 1))
            steps.append(row(complaint_id=pk, step=step.value, note=STEP_NOTES[step.value], by_id=made.handler_id, at=at))
        if late_response:
            breaches.append(row(complaint_id=pk, kind=Breach.Kind.RESPONSE.value, due_at=made.respond_by,
                                flagged_at=made.respond_by + timedelta(minutes=15), escalated_to_id=None))
        if late_resolution:
            breaches.append(row(complaint_id=pk, kind=Breach.Kind.RESOLUTION.value, due_at=made.resolve_by,
                                flagged_at=made.resolve_by + timedelta(minutes=15), escalated_to_id=None))
        if answered:
            answers.append(row(complaint_id=pk, rating=rating, comment=comment, source=Satisfaction.Source.STAFF.value,
                               recorded_by_id=made.handler_id, answered_at=made.closed_at + timedelta(days=1)))
    for model, rows in ((ComplaintStep, steps), (Breach, breaches), (Satisfaction, answers)):
        for start in range(0, len(rows), 20_000):
            insert_rows(model, rows[start:start + 20_000])
    return {"complaints_past": len(complaints), "complaint_breaches_past": len(breaches)}
