#!/bin/sh
# test_ab.sh — abtest, plan, abimport, experiments, simulate from the command line:
# exact --json keys, the bundled sample results, stored experiments, SIMULATED
# labels, reproducibility by seed, and clear errors for bad input.
set -u
C=${COPYLAB:?}
TOP=${COPYLAB_TOP:?}
T=${TEST_TMP:-$(mktemp -d)}
DB="$T/ab.db"
SAMPLE="$TOP/sample-data/data/ab_results.csv"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect_err STATUS_NONZERO MESSAGE -- command...
expect_err() {
	msg=$1; shift
	out=$("$@" 2>&1); st=$?
	[ "$st" -ne 0 ] || fail "expected failure: $* (got status 0)"
	echo "$out" | grep -qF -- "$msg" || fail "expected '$msg' from: $* — got: $out"
	echo "$out" | grep -qi 'nan' && fail "NaN in output of: $*"
	return 0
}

# 1. the sample results file, --json keys exact
"$C" abtest "$SAMPLE" --json > "$T/s.json" || fail "abtest sample --json"
python3 - "$T/s.json" <<'PY' || fail "sample JSON shape"
import json, sys
d = json.load(open(sys.argv[1]))
need = ["control", "alpha", "arms", "comparisons", "srm_p_value", "sequential", "verdict"]
missing = [k for k in need if k not in d]
assert not missing, missing
assert list(d)[:len(need)] == need, list(d)
arm_keys = ["name", "n", "conversions", "rate", "ci_low", "ci_high", "prob_best", "expected_loss"]
cmp_keys = ["arm", "vs", "abs_lift", "rel_lift", "diff_ci_low", "diff_ci_high", "p_value",
            "p_value_adj", "prob_beat_control", "expected_loss"]
for a in d["arms"]:
    assert list(a) == arm_keys, list(a)
for c in d["comparisons"]:
    assert list(c) == cmp_keys, list(c)
assert d["control"] == "A" and d["alpha"] == 0.05
assert [a["name"] for a in d["arms"]] == ["A", "B", "C"]
assert len(d["comparisons"]) == 2
assert d["arms"][0]["n"] == 50237, d["arms"][0]["n"]
assert abs(sum(a["prob_best"] for a in d["arms"]) - 1) < 1e-6
for c in d["comparisons"]:
    assert c["p_value_adj"] >= c["p_value"]
    assert c["diff_ci_low"] <= c["abs_lift"] <= c["diff_ci_high"]
assert d["sequential"]["looks"] == 21
assert isinstance(d["sequential"]["comparisons"], list)
assert "B beats A" in d["verdict"], d["verdict"]
assert 0 <= d["srm_p_value"] <= 1
assert "revenue" in d and d["revenue"]["comparisons"]
PY
"$C" abtest "$SAMPLE" > "$T/s.txt" || fail "abtest sample (table)"
grep -q "^verdict .*B beats A" "$T/s.txt" || fail "human verdict line"
grep -q "A (control)" "$T/s.txt" || fail "control marked in the table"
grep -q "sequential .*look" "$T/s.txt" || fail "sequential verdict line"

# 2. --arm, --control, --split
"$C" abtest --arm A:1000:50 --arm B:1000:80 --control B --json > "$T/a.json" || fail "--arm"
python3 -c "
import json,sys; d=json.load(open('$T/a.json'))
assert d['control']=='B', d['control']
c=d['comparisons'][0]; assert c['arm']=='A' and c['vs']=='B' and c['abs_lift']<0
" || fail "--control B"
"$C" abtest --arm A:5000:50 --arm B:6000:60 --json | grep -q '"srm_warning":true' || fail "SRM warning"
"$C" abtest --arm A:5000:50 --arm B:6000:60 --split 5,6 --json | grep -q '"srm_warning":false' \
	|| fail "--split removes the SRM warning"
"$C" abtest --arm A:100:0 --arm B:100:0 --json > "$T/z.json" || fail "all zero conversions"
grep -qi nan "$T/z.json" && fail "NaN with zero conversions"
grep -q '"rel_lift":null' "$T/z.json" || fail "rel_lift null when the control rate is 0"

# 3. errors
expect_err "visitors must be positive" "$C" abtest --arm A:0:0 --arm B:100:5
expect_err "conversions (101) exceed visitors (100)" "$C" abtest --arm A:100:5 --arm B:100:101
expect_err "must not be negative" "$C" abtest --arm A:100:-5 --arm B:100:5
expect_err "control arm 'Z' is not among the arms" "$C" abtest --arm A:100:5 --arm B:100:5 --control Z
expect_err "at least two arms" "$C" abtest --arm A:100:5
printf 'arm,n,conversions\nA,100,5\nB,0,0\n' > "$T/zero.csv"
expect_err "zero.csv: arm 'B': visitors must be positive" "$C" abtest "$T/zero.csv"
# the comparison header lines up with its columns (right edges), Chinese names too
"$C" abtest --arm 对照组:10000:500 --arm 新文案:10000:560 > "$T/cols.txt" || fail "abtest with Chinese arm names"
python3 - "$T/cols.txt" <<'PY' || fail "abtest comparison columns misaligned: $(cat "$T/cols.txt")"
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = next(l for l in lines if "abs lift" in l)
r = lines[lines.index(h) + 1]
assert w(h[:h.index("abs lift") + 8]) == w(r[:r.index(" pp") + 3]), (h, r)
hp = h.index("E[loss]") + 7
assert w(h[:hp]) == w(r), (h, r)
PY
expect_err "arm 'A' is given twice" "$C" abtest --arm A:100:5 --arm A:100:6
expect_err "arm 'B': visitors must be positive" "$C" abtest --arm A:100:5 --arm B:0:0
expect_err "--alpha needs a value" "$C" abtest --arm A:100:5 --arm B:100:6 --alpha
expect_err "NAME:VISITORS:CONVERSIONS" "$C" abtest --arm A:100
expect_err "--split" "$C" abtest --arm A:100:5 --arm B:100:5 --split 50,30,20
expect_err "alpha" "$C" abtest --arm A:100:5 --arm B:100:5 --alpha 2
printf 'arm,n,conversions\nA,100,5\nB,100,x\n' > "$T/bad.csv"
expect_err "bad.csv:3: column 3 (conversions)" "$C" abtest "$T/bad.csv"

# 4. plan
"$C" plan --baseline 0.05 --mde 0.1 --json > "$T/p.json" || fail "plan --json"
python3 - "$T/p.json" <<'PY' || fail "plan figures"
import json, math, sys
from statistics import NormalDist
d = json.load(open(sys.argv[1]))
p1, p2 = 0.05, 0.055
za, zb = NormalDist().inv_cdf(0.975), NormalDist().inv_cdf(0.8)
pb = (p1 + p2) / 2
n = math.ceil((za * math.sqrt(2 * pb * (1 - pb)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2)
assert d["n_per_arm"] == n, (d["n_per_arm"], n)
assert d["n_total"] == 2 * n
PY
"$C" plan --baseline 5% --mde 10% --arms 4 --daily 20000 --days 14 --json > "$T/p4.json" || fail "plan 4 arms"
python3 -c "
import json; d=json.load(open('$T/p4.json'))
assert abs(d['alpha_per_test']-0.05/3)<1e-12
assert d['days_needed']==-(-d['n_total']//20000)
assert d['max_variants']==d['max_arms']-1 and d['max_arms']>=1
assert d['mde_affordable'] is None or d['mde_affordable']>0
" || fail "plan reverse figures"
"$C" plan --baseline 0.05 --mde 0.1 --daily 10000 | grep -q "^duration .* at 10,000 visitors a day" || fail "plan table (thousands separators)"
expect_err "--baseline" "$C" plan --baseline 1.5 --mde 0.1
expect_err "required" "$C" plan --mde 0.1

# 5. abimport, experiments, abtest --experiment
printf 'Day,Variation,Sends,Orders\n2026-01-01,ctl,1000,40\n2026-01-01,new,1000,55\n2026-01-02,ctl,1000,41\n2026-01-02,new,1000,60\n' > "$T/esp.csv"
"$C" --db "$DB" abimport "$T/esp.csv" --experiment email1 --json > "$T/i.json" || fail "abimport"
grep -q '"experiment":"email1"' "$T/i.json" || fail "abimport json"
grep -q '"days":2' "$T/i.json" || fail "abimport days"
grep -q '"run":null' "$T/i.json" || fail "abimport json has run (null without --run)"
expect_err "already exists" "$C" --db "$DB" abimport "$T/esp.csv" --experiment email1
"$C" --db "$DB" abimport "$T/esp.csv" --experiment email1 --replace > /dev/null || fail "abimport --replace"
printf 'variant,people,buyers\nA,100,5\nB,100,9\n' > "$T/map.csv"
"$C" --db "$DB" abimport "$T/map.csv" --experiment mapped --map people=n --map buyers=conversions > /dev/null \
	|| fail "abimport --map"
expect_err "no column for 'n'" "$C" --db "$DB" abimport "$T/map.csv" --experiment x2
"$C" --db "$DB" experiments --json > "$T/e.json" || fail "experiments --json"
python3 -c "
import json; d=json.load(open('$T/e.json'))
names=[e['name'] for e in d['experiments']]
assert set(names)=={'email1','mapped'}, names
e=[e for e in d['experiments'] if e['name']=='email1'][0]
assert e['visitors']==4000 and e['days']==2 and e['simulated'] is False
" || fail "experiments list"
"$C" --db "$DB" abtest --experiment email1 --json > "$T/x.json" || fail "abtest --experiment"
python3 -c "
import json; d=json.load(open('$T/x.json'))
assert d['experiment']=='email1' and d['control']=='ctl'
assert d['arms'][1]['conversions']==115 and d['sequential']['looks']==2
" || fail "stored experiment analysis"
expect_err "no experiment named 'nope'" "$C" --db "$DB" abtest --experiment nope
"$C" --db "$DB" abtest --arm A:100:5 --arm B:100:7 --experiment manual1 > /dev/null || fail "abtest --experiment stores"
"$C" --db "$DB" experiments | grep -q manual1 || fail "manual experiment listed"
"$C" --db "$DB" abtest "$SAMPLE" --experiment planned1 --planned 60000 > /dev/null || fail "--planned"
"$C" --db "$DB" abtest --experiment planned1 --json | grep -q '"planned_visitors":180000' \
	|| fail "planned visitors stored and shown"

# 6. simulate: SIMULATED, same seed same result, stored when asked
"$C" simulate --arm A:0.05 --arm B:6% --days 5 --daily 2000 --seed 7 --json > "$T/sim1.json" || fail "simulate"
"$C" simulate --arm A:0.05 --arm B:6% --days 5 --daily 2000 --seed 7 --json > "$T/sim2.json"
cmp -s "$T/sim1.json" "$T/sim2.json" || fail "simulate not reproducible by seed"
"$C" simulate --arm A:0.05 --arm B:6% --days 5 --daily 2000 --seed 8 --json > "$T/sim3.json"
cmp -s "$T/sim1.json" "$T/sim3.json" && fail "another seed gave the same simulation"
python3 -c "
import json; d=json.load(open('$T/sim1.json'))
assert d['label']=='SIMULATED' and d['simulated'] is True
assert d['analysis']['label']=='SIMULATED'
assert sum(a['n'] for a in d['arms'])==10000
assert d['regret']['expected_conversions_lost']>=0
" || fail "simulate JSON"
"$C" simulate --arm A:0.05 --arm B:0.06 --days 3 --daily 1000 --policy thompson --json \
	| grep -q '"srm_p_value":null' || fail "no SRM check for Thompson sampling"
"$C" simulate --arm A:0.05 --arm B:0.06 --days 3 --daily 1000 --policy thompson | grep -q "^SIMULATED" \
	|| fail "simulate text labelled SIMULATED"
"$C" --db "$DB" simulate --arm A:0.05 --arm B:0.06 --days 3 --daily 1000 --experiment sim1 > /dev/null \
	|| fail "simulate --experiment"
"$C" --db "$DB" experiments | grep sim1 | grep -q SIMULATED || fail "simulated experiment listed as SIMULATED"
"$C" --db "$DB" abtest --experiment sim1 | grep -q "SIMULATED" || fail "abtest of a simulated experiment labelled"
expect_err "--policy" "$C" simulate --arm A:0.05 --arm B:0.06 --days 3 --daily 10 --policy greedy
expect_err "either --run" "$C" simulate --days 3 --daily 10
expect_err "rate must be between 0 and 1" "$C" simulate --arm A:0.05 --arm B:1.5 --days 3 --daily 10

# 7. simulate --run over a workspace's variants, customers and campaigns
python3 - "$DB" <<'PY' || fail "seeding a run"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
INSERT INTO cl_runs(id, status) VALUES (5, 'done');
INSERT INTO cl_variants(id, run_id, idx, text) VALUES (50,5,1,'one'),(51,5,2,'two'),(52,5,3,'three');
INSERT INTO cl_scores(variant_id, scorer, value) VALUES (50,'composite',0.4),(51,'composite',0.8),(52,'composite',0.6);
CREATE TABLE customers(id INTEGER, segment TEXT);
INSERT INTO customers VALUES (1,'a'),(2,'a'),(3,'b');
CREATE TABLE campaigns(segment TEXT, clicks INTEGER, impressions INTEGER);
INSERT INTO campaigns VALUES ('a', 30, 1000), ('b', 60, 1000);
""")
db.commit()
PY
"$C" --db "$DB" simulate --run 5 --days 4 --daily 3000 --seed 3 --json > "$T/run.json" || fail "simulate --run"
python3 -c "
import json; d=json.load(open('$T/run.json'))
assert d['best_arm']=='v2', d['best_arm']
assert [a['variant_id'] for a in d['arms']]==[50,51,52]
seg={s['name']:s for s in d['audience']['segments']}
assert abs(seg['a']['base_rate']-0.03)<1e-12 and abs(seg['a']['share']-2/3)<1e-12
assert d['experiment']=='sim-run5-fixed-seed3'
" || fail "simulate --run figures"
"$C" --db "$DB" experiments --json | grep -q '"name":"sim-run5-fixed-seed3","simulated":true' \
	|| fail "run simulation stored as simulated"

[ "$fails" -eq 0 ] && echo "test_ab: all checks passed"
[ "$fails" -eq 0 ]
