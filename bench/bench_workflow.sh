#!/bin/sh
# bench_workflow.sh — the demo and the workflow panes.
#  - demo_prepare: `copylab demo prepare` on a new workspace (import of the sample
#    data, three offline rounds with scoring, the A/B test), against the issue's
#    goal that --demo shows everything real within a second;
#  - iterate_round: one more offline round of 8 variants, scored (`copylab iterate`);
#  - the time to answer the keys that switch to 2 Prompt, 3 Variants, 4 Results and
#    5 History on the demo workspace (each pane drawn from the workspace: variants
#    with score badges, the analysis with braille charts, the lineage tree), taken
#    inside the process as bench_tui does (COPYLAB_BENCH_LOG), against a 60 Hz frame.
# One JSON line per figure, with the goal beside it as a ratio.
set -u
: "${COPYLAB:?}" "${BENCH_TMP:?}"
dir="$BENCH_TMP/workflow"
mkdir -p "$dir"
db="$dir/demo.db"
log="$dir/keys.log"
sock="$dir/tmux.sock"
rm -f "$db" "$db-wal" "$db-shm" "$log"

now() { date +%s.%N; }
t0=$(now)
"$COPYLAB" --db "$db" demo prepare >/dev/null || exit 1
t1=$(now)
"$COPYLAB" --db "$db" iterate 3 --per-winner 4 --feedback "shorter" >/dev/null || exit 1
t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	printf "{\"bench\":\"demo_prepare\",\"ms\":%.1f,\"goal_ms\":1000,\"ratio_to_goal\":%.3f}\n", (b - a) * 1000, (b - a)
	printf "{\"bench\":\"iterate_round_offline_8\",\"ms\":%.1f,\"goal_ms\":1000,\"ratio_to_goal\":%.3f}\n", (c - b) * 1000, (c - b) }'

T() { tmux -S "$sock" -f /dev/null "$@"; }
log_lines() { [ -f "$log" ] && wc -l < "$log" || echo 0; }
key() { # send one key and wait until its timing line is logged
	before=$(log_lines)
	T send-keys -t b "$1"
	n=0
	while [ "$(log_lines)" -le "$before" ] && [ "$n" -lt 50 ]; do sleep 0.05; n=$((n + 1)); done
}
T new-session -d -s b -x 120 -y 40 \
	"env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color COPYLAB_LOG='$dir/tui.log' COPYLAB_BENCH_LOG='$log' '$COPYLAB' --db '$db'; sleep 5"
n=0
while [ "$(log_lines)" -lt 1 ] && [ "$n" -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
for i in 1 2 3 4 5; do key 2; key 3; key 4; key 5; done
T send-keys -t b ':' 'q' Enter
sleep 0.3
T kill-server 2>/dev/null

median() { grep "^key $1 " "$log" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print -1}'; }
for k in 2:prompt 3:variants 4:results 5:history; do
	v=$(median "${k%%:*}")
	awk -v n="${k#*:}" -v v="$v" 'BEGIN {
		if (v < 0) { printf "{\"bench\":\"tui_pane_%s\",\"error\":\"no timing\"}\n", n; exit 1 }
		printf "{\"bench\":\"tui_pane_%s\",\"ms\":%.3f,\"goal_ms\":16,\"ratio_to_goal\":%.3f}\n", n, v, v / 16 }' || exit 1
done
