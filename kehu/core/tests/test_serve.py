"""`kehu serve` (PLT-1): the public demo secret key is for the demo only."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from conftest import rule
from kehu.core.management.commands.serve import check_secret_key

ROOT = Path(__file__).resolve().parents[3]


@rule("PLT-1")
def test_it_refuses_to_serve_production_with_the_public_demo_key(tmp_path):
    """PLT-1: `kehu serve` without KEHU_SECRET_KEY, not in debug: it stops with a message
    instead of starting gunicorn (before, it served with the key anyone can read)."""
    env = {k: v for k, v in os.environ.items() if k not in {"KEHU_SECRET_KEY", "KEHU_DEBUG", "DATABASE_URL"}}
    env.update(KEHU_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kehu.settings", PYTHONPATH=str(ROOT))
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "kehu", "serve", "--bind", "127.0.0.1:0", "--workers", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    assert "KEHU_SECRET_KEY" in done.stderr
    assert "Serving Kehu" not in done.stdout


@rule("PLT-1")
@pytest.mark.usefixtures("in_english")
@pytest.mark.parametrize(("debug", "demo", "key", "allowed"), [
    (False, False, "kehu-demo-insecure-key-change-me", False),
    (True, False, "kehu-demo-insecure-key-change-me", True),
    (False, True, "kehu-demo-insecure-key-change-me", True),
    (False, False, "a-real-key-" + "x" * 50, True),
])
def test_it_accepts_the_demo_key_only_in_debug_or_demo_mode(settings, debug, demo, key, allowed):
    """PLT-1: `kehu demo` (demo mode) and debug may use the demo key; a real key always serves."""
    settings.DEBUG = debug
    settings.SECRET_KEY = key
    if allowed:
        check_secret_key(demo=demo)
    else:
        with pytest.raises(CommandError, match="public demo secret key: set KEHU_SECRET_KEY"):
            check_secret_key(demo=demo)


@rule("PLT-1")
def test_serve_runs_gunicorn_with_a_timeout_worker_recycling_and_request_size_limits():
    """PLT-1: the gunicorn `kehu serve` starts has a timeout, replaces its workers after
    max-requests with jitter, and caps the request line, the header count and a header's size
    — as gunicorn itself reads the command line (before, only bind and workers were set)."""
    from gunicorn.config import Config

    from kehu.core.management.commands.serve import gunicorn_argv

    argv = gunicorn_argv(bind="127.0.0.1:8000", workers=3, timeout=90)
    config = Config()
    parsed = config.parser().parse_args(argv[3:])
    for name, value in vars(parsed).items():
        if value is not None and name in config.settings:
            config.set(name, value)
    assert (config.workers, config.timeout, config.graceful_timeout, config.max_requests,
            config.max_requests_jitter, config.limit_request_line, config.limit_request_fields,
            config.limit_request_field_size) == (3, 90, 30, 1000, 100, 8190, 100, 8190)
