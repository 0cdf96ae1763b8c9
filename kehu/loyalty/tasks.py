"""Nightly loyalty work, run by the worker (`kehu worker`): at 01:30 on Kehu's clock the customer
pool move (CUS-7) tells owners of customers about to drop and moves those due into the pool. The
same run can be queued at any time (pool_move); a second run moves nothing."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.core.periodic import daily, every_minutes, on_kehu_clock, once_per
from kehu.loyalty import services

every_night = on_kehu_clock(crontab(minute="30", hour="1"))  # 01:30 on Kehu's clock


@db_periodic_task(every_night)
@once_per(daily)  # every worker's scheduler queues it: the first of the day runs it
def pool_move_nightly() -> dict[str, int]:
    return services.pool_nightly()


@db_task()
def pool_move() -> dict[str, int]:
    """The pool move queued on demand."""
    return services.pool_nightly()


@db_periodic_task(crontab(minute="*/15"))
@once_per(every_minutes(15))  # every worker's scheduler queues it: the first of the quarter runs it
def late_referrals_periodic() -> dict[str, int]:
    return services.flag_late_referrals()


@db_task()
def late_referrals() -> dict[str, int]:
    """The late-referral run queued on demand (REF-1)."""
    return services.flag_late_referrals()


every_morning = on_kehu_clock(crontab(minute="15", hour="2"))  # 02:15, after the pool move


@db_periodic_task(every_morning)
@once_per(daily)  # every worker's scheduler queues it: the first of the day runs it
def defections_daily_periodic() -> dict[str, int]:
    """WIN-1: who is at risk, who is lost, who bought again."""
    return services.defections_daily()


@db_task()
def defections_run() -> dict[str, int]:
    """The at-risk run queued on demand (WIN-1); a second run finds nothing new."""
    return services.defections_daily()
