"""Background work of keeping in touch (REL-3, PLT-4), run by the worker (`kehu worker`): each
morning the salespeople are reminded of the greetings of the coming days; a run repeated (a restart)
sends nothing twice (services.greetings_send, by dedupe_key), and with several workers only
the first run of the day runs (core.periodic)."""

from datetime import date

from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.core.periodic import daily, once_per
from kehu.receivables.tasks import every_morning
from kehu.relations import services


@db_periodic_task(every_morning)
@once_per(daily)  # every worker's scheduler queues it: the first one of the day runs it
def greetings_morning() -> dict[str, int]:
    return services.greetings_send()


@db_task()
def greetings_day(day: str | None = None) -> dict[str, int]:
    """The greetings run queued on demand; `day` (YYYY-MM-DD) defaults to today."""
    return services.greetings_send(today=date.fromisoformat(day) if day else None)
