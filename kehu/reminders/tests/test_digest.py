"""The daily digest (PLT-4): once a day per user at the time they chose, their unread reminders
and today's plan (the registry's DueSources), in the inbox, by e-mail and by their group robot.
A real Huey consumer sends it to a webhook receiver started by the test, in the WeCom and the
DingTalk format, and retries a failed send without sending twice."""

import json
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from conftest import rule
from kehu.customers.models import Customer
from kehu.customers.tests.builders import new_customer
from kehu.reminders import channels, services, tasks
from kehu.reminders.models import Delivery, Preference, Reminder
from kehu.reminders.tests.builders import new_reminder, robot

pytestmark = pytest.mark.usefixtures("in_english")
SECRET = "SEC0123456789abcdef"


class Receiver:
    """A group robot's webhook on 127.0.0.1: it records each request and answers 500 to the
    first `failures` of them, 200 afterwards."""

    def __init__(self, failures: int = 0):
        self.failures, self.requests = failures, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 500 if len(receiver.requests) < receiver.failures else 200
                receiver.requests.append({"path": self.path, "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/robot/send?key=k1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def answered(self, status: int) -> list[dict]:
        return [r for r in self.requests if r["status"] == status]


def wait_for(condition, *, timeout: float = 60):
    """Wait for the worker to have done something (not a timing assert: it fails only when the
    worker never does it)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not do it in time")
        time.sleep(0.05)


@pytest.fixture
def robots_here(settings):
    settings.KEHU_WEBHOOK_HOSTS = frozenset({"127.0.0.1"})
    settings.KEHU_REMINDER_RETRY_SECONDS = 0
    settings.KEHU_REMINDER_RETRIES = 3


@pytest.fixture
def due_customer(users):
    """A grade A customer of the owner never contacted: due for a contact today (REL-1)."""
    made = new_customer(by=users["owner"], name="甲级未联系商店", category="other")
    Customer.objects.filter(pk=made.pk).update(grade="A", status="active")
    return made


def morning(hour=9):
    return timezone.make_aware(datetime.combine(timezone.localdate(), clock(hour, 0)))


def sent_deliveries():
    return Delivery.objects.filter(reminder__kind="digest", state="sent")


@rule("PLT-4")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("robot_format", ["wecom", "dingtalk"])
def test_plt4_the_worker_sends_the_digest_to_the_robot_and_retries_a_failed_send_once(
        users, due_customer, robots_here, consumer, robot_format):
    with Receiver(failures=1) as receiver:
        robot(user=users["owner"], format=robot_format, url=receiver.url,
              secret=SECRET if robot_format == "dingtalk" else "", each_reminder=False,
              digest_at=clock(0, 0), language="en")
        new_reminder(to=users["owner"], title="上海恒丰回款到期")  # only in the inbox: each reminder not wanted
        assert tasks.send_digests().get(blocking=True, timeout=60) == 1
        # The robot answered 500 first: the worker tried again, and the second send went through.
        wait_for(lambda: sent_deliveries().exists())
        delivery = sent_deliveries().get()
        assert (delivery.channel, delivery.attempts) == (robot_format, 2)
        assert [r["status"] for r in receiver.requests] == [500, 200]
        # Run again, the digest run and the delivery: nothing more is sent.
        assert tasks.send_digests().get(blocking=True, timeout=60) == 0
        assert tasks.deliver(delivery.pk).get(blocking=True, timeout=60) == "sent"
        assert [r["status"] for r in receiver.requests] == [500, 200]
    body, path = receiver.requests[-1]["body"], receiver.requests[-1]["path"]
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content" if robot_format == "wecom" else "text"]
    assert "Unread reminders (1)" in content and "上海恒丰回款到期" in content
    assert "Today's plan" in content and "甲级未联系商店" in content
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if robot_format == "dingtalk":
        assert body["markdown"]["title"].startswith("Your day")
        assert query["sign"] == [channels.dingtalk_sign(SECRET, int(query["timestamp"][0]))]
    else:
        assert query == {"key": ["k1"]}
    # One digest in the inbox too, and the day is marked as done.
    assert Reminder.objects.filter(recipient=users["owner"], kind="digest").count() == 1
    assert Preference.objects.get(user=users["owner"]).last_digest_on == timezone.localdate()


@rule("PLT-4")
@pytest.mark.django_db(transaction=True)
def test_plt4_the_digest_goes_by_e_mail_too_and_the_robot_when_chosen(users, due_customer, robots_here, consumer,
                                                                      settings):
    settings.KEHU_EMAIL_ENABLED = True
    users["owner"].email = "zhang@example.com"
    users["owner"].save()
    with Receiver() as receiver:
        robot(user=users["owner"], url=receiver.url, by_email=True, each_reminder=False, digest_at=clock(0, 0),
              language="en")
        assert tasks.send_digests().get(blocking=True, timeout=60) == 1
        wait_for(lambda: sent_deliveries().count() == 2)
    assert len(receiver.requests) == 1
    assert [m.to for m in mail.outbox] == [["zhang@example.com"]]
    assert mail.outbox[0].subject.startswith("Your day") and "甲级未联系商店" in mail.outbox[0].body


@rule("PLT-4")
@pytest.mark.django_db
def test_plt4_the_digest_waits_for_the_chosen_time_and_comes_once_a_day(users, due_customer, robots_here):
    robot(user=users["owner"], digest_at=clock(9, 30), each_reminder=False)
    assert services.digests_send(now=morning(9)) == 0  # not yet
    assert services.digests_send(now=morning(10)) == 1
    assert services.digests_send(now=morning(11)) == 0  # once a day, however often it runs
    assert services.digests_send(now=morning(10) + timedelta(days=1)) == 1  # the next day again
    digests = Reminder.objects.filter(kind="digest")
    assert digests.count() == 2 and set(digests.values_list("recipient__username", flat=True)) == {"owner"}
    # Each went out by the robot once.
    assert Delivery.objects.filter(reminder__kind="digest", channel="wecom").count() == 2


@rule("PLT-4")
@pytest.mark.django_db
def test_plt4_no_digest_for_one_who_does_not_want_it_or_has_nothing_to_be_told(users, due_customer, robots_here):
    robot(user=users["owner"], digest=False)
    robot(user=users["teammate"], digest_at=clock(0, 0))  # no customers, no reminders: nothing to tell
    assert services.digests_send(now=morning()) == 0
    assert not Reminder.objects.filter(kind="digest").exists()
    # An earlier digest is no news: the unread ones counted are the others.
    new_reminder(to=users["teammate"], kind="digest", title="Yesterday", dedupe_key="digest:yesterday")
    Preference.objects.filter(user=users["teammate"]).update(last_digest_on=None)
    assert services.digests_send(now=morning()) == 0


@rule("PLT-4")
@pytest.mark.django_db
def test_plt4_the_digest_is_written_in_the_language_the_user_chose(users, due_customer, robots_here):
    robot(user=users["owner"], digest_at=clock(0, 0), language="zh-hans")
    new_reminder(to=users["owner"], title="回款到期")
    assert services.digests_send(now=morning()) == 1
    digest = Reminder.objects.get(kind="digest")
    assert "未读提醒" in digest.title
    assert "未读提醒" in digest.body and "甲级未联系商店" in digest.body


@rule("PLT-4")
def test_plt4_the_digest_run_is_scheduled_every_five_minutes():
    moment = timezone.now().replace(minute=5, second=0, microsecond=0).astimezone(UTC).replace(tzinfo=None)
    assert "send_digests_periodic" in [t.name for t in HUEY.read_periodic(moment)]
    assert "send_digests_periodic" not in [t.name for t in HUEY.read_periodic(moment.replace(minute=6))]


@rule("PLT-4")
@pytest.mark.django_db
def test_plt4_one_who_never_chose_gets_the_digest_in_the_inbox_from_eight(users, due_customer):
    assert services.digests_send(now=morning(7)) == 0
    assert services.digests_send(now=morning(9)) == 1  # the owner: a customer due; the others: nothing to tell
    digest = Reminder.objects.get(kind="digest")
    assert digest.recipient == users["owner"] and not digest.deliveries.exists()  # the inbox only
    assert services.digests_send(now=morning(10)) == 0
