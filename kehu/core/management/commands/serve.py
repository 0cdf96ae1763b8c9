"""`kehu serve`: collect static files, then run gunicorn (production server)."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def check_secret_key(*, demo: bool) -> None:
    """The public demo key signs nothing in production: refused unless in debug or demo mode."""
    if settings.SECRET_KEY == settings.DEMO_SECRET_KEY and not (settings.DEBUG or demo):
        raise CommandError(_(
            "Kehu will not serve with the public demo secret key: set KEHU_SECRET_KEY to 50 or more "
            "random characters (or run `kehu demo` for the demo)."
        ))


# gunicorn's limits (docs/admin-guide.md): a worker stuck longer than the timeout is restarted;
# each worker is replaced after max-requests (± jitter, so they do not all restart at once),
# which bounds what a leak can hold; request lines, header counts and header sizes are capped.
GUNICORN_DEFAULTS = {
    "timeout": 120,
    "graceful_timeout": 30,
    "max_requests": 1000,
    "max_requests_jitter": 100,
    "limit_request_line": 8190,
    "limit_request_fields": 100,
    "limit_request_field_size": 8190,
}


def gunicorn_argv(*, bind: str, workers: int, **limits) -> list[str]:
    """The gunicorn command line of `kehu serve`: GUNICORN_DEFAULTS unless given."""
    values = {**GUNICORN_DEFAULTS, **{k: v for k, v in limits.items() if v is not None}}
    argv = [
        sys.executable, "-m", "gunicorn", "kehu.wsgi:application",
        "--bind", bind,
        "--workers", str(workers),
        "--access-logfile", "-",
    ]  # fmt: skip
    for name, value in values.items():
        # gunicorn spells the last one with an underscore: --limit-request-field_size
        flag = "--limit-request-field_size" if name == "limit_request_field_size" else "--" + name.replace("_", "-")
        argv += [flag, str(value)]
    return argv


class Command(BaseCommand):
    help = "Collect static files, then serve Kehu with gunicorn (replaces this process)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to listen on (default %(default)s)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default %(default)s)")
        for name, default in GUNICORN_DEFAULTS.items():
            parser.add_argument("--" + name.replace("_", "-"), type=int, default=None, dest=name,
                                help=f"gunicorn --{name.replace('_', '-')} (default {default})")
        parser.add_argument("--demo", action="store_true",
                            help="demo mode (set by `kehu demo`): the public demo secret key is accepted")

    def handle(self, *args, bind, workers, demo=False, **options):
        check_secret_key(demo=demo)
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv(bind=bind, workers=workers, **{name: options.get(name) for name in GUNICORN_DEFAULTS})
        self.stdout.write(f"Serving Kehu on http://{bind} with {workers} gunicorn workers")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
        os.execv(sys.executable, argv)  # noqa: S606 - this interpreter running gunicorn, no shell
