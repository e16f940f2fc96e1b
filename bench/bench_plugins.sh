#!/bin/sh
# bench_plugins.sh — what plugins cost: scoring 2,000 texts with the built-in
# scorers alone, plus the C reading-level plugin (in-process), plus the Python
# jargon plugin (a child process, one JSON round trip per text); and the time
# to write the HTML report of the demo workspace beside `copylab info` on the
# same file (process start + workspace open: the floor).
set -eu
C=${COPYLAB:?}
TOP=${COPYLAB_TOP:?}
B=${BENCH_TMP:-$(mktemp -d)}/plugins-bench
mkdir -p "$B/shared" "$B/exec"
make --no-print-directory -s -C "$TOP/plugins" O="$B/built" >/dev/null
cp "$B/built/readinglevel.so" "$B/shared/"
cp "$B/built/jargon.py" "$B/exec/"
python3 - "$B/texts.txt" <<'PY'
import random, sys
random.seed(7)
words = ("fresh spring tea picked by hand today save order now our new gift box for you "
         "leverage synergy seamless limited offer free delivery taste the hills").split()
with open(sys.argv[1], "w") as f:
    for i in range(2000):
        n = random.randint(8, 40)
        f.write(" ".join(random.choice(words) for _ in range(n)).capitalize() + ". Order today.\n")
PY
per_text() { python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_text"])'; }
base=$(COPYLAB_NO_PLUGINS=1 COPYLAB_HOME="$TOP" "$C" plugins score --batch "$B/texts.txt" --lang en | per_text)
so=$(COPYLAB_PLUGIN_PATH="$B/shared" XDG_DATA_HOME="$B/none" COPYLAB_HOME="$TOP" \
	"$C" plugins score --batch "$B/texts.txt" --lang en | per_text)
ex=$(COPYLAB_PLUGIN_PATH="$B/exec" XDG_DATA_HOME="$B/none" COPYLAB_HOME="$TOP" \
	"$C" plugins score --batch "$B/texts.txt" --lang en | per_text)
python3 - "$base" "$so" "$ex" <<'PY'
import json, sys
base, so, ex = map(float, sys.argv[1:])
for name, v in (("plugin_score_shared", so), ("plugin_score_exec", ex)):
    print(json.dumps({"bench": name, "texts": 2000, "ms_per_text": round(v, 4),
                      "builtin_ms_per_text": round(base, 4),
                      "overhead_us_per_text": round((v - base) * 1000, 1),
                      "ratio_to_builtin": round(v / base, 3) if base else None}))
PY
db="$B/demo.db"
rm -f "$db"
COPYLAB_NO_PLUGINS=1 "$C" demo prepare --db "$db" >/dev/null
t0=$(date +%s%N)
for i in 1 2 3 4 5; do "$C" --db "$db" info >/dev/null; done
t1=$(date +%s%N)
for i in 1 2 3 4 5; do "$C" --db "$db" report --run 1 --out "$B/r.html" >/dev/null; done
t2=$(date +%s%N)
python3 - "$t0" "$t1" "$t2" "$(wc -c < "$B/r.html")" <<'PY'
import json, sys
t0, t1, t2, size = map(int, sys.argv[1:])
info, rep = (t1 - t0) / 5e6, (t2 - t1) / 5e6
print(json.dumps({"bench": "report_html", "ms": round(rep, 2), "bytes": size,
                  "info_ms": round(info, 2), "ratio_to_info": round(rep / info, 2)}))
PY
