"""The `kehu` console script: manage.py with a few shortcuts (`kehu demo`, `kehu worker`,
`kehu serve`, `kehu backup`, `kehu demo-data`, `kehu receipt-counters`)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.settings")
    aliases = {"worker": "run_huey", "demo-data": "demo_data", "collection-day": "collection_day",
               "receipt-counters": "receipt_counters"}
    argv = list(sys.argv)
    if len(argv) > 1 and argv[1] in aliases:
        argv[1] = aliases[argv[1]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
