#!/usr/bin/env bash
# Reading- and listing-page benchmark: bench data (reused when the database already holds the
# same), gunicorn as in production, wrk on 127.0.0.1, the database time of each listing page
# (EXPLAIN ANALYZE), and a dated section appended to bench/RESULTS.md. `make bench` runs it
# with the database up.
#
# Settings (environment): BENCH_WORKS (100000), BENCH_SEED (1), BENCH_FRESH (0; 1 regenerates
# the data even when it could be reused), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (8), BENCH_GUNICORN_WORKERS (2), BENCH_EXPLAIN_RUNS (20), BENCH_SYNONYMS
# (0: the generated tags stay unwrangled; PERCENT wrangles them, that share made synonyms).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
WORKS=${BENCH_WORKS:-100000}
SEED=${BENCH_SEED:-1}
SYNONYMS=${BENCH_SYNONYMS:-0}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
GUNICORN_WORKERS=${BENCH_GUNICORN_WORKERS:-2}
EXPLAIN_RUNS=${BENCH_EXPLAIN_RUNS:-20}
RESULTS=bench/RESULTS.md
HOST=127.0.0.1

# The bench empties its database: never the development one.
if [[ -z "${DATABASE_URL:-}" && "${ARCHIVE_DB_NAME:-archive}" == archive ]]; then
  echo "bench/run.sh: set ARCHIVE_DB_NAME (make bench uses archive_bench_WORKS) or DATABASE_URL" \
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
# The database's comment records what was generated into it (and generate_works' report):
# generating a million works takes minutes, so the same data is reused.
marker="bench data: $WORKS works, seed $SEED"
wrangle_option=()
synonyms_note=""
if [[ "$SYNONYMS" != 0 ]]; then
  marker+=", $SYNONYMS% synonyms"
  wrangle_option=(--synonyms "$SYNONYMS")
  synonyms_note=", wrangled with $SYNONYMS% of their tags synonyms"
fi
db_comment() {
  $PY manage.py shell --verbosity 0 -c "
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute(
        'SELECT shobj_description(oid, %s) FROM pg_database WHERE datname = current_database()',
        ['pg_database'],
    )
    print(cursor.fetchone()[0] or '')"
}
generated=$(db_comment)
if [[ "${BENCH_FRESH:-0}" == 1 || "$(head -n 1 <<<"$generated")" != "$marker" ]]; then
  $PY manage.py flush --noinput --verbosity 0
  $PY manage.py import_seeds --verbosity 0
  generated=$(printf '%s\n%s' "$marker" "$($PY manage.py generate_works --works "$WORKS" \
    --seed "$SEED" --chapters-work 10 --long-work-words 100000 "${wrangle_option[@]}" \
    --verbosity 0)")
  # Fresh statistics, so the planner sees the generated tags' frequencies.
  $PY manage.py shell --verbosity 0 -c "
import sys
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute('VACUUM ANALYZE')
    cursor.execute(
        'SELECT format(%s, current_database(), %s)',
        ['COMMENT ON DATABASE %I IS %L', sys.stdin.read()],
    )
    cursor.execute(cursor.fetchone()[0])" <<<"$generated"
  data_note="generated now"
else
  data_note="reused from an earlier run"
fi
echo "$generated ($data_note)"
chapter_path=$(sed -n 's/^chaptered work: .*middle chapter \(\/works\/[0-9]*\/chapters\/[0-9]*\).*/\1/p' \
  <<<"$generated")
long_path=$(sed -n 's/^long work: \(\/works\/[0-9]*?view_full_work=true\).*/\1/p' <<<"$generated")
generation_rate="$(tail -n 1 <<<"$generated") ($data_note)"
wrangling=$(sed -n 's/^Wrangled /wrangled /p' <<<"$generated")
if [[ -z "$chapter_path" || -z "$long_path" ]]; then
  echo "bench/run.sh: generate_works did not print the bench works' URLs" >&2
  exit 1
fi
$PY manage.py collectstatic --noinput --verbosity 0
# The listing scenarios' paths: the most popular fandom's page (page 500 needs 10,000 of its
# works), a filter on it, a full-text search and the fandom index.
eval "$($PY manage.py shell --verbosity 0 -c 'from bench.listings import scenarios; scenarios()')"
echo "Tag: $tag_name; filter: $filter_description; search: $search_word"

port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp -t bench-gunicorn.XXXXXX)
$PY -m gunicorn -c python:archive.serving --bind "$HOST:$port" --workers "$GUNICORN_WORKERS" \
  --log-level warning --access-logfile /dev/null >"$log" 2>&1 &
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
  "full work, 100,000 words" "tag page 1" "tag page 500" "filter, 3 in + 2 out + rating + complete"
  "free-text search" "fandom index")
declare -a paths=("/hello" "$chapter_path" "$long_path" "$tag_page_path" "$tag_deep_path"
  "$filter_path" "$search_path" "/fandoms")
# Each page must be the page itself (not an error, a redirect, the adult-content gate or an
# empty listing).
# Without the closing '>': the list carries ARIA attributes after its class.
listed='<ol class="work index group"'
declare -a expected=("hello" "Chapter Benchmark" "Word Benchmark" "$listed" "$listed" "$listed"
  "$listed" "media-index")
# The listings (paths[3] on) are the ones with targets and database times.
first_listing=3
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
  line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -s bench/report.lua "$url" \
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

# Database time: each listing's SQL (as Django runs it) under EXPLAIN ANALYZE, repeated.
echo "Database time of the listings' SQL, $EXPLAIN_RUNS runs each:"
declare -a db_results
while read -r line; do
  index=${line#DBTIME }
  index=${index%% *}
  db_results[index]=$line
  echo "${names[$((first_listing + index))]}: ${line#DBTIME "$index" }"
done < <($PY manage.py shell --verbosity 0 -c "
import sys
from bench.listings import database_time
database_time(sys.stdin.read().split(), repeat=$EXPLAIN_RUNS)
" <<<"$(printf '%s\n' "${paths[@]:first_listing}")" | grep '^DBTIME ')
db_field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"${db_results[$1]}"; }

hello_rps=$(field 0 rps)
chapter_rps=$(field 1 rps)
chapter_p95=$(field 1 p95_ms)
share=$(awk -v a="$chapter_rps" -v b="$hello_rps" 'BEGIN { printf "%.0f", 100 * a / b }')
throughput_met=$(awk -v s="$share" 'BEGIN { print (s >= 25) ? "met" : "not met" }')
latency_met=$(awk -v p="$chapter_p95" 'BEGIN { print (p <= 30) ? "met" : "not met" }')
# verdict A OP B, OP being <= or >=: "met" or "not met".
verdict() {
  awk -v a="$1" -v op="$2" -v b="$3" \
    'BEGIN { ok = op == "<=" ? a + 0 <= b + 0 : a + 0 >= b + 0; print ok ? "met" : "not met" }'
}
# The listing targets (set for 1,000,000 works): database p95 <= 15 ms, server p95 <= 50 ms,
# throughput >= 10% of hello's, each for every listing; page 500 within 2x page 1 (p50).
listing_rows() {
  for i in "${!paths[@]}"; do
    ((i >= first_listing)) || continue
    local d=$((i - first_listing)) rps p95 db95 share_i
    rps=$(field "$i" rps)
    p95=$(field "$i" p95_ms)
    db95=$(db_field "$d" p95_ms)
    share_i=$(awk -v a="$rps" -v b="$hello_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
    echo "| ${names[$i]} | $(db_field "$d" queries) | $(db_field "$d" p50_ms) | $db95 $(verdict "$db95" "<=" 15) | $(db_field "$d" plan_ms) | $(db_field "$d" slowest_ms) | $p95 $(verdict "$p95" "<=" 50) | ${share_i}% $(verdict "$share_i" ">=" 10) |"
  done
}
deep_p50=$(field $((first_listing + 1)) p50_ms)
first_p50=$(field "$first_listing" p50_ms)
deep_ratio=$(awk -v a="$deep_p50" -v b="$first_p50" 'BEGIN { printf "%.2f", a / b }')
deep_db_ratio=$(awk -v a="$(db_field 1 p50_ms)" -v b="$(db_field 0 p50_ms)" \
  'BEGIN { printf "%.2f", a / b }')

{
  [[ -s "$RESULTS" ]] || printf '# Reading-page benchmark results\n\nAppended by `make bench` (bench/run.sh).\n'
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Code: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' with uncommitted changes'); $($PY --version)"
  echo "- Server: gunicorn (archive.serving), $GUNICORN_WORKERS asyncio workers, DJANGO_DEBUG=0, on $HOST; PostgreSQL ${ARCHIVE_DB_NAME:+embedded, database $ARCHIVE_DB_NAME}${DATABASE_URL:+from DATABASE_URL}"
  echo "- Data: $WORKS generated works (seed $SEED) plus the seeds, a 10-chapter and a 100,000-word work${synonyms_note}; generation: ${generation_rate}${wrangling:+; $wrangling}"
  echo "- Listings: tag $tag_name; filter $filter_description; search '$search_word'"
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
  echo
  echo "Listings: database time is the sum of EXPLAIN (ANALYZE, BUFFERS) execution times of the"
  echo "page's SELECTs (captured from the Django test client, anonymous), p50/p95 over"
  echo "$EXPLAIN_RUNS runs; planning time is beside it. Targets (for 1,000,000 works): database"
  echo "p95 <= 15 ms, server p95 <= 50 ms, throughput >= 10% of hello's."
  echo
  echo "| listing | queries | db p50 ms | db p95 ms | planning ms | slowest query ms | server p95 ms | share of hello |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  listing_rows
  echo
  echo "Page 500 against page 1 (target within 2x): server p50 ${deep_ratio}x" \
    "($(verdict "$deep_ratio" "<=" 2)), database p50 ${deep_db_ratio}x ($(verdict "$deep_db_ratio" "<=" 2))."
} >>"$RESULTS"
echo "Appended to $RESULTS: chapter page at ${share}% of hello (${throughput_met}), p95 ${chapter_p95} ms (${latency_met});" \
  "page 500 at ${deep_ratio}x page 1."
