#!/bin/sh
# Run every suite: the cmocka core tests (ASan+UBSan builds), then the CLI,
# HTTP and TUI tests, which drive the ASan build of copylab.
# Prints one line per suite and a closing "N passed, N failed" line.
set -u
O=${O:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
export COPYLAB="$top/$O/asan/copylab"
export COPYLAB_TOP="$top"
export COPYLAB_BUILD="$top/$O"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
# Keep the user's own config and keys out of the tests.
unset OPENAI_API_KEY OPENAI_BASE_URL ANTHROPIC_API_KEY COPYLAB_PROVIDER COPYLAB_MODEL COPYLAB_DB
export XDG_CONFIG_HOME="$(mktemp -d)" XDG_DATA_HOME="$(mktemp -d)"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
logdir="$top/$O/test-logs"
rm -rf "$logdir"; mkdir -p "$logdir"

pass=0 fail=0 failed=""
run_one() { # name, command...
	name=$1; shift
	log="$logdir/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1)); status=ok
	else
		fail=$((fail + 1)); status=FAIL; failed="$failed $name"
	fi
	printf '%-40s %s (%ss)\n' "$name" "$status" "$(( $(date +%s) - start ))"
	if [ "$status" = FAIL ]; then sed 's/^/    | /' "$log" | tail -n 40; fi
	# cmocka's own summary lines, so CI sees the counts.
	grep -E '^\[  (PASSED|FAILED)  \]' "$log" | sed 's/^/    /'
}

for t in "$top/$O"/asan/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "core/$(basename "$t")" env TEST_TMP="$(mktemp -d)" "$t"
done
for t in "$top"/tests/cli/test_*.sh "$top"/tests/cli/test_*.py \
         "$top"/tests/tui/test_*.sh "$top"/tests/tui/test_*.py \
         "$top"/tests/plugins/test_*.sh "$top"/tests/plugins/test_*.py; do
	[ -f "$t" ] || continue
	rel=${t#"$top"/tests/}
	case "$t" in
	*.py) run_one "$rel" env TEST_TMP="$(mktemp -d)" python3 "$t" ;;
	*)    run_one "$rel" env TEST_TMP="$(mktemp -d)" sh "$t" ;;
	esac
done
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
