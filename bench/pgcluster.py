"""A PostgreSQL 15 cluster for the benchmark, set up like scripts/with-postgres.sh (trust auth
on loopback, fsync off), but kept in bench/data/<size>-postgres/cluster so that `--reuse`
can start it again instead of generating the data set anew."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path


def _pg_bin() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    for candidate in ["/usr/lib/postgresql/15/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"))]:
        if os.access(f"{candidate}/initdb", os.X_OK):
            return Path(candidate)
    raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql-15.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, directory: Path):
        self.dir = directory
        self.data = directory / "pgdata"
        self.log = directory / "server.log"
        self.bin = _pg_bin()
        self.port: int | None = None
        self.os_user = os.environ.get("KEHU_PG_OS_USER", "postgres") if os.getuid() == 0 else None

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if self.os_user:  # PostgreSQL refuses to run as root
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    @property
    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def create(self) -> None:
        """A fresh, empty cluster (any earlier one in the directory is removed)."""
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        if self.os_user:
            pw = pwd.getpwnam(self.os_user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._run(f"{self.bin}/initdb", "-D", self.data, "-U", "kehu", "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8")

    def start(self) -> str:
        self.port = free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o", options, "start")
        return f"postgres://kehu@127.0.0.1:{self.port}/kehu"

    def create_database(self) -> None:
        self._run(f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "kehu", "kehu")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run(f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
            except subprocess.CalledProcessError:
                pass
