"""The pages and endpoints of service commitments (SVC-2), follow-ups (SVC-3) and the service
orders' API and export (SVC-1) in the permission matrix (kehu/core/tests/test_permission_matrix.py):
whoever sells or serves records and keeps promises and makes the calls; the keeping rate is a
manager's view."""

from datetime import timedelta
from functools import partial

from django.utils import timezone

from kehu.core.tests.matrix import Route, card, count, customer_ref, delivered
from kehu.service.capabilities import COMMIT, SEE_PROMISE_KEEPING, SERVE

Commit = partial(Route, rule="SVC-2")
Follow = partial(Route, rule="SVC-3")
Serve = partial(Route, rule="SVC-1")


def _owner(ctx, side):
    return ctx.users[side.who if side else "owner"]


def commitment(ctx, side):
    """A promise of the side's salesperson to its customer, due today."""
    from kehu.service import aftersale_services

    made = aftersale_services.commitment_create(by=_owner(ctx, side), customer=side.customer if side else ctx.customer,
                                                description="每月10日上门收保费", starts_on=timezone.localdate())
    return {"pk": made.pk, "occurrence": made.occurrences.get().pk}


def kept(made):
    from kehu.service.models import Occurrence

    return Occurrence.objects.get(pk=made["occurrence"]).status


def follow_up(ctx, side):
    """The follow-up call of a delivered order of the side's customer."""
    from kehu.service import aftersale_services
    from kehu.service.models import FollowUp

    order = delivered(ctx, side)["order"]
    aftersale_services.follow_ups_plan()
    return {"pk": FollowUp.objects.get(order=order).pk}


def follow_up_state(made):
    from kehu.service.models import FollowUp

    return FollowUp.objects.get(pk=made["pk"]).status


def service_order(ctx, side):
    from kehu.service import services

    owner = _owner(ctx, side)
    planned = services.service_order_create(by=owner, customer=side.customer if side else ctx.customer,
                                            kind="maintenance", description="检修货架", assignee=owner,
                                            due_on=timezone.localdate())
    return {"pk": planned.pk}


def service_state(made):
    from kehu.service.models import ServiceOrder

    return sorted(ServiceOrder.objects.values_list("id", "status"))


def tomorrow():
    return (timezone.localdate() + timedelta(days=1)).isoformat()


PROMISE = {"description": "免费加入用户俱乐部", "repeat": "once"}
ANSWERS = {"usage": "每天都在用，效果不错", "satisfied": "yes", "congratulated": "on", "note": ""}

ROUTES = [
    *(Commit(f"service:{name}", scoped=False) for name in ("commitment_list", "commitment_export")),
    *(Commit(f"service:{name}", scoped=False, needs=(SEE_PROMISE_KEEPING,))
      for name in ("keeping_rate", "keeping_rate_export")),
    Commit("service:commitment_create", card, needs=(COMMIT,)),
    Commit("service:commitment_create", card, "post", needs=(COMMIT,), ok=302, state=count("service.Commitment"),
           data=lambda m: {**PROMISE, "starts_on": tomorrow(), "owner": ""}),
    Commit("service:commitment_detail", commitment),
    Commit("service:commitment_fulfil", commitment, "post", needs=(COMMIT,), ok=302, state=kept,
           data=lambda m: {"occurrence": m["occurrence"], "note": "已上门收取"}),
    *(Follow(f"service:{name}", scoped=False) for name in ("follow_up_list", "follow_up_export")),
    Follow("service:follow_up_detail", follow_up),
    Follow("service:follow_up_detail", follow_up, "post", needs=(SERVE,), ok=302, state=follow_up_state,
           data=ANSWERS),
    Follow("service:literature_create", card, needs=(SERVE,)),
    Follow("service:literature_create", card, "post", needs=(SERVE,), ok=302, state=count("service.LiteratureSend"),
           data={"kind": "newsletter", "title": "2026年第3期客户通讯", "sent_on": ""}),
    Serve("service:service_order_export", scoped=False),
    Serve("service-order-list", scoped=False),
    Serve("service-order-detail", service_order),
    Serve("service-order-list", customer_ref, "post", args=lambda m: [], needs=(SERVE,), ok=201,
          state=count("service.ServiceOrder"),
          data=lambda m: {"customer": m["customer"], "kind": "installation", "description": "安装货架",
                          "due_on": tomorrow()}),
    Serve("service-order-complete", service_order, "post", needs=(SERVE,), state=service_state,
          data={"outcome": "已检修", "rating": 5, "parts": "螺丝", "cost": "50"}),
    Commit("commitment-list", scoped=False),
    Commit("commitment-detail", commitment),
    Commit("commitment-list", customer_ref, "post", args=lambda m: [], needs=(COMMIT,), ok=201,
           state=count("service.Commitment"),
           data=lambda m: {"customer": m["customer"], **PROMISE, "starts_on": tomorrow()}),
    Commit("commitment-fulfil", commitment, "post", needs=(COMMIT,), state=kept,
           data=lambda m: {"occurrence": m["occurrence"], "note": "已上门收取"}),
    Follow("follow-up-list", scoped=False),
    Follow("follow-up-detail", follow_up),
    Follow("follow-up-record", follow_up, "post", needs=(SERVE,), state=follow_up_state,
           data={"usage": "每天都在用", "satisfied": True, "congratulated": True}),
]
