"""The worker's side of core.jobs: one task runs any background job by its kind; every hour
the files of jobs older than a day are removed; a starting worker (and the hourly run) marks
failed the jobs that a killed worker left "running"."""

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from kehu.core import jobs


@db_task()
def run_job(job_id: int) -> None:
    jobs.run(job_id)


@db_periodic_task(crontab(minute="17"))
def purge_job_files() -> int:
    return jobs.recover() + jobs.purge()


@HUEY.on_startup()
def recover_jobs() -> None:
    """A worker that starts after a crash tells the owners of the jobs it lost."""
    try:
        jobs.recover()
    finally:
        close_old_connections()
