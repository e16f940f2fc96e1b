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
export LANG=C.UTF-8 LC_ALL=C.UTF-8
logdir="$top/$O/test-logs"
rm -rf "$logdir"; mkdir -p "$logdir"
# Every temporary folder of this run lives under one root: a passing suite's
# is removed, a failing suite's is kept (and named) for a look.
tmproot=$(mktemp -d "${TMPDIR:-/tmp}/copylab-test.XXXXXX")
export XDG_CONFIG_HOME="$tmproot/config" XDG_DATA_HOME="$tmproot/data"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
# A suite that runs longer than this is stopped and counted as failed, so a
# hang can never stall `make test`.
suite_timeout=${COPYLAB_SUITE_TIMEOUT:-300}

pass=0 fail=0 failed=""
run_one() { # name, command...
	name=$1; shift
	safe=$(echo "$name" | tr '/' '_')
	log="$logdir/$safe.log"
	TEST_TMP="$tmproot/$safe"
	mkdir -p "$TEST_TMP"
	export TEST_TMP
	start=$(date +%s)
	timeout -k 10 "$suite_timeout" "$@" </dev/null >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1)); status=ok
		rm -rf "$TEST_TMP"
	else
		fail=$((fail + 1)); status=FAIL; failed="$failed $name"
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			echo "timed out after ${suite_timeout}s (COPYLAB_SUITE_TIMEOUT)" >>"$log"
		fi
		echo "exit status $rc; its TEST_TMP is kept: $TEST_TMP" >>"$log"
	fi
	printf '%-40s %s (%ss)\n' "$name" "$status" "$(( $(date +%s) - start ))"
	if [ "$status" = FAIL ]; then sed 's/^/    | /' "$log" | tail -n 40; fi
	# cmocka's own summary lines, so CI sees the counts.
	grep -E '^\[  (PASSED|FAILED)  \]' "$log" | sed 's/^/    /'
}

# One suite per tests/core/test_*.c (a binary left over from a removed source
# is not run; a source whose binary is missing fails).
for src in "$top"/tests/core/test_*.c; do
	[ -f "$src" ] || continue
	t="$top/$O/asan/tests/$(basename "$src" .c)"
	if [ -x "$t" ]; then
		run_one "core/$(basename "$t")" "$t"
	else
		run_one "core/$(basename "$t")" sh -c "echo '$t was not built'; exit 1"
	fi
done
for t in "$top"/tests/cli/test_*.sh "$top"/tests/cli/test_*.py \
         "$top"/tests/tui/test_*.sh "$top"/tests/tui/test_*.py \
         "$top"/tests/plugins/test_*.sh "$top"/tests/plugins/test_*.py; do
	[ -f "$t" ] || continue
	rel=${t#"$top"/tests/}
	case "$t" in
	*.py) run_one "$rel" python3 "$t" ;;
	*)    run_one "$rel" sh "$t" ;;
	esac
done
[ "$fail" -eq 0 ] && rm -rf "$tmproot"
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
