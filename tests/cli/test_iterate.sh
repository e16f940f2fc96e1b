#!/bin/sh
# copylab iterate / history: the next round from score winners, from an A/B
# test and from chosen variants, linked to its parents; the lineage back.
set -u
db="$TEST_TMP/it.db"
fail() { echo "FAIL: $*"; exit 1; }
q() { "$COPYLAB" --db "$db" query "$1" --csv | tail -n +2; }

"$COPYLAB" --db "$db" demo prepare >/dev/null || fail "demo prepare"

# by composite from run 3, with feedback
out=$("$COPYLAB" --db "$db" iterate 3 --top 2 --per-winner 2 --feedback "shorter and warmer" --json) \
	|| fail "iterate 3 exited $?"
echo "$out"
echo "$out" | grep -q '"run_id":4,"round":4,"parent_run":3' || fail "round 4 from run 3 expected: $out"
[ "$(q "select feedback from cl_runs where id = 4")" = "shorter and warmer" ] || fail "feedback not stored"
[ "$(q "select count(*) from cl_variants v join cl_variants p on p.id = v.parent_id where v.run_id = 4 and p.run_id = 3")" = 4 ] \
	|| fail "round 4 variants not linked to run 3"
[ "$(q "select count(distinct v.parent_id) from cl_variants v where v.run_id = 4")" = 2 ] || fail "two winners expected"
# the winners are the two best composites of run 3
best=$(q "select group_concat(variant_id, ' ') from (select variant_id from cl_scores s join cl_variants v on v.id = s.variant_id where v.run_id = 3 and scorer = 'composite' order by value desc limit 2)")
got=$(echo "$out" | sed 's/.*"winners":\[//; s/\].*//' | grep -o '"variant_id":[0-9]*' | cut -d: -f2 | paste -sd' ' -)
[ "$best" = "$got" ] || fail "winners $got, expected the top composites $best"
[ "$(q "select count(*) from cl_scores s join cl_variants v on v.id = s.variant_id where v.run_id = 4 and scorer = 'composite'")" = 4 ] \
	|| fail "round 4 not scored"

# by the A/B test: round 2 from run 1 (the experiment's run)
out=$("$COPYLAB" --db "$db" iterate --ab spring-email-test --top 1 --per-winner 3 --json) || fail "iterate --ab"
echo "$out" | grep -q '"round":2,"parent_run":1' || fail "A/B round expected from run 1: $out"
echo "$out" | grep -q '"winners":\[{"variant_id":2,' || fail "arm B (variant 2) won the sample test: $out"

# chosen by hand
out=$("$COPYLAB" --db "$db" iterate --variant 1 --variant 4 --per-winner 1 --json) || fail "iterate --variant"
echo "$out" | grep -q '"basis":"chosen by hand"' || fail "hand-picked basis: $out"

# history of the lineage
h=$("$COPYLAB" --db "$db" history 4 --json) || fail "history"
n=$(echo "$h" | grep -o '"round":[0-9]*' | sort -u | wc -l)
[ "$n" -ge 4 ] || fail "history should hold rounds 1-4: $h"
"$COPYLAB" --db "$db" history 4 | grep -q 'round 4  run 4  from run 3' || fail "history text"

# errors
"$COPYLAB" --db "$db" iterate 99 2>/dev/null && fail "a missing run must fail"
"$COPYLAB" --db "$db" iterate --ab nope 2>/dev/null && fail "a missing experiment must fail"
"$COPYLAB" --db "$db" iterate 2>/dev/null; [ $? -eq 2 ] || fail "no arguments is a usage error"
echo ok
