#!/usr/bin/env bash
# Boots the production configuration on this machine and probes it like nginx and a monitor would:
# `check --deploy`, collectstatic (WhiteNoise manifest), migrate, gunicorn with
# deploy/gunicorn.conf.py, then /healthz, the HTTPS redirect, security headers and a hashed static
# file. CI runs it (.ci/run); run it yourself after changing settings.py or deploy/.
#
# Usage: deploy/smoke-test.sh            (SQLite in a temporary directory, database task queue)
#        DATABASE_URL=postgres://… TASKS_BACKEND=rq deploy/smoke-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
[ -x "$PY" ] || { echo "Run 'make install' first." >&2; exit 1; }

workdir=$(mktemp -d)
port=${SMOKE_PORT:-$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
base="http://127.0.0.1:$port"
host=crm.example.com
gunicorn_pid=

cleanup() {
    if [ -n "$gunicorn_pid" ]; then
        kill -TERM "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

export DJANGO_ENV=production DJANGO_SETTINGS_MODULE=toolcrm.settings
export SECRET_KEY
SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
export PII_KEYS
PII_KEYS=$($PY -c 'from toolcrm.core.crypto import generate_key_spec; print(generate_key_spec("k1"))')
export PII_INDEX_KEY
PII_INDEX_KEY=$($PY -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')
export ALLOWED_HOSTS=$host CSRF_TRUSTED_ORIGINS=https://$host
export DATABASE_URL=${DATABASE_URL:-sqlite:///$workdir/smoke.sqlite3}
export TASKS_BACKEND=${TASKS_BACKEND:-database}
export GUNICORN_BIND=127.0.0.1:$port WEB_CONCURRENCY=2 GUNICORN_THREADS=2
unset DEBUG TOOLCRM_TESTING

step() { printf '\n--- %s\n' "$*"; }
fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }

step "check --deploy (tasks: $TASKS_BACKEND, database: ${DATABASE_URL%%:*})"
$PY manage.py check --deploy --fail-level WARNING

step "collectstatic (WhiteNoise compressed manifest)"
$PY manage.py collectstatic --noinput --clear -v 0
[ -f var/staticfiles/staticfiles.json ] || fail "no staticfiles.json manifest"

step "migrate"
$PY manage.py migrate --noinput -v 0

step "worker ($TASKS_BACKEND) starts and drains the queue (burst mode; same options as the unit)"
if [ "$TASKS_BACKEND" = rq ]; then
    timeout 60 $PY manage.py rqworker --job-class django_tasks_rq.Job --with-scheduler --burst \
        --name "smoke-$$" default
else
    timeout 60 $PY manage.py db_worker --no-reload --batch --worker-id "smoke-$$"
fi

step "gunicorn on $base"
.venv/bin/gunicorn --config deploy/gunicorn.conf.py >"$workdir/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 60); do
    curl -fsS -o /dev/null -H "Host: $host" "$base/healthz" 2>/dev/null && break
    kill -0 "$gunicorn_pid" 2>/dev/null || { cat "$workdir/gunicorn.log"; fail "gunicorn exited"; }
    sleep 0.5
done

step "/healthz over plain HTTP (exempt from the HTTPS redirect)"
health=$(curl -fsS -H "Host: $host" "$base/healthz") || { cat "$workdir/gunicorn.log"; fail "/healthz"; }
echo "$health"
HEALTH="$health" $PY - <<'EOF'
import json, os, sys
body = json.loads(os.environ["HEALTH"])
assert body["database"]["ok"] is True, body
assert body["status"] == "ok", body
assert body["worker"]["backend"] == os.environ["TASKS_BACKEND"], body
EOF

step "plain HTTP page redirects to HTTPS"
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Host: $host" "$base/")
echo "$code"
[ "$code" = "301 https://$host/" ] || fail "expected 301 to https://$host/, got $code"

step "unknown Host header is refused"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: evil.example.net" -H "X-Forwarded-Proto: https" "$base/healthz")
[ "$code" = 400 ] || fail "expected 400 for a foreign Host header, got $code"

step "security headers over (proxied) HTTPS"
login=$($PY -c 'import django; django.setup(); from django.conf import settings; from django.shortcuts import resolve_url; print(resolve_url(settings.LOGIN_URL))')
headers=$(curl -s -D - -o /dev/null -H "Host: $host" -H "X-Forwarded-Proto: https" "$base$login")
echo "$login: $(echo "$headers" | head -1)"
echo "$headers" | head -1 | grep -q " 200" || fail "login page did not answer 200"
for header in "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload" \
              "X-Frame-Options: DENY" "X-Content-Type-Options: nosniff" \
              "Content-Security-Policy: default-src 'self'" "Referrer-Policy: same-origin"; do
    echo "$headers" | grep -qiF "$header" || fail "missing header: $header"
done

step "hashed static file served compressed"
asset=$($PY -c 'import json; print(json.load(open("var/staticfiles/staticfiles.json"))["paths"]["vendor/bootstrap/css/bootstrap.min.css"])')
static=$(curl -s -D - -o /dev/null -H "Host: $host" -H "X-Forwarded-Proto: https" \
    -H "Accept-Encoding: gzip" "$base/static/$asset")
echo "/static/$asset: $(echo "$static" | head -1)"
echo "$static" | grep -qi "^content-encoding: gzip" || fail "static file not served compressed"
echo "$static" | grep -qi "^cache-control: max-age=315360000" || fail "hashed static not cached forever"

step "graceful stop"
kill -TERM "$gunicorn_pid"
wait "$gunicorn_pid" || fail "gunicorn did not stop cleanly"
gunicorn_pid=
echo "deploy smoke test passed"
