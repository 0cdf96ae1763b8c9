"""The worker's side of core.jobs: one task runs any background job by its kind; every hour
the files of jobs older than a day (and the claims of periodic runs long past) are removed; a starting worker (and the hourly run) marks
failed the jobs that a killed worker left "running"."""

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from kehu.core import jobs, periodic


@db_task()
def run_job(job_id: int) -> None:
    jobs.run(job_id)


@db_periodic_task(crontab(minute="17"))
@periodic.once_per(periodic.hourly)  # once an hour, however many workers
def purge_job_files() -> int:
    periodic.forget_old_runs()
    return jobs.recover() + jobs.purge()


@HUEY.on_startup()
def recover_jobs() -> None:
    """A worker that starts after a crash tells the owners of the jobs it lost."""
    try:
        jobs.recover()
    finally:
        close_old_connections()
