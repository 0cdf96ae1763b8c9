"""`kehu collection-day [--date YYYY-MM-DD]`: the morning collection run (AR-2) now, as the
worker runs it at 06:00: promises judged, the day's calls, visits and follow-ups made."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.receivables import services


class Command(BaseCommand):
    help = ("Run the daily collection work now: judge promises to pay that fell due, make the day's "
            "reminder calls, collection visits and promise follow-ups. Running it twice makes nothing twice.")

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", default=None,
                            help="The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, day, **options):
        try:
            on = date.fromisoformat(day.strip()) if day else timezone.localdate()
        except ValueError:
            raise CommandError(_("--date must be a date as YYYY-MM-DD, not “%(value)s”.") % {"value": day}) from None
        counts = services.collection_day(today=on)
        self.stdout.write(_("Collection day %(day)s: new collection tasks %(tasks)d, promises kept %(kept)d, "
                            "promises broken %(broken)d, tasks no longer needed %(dropped)d.")
                          % {"day": on.isoformat(), **counts})
