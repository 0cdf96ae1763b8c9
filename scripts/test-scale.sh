#!/usr/bin/env bash
# The scale-out test (issue 17): Kehu set up as docs/deploy.md says — one PostgreSQL, one
# Redis, two app nodes, two workers, each node and worker with its own data directory as on
# its own machine — then the tests of scale/ through both nodes. `make test-scale` runs it.
#
#     scripts/test-scale.sh [PYTEST ARGS...]
#
# PostgreSQL is a throwaway cluster (scripts/with-postgres.sh); redis-server (Debian's package,
# installed with apt-get when missing and run as root) runs on a free loopback port with its
# data in a temporary directory. Everything is stopped and removed afterwards.
#
# KEHU_SCALE_FALLBACK=1 leaves KEHU_REDIS_URL unset, as a misconfigured deployment would: each
# process then keeps its own cache and each machine its own queue file, and the tests show
# what that breaks (they fail).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PY:-$ROOT/.venv/bin/python}"
KEHU="$(dirname "$PY")/kehu"

if [ -z "${KEHU_SCALE_INNER:-}" ]; then
    if ! command -v redis-server >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ]; then
            echo "test-scale: redis-server not found: installing Debian's redis-server with apt-get" >&2
            apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server
        else
            echo "ERROR: the scale-out test needs redis-server (Debian: apt-get install redis-server)." >&2
            echo "Install it as root, or run make as root." >&2
            exit 1
        fi
    fi
    # The rest runs with a throwaway PostgreSQL (DATABASE_URL), stopped when it ends.
    exec env KEHU_SCALE_INNER=1 "$ROOT/scripts/with-postgres.sh" "$0" "$@"
fi

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

SCALE_TMP="$(mktemp -d "${TMPDIR:-/tmp}/kehu-scale.XXXXXX")"
PIDS=()
cleanup() {
    rc=$?
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ "$rc" != 0 ]; then
        for log in "$SCALE_TMP"/*.log; do [ -s "$log" ] && { echo "--- $log (last lines)" >&2; tail -n 20 "$log" >&2; }; done
    fi
    rm -rf "$SCALE_TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# docs/deploy.md step 1. Redis: one server for the queue (database 0) and the cache (database 1).
REDIS_PORT="$(free_port)"
mkdir -p "$SCALE_TMP/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$SCALE_TMP/redis" --save "" --appendonly no \
    --daemonize no --logfile "$SCALE_TMP/redis.log" &
PIDS+=($!)
"$PY" - "$REDIS_PORT" <<'PYTHON'
import sys, time, redis
for _ in range(100):
    try:
        redis.Redis(port=int(sys.argv[1])).ping()
        break
    except redis.ConnectionError:
        time.sleep(0.1)
else:
    sys.exit("ERROR: redis-server did not start")
PYTHON
echo "test-scale: redis-server on 127.0.0.1:$REDIS_PORT, PostgreSQL at ${DATABASE_URL}" >&2

# Step 2. The environment file every node and worker shares (/etc/kehu/kehu.env), but the
# production-only lines (plain HTTP here, no proxy). kehu/core/tests/test_deploy_doc.py checks it.
export KEHU_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(45))')"
export KEHU_ALLOWED_HOSTS="127.0.0.1,localhost"
export KEHU_LOG_LEVEL="${KEHU_LOG_LEVEL:-WARNING}"
export KEHU_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export KEHU_CACHE_URL="redis://127.0.0.1:$REDIS_PORT/1"
export KEHU_JOB_DIR="$SCALE_TMP/shared-jobs"   # the directory every machine mounts (NFS)
if [ "${KEHU_SCALE_FALLBACK:-0}" = 1 ]; then
    echo "test-scale: KEHU_SCALE_FALLBACK=1: no KEHU_REDIS_URL — per-process cache, a queue file per machine" >&2
    unset KEHU_REDIS_URL KEHU_CACHE_URL
fi
export DJANGO_SETTINGS_MODULE=kehu.settings

# Step 3. Migrations once, from one machine, before any node starts; then a small data set.
echo "test-scale: $(date +%T) migrate" >&2
KEHU_DATA_DIR="$SCALE_TMP/setup" "$KEHU" migrate --noinput >"$SCALE_TMP/migrate.log"
KEHU_DATA_DIR="$SCALE_TMP/setup" "$KEHU" demo-data --customers 30 >"$SCALE_TMP/demo-data.log"

echo "test-scale: $(date +%T) start nodes" >&2
# Steps 4 and 5. Two app nodes and two workers, each with its own data directory.
NODES=()
for name in a b; do
    port="$(free_port)"
    KEHU_DATA_DIR="$SCALE_TMP/node-$name" "$KEHU" serve --bind "127.0.0.1:$port" --workers 2 \
        >"$SCALE_TMP/node-$name.log" 2>&1 &
    PIDS+=($!)
    NODES+=("127.0.0.1:$port")
done
WORKERS=()
for name in 1 2; do
    KEHU_DATA_DIR="$SCALE_TMP/worker-$name" "$KEHU" worker --workers 2 >"$SCALE_TMP/worker-$name.log" 2>&1 &
    PIDS+=($!)
    WORKERS+=($!)
done

# Step 7. Each node answers its load balancer's health check.
for node in "${NODES[@]}"; do
    "$PY" - "$node" <<'PYTHON'
import sys, time, http.client
host, port = sys.argv[1].rsplit(":", 1)
for _ in range(600):
    try:
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("GET", "/healthz")
        if conn.getresponse().status == 200:
            break
    except OSError:
        pass
    time.sleep(0.2)
else:
    sys.exit(f"ERROR: the node at {sys.argv[1]} did not answer /healthz")
PYTHON
done
echo "test-scale: nodes ${NODES[*]}, workers ${WORKERS[*]}" >&2

echo "test-scale: $(date +%T) tests" >&2
# The tests, from a machine of their own.
mkdir -p "$SCALE_TMP/tests"
KEHU_SCALE_NODES="$(IFS=,; echo "${NODES[*]}")" KEHU_SCALE_WORKERS="$(IFS=,; echo "${WORKERS[*]}")" \
KEHU_DATA_DIR="$SCALE_TMP/tests" \
    "$PY" -m pytest -p no:cacheprovider -rs -p kehu.core.pytest_noskip "$@" scale
