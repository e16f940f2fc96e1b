/* testutil.h — set-up helpers shared by the cmocka core tests: paths under
 * $TEST_TMP, a fresh workspace, and one-line SQL checks. Header-only (static
 * inline), for tests linked against libcore.a. */
#ifndef TEST_TESTUTIL_H
#define TEST_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/util.h"
#include "core/workspace.h"

/* $TEST_TMP/name (/tmp/name when $TEST_TMP is unset); the caller frees it. */
static inline char *tu_tmp_path(const char *name)
{
	const char *dir = getenv("TEST_TMP");
	return xasprintf("%s/%s", dir ? dir : "/tmp", name);
}

/* A new, empty workspace at $TEST_TMP/name (an old file there is removed
 * first); NULL after printing why to stderr. Close it with workspace_close. */
static inline struct workspace *tu_ws_fresh(const char *name)
{
	char *path = tu_tmp_path(name);
	struct workspace *ws = NULL;
	struct cl_err err = {0};
	unlink(path);
	if (workspace_open(path, WS_CREATE, &ws, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		ws = NULL;
	}
	free(path);
	return ws;
}

/* Run sql on ws; the test fails with SQLite's message when it errs. */
static inline void tu_exec_ok(struct workspace *ws, const char *sql)
{
	struct cl_err err = {0};
	if (ws_exec(ws, sql, &err))
		fail_msg("%s: %s", sql, err.msg);
}

/* The first column of sql's first row as an integer; the test fails when
 * sql does not prepare or returns no row. */
static inline long long tu_q_int(struct workspace *ws, const char *sql)
{
	struct cl_err err = {0};
	sqlite3_stmt *st;
	assert_int_equal(ws_prepare(ws, sql, &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

#endif
