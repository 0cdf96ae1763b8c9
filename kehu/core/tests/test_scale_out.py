"""Several app nodes and workers on one database and one Redis (issue 17, docs/deploy.md):
KEHU_REDIS_URL switches the task queue and the cache to Redis, and without it the embedded
defaults stay (PLT-1); /healthz tells the load balancer whether a node can serve; a periodic
task runs once per period however many workers queue it (PLT-4, AR-2).

The servers themselves — two gunicorn nodes, two workers, PostgreSQL and redis-server — are
started by `make test-scale` (scale/)."""

import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from huey import RedisHuey

from conftest import at_once, rule
from kehu.core import health, periodic
from kehu.core.models import PeriodicRun


def closed_port() -> int:
    """A loopback port nothing listens on: a Redis that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_under(**env) -> dict:
    """The queue and cache settings a fresh process reads from its environment."""
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({'huey': s.HUEY, 'caches': s.CACHES, 'job_dir': str(s.KEHU_JOB_DIR)}))")
    base = {k: v for k, v in os.environ.items() if k not in ("KEHU_REDIS_URL", "KEHU_CACHE_URL", "KEHU_JOB_DIR")}
    out = subprocess.run([sys.executable, "-c", code], env={**base, "DJANGO_SETTINGS_MODULE": "kehu.settings", **env},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@rule("PLT-1")
def test_plt1_without_redis_the_queue_is_a_file_and_the_cache_per_process(tmp_path):
    found = settings_under(KEHU_DATA_DIR=str(tmp_path))
    assert found["huey"]["huey_class"] == "huey.SqliteHuey"
    assert found["huey"]["filename"] == str(tmp_path / "huey.sqlite3")
    assert found["caches"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@rule("PLT-1")
def test_plt1_kehu_redis_url_puts_the_queue_and_the_cache_in_redis(tmp_path):
    url = "redis://127.0.0.1:6390/0"
    found = settings_under(KEHU_DATA_DIR=str(tmp_path), KEHU_REDIS_URL=url)
    assert (found["huey"]["huey_class"], found["huey"]["url"]) == ("huey.RedisHuey", url)
    assert "filename" not in found["huey"]
    cache = found["caches"]["default"]
    assert (cache["BACKEND"], cache["LOCATION"]) == ("django.core.cache.backends.redis.RedisCache", url)
    # The cache may live in another Redis database than the queue.
    other = settings_under(KEHU_DATA_DIR=str(tmp_path), KEHU_REDIS_URL=url, KEHU_CACHE_URL="redis://127.0.0.1:6390/1")
    assert (other["huey"]["url"], other["caches"]["default"]["LOCATION"]) == (url, "redis://127.0.0.1:6390/1")


# --- /healthz -------------------------------------------------------------------------------------------------

@rule("PLT-1")
@pytest.mark.django_db
def test_plt1_healthz_answers_ok_to_anyone_without_a_login_or_data():
    response = Client().get("/healthz")
    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"ok", "text/plain")
    assert "sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code == 405


@rule("PLT-1")
@pytest.mark.django_db
def test_plt1_healthz_answers_503_naming_the_cache_when_redis_is_down(caplog):
    port = closed_port()
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": f"redis://:secret-word@127.0.0.1:{port}/0",
                        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    with override_settings(CACHES=down):
        response = Client().get("/healthz")
    assert (response.status_code, response.content) == (503, b"unavailable: cache")
    assert "healthz: cache check failed" in caplog.text and "secret-word" not in caplog.text
    assert Client().get("/healthz").status_code == 200  # up again


@rule("PLT-1")
@pytest.mark.django_db
def test_plt1_healthz_answers_503_naming_the_queue_when_its_redis_is_down(monkeypatch):
    queue_down = RedisHuey("kehu", url=f"redis://127.0.0.1:{closed_port()}/0?socket_connect_timeout=1")
    monkeypatch.setattr(health, "queue_storage", lambda: queue_down.storage)
    response = Client().get("/healthz")
    assert (response.status_code, response.content) == (503, b"unavailable: queue")


# --- a periodic run once per period -------------------------------------------------------------------------------

@rule("PLT-4")
@pytest.mark.django_db(transaction=True)
def test_plt4_two_workers_claiming_the_same_period_at_once_get_it_once():
    outcomes = at_once(lambda _: periodic.claim("kehu.receivables.tasks.collection_morning", "2026-12-01"), [1, 2, 3])
    assert sorted(outcomes) == [False, False, True], outcomes
    assert list(PeriodicRun.objects.filter(period="2026-12-01").values_list("skipped", flat=True)) == [2]
    # The next day is a period of its own; another task is a claim of its own.
    assert periodic.claim("kehu.receivables.tasks.collection_morning", "2026-12-02")
    assert periodic.claim("kehu.core.tasks.purge_job_files", "2026-12-01")


@rule("AR-2")
@rule("PLT-4")
@pytest.mark.django_db(transaction=True)
def test_ar2_the_morning_collection_run_queued_by_two_workers_runs_once(customer, product, users):
    from kehu.receivables.models import CollectionTask
    from kehu.receivables.tasks import collection_morning
    from kehu.receivables.tests.builders import invoiced_order

    today = timezone.localdate()
    invoiced_order(customer=customer, product=product, quantity="20", on=today - timedelta(days=30))
    outcomes = at_once(lambda _: collection_morning.call_local(), [1, 2])
    ran = [o for o in outcomes if o is not None]
    assert len(ran) == 1 and ran[0]["tasks"] == 1, outcomes
    assert CollectionTask.objects.count() == 1
    run = PeriodicRun.objects.get()
    assert (run.task, run.period) == ("kehu.receivables.tasks.collection_morning", today.isoformat())
    assert collection_morning.call_local() is None  # a third worker later the same day


@rule("PLT-4")
@pytest.mark.django_db
def test_plt4_a_failed_run_gives_its_period_back():
    calls = []

    @periodic.once_per(periodic.daily)
    def fails():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the mail server is down")
        return "done"

    with pytest.raises(RuntimeError):
        fails()
    assert fails() == "done" and fails() is None
    assert len(calls) == 2


@rule("PLT-4")
def test_plt4_every_periodic_task_of_every_app_claims_its_period():
    """A periodic task without @once_per would run once per worker: each must claim its period."""
    tasks = periodic.periodic_tasks()
    assert {"collection_morning", "purge_job_files", "retry_deliveries"} <= {t.func.__name__ for t in tasks}
    unclaimed = [t.func.__name__ for t in tasks if not hasattr(t.func, "period_of")]
    assert not unclaimed, f"periodic tasks without @once_per (core.periodic): {unclaimed}"
    assert {t.func.__name__: t.func.claim_name for t in tasks}["collection_morning"] == \
        "kehu.receivables.tasks.collection_morning"


@rule("PLT-4")
def test_plt4_periods_are_the_day_the_hour_and_the_slot_of_minutes():
    moment = datetime(2026, 12, 1, 6, 7, 30)
    assert periodic.daily(moment) == "2026-12-01"
    assert periodic.hourly(moment) == "2026-12-01T06"
    assert periodic.every_minutes(5)(moment) == "2026-12-01T06:05"


@rule("PLT-4")
@pytest.mark.django_db
def test_plt4_the_hourly_purge_forgets_claims_of_periods_long_past():
    periodic.claim("t", "old")
    periodic.claim("t", "new")
    PeriodicRun.objects.filter(period="old").update(started_at=timezone.now() - timedelta(days=periodic.KEEP_DAYS + 1))
    assert periodic.forget_old_runs() == 1
    assert list(PeriodicRun.objects.values_list("period", flat=True)) == ["new"]


@rule("PLT-4")
@pytest.mark.django_db
def test_plt4_the_admin_shows_who_ran_each_period_and_may_release_a_claim(users):
    periodic.claim("kehu.receivables.tasks.collection_morning", "2026-12-01")
    run = PeriodicRun.objects.get()
    client = Client()
    client.force_login(users["admin"], backend="django.contrib.auth.backends.ModelBackend")
    users["admin"].is_superuser = True
    users["admin"].save(update_fields=["is_superuser"])
    page = client.get("/admin/core/periodicrun/")
    assert page.status_code == 200 and run.worker in page.content.decode()
    assert client.get(f"/admin/core/periodicrun/{run.pk}/delete/").status_code == 200
    assert client.get("/admin/core/periodicrun/add/").status_code == 403


@rule("PLT-4")
def test_plt4_kehu_job_dir_names_the_directory_every_node_and_worker_shares(tmp_path):
    assert settings_under(KEHU_DATA_DIR=str(tmp_path)).get("job_dir") == str(tmp_path / "jobs")
    shared = tmp_path / "nfs" / "kehu-jobs"
    assert settings_under(KEHU_DATA_DIR=str(tmp_path), KEHU_JOB_DIR=str(shared))["job_dir"] == str(shared)
