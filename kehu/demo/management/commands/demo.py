"""`kehu demo`: migrate, load demo data on a fresh database, print the demo logins and serve."""

import socket
import subprocess
import sys
import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.core.roles import Role, Scope
from kehu.core.scopes import scope_of
from kehu.customers.models import Customer
from kehu.customers.selectors import customers_visible_to
from kehu.demo.generate import DEFAULT_CUSTOMERS, DEMO_PASSWORD

# The logins worth trying, in the order a visitor would: top down, then the back office.
SHOWN_LOGINS = ["gm", "vp", "manager1", "director1", "sales1", "sales2", "service", "finance", "admin"]


def demo_logins() -> list[dict]:
    """One row per demo login: who they are and how many customers they see."""
    users = {u.username: u for u in User.objects.select_related("office").filter(username__in=SHOWN_LOGINS)}
    what = {Scope.OWN: _("own customers"), Scope.TEAM: _("office subtree"), Scope.ALL: _("all customers")}
    rows = []
    for username in SHOWN_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        scope = scope_of(user)
        rows.append({
            "username": username,
            "role": str(Role(user.role).label),
            "office": user.office.name if user.office else "",
            "sees": f"{what.get(scope, '-')} ({customers_visible_to(user).count():,})",
        })
    return rows


def _width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def port_taken(bind: str) -> bool:
    """Whether something already listens on `bind` (then gunicorn would fail five times over)."""
    host, _sep, port = bind.rpartition(":")
    with socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]") or "0.0.0.0", int(port)))  # noqa: S104 — the address gunicorn will take
        except OSError:
            return True
    return False


def url_for(bind: str) -> str:
    host, _sep, port = bind.rpartition(":")
    if host in ("", "0.0.0.0", "[::]", "::"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Migrate, load demo data if there are no customers yet, print the demo logins and serve Kehu."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS,
                            help="Demo customers to create on a fresh database (default %(default)s).")
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address to serve on (default %(default)s).")
        parser.add_argument("--no-serve", action="store_true", help="Prepare and print the logins, do not serve.")

    def handle(self, *args, customers, bind, no_serve, **options):
        verbosity = options["verbosity"]
        if not no_serve and port_taken(bind):
            port = bind.rpartition(":")[2]
            # Both languages: the message is read before anyone has chosen one.
            raise CommandError(f"端口 {port} 已被占用，请换一个端口，例如：make demo PORT=8002\n"
                               f"Port {port} is taken; choose another one, e.g. make demo PORT=8002")
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        if not Customer.objects.exists():
            call_command("demo_data", customers=customers, verbosity=verbosity, stdout=self.stdout)
        self.print_logins(url=url_for(bind))
        if not no_serve:
            # The worker too, so that a demo left running does its morning collection run; Ctrl-C
            # stops both (they share the terminal's process group).
            subprocess.Popen([sys.executable, "-m", "kehu", "worker"])  # noqa: S603 — this interpreter, no shell
            call_command("serve", bind=bind, workers=2, demo=True)

    def print_logins(self, *, url: str):
        rows = demo_logins()
        widths = {key: max(_width(row[key]) for row in rows) for key in ("username", "role", "office")}
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins")))
        for row in rows:
            self.stdout.write(
                f"  {_pad(row['username'], widths['username'])} — {_pad(row['role'], widths['role'])} — "
                f"{_pad(row['office'], widths['office'])} — {row['sees']}"
            )
        self.stdout.write(_("Password for all of them: %(password)s") % {"password": DEMO_PASSWORD})
        self.stdout.write(_("Other logins: manager2…, director2…, sales3… (same password)."))
        self.stdout.write(_("Open %(url)s") % {"url": url})
