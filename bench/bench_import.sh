#!/bin/sh
# bench_import.sh — import a generated 1,000,000-row marketing CSV (~160 MB:
# quoted commas, embedded newlines, Chinese text) with copylab and with the
# sqlite3 shell's .import in the same run, then profile it beside SQLite's own
# GROUP BY. Prints one JSON line per benchmark. The CSV is made once in
# $BENCH_TMP and reused. BENCH_IMPORT_ROWS overrides the row count.
set -u
: "${COPYLAB:?}" "${BENCH_TMP:?}"
top=${COPYLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
rows=${BENCH_IMPORT_ROWS:-1000000}
csv="$BENCH_TMP/marketing-$rows.csv"
if [ ! -s "$csv" ]; then
	python3 "$top/bench/gen_marketing_csv.py" "$csv.part" "$rows" && mv "$csv.part" "$csv" || exit 1
fi
bytes=$(wc -c <"$csv")
cat "$csv" >/dev/null   # warm cache for both contenders

# run CMD...: prints "SECONDS PEAK_RSS_KIB". GNU time when present (exact);
# else Python's rusage of the child, which also counts the pages the forked
# Python held before exec (an upper bound, ~9 MiB too high).
measure() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M' -o "$BENCH_TMP/time.out" "$@" >/dev/null || return 1
		tail -n 1 "$BENCH_TMP/time.out"
		return 0
	fi
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
dt = time.monotonic() - t
if r.returncode:
    sys.exit(r.returncode)
print("%.3f %d" % (dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}

db="$BENCH_TMP/bench-copylab.db"
sdb="$BENCH_TMP/bench-sqlite3.db"
rm -f "$db" "$db-wal" "$db-shm" "$sdb" "$sdb-journal"
cl=$(measure "$COPYLAB" --db "$db" import "$csv" --table marketing) || { echo '{"bench":"import_csv","error":"copylab import failed"}'; exit 1; }
if command -v sqlite3 >/dev/null 2>&1; then
	sq=$(measure sqlite3 "$sdb" ".import --csv $csv marketing") || sq="null null"
else
	sq="null null"
fi
set -- $cl $sq
python3 - "$rows" "$bytes" "$@" <<'PY'
import json, sys
rows, size = int(sys.argv[1]), int(sys.argv[2])
s, rss = float(sys.argv[3]), int(sys.argv[4])
ps = None if sys.argv[5] == "null" else float(sys.argv[5])
prss = None if sys.argv[6] == "null" else int(sys.argv[6])
print(json.dumps({"bench": "import_csv", "rows": rows, "mb": round(size / 1e6, 1),
    "seconds": s, "rows_per_s": round(rows / s), "peak_rss_mib": round(rss / 1024, 1),
    "peer": "sqlite3 .import --csv", "peer_seconds": ps,
    "peer_peak_rss_mib": None if prss is None else round(prss / 1024, 1),
    "ratio": None if not ps else round(s / ps, 3), "goal_ratio": 1.3, "goal_rss_mib": 64}))
PY

cl=$(measure "$COPYLAB" --db "$db" profile marketing --json) || { echo '{"bench":"profile","error":"copylab profile failed"}'; exit 1; }
if command -v sqlite3 >/dev/null 2>&1; then
	sq=$(measure sqlite3 "$db" "SELECT region, count(*) FROM marketing GROUP BY region") || sq="null null"
else
	sq="null null"
fi
set -- $cl $sq
python3 - "$rows" "$@" <<'PY'
import json, sys
rows = int(sys.argv[1])
s, rss = float(sys.argv[2]), int(sys.argv[3])
ps = None if sys.argv[4] == "null" else float(sys.argv[4])
print(json.dumps({"bench": "profile", "rows": rows, "columns": 14, "seconds": s,
    "peak_rss_mib": round(rss / 1024, 1), "peer": "sqlite3 GROUP BY one column",
    "peer_seconds": ps, "ratio": None if not ps else round(s / ps, 3), "goal_seconds": 2.0}))
PY
rm -f "$db" "$db-wal" "$db-shm" "$sdb" "$sdb-journal"
