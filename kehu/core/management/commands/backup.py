"""`kehu backup [--output DIR]`: a consistent copy of the database, taken while Kehu runs.

SQLite: the sqlite3 online backup API, to ``kehu-YYYYmmdd-HHMMSS.sqlite3``.
PostgreSQL: ``pg_dump -Fc`` to ``kehu-YYYYmmdd-HHMMSS.dump`` (restore with pg_restore).
Prints the path of the file written.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from kehu.core.private import private_dir, private_file


def find_pg_dump() -> str:
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = glob.glob("/usr/lib/postgresql/*/bin/pg_dump")
    if candidates:  # the newest version reads the older servers too
        return max(candidates, key=lambda c: int(Path(c).parts[-3]) if Path(c).parts[-3].isdigit() else 0)
    raise CommandError("pg_dump not found: install the PostgreSQL client (Debian: apt-get install postgresql-client-15).")


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and print the file's path."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=None, help="directory for the backup file (default: KEHU_DATA_DIR/backups)"
        )
        parser.add_argument("--database", default="default", help="database alias (default %(default)s)")

    def handle(self, *args, output, database, **options):
        if database not in connections:
            raise CommandError(f"No database called {database!r} in DATABASES.")
        connection = connections[database]
        directory = Path(output) if output else Path(settings.DATA_DIR) / "backups"
        private_dir(directory)  # 0700, and the file 0600: a backup holds everything (core.private)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        if connection.vendor == "sqlite":
            path = private_file(self._unique(directory / f"kehu-{stamp}.sqlite3"))
            self._backup_sqlite(connection, path)
        elif connection.vendor == "postgresql":
            path = private_file(self._unique(directory / f"kehu-{stamp}.dump"))
            self._backup_postgresql(connection, path)
        else:
            raise CommandError(f"Backups of {connection.vendor} databases are not supported.")
        self.stdout.write(str(path))

    @staticmethod
    def _unique(path: Path) -> Path:
        n = 1
        candidate = path
        while candidate.exists():
            n += 1
            candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        return candidate

    @staticmethod
    def _backup_sqlite(connection, path: Path) -> None:
        # Through Django's own connection, so a database shared in memory (tests) works too;
        # the backup API copies a consistent snapshot while others keep writing.
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    @staticmethod
    def _backup_postgresql(connection, path: Path) -> None:
        params = connection.settings_dict
        command = [find_pg_dump(), "--format=custom", "--no-owner", "--file", str(path)]
        if params.get("HOST"):
            command += ["--host", str(params["HOST"])]
        if params.get("PORT"):
            command += ["--port", str(params["PORT"])]
        if params.get("USER"):
            command += ["--username", str(params["USER"])]
        command.append(str(params["NAME"]))
        env = {**os.environ}
        if params.get("PASSWORD"):
            env["PGPASSWORD"] = str(params["PASSWORD"])
        # A fixed program with arguments from settings, no shell.
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
