"""The home page's service card and report entry (INS-1 with CMP-4, SVC-1): what needs the
user's attention in their scope — complaints not closed, those that missed a deadline, and the
service orders waiting for them — each linking to the list that shows exactly those."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import rule
from kehu.service import services
from kehu.service.tests.builders import new_complaint, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def figure(html: str, element_id: str) -> str | None:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    return found and found.group(1)


def listed(client, query: str) -> set[int]:
    return {c.pk for c in client.get(reverse("service:complaint_list") + query).context["page"].object_list}


@rule("CMP-4")
def test_cmp4_home_counts_the_complaints_not_closed_and_those_past_a_deadline_as_the_list_does(users, en, customer):
    late = new_complaint(customer=customer, by=users["owner"], severity="high")
    in_time = new_complaint(customer=customer, by=users["owner"])
    closed = walk(new_complaint(customer=customer, by=users["owner"]), by=users["owner"])
    services.complaint_close(by=users["owner"], complaint=closed)
    services.flag_breaches(now=late.respond_by + timedelta(minutes=1))  # only the high one's first answer is late
    assert late.breaches.exists() and not in_time.breaches.exists()

    client = en(users["owner"])
    home = client.get(reverse("home")).content.decode()
    assert (figure(home, "complaints-open"), figure(home, "complaints-late")) == ("2", "1")
    assert listed(client, "?status=active") == {late.pk, in_time.pk}
    assert listed(client, "?status=active&breached=yes") == {late.pk}
    assert "?status=active&amp;breached=yes" in home
    assert "Complaint analysis" in home and reverse("service:complaint_analysis") in home


@rule("CMP-4")
def test_cmp4_a_complaint_outside_the_scope_is_not_counted_on_home(users, en, customer):
    new_complaint(customer=customer, by=users["owner"])
    home = en(users["outsider"]).get(reverse("home")).content.decode()
    assert (figure(home, "complaints-open"), figure(home, "complaints-late")) == ("0", "0")


@rule("SVC-1")
def test_svc1_home_shows_the_service_orders_waiting_for_the_assignee_only(users, en, customer):
    services.service_order_create(by=users["service"], customer=customer, kind="installation",
                                  description="安装货架", assignee=users["service"],
                                  due_on=timezone.localdate() + timedelta(days=2))
    assert figure(en(users["service"]).get(reverse("home")).content.decode(), "service-waiting") == "1"
    assert figure(en(users["owner"]).get(reverse("home")).content.decode(), "service-waiting") is None
