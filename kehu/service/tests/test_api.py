"""REST API of complaints (kehu/service/api.py): intake (CMP-1) and the process (CMP-2), which
cannot be bypassed — a step out of order or a close with a step missing answers 409
step_missing in the one error shape of kehu.core.api, and changes nothing."""

import pytest

from conftest import api_list, rule
from kehu.service.models import Complaint, ComplaintStep
from kehu.service.tests.builders import new_complaint, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english", "english_client")]

URL = "/api/v1/complaints/"


def post(api, url, data=None):
    return api.post(url, data or {}, content_type="application/json")


def state():
    return (sorted(Complaint.objects.values_list("id", "status", "step", "closed_at")),
            ComplaintStep.objects.count())


@rule("CMP-1")
def test_cmp1_a_complaint_is_recorded_through_the_api(users, client_for, customer):
    response = post(client_for(users["service"]), URL, {
        "customer": customer.pk, "kind": "delivery", "channel": "phone", "severity": "critical",
        "words": "说好周一到货，周三还没到", "amount_claimed": "1,000"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["severity"], body["amount_claimed"], body["handler"], body["status"], body["next_step"],
            body["steps"]) == ("delivery", "critical", "1000.00", users["service"].pk, "open", "listen", [])


@rule("CMP-1")
def test_cmp1_bad_intake_answers_400_by_field_and_records_nothing(users, client_for, customer, outsider_customer):
    api = client_for(users["owner"])
    response = post(api, URL, {"customer": customer.pk, "kind": "weather", "channel": "phone", "words": ""})
    assert response.status_code == 400 and set(response.json()["errors"]) == {"kind", "words"}
    assert post(api, URL, {"customer": outsider_customer.pk, "kind": "quality", "channel": "phone",
                           "words": "x"}).status_code == 404
    assert not Complaint.objects.exists()


@rule("CMP-2")
def test_cmp2_steps_out_of_order_are_refused_409_naming_the_first_missing_step(users, client_for, customer):
    complaint = new_complaint(customer=customer, by=users["owner"])
    api = client_for(users["owner"])
    before = state()
    response = post(api, f"{URL}{complaint.pk}/step/", {"step": "apologise"})
    assert response.status_code == 409
    assert response.json() == {"detail": "Record “Listen and record 倾听记录” first: the steps are taken in order.",
                               "code": "step_missing"}
    assert state() == before
    answer = post(api, f"{URL}{complaint.pk}/step/", {"step": "listen", "note": "客户原话已记录"}).json()
    assert (answer["status"], answer["step"], answer["next_step"], answer["steps"][0]["by"]) == (
        "handling", "listen", "apologise", users["owner"].pk)


@rule("CMP-2")
def test_cmp2_closing_with_a_step_missing_answers_409_and_changes_nothing(users, client_for, customer):
    complaint = walk(new_complaint(customer=customer, by=users["owner"]), by=users["owner"], through="execute")
    api = client_for(users["owner"])
    before = state()
    response = post(api, f"{URL}{complaint.pk}/close/")
    assert (response.status_code, response.json()["code"]) == (409, "step_missing")
    assert "the step “Tell the customer 告知客户” is missing" in response.json()["detail"]
    assert state() == before
    walk(complaint, by=users["owner"])
    closed = post(api, f"{URL}{complaint.pk}/close/")
    assert (closed.status_code, closed.json()["status"], closed.json()["next_step"]) == (200, "closed", None)


@rule("CMP-1")
def test_cmp1_the_list_shows_the_scope_and_filters(users, client_for, customer, outsider_customer):
    mine = new_complaint(customer=customer, by=users["owner"], kind="price")
    theirs = new_complaint(customer=outsider_customer, by=users["outsider"])
    assert api_list(client_for(users["owner"]), URL) == [mine.pk]
    assert set(api_list(client_for(users["service"]), URL)) == {mine.pk, theirs.pk}
    assert api_list(client_for(users["service"]), URL, {"kind": "price"}) == [mine.pk]
