"""After-sale follow-up (SVC-3): a call about a week (KEHU_FOLLOW_UP_DAYS) after each delivered
order, its answers recorded (how the product is used, satisfied or not, the congratulation on the
decision); literature and newsletters sent logged per customer."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.service import aftersale_services as services
from kehu.service.models import FollowUp, LiteratureSend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

LIST = reverse("service:follow_up_list")


def today():
    return timezone.localdate()


@pytest.fixture
def delivered(customer, product):
    from kehu.sales.tests.builders import delivered_order

    return delivered_order(customer=customer, product=product, quantity="1", delivered_on=today() - timedelta(days=1))


@rule("SVC-3")
def test_svc3_a_delivered_order_gets_one_follow_up_call_after_the_configured_days(users, customer, product, delivered,
                                                                                 settings):
    from kehu.sales.tests.builders import confirmed_order, delivered_order

    settings.KEHU_FOLLOW_UP_DAYS = 10
    confirmed_order(customer=customer, product=product, quantity="1")  # not delivered: no call
    delivered_order(customer=customer, product=product, quantity="1", delivered_on=today() - timedelta(days=200))
    assert services.follow_ups_plan() == 1
    follow_up = FollowUp.objects.get()
    assert (follow_up.order, follow_up.assignee, follow_up.due_on, follow_up.status) == (
        delivered, users["owner"], today() + timedelta(days=9), "open")
    assert services.follow_ups_plan() == 0 and FollowUp.objects.count() == 1


@rule("SVC-3")
def test_svc3_the_call_is_recorded_with_its_answers_and_shown_to_the_customer_page(users, customer, delivered, en):
    services.follow_ups_plan()
    follow_up = FollowUp.objects.get()
    client = en(users["owner"])
    url = reverse("service:follow_up_detail", args=[follow_up.pk])
    refused = client.post(url, {"usage": "", "satisfied": "yes"})
    assert refused.status_code == 400 and FollowUp.objects.get().status == "open"
    response = client.post(url, {"usage": "门店每天都在用", "satisfied": "no", "congratulated": "on",
                                 "note": "希望包装再结实些"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.usage, follow_up.satisfied, follow_up.congratulated, follow_up.done_by) == (
        "done", "门店每天都在用", False, True, users["owner"])
    with pytest.raises(ValidationFailed, match="already recorded"):
        services.follow_up_record(by=users["owner"], follow_up=follow_up, usage="again", satisfied=True)
    panel = client.get(reverse("panel", args=["customer", "follow-ups", customer.pk])).content.decode()
    assert delivered.number in panel and "not satisfied" in panel
    history = client.get(reverse("panel", args=["customer", "timeline", customer.pk])).content.decode()
    assert f"Follow-up call after order {delivered.number}: 门店每天都在用" in history


@rule("SVC-3")
def test_svc3_the_list_of_calls_with_filters_export_and_an_empty_state(users, customer, delivered, en, page_within):
    assert "No calls to make." in en(users["teammate"]).get(LIST).content.decode()
    services.follow_ups_plan()
    client = en(users["owner"])
    assert [f.order_id for f in client.get(LIST).context["page"]] == [delivered.pk]
    assert [f.order_id for f in en(users["director"]).get(LIST).context["page"]] == []  # not the director's call
    assert [f.order_id for f in page_within(en(users["director"]), LIST, {"mine": ""}, queries=12)
            .context["page"]] == [delivered.pk]
    rows = list(load_workbook(BytesIO(client.get(reverse("service:follow_up_export"), {"mine": ""}).content)).active.values)
    assert len(rows) == 2 and delivered.number in rows[1]


@rule("SVC-3")
def test_svc3_literature_sent_is_logged_per_customer(users, customer, en):
    client = en(users["owner"])
    url = reverse("service:literature_create", args=[customer.pk])
    refused = client.post(url, {"kind": "newsletter", "title": ""})
    assert refused.status_code == 400 and LiteratureSend.objects.count() == 0
    ahead = client.post(url, {"kind": "newsletter", "title": "客户通讯",
                              "sent_on": (today() + timedelta(days=1)).isoformat()})
    assert ahead.status_code == 400 and "ahead of its day" in ahead.content.decode()
    client.post(url, {"kind": "spec", "title": "洗衣粉新规格说明书", "sent_on": ""})
    sent = LiteratureSend.objects.get()
    assert (sent.kind, sent.title, sent.sent_on, sent.by) == ("spec", "洗衣粉新规格说明书", today(), users["owner"])
    panel = client.get(reverse("panel", args=["customer", "follow-ups", customer.pk])).content.decode()
    assert "洗衣粉新规格说明书" in panel and "Specification change" in panel
    assert en(users["finance"]).post(url, {"kind": "spec", "title": "x"}).status_code == 403
