#!/usr/bin/env bash
# Compares our client through RestClient (LoadRun's "pooled" cell) between a baseline commit and this working
# tree: 1 and 64 callers on platform threads (JDK 17) and on virtual threads (JDK 25), and a POST of 1 KiB over
# https at 64 callers. Baseline and new runs alternate (A B, then B A, ...) so drift in the machine hits both
# alike; each cell is its own JVM. Prints, and writes to $OUT, the medians per cell with their ratios and every
# run. Needs nginx, openssl and keytool; everything listens on and talks to 127.0.0.1 only.
#
#   benchmarks/compare.sh 72f5c9a                  # about 25 minutes on 2 cores with the defaults
#   RUNS=1 WARMUP=1 DURATION=2 benchmarks/compare.sh HEAD~1   # a smoke run
#
# Both trees run the load harness of this tree (its benchmarks/.../load is copied over the baseline's), so only
# the transport differs. Each tree is built into its own private local Maven repository (M2_BASE, M2_NEW; by
# default copies of ~/.m2/repository under the work directory), never into ~/.m2. Before each pair it waits,
# within QUIET_BUDGET seconds over the whole comparison, until the machine is quiet: fewer than QUIET_CORES
# cores busy over a 3 s sample and no other java process above 5 % of a core; the 1-minute load and the busy
# cores at each run go into the table, and so do the cores other processes used during each measured window.
# (The 1-minute load itself lags a minute behind our own previous cell, so it is recorded, not waited for,
# except once before the first pair.)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASELINE=${1:?usage: benchmarks/compare.sh <baseline commit>}
# 15 s of warm-up: on 2 cores C2 is still compiling the request path 3 s in, and that one-time work would be
# counted as per-request cost (docs/benchmarks/issue-11-overhead.md, session 3).
WARMUP=${WARMUP:-15}
DURATION=${DURATION:-8}
RUNS=${RUNS:-5}
PORT=${PORT:-18090}
TLS_PORT=${TLS_PORT:-18443}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
QUIET_BUDGET=${QUIET_BUDGET:-600}
QUIET_CORES=${QUIET_CORES:-0.25}
WORK=${COMPARE_WORK:-$(mktemp -d)}
OUT=${OUT:-$WORK/compare.md}
M2_BASE=${M2_BASE:-$WORK/m2-base}
M2_NEW=${M2_NEW:-$WORK/m2-new}
RESULTS=$WORK/results.jsonl
BASE_TREE=$WORK/base

# shellcheck source=benchmarks/nginx.sh
. benchmarks/nginx.sh
cleanup() {
  nginx_stop "$WORK"
  git -C "$ROOT" worktree remove --force "$BASE_TREE" 2>/dev/null || true
}
trap cleanup EXIT

private_repo() { # dir: a private copy of ~/.m2/repository without our own SNAPSHOTs
  [ -d "$1" ] && return 0
  cp -a "$HOME/.m2/repository" "$1"   # a real copy: a hard link could be rewritten in place by an install
  rm -rf "$1/io/github/pooledtransport"
}
build_tree() { # tree repo classpath-file
  local mvn=(./mvnw -q -B -Pbenchmarks -Dmaven.repo.local="$2")
  (cd "$1"
   # Offline first; online (quietly retried) when a benchmark dependency such as the Netty BOM is missing.
   "${mvn[@]}" -o -pl benchmarks -am install -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip >/dev/null 2>&1 \
     || "${mvn[@]}" -pl benchmarks -am install -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip
   "${mvn[@]}" -o -pl benchmarks dependency:build-classpath -Dmdep.outputFile="$3")
  # The installed jar: it outlives the baseline's worktree, so the classpath can be reused after the run.
  echo "$(ls "$2"/io/github/pooledtransport/benchmarks/*/benchmarks-*.jar | head -1):$(cat "$3")" > "$3"
}

echo "=== Building baseline $BASELINE and this tree"
git -C "$ROOT" worktree add --detach "$BASE_TREE" "$BASELINE" >/dev/null
# The load harness only: the JMH benchmarks use internal APIs that may differ between the two trees.
LOAD=benchmarks/src/main/java/io/github/pooledtransport/benchmarks/load
rm -rf "${BASE_TREE:?}/$LOAD" && cp -r "$ROOT/$LOAD" "$BASE_TREE/$LOAD"
private_repo "$M2_BASE"
private_repo "$M2_NEW"
build_tree "$BASE_TREE" "$M2_BASE" "$WORK/cp-base"
build_tree "$ROOT" "$M2_NEW" "$WORK/cp-new"
for t in base new; do
  echo "  $t: transport-core $(tr ':' '\n' < "$WORK/cp-$t" | grep transport-core | xargs sha1sum | cut -c1-12)"
done

echo "=== Starting nginx on 127.0.0.1:$PORT and https on 127.0.0.1:$TLS_PORT"
nginx_start "$WORK" "$PORT" "$TLS_PORT"

sample() { # prints "busy-cores max-other-java-%" over a 3 s window
  local pids ticks0 ticks1
  pids=$(pgrep -x java || true)
  java_ticks() { # a process may end between pgrep and here
    for p in $pids; do awk -v p="$p" '{ sub(/^.*\) /, ""); print p, $12 + $13 }' "/proc/$p/stat" 2>/dev/null || true; done
  }
  ticks0=$(java_ticks); local cpu0; cpu0=$(head -1 /proc/stat)
  sleep 3
  ticks1=$(java_ticks); local cpu1; cpu1=$(head -1 /proc/stat)
  local busy java
  busy=$(printf '%s\n%s\n' "$cpu0" "$cpu1" | awk -v n="$(nproc)" '
    { t = 0; for (i = 2; i <= NF; i++) t += $i; idle = $5 + $6 }
    NR == 1 { t0 = t; i0 = idle } NR == 2 { printf "%.2f", n * (1 - (idle - i0) / (t - t0)) }')
  java=$(printf '%s\n--\n%s\n' "$ticks0" "$ticks1" | awk '
    $1 == "--" { second = 1; next } NF == 2 && !second { a[$1] = $2 }
    NF == 2 && second && ($1 in a) { d = ($2 - a[$1]) / 3; if (d > m) m = d } END { printf "%.0f", m + 0 }')
  echo "$busy $java"
}
WAITED=0
wait_quiet() { # [load]: also wait for the 1-minute load below 1.0
  while :; do
    read -r BUSY JAVA_MAX < <(sample) || { BUSY=9; JAVA_MAX=100; }
    LOAD1=$(cut -d' ' -f1 /proc/loadavg)
    local quiet
    quiet=$(awk -v b="$BUSY" -v q="$QUIET_CORES" -v j="$JAVA_MAX" -v l="$LOAD1" -v want="${1:-}" \
      'BEGIN { print (b < q && j <= 5 && (want == "" || l < 1.0)) ? 1 : 0 }')
    [ "$quiet" = 1 ] && return 0
    if [ "$WAITED" -ge "$QUIET_BUDGET" ]; then
      echo "    (not quiet: busy $BUSY cores, other java $JAVA_MAX %, load $LOAD1; wait budget spent)"
      return 0
    fi
    sleep 7; WAITED=$((WAITED + 10))
  done
}

# label jvm scheme path callers [LoadRun options...]; CELLS="label jvm ...;label ..." replaces the list, for
# example CELLS="burst-200 17 http /1k 200 burst=100" for the cold burst (200 callers x 100 requests).
if [ -n "${CELLS:-}" ]; then
  IFS=';' read -r -a CELLS <<< "$CELLS"
else
  CELLS=(
    "platform-1 17 http /1k 1"
    "platform-64 17 http /1k 64"
    "virtual-1 25 http /1k 1 virtual"
    "virtual-64 25 http /1k 64 virtual"
    "https-post-64 17 https /post 64 post"
  )
fi
run_cell() { # tree run label jvm scheme path callers [options...]
  local tree=$1 run=$2 label=$3 jvm=java scheme=$5 path=$6 callers=$7 port=$PORT
  [ "$4" = 25 ] && jvm=$JDK25/bin/java
  [ "$scheme" = https ] && port=$TLS_PORT
  local line
  line=$(timeout $((WARMUP + DURATION + 120)) "$jvm" -Xms1g -Xmx1g -XX:+UseParallelGC \
      -Djavax.net.ssl.trustStore="$WORK/tls/truststore.p12" -Djavax.net.ssl.trustStorePassword=changeit \
      -Djavax.net.ssl.trustStoreType=PKCS12 -cp "$(cat "$WORK/cp-$tree")" \
      io.github.pooledtransport.benchmarks.load.LoadRun pooled "$scheme://127.0.0.1:$port" "$path" "$callers" \
      "$WARMUP" "$DURATION" "${@:8}" 2> "$WORK/last-stderr" | grep '^{' || true)
  if [ -z "$line" ]; then
    echo "    cell failed: $tree $label (stderr in $WORK/stderr-$tree-$label-$run)" >&2
    cp "$WORK/last-stderr" "$WORK/stderr-$tree-$label-$run"
    return 0
  fi
  local tags="\"tree\":\"$tree\",\"cell\":\"$label\",\"run\":$run,\"load1\":$LOAD1,\"busy\":$BUSY"
  echo "{$tags,${line#\{}" >> "$RESULTS"
  echo "    $tree: $(echo "$line" | grep -o '"rps":[0-9.]*'), $(echo "$line" | grep -o '"client_cpu_us":[0-9.-]*')"
}

: > "$RESULTS"
wait_quiet load
for run in $(seq 1 "$RUNS"); do
  order=(base new); [ $((run % 2)) = 0 ] && order=(new base)
  for cell in "${CELLS[@]}"; do
    read -r -a c <<< "$cell"
    echo "=== Run $run of $RUNS: ${c[0]} (${order[*]})"
    wait_quiet
    for tree in "${order[@]}"; do run_cell "$tree" "$run" "${c[@]}"; done
  done
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ); baseline $(git -C "$ROOT" rev-parse --short "$BASELINE"), new $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- transport-core transport-spring-boot-starter || echo ' plus uncommitted changes')"
  echo "cores: $(nproc); $(uname -srm); java: $(java -version 2>&1 | head -1); JDK 25: $("$JDK25/bin/java" -version 2>&1 | head -1); $(nginx -v 2>&1)"
  echo "cells: ${WARMUP}s warm-up, ${DURATION}s measured, $RUNS runs each; nginx 1 worker shares the cores; waited $WAITED s for quiet"
} > "$WORK/machine.txt"
python3 - "$RESULTS" "$WORK/machine.txt" > "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
cells = list(dict.fromkeys(r["cell"] for r in rows))
print("```\n" + open(sys.argv[2]).read().strip() + "\n```\n")
print("| cell | req/s base | req/s new | new/base | CPU µs/req base | CPU µs/req new | new/base | within 5 % |")
print("|---|--:|--:|--:|--:|--:|--:|---|")
for cell in cells:
    med = {t: {k: statistics.median(r[k] for r in rows if r["cell"] == cell and r["tree"] == t)
               for k in ("rps", "client_cpu_us")} for t in ("base", "new")}
    rps = med["new"]["rps"] / med["base"]["rps"]
    cpu = med["new"]["client_cpu_us"] / med["base"]["client_cpu_us"]
    ok = "yes" if rps >= 0.95 and cpu <= 1.05 else "**no**"
    print(f"| {cell} | {med['base']['rps']:.0f} | {med['new']['rps']:.0f} | {rps:.3f} | "
          f"{med['base']['client_cpu_us']:.1f} | {med['new']['client_cpu_us']:.1f} | {cpu:.3f} | {ok} |")
print("\nEvery run (load: 1-minute load average before the pair; busy: cores busy over 3 s before it; other:"
      " cores busy during the measured window beyond this client and nginx, i.e. other load):\n")
print("| cell | run | tree | load | busy | other | req/s | p50 ms | p99 ms | first p50 ms | first p99 ms | opened"
      " | client CPU µs/req | nginx CPU µs/req | errors |")
print("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
for r in rows:
    m = r.get("machine_cpu_us", -1)
    other = f"{(m - r['client_cpu_us'] - r['server_cpu_us']) * r['rps'] / 1e6:.2f}" if m >= 0 else "?"
    print(f"| {r['cell']} | {r['run']} | {r['tree']} | {r['load1']:.2f} | {r['busy']:.2f} | {other} | {r['rps']:.0f} | "
          f"{r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r.get('first_p50_ms', 0):.3f} | {r.get('first_p99_ms', 0):.3f} | "
          f"{r['opened']} | {r['client_cpu_us']:.1f} | {r['server_cpu_us']:.1f} | {r['errors']} |")
PY
cp "$RESULTS" "${OUT%.md}.jsonl"
cat "$OUT"
