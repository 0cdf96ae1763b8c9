"""The worker's side of core.jobs: one task runs any background job by its kind; every hour
the files of jobs older than a day are removed."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from kehu.core import jobs


@db_task()
def run_job(job_id: int) -> None:
    jobs.run(job_id)


@db_periodic_task(crontab(minute="17"))
def purge_job_files() -> int:
    return jobs.purge()
