"""The complaint pages and endpoints in the permission matrix (kehu/core/tests/test_permission_matrix.py).
Everyone records a complaint of a customer they see (CMP-1); everyone but finance handles them (CMP-2)."""

from datetime import timedelta
from functools import partial

from django.utils import timezone

from kehu.core.tests.matrix import Route, card, count, customer_ref
from kehu.service.capabilities import HANDLE_COMPLAINTS, RECEIVE_COMPLAINTS, SERVE

Intake = partial(Route, rule="CMP-1")
Process = partial(Route, rule="CMP-2")
Escalate = partial(Route, rule="CMP-3")
Serve = partial(Route, rule="SVC-1")
HANDLE = (HANDLE_COMPLAINTS,)


def complaint(ctx, side):
    """A complaint of the side's customer, received by its salesperson (who handles it)."""
    from kehu.service.tests.builders import new_complaint

    customer = side.customer if side else ctx.customer
    return {"pk": new_complaint(customer=customer, by=ctx.users[side.who if side else "owner"]).pk}


def walked(ctx, side):
    """A complaint whose every step is recorded: it may be closed."""
    from kehu.service.models import Complaint
    from kehu.service.tests.builders import walk

    made = complaint(ctx, side)
    walk(Complaint.objects.get(pk=made["pk"]), by=ctx.users[side.who if side else "owner"])
    return made


def steps(made):
    from kehu.service.models import ComplaintStep

    return ComplaintStep.objects.filter(complaint=made["pk"]).count()


def status(made):
    from kehu.service.models import Complaint

    return Complaint.objects.get(pk=made["pk"]).status


def decided(ctx, side):
    """A complaint whose responsibility is decided, and every role limited to ¥100: a solution of
    ¥2,000 is escalated, whoever proposes it (CMP-2)."""
    from kehu.core.roles import Role
    from kehu.service.models import Complaint
    from kehu.service.tests.builders import authorities, walk

    authorities(**{str(role): "100" for role in Role})
    made = complaint(ctx, side)
    walk(Complaint.objects.get(pk=made["pk"]), by=ctx.users[side.who if side else "owner"], through="decide")
    return made


def escalated(ctx, side):
    """A solution escalated by the salesperson to the office director of the customer (CMP-3)."""
    from kehu.service import services
    from kehu.service.models import Complaint
    from kehu.service.tests.builders import authorities

    made = decided(ctx, side)
    authorities(director="100000")
    services.complaint_escalate(by=ctx.users[side.who], complaint=Complaint.objects.get(pk=made["pk"]),
                                amount="2000", solution="退款")
    return made


def with_change(ctx, side):
    from kehu.service import services
    from kehu.service.models import Complaint

    made = complaint(ctx, side)
    change = services.change_plan(by=ctx.users[side.who], complaint=Complaint.objects.get(pk=made["pk"]),
                                  kind="time", note="周五前答复", due_at=timezone.now() + timedelta(days=2))
    return {**made, "change": change.pk}


def the_awaited_level(role, side):
    return role == side.director


def escalations(made):
    from kehu.service.models import Escalation

    return sorted(Escalation.objects.filter(complaint=made["pk"]).values_list("status", flat=True))


def changes(made):
    from kehu.service.models import Change

    return sorted(Change.objects.filter(complaint=made["pk"]).values_list("id", "kept_at"))


def later():
    return (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def service_order(ctx, side):
    """A maintenance visit of the side's customer, assigned to its salesperson (SVC-1)."""
    from kehu.service import services

    owner = ctx.users[side.who if side else "owner"]
    planned = services.service_order_create(by=owner, customer=side.customer if side else ctx.customer,
                                            kind="maintenance", description="检修货架", assignee=owner,
                                            due_on=timezone.localdate())
    return {"pk": planned.pk}


def service_state(made):
    from kehu.service.models import ServiceOrder

    return sorted(ServiceOrder.objects.values_list("id", "status"))


INTAKE = {"kind": "quality", "channel": "phone", "severity": "high", "nature": "good_faith",
          "words": "货到了一半是破的", "amount_claimed": "300"}

ROUTES = [
    *(Process(f"service:{name}", scoped=False) for name in ("complaint_list", "complaint_export")),
    Process("service:complaint_detail", complaint),
    Intake("service:complaint_create", card, needs=(RECEIVE_COMPLAINTS,)),
    Intake("service:complaint_create", card, "post", data=INTAKE, needs=(RECEIVE_COMPLAINTS,), ok=302,
           state=count("service.Complaint")),
    Process("service:complaint_step", complaint, "post", data={"step": "listen", "note": "客户很生气"}, needs=HANDLE,
            ok=302, state=steps),
    Process("service:complaint_close", walked, "post", needs=HANDLE, ok=302, state=status),
    Process("complaint-list", scoped=False),
    Process("complaint-detail", complaint),
    Intake("complaint-list", customer_ref, "post", args=lambda m: [], needs=(RECEIVE_COMPLAINTS,), ok=201,
           data=lambda m: {"customer": m["customer"], **INTAKE}, state=count("service.Complaint")),
    Process("complaint-step", complaint, "post", data={"step": "listen", "note": "客户很生气"}, needs=HANDLE,
            state=steps),
    Process("complaint-close", walked, "post", needs=HANDLE, state=status),
    Escalate("service:complaint_escalate", decided, "post", data={"amount": "2000", "solution": "退款"}, needs=HANDLE,
             ok=302, state=escalations),
    Escalate("service:complaint_decide", escalated, "post", data={"decision": "accept", "comment": "同意"},
             needs=HANDLE, who=the_awaited_level, ok=302, state=escalations),
    Escalate("service:complaint_change", complaint, "post", needs=HANDLE, ok=302, state=changes,
             data=lambda m: {"kind": "place", "note": "请到办事处面谈", "due_at": later()}),
    Escalate("service:complaint_change_kept", with_change, "post", needs=HANDLE, ok=302, state=changes,
             data=lambda m: {"change": m["change"]}),
    Escalate("complaint-escalate", decided, "post", data={"amount": "2000", "solution": "退款"}, needs=HANDLE,
             state=escalations),
    Escalate("complaint-decide", escalated, "post", data={"accept": True}, needs=HANDLE, who=the_awaited_level,
             state=escalations),
    Escalate("complaint-changes", complaint, "post", needs=HANDLE, state=changes,
             data=lambda m: {"kind": "time", "note": "周五前答复", "due_at": later()}),
    Escalate("complaint-change-kept", with_change, "post", needs=HANDLE, state=changes,
             data=lambda m: {"change": m["change"]}),
    Serve("service:service_order_list", scoped=False),
    Serve("service:service_order_create", card, needs=(SERVE,)),
    Serve("service:service_order_create", card, "post", needs=(SERVE,), ok=302, state=count("service.ServiceOrder"),
          data=lambda m: {"kind": "installation", "description": "安装货架", "due_on": "2030-01-10", "assignee": ""}),
    Serve("service:service_order_detail", service_order),
    Serve("service:service_order_done", service_order, "post", needs=(SERVE,), ok=302, state=service_state,
          data={"outcome": "已检修", "rating": "5", "parts": "螺丝", "cost": "50"}),
]


# --- after closing (CMP-6): the satisfaction link and its answer, repeat complainers, the analysis ---------

After = partial(Route, rule="CMP-6")


def closed(ctx, side):
    """A complaint walked through every step and closed: its customer may be asked (CMP-6)."""
    from kehu.service import services
    from kehu.service.models import Complaint

    made = walked(ctx, side)
    services.complaint_close(by=ctx.users[side.who if side else "owner"], complaint=Complaint.objects.get(pk=made["pk"]))
    return made


def surveyed(ctx, side):
    """A closed complaint and the token of its satisfaction link."""
    from kehu.service.models import Complaint
    from kehu.service.satisfaction import survey_token

    made = closed(ctx, side)
    return {**made, "token": survey_token(Complaint.objects.get(pk=made["pk"]))}


def answers(made):
    from kehu.service.models import Satisfaction

    return sorted(Satisfaction.objects.filter(complaint=made["pk"]).values_list("rating", "source"))


ROUTES += [
    *(After(f"service:{name}", scoped=False) for name in ("complaint_analysis", "complaint_analysis_export",
                                                         "repeat_complainers", "repeat_complainers_export")),
    After("complaint-analysis", scoped=False, query=lambda m: {"by": "cause"}),
    After("service:satisfaction_answer", surveyed, scoped=False, public=True, args=lambda m: [m["token"]],
          note="public"),
    After("service:complaint_satisfaction", closed, "post", data={"rating": "4", "comment": "处理及时"}, needs=HANDLE,
          ok=302, state=answers),
    After("complaint-satisfaction", closed, "post", data={"rating": 4, "comment": "处理及时"}, needs=HANDLE,
          state=answers),
]
# SVC-2, SVC-3 and the service orders' API and export: kehu/service/tests/aftersale_routes.py.
from kehu.service.tests.aftersale_routes import ROUTES as AFTERSALE  # noqa: E402

ROUTES += AFTERSALE
