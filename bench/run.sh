#!/bin/sh
# make bench: run every bench/bench_*.sh; each prints one JSON line per benchmark.
# A script that fails, prints nothing, or prints a stdout line that is not a
# JSON object with a "bench" member gets an {"bench", "error"} line and makes
# the run exit non-zero. Each script's stderr goes to $O/bench-logs/.
set -u
O=${O:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export COPYLAB="$top/$O/copylab" COPYLAB_TOP="$top" COPYLAB_BUILD="$top/$O"
export BENCH_TMP="${BENCH_TMP:-$(mktemp -d)}"
unset OPENAI_API_KEY ANTHROPIC_API_KEY COPYLAB_DB
logdir="$top/$O/bench-logs"
mkdir -p "$logdir"
rc=0
for b in "$top"/bench/bench_*.sh; do
	[ -f "$b" ] || continue
	name=$(basename "$b" .sh)
	out="$BENCH_TMP/$name.out"
	if sh "$b" >"$out" 2>"$logdir/$name.log"; then
		cat "$out"
		python3 - "$out" "$name" <<'PY' || rc=1
import json, sys
path, name = sys.argv[1], sys.argv[2]
lines = [l for l in open(path, encoding="utf-8", errors="replace").read().split("\n") if l.strip()]
bad = []
for l in lines:
    try:
        o = json.loads(l)
        if not isinstance(o, dict) or "bench" not in o:
            bad.append(l)
    except ValueError:
        bad.append(l)
if not lines or bad:
    why = "no output" if not lines else "not a JSON line: " + bad[0][:120]
    print(json.dumps({"bench": name, "error": why}))
    sys.exit(1)
PY
	else
		cat "$out"
		echo "{\"bench\":\"$name\",\"error\":\"failed (see $logdir/$name.log)\"}"
		rc=1
	fi
done
exit $rc
