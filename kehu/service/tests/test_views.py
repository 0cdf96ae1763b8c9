"""The complaint pages (CMP-1, CMP-2): the list on the list kit with its filters and export,
intake from the customer's page, and the handling page that walks the steps in order."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import rule
from kehu.service.models import Complaint, ComplaintStep
from kehu.service.tests.builders import new_complaint, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

LIST = reverse("service:complaint_list")


def listed(response) -> list[int]:
    return [c.pk for c in response.context["page"].object_list]


@rule("CMP-1")
def test_cmp1_intake_from_the_customer_page_records_the_complaint_and_opens_its_handling(users, en, customer):
    client = en(users["owner"])
    page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert reverse("service:complaint_create", args=[customer.pk]) in page.content.decode()
    response = client.post(reverse("service:complaint_create", args=[customer.pk]), {
        "kind": "quality", "severity": "high", "channel": "phone", "nature": "unclear",
        "words": "洗衣粉结块", "amount_claimed": "¥300"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("service:complaint_detail",
                                                                          args=[complaint.pk])
    assert (complaint.words, str(complaint.amount_claimed), complaint.handler) == ("洗衣粉结块", "300.00", users["owner"])


@rule("CMP-1")
def test_cmp1_bad_intake_shows_the_form_again_with_the_message_and_records_nothing(users, en, customer):
    response = en(users["owner"]).post(reverse("service:complaint_create", args=[customer.pk]), {
        "kind": "quality", "severity": "high", "channel": "phone", "nature": "unclear", "words": "结块",
        "amount_claimed": "-300"})
    assert response.status_code == 400
    assert "The amount claimed cannot be negative." in response.content.decode()
    assert not Complaint.objects.exists()


@rule("CMP-2")
def test_cmp2_the_handling_page_walks_the_steps_in_order_and_offers_only_the_next(users, en, customer):
    complaint = new_complaint(customer=customer, by=users["owner"])
    walk(complaint, by=users["owner"], through="apologise")
    client = en(users["service"])
    url = reverse("service:complaint_detail", args=[complaint.pk])
    body = client.get(url).content.decode()
    assert body.count('id="step-form"') == 1 and 'name="step" value="investigate"' in body
    assert "张伟" in body  # who recorded the steps
    assert 'id="close-complaint"' not in body
    response = client.post(reverse("service:complaint_step", args=[complaint.pk]),
                           {"step": "decide", "note": "我方责任"}, follow=True)
    assert "Record “Investigate the cause 调查原因” first" in response.content.decode()
    assert ComplaintStep.objects.filter(complaint=complaint).count() == 2
    client.post(reverse("service:complaint_step", args=[complaint.pk]), {"step": "investigate", "note": "仓库受潮"})
    assert complaint.steps.filter(step="investigate", by=users["service"]).exists()


@rule("CMP-2")
def test_cmp2_closing_on_the_page_is_refused_while_a_step_is_missing(users, en, customer):
    complaint = new_complaint(customer=customer, by=users["owner"])
    walk(complaint, by=users["owner"], through="inform")
    client = en(users["owner"])
    response = client.post(reverse("service:complaint_close", args=[complaint.pk]), follow=True)
    assert "the step “Review 回顾总结” is missing" in response.content.decode()
    assert Complaint.objects.get().status == "handling"
    walk(complaint, by=users["owner"])
    assert 'id="close-complaint"' in client.get(reverse("service:complaint_detail", args=[complaint.pk])).content.decode()
    client.post(reverse("service:complaint_close", args=[complaint.pk]))
    assert Complaint.objects.get().status == "closed"


@rule("CMP-1")
def test_cmp1_the_list_filters_by_status_type_severity_handler_and_overdue(users, en, customer, outsider_customer):
    quality = new_complaint(customer=customer, by=users["owner"], kind="quality", severity="low")
    late = new_complaint(customer=customer, by=users["service"], kind="delivery", severity="high",
                         received_at=timezone.now() - timedelta(days=30))
    closed = walk(new_complaint(customer=customer, by=users["owner"], kind="price"), by=users["owner"])
    Complaint.objects.filter(pk=closed.pk).update(status="closed")
    theirs = new_complaint(customer=outsider_customer, by=users["outsider"])
    own = en(users["owner"])
    assert set(listed(own.get(LIST))) == {quality.pk, late.pk}  # not closed by default; own customers only
    assert set(listed(own.get(LIST, {"status": ""}))) == {quality.pk, late.pk, closed.pk}
    assert listed(own.get(LIST, {"kind": "delivery"})) == [late.pk]
    assert listed(own.get(LIST, {"severity": "low"})) == [quality.pk]
    assert listed(own.get(LIST, {"handler": users["service"].pk})) == [late.pk]
    assert listed(own.get(LIST, {"overdue": "yes"})) == [late.pk]
    assert listed(own.get(LIST, {"sort": "-received_at"})) == [quality.pk, late.pk]
    warned = own.get(LIST, {"severity": "apocalyptic"})
    assert warned.status_code == 200 and set(listed(warned)) == {quality.pk, late.pk}
    assert theirs.pk in listed(en(users["service"]).get(LIST))  # the same client, now logged in as service


@rule("CMP-1")
def test_cmp1_the_list_is_empty_with_a_hint_and_within_its_query_budget(users, en, customer, page_within):
    assert "No complaints to handle." in en(users["owner"]).get(LIST).content.decode()
    for _ in range(5):
        new_complaint(customer=customer, by=users["owner"])
    response = page_within(en(users["director"]), LIST, {"kind": "quality"}, queries=12)
    assert len(listed(response)) == 5


@rule("CMP-1")
def test_cmp1_the_export_is_the_filtered_list_in_excel(users, en, customer):
    new_complaint(customer=customer, by=users["owner"], kind="quality")
    new_complaint(customer=customer, by=users["owner"], kind="delivery", words="晚了")
    response = en(users["owner"]).get(reverse("service:complaint_export"), {"kind": "delivery"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.values)
    assert len(rows) == 2 and "晚了" in rows[1]


@rule("CMP-2")
def test_cmp2_the_customer_page_and_timeline_and_the_order_page_show_the_complaints(users, en, customer, product):
    from kehu.sales.tests.builders import confirmed_order

    order = confirmed_order(customer=customer, product=product, quantity="2")
    complaint = walk(new_complaint(customer=customer, by=users["owner"], order=order), by=users["owner"],
                     through="apologise")
    client = en(users["owner"])
    panel = client.get(reverse("panel", args=["customer", "complaints", customer.pk]))
    assert f"#{complaint.pk}" in panel.content.decode()
    history = client.get(reverse("panel", args=["customer", "timeline", customer.pk])).content.decode()
    assert f"Complaint #{complaint.pk}: Apologise 致歉" in history
    order_page = client.get(reverse("sales:order_detail", args=[order.pk])).content.decode()
    assert reverse("service:complaint_detail", args=[complaint.pk]) in order_page
