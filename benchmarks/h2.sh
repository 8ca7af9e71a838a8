#!/usr/bin/env bash
# HTTP/2 over TLS against nginx (ALPN h2, nginx's default of 128 streams per connection) alone: the HTTP/2 cells
# that benchmarks/run.sh also runs (both take them from benchmarks/common.sh). Side by side: this transport
# through RestClient (it offers h2 by default), the JDK client (likewise), Jetty and Reactor Netty (asked for h2:
# Spring builds both for HTTP/1.1), HttpClient 5 tuned over HTTP/1.1 as the reference of the HTTP/1.1 rows, Go's
# net/http client (h2 by default) and h2load (package nghttp2-client) on one connection as the ceiling. Writes
# docs/benchmarks/http2.md and chart-h2.svg (Report: medians over the repetitions, ratios to the best JVM peer
# over h2, to Go and to h2load) and the raw results they are made from, http2-results.jsonl and
# http2-machine.txt; README.md keeps the HTTP/2 section of the last run.sh. Needs nginx, Go (golang-go) for the
# Go row and h2load for the ceiling; a missing Go or h2load only drops its row, a missing GNU time (package time)
# only h2load's CPU figure.
#
#   benchmarks/h2.sh                                  # about 15 minutes on 2 cores
#   WARMUP=1 DURATION=2 REPS=1 benchmarks/h2.sh        # a quick smoke run
#   CALLERS=64 WARMUP=1 DURATION=1 REPS=1 OUT=/tmp/h2 benchmarks/h2.sh   # 64 callers (and 1 MiB) only
#
# Everything listens on and talks to 127.0.0.1 only, and every cell is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-5}
REPS=${REPS:-2}
PORT=${PORT:-18091}
TLS_PORT=${TLS_PORT:-18444}
H2_PORT=${H2_PORT:-18445}
CALLERS=${CALLERS:-1 16 64 256}
OUT=${OUT:-$ROOT/docs/benchmarks}
WORK=$(mktemp -d)
H2_RESULTS=$WORK/h2.jsonl
H2_BASE=https://127.0.0.1:$H2_PORT
: > "$H2_RESULTS"

# shellcheck source=benchmarks/nginx.sh
. benchmarks/nginx.sh
# shellcheck source=benchmarks/common.sh
. benchmarks/common.sh

echo "=== Building"
build_harness

echo "=== Starting nginx with HTTP/2 on $H2_BASE"
trap 'nginx_stop "$WORK"' EXIT
nginx_start "$WORK" "$PORT" "$TLS_PORT" "$H2_PORT"

for rep in $(seq 1 "$REPS"); do
  echo "=== Repetition $rep of $REPS"
  h2_repetition
done

[ -s "$H2_RESULTS" ] || { echo "no cell produced a result" >&2; exit 1; }
mkdir -p "$OUT"
cp "$H2_RESULTS" "$OUT/http2-results.jsonl"
{ describe_machine; echo "HTTP/2: benchmarks/h2.sh alone (ALPN h2, 128 streams per connection); h2load on 1 connection"; } \
  > "$OUT/http2-machine.txt"
java -cp "$CP" io.github.pooledtransport.benchmarks.load.Report --h2 "$OUT/http2-results.jsonl" \
  --machine "$OUT/http2-machine.txt" --out "$OUT"
