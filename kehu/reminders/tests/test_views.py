"""The inbox page (PLT-4): one's own reminders with read and unread, mark read, mark all
read, open what a reminder is about; the unread badge in the navigation bar."""

import pytest
from django.urls import reverse

from conftest import rule
from kehu.reminders import selectors
from kehu.reminders.models import Reminder
from kehu.reminders.tests.builders import new_reminder

pytestmark = pytest.mark.django_db
INBOX = reverse("reminders:inbox")


@rule("PLT-4")
def test_plt4_the_inbox_lists_ones_own_reminders_with_the_unread_badge(en, users):
    new_reminder(to=users["owner"], title="催收：上海恒丰", body="¥2,000.00 due today")
    read = new_reminder(to=users["owner"], title="已读的提醒")
    Reminder.objects.filter(pk=read.pk).update(read_at=read.created_at)
    new_reminder(to=users["teammate"], title="别人的提醒")
    page = en(users["owner"]).get(INBOX)
    text = page.content.decode()
    assert page.status_code == 200
    assert "催收：上海恒丰" in text and "已读的提醒" in text and "别人的提醒" not in text
    assert 'id="reminders-waiting">1<' in text  # the navigation bar's badge: one unread
    assert "1 unread" in text and 'id="read-all"' in text
    unread = en(users["owner"]).get(INBOX, {"state": "unread"}).content.decode()
    assert "催收：上海恒丰" in unread and "已读的提醒" not in unread


@rule("PLT-4")
def test_plt4_marking_read_takes_the_reminder_off_the_badge(en, users):
    reminder = new_reminder(to=users["owner"])
    client = en(users["owner"])
    response = client.post(reverse("reminders:read", args=[reminder.pk]), {"next": INBOX + "?state=unread"})
    assert response.status_code == 302 and response["Location"] == INBOX + "?state=unread"
    assert Reminder.objects.get().read_at is not None
    assert "reminders-waiting" not in client.get(INBOX).content.decode()


@rule("PLT-4")
def test_plt4_opening_a_reminder_marks_it_read_and_goes_where_it_points(en, users):
    reminder = new_reminder(to=users["owner"], url="/customers/?grade=A")
    response = en(users["owner"]).post(reverse("reminders:open", args=[reminder.pk]))
    assert response.status_code == 302 and response["Location"] == "/customers/?grade=A"
    assert Reminder.objects.get().read_at is not None


@rule("PLT-4")
def test_plt4_mark_all_read(en, users):
    for _ in range(3):
        new_reminder(to=users["owner"])
    other = new_reminder(to=users["teammate"])
    response = en(users["owner"]).post(reverse("reminders:read_all"), follow=True)
    assert "Marked read: 3." in response.content.decode()
    assert selectors.unread_count(users["owner"]) == 0
    assert Reminder.objects.get(pk=other.pk).read_at is None


@rule("PLT-4")
def test_plt4_someone_elses_reminder_is_not_found_and_stays_unread(en, users):
    other = new_reminder(to=users["teammate"])
    assert en(users["owner"]).post(reverse("reminders:read", args=[other.pk])).status_code == 404
    assert en(users["owner"]).post(reverse("reminders:open", args=[other.pk])).status_code == 404
    assert Reminder.objects.get().read_at is None


@rule("PLT-4")
def test_plt4_reading_is_a_post_only(en, users):
    reminder = new_reminder(to=users["owner"])
    assert en(users["owner"]).get(reverse("reminders:read", args=[reminder.pk])).status_code == 405
    assert Reminder.objects.get().read_at is None


@rule("PLT-4")
def test_plt4_the_inbox_takes_a_bounded_number_of_queries(en, users, page_within):
    for i in range(30):
        new_reminder(to=users["owner"], title=f"提醒 {i}", url=f"/customers/{i}/")
    page = page_within(en(users["owner"]), INBOX, {"page": "1"}, queries=12)
    assert page.content.decode().count("data-reminder=") == 30
