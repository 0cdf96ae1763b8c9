"""Reply scripts 投诉处理用语 (CMP-5): complaint patterns with the customer's psychology, the points
of attention, what to say and what never to say — the seeds' three worked examples as data —
shown on the handling page of a complaint of their type whose words hold one of their keywords."""

import pytest
from django.urls import reverse

from conftest import rule
from kehu.service import selectors
from kehu.service.models import ReplyScript
from kehu.service.tests.builders import new_complaint, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def titles(complaint) -> list[str]:
    return [s.title for s in selectors.scripts_for(complaint)]


@rule("CMP-5")
def test_cmp5_the_seeds_three_worked_examples_are_there_in_chinese():
    seeded = list(ReplyScript.objects.order_by("order"))
    assert [s.title[:3] for s in seeded] == ["投诉一", "投诉二", "投诉三"]
    assert all(s.psychology and s.attention and s.say and s.never_say for s in seeded)
    assert "换车是不可能的" in seeded[1].say and "预约制度" in seeded[2].say


@rule("CMP-5")
def test_cmp5_the_handling_page_shows_the_scripts_matching_type_and_words(users, en, customer):
    broken = new_complaint(customer=customer, by=users["owner"], kind="quality", words="刚买不久的货架就坏了，太差劲！")
    waited = new_complaint(customer=customer, by=users["owner"], kind="service", words="维修让我等了整整一上午")
    unrelated = new_complaint(customer=customer, by=users["owner"], kind="price", words="价格比别家贵")
    assert [t[:3] for t in titles(broken)] == ["投诉二"]
    assert [t[:3] for t in titles(waited)] == ["投诉三"]
    assert titles(unrelated) == []
    body = en(users["service"]).get(broken.get_absolute_url()).content.decode()
    assert 'id="reply-scripts"' in body and "换车是不可能的" in body and "what never to say" in body
    assert 'id="reply-scripts"' not in en(users["service"]).get(unrelated.get_absolute_url()).content.decode()


@rule("CMP-5")
def test_cmp5_a_script_of_another_type_or_inactive_is_not_shown(users, customer):
    ReplyScript.objects.create(title="价格投诉", kind="price", keywords="贵", say="我们的价格包含送货和售后服务。")
    ReplyScript.objects.create(title="停用的", kind="price", keywords="贵", say="……", active=False)
    ReplyScript.objects.create(title="所有价格投诉", kind="price", say="先感谢客户的提醒。")
    dear = new_complaint(customer=customer, by=users["owner"], kind="price", words="比别家贵两成")
    cheap = new_complaint(customer=customer, by=users["owner"], kind="price", words="发票开错了")
    elsewhere = new_complaint(customer=customer, by=users["owner"], kind="billing", words="也太贵了")
    assert sorted(titles(dear)) == ["价格投诉", "所有价格投诉"]
    assert titles(cheap) == ["所有价格投诉"]
    assert titles(elsewhere) == []


@rule("CMP-5")
def test_cmp5_once_closed_the_handling_page_no_longer_shows_scripts(users, en, customer):
    from kehu.service import services

    complaint = new_complaint(customer=customer, by=users["owner"], kind="quality", words="刚买就坏了")
    walk(complaint, by=users["owner"])
    services.complaint_close(by=users["owner"], complaint=complaint)
    assert 'id="reply-scripts"' not in en(users["owner"]).get(complaint.get_absolute_url()).content.decode()


@rule("CMP-5")
def test_cmp5_scripts_are_edited_in_the_admin(db):
    from django.test import Client

    from kehu.accounts.models import User

    client = Client()  # the administrator, in a browser of their own
    client.force_login(User.objects.create_superuser("root", password="x", role="admin"))
    assert client.get(reverse("admin:service_replyscript_changelist")).status_code == 200
    response = client.post(reverse("admin:service_replyscript_add"), {
        "title": "送货晚了", "kind": "delivery", "keywords": "晚了, 没到", "say": "真是抱歉，我马上查清楚货在哪里。",
        "never_say": "“物流不归我们管。”", "active": "on", "order": "40"})
    assert response.status_code == 302
    assert ReplyScript.objects.get(title="送货晚了").words() == ["晚了", "没到"]
