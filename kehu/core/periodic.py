"""Periodic tasks that run once per period however many workers there are (PLT-4,
docs/deploy.md): every consumer runs Huey's scheduler, so with M workers the 06:00 collection
run is queued M times. The first run of a period claims a row (task, period) under a unique
constraint in the database; every later run of the same period finds it taken and does nothing.

    @db_periodic_task(crontab(minute="17"))
    @once_per(hourly)
    def purge_job_files(): ...
"""

import functools
import os
import socket
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kehu.core.models import PeriodicRun

KEEP_DAYS = 30  # claims older than this are removed by the hourly purge


def on_kehu_clock(schedule):
    """A periodic task's schedule (a Huey crontab) read on Kehu's clock (settings.TIME_ZONE).
    Huey hands its scheduler a naive moment in UTC (utc=True, its default) or in the server's
    local time: a bare crontab(hour="6") would run at 06:00 UTC, 14:00 in China."""
    from huey.contrib.djhuey import HUEY

    def due(moment: datetime) -> bool:
        aware = moment.replace(tzinfo=UTC) if HUEY.utc else moment.astimezone()
        return schedule(timezone.localtime(aware))
    return due


def daily(moment: datetime) -> str:
    return moment.date().isoformat()


def hourly(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def every_minutes(minutes: int):
    def period(moment: datetime) -> str:
        return moment.replace(minute=moment.minute - moment.minute % minutes).strftime("%Y-%m-%dT%H:%M")
    return period


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def claim(task: str, period: str) -> bool:
    """True for the one caller that claims (task, period) first, False for every other (each
    counted on the claim as `skipped`)."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(task=task, period=period, worker=_worker())
    except IntegrityError:
        PeriodicRun.objects.filter(task=task, period=period).update(skipped=F("skipped") + 1)
        return False
    return True


def release(task: str, period: str) -> None:
    """A run that failed gives its period back, so that the next one of it may try again."""
    PeriodicRun.objects.filter(task=task, period=period).delete()


def once_per(period_of):
    """Run the decorated task only if this call claims the period `period_of(local now)`;
    otherwise return None (another worker has run it or is running it)."""
    def decorate(function):
        name = f"{function.__module__}.{function.__name__}"

        @functools.wraps(function)
        def run(*args, **kwargs):
            period = period_of(timezone.localtime())
            if not claim(name, period):
                return None
            try:
                return function(*args, **kwargs)
            except BaseException:
                release(name, period)
                raise
        run.claim_name, run.period_of = name, period_of  # what the claim is named and periods by
        return run
    return decorate


def periodic_tasks() -> list:
    """The Huey wrappers of every periodic task of the apps (each app's tasks.py), by name."""
    import importlib

    from django.utils.module_loading import autodiscover_modules
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    return sorted((getattr(importlib.import_module(type(task).__module__), task.name)
                   for task in HUEY._registry.periodic_tasks), key=lambda wrapper: wrapper.func.__name__)


def forget_old_runs(*, now: datetime | None = None) -> int:
    """Removes the claims of periods long past: they matter only while a period lasts."""
    before = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    return PeriodicRun.objects.filter(started_at__lt=before).delete()[0]
