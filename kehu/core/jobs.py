"""Background jobs (PLT-4, INS-2): work too long for a web request — a large import — runs in
the worker (`kehu worker`, Huey) as a `Job` of one user, with its progress and its result.

    job = jobs.start("receivables.invoice_import", by=request.user, upload=form.cleaned_data["file"])
    return redirect(job)  # the progress page, which polls until the result page

A kind of job is registered by its app (`core.registry.JobKind`, in its registrations.py); one
Huey task (`core.tasks.run_job`) runs any job by its kind. The uploaded file is kept under
KEHU_JOB_DIR (default KEHU_DATA_DIR/jobs; a directory all machines share when there are
several, docs/deploy.md) with owner-only permissions and removed when the job ends, or after
a day (`purge`, hourly). Only the job's owner sees it (`for_user`): anyone else gets 404."""

import json
import logging
import os
import socket
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.core.errors import UserInputError, ValidationFailed
from kehu.core.models import Job
from kehu.core.registry import JobKind, registry

log = logging.getLogger(__name__)
JOB_DIR = Path(settings.KEHU_JOB_DIR)  # shared by every node and worker when there are several
KEEP_FILES = timedelta(days=1)
JOB_RUNNING_MAX = timedelta(hours=6)  # no job runs this long; one still "running" after it was lost
PROGRESS_EVERY = 0.5  # seconds between two writes of the progress


def kind_of(job: Job) -> JobKind | None:
    return registry.find(JobKind, job.kind)


def for_user(user):
    """The jobs a user may see: their own."""
    return Job.objects.filter(created_by=user) if user.is_authenticated else Job.objects.none()


def waits(size: int | None) -> bool:
    """Whether an upload of this size runs as a background job rather than in the request
    (KEHU_JOB_INLINE_BYTES: small files keep the page's answer at once)."""
    return size is None or size > settings.KEHU_JOB_INLINE_BYTES


def _write_private(name: str, chunks) -> Path:
    """A file under JOB_DIR readable by the server's user only; none is left if reading the
    chunks fails (a body over its limit)."""
    JOB_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = JOB_DIR / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


class Body:
    """A request's JSON body as the input of a job, copied to the job's file in pieces as it
    arrives: never held in memory, and never read past `limit` bytes (INS-2). Django's own cap
    on request bodies (DATA_UPLOAD_MAX_MEMORY_SIZE) is for bodies read whole; an API import is
    not, so its limit is the import's (KEHU_IMPORT_MAX_BYTES)."""

    name = "body.json"
    CHUNK = 64 * 1024

    def __init__(self, request, *, limit: int):
        self.request = getattr(request, "_request", request)  # DRF's Request wraps Django's
        self.limit = limit
        declared = self.request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > limit:
            raise ValidationFailed(self.too_large())

    def too_large(self) -> str:
        return _("The request is too large; the limit is %(limit)d MB.") % {"limit": self.limit // (1024 * 1024)}

    def seek(self, _offset) -> None:
        pass

    def chunks(self):
        read = 0
        while chunk := self.request.read(self.CHUNK):
            read += len(chunk)
            if read > self.limit:
                raise ValidationFailed(self.too_large())
            yield chunk


def start(kind: str, *, by, upload=None, data=None, params: dict | None = None, at_once: bool = False) -> Job:
    """Queue a job of `kind` for `by`, with an uploaded file (kept under its extension) or JSON
    `data` as its input. The worker takes it once the transaction commits; `at_once` runs it
    here instead (a small input, whose result the caller shows straight away)."""
    if registry.find(JobKind, kind) is None:
        raise ValueError(f"no job kind {kind!r}")
    name = ""
    if upload is not None:
        suffix = Path(getattr(upload, "name", "") or "").suffix.lower()[:10]
        name = f"{uuid.uuid4()}{suffix}"
        upload.seek(0)
        _write_private(name, upload.chunks() if hasattr(upload, "chunks") else [upload.read()])
    elif data is not None:
        name = f"{uuid.uuid4()}.json"
        _write_private(name, [json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")])
    job = Job.objects.create(kind=kind, created_by=by, params=params or {}, file=name,
                             language=translation.get_language() or settings.LANGUAGE_CODE)
    if at_once:
        run(job.pk)
        job.refresh_from_db()
    else:
        from kehu.core.tasks import run_job

        transaction.on_commit(lambda: run_job(job.pk))
    return job


class Work:
    """What a job kind's `run` receives: who asked, the parameters, the input, the progress."""

    def __init__(self, job: Job):
        self.job = job
        self.by = job.created_by
        self.params = job.params
        self._last = 0.0

    @property
    def path(self) -> Path | None:
        return JOB_DIR / self.job.file if self.job.file else None

    def open(self):
        """The uploaded file, opened for reading (its name keeps the extension)."""
        if self.path is None or not self.path.exists():
            raise ValidationFailed(_("The file of this job is gone; upload it again."))
        return self.path.open("rb")

    def data(self):
        """The JSON input given to start(data=…)."""
        with self.open() as handle:
            return json.load(handle)

    def progress(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        """How far the job is; written at most every PROGRESS_EVERY seconds (and on `force`),
        outside any transaction of the job so the page sees it at once."""
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        changes = {"done": max(0, done)}
        if total is not None:
            changes["total"] = max(0, total)
        Job.objects.filter(pk=self.job.pk).update(**changes)


def run(job_id: int) -> None:
    """Run a queued job (the worker's task): its kind's `run` in the owner's language; the
    result or the reason it failed is stored, and its file removed, whatever happens."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), worker=this_worker())
    if not claimed:  # already run, or gone
        return
    job = Job.objects.select_related("created_by").get(pk=job_id)
    kind = kind_of(job)
    status, result = Job.Status.FAILED, {}
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            try:
                if kind is None:
                    raise ValidationFailed(_("This kind of job is no longer known."))
                result = kind.run(Work(job)) or {}
                status = Job.Status.DONE
            except UserInputError as exc:
                result = {"message": str(exc.message)}
            except Exception:
                log.exception("job %s (%s) failed", job.pk, job.kind)
                result = {"message": _("The job failed; nothing was changed. The error was logged.")}
    finally:
        done, total = Job.objects.filter(pk=job.pk).values_list("done", "total").first() or (0, 0)
        Job.objects.filter(pk=job.pk).update(status=status, result=result, finished_at=timezone.now(),
                                             done=total if status == Job.Status.DONE else done, file="")
        remove_file(job.file)


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _alive(worker: str) -> bool:
    """Whether the process named "host:pid" still runs; one on another host is taken as alive
    (its own host's worker, or the day's limit in `recover`, tells)."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(now=None) -> int:
    """Jobs left "running" by a worker that was killed (or a machine that went down) are marked
    failed, so their owner is told instead of waiting for ever. Every kind of job writes in one
    transaction, so such a job saved all or nothing (nothing, unless it was killed between its
    commit and its report). Run when a worker starts and every hour; a job
    running on another host is given up after JOB_RUNNING_MAX. Returns how many."""
    now = now or timezone.now()
    recovered = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING).only("pk", "worker", "started_at", "language", "file"):
        if _alive(job.worker) and (job.started_at or now) > now - JOB_RUNNING_MAX:
            continue
        with translation.override(job.language or settings.LANGUAGE_CODE):
            message = _("The worker stopped while this job was running, before it could report the "
                        "result. An import is saved whole or not at all: if its rows are not in the "
                        "list, upload the file again.")
        recovered += Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker).update(
            status=Job.Status.FAILED, finished_at=now, file="", result={"message": message})
        remove_file(job.file)
        log.warning("job %s was left running by worker %s; marked failed", job.pk, job.worker)
    return recovered


def remove_file(name: str) -> None:
    if name:
        (JOB_DIR / Path(name).name).unlink(missing_ok=True)


def purge(now=None) -> int:
    """Remove the files of jobs older than a day (a job never run: the worker was down) and
    mark such jobs failed; and any file left in JOB_DIR that no job names. Returns how many."""
    now = now or timezone.now()
    removed = 0
    for job in Job.objects.filter(created_at__lt=now - KEEP_FILES).exclude(file=""):
        remove_file(job.file)
        removed += 1
        changes = {"file": ""}
        if job.status == Job.Status.QUEUED:  # in the owner's language, as the job would have told
            with translation.override(job.language or settings.LANGUAGE_CODE):
                changes |= {"status": Job.Status.FAILED, "finished_at": now,
                            "result": {"message": _("The job was not run within a day; upload the file again.")}}
        Job.objects.filter(pk=job.pk, status=job.status).update(**changes)
    if JOB_DIR.exists():
        named = set(Job.objects.exclude(file="").values_list("file", flat=True))
        for path in JOB_DIR.iterdir():
            if path.name not in named and path.stat().st_mtime < (now - KEEP_FILES).timestamp():
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def state(job: Job) -> dict:
    """A job as the API and the progress page read it."""
    from django.urls import reverse

    return {"id": job.pk, "kind": job.kind, "status": job.status, "done": job.done, "total": job.total,
            "percent": job.percent, "result": job.result if job.finished else None,
            "created_at": job.created_at, "finished_at": job.finished_at,
            "url": reverse("core:job", args=[job.pk]), "api_url": reverse("api-job", args=[job.pk])}


# --- imports as jobs ---------------------------------------------------------------------------------------

def import_result(result, *, message: str = "", unknown=()) -> dict:
    """The stored result of an import job (core.importing.ImportResult): its message, counts,
    whether nothing was written, and the bad rows by line — what the result page and the
    API show."""
    return {"message": str(message), "counts": result.counts(), "refused": result.refused,
            "errors": [[line, [str(m) for m in messages]] for line, messages in result.errors],
            "unknown": [str(header) for header in unknown]}
