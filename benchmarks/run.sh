#!/usr/bin/env bash
# Runs the load benchmarks side by side in one run and writes docs/benchmarks/README.md (tables, targets as
# ratios), one chart per scenario (chart-small.svg, chart-1m.svg, chart-burst.svg, chart-h2.svg), http2.md and
# the raw results they are made from (results.jsonl, http2-results.jsonl, machine.txt, http2-machine.txt; see
# benchmarks/report.sh to make the documents again from those). HTTP/1.1 against nginx on loopback, then the
# same nginx over TLS with HTTP/2 (the cells of benchmarks/h2.sh, from benchmarks/common.sh): ours, the JDK
# client, Jetty and Reactor Netty over h2, HttpClient 5 over HTTP/1.1 as the reference, Go's client and h2load
# as the ceiling. Needs nginx and wrk (Debian: apt-get install nginx wrk), Go (golang-go) for the Go reference
# client and h2load (nghttp2-client) for the HTTP/2 ceiling; a missing wrk, Go or h2load only drops those rows,
# a missing GNU time (package time) only wrk's and h2load's own CPU figure.
#
#   benchmarks/run.sh                      # the full matrix, about an hour on 2 cores
#   WARMUP=1 DURATION=2 REPS=1 benchmarks/run.sh   # a quick smoke run
#   SCENARIOS="h2" CALLERS=64 WARMUP=1 DURATION=1 REPS=1 OUT=/tmp/smoke benchmarks/run.sh   # a few cells only
#
# SCENARIOS picks the scenarios (default all: 1k 1m burst vt h2; vt: the JDK 25 virtual-thread rows of the
# others; h2: the HTTP/2 cells, 1 KiB at CALLERS and 1 MiB at 16), CALLERS the callers of the 1 KiB cells
# (default 1 16 64 256). A run without the HTTP/1.1 scenarios
# leaves README.md, results.jsonl and machine.txt in OUT alone, one without h2 the HTTP/2 files.
# Everything listens on and talks to 127.0.0.1 only, and every cell is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-5}
REPS=${REPS:-3}
PORT=${PORT:-18090}
TLS_PORT=${TLS_PORT:-18446}
H2_PORT=${H2_PORT:-18447}
CALLERS=${CALLERS:-1 16 64 256}
SCENARIOS=${SCENARIOS:-1k 1m burst vt h2}
OUT=${OUT:-$ROOT/docs/benchmarks}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
WORK=$(mktemp -d)
RESULTS=$WORK/results.jsonl
H2_RESULTS=$WORK/http2-results.jsonl
BASE=http://127.0.0.1:$PORT
H2_BASE=https://127.0.0.1:$H2_PORT
: > "$RESULTS"
: > "$H2_RESULTS"
has() { [[ " $SCENARIOS " == *" $1 "* ]]; }

# shellcheck source=benchmarks/nginx.sh
. benchmarks/nginx.sh
# shellcheck source=benchmarks/common.sh
. benchmarks/common.sh

echo "=== Building"
build_harness

echo "=== Starting nginx on $BASE and, with HTTP/2, on $H2_BASE"
trap 'nginx_stop "$WORK"' EXIT
# Every client reports the worker's CPU per request over its measured window (CpuSample.java, go-client).
nginx_start "$WORK" "$PORT" "$TLS_PORT" "$H2_PORT"

java_cell() { # client path concurrency [extra...]
  timeout $((WARMUP + DURATION + 120)) java -Xms1g -Xmx1g -XX:+UseParallelGC -cp "$CP" \
    io.github.pooledtransport.benchmarks.load.LoadRun "$1" "$BASE" "$2" "$3" "$WARMUP" "$DURATION" "${@:4}" \
    | grep '^{' >> "$RESULTS" || echo "cell failed: $*" >&2
}
java25_cell() { # client path concurrency [extra...]: callers on virtual threads, JDK 25
  [ -x "$JDK25/bin/java" ] || return 0
  timeout $((WARMUP + DURATION + 120)) "$JDK25/bin/java" -Xms1g -Xmx1g -XX:+UseParallelGC -cp "$CP" \
    io.github.pooledtransport.benchmarks.load.LoadRun "$1" "$BASE" "$2" "$3" "$WARMUP" "$DURATION" virtual "${@:4}" \
    | grep '^{' >> "$RESULTS" || echo "cell failed: $*" >&2
}
go_cell() { # variant path concurrency [burst]
  [ -n "$GOCLIENT" ] || return 0
  local tuned=false; [ "$1" = tuned ] && tuned=true
  timeout $((WARMUP + DURATION + 120)) "$GOCLIENT" -url "$BASE" -path "$2" -c "$3" -w "$WARMUP" -d "$DURATION" \
    -tuned="$tuned" -burst "${4:-0}" >> "$RESULTS" || echo "go cell failed: $*" >&2
}
wrk_cell() { # path connections
  command -v wrk >/dev/null || return 0
  local threads=$(( $2 < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$2" -d"${WARMUP}s" "$BASE$1" >/dev/null 2>&1 || true
  local server0 ctxt0 server1 ctxt1
  server0=$(nginx_ticks); ctxt0=$(awk '/^ctxt/ {print $2}' /proc/stat)
  local timer=()   # wrk's own CPU, where GNU time is installed (Debian: apt-get install time)
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "wrk-cpu %U %S" -o "$WORK/wrk-time")
  echo "wrk-cpu -1 0" > "$WORK/wrk-time"
  timeout $((DURATION + 30)) "${timer[@]}" wrk -t"$threads" -c"$2" -d"${DURATION}s" --latency "$BASE$1" 2>/dev/null \
    > "$WORK/wrk-out" || true
  server1=$(nginx_ticks); ctxt1=$(awk '/^ctxt/ {print $2}' /proc/stat)
  awk -v path="$1" -v c="$2" -v server="$((server1 - server0))" -v ctxt="$((ctxt1 - ctxt0))" \
      -v cpu="$(awk '/^wrk-cpu/ {print $2 + $3}' "$WORK/wrk-time")" '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) }
    /requests in/ { req = $1 } /Requests\/sec/ { rps = $2 } /Non-2xx/ { errors = $NF }
    END { n = (req > 0) ? req : 1
      if (cpu < 0) cpu = -1e-6 * n
      printf "{\"client\":\"wrk\",\"path\":\"%s\",\"concurrency\":%d,\"mode\":\"steady\",\"requests\":%d,\"errors\":%d,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"opened\":%d,\"time_wait\":0,\"alloc_per_request\":-1,\"client_cpu_us\":%.1f,\"server_cpu_us\":%.1f,\"ctx_switches\":%.2f,\"java\":\"\"}\n", path, c, req, errors, rps, p50, p99, c, cpu * 1e6 / n, server * 1e4 / n, ctxt / n }' \
    "$WORK/wrk-out" >> "$RESULTS"
}

JVM_CLIENTS=(pooled hc5-boot hc5-tuned jdk jetty reactor simple)
for rep in $(seq 1 "$REPS"); do
  echo "=== Repetition $rep of $REPS"
  if has 1k; then
    for c in $CALLERS; do
      # pooled-stream: the transport without RestClient, to show what Spring's layer costs per request.
      for client in "${JVM_CLIENTS[@]}" pooled-stream; do echo "  /1k x $c $client"; java_cell "$client" /1k "$c"; done
      go_cell default /1k "$c"; go_cell tuned /1k "$c"; wrk_cell /1k "$c"
    done
  fi
  if has 1m; then
    for client in "${JVM_CLIENTS[@]}" pooled-stream; do echo "  /1m x 16 $client"; java_cell "$client" /1m 16; done
    go_cell default /1m 16; go_cell tuned /1m 16; wrk_cell /1m 16
  fi
  if has burst; then
    for client in "${JVM_CLIENTS[@]}"; do echo "  burst $client"; java_cell "$client" /1k 200 burst=100; done
    go_cell default /1k 200 100; go_cell tuned /1k 200 100
  fi
  # Ours and the best JVM peer again with callers on virtual threads (JDK 25): no OS thread per caller.
  if has vt && has 1k; then
    for c in $CALLERS; do
      echo "  JDK 25 virtual threads /1k x $c"; java25_cell pooled /1k "$c"; java25_cell hc5-tuned /1k "$c"
    done
  fi
  if has vt && has 1m; then
    echo "  JDK 25 virtual threads /1m x 16"; java25_cell pooled /1m 16; java25_cell hc5-tuned /1m 16
  fi
  if has vt && has burst; then
    echo "  JDK 25 virtual threads burst"; java25_cell pooled /1k 200 burst=100; java25_cell hc5-tuned /1k 200 burst=100
  fi
  # HTTP/2 over TLS against the same nginx (common.sh: the cells benchmarks/h2.sh runs).
  if has h2; then h2_repetition; fi
done

describe_machine > "$WORK/machine.txt"
echo "HTTP/2: over TLS on the same nginx (ALPN h2, 128 streams per connection); h2load on 1 connection" >> "$WORK/machine.txt"
mkdir -p "$OUT"
report=(--machine "$WORK/machine.txt" --out "$OUT")
if [ -s "$RESULTS" ]; then
  cp "$RESULTS" "$OUT/results.jsonl"; cp "$WORK/machine.txt" "$OUT/machine.txt"
  report+=(--results "$OUT/results.jsonl")
fi
if [ -s "$H2_RESULTS" ]; then
  cp "$H2_RESULTS" "$OUT/http2-results.jsonl"; cp "$WORK/machine.txt" "$OUT/http2-machine.txt"
  report+=(--h2 "$OUT/http2-results.jsonl" --h2-machine "$OUT/http2-machine.txt")
fi
if [ -s "$RESULTS" ] || [ -s "$H2_RESULTS" ]; then
  java -cp "$CP" io.github.pooledtransport.benchmarks.load.Report "${report[@]}"
else
  echo "no cell produced a result" >&2; exit 1
fi
