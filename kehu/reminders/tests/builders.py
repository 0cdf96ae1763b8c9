"""Test data of reminders, made through the services as the apps make it."""

from kehu.reminders import services


def new_reminder(*, to, title="客户回款到期", kind="test", url="/customers/", body="", dedupe_key=""):
    return services.notify(recipient=to, kind=kind, title=title, url=url, body=body, dedupe_key=dedupe_key)


def robot(*, user, format="wecom", url="http://127.0.0.1:9/robot", secret="", **extra):
    """The user's group robot chosen on their settings page (KEHU_WEBHOOK_HOSTS must allow the host)."""
    return services.preference_save(by=user, webhook_format=format, webhook_url=url, webhook_secret=secret, **extra)
