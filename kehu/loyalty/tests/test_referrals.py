"""Referrals 转介绍 (REF-1, REF-2): who referred whom, the prospect contacted fast or flagged
exactly once to its salesperson and their manager, and the referrer told and thanked (a touch)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.customers.models import Customer
from kehu.customers.tests.builders import new_key_person
from kehu.loyalty import registrations, services, tasks
from kehu.loyalty.models import Referral
from kehu.loyalty.tests.builders import referral
from kehu.relations.models import Touch
from kehu.relations.tests.builders import touch
from kehu.reminders.models import Reminder

pytestmark = pytest.mark.usefixtures("in_english")
LATER = timedelta(hours=25)  # past the default 24 hours


def told(kind: str) -> list[str]:
    return sorted(Reminder.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@rule("REF-1")
def test_ref1_a_referral_records_who_referred_whom_and_creates_the_prospect(users, customer):
    boss = new_key_person(by=users["owner"], customer=customer, role="in_charge", name="王老板")
    made = referral(by=users["owner"], referrer=customer, referrer_person=boss)
    prospect = made.referred
    assert (made.referrer, made.referrer_person, prospect.owner, prospect.status) == (
        customer, boss, users["owner"], "prospect")
    pooled = referral(by=users["owner"], referrer=customer, name="放入公海的新客户", to_pool=True)
    pooled.referred.refresh_from_db()
    assert (pooled.referred.owner, pooled.referred.in_pool) == (None, True)
    with pytest.raises(ValidationFailed, match="current key people"):
        referral(by=users["owner"], referrer=customer, name="另一家", referrer_person=999999)
    assert Customer.objects.filter(name="另一家").count() == 0


@rule("REF-1")
def test_ref1_a_referral_not_contacted_in_time_is_flagged_exactly_once_to_owner_and_manager(users, customer):
    late = referral(by=users["owner"], referrer=customer)
    contacted = referral(by=users["owner"], referrer=customer, name="已联系的新客户")
    touch(by=users["owner"], customer=contacted.referred, kind="phone")
    assert services.flag_late_referrals() == {"flagged": 0}  # not late yet
    assert services.flag_late_referrals(now=timezone.now() + LATER) == {"flagged": 1}
    assert services.flag_late_referrals(now=timezone.now() + LATER) == {"flagged": 0}
    assert services.flag_late_referrals(now=timezone.now() + LATER * 3) == {"flagged": 0}
    assert told("referral_late") == ["director", "owner"]
    late.refresh_from_db()
    assert late.flagged_at is not None
    items = registrations.referrals_due(users["owner"], timezone.localdate())
    # The late one to contact, flagged; the one contacted today done on today's plan (REL-4).
    assert sorted((i.kind, i.customer_id, i.overdue, i.done) for i in items) == [
        ("referral_contact", late.referred_id, True, False), ("referral_contact", contacted.referred_id, False, True)]
    tomorrow = registrations.referrals_due(users["owner"], timezone.localdate() + timedelta(days=1))
    assert [(i.customer_id, i.done) for i in tomorrow] == [(late.referred_id, False)]


@rule("REF-1")
@pytest.mark.django_db(transaction=True)
def test_ref1_the_worker_flags_a_late_referral_exactly_once(users, customer, consumer):
    made = referral(by=users["owner"], referrer=customer)
    Referral.objects.filter(pk=made.pk).update(created_at=timezone.now() - LATER)
    assert tasks.late_referrals().get(blocking=True, timeout=60) == {"flagged": 1}
    assert tasks.late_referrals().get(blocking=True, timeout=60) == {"flagged": 0}
    assert told("referral_late") == ["director", "owner"]


@rule("REF-2")
def test_ref2_once_the_outcome_is_known_the_referrer_is_thanked_with_a_touch(users, customer):
    made = referral(by=users["owner"], referrer=customer)
    with pytest.raises(ValidationFailed, match="Record the outcome first"):
        services.referral_thank(by=users["owner"], referral=made)
    services.referral_outcome(by=users["owner"], referral=made, outcome="won")
    assert told("referral_thanks") == ["owner"]
    items = registrations.referrals_due(users["owner"], timezone.localdate())
    assert [(i.kind, i.customer_id) for i in items] == [("referral_thanks", customer.pk)]
    with pytest.raises(ValidationFailed, match="recorded already"):
        services.referral_outcome(by=users["owner"], referral=made, outcome="lost")
    thanked = services.referral_thank(by=users["owner"], referral=made, kind="visit", notes="送了礼品")
    thank = Touch.objects.get(pk=thanked.thank_touch_id)
    assert (thank.customer, thank.kind, thank.by) == (customer, "visit", users["owner"])
    assert "thanked" in thank.purpose
    # Nothing left to do: today's plan keeps the thank-you, done; tomorrow's no longer has it.
    items = registrations.referrals_due(users["owner"], timezone.localdate())
    assert [(i.kind, i.done) for i in items] == [("referral_thanks", True)]
    assert registrations.referrals_due(users["owner"], timezone.localdate() + timedelta(days=1)) == []
    with pytest.raises(ValidationFailed, match="thanked already"):
        services.referral_thank(by=users["owner"], referral=made)


@rule("REF-2")
def test_ref2_the_referral_pages_record_flag_and_thank(users, customer, en, page_within):
    assert "No referrals yet" in en(users["teammate"]).get("/loyalty/referrals/").content.decode()
    client = en(users["owner"])
    form = client.get(f"/loyalty/customers/{customer.pk}/refer/")
    assert form.status_code == 200 and customer.name in form.content.decode()
    bad = client.post(f"/loyalty/customers/{customer.pk}/refer/", {"name": "", "category": "agent"})
    assert bad.status_code == 200 and not Referral.objects.exists()
    done = client.post(f"/loyalty/customers/{customer.pk}/refer/", {"name": "新介绍的超市", "category": "agent"})
    assert done.status_code == 302
    made = Referral.objects.get()
    for n in range(4):
        referral(by=users["owner"], referrer=customer, name=f"介绍客户{n}号")
    page = page_within(client, "/loyalty/referrals/", {"sort": "referred"}, queries=10).content.decode()
    assert "新介绍的超市" in page and f'id="outcome-{made.pk}-won"' in page
    client.post(f"/loyalty/referrals/{made.pk}/outcome/", {"outcome": "won"})
    page = client.get("/loyalty/referrals/", {"thanked": "false", "outcome": "won"}).content.decode()
    assert f'id="thank-{made.pk}"' in page
    client.post(f"/loyalty/referrals/{made.pk}/thank/", {"kind": "phone"})
    made.refresh_from_db()
    assert made.thank_touch is not None
    export = client.get("/loyalty/referrals/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    detail = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="customer-new-referral"' in detail


@rule("REF-1")
def test_ref1_the_referral_endpoints_record_and_answer(users, customer, outsider_customer, client_for):
    api = client_for(users["owner"])
    made = api.post("/api/v1/referrals/", {"referrer": customer.pk, "name": "接口介绍的店", "category": "agent"},
                    content_type="application/json")
    assert made.status_code == 201 and made.json()["contacted"] is False
    pooled = api.post("/api/v1/referrals/", {"referrer": customer.pk, "name": "接口公海店", "category": "agent",
                                             "to_pool": True}, content_type="application/json")
    assert pooled.status_code == 201
    outside = api.post("/api/v1/referrals/", {"referrer": outsider_customer.pk, "name": "x", "category": "agent"},
                       content_type="application/json")
    assert outside.status_code == 404
    pk = made.json()["id"]
    assert api.post(f"/api/v1/referrals/{pk}/outcome/", {"outcome": "maybe"},
                    content_type="application/json").status_code == 400
    assert api.post(f"/api/v1/referrals/{pk}/outcome/", {"outcome": "lost"},
                    content_type="application/json").json()["outcome"] == "lost"
    thanked = api.post(f"/api/v1/referrals/{pk}/thank/", {}, content_type="application/json")
    assert thanked.status_code == 200 and thanked.json()["thanked_on"] == timezone.localdate().isoformat()
