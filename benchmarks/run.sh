#!/usr/bin/env bash
# Runs the load benchmarks side by side in one run and writes docs/benchmarks/README.md (tables, targets as
# ratios) and docs/benchmarks/throughput.svg. Needs nginx and wrk (Debian: apt-get install nginx wrk), and Go
# (golang-go) for the Go reference client; a missing wrk or Go only drops those rows, a missing GNU time
# (package time) only wrk's own CPU figure.
#
#   benchmarks/run.sh                      # the full matrix, about 40 minutes on 2 cores
#   WARMUP=1 DURATION=2 REPS=1 benchmarks/run.sh   # a quick smoke run
#
# Everything listens on and talks to 127.0.0.1 only, and every cell is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-5}
REPS=${REPS:-3}
PORT=${PORT:-18090}
OUT=${OUT:-$ROOT/docs/benchmarks}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
WORK=$(mktemp -d)
RESULTS=$WORK/results.jsonl
BASE=http://127.0.0.1:$PORT

echo "=== Building"
./mvnw -q -B -Pbenchmarks -pl benchmarks -am install -DskipTests
./mvnw -q -B -o -Pbenchmarks -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$WORK/cp"
CP="$ROOT/benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat "$WORK/cp")"
GOCLIENT=""
if command -v go >/dev/null; then
  (cd benchmarks/go-client && GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" go build -o "$WORK/goclient" .)
  GOCLIENT=$WORK/goclient
fi

echo "=== Starting nginx on $BASE"
# shellcheck source=benchmarks/nginx.sh
. benchmarks/nginx.sh
trap 'nginx_stop "$WORK"' EXIT
# Every client reports the worker's CPU per request over its measured window (CpuSample.java, go-client).
nginx_start "$WORK" "$PORT"

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
  wrk -t"$threads" -c"$2" -d"$((WARMUP))s" "$BASE$1" >/dev/null 2>&1 || true
  local server0 ctxt0 server1 ctxt1
  server0=$(nginx_ticks); ctxt0=$(awk '/^ctxt/ {print $2}' /proc/stat)
  local timer=()   # wrk's own CPU, where GNU time is installed (Debian: apt-get install time)
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "wrk-cpu %U %S" -o "$WORK/wrk-time")
  echo "wrk-cpu -1 0" > "$WORK/wrk-time"
  "${timer[@]}" wrk -t"$threads" -c"$2" -d"${DURATION}s" --latency "$BASE$1" 2>/dev/null > "$WORK/wrk-out"
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
nginx_ticks() { # utime + stime of the nginx worker, in 1/100 s
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$NGINX_WORKER_PID/stat"
}

JVM_CLIENTS=(pooled hc5-boot hc5-tuned jdk jetty reactor simple)
for rep in $(seq 1 "$REPS"); do
  echo "=== Repetition $rep of $REPS"
  for c in 1 16 64 256; do
    # pooled-stream: the transport without RestClient, to show what Spring's layer costs per request.
    for client in "${JVM_CLIENTS[@]}" pooled-stream; do echo "  /1k x $c $client"; java_cell "$client" /1k "$c"; done
    go_cell default /1k "$c"; go_cell tuned /1k "$c"; wrk_cell /1k "$c"
  done
  for client in "${JVM_CLIENTS[@]}" pooled-stream; do echo "  /1m x 16 $client"; java_cell "$client" /1m 16; done
  go_cell default /1m 16; go_cell tuned /1m 16; wrk_cell /1m 16
  for client in "${JVM_CLIENTS[@]}"; do echo "  burst $client"; java_cell "$client" /1k 200 burst=100; done
  go_cell default /1k 200 100; go_cell tuned /1k 200 100
  # Ours and the best JVM peer again with callers on virtual threads (JDK 25): no OS thread per caller.
  for c in 1 16 64 256; do
    echo "  JDK 25 virtual threads /1k x $c"; java25_cell pooled /1k "$c"; java25_cell hc5-tuned /1k "$c"
  done
  echo "  JDK 25 virtual threads /1m x 16"; java25_cell pooled /1m 16; java25_cell hc5-tuned /1m 16
  echo "  JDK 25 virtual threads burst"; java25_cell pooled /1k 200 burst=100; java25_cell hc5-tuned /1k 200 burst=100
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cores: $(nproc); memory: $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -srm)"
  echo "java: $(java -version 2>&1 | head -1); JDK 25: $("$JDK25/bin/java" -version 2>&1 | head -1 || echo none)"
  echo "nginx: $(nginx -v 2>&1); wrk: $({ wrk -v 2>&1 || true; } | head -1); go: $(go version 2>/dev/null || echo none)"
  echo "cell: ${WARMUP}s warm-up, ${DURATION}s measured, $REPS repetitions; nginx 1 worker shares the 2 cores"
} > "$WORK/machine.txt"
mkdir -p "$OUT"
cp "$RESULTS" "$OUT/results.jsonl"
java -cp "$CP" io.github.pooledtransport.benchmarks.load.Report "$OUT/results.jsonl" "$OUT" "$WORK/machine.txt"
