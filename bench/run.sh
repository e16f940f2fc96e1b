#!/bin/sh
# make bench: run every bench/bench_*.sh; each prints one JSON line per benchmark.
set -u
O=${O:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export COPYLAB="$top/$O/copylab" COPYLAB_TOP="$top" COPYLAB_BUILD="$top/$O"
export BENCH_TMP="${BENCH_TMP:-$(mktemp -d)}"
unset OPENAI_API_KEY ANTHROPIC_API_KEY COPYLAB_DB
rc=0
for b in "$top"/bench/bench_*.sh; do
	[ -f "$b" ] || continue
	sh "$b" || { echo "{\"bench\":\"$(basename "$b" .sh)\",\"error\":\"failed\"}"; rc=1; }
done
exit $rc
