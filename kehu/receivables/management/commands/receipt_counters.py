"""`kehu receipt-counters [--at-least OFFICE=N ...]`: each office's last receipt number, and
after restoring a backup the counters moved past the receipts already written on paper (AR-1)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kehu.core.errors import DomainError
from kehu.receivables import services


def parse_at_least(values: list[str]) -> dict[str, int]:
    wanted = {}
    for value in values:
        code, sep, number = value.partition("=")
        if not sep or not code.strip() or not number.strip().isdigit():
            raise CommandError(_("--at-least takes OFFICE=NUMBER, e.g. SH01=1234, not “%(value)s”.")
                               % {"value": value})
        wanted[code.strip()] = int(number.strip())
    return wanted


class Command(BaseCommand):
    help = ("List each office's last receipt number; with --at-least OFFICE=N, move the office's counter "
            "so that the next receipt is numbered after N (never back). Use it after restoring a backup.")

    def add_arguments(self, parser):
        parser.add_argument("--at-least", action="append", default=[], metavar="OFFICE=NUMBER",
                            help="the last receipt number of the office already on paper (repeat per office)")

    def handle(self, *args, at_least, **options):
        if at_least:
            try:
                changed = services.receipt_counters_at_least(parse_at_least(at_least))
            except DomainError as exc:
                raise CommandError(str(exc.message)) from None
            for code, before, after in changed:
                self.stdout.write(_("%(office)s: last receipt number %(before)d → %(after)d")
                                  % {"office": code, "before": before, "after": after})
            return
        for code, name, value in services.receipt_counters():
            self.stdout.write(f"{code}\t{value}\t{name}")
