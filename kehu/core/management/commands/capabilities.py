"""kehu capabilities: the capability table — which role may do what (core.capabilities)."""

from django.core.management.base import BaseCommand

from kehu.core.capabilities import table
from kehu.core.roles import Role


class Command(BaseCommand):
    help = "Print the capability table: one row per capability, a column per role (x = holds it)."

    def handle(self, *args, **options):
        roles = list(Role)
        width = max(len(c.key) for c in table())
        self.stdout.write(" " * width + "  " + " ".join(r.value[:8].ljust(8) for r in roles))
        for capability in table():
            marks = " ".join(("x" if r in capability.roles else ".").ljust(8) for r in roles)
            self.stdout.write(f"{capability.key.ljust(width)}  {marks}  {capability.label}")
