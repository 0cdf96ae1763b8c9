"""The channels a reminder goes out by (PLT-4), pluggable: a small registry of channel classes.
The inbox always holds every reminder (the Reminder row itself); every other channel sends a
copy when the user chose it, as a Delivery that the worker sends and retries.

    class SmsChannel(Channel):
        key = "sms"
        label = _("Text message")
        def wanted(self, preference): ...
        def send(self, message, preference): ...   # raise SendFailed when it did not go
    register(SmsChannel())

A webhook address is hostile input: http or https only, no user name or password in it, its
host among KEHU_WEBHOOK_HOSTS (the robots' own hosts by default), a short timeout, no redirect
followed, and nothing of the answer used but its status."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.core.errors import ValidationFailed
from kehu.reminders.models import WebhookFormat


class SendFailed(Exception):
    """The channel could not send; the worker tries again later."""


@dataclass(frozen=True)
class Message:
    """What a channel sends: a title, a text (Markdown-light lines) and a link of this site."""

    title: str
    text: str
    link: str = ""


class Channel:
    key = ""
    label = ""
    inbox = False  # the inbox holds the reminder itself: nothing to send

    def wanted(self, preference) -> bool:
        raise NotImplementedError

    def send(self, message: Message, preference) -> None:
        raise NotImplementedError


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    CHANNELS[channel.key] = channel
    return channel


def senders_for(preference) -> list[Channel]:
    """The channels other than the inbox that the user chose."""
    return [c for c in CHANNELS.values() if not c.inbox and c.wanted(preference)]


class InboxChannel(Channel):
    key = "inbox"
    label = _("Inbox")
    inbox = True

    def wanted(self, preference) -> bool:
        return True


class EmailChannel(Channel):
    """Django's e-mail backend (KEHU_EMAIL_* settings; docs/admin-guide.md)."""

    key = "email"
    label = _("E-mail")

    def wanted(self, preference) -> bool:
        return settings.KEHU_EMAIL_ENABLED and preference.by_email and bool(preference.user.email)

    def send(self, message: Message, preference) -> None:
        body = message.text + (f"\n\n{message.link}" if message.link else "")
        try:
            send_mail(message.title, body, None, [preference.user.email], fail_silently=False)
        except Exception as exc:  # any failure of the mail server is retried
            raise SendFailed(type(exc).__name__) from exc


def check_webhook_url(url: str) -> str:
    """The address of a group robot, checked as hostile input: http(s), a host allowed by
    KEHU_WEBHOOK_HOSTS, no credentials, no spaces. Returns it stripped, or raises ValidationFailed."""
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationFailed(_("The webhook address is too long (at most 500 characters)."))
    try:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 — a bad port raises ValueError
    except ValueError:
        raise ValidationFailed(_("The webhook address is not a valid address.")) from None
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise ValidationFailed(_("The webhook address must start with http:// or https:// and name a host."))
    if parts.username or parts.password:
        raise ValidationFailed(_("The webhook address may not carry a user name or password."))
    allowed = settings.KEHU_WEBHOOK_HOSTS
    if allowed and host not in allowed:
        raise ValidationFailed(_("The webhook address must be on one of these hosts: %(hosts)s.")
                               % {"hosts": ", ".join(sorted(allowed))})
    return url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer like any other: not followed


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, payload: dict) -> None:
    """POST the JSON to the robot; anything but a 2xx answer within the timeout is a failure.
    The answer's body is not read beyond a little, and never used."""
    check_webhook_url(url)
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),  # noqa: S310 — checked
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with _opener.open(request, timeout=settings.KEHU_WEBHOOK_TIMEOUT) as response:  # noqa: S310 — checked
            response.read(1024)
            status = response.status
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SendFailed(type(exc).__name__) from None
    if not 200 <= status < 300:
        raise SendFailed(f"HTTP {status}")


def markdown(message: Message) -> str:
    text = f"**{message.title}**\n\n{message.text}".rstrip()
    if message.link:
        label = gettext("Open in Kehu")
        text += f"\n\n[{label}]({message.link})"
    return text


class WebhookChannel(Channel):
    format = ""

    def wanted(self, preference) -> bool:
        return preference.webhook_format == self.format and bool(preference.webhook_url)

    def payload(self, message: Message) -> dict:
        raise NotImplementedError

    def address(self, preference) -> str:
        return preference.webhook_url

    def send(self, message: Message, preference) -> None:
        try:
            post_json(self.address(preference), self.payload(message))
        except ValidationFailed as exc:
            raise SendFailed(str(exc.message)) from None


class WeComChannel(WebhookChannel):
    """企业微信 group robot: {"msgtype": "markdown", "markdown": {"content": …}}."""

    key = format = WebhookFormat.WECOM.value
    label = _("WeCom group robot")

    def payload(self, message: Message) -> dict:
        return {"msgtype": "markdown", "markdown": {"content": markdown(message)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 signing ("加签"): base64 of HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkChannel(WebhookChannel):
    """钉钉 group robot: {"msgtype": "markdown", "markdown": {"title": …, "text": …}}, signed
    when the user gave the robot's secret."""

    key = format = WebhookFormat.DINGTALK.value
    label = _("DingTalk group robot")

    def payload(self, message: Message) -> dict:
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown(message)}}

    def address(self, preference) -> str:
        url = preference.webhook_url
        if not preference.webhook_secret:
            return url
        timestamp = int(time.time() * 1000)
        query = urllib.parse.urlencode({"timestamp": timestamp, "sign": dingtalk_sign(preference.webhook_secret,
                                                                                      timestamp)})
        return f"{url}{'&' if '?' in url else '?'}{query}"


for _channel in (InboxChannel(), EmailChannel(), WeComChannel(), DingTalkChannel()):
    register(_channel)
