#!/usr/bin/env bash
# PLT-2: fuzz every operation of /api/schema/ with Schemathesis against a live server on a
# throwaway SQLite database with demo data, as a salesperson and as the GM (token auth).
# Checks: no 5xx, answers conform to the schema, every error answer is JSON.
# Usage: scripts/api-fuzz.sh [python]   (FUZZ_EXAMPLES=25 per operation, FUZZ_SEED=2026)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="${1:-.venv/bin/python}"
BIN="$(cd "$(dirname "$PY")" && pwd)"  # absolute, the venv's own (symlinks kept)
PY="$BIN/$(basename "$PY")"
EXAMPLES="${FUZZ_EXAMPLES:-25}"
SEED="${FUZZ_SEED:-2026}"
WORK="$(mktemp -d)"
chmod 700 "$WORK"
export KEHU_DATA_DIR="$WORK/var" DJANGO_SETTINGS_MODULE=kehu.settings KEHU_LOG_LEVEL=ERROR
export KEHU_LOGIN_FAILURE_LIMIT=1000000
unset DATABASE_URL
SERVER=""
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py collectstatic --no-input -v 0
"$PY" manage.py demo_data --customers 200 >/dev/null
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# The server's own tracebacks (the log) go to a file, shown only when a check failed.
"$PY" -m gunicorn kehu.wsgi -b "127.0.0.1:$PORT" -w 2 --timeout 60 --log-level warning \
  >"$WORK/server.log" 2>&1 &
SERVER=$!

# One token for each role: a salesperson and the GM.
read -r SALES_TOKEN GM_TOKEN < <("$PY" -c '
import django; django.setup()
from kehu.accounts.services import api_token_create
from kehu.accounts.models import User
from kehu.core.roles import Role
sales = User.objects.filter(role=Role.SALESPERSON, is_active=True).order_by("pk").first()
gm = User.objects.get(username="gm")
print(api_token_create(by=sales, name="api-fuzz").key, api_token_create(by=gm, name="api-fuzz").key)')

for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/schema/?format=json" -H "Authorization: Token $GM_TOKEN" && break
  sleep 0.2
done
curl -sf -o "$WORK/schema.json" "http://127.0.0.1:$PORT/api/schema/?format=json" -H "Authorization: Token $GM_TOKEN"

status=0
for role in salesperson gm; do
  token="$SALES_TOKEN"; [ "$role" = gm ] && token="$GM_TOKEN"
  echo "== Schemathesis as the $role: $EXAMPLES examples per operation, seed $SEED"
  # From the temporary directory, so that Schemathesis leaves nothing in the repository.
  (cd "$WORK" && "$BIN/schemathesis" run "$WORK/schema.json" --url "http://127.0.0.1:$PORT" \
    -H "Authorization: Token $token" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --seed "$SEED" \
    --generation-database none --workers 1 --no-shrink \
    --request-timeout 30 --no-color) || status=1
done
if [ $status != 0 ]; then
  echo "== The server's log"; grep -v -E '^(Bad Request|Not Found|Forbidden|Conflict|Unsupported Media Type|Method Not Allowed|Unauthorized):' "$WORK/server.log" || true
fi
exit $status
