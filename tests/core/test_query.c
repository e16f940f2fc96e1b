/* test_query.c — the read-only guard, row callbacks, predicates, paging. */
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

#include "core/query.h"

static struct workspace *ws_with_data(const char *name)
{
	struct workspace *ws = tu_ws_fresh(name);
	struct cl_err err = {0};
	assert_non_null(ws);
	assert_int_equal(ws_exec(ws, "CREATE TABLE t(id INTEGER, name TEXT, score REAL);"
	                             "INSERT INTO t VALUES(1,'a',1.5),(2,'b',NULL),(3,NULL,3.25),"
	                             "(4,'d',0.5),(5,'e',2.0);", &err), 0);
	return ws;
}

static void test_refusals(void **state)
{
	struct workspace *ws = ws_with_data("q1.db");
	struct cl_err err = {0};
	static const struct { const char *sql, *why; } bad[] = {
		{ "INSERT INTO t VALUES(9,'x',1)", "INSERT into t" },
		{ "UPDATE t SET name='z'", "UPDATE of t" },
		{ "DELETE FROM t", "DELETE from t" },
		{ "DROP TABLE t", "changing the schema" },
		{ "CREATE TABLE u(x)", "changing the schema" },
		{ "CREATE INDEX ti ON t(id)", "is not allowed" },
		{ "ALTER TABLE t ADD COLUMN z", "is not allowed" },
		{ "ATTACH 'other.db' AS o", "ATTACH" },
		{ "DETACH main", "DETACH" },
		{ "PRAGMA writable_schema=1", "PRAGMA writable_schema=1" },
		{ "PRAGMA journal_mode=DELETE", "PRAGMA journal_mode=DELETE" },
		{ "PRAGMA user_version=7", "PRAGMA user_version=7" },
		{ "BEGIN", "transactions" },
		{ "SAVEPOINT s", "SAVEPOINT" },
		{ "VACUUM", "would change the workspace" },
		{ "REINDEX", "REINDEX" },
		{ "ANALYZE", "ANALYZE" },
		{ "WITH x AS (SELECT 1) INSERT INTO t(id) SELECT * FROM x", "INSERT into t" },
		{ "SELECT load_extension('x')", "load_extension" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t n = -1;
		assert_int_equal(query_run(ws, bad[i].sql, NULL, NULL, &n, &err), -1);
		if (err.code != CL_EDENIED || !strstr(err.msg, bad[i].why) || !strstr(err.msg, "read-only"))
			fail_msg("%s: code %d, '%s'", bad[i].sql, err.code, err.msg);
	}
	/* the schema table itself cannot be written */
	assert_int_equal(query_run(ws, "UPDATE sqlite_master SET sql='x'", NULL, NULL, NULL, &err), -1);
	assert_int_equal(query_run(ws, "DELETE FROM sqlite_master", NULL, NULL, NULL, &err), -1);
	/* nothing changed, and the authorizer is gone afterwards */
	struct cl_err e2 = {0};
	assert_int_equal(ws_exec(ws, "INSERT INTO t VALUES(6,'f',1)", &e2), 0);
	int64_t n;
	assert_int_equal(query_count(ws, "t", NULL, &n, &err), 0);
	assert_int_equal(n, 6);
	/* more than one statement, empty, syntax */
	assert_int_equal(query_run(ws, "SELECT 1; DELETE FROM t", NULL, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "one statement"));
	assert_int_equal(query_run(ws, "  ;  ", NULL, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(query_run(ws, "SELEC 1", NULL, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "SQL error"));
	/* allowed: reads, read-only pragmas, a trailing comment, CTEs */
	static const char *const ok[] = {
		"SELECT * FROM t", "SELECT count(*) FROM t; -- done", "PRAGMA table_info(t)",
		"PRAGMA user_version", "SELECT * FROM pragma_table_info('t')",
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<5) SELECT * FROM c",
		"SELECT name FROM sqlite_master", "EXPLAIN QUERY PLAN SELECT * FROM t",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (query_check(ws, ok[i], &err))
			fail_msg("%s: %s", ok[i], err.msg);
	workspace_close(ws);
}

struct collect {
	struct sbuf sb;
	int stop_after;
};

static int collect_row(void *ctx, const struct query_row *row)
{
	struct collect *c = ctx;
	for (int i = 0; i < row->ncols; i++) {
		sbuf_addf(&c->sb, "%s%s=%s/%d", i ? "," : "", row->names[i],
		          row->text[i] ? row->text[i] : "NULL", row->type[i]);
		if (row->text[i])
			assert_int_equal(strlen(row->text[i]), row->len[i]);
	}
	sbuf_addc(&c->sb, ';');
	return c->stop_after && row->rowno + 1 >= c->stop_after;
}

static void test_rows_and_pages(void **state)
{
	struct workspace *ws = ws_with_data("q2.db");
	struct cl_err err = {0};
	struct collect c = { SBUF_INIT, 0 };
	int64_t n;
	assert_int_equal(query_run(ws, "SELECT id, name, score FROM t WHERE id <= 3 ORDER BY id", collect_row, &c, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c.sb.buf, "id=1/1,name=a/3,score=1.5/2;id=2/1,name=b/3,score=NULL/5;"
	                              "id=3/1,name=NULL/5,score=3.25/2;");
	sbuf_reset(&c.sb);
	c.stop_after = 2;
	assert_int_equal(query_run(ws, "SELECT id FROM t", collect_row, &c, &n, &err), 0);
	assert_int_equal(n, 2);

	/* pages: sorted by score descending, NULLs last, with rowid first */
	sbuf_reset(&c.sb);
	c.stop_after = 0;
	struct query_page pg = { "t", "score IS NOT NULL", "score", 1, 1, 2 };
	assert_int_equal(query_page(ws, &pg, collect_row, &c, &err), 0);
	assert_string_equal(c.sb.buf, "_rowid=5/1,id=5/1,name=e/3,score=2.0/2;"
	                              "_rowid=1/1,id=1/1,name=a/3,score=1.5/2;");
	pg.order_by = "nope";
	assert_int_equal(query_page(ws, &pg, collect_row, &c, &err), -1);
	assert_non_null(strstr(err.msg, "no column \"nope\""));
	pg.order_by = NULL;
	pg.pred = "1); DELETE FROM t; SELECT (1";
	assert_int_equal(query_page(ws, &pg, collect_row, &c, &err), -1);

	/* predicates */
	assert_int_equal(query_check_predicate(ws, "t", "score > 1 AND name LIKE 'a%'", &err), 0);
	assert_int_equal(query_check_predicate(ws, "t", "id IN (SELECT id FROM t WHERE id > 2)", &err), 0);
	assert_int_equal(query_check_predicate(ws, "t", "1) OR (1", &err), -1);
	assert_int_equal(query_check_predicate(ws, "t", "1 -- x", &err), -1);
	assert_int_equal(query_check_predicate(ws, "t", "nosuchcol = 1", &err), -1);
	assert_non_null(strstr(err.msg, "no such column"));
	assert_int_equal(query_check_predicate(ws, "nosuch", "1", &err), -1);
	assert_int_equal(err.code, CL_ENOTFOUND);
	assert_int_equal(query_check_predicate(ws, "t", "name = ')'", &err), 0);
	assert_int_equal(query_count(ws, "t", "score >= 1.5", &n, &err), 0);
	assert_int_equal(n, 3);

	char **names, **types;
	size_t nc;
	assert_int_equal(query_columns(ws, "t", &names, &types, &nc, &err), 0);
	assert_int_equal(nc, 3);
	assert_string_equal(names[2], "score");
	assert_string_equal(types[2], "REAL");
	query_columns_free(names, types, nc);
	sbuf_free(&c.sb);
	workspace_close(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_rows_and_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
