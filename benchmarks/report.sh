#!/usr/bin/env bash
# Makes docs/benchmarks/README.md, http2.md and the charts (chart-small.svg, chart-1m.svg, chart-burst.svg,
# chart-h2.svg) again from the stored raw results, without running a benchmark: results.jsonl with machine.txt
# (benchmarks/run.sh) and http2-results.jsonl with http2-machine.txt (benchmarks/h2.sh, or run.sh). Report and
# Charts use JDK classes only, so plain javac compiles them into a temporary directory: no Maven build needed.
#
#   benchmarks/report.sh                                   # docs/benchmarks in place
#   IN=docs/benchmarks OUT=/tmp/report benchmarks/report.sh  # the documents and charts elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."
IN=${IN:-docs/benchmarks}
OUT=${OUT:-$IN}
CLASSES=$(mktemp -d)
trap 'rm -rf "$CLASSES"' EXIT
SRC=benchmarks/src/main/java/io/github/pooledtransport/benchmarks/load
javac -nowarn -d "$CLASSES" "$SRC/Report.java" "$SRC/Charts.java"
args=(--out "$OUT")
if [ -f "$IN/machine.txt" ]; then args+=(--machine "$IN/machine.txt"); else args+=(--machine "$IN/http2-machine.txt"); fi
[ -f "$IN/results.jsonl" ] && args+=(--results "$IN/results.jsonl")
[ -f "$IN/http2-results.jsonl" ] && args+=(--h2 "$IN/http2-results.jsonl")
[ -f "$IN/http2-machine.txt" ] && args+=(--h2-machine "$IN/http2-machine.txt")
java -cp "$CLASSES" io.github.pooledtransport.benchmarks.load.Report "${args[@]}"
