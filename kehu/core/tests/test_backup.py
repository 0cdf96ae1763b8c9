"""`kehu backup` (kehu/core/management/commands/backup.py): the file it writes is a real,
complete copy of the database — on SQLite an openable database, on PostgreSQL a pg_dump
archive that pg_restore can read."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import rule

ROOT = Path(__file__).resolve().parents[3]
TABLES = {"accounts_user", "accounts_office", "customers_customer", "customers_keyperson", "django_migrations"}


def run_backup(*args) -> Path:
    out = StringIO()
    call_command("backup", *args, stdout=out)
    return Path(out.getvalue().strip())


def tables_in(path: Path) -> set[str]:
    if connection.vendor == "sqlite":
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    pg_restore = shutil.which("pg_restore") or str(Path(shutil.which("pg_dump")).with_name("pg_restore"))
    listing = subprocess.run([pg_restore, "--list", str(path)], capture_output=True, text=True, check=True).stdout
    return {line.split()[-2] for line in listing.splitlines() if " TABLE public " in line}


@rule("PLT-1")
@pytest.mark.django_db(transaction=True)
def test_it_writes_a_backup_with_every_table_and_the_data(customer, tmp_path):
    path = run_backup("--output", str(tmp_path))

    assert path.parent == tmp_path
    assert path.name.startswith("kehu-")
    assert path.suffix == (".sqlite3" if connection.vendor == "sqlite" else ".dump")
    assert TABLES <= tables_in(path)
    if connection.vendor == "sqlite":
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT code, name FROM customers_customer").fetchall()
        assert rows == [(customer.code, "上海恒丰商贸有限公司")]


@rule("PLT-1")
@pytest.mark.django_db(transaction=True)
def test_it_never_overwrites_an_earlier_backup(tmp_path):
    first = run_backup("--output", str(tmp_path))
    second = run_backup("--output", str(tmp_path))

    assert first != second
    assert first.exists()
    assert second.exists()


@rule("PLT-1")
@pytest.mark.django_db(transaction=True)
def test_it_creates_the_output_directory(tmp_path):
    path = run_backup("--output", str(tmp_path / "nightly" / "kehu"))

    assert path.parent == tmp_path / "nightly" / "kehu"
    assert path.is_file()


@rule("PLT-1")
def test_it_refuses_a_database_it_does_not_know():
    with pytest.raises(CommandError):
        call_command("backup", "--database", "nonexistent", stdout=StringIO())


@pytest.fixture
def open_umask():
    """A process whose umask would leave files readable by everyone (022)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@rule("PLT-3")
@pytest.mark.django_db(transaction=True)
def test_plt3_a_backup_is_readable_by_its_owner_only(customer, tmp_path, open_umask):
    """PLT-3: the backup holds every customer and every payment: the file is 0600 and the
    directory it makes 0700, whatever the umask (before: 0644 and 0755)."""
    path = run_backup("--output", str(tmp_path / "nightly"))
    assert (mode(path), mode(path.parent)) == (0o600, 0o700)
    assert TABLES <= tables_in(path)


@rule("PLT-3")
def test_plt3_the_data_directory_and_the_sqlite_database_are_owner_only(tmp_path):
    """PLT-3: a new data directory is 0700 and the SQLite database Kehu creates in it 0600,
    under a umask of 022 (before: 0755 and 0644)."""
    data = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KEHU_DATA_DIR"}}
    env.update(KEHU_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="kehu.settings", PYTHONPATH=str(ROOT))
    code = ("import os; os.umask(0o022); import django; django.setup(); "
            "from django.db import connection; connection.ensure_connection(); "
            "connection.cursor().execute('CREATE TABLE t (x int)')")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)  # noqa: S603
    assert (mode(data), mode(data / "kehu.sqlite3")) == (0o700, 0o600)
