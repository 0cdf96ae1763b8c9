"""Complaints for tests, recorded and walked through the real services (CMP-1, CMP-2).

    from kehu.service.tests.builders import new_complaint, walk
    complaint = new_complaint(customer=customer, by=users["owner"])
    walk(complaint, by=users["owner"], through="decide")  # listen … decide recorded
"""

from kehu.service import services
from kehu.service.models import STEPS, Complaint, Step

WORDS = "上个月进的洗衣粉结块了，顾客退回来好几袋，你们到底管不管？"
NOTES = {Step.LISTEN: "客户来电，记录原话", Step.INVESTIGATE: "仓库受潮导致结块", Step.DECIDE: "我方仓储责任",
         Step.PROPOSE: "换货 10 袋", Step.REVIEW: "仓库加装除湿机，通报全组"}


def new_complaint(*, customer, by, kind="quality", channel="phone", words: str = WORDS, severity="medium",
                  **extra) -> Complaint:
    return services.complaint_open(by=by, customer=customer, kind=kind, channel=channel, words=words,
                                   severity=severity, **extra)


def walk(complaint: Complaint, *, by, through: str = Step.REVIEW) -> Complaint:
    """Record every step of the process up to and including `through`, in order."""
    done = set(complaint.steps.values_list("step", flat=True))
    for step in STEPS[:STEPS.index(Step(through)) + 1]:
        if step.value not in done:
            services.step_record(by=by, complaint=complaint, step=step.value, note=NOTES.get(step, "已完成"))
    complaint.refresh_from_db()
    return complaint


def authorities(**by_role) -> None:
    """CMP-2: the admin's table of authority limits: authorities(salesperson="500", director="5000")."""
    from decimal import Decimal

    from kehu.service.models import AuthorityLimit

    for role, amount in by_role.items():
        AuthorityLimit.objects.update_or_create(role=role, defaults={"max_amount": Decimal(amount)})
