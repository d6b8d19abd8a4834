#!/usr/bin/env bash
# Reading-page benchmark: fresh bench data, gunicorn as in production, wrk on 127.0.0.1, and
# a dated section appended to bench/RESULTS.md. `make bench` runs it with the database up.
#
# Settings (environment): BENCH_WORKS (2000), BENCH_SEED (1), BENCH_DURATION (10s),
# BENCH_THREADS (2), BENCH_CONNECTIONS (8), BENCH_GUNICORN_WORKERS (2).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
WORKS=${BENCH_WORKS:-2000}
SEED=${BENCH_SEED:-1}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
GUNICORN_WORKERS=${BENCH_GUNICORN_WORKERS:-2}
RESULTS=bench/RESULTS.md
HOST=127.0.0.1

# The bench empties its database: never the development one.
if [[ -z "${DATABASE_URL:-}" && "${ARCHIVE_DB_NAME:-archive}" == archive ]]; then
  echo "bench/run.sh: set ARCHIVE_DB_NAME (make bench uses archive_bench) or DATABASE_URL" \
    "to a database the bench may empty." >&2
  exit 2
fi
command -v wrk >/dev/null || { echo "bench/run.sh: wrk is not installed" >&2; exit 2; }

# Production-like: no debug, a throwaway key, plain HTTP on the loopback.
export DJANGO_SETTINGS_MODULE=bench.settings
export DJANGO_DEBUG=0 SECURE_SSL_REDIRECT=0
SECRET_KEY=${SECRET_KEY:-bench-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}
export SECRET_KEY

echo "== Bench data: $WORKS generated works (seed $SEED) in ${ARCHIVE_DB_NAME:-DATABASE_URL}"
$PY manage.py migrate --noinput --verbosity 0
$PY manage.py flush --noinput --verbosity 0
$PY manage.py import_seeds --verbosity 0
generated=$($PY manage.py generate_works --works "$WORKS" --seed "$SEED" \
  --chapters-work 10 --long-work-words 100000)
echo "$generated"
chapter_path=$(sed -n 's/^chaptered work: .*middle chapter \(\/works\/[0-9]*\/chapters\/[0-9]*\).*/\1/p' \
  <<<"$generated")
long_path=$(sed -n 's/^long work: \(\/works\/[0-9]*?view_full_work=true\).*/\1/p' <<<"$generated")
generation_rate=$(tail -n 1 <<<"$generated")
if [[ -z "$chapter_path" || -z "$long_path" ]]; then
  echo "bench/run.sh: generate_works did not print the bench works' URLs" >&2
  exit 1
fi
$PY manage.py collectstatic --noinput --verbosity 0

port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp -t bench-gunicorn.XXXXXX)
$PY -m gunicorn archive.wsgi --bind "$HOST:$port" --workers "$GUNICORN_WORKERS" \
  --log-level warning >"$log" 2>&1 &
gunicorn_pid=$!
stop_gunicorn() {
  kill "$gunicorn_pid" 2>/dev/null && wait "$gunicorn_pid" 2>/dev/null
  rm -f "$log"
}
trap stop_gunicorn EXIT

base="http://$HOST:$port"
for _ in $(seq 50); do
  curl -fs -o /dev/null "$base/hello" && break
  sleep 0.2
done

declare -a names=("hello (bare Django view)" "chapter page, 10-chapter work"
  "full work, 100,000 words")
declare -a paths=("/hello" "$chapter_path" "$long_path")
# Each page must be the page itself (not an error, a redirect or the adult-content gate).
declare -a expected=("hello" "Chapter Benchmark" "Word Benchmark")
for i in "${!paths[@]}"; do
  page=$(curl -s -w '\n%{http_code}' "$base${paths[$i]}")
  status=${page##*$'\n'}
  if [[ "$status" != 200 || "$page" != *"${expected[$i]}"* ]]; then
    echo "bench/run.sh: ${paths[$i]} answered $status without '${expected[$i]}'" >&2
    cat "$log" >&2
    exit 1
  fi
done

declare -a results
for i in "${!paths[@]}"; do
  url="$base${paths[$i]}"
  # A short run first, so templates are compiled and connections open before measuring.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$url" >/dev/null
  line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s -s bench/report.lua "$url" \
    | grep '^RESULT ')
  results[i]=$line
  echo "${names[$i]}: ${line#RESULT }"
done

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"${results[$1]}"; }

# Timings of error answers say nothing about the pages: record no such run.
for i in "${!paths[@]}"; do
  if [[ "$(field "$i" non2xx)" != 0 || "$(field "$i" errors)" != 0 ]]; then
    echo "bench/run.sh: ${paths[$i]} had $(field "$i" non2xx) non-2xx answers and" \
      "$(field "$i" errors) socket errors; nothing appended to $RESULTS" >&2
    exit 1
  fi
done

hello_rps=$(field 0 rps)
chapter_rps=$(field 1 rps)
chapter_p95=$(field 1 p95_ms)
share=$(awk -v a="$chapter_rps" -v b="$hello_rps" 'BEGIN { printf "%.0f", 100 * a / b }')
throughput_met=$(awk -v s="$share" 'BEGIN { print (s >= 25) ? "met" : "not met" }')
latency_met=$(awk -v p="$chapter_p95" 'BEGIN { print (p <= 30) ? "met" : "not met" }')

{
  [[ -s "$RESULTS" ]] || printf '# Reading-page benchmark results\n\nAppended by `make bench` (bench/run.sh).\n'
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Code: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' with uncommitted changes'); $($PY --version)"
  echo "- Server: gunicorn, $GUNICORN_WORKERS sync workers, DJANGO_DEBUG=0, on $HOST; PostgreSQL ${ARCHIVE_DB_NAME:+embedded, database $ARCHIVE_DB_NAME}${DATABASE_URL:+from DATABASE_URL}"
  echo "- Data: $WORKS generated works (seed $SEED) plus the seeds, a 10-chapter and a 100,000-word work; generation: ${generation_rate}"
  echo "- Load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, after a 2 s warm-up per page"
  echo
  echo "| page | URL | requests/s | p50 ms | p95 ms | p99 ms | KiB/response | non-2xx/errors |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for i in "${!paths[@]}"; do
    echo "| ${names[$i]} | \`${paths[$i]}\` | $(field "$i" rps) | $(field "$i" p50_ms) | $(field "$i" p95_ms) | $(field "$i" p99_ms) | $(field "$i" kb_per_request) | $(field "$i" non2xx)/$(field "$i" errors) |"
  done
  echo
  echo "Goal: the chapter page at >= 25% of hello's throughput: ${share}%, ${throughput_met};" \
    "chapter page p95 <= 30 ms: ${chapter_p95} ms, ${latency_met}."
} >>"$RESULTS"
echo "Appended to $RESULTS: chapter page at ${share}% of hello (${throughput_met}), p95 ${chapter_p95} ms (${latency_met})."
