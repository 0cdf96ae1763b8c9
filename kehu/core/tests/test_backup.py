"""`kehu backup` (kehu/core/management/commands/backup.py): the file it writes is a real,
complete copy of the database — on SQLite an openable database, on PostgreSQL a pg_dump
archive that pg_restore can read."""

import shutil
import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import rule

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
