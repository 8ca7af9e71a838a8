# Sourced by run.sh and h2.sh (after nginx.sh), from the repository's root: the build, the machine's
# description and the HTTP/2 cells, so that both scripts run the same cells the same way.
#
#   build_harness          # builds the load harness and the Go client into $WORK; sets CP and GOCLIENT ("" without Go)
#   describe_machine       # the machine block of the reports, on stdout
#   h2_repetition          # one repetition of the HTTP/2 cells, appended to $H2_RESULTS
#
# The HTTP/2 cells need ROOT, WORK (nginx_start's, with its TLS_PORT and H2_PORT), H2_BASE
# (https://127.0.0.1:H2_PORT), H2_RESULTS, WARMUP, DURATION, CALLERS (e.g. "1 16 64 256"), what build_harness
# sets and nginx_start's NGINX_WORKER_PID. Every cell is bounded in time, and a failed cell only drops its row.

# The HTTP/2 cells' JVM clients, all through RestClient: ours and the JDK client offer h2 by default, Jetty and
# Reactor Netty are built for h2 (Spring builds both for HTTP/1.1); HttpClient 5 classic has no HTTP/2, so
# hc5-tuned speaks HTTP/1.1 over TLS: the reference of the HTTP/1.1 rows.
H2_CLIENTS=(pooled jdk jetty-h2 reactor-h2 hc5-tuned)

build_harness() {
  local mvn=(./mvnw -q -B -Pbenchmarks)
  local skip=(-DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip)
  # Offline first; online when a benchmark dependency is missing from the local repository.
  "${mvn[@]}" -o -pl benchmarks -am install "${skip[@]}" >/dev/null 2>&1 \
    || "${mvn[@]}" -pl benchmarks -am install "${skip[@]}"
  "${mvn[@]}" -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$WORK/cp" >/dev/null
  CP="$ROOT/benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat "$WORK/cp")"
  GOCLIENT=""
  if command -v go >/dev/null; then
    (cd benchmarks/go-client && GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" go build -o "$WORK/goclient" .)
    GOCLIENT=$WORK/goclient
  fi
}

describe_machine() {
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "cores: $(nproc); memory: $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -srm)"
  local jdk25=""   # only where the script runs cells on JDK 25 (run.sh sets JDK25)
  if [ -n "${JDK25:-}" ]; then
    jdk25="; JDK 25: none"
    [ -x "$JDK25/bin/java" ] && jdk25="; JDK 25: $("$JDK25/bin/java" -version 2>&1 | head -1)"
  fi
  echo "java: $(java -version 2>&1 | head -1)$jdk25"
  echo "nginx: $(nginx -v 2>&1); wrk: $({ wrk -v 2>&1 || true; } | head -1); go: $(go version 2>/dev/null || echo none)"
  echo "h2load: $({ h2load --version 2>/dev/null || echo none; } | head -1); GNU time: $([ -x /usr/bin/time ] && echo yes || echo no)"
  echo "cell: ${WARMUP}s warm-up, ${DURATION}s measured, $REPS repetitions; nginx 1 worker shares the $(nproc) cores"
}

h2_java_cell() { # client path concurrency
  timeout $((WARMUP + DURATION + 120)) java -Xms1g -Xmx1g -XX:+UseParallelGC \
    -Djavax.net.ssl.trustStore="$WORK/tls/truststore.p12" -Djavax.net.ssl.trustStorePassword=changeit \
    -Djavax.net.ssl.trustStoreType=PKCS12 -cp "$CP" \
    io.github.pooledtransport.benchmarks.load.LoadRun "$1" "$H2_BASE" "$2" "$3" "$WARMUP" "$DURATION" \
    2> "$WORK/last-stderr" | grep '^{' >> "$H2_RESULTS" \
    || { echo "h2 cell failed: $*" >&2; tail -3 "$WORK/last-stderr" >&2; }
}

h2_go_cell() { # path concurrency: Go's net/http client, which takes h2 over TLS by default
  [ -n "$GOCLIENT" ] || return 0
  timeout $((WARMUP + DURATION + 120)) "$GOCLIENT" -url "$H2_BASE" -path "$1" -c "$2" -w "$WARMUP" -d "$DURATION" \
    -ca "$WORK/tls/cert.pem" >> "$H2_RESULTS" || echo "h2 go cell failed: $*" >&2
}

h2load_cell() { # path concurrency: one connection, as many streams at once as there are callers; the ceiling
  command -v h2load >/dev/null || return 0
  local args=(-c 1 -m "$2" -t 1 "$H2_BASE$1")
  # A warm-up run of its own, as for wrk, so the measured run's CPU (GNU time) and nginx's are the window's.
  timeout $((WARMUP + 30)) h2load -D "$WARMUP" "${args[@]}" >/dev/null 2>&1 || true
  local server0 ctxt0 server1 ctxt1 timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "h2load-cpu %U %S" -o "$WORK/h2load-time")
  echo "h2load-cpu -1 0" > "$WORK/h2load-time"
  server0=$(nginx_ticks); ctxt0=$(awk '/^ctxt/ {print $2}' /proc/stat)
  timeout $((DURATION + 30)) "${timer[@]}" h2load -D "$DURATION" "${args[@]}" > "$WORK/h2load-out" 2>/dev/null || true
  server1=$(nginx_ticks); ctxt1=$(awk '/^ctxt/ {print $2}' /proc/stat)
  awk -v path="$1" -v c="$2" -v server="$((server1 - server0))" -v ctxt="$((ctxt1 - ctxt0))" \
      -v cpu="$(awk '/^h2load-cpu/ {print $2 + $3}' "$WORK/h2load-time")" '
    /^finished in/ { for (i = 1; i <= NF; i++) if ($i == "req/s,") rps = $(i - 1) }
    /^requests:/ { for (i = 1; i <= NF; i++) { if ($i == "done,") done = $(i - 1); if ($i == "succeeded,") ok = $(i - 1) } }
    END { if (rps == "" || done + 0 <= 0) exit
      client = (cpu < 0) ? -1 : cpu * 1e6 / done
      printf "{\"client\":\"h2load\",\"path\":\"%s\",\"concurrency\":%d,\"mode\":\"steady\",\"requests\":%d,\"errors\":%d,\"rps\":%.1f,\"p50_ms\":-1,\"p99_ms\":-1,\"opened\":1,\"time_wait\":0,\"alloc_per_request\":-1,\"client_cpu_us\":%.1f,\"server_cpu_us\":%.1f,\"ctx_switches\":%.2f,\"java\":\"\"}\n", path, c, done, done - ok, rps, client, server * 1e4 / done, ctxt / done }' \
    "$WORK/h2load-out" >> "$H2_RESULTS"
}

h2_repetition() {
  local c client
  for c in $CALLERS; do
    for client in "${H2_CLIENTS[@]}"; do echo "  h2 /1k x $c $client"; h2_java_cell "$client" /1k "$c"; done
    echo "  h2 /1k x $c go"; h2_go_cell /1k "$c"
    echo "  h2 /1k x $c h2load"; h2load_cell /1k "$c"
  done
  for client in "${H2_CLIENTS[@]}"; do echo "  h2 /1m x 16 $client"; h2_java_cell "$client" /1m 16; done
  echo "  h2 /1m x 16 go"; h2_go_cell /1m 16
  echo "  h2 /1m x 16 h2load"; h2load_cell /1m 16
}
