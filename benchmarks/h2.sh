#!/usr/bin/env bash
# HTTP/2 over TLS against nginx (ALPN h2, nginx's default of 128 streams per connection), side by side: this
# transport through RestClient (it offers h2 by default), the JDK client (likewise), Jetty and Reactor Netty
# (asked for h2: Spring builds both for HTTP/1.1), HttpClient 5 tuned over HTTP/1.1 as the reference of the
# HTTP/1.1 rows, Go's net/http client (h2 by default) and h2load (package nghttp2-client) on one connection as
# the ceiling. Writes docs/benchmarks/http2.md (medians over the repetitions) and its raw results. Needs nginx,
# Go (golang-go) for the Go row and h2load for the ceiling; a missing Go or h2load only drops its row.
#
#   benchmarks/h2.sh                                  # about 15 minutes on 2 cores
#   WARMUP=1 DURATION=2 REPS=1 benchmarks/h2.sh        # a quick smoke run
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
OUT=${OUT:-$ROOT/docs/benchmarks}
WORK=$(mktemp -d)
RESULTS=$WORK/h2.jsonl
BASE=https://127.0.0.1:$H2_PORT
: > "$RESULTS"

echo "=== Building"
./mvnw -q -B -Pbenchmarks -pl benchmarks -am install -DskipTests
./mvnw -q -B -o -Pbenchmarks -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$WORK/cp"
CP="$ROOT/benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat "$WORK/cp")"
GOCLIENT=""
if command -v go >/dev/null; then
  (cd benchmarks/go-client && GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" go build -o "$WORK/goclient" .)
  GOCLIENT=$WORK/goclient
fi

echo "=== Starting nginx with HTTP/2 on $BASE"
# shellcheck source=benchmarks/nginx.sh
. benchmarks/nginx.sh
trap 'nginx_stop "$WORK"' EXIT
nginx_start "$WORK" "$PORT" "$TLS_PORT" "$H2_PORT"

java_cell() { # client path concurrency
  timeout $((WARMUP + DURATION + 120)) java -Xms1g -Xmx1g -XX:+UseParallelGC \
    -Djavax.net.ssl.trustStore="$WORK/tls/truststore.p12" -Djavax.net.ssl.trustStorePassword=changeit \
    -Djavax.net.ssl.trustStoreType=PKCS12 -cp "$CP" \
    io.github.pooledtransport.benchmarks.load.LoadRun "$1" "$BASE" "$2" "$3" "$WARMUP" "$DURATION" \
    2> "$WORK/last-stderr" | grep '^{' >> "$RESULTS" || { echo "cell failed: $*" >&2; tail -3 "$WORK/last-stderr" >&2; }
}
go_cell() { # path concurrency
  [ -n "$GOCLIENT" ] || return 0
  timeout $((WARMUP + DURATION + 120)) "$GOCLIENT" -url "$BASE" -path "$1" -c "$2" -w "$WARMUP" -d "$DURATION" \
    -ca "$WORK/tls/cert.pem" >> "$RESULTS" || echo "go cell failed: $*" >&2
}
h2load_cell() { # path concurrency: one connection, as many streams at once as there are callers
  command -v h2load >/dev/null || return 0
  local out
  out=$(timeout $((WARMUP + DURATION + 60)) h2load -c 1 -m "$2" -t 1 --warm-up-time="${WARMUP}s" \
    -D "$DURATION" "$BASE$1" 2>/dev/null || true)
  echo "$out" | awk -v path="$1" -v c="$2" '
    /^finished in/ { for (i = 1; i <= NF; i++) if ($i == "req/s,") rps = $(i - 1) }
    /^requests:/ { done = $(NF - 11) }
    END { if (rps != "") printf "{\"client\":\"h2load\",\"path\":\"%s\",\"concurrency\":%d,\"rps\":%.1f,\"opened\":1,\"client_cpu_us\":-1}\n", path, c, rps }' \
    >> "$RESULTS"
}

CLIENTS=(pooled jdk jetty-h2 reactor-h2 hc5-tuned)
for rep in $(seq 1 "$REPS"); do
  echo "=== Repetition $rep of $REPS"
  for c in 1 16 64 256; do
    for client in "${CLIENTS[@]}"; do echo "  /1k x $c $client"; java_cell "$client" /1k "$c"; done
    echo "  /1k x $c go"; go_cell /1k "$c"
    echo "  /1k x $c h2load"; h2load_cell /1k "$c"
  done
  for client in "${CLIENTS[@]}"; do echo "  /1m x 16 $client"; java_cell "$client" /1m 16; done
  go_cell /1m 16; h2load_cell /1m 16
done

mkdir -p "$OUT"
cp "$RESULTS" "$OUT/http2-results.jsonl"
# Medians per client and cell (the mean of the middle two for an even count).
awk '
  function field(line, name,   m) { if (match(line, "\"" name "\":\"?[^,\"}]*")) { m = substr(line, RSTART, RLENGTH); sub(/^"[^"]*":"?/, "", m); return m } return "" }
  { key = field($0, "path") " " field($0, "concurrency") " " field($0, "client"); n[key]++
    rps[key, n[key]] = field($0, "rps"); opened[key] = field($0, "opened"); cpu[key, n[key]] = field($0, "client_cpu_us") }
  function median(a, key, count,   i, j, t, v) { for (i = 1; i <= count; i++) v[i] = a[key, i] + 0
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return (count % 2) ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2 }
  END { for (key in n) { split(key, k, " ")
      printf "%s|%d|%s|%.0f|%s|%.1f\n", k[1], k[2], k[3], median(rps, key, n[key]), opened[key], median(cpu, key, n[key]) } }
' "$RESULTS" | sort -t'|' -k1,1 -k2,2n -k4,4nr > "$WORK/medians"
{
  echo "# HTTP/2 over TLS against nginx"
  echo
  echo "Produced by \`benchmarks/h2.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(java -version 2>&1 | head -1),"
  echo "$(nginx -v 2>&1), $(go version 2>/dev/null || echo 'no Go'), $(h2load --version 2>/dev/null | head -1 || echo 'no h2load')."
  echo "Each cell: ${WARMUP} s warm-up, ${DURATION} s measured, median of $REPS repetitions; nginx (1 worker) shares the"
  echo "cores. \`opened\` is the connections nginx accepted in the measured window; \`cpu µs\` the client's CPU per"
  echo "request (-1: not measured). hc5-tuned speaks HTTP/1.1 (HttpClient 5 classic has no HTTP/2): the reference."
  echo "Our \`opened\` is above 1 at these rates because a connection of ours retires after 32,767 streams (the frame"
  echo "library misreads stream ids from 65,536 on, issue 16): at 10,000 requests/s, a new connection every 3 s."
  echo "Reading it: the JVM clients' \`opened\` counts one connection for nginx's own status reading; Go's does not."
  echo
  echo "| path | callers | client | requests/s | opened | cpu µs/request |"
  echo "|---|---:|---|---:|---:|---:|"
  awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, ($3 == "pooled") ? "**pooled (ours)**" : $3, $4, $5, $6 }' "$WORK/medians"
} > "$OUT/http2.md"
cat "$OUT/http2.md"
