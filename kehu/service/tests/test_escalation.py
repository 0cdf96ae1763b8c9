"""Authority and escalation (CMP-2, CMP-3): a solution costing more than the proposer's authority
is refused and escalated to the first level above (CRD-2's chain) whose authority covers it; until
someone of that level accepts, the handler stays responsible and sees it; accepting takes the
complaint over with the solution recorded; the three changes 三变法 are actions with due times."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.core.errors import PermissionDeniedError, ValidationFailed
from kehu.reminders.models import Reminder
from kehu.service import services
from kehu.service.models import Change, Complaint, ComplaintStep, Escalation
from kehu.service.services import OverAuthority
from kehu.service.tests.builders import authorities, new_complaint, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def limits(db):
    authorities(salesperson="500", service="1000", director="5000", sales_manager="20000", marketing_vp="100000")


@pytest.fixture
def decided(users, customer, limits):
    """A complaint of the owner's customer whose responsibility is decided: a solution is next."""
    return walk(new_complaint(customer=customer, by=users["owner"], amount_claimed="3000"), by=users["owner"],
                through="decide")


def state():
    return (sorted(Complaint.objects.values_list("id", "handler", "step", "solution_amount")),
            ComplaintStep.objects.count(), sorted(Escalation.objects.values_list("id", "status", "decided_by")))


@rule("CMP-2")
def test_cmp2_a_solution_within_authority_is_recorded_with_its_cost(users, decided):
    services.step_record(by=users["owner"], complaint=decided, step="propose", note="换货 3 袋", amount="300")
    decided.refresh_from_db()
    assert (decided.step, decided.solution_amount, decided.handler) == ("propose", Decimal("300.00"), users["owner"])


@rule("CMP-2")
def test_cmp2_a_solution_beyond_the_handlers_authority_is_refused_naming_the_level_to_escalate_to(users, decided):
    before = state()
    with pytest.raises(OverAuthority) as refused:
        services.step_record(by=users["owner"], complaint=decided, step="propose", note="退款", amount="2000")
    assert refused.value.message == ("The solution (¥2,000.00) is beyond your authority (¥500.00): escalate it to "
                                     "the Office director, who accepts it and takes the complaint over.")
    assert state() == before
    with pytest.raises(ValidationFailed, match="within your authority"):
        services.complaint_escalate(by=users["owner"], complaint=decided, amount="200", solution="小额赔偿")


@rule("CMP-3")
def test_cmp3_the_solution_goes_to_the_first_level_above_whose_authority_covers_it(users, decided):
    escalation = services.complaint_escalate(by=users["owner"], complaint=decided, amount="12000", solution="全额退款")
    assert escalation.level == "sales_manager"  # the director may give ¥5,000 only
    assert Reminder.objects.filter(recipient=users["manager"], kind="complaint_escalated").count() == 1
    assert not Reminder.objects.filter(recipient=users["director"]).exists()


@rule("CMP-3")
def test_cmp3_until_the_next_level_accepts_the_handler_stays_responsible_and_sees_it(users, decided, en):
    services.complaint_escalate(by=users["owner"], complaint=decided, amount="2000", solution="退款 2000 元")
    decided.refresh_from_db()
    assert decided.handler == users["owner"]
    reminder = Reminder.objects.get(recipient=users["director"])
    # In the recipient's language (Chinese unless they chose otherwise).
    assert "已升级给您：¥2,000.00" in reminder.title and reminder.url == decided.get_absolute_url()
    page = en(users["owner"]).get(decided.get_absolute_url()).content.decode()
    assert 'id="pending-escalation"' in page and "张伟 stays responsible" in page and 'id="decide-form"' not in page
    assert decided.pk in [c.pk for c in en(users["owner"]).get(reverse("service:complaint_list"),
                                                                 {"handler": users["owner"].pk}).context["page"]]
    before = state()
    with pytest.raises(ValidationFailed, match="waits for acceptance by the Office director"):
        services.step_record(by=users["owner"], complaint=decided, step="propose", note="先退一点", amount="100")
    with pytest.raises(PermissionDeniedError, match="You escalated this solution"):
        services.escalation_decide(by=users["owner"], complaint=decided, accept=True)
    with pytest.raises(PermissionDeniedError, match="waits for the Office director"):
        services.escalation_decide(by=users["manager"], complaint=decided, accept=True)
    with pytest.raises(ValidationFailed, match="Record “Propose a solution 提出方案” first"):
        services.step_record(by=users["owner"], complaint=decided, step="execute", note="执行")
    assert state() == before


@rule("CMP-3")
def test_cmp3_the_next_level_accepts_takes_the_complaint_over_and_it_is_resolved(users, decided, en):
    services.complaint_escalate(by=users["owner"], complaint=decided, amount="2000", solution="退款 2000 元")
    client = en(users["director"])
    assert 'id="decide-form"' in client.get(decided.get_absolute_url()).content.decode()
    client.post(reverse("service:complaint_decide", args=[decided.pk]), {"decision": "accept", "comment": "同意"})
    decided.refresh_from_db()
    assert (decided.handler, decided.step, decided.solution_amount) == (users["director"], "propose",
                                                                         Decimal("2000.00"))
    assert decided.steps.get(step="propose").by == users["director"]
    assert Reminder.objects.filter(recipient=users["owner"], kind="complaint_escalation_decided").exists()
    walk(decided, by=users["director"])
    assert services.complaint_close(by=users["director"], complaint=decided).status == "closed"


@rule("CMP-3")
def test_cmp3_a_declined_solution_leaves_the_handler_to_find_another(users, decided):
    services.complaint_escalate(by=users["owner"], complaint=decided, amount="2000", solution="退款 2000 元")
    with pytest.raises(ValidationFailed, match="Say why"):
        services.escalation_decide(by=users["director"], complaint=decided, accept=False)
    services.escalation_decide(by=users["director"], complaint=decided, accept=False, comment="先换货")
    decided.refresh_from_db()
    assert (decided.handler, decided.step) == (users["owner"], "decide")
    services.step_record(by=users["owner"], complaint=decided, step="propose", note="换货", amount="400")


@rule("CMP-3")
def test_cmp3_the_three_changes_are_actions_with_due_times(users, decided):
    soon = timezone.now() + timedelta(hours=4)
    with pytest.raises(ValidationFailed, match="after now"):
        services.change_plan(by=users["owner"], complaint=decided, kind="time", note="明天答复",
                             due_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="Name who meets the customer"):
        services.change_plan(by=users["owner"], complaint=decided, kind="person", note="主任上门", due_at=soon)
    assert not Change.objects.exists()
    person = services.change_plan(by=users["owner"], complaint=decided, kind="person", note="主任上门致歉",
                                  due_at=soon, who=users["director"])
    assert Reminder.objects.filter(recipient=users["director"], kind="complaint_change").count() == 1
    services.change_plan(by=users["owner"], complaint=decided, kind="place", note="请到办事处会议室面谈", due_at=soon)
    kept = services.change_keep(by=users["owner"], complaint=decided, change_pk=person.pk)
    assert kept.kept_at is not None
    with pytest.raises(ValidationFailed, match="already marked as kept"):
        services.change_keep(by=users["owner"], complaint=decided, change_pk=person.pk)


@rule("CMP-3")
def test_cmp3_the_api_refuses_an_over_limit_proposal_409_and_escalates_and_accepts(users, client_for, decided):
    from django.test import Client

    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(users["owner"])
    url = f"/api/v1/complaints/{decided.pk}/"
    refused = owner.post(url + "step/", {"step": "propose", "note": "退款", "amount": "2000"},
                         content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (409, "over_authority")
    sent = owner.post(url + "escalate/", {"amount": "2000", "solution": "退款"}, content_type="application/json")
    assert sent.status_code == 200 and sent.json()["escalations"][0]["level"] == "director"
    director = Client(HTTP_ACCEPT_LANGUAGE="en")
    director.force_login(users["director"])
    accepted = director.post(url + "decide/", {"accept": True}, content_type="application/json")
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["handler"], accepted.json()["next_step"]) == (users["director"].pk, "agree")
