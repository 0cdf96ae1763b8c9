"""Huey entry point: `kehu worker` runs the consumer (SQLite storage by default, Redis when
KEHU_REDIS_URL is set). Apps define their tasks in <app>/tasks.py; djhuey discovers them."""

from huey.contrib.djhuey import HUEY as huey  # noqa: F401
