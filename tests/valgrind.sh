#!/bin/sh
# tests/valgrind.sh — `make valgrind`: run the release binary ($O/copylab,
# built with -O2 -g, no sanitizers) under valgrind's memcheck for a spread of
# commands on the demo workspace, plus one short TUI session in tmux, and fail
# on any memory error or definite/possible leak. LeakSanitizer covers the
# test suites (`make test`); this covers the release build as shipped.
# Prints one line per command and a closing "N passed, N failed" line.
set -u
O=${O:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
C="$top/$O/copylab"
[ -x "$C" ] || { echo "valgrind: $C not built (make O=$O)"; exit 1; }
command -v valgrind >/dev/null 2>&1 || { echo "valgrind: not installed (make deps)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
unset OPENAI_API_KEY OPENAI_BASE_URL ANTHROPIC_API_KEY COPYLAB_PROVIDER COPYLAB_MODEL COPYLAB_DB
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" LANG=C.UTF-8 LC_ALL=C.UTF-8
export COPYLAB_PLUGIN_PATH="$top/$O/plugins"
DB="$T/w.db"
"$C" --db "$DB" demo prepare >/dev/null || { echo "valgrind: demo prepare failed"; exit 1; }
printf 'email,name\nada@example.com,Ada\nlin@example.cn,Lin\n' > "$T/people.csv"

pass=0 fail=0
vg() { # what, args...
	what=$1; shift
	log="$T/vg.log"
	if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
	            --error-exitcode=99 --log-file="$log" "$C" --db "$DB" "$@" >"$T/out" 2>&1; then
		rc=0
	else
		rc=$?
	fi
	if [ "$rc" = 99 ] || [ -s "$log" ]; then
		fail=$((fail + 1)); echo "FAIL  $what (exit $rc)"; sed 's/^/    | /' "$log" | head -n 60
	elif [ "$rc" != 0 ]; then
		fail=$((fail + 1)); echo "FAIL  $what exited $rc"; sed 's/^/    | /' "$T/out" | tail -n 10
	else
		pass=$((pass + 1)); echo "ok    $what"
	fi
}

vg "info"            info --json
vg "tables"          tables
vg "runs"            runs --json
vg "variants"        variants 1
vg "query"           query "SELECT segment, count(*) FROM customers GROUP BY 1" --json
vg "profile"         profile customers
vg "import"          import "$T/people.csv" --table people
vg "export"          export --query "SELECT * FROM customers LIMIT 50" --out "$T/c.csv"
vg "segment list"    segment list --json
vg "template list"   template list
vg "score"           score --json "Spring tea is here: 20% off today. Order now, Ada!"
vg "score zh"        score --lang zh "春茶上新，今天下单立减二十元。"
vg "redact"          redact "mail ada@example.com or call +44 20 7946 0958"
vg "generate"        generate --provider offline --prompt-text "Tea for {{segment.name}}" -n 2
vg "eval"            eval 1
vg "abtest"          abtest --arm A:2000:60 --arm B:2000:84 --json
vg "plan"            plan --baseline 0.03 --mde 0.1
vg "experiments"     experiments
vg "simulate"        simulate --run 1 --days 3 --daily 300 --seed 1 --experiment vg-sim
vg "history"         history
vg "iterate"         iterate 1 --top 2 --feedback "shorter"
vg "report html"     report --run 1 --out "$T/r.html"
vg "report md zh"    report --run 1 --lang zh --out "$T/r.md"
vg "plugins"         plugins --json
vg "plugins score"   plugins score "Leverage our synergy today."
vg "plugins export"  plugins export markdown people
mkdir -p "$T/broken"
printf '#!/bin/sh\nread line\necho "not json"\nsleep 5\n' > "$T/broken/garbage"
printf '#!/bin/sh\nread line\nexit 4\n' > "$T/broken/crash"
printf '#!/bin/sh\nexec sleep 5\n' > "$T/broken/hang"
chmod +x "$T/broken/garbage" "$T/broken/crash" "$T/broken/hang"
good_path=$COPYLAB_PLUGIN_PATH
export COPYLAB_PLUGIN_PATH="$T/broken:$good_path" COPYLAB_PLUGIN_TIMEOUT_MS=1500
vg "broken plugins"  plugins score "Order today."
export COPYLAB_PLUGIN_PATH="$good_path"
unset COPYLAB_PLUGIN_TIMEOUT_MS

# One short TUI session: open, move around the panes, quit.
if command -v tmux >/dev/null 2>&1; then
	sock="$T/tmux"
	log="$T/vg-tui.log"
	tmux -S "$sock" -f /dev/null new-session -d -s v -x 120 -y 40 \
		"valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible --error-exitcode=99 --log-file='$log' '$C' --db '$DB'; echo \$? > '$T/tui-rc'; sleep 5"
	i=0
	while [ $i -lt 300 ] && ! tmux -S "$sock" capture-pane -p -t v 2>/dev/null | grep -q "customers"; do
		sleep 0.1; i=$((i + 1))
	done
	for k in j j l 2 3 4 5 1; do tmux -S "$sock" send-keys -t v "$k"; sleep 0.3; done
	tmux -S "$sock" send-keys -t v ":" ; sleep 0.2
	tmux -S "$sock" send-keys -t v -l "q"; tmux -S "$sock" send-keys -t v Enter
	i=0
	while [ $i -lt 300 ] && [ ! -s "$T/tui-rc" ]; do sleep 0.1; i=$((i + 1)); done
	rc=$(cat "$T/tui-rc" 2>/dev/null || echo none)
	tmux -S "$sock" kill-server 2>/dev/null
	if [ "$rc" = 0 ] && [ ! -s "$log" ]; then
		pass=$((pass + 1)); echo "ok    tui session"
	else
		fail=$((fail + 1)); echo "FAIL  tui session (exit $rc)"; sed 's/^/    | /' "$log" 2>/dev/null | head -n 60
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
