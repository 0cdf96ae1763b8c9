"""What /healthz checks for the load balancer (docs/deploy.md): the database answers, the cache
keeps a value and gives it back, the task queue answers. Each check returns True or raises;
the failure is logged on the node, and the answer names only the part that failed."""

import logging
import secrets

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def shared_cache() -> bool:
    token = secrets.token_hex(8)
    key = f"kehu:healthz:{token}"
    cache.set(key, token, 10)
    try:
        return cache.get(key) == token
    finally:
        cache.delete(key)


def queue_storage():
    from huey.contrib.djhuey import HUEY

    return HUEY.storage


def queue() -> bool:
    queue_storage().queue_size()
    return True


CHECKS = {"database": database, "cache": shared_cache, "queue": queue}


def failures() -> list[str]:
    """The names of the checks that failed, in CHECKS order."""
    failed = []
    for name, check in CHECKS.items():
        try:
            ok = check()
        except Exception as exc:  # any failure of a backing service is a failed check, never a 500
            logger.warning("healthz: %s check failed: %s", name, type(exc).__name__)
            ok = False
        if not ok:
            failed.append(name)
    return failed
