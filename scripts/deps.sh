#!/bin/sh
# Check every pkg-config module and tool copylab needs; install what is missing
# from Debian's archive when root, otherwise print the exact command to run.
# Each module is probed on its own so one missing .pc never hides another.
set -u
missing=""
need() { missing="$missing $1"; }

for pair in ncursesw:libncurses-dev readline:libreadline-dev sqlite3:libsqlite3-dev \
            libcurl:libcurl4-openssl-dev libcjson:libcjson-dev cmocka:libcmocka-dev; do
	mod=${pair%%:*} pkg=${pair#*:}
	pkg-config --exists "$mod" 2>/dev/null || need "$pkg"
done
command -v pkg-config >/dev/null 2>&1 || need pkg-config
# gcc only recommends the C library headers; with --no-install-recommends
# they must be asked for.
command -v cc >/dev/null 2>&1 || need gcc
[ -f /usr/include/stdio.h ] || need libc6-dev
command -v make >/dev/null 2>&1 || need make
command -v tmux >/dev/null 2>&1 || need tmux
command -v python3 >/dev/null 2>&1 || need python3
command -v sqlite3 >/dev/null 2>&1 || need sqlite3
# tests/run.sh bounds each suite with coreutils' timeout; the TUI tests look
# for leftover children with pgrep.
command -v timeout >/dev/null 2>&1 || need coreutils
command -v pgrep >/dev/null 2>&1 || need procps
# `make valgrind` sets COPYLAB_DEPS_VALGRIND=1.
if [ -n "${COPYLAB_DEPS_VALGRIND:-}" ]; then
	command -v valgrind >/dev/null 2>&1 || need valgrind
fi
# Headless Chromium renders the HTML report in the tests; it needs a CJK font
# to draw the Chinese sample copy.
if [ -z "${COPYLAB_NO_CHROMIUM:-}" ]; then
	command -v chromium >/dev/null 2>&1 || need chromium
	if command -v dpkg >/dev/null 2>&1; then
		dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need fonts-wqy-microhei
	fi
fi

[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || { echo "deps: apt-get update failed" >&2; exit 1; }
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		{ echo "deps: apt-get install$missing failed" >&2; exit 1; }
else
	echo "deps: missing Debian packages. Run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
