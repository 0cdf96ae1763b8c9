"""notify() and the inbox's writes (PLT-4): a reminder reaches its recipient only, once per
dedupe key; reading changes only one's own."""

import pytest

from conftest import rule
from kehu.core.errors import ValidationFailed
from kehu.reminders import selectors, services
from kehu.reminders.models import Delivery, Reminder
from kehu.reminders.tests.builders import new_reminder, robot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


@pytest.fixture
def robots_here(settings):
    settings.KEHU_WEBHOOK_HOSTS = frozenset({"127.0.0.1"})


@rule("PLT-4")
def test_plt4_notify_puts_the_reminder_in_the_recipients_inbox_unread(users):
    reminder = new_reminder(to=users["owner"], title="  回款  提醒 ", body="上海恒丰 ¥2,000.00", url="/customers/1/")
    assert list(selectors.inbox_of(users["owner"])) == [reminder]
    assert (reminder.title, reminder.body, reminder.url, reminder.read_at) == ("回款 提醒", "上海恒丰 ¥2,000.00",
                                                                            "/customers/1/", None)
    assert selectors.unread_count(users["owner"]) == 1
    assert list(selectors.inbox_of(users["teammate"])) == []


@rule("PLT-4")
def test_plt4_the_same_dedupe_key_never_makes_or_sends_a_reminder_twice(users, robots_here):
    robot(user=users["owner"])
    first = new_reminder(to=users["owner"], dedupe_key="collection:2026-12-01")
    again = new_reminder(to=users["owner"], title="另一个标题", dedupe_key="collection:2026-12-01")
    assert again.pk == first.pk and again.title == first.title
    assert Reminder.objects.count() == 1
    assert Delivery.objects.count() == 1  # one send by the robot, not two
    # The key is the recipient's: someone else gets their own.
    other = new_reminder(to=users["teammate"], dedupe_key="collection:2026-12-01")
    assert other.pk != first.pk
    # Without a key every call is a reminder of its own.
    new_reminder(to=users["owner"])
    new_reminder(to=users["owner"])
    assert Reminder.objects.filter(recipient=users["owner"]).count() == 3


@rule("PLT-4")
def test_plt4_a_reminder_goes_out_by_each_channel_the_user_chose(users, robots_here, settings):
    settings.KEHU_EMAIL_ENABLED = True
    users["owner"].email = "zhang@example.com"
    users["owner"].save()
    robot(user=users["owner"], format="dingtalk", by_email=True)
    reminder = new_reminder(to=users["owner"])
    assert sorted(reminder.deliveries.values_list("channel", "state")) == [("dingtalk", "pending"),
                                                                          ("email", "pending")]
    # Only the inbox for one who chose nothing else.
    assert not new_reminder(to=users["teammate"]).deliveries.exists()


@rule("PLT-4")
def test_plt4_only_the_digest_goes_out_when_each_reminder_is_not_wanted(users, robots_here):
    robot(user=users["owner"], each_reminder=False)
    assert not new_reminder(to=users["owner"]).deliveries.exists()
    digest = new_reminder(to=users["owner"], kind="digest", dedupe_key="digest:2026-12-01")
    assert list(digest.deliveries.values_list("channel", flat=True)) == ["wecom"]


@rule("PLT-4")
@pytest.mark.parametrize("bad", [
    {"title": "   "}, {"kind": ""}, {"url": "https://evil.example.com/"}, {"url": "//evil.example.com/x"},
    {"url": "javascript:alert(1)"}, {"dedupe_key": "k" * 201},
])
def test_plt4_notify_refuses_bad_input_and_makes_nothing(users, bad):
    values = {"kind": "test", "title": "回款", "url": "/x/", **bad}
    with pytest.raises(ValidationFailed):
        services.notify(recipient=users["owner"], **values)
    assert not Reminder.objects.exists()


@rule("PLT-4")
def test_plt4_a_long_title_is_shortened_not_refused(users):
    assert len(new_reminder(to=users["owner"], title="长" * 300).title) == 200


@rule("PLT-4")
def test_plt4_reading_marks_ones_own_reminder_once(users):
    reminder = new_reminder(to=users["owner"])
    services.reminder_read(by=users["owner"], reminder=reminder)
    read_at = Reminder.objects.get().read_at
    assert read_at is not None and selectors.unread_count(users["owner"]) == 0
    services.reminder_read(by=users["owner"], reminder=reminder)
    assert Reminder.objects.get().read_at == read_at
    other = new_reminder(to=users["teammate"])
    with pytest.raises(ValidationFailed):
        services.reminder_read(by=users["owner"], reminder=other)
    assert Reminder.objects.get(pk=other.pk).read_at is None


@rule("PLT-4")
def test_plt4_read_all_marks_only_ones_own_unread(users):
    for _ in range(3):
        new_reminder(to=users["owner"])
    new_reminder(to=users["teammate"])
    assert services.reminders_read_all(by=users["owner"]) == 3
    assert services.reminders_read_all(by=users["owner"]) == 0
    assert selectors.unread_count(users["owner"]) == 0
    assert selectors.unread_count(users["teammate"]) == 1
