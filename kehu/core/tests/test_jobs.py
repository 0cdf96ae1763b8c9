"""A job left "running" by a worker that was killed (PLT-4): its owner is told, instead of a
progress page that waits for ever; a job still running in a live worker is left alone."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import rule
from kehu.core import jobs
from kehu.core.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def dead_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def running(user, worker: str, *, started=None) -> Job:
    return Job.objects.create(kind="receivables.invoice_import", created_by=user, status=Job.Status.RUNNING,
                              worker=worker, started_at=started or timezone.now(), language="en", file="x.csv")


@rule("PLT-4")
def test_plt4_a_job_whose_worker_was_killed_is_marked_failed_with_a_message(users, large_imports):
    host = jobs.this_worker().rpartition(":")[0]
    lost = running(users["finance"], f"{host}:{dead_pid()}")
    alive = running(users["finance"], jobs.this_worker())
    elsewhere = running(users["finance"], "other-host:1")
    gone_long_ago = running(users["finance"], "other-host:2", started=timezone.now() - timedelta(hours=7))
    (jobs.JOB_DIR).mkdir(parents=True, exist_ok=True)
    assert jobs.recover() == 2
    for job in (lost, alive, elsewhere, gone_long_ago):
        job.refresh_from_db()
    assert (lost.status, lost.file, lost.finished_at is not None) == ("failed", "", True)
    assert lost.result["message"] == (
        "The worker stopped while this job was running, before it could report the result. An import is "
        "saved whole or not at all: if its rows are not in the list, upload the file again.")
    assert (alive.status, elsewhere.status, gone_long_ago.status) == ("running", "running", "failed")
    assert jobs.recover() == 0  # safe to run twice


@rule("PLT-4")
def test_plt4_the_worker_that_runs_a_job_is_recorded(users, large_imports):
    """The claim names this process, so that a later start of a worker can tell it alive."""
    job = Job.objects.create(kind="no.such.kind", created_by=users["finance"])
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.worker == jobs.this_worker() and job.status == "failed"
