/* test_browse.c — keyset paging against SQLite's own ORDER BY (with NULLs and
 * duplicates, both directions, every order), filters, equal-to-cell literals,
 * counts, frequencies, search, index builds and their cancel; and the input
 * history kept in cl_history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "core/browse.h"
#include "core/history.h"
#include "core/workspace.h"

#define NROWS 503

struct fx {
	struct workspace *ws;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct cl_err err = {0};
	const char *tmp = getenv("TEST_TMP");
	char path[512];
	static int n;
	snprintf(path, sizeof path, "%s/browse-%d.db", tmp ? tmp : "/tmp", n++);
	remove(path);
	assert_int_equal(workspace_open(path, WS_CREATE, &f->ws, &err), 0);
	/* Values with NULLs and many duplicates; text with quotes and Chinese. */
	assert_int_equal(ws_exec(f->ws,
		"CREATE TABLE t(a INTEGER, s TEXT, r REAL, m);"
		"WITH RECURSIVE q(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM q WHERE i < 503)"
		" INSERT INTO t SELECT CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 7) % 13 END,"
		"  CASE i % 5 WHEN 0 THEN 'it''s' WHEN 1 THEN '上海' WHEN 2 THEN NULL"
		"   ELSE 'x' || (i % 17) END, (i * 37 % 101) / 4.0,"
		"  CASE i % 4 WHEN 0 THEN i % 9 WHEN 1 THEN 'v' || (i % 7) WHEN 2 THEN (i % 5) / 2.0"
		"   ELSE NULL END FROM q;", &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	workspace_close(f->ws);
	free(f);
	return 0;
}

/* rowids of the whole view in SQLite's order. */
static int64_t *expected(struct workspace *ws, const char *where, const char *col, int desc,
                         int *n)
{
	char sql[512];
	sqlite3_stmt *st;
	struct cl_err err = {0};
	int64_t *v = calloc(NROWS + 1, sizeof *v);
	const char *dir = desc ? "DESC" : "ASC";
	if (col)
		snprintf(sql, sizeof sql, "SELECT rowid FROM t %s%s ORDER BY %s %s, rowid %s",
		         where ? "WHERE " : "", where ? where : "", col, dir, dir);
	else
		snprintf(sql, sizeof sql, "SELECT rowid FROM t %s%s ORDER BY rowid",
		         where ? "WHERE " : "", where ? where : "");
	assert_int_equal(ws_prepare(ws, sql, &st, &err), 0);
	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		v[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Walk the whole view forward then back with pages of `page`, checking every
 * row against exp and the position against its index. */
static void walk(struct browse *b, const int64_t *exp, int n, int page)
{
	struct cl_err err = {0};
	int moved, seen;
	assert_int_equal(browse_first(b, page, &err), 0);
	assert_int_equal(browse_nrows(b), n < page ? n : page);
	for (int i = 0; i < browse_nrows(b); i++)
		assert_int_equal(browse_rowid(b, i), exp[i]);
	seen = browse_nrows(b);
	for (;;) {
		assert_int_equal(browse_move(b, page, page, &moved, &err), 0);
		if (moved == 0)
			break;
		int64_t pos = browse_pos(b);
		assert_true(pos >= 0);
		for (int i = 0; i < browse_nrows(b); i++)
			assert_int_equal(browse_rowid(b, i), exp[pos + i]);
		seen = (int)pos + browse_nrows(b);
	}
	assert_int_equal(seen, n);
	/* And back, by odd steps. */
	for (;;) {
		assert_int_equal(browse_move(b, -3, page, &moved, &err), 0);
		int64_t pos = browse_pos(b);
		for (int i = 0; i < browse_nrows(b); i++)
			assert_int_equal(browse_rowid(b, i), exp[pos + i]);
		if (moved == 0)
			break;
	}
	assert_int_equal(browse_pos(b), 0);
	/* The last page, its position once the count is known. */
	assert_int_equal(browse_last(b, page, &err), 0);
	int k = browse_nrows(b);
	for (int i = 0; i < k; i++)
		assert_int_equal(browse_rowid(b, i), exp[n - k + i]);
	browse_set_count(b, n);
	assert_int_equal(browse_pos(b), n - k);
	assert_int_equal(browse_move(b, -5, page, &moved, &err), 0);
	assert_int_equal(browse_pos(b), n - k - moved);
	for (int i = 0; i < browse_nrows(b); i++)
		assert_int_equal(browse_rowid(b, i), exp[browse_pos(b) + i]);
}

static void test_keyset_every_order(void **state)
{
	struct fx *f = *state;
	struct cl_err err = {0};
	struct browse *b;
	const char *cols[] = { NULL, "a", "s", "r", "m" };
	int n;

	assert_int_equal(browse_open(f->ws, "t", &b, &err), 0);
	assert_int_equal(browse_ncols(b), 4);
	for (int c = 0; c < 5; c++) {
		for (int desc = 0; desc < (cols[c] ? 2 : 1); desc++) {
			int64_t *exp = expected(f->ws, NULL, cols[c], desc, &n);
			assert_int_equal(browse_set_sort(b, cols[c] ? browse_col_find(b, cols[c]) : -1,
			                                 desc, &err), 0);
			walk(b, exp, n, 7);
			walk(b, exp, n, 1);
			free(exp);
		}
	}
	browse_free(b);
}

static void test_filters(void **state)
{
	struct fx *f = *state;
	struct cl_err err = {0};
	struct browse *b;
	int n, row = -1;
	int64_t cnt;

	assert_int_equal(browse_open(f->ws, "t", &b, &err), 0);
	assert_int_equal(browse_filter_add(b, "a > 5", &err), 0);
	assert_int_equal(browse_set_sort(b, browse_col_find(b, "s"), 1, &err), 0);
	int64_t *exp = expected(f->ws, "a > 5", "s", 1, &n);
	walk(b, exp, n, 6);
	free(exp);
	assert_int_equal(browse_count(f->ws, "t", browse_filter(b), 0, NULL, NULL, &cnt, &err), 0);
	assert_int_equal(cnt, n);

	/* A refused predicate changes nothing. */
	assert_int_not_equal(browse_filter_add(b, "1); DROP TABLE t; --", &err), 0);
	assert_int_not_equal(browse_filter_add(b, "(SELECT 1) = 1 OR load_extension('x')", &err), 0);
	assert_true(ws_table_exists(f->ws, "t"));
	assert_string_equal(browse_filter(b), "a > 5");

	/* Equal to a cell holding a quote. */
	browse_filter_clear(b);
	assert_null(browse_filter(b));
	assert_int_equal(browse_set_sort(b, -1, 0, &err), 0);
	assert_int_equal(browse_first(b, 20, &err), 0);
	for (int i = 0; i < browse_nrows(b); i++)
		if (browse_cell(b, i, 1) && strcmp(browse_cell(b, i, 1), "it's") == 0)
			row = i;
	assert_true(row >= 0);
	assert_int_equal(browse_filter_eq(b, 1, row, &err), 0);
	assert_string_equal(browse_filter(b), "\"s\" = 'it''s'");
	assert_int_equal(browse_count(f->ws, "t", browse_filter(b), 0, NULL, NULL, &cnt, &err), 0);
	exp = expected(f->ws, "s = 'it''s'", NULL, 0, &n);
	assert_int_equal(cnt, n);
	free(exp);

	/* NULL and numbers from a frequency row. */
	browse_filter_clear(b);
	assert_int_equal(browse_filter_value(b, 0, NULL, SQLITE_NULL, &err), 0);
	assert_string_equal(browse_filter(b), "\"a\" IS NULL");
	assert_int_equal(browse_filter_value(b, 2, "12.25", SQLITE_FLOAT, &err), 0);
	assert_string_equal(browse_filter(b), "(\"a\" IS NULL) AND (\"r\" = 12.25)");
	char *sql = browse_view_sql(b);
	assert_non_null(strstr(sql, "WHERE ((\"a\" IS NULL) AND (\"r\" = 12.25))"));
	free(sql);
	browse_free(b);
}

static void test_frequency_and_find(void **state)
{
	struct fx *f = *state;
	struct cl_err err = {0};
	struct browse_freq *fr;
	size_t n;
	int64_t total;
	sqlite3_stmt *st;

	assert_int_equal(browse_frequency(f->ws, "t", "s", NULL, 1000, NROWS, NULL, NULL, &fr, &n,
	                                  &total, &err), 0);
	assert_int_equal(total, NROWS);
	assert_int_equal(ws_prepare(f->ws, "SELECT s, count(*) FROM t GROUP BY s ORDER BY 2 DESC, 1",
	                            &st, &err), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(fr[i].count, sqlite3_column_int64(st, 1));
		if (fr[i].text)
			assert_string_equal(fr[i].text, (const char *)sqlite3_column_text(st, 0));
		else
			assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
	}
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	browse_freq_free(fr, n);

	/* With a filter. */
	assert_int_equal(browse_frequency(f->ws, "t", "a", "a < 3", 2, NROWS, NULL, NULL, &fr, &n,
	                                  &total, &err), 0);
	assert_int_equal(n, 2);
	browse_freq_free(fr, n);

	/* Search down then up in column s. */
	struct browse *b;
	int found;
	assert_int_equal(browse_open(f->ws, "t", &b, &err), 0);
	assert_int_equal(browse_first(b, 5, &err), 0);
	assert_int_equal(browse_find(b, 0, 1, "X16", 1, 5, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_string_equal(browse_cell(b, 0, 1), "x16");
	int64_t first = browse_rowid(b, 0);
	assert_int_equal(browse_find(b, 0, 1, "x16", 1, 5, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_true(browse_rowid(b, 0) > first);
	assert_int_equal(browse_find(b, 0, 1, "x16", -1, 5, &found, &err), 0);
	assert_int_equal(browse_rowid(b, 0), first);
	assert_int_equal(browse_find(b, 0, 1, "no such text", 1, 5, &found, &err), 0);
	assert_int_equal(found, 0);
	assert_int_equal(browse_rowid(b, 0), first);
	/* Wrapping round (dir 2 / -2): the first / last match of the whole view,
	 * wherever the window is. */
	assert_int_equal(browse_last(b, 5, &err), 0);
	assert_int_equal(browse_find(b, 0, 1, "x16", 2, 5, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_int_equal(browse_rowid(b, 0), first);
	assert_int_equal(browse_find(b, 0, 1, "x16", -2, 5, &found, &err), 0);
	assert_int_equal(found, 1);
	int64_t last = browse_rowid(b, 0);
	assert_true(last > first);
	assert_int_equal(browse_find(b, 0, 1, "x16", 1, 5, &found, &err), 0);
	assert_int_equal(found, 0);   /* nothing after the last match: the app then wraps */
	assert_int_equal(browse_find(b, 0, 1, "no such text", 2, 5, &found, &err), 0);
	assert_int_equal(found, 0);
	assert_int_equal(browse_rowid(b, 0), last);
	browse_free(b);
}

static int cancel_now(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
	(void)done, (void)total, (void)rows;
	(*(int *)ctx)++;
	return 1;
}

static int count_calls(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
	(void)rows;
	assert_true(done <= total);
	(*(int *)ctx)++;
	return 0;
}

static void test_index_build(void **state)
{
	struct fx *f = *state;
	struct cl_err err = {0};
	struct browse *b;
	int calls = 0;

	assert_int_equal(browse_open(f->ws, "t", &b, &err), 0);
	assert_false(browse_sort_wants_index(b, 2, 10));          /* small: no index wanted */
	assert_true(browse_sort_wants_index(b, 2, 1000000));
	/* Cancelled: no index, CL_ECANCEL. */
	assert_int_not_equal(browse_index_build(f->ws, "t", "r", NROWS, cancel_now, &calls, &err), 0);
	assert_int_equal(err.code, CL_ECANCEL);
	assert_true(calls >= 1);
	assert_true(browse_sort_wants_index(b, 2, 1000000));
	/* Built, with progress. */
	calls = 0;
	cl_err_clear(&err);
	assert_int_equal(browse_index_build(f->ws, "t", "r", NROWS, count_calls, &calls, &err), 0);
	assert_true(calls >= 1);
	assert_false(browse_sort_wants_index(b, 2, 1000000));
	/* A count can be cancelled too. */
	calls = 0;
	int64_t n;
	assert_int_equal(browse_count(f->ws, "t", "r >= 0", NROWS, NULL, NULL, &n, &err), 0);
	assert_int_equal(n, NROWS);
	browse_free(b);
}

static void test_tables(void **state)
{
	struct fx *f = *state;
	struct cl_err err = {0};
	struct browse_table *t;
	size_t n;
	struct browse *b;
	assert_int_equal(browse_tables(f->ws, &t, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].name, "t");
	assert_int_equal(t[0].rows, NROWS);
	browse_tables_free(t, n);
	assert_int_not_equal(browse_open(f->ws, "nope", &b, &err), 0);
	assert_int_equal(err.code, CL_ENOTFOUND);
	char *lit = browse_sql_literal("a'b", SQLITE_TEXT);
	assert_string_equal(lit, "'a''b'");
	free(lit);
	lit = browse_sql_literal("1e5", SQLITE_FLOAT);
	assert_string_equal(lit, "1e5");
	free(lit);
	lit = browse_sql_literal("12; DROP", SQLITE_INTEGER);
	assert_string_equal(lit, "'12; DROP'");
	free(lit);
}

static void test_history(void **state)
{
	struct fx *f = *state;
	struct cl_err err = {0};
	char **l;
	size_t n;
	assert_int_equal(history_add(f->ws, "command", "open t", &err), 0);
	assert_int_equal(history_add(f->ws, "command", "open t", &err), 0);   /* repeat skipped */
	assert_int_equal(history_add(f->ws, "search", "x", &err), 0);
	assert_int_equal(history_add(f->ws, "command", "filter a > 1", &err), 0);
	assert_int_equal(history_load(f->ws, "command", 10, &l, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(l[0], "open t");
	assert_string_equal(l[1], "filter a > 1");
	history_lines_free(l, n);
	for (int i = 0; i < HISTORY_MAX + 20; i++) {
		char line[32];
		snprintf(line, sizeof line, "line %d", i);
		assert_int_equal(history_add(f->ws, "filter", line, &err), 0);
	}
	assert_int_equal(history_load(f->ws, "filter", 0, &l, &n, &err), 0);
	assert_int_equal(n, HISTORY_MAX);
	assert_string_equal(l[n - 1], "line 519");
	history_lines_free(l, n);
	assert_int_equal(history_load(f->ws, "search", 1, &l, &n, &err), 0);
	assert_int_equal(n, 1);
	history_lines_free(l, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keyset_every_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frequency_and_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
