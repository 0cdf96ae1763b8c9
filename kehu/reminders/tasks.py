"""The worker's side of reminders (PLT-4), run by `kehu worker`: each delivery sent (and
retried by Huey when it fails), and every five minutes the sweep that queues again what still
failed and the daily digests whose time has come."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.core.periodic import every_minutes, once_per
from kehu.reminders import services


@db_task()
def deliver(delivery_id: int) -> str:
    return services.delivery_send(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*/5"))
@once_per(every_minutes(5))  # once per five minutes, however many workers
def retry_deliveries() -> int:
    return services.deliveries_retry()


@db_periodic_task(crontab(minute="*/5"))
@once_per(every_minutes(5))
def send_digests_periodic() -> int:
    """Each user's daily digest once their time has come (services.digests_send: once a day per
    user, however many workers and runs)."""
    return services.digests_send()


@db_task()
def send_digests() -> int:
    """The digest run queued on demand."""
    return services.digests_send()
