"""Background work of complaints (CMP-4), run by the worker (`kehu worker`): every quarter of an
hour the missed deadlines of first response and resolution are flagged and escalated to the
handler's manager (services.flag_breaches), each once; the same run can be queued at any time."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.core.periodic import every_minutes, hourly, once_per
from kehu.service import services


@db_periodic_task(crontab(minute="*/15"))
@once_per(every_minutes(15))  # every worker's scheduler queues it: the first of the quarter runs it
def complaint_breaches_periodic() -> dict[str, int]:
    return services.flag_breaches()


@db_task()
def complaint_breaches() -> dict[str, int]:
    """The breach run queued on demand."""
    return services.flag_breaches()


@db_periodic_task(crontab(minute="5"))
@once_per(hourly)  # every worker's scheduler queues it: the first of the hour runs it
def after_sale_periodic() -> dict[str, int]:
    """SVC-2, SVC-3: promises whose day has passed marked missed (the owner's manager told once),
    and the follow-up calls of newly delivered orders planned."""
    return after_sale()


def after_sale() -> dict[str, int]:
    from kehu.service import aftersale_services

    return {"missed": aftersale_services.mark_missed(), "follow_ups": aftersale_services.follow_ups_plan()}


@db_task()
def after_sale_now() -> dict[str, int]:
    """The after-sale run queued on demand."""
    return after_sale()
