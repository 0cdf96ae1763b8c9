"""Service commitments 服务承诺 (SVC-2): promises made while selling, once or every month on a day
(the 31st falls on a shorter month's last day), each due day fulfilled with a note or — once
past — missed by the worker, which tells the owner's manager once; the promise-keeping rate per
salesperson for managers; the commitments on the customer's 360° page and timeline."""

from calendar import monthrange
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.core.registry import Report, registry
from kehu.reminders.models import Reminder
from kehu.service import aftersale_services as services
from kehu.service.aftersale_services import monthly_days
from kehu.service.models import Commitment, Occurrence

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

LIST = reverse("service:commitment_list")
RATE = reverse("service:keeping_rate")


def today():
    return timezone.localdate()


def promise(users, customer, who="owner", **extra):
    values = {"description": "每月10日上门收保费", "starts_on": today()}
    return services.commitment_create(by=users[who], customer=customer, **{**values, **extra})


def backdate(commitment, days):
    """The commitment as if recorded `days` ago: its due days as many days earlier."""
    for o in commitment.occurrences.all():
        Occurrence.objects.filter(pk=o.pk).update(due_on=o.due_on - timedelta(days=days))


@rule("SVC-2")
def test_svc2_a_monthly_promise_on_the_31st_falls_on_the_last_day_of_shorter_months():
    assert monthly_days(date(2027, 1, 31), 31, date(2027, 4, 30)) == [
        date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    assert monthly_days(date(2028, 1, 15), 31, date(2028, 3, 1)) == [date(2028, 1, 31), date(2028, 2, 29)]
    assert monthly_days(date(2027, 1, 11), 10, date(2027, 3, 10)) == [date(2027, 2, 10), date(2027, 3, 10)]


@rule("SVC-2")
def test_svc2_a_monthly_promise_is_recorded_with_each_due_day(users, customer):
    start = today() + timedelta(days=1)
    made = promise(users, customer, repeat="monthly", starts_on=start, day_of_month=31,
                   until=start + timedelta(days=120))
    days = list(made.occurrences.values_list("due_on", flat=True))
    assert days == monthly_days(start, 31, start + timedelta(days=120)) and len(days) >= 3
    assert all(d.day == min(31, monthrange(d.year, d.month)[1]) for d in days)
    assert made.owner == users["owner"] and {o.status for o in made.occurrences.all()} == {"open"}


@rule("SVC-2")
def test_svc2_bad_input_is_refused_with_a_message_and_nothing_recorded(users, customer, en):
    with pytest.raises(ValidationFailed, match="Give the last day of a monthly commitment"):
        promise(users, customer, repeat="monthly")
    with pytest.raises(ValidationFailed, match="cannot be in the past"):
        promise(users, customer, starts_on=today() - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="Say what was promised"):
        promise(users, customer, description="  ")
    with pytest.raises(ValidationFailed, match="at most five years"):
        promise(users, customer, repeat="monthly", until=today() + timedelta(days=365 * 6))
    response = en(users["owner"]).post(reverse("service:commitment_create", args=[customer.pk]), {
        "description": "每月收保费", "repeat": "monthly", "starts_on": today().isoformat(), "until": ""})
    assert response.status_code == 400 and "Give the last day of a monthly commitment." in response.content.decode()
    assert Commitment.objects.count() == 0 and Occurrence.objects.count() == 0


@rule("SVC-2")
def test_svc2_a_promise_is_recorded_from_the_customer_page_and_kept_with_a_note(users, customer, en):
    client = en(users["owner"])
    panel = client.get(reverse("panel", args=["customer", "commitments", customer.pk])).content.decode()
    assert reverse("service:commitment_create", args=[customer.pk]) in panel
    assert "No promises recorded for this customer." in panel
    response = client.post(reverse("service:commitment_create", args=[customer.pk]), {
        "description": "免费加入用户俱乐部", "repeat": "once", "starts_on": today().isoformat()})
    made = Commitment.objects.get()
    assert response.status_code == 302 and response.url == reverse("service:commitment_detail", args=[made.pk])
    occurrence = made.occurrences.get()
    url = reverse("service:commitment_fulfil", args=[made.pk])
    client.post(url, {"occurrence": occurrence.pk, "note": ""})  # refused: say how
    occurrence.refresh_from_db()
    assert occurrence.status == "open"
    client.post(url, {"occurrence": occurrence.pk, "note": "已办好会员卡"})
    occurrence.refresh_from_db()
    assert (occurrence.status, occurrence.fulfilled_on, occurrence.note, occurrence.on_time) == (
        "fulfilled", today(), "已办好会员卡", True)
    with pytest.raises(ValidationFailed, match="already recorded as kept"):
        services.occurrence_fulfil(by=users["owner"], occurrence=occurrence, note="再次")
    panel = client.get(reverse("panel", args=["customer", "commitments", customer.pk])).content.decode()
    assert "免费加入用户俱乐部" in panel and "Fulfilled" in panel
    history = client.get(reverse("panel", args=["customer", "timeline", customer.pk])).content.decode()
    assert "Promise made: 免费加入用户俱乐部" in history and "kept: 已办好会员卡" in history


@rule("SVC-2")
def test_svc2_a_missed_promise_reaches_the_owners_manager_exactly_once(users, customer):
    made = promise(users, customer)
    promise(users, customer, description="下周送样品", starts_on=today() + timedelta(days=7))
    assert services.mark_missed(today=today() + timedelta(days=1)) == 1
    assert made.occurrences.get().status == "missed"
    told = list(Reminder.objects.filter(kind="commitment_missed").values_list("recipient__username", "title"))
    assert len(told) == 1 and told[0][0] == "director" and "张" in told[0][1]
    assert services.mark_missed(today=today() + timedelta(days=1)) == 0
    assert Reminder.objects.filter(kind="commitment_missed").count() == 1


@rule("SVC-2")
def test_svc2_the_list_shows_what_is_not_kept_yet_with_filters_export_and_an_empty_state(users, customer,
                                                                                       outsider_customer, en):
    assert "No promises to keep." in en(users["teammate"]).get(LIST).content.decode()
    due = promise(users, customer)
    kept = promise(users, customer, description="送货上门")
    services.occurrence_fulfil(by=users["owner"], occurrence=kept.occurrences.get(), note="已送")
    promise(users, outsider_customer, who="outsider", description="杭州的承诺")
    client = en(users["owner"])
    listed = [o.commitment_id for o in client.get(LIST).context["page"].object_list]
    assert listed == [due.pk]  # not kept yet, in scope only
    assert {o.commitment_id for o in client.get(LIST, {"status": ""}).context["page"].object_list} == {due.pk, kept.pk}
    assert [o.commitment_id for o in client.get(LIST, {"status": "fulfilled"}).context["page"]] == [kept.pk]
    warned = client.get(LIST, {"due_from": "not a day"})
    assert warned.status_code == 200 and [o.commitment_id for o in warned.context["page"]] == [due.pk]
    sheet = load_workbook(BytesIO(client.get(reverse("service:commitment_export"), {"status": ""}).content)).active
    rows = list(sheet.values)
    assert len(rows) == 3 and any("送货上门" in row for row in rows)


@rule("SVC-2")
def test_svc2_the_list_stays_within_its_query_budget(users, customer, en, page_within):
    for n in range(6):
        promise(users, customer, description=f"承诺{n}")
    response = page_within(en(users["director"]), LIST, {"status": "pending"}, queries=12)
    assert len(response.context["page"].object_list) == 6


@rule("SVC-2")
def test_svc2_the_promise_keeping_rate_per_salesperson_for_managers_with_excel(users, customer, en):
    from kehu.customers.tests.builders import new_customer

    other = new_customer(by=users["teammate"], name="李娜的客户", category="other")
    on_time = promise(users, customer)
    services.occurrence_fulfil(by=users["owner"], occurrence=on_time.occurrences.get(), note="按时")
    missed = promise(users, customer, description="漏了")
    late = promise(users, customer, description="迟了")
    backdate(missed, 3)
    backdate(late, 2)
    services.mark_missed()
    services.occurrence_fulfil(by=users["owner"], occurrence=late.occurrences.get(), note="迟到")
    services.occurrence_fulfil(by=users["teammate"], occurrence=promise(users, other, who="teammate",
                                                                        description="李娜守诺").occurrences.get(),
                               note="按时")
    promise(users, customer, description="明天的", starts_on=today() + timedelta(days=1))  # not due yet
    response = en(users["director"]).get(RATE, {"start": (today() - timedelta(days=10)).isoformat(),
                                                "end": (today() + timedelta(days=10)).isoformat()})
    rows = {r.name: (r.due, r.kept, r.late, r.missed, r.rate) for r in response.context["rows"]}
    assert rows == {users["owner"].display_name: (3, 1, 1, 1, 33.3), users["teammate"].display_name: (1, 1, 0, 0, 100.0)}
    assert [r.name for r in response.context["rows"]][0] == users["owner"].display_name  # lowest first
    assert 'data-rate="33.3"' in response.content.decode()
    sheet = load_workbook(BytesIO(en(users["director"]).get(response.context["export_url"]).content)).active
    assert list(sheet.values)[-1][1:] == (4, 2, 1, 1, 50.0)
    assert en(users["owner"]).get(RATE).status_code == 403  # a manager's view
    menu = [r.key for r in registry.of(Report) if r.visible(users["director"])]
    assert "promise-keeping" in menu
    assert "promise-keeping" not in [r.key for r in registry.of(Report) if r.visible(users["owner"])]
    assert en(users["director"]).get(RATE, {"start": "2027-02-30"}).status_code == 200  # named and ignored


@rule("SVC-2")
def test_svc2_the_keeping_rate_stays_within_its_query_budget(users, customer, en, page_within):
    from kehu.customers.tests.builders import new_customer

    for n, who in enumerate(["owner", "teammate", "owner"]):
        made = promise(users, customer if who == "owner" else new_customer(by=users[who], name=f"客户{n}",
                                                                              category="other"), who=who)
        services.occurrence_fulfil(by=users[who], occurrence=made.occurrences.get(), note="按时")
    response = page_within(en(users["director"]), RATE, {"start": today().isoformat()}, queries=12)
    assert sorted(r.due for r in response.context["rows"]) == [1, 2]
