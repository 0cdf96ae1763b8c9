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


class Command(BaseCommand):
    help = "Collect static files, then serve Kehu with gunicorn (replaces this process)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port to listen on (default %(default)s)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default %(default)s)")
        parser.add_argument("--demo", action="store_true",
                            help="demo mode (set by `kehu demo`): the public demo secret key is accepted")

    def handle(self, *args, bind, workers, demo=False, **options):
        check_secret_key(demo=demo)
        call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable, "-m", "gunicorn", "kehu.wsgi:application",
            "--bind", bind,
            "--workers", str(workers),
            "--access-logfile", "-",
        ]  # fmt: skip
        self.stdout.write(f"Serving Kehu on http://{bind} with {workers} gunicorn workers")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
        os.execv(sys.executable, argv)  # noqa: S606 - this interpreter running gunicorn, no shell
