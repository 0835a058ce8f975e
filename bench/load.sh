#!/usr/bin/env bash
# Load on the production stack: requests per second and p50/p99 latency for four pages.
#
#     bench/load.sh                        # 20 s per page at 50 connections
#     DURATION=60 CONNECTIONS=100 bench/load.sh
#     WEB_CONCURRENCY=4 WEB_THREADS=4 PAGES="floor verify" bench/load.sh   # another gunicorn shape, some pages
#
# Builds a fresh PostgreSQL database (bench_load, dropped first) with the small demo data, collects the static
# files, then starts what `make serve` starts (gunicorn with deploy/gunicorn.conf.py and the task worker, DEBUG
# off, Redis cache) on 127.0.0.1 and drives each page with wrk for DURATION seconds:
#   floor         a hello-world view on the same server, settings and middleware (bench/floor_settings.py)
#   verify        the public verification page of a real certificate
#   my            the trainee's /my/ page with a logged-in session cookie
#   pdf           the trainee's stored certificate PDF
# Two things differ from production, both to measure the pages rather than the guards: plain HTTP on the
# loopback (HTTPS=0), and the verification rate limit raised (VERIFY_RATE_LIMIT) so the page is not refused
# after 60 look-ups. The server logs a line per request as in production, to a file. wrk runs on the same
# machine and takes part of its CPU; the load average before and after is printed, since other work on the
# machine changes the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-50}
PORT=${PORT:-8020}
DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_load}
BASE=http://127.0.0.1:$PORT

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk
fi

work=$(mktemp -d)
web=""
worker=""
cleanup() {
  [ -n "$worker" ] && kill -TERM "$worker" 2>/dev/null || true
  [ -n "$web" ] && kill -TERM "$web" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export DEBUG=0 HTTPS=0 DATABASE_URL CONN_MAX_AGE=60 TASKS_BACKEND=django_tasks_db.DatabaseBackend
export DJANGO_SETTINGS_MODULE=bench.floor_settings
export SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
export VERIFY_RATE_LIMIT=1000000000
export STATIC_ROOT=$work/static MEDIA_ROOT=$work/media
export BIND=127.0.0.1:$PORT

echo "== preparing: fresh database, demo data, static files"
"$PY" deploy/create_database.py --fresh
LOG_LEVEL=WARNING "$PY" manage.py migrate --noinput -v 0
# Static files first: the demo's certificate PDFs name the fonts by their collected (hashed) names.
LOG_LEVEL=WARNING "$PY" manage.py collectstatic --noinput -v 0
LOG_LEVEL=WARNING "$PY" manage.py seed_demo > /dev/null
read -r code course < <(LOG_LEVEL=WARNING "$PY" manage.py shell -v 0 -c '
from certificates.models import Certificate
certificate = Certificate.objects.valid().filter(enrollment__member__user__username="hocvien").select_related("enrollment__course").first()
print(certificate.verification_code, certificate.enrollment.course.code)')

echo "== starting gunicorn (deploy/gunicorn.conf.py) and the task worker"
"$PY" manage.py db_worker > "$work/worker.log" 2>&1 &
worker=$!
"$(dirname "$PY")/gunicorn" -c deploy/gunicorn.conf.py > "$work/web.log" 2>&1 &
web=$!
for _ in $(seq 60); do
  curl -sf -o /dev/null "$BASE/health/" && break
  sleep 1
done
curl -sf -o /dev/null "$BASE/health/" || { echo "gunicorn did not start:"; cat "$work/web.log"; exit 1; }

# The trainee logs in through the real login form; wrk then sends the session cookie.
jar=$work/cookies
token=$(curl -s -c "$jar" "$BASE/accounts/login/" | grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' | head -1 | cut -d'"' -f4)
curl -s -b "$jar" -c "$jar" -o /dev/null -H "Referer: $BASE/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=hocvien" \
  --data-urlencode "password=demo-2026" "$BASE/accounts/login/"
session=$(awk '$6 == "sessionid" { print $7 }' "$jar")
[ -n "$session" ] || { echo "the demo trainee could not log in"; exit 1; }

declare -A url=(
  [floor]="$BASE/bench/floor/"
  [verify]="$BASE/verify/$code/"
  [my]="$BASE/my/"
  [pdf]="$BASE/my/courses/$course/certificate/"
)
declare -A cookie=([floor]="" [verify]="" [my]="sessionid=$session" [pdf]="sessionid=$session")
read -r -a pages <<< "${PAGES:-floor verify my pdf}"

# Each page must answer 200 before it is measured (a redirect to the login page would look fast); the first
# request also renders and stores the certificate PDF, so the run measures serving the stored file.
for page in "${pages[@]}"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${cookie[$page]}" "${url[$page]}")
  [ "$status" = 200 ] || { echo "$page: ${url[$page]} answered $status"; exit 1; }
done

echo "== wrk: ${DURATION}s per page, $CONNECTIONS connections, 2 wrk threads; $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "   gunicorn: ${WEB_CONCURRENCY:-$((2 * $(nproc) + 1))} processes x ${WEB_THREADS:-1} threads; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %12s %10s %10s %8s %10s\n' page "requests/s" "p50 ms" "p99 ms" errors requests
declare -A rps
for page in "${pages[@]}"; do
  header=()
  [ -n "${cookie[$page]}" ] && header=(-H "Cookie: ${cookie[$page]}")
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s "${header[@]}" -s bench/wrk_summary.lua "${url[$page]}" \
    > "$work/$page.wrk"
  read -r _ requests_per_second p50 p99 errors requests < <(grep '^RESULT' "$work/$page.wrk")
  rps[$page]=$requests_per_second
  printf '%-8s %12s %10s %10s %8s %10s\n' "$page" "$requests_per_second" "$p50" "$p99" "$errors" "$requests"
done
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for page in verify my; do
  if [ -n "${rps[floor]:-}" ] && [ -n "${rps[$page]:-}" ]; then
    awk -v floor="${rps[floor]}" -v page="${rps[$page]}" -v name="$page" \
      'BEGIN { printf "%s at %.0f%% of the floor'"'"'s throughput (target: 50%% or more)\n", name, 100 * page / floor }'
  fi
done
if grep -q '"level": "ERROR"' "$work/web.log"; then
  echo "errors in the server log:"
  grep '"level": "ERROR"' "$work/web.log" | head -5
fi
