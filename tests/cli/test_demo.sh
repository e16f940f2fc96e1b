#!/bin/sh
# copylab demo prepare: the --demo workspace is built headlessly, with three
# linked rounds, scores and the sample A/B test; a second call does nothing.
set -u
db="$TEST_TMP/demo.db"
fail() { echo "FAIL: $*"; exit 1; }

out=$("$COPYLAB" --db "$db" demo prepare --json) || fail "demo prepare exited $?"
echo "$out"
echo "$out" | grep -q '"runs":\[1,2,3\]' || fail "expected runs 1,2,3: $out"
echo "$out" | grep -q '"experiment":"spring-email-test"' || fail "no experiment: $out"

q() { "$COPYLAB" --db "$db" query "$1" --csv | tail -n +2; }
[ "$(q "select round || ':' || coalesce(parent_run,0) from cl_runs order by id" | tr '\n' ' ')" = "1:0 2:1 3:2 " ] \
	|| fail "rounds/parent runs wrong: $(q "select id, round, parent_run from cl_runs")"
# every variant of rounds 2 and 3 has a parent in the round before
[ "$(q "select count(*) from cl_variants v join cl_variants p on p.id = v.parent_id where v.round > 1 and p.round = v.round - 1")" = 8 ] \
	|| fail "variants of rounds 2-3 are not all linked to the round before"
[ "$(q "select count(*) from cl_variant_parents")" -ge 8 ] || fail "cl_variant_parents not filled"
# every variant scored, composite included
[ "$(q "select count(distinct variant_id) from cl_scores where scorer = 'composite'")" = 12 ] \
	|| fail "not every variant has a composite score"
# A/B arms linked to round 1's variants A, B, C
[ "$(q "select group_concat(a.name || '=' || v.idx, ' ') from cl_arms a join cl_variants v on v.id = a.variant_id")" = "A=0 B=1 C=2" ] \
	|| fail "arms not linked: $(q "select name, variant_id from cl_arms")"
[ "$(q "select value from cl_meta where key = 'demo'")" = 1 ] || fail "demo mark missing"

out=$("$COPYLAB" --db "$db" demo prepare) || fail "second demo prepare exited $?"
echo "$out" | grep -q "already a demo workspace" || fail "second call should do nothing: $out"
[ "$(q "select count(*) from cl_runs")" = 3 ] || fail "second call made runs"

"$COPYLAB" --db "$db" demo nonsense 2>/dev/null && fail "a bad subcommand should fail"
echo ok
