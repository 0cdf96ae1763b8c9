"""Background work of the receivables (AR-2, PLT-4), run by the worker (`kehu worker`): each
morning the collection run makes the day's calls, visits and promise follow-ups
(services.collection_day), once a day however many workers run (core.periodic); the same run
can be queued at any time."""

from datetime import date

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.core.periodic import daily, on_kehu_clock, once_per
from kehu.receivables import services

# 06:00 on Kehu's clock: the morning collection run (relations' greetings run with it).
every_morning = on_kehu_clock(crontab(minute="0", hour="6"))


@db_periodic_task(every_morning)
@once_per(daily)  # every worker's scheduler queues it: the first one of the day runs it
def collection_morning() -> dict[str, int]:
    return services.collection_day()


@db_task()
def collection_day(day: str | None = None) -> dict[str, int]:
    """The collection run queued on demand; `day` (YYYY-MM-DD) defaults to today."""
    return services.collection_day(today=date.fromisoformat(day) if day else None)
