#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster:
#
#     scripts/with-postgres.sh pytest kehu
#
# Creates a cluster in a temporary directory (as the `postgres` user when run as root,
# since the server refuses to run as root), starts it on a free loopback port, creates the
# database `kehu`, exports DATABASE_URL=postgres://kehu@127.0.0.1:PORT/kehu, runs the
# command, and always stops and removes the cluster. Exits with the command's exit code.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

# Find the PostgreSQL server binaries: PATH first, then Debian's versioned directory.
PGBIN=""
if command -v initdb >/dev/null 2>&1; then
    PGBIN="$(dirname "$(readlink -f "$(command -v initdb)")")"
else
    for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then PGBIN="$dir"; break; fi
    done
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
    echo "ERROR: PostgreSQL server binaries (initdb, pg_ctl) not found in PATH or /usr/lib/postgresql/15/bin." >&2
    echo "Install PostgreSQL 15 (Debian: apt-get install postgresql-15) or put its bin directory in PATH." >&2
    exit 1
fi

PG_USER="${KEHU_PG_OS_USER:-postgres}"
if [ "$(id -u)" = 0 ]; then
    if ! id "$PG_USER" >/dev/null 2>&1; then
        echo "ERROR: running as root, but there is no '$PG_USER' user to run PostgreSQL as" >&2
        echo "(PostgreSQL refuses to run as root). Create it or set KEHU_PG_OS_USER." >&2
        exit 1
    fi
    as_pg() { runuser -u "$PG_USER" -- "$@"; }
else
    as_pg() { "$@"; }
fi

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PGTMP="$(mktemp -d "${TMPDIR:-/tmp}/kehu-pg.XXXXXX")"
if [ "$(id -u)" = 0 ]; then chown "$PG_USER" "$PGTMP"; fi
DATA="$PGTMP/data"
LOG="$PGTMP/server.log"

cleanup() {
    rc=$?
    if [ -f "$DATA/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGTMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "with-postgres: initdb in $PGTMP ($PGBIN), port $PORT" >&2
# A throwaway cluster that only listens on loopback: trust auth, durability off for speed.
as_pg "$PGBIN/initdb" -D "$DATA" -U kehu --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 \
    || { cat "$PGTMP/initdb.log" >&2; echo "ERROR: initdb failed" >&2; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start >/dev/null \
    || { cat "$LOG" >&2; echo "ERROR: PostgreSQL did not start" >&2; exit 1; }
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U kehu kehu

export DATABASE_URL="postgres://kehu@127.0.0.1:$PORT/kehu"
export PATH="$PATH:$PGBIN"   # pg_dump/pg_restore of the same version, for `kehu backup`
set +e
"$@"
rc=$?
set -e
exit "$rc"
