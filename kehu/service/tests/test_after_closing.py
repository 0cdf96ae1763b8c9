"""After closing (CMP-6): the customer answers about the handling through a signed link that
works without logging in, once, until it expires — or staff record the answer; customers who
complain again and again are listed."""

import time
from datetime import timedelta
from io import BytesIO

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import rule
from kehu.service import services
from kehu.service.models import ComplaintPolicy, Satisfaction
from kehu.service.satisfaction import SALT, survey_path, survey_token
from kehu.service.tests.builders import new_complaint, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def closed_complaint(customer, by):
    complaint = walk(new_complaint(customer=customer, by=by), by=by)
    return services.complaint_close(by=by, complaint=complaint)


def anonymous() -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@rule("CMP-6")
def test_cmp6_the_customer_answers_through_the_link_without_logging_in_and_only_once(users, customer):
    complaint = closed_complaint(customer, users["owner"])
    client, url = anonymous(), survey_path(complaint)
    page = client.get(url)
    assert page.status_code == 200 and 'id="satisfaction-form"' in page.content.decode()
    response = client.post(url, {"rating": "4", "comment": "处理很及时，谢谢"})
    assert response.status_code == 302
    answer = Satisfaction.objects.get(complaint=complaint)
    assert (answer.rating, answer.comment, answer.source, answer.recorded_by) == (4, "处理很及时，谢谢", "link", None)
    assert 'id="satisfaction-thanks"' in client.get(url).content.decode()
    again = client.post(url, {"rating": "1", "comment": "改主意了"})
    assert again.status_code == 409
    assert "You have already answered about this complaint" in again.content.decode()
    assert list(Satisfaction.objects.values_list("rating", "comment")) == [(4, "处理很及时，谢谢")]


@rule("CMP-6")
def test_cmp6_a_tampered_or_made_up_link_gets_a_clear_page_and_records_nothing(users, customer):
    complaint = closed_complaint(customer, users["owner"])
    token = survey_token(complaint)
    client = anonymous()
    for bad in (token[:-3] + "abc", "nonsense", "a" * 300, signing.dumps({"c": complaint.pk}, salt="other")):
        url = reverse("service:satisfaction_answer", args=[bad])
        for response in (client.get(url), client.post(url, {"rating": "5"})):
            assert response.status_code == 404
            assert "This link is not valid." in response.content.decode()
    assert not Satisfaction.objects.exists()


@rule("CMP-6")
def test_cmp6_an_expired_link_is_refused_with_a_clear_page(users, customer):
    complaint = closed_complaint(customer, users["owner"])
    policy = ComplaintPolicy.current()
    policy.survey_days = 2
    policy.save()

    class ThreeDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 3 * 24 * 3600)

    old = ThreeDaysAgo(salt=SALT).sign_object({"c": complaint.pk}, compress=True)
    response = anonymous().post(reverse("service:satisfaction_answer", args=[old]), {"rating": "5"})
    assert response.status_code == 410 and "This link has expired." in response.content.decode()
    assert not Satisfaction.objects.exists()
    assert anonymous().get(survey_path(complaint)).status_code == 200  # a fresh one still works


@rule("CMP-6")
def test_cmp6_the_link_of_a_complaint_not_closed_is_not_valid(users, customer):
    complaint = walk(new_complaint(customer=customer, by=users["owner"]), by=users["owner"])
    response = anonymous().post(survey_path(complaint), {"rating": "5"})
    assert response.status_code == 404 and not Satisfaction.objects.exists()


@rule("CMP-6")
def test_cmp6_a_bad_rating_or_an_overlong_comment_is_sent_back_and_nothing_recorded(users, customer):
    complaint = closed_complaint(customer, users["owner"])
    client, url = anonymous(), survey_path(complaint)
    for data in ({"rating": "9"}, {"rating": ""}, {"rating": "x"}, {"rating": "3", "comment": "长" * 2001}):
        response = client.post(url, data)
        assert response.status_code == 400 and 'id="satisfaction-invalid"' in response.content.decode()
    assert not Satisfaction.objects.exists()


@rule("CMP-6")
def test_cmp6_staff_record_the_answer_on_the_handling_page_once(users, en, customer):
    complaint = closed_complaint(customer, users["owner"])
    client = en(users["service"])
    url = complaint.get_absolute_url()
    body = client.get(url).content.decode()
    assert 'id="survey-link"' in body and survey_path(complaint).split(":")[0] in body  # the payload; the time varies
    response = client.post(reverse("service:complaint_satisfaction", args=[complaint.pk]),
                           {"rating": "2", "comment": "电话回访：等太久"}, follow=True)
    assert "Satisfaction recorded." in response.content.decode()
    answer = Satisfaction.objects.get()
    assert (answer.rating, answer.source, answer.recorded_by) == (2, "staff", users["service"])
    assert 'id="satisfaction-rating"' in response.content.decode() and 'id="survey-link"' not in response.content.decode()
    again = client.post(reverse("service:complaint_satisfaction", args=[complaint.pk]), {"rating": "5"}, follow=True)
    assert "has already been answered" in again.content.decode()
    assert anonymous().post(survey_path(complaint), {"rating": "5"}).status_code == 409
    assert list(Satisfaction.objects.values_list("rating", flat=True)) == [2]


@rule("CMP-6")
def test_cmp6_the_api_records_the_answer_once_and_shows_it_on_the_complaint(users, customer, client_for):
    complaint = closed_complaint(customer, users["owner"])
    api = client_for(users["owner"])
    url = reverse("complaint-satisfaction", args=[complaint.pk])
    response = api.post(url, {"rating": 5, "comment": "满意"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["satisfaction"]["rating"] == 5 and response.json()["satisfaction"]["source"] == "staff"
    again = api.post(url, {"rating": 1}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    open_one = new_complaint(customer=customer, by=users["owner"])
    refused = api.post(reverse("complaint-satisfaction", args=[open_one.pk]), {"rating": 3},
                       content_type="application/json")
    assert refused.status_code == 400
    assert list(Satisfaction.objects.values_list("complaint", "rating")) == [(complaint.pk, 5)]


REPEAT = reverse("service:repeat_complainers")


def complaints(customer, by, count, *, days_ago=0):
    for _ in range(count):
        new_complaint(customer=customer, by=by, received_at=timezone.now() - timedelta(days=days_ago))


@rule("CMP-6")
def test_cmp6_repeat_complainers_are_the_customers_with_n_complaints_in_the_period(users, en, customer,
                                                                                    outsider_customer):
    from kehu.customers.tests.builders import new_customer

    seldom = new_customer(by=users["owner"], name="偶尔投诉商店", category="key_retailer", phone="021-5555 0199")
    complaints(customer, users["owner"], 3)
    complaints(seldom, users["owner"], 2)
    complaints(seldom, users["owner"], 2, days_ago=400)  # outside the year: not counted
    complaints(outsider_customer, users["outsider"], 4)
    page = en(users["director"]).get(REPEAT)  # Shanghai's director: not Hangzhou's customers
    rows = [(c.pk, c.recent_complaints) for c in page.context["page"].object_list]
    assert rows == [(customer.pk, 3)]
    everyone = en(users["gm"]).get(REPEAT, {"count": "2"})
    assert [(c.pk, c.recent_complaints) for c in everyone.context["page"].object_list] == [
        (outsider_customer.pk, 4), (customer.pk, 3), (seldom.pk, 2)]
    longer = en(users["gm"]).get(REPEAT, {"count": "4", "days": "500"})
    assert [(c.pk, c.recent_complaints) for c in longer.context["page"].object_list] == [
        (outsider_customer.pk, 4), (seldom.pk, 4)]


@rule("CMP-6")
def test_cmp6_the_threshold_is_set_in_the_policy_and_a_bad_value_is_named_and_ignored(users, en, customer):
    complaints(customer, users["owner"], 2)
    policy = ComplaintPolicy.current()
    policy.repeat_count = 2
    policy.save()
    client = en(users["owner"])
    assert [c.pk for c in client.get(REPEAT).context["page"].object_list] == [customer.pk]
    response = client.get(REPEAT, {"count": "abc", "days": "-3"}, follow=True)
    body = response.content.decode()
    assert "ignored" in body and [c.pk for c in response.context["page"].object_list] == [customer.pk]


@rule("CMP-6")
def test_cmp6_repeat_complainers_export_the_same_rows_to_excel(users, en, customer):
    complaints(customer, users["owner"], 3)
    response = en(users["owner"]).get(reverse("service:repeat_complainers_export"))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("customer code", "customer", "salesperson", "office", "complaints in the period")
    assert rows[1][1] == "上海恒丰商贸有限公司" and rows[1][4] == 3 and len(rows) == 2


@rule("CMP-6")
def test_cmp6_the_repeat_complainers_page_reads_a_bounded_number_of_queries(users, client_for, customer,
                                                                           page_within):
    from kehu.customers.tests.builders import new_customer

    for n in range(6):
        someone = new_customer(by=users["owner"], name=f"客户{n}", category="key_retailer", phone=f"021-5555 02{n:02}")
        complaints(someone, users["owner"], 3)
    response = page_within(client_for(users["gm"]), REPEAT, {"count": "3"}, queries=12)
    assert len(response.context["page"].object_list) == 6


@rule("CMP-6")
def test_cmp6_too_many_answers_from_one_address_are_refused_for_an_hour(users, customer):
    from kehu.service import after_views

    complaint = closed_complaint(customer, users["owner"])
    client = anonymous()
    for n in range(after_views.ANSWERS_PER_HOUR):
        client.post(reverse("service:satisfaction_answer", args=[f"guess{n}"]), {"rating": "5"})
    refused = client.post(survey_path(complaint), {"rating": "5"})
    assert refused.status_code == 429 and "Too many answers" in refused.content.decode()
    assert not Satisfaction.objects.exists()
    elsewhere = anonymous().post(survey_path(complaint), {"rating": "5"}, REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 302 and Satisfaction.objects.get().rating == 5


@rule("CMP-6")
def test_cmp6_the_customers_page_shows_each_complaint_with_the_customers_answer(users, en, customer):
    from kehu.service.satisfaction import record_by_staff

    answered = closed_complaint(customer, users["owner"])
    record_by_staff(by=users["owner"], complaint=answered, rating=3, comment="还行")
    new_complaint(customer=customer, by=users["owner"])
    panel = en(users["owner"]).get(reverse("panel", args=["customer", "complaints", customer.pk])).content.decode()
    cells = [cell.split("</td>")[0] for cell in panel.split('class="complaint-satisfaction">')[1:]]
    assert cells == ["—", "3"]  # newest first: the open one has no answer yet
