#!/usr/bin/env bash
# Load on the production stack: requests per second and p50/p99 latency for four pages and two floors.
#
#     bench/load.sh                        # 20 s per page at 50 connections, three rounds
#     DURATION=60 CONNECTIONS=100 bench/load.sh           # WARMUP=3 (seconds per page, not measured)
#     WEB_CONCURRENCY=4 WEB_THREADS=4 PAGES="floor verify" bench/load.sh   # another gunicorn shape, some pages
#
# Builds a fresh PostgreSQL database (bench_load, dropped first) with the small demo data, collects the static
# files, then starts what `make serve` starts (gunicorn with deploy/gunicorn.conf.py and the task worker, DEBUG
# off, Redis cache, so verification pages are served from it) on 127.0.0.1 and drives each page with wrk for
# DURATION seconds, ROUNDS times (medians printed at the end):
#   floor         a hello-world view on the same server, settings and middleware (bench/floor_settings.py)
#   floor-user    the same view after reading the logged-in user (session cookie): what any page costs that loads
#                 the user (a stored /my/ page does not: portal/page_cache.py)
#   verify        the public verification page of a real certificate
#   my            the trainee's /my/ page with a logged-in session cookie, as stored in the cache after the first look
#   my-fresh      the same page rendered from the database, as after any write it shows (a query string skips the
#                 stored page)
#   pdf           the trainee's stored certificate PDF
# Two things differ from production, both to measure the pages rather than the guards: plain HTTP on the
# loopback (HTTPS=0), and the verification rate limit raised (VERIFY_RATE_LIMIT), so that look-ups that read the
# database (the first, and each after a write) are never refused. The server logs a line per request as in production, to a file. wrk runs on the same
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
certificate = Certificate.objects.valid().filter(enrollment__member__user__username="hvpham26").select_related("enrollment__course").first()
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
  --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "username=hvpham26" \
  --data-urlencode "password=demo-2026" "$BASE/accounts/login/"
session=$(awk '$6 == "sessionid" { print $7 }' "$jar")
[ -n "$session" ] || { echo "the demo trainee could not log in"; exit 1; }

declare -A url=(
  [floor]="$BASE/bench/floor/"
  [floor-user]="$BASE/bench/floor/user/"
  [verify]="$BASE/verify/$code/"
  [my]="$BASE/my/"
  [my-fresh]="$BASE/my/?fresh=1"
  [pdf]="$BASE/my/courses/$course/certificate/"
)
declare -A cookie=([floor]="" [floor-user]="sessionid=$session" [verify]="" [my]="sessionid=$session" [my-fresh]="sessionid=$session" [pdf]="sessionid=$session")
read -r -a pages <<< "${PAGES:-floor floor-user verify my my-fresh pdf}"

# Each page must answer 200 before it is measured (a redirect to the login page would look fast); the first
# request also renders and stores the certificate PDF, so the run measures serving the stored file.
for page in "${pages[@]}"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${cookie[$page]}" "${url[$page]}")
  [ "$status" = 200 ] || { echo "$page: ${url[$page]} answered $status"; exit 1; }
done
# The database settles after the demo data (autovacuum), and every server process warms up on every page (its
# database connection, templates, caches) before any page is measured.
"$PY" manage.py shell -v 0 -c 'from django.db import connection; connection.cursor().execute("VACUUM ANALYZE")'
for page in "${pages[@]}"; do
  header=()
  [ -n "${cookie[$page]}" ] && header=(-H "Cookie: ${cookie[$page]}")
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP:-3}s" "${header[@]}" "${url[$page]}" > /dev/null
done

ROUNDS=${ROUNDS:-3}
echo "== wrk: ${DURATION}s per page, pages in turn, $ROUNDS rounds; $CONNECTIONS connections, 2 wrk threads; $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "   gunicorn: ${WEB_CONCURRENCY:-$((2 * $(nproc) + 1))} processes x ${WEB_THREADS:-1} threads; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The pages take turns, round after round, so that a slow spell of the machine falls on all of them alike.
printf '%-10s %5s %12s %10s %10s %8s %10s\n' page round "requests/s" "p50 ms" "p99 ms" errors requests
for round in $(seq "$ROUNDS"); do
  for page in "${pages[@]}"; do
    header=()
    [ -n "${cookie[$page]}" ] && header=(-H "Cookie: ${cookie[$page]}")
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s "${header[@]}" -s bench/wrk_summary.lua "${url[$page]}" \
      > "$work/$page.wrk"
    read -r _ requests_per_second p50 p99 errors requests < <(grep '^RESULT' "$work/$page.wrk")
    echo "$page $requests_per_second $p50 $p99 $errors $requests" >> "$work/results"
    printf '%-10s %5s %12s %10s %10s %8s %10s\n' "$page" "$round" "$requests_per_second" "$p50" "$p99" "$errors" \
      "$requests"
  done
done
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$work/results" <<'SUMMARY'
import statistics, sys

runs = {}
for line in open(sys.argv[1]):
    page, *figures = line.split()
    runs.setdefault(page, []).append([float(figure) for figure in figures])
print(f"== medians of the rounds\n{'page':<10} {'requests/s':>12} {'p50 ms':>10} {'p99 ms':>10} {'errors':>8}")
median = {page: [statistics.median(column) for column in zip(*rows)] for page, rows in runs.items()}
for page, (rps, p50, p99, errors, _requests) in median.items():
    print(f"{page:<10} {rps:>12.1f} {p50:>10.2f} {p99:>10.2f} {sum(row[3] for row in runs[page]):>8.0f}")
targets = {"floor-user": "no target: a page that loads the user costs at least this", "verify": "target: 50% or more",
           "my": "target: 50% or more", "my-fresh": "no target: /my/ from the database, as after a write"}
for page, target in targets.items():
    if "floor" in median and page in median:
        print(f"{page} at {100 * median[page][0] / median['floor'][0]:.0f}% of the floor's throughput ({target})")
SUMMARY
if grep -q '"level": "ERROR"' "$work/web.log"; then
  echo "errors in the server log:"
  grep '"level": "ERROR"' "$work/web.log" | head -5
fi
