#!/bin/sh
# bench_ab.sh — `copylab abtest` on 10 arms of 10,000,000 visitors each.
# Prints one JSON line: the in-process time per full analysis (hidden
# `--repeat N`, which reruns ab_analyze N times on the parsed input), the
# wall time of one whole command, and the ratio to the 10 ms goal.
set -u
C=${COPYLAB:?}
T=${BENCH_TMP:-$(mktemp -d)}
f="$T/ab_10x10M.csv"
{
	echo "arm,n,conversions"
	i=0
	while [ $i -lt 10 ]; do
		echo "arm$i,10000000,$((500000 + 300 * i))"
		i=$((i + 1))
	done
} > "$f"
err=$("$C" abtest "$f" --repeat 200 --json 2>&1 >/dev/null) || { echo '{"bench":"abtest_10x10M","error":"abtest failed"}'; exit 1; }
ms=$(echo "$err" | sed -n 's/^repeat: [0-9]* calls, \([0-9.]*\) ms per call$/\1/p')
start=$(date +%s%N)
"$C" abtest "$f" --json > /dev/null
end=$(date +%s%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
awk -v ms="$ms" -v wall="$wall" 'BEGIN {
	printf "{\"bench\":\"abtest_10x10M\",\"arms\":10,\"visitors_per_arm\":10000000,\"ms_per_call\":%.4f,\"process_ms\":%s,\"goal_ms\":10,\"ratio_to_goal\":%.4f}\n", ms, wall, ms / 10 }'
