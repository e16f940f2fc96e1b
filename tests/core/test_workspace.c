/* test_workspace.c — opening, migrating and reopening the workspace file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/core/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/workspace.h"

static void test_create_and_reopen(void **state)
{
	struct workspace *ws = NULL;
	struct cl_err err = {0};
	char *path = tu_tmp_path("ws-create.db");
	unlink(path);
	assert_int_equal(workspace_open(path, 0, &ws, &err), -1);
	assert_non_null(strstr(err.msg, "no such workspace"));
	assert_int_equal(workspace_open(path, WS_CREATE, &ws, &err), 0);
	assert_true(ws->created);
	assert_int_equal(ws_meta_set(ws, "k", "v", &err), 0);
	workspace_close(ws);

	assert_int_equal(workspace_open(path, 0, &ws, &err), 0);
	assert_false(ws->created);
	char *v = ws_meta_get(ws, "k");
	assert_string_equal(v, "v");
	free(v);
	sqlite3_stmt *st;
	assert_int_equal(ws_prepare(ws, "PRAGMA journal_mode", &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(ws_prepare(ws, "PRAGMA user_version", &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), workspace_schema_version());
	sqlite3_finalize(st);
	assert_true(ws_table_exists(ws, "cl_variants"));
	workspace_close(ws);
	free(path);
}

static void test_newer_schema_refused(void **state)
{
	struct workspace *ws = NULL;
	struct cl_err err = {0};
	char *path = tu_tmp_path("ws-newer.db");
	unlink(path);
	assert_int_equal(workspace_open(path, WS_CREATE, &ws, &err), 0);
	char *sql = xasprintf("PRAGMA user_version=%d", workspace_schema_version() + 1);
	assert_int_equal(ws_exec(ws, sql, &err), 0);
	free(sql);
	workspace_close(ws);
	assert_int_equal(workspace_open(path, 0, &ws, &err), -1);
	assert_non_null(strstr(err.msg, "newer than this copylab"));
	free(path);
}

static void test_not_sqlite(void **state)
{
	struct workspace *ws = NULL;
	struct cl_err err = {0};
	char *path = tu_tmp_path("ws-garbage.db");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a database, just some text that goes on for a while\n", f);
	fclose(f);
	assert_int_equal(workspace_open(path, 0, &ws, &err), -1);
	assert_non_null(strstr(err.msg, path));
	free(path);
}

static void test_quote_ident(void **state)
{
	char *q = ws_quote_ident("a\"b");
	assert_string_equal(q, "\"a\"\"b\"");
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_reopen),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_not_sqlite),
		cmocka_unit_test(test_quote_ident),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
