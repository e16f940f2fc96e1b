/* test_profile.c — profile figures against SQLite's own aggregates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/core/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/profile.h"

static struct workspace *open_ws(const char *name)
{
	struct workspace *ws = tu_ws_fresh(name);
	assert_non_null(ws);
	return ws;
}

static double num(struct workspace *ws, const char *sql)
{
	sqlite3_stmt *st;
	double v = NAN;
	if (sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(ws->db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *txt(struct workspace *ws, const char *sql)
{
	sqlite3_stmt *st;
	char *v = NULL;
	assert_int_equal(sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static void close_to(double a, double b)
{
	if (fabs(a - b) > 1e-9 * fmax(1, fabs(b)))
		fail_msg("%.17g != %.17g", a, b);
}

/* A random table with ints, reals, text (with Chinese), NULLs and a mixed column. */
static void fill(struct workspace *ws, int rows)
{
	struct cl_err err = {0};
	assert_int_equal(ws_exec(ws, "CREATE TABLE r(i INTEGER, x REAL, s TEXT, m)", &err), 0);
	assert_int_equal(ws_exec(ws, "BEGIN", &err), 0);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(ws->db, "INSERT INTO r VALUES(?,?,?,?)", -1, &st, NULL), SQLITE_OK);
	static const char *const words[] = { "tea", "茶叶", "green tea", "", "oolong 乌龙", "b" };
	unsigned seed = 7;
	for (int k = 0; k < rows; k++) {
		seed = seed * 1664525u + 1013904223u;
		unsigned v = seed >> 8;
		if (v % 10)
			sqlite3_bind_int64(st, 1, (int64_t)(v % 1000) - 300);
		else
			sqlite3_bind_null(st, 1);
		if (v % 7)
			sqlite3_bind_double(st, 2, (double)(v % 100000) / 37.0);
		else
			sqlite3_bind_null(st, 2);
		if (v % 5)
			sqlite3_bind_text(st, 3, words[v % 6], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		if (v % 3 == 0)
			sqlite3_bind_int64(st, 4, v % 50);
		else if (v % 3 == 1)
			sqlite3_bind_text(st, 4, words[v % 6], -1, SQLITE_STATIC);
		else
			sqlite3_bind_double(st, 4, 0.5 * (v % 9));
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(ws_exec(ws, "COMMIT", &err), 0);
}

static void check_col(struct workspace *ws, const struct profile_col *c, const char *where)
{
	char sql[512];
	const char *n = c->name;
	const char *w = where ? where : "1";
#define Q(...) (snprintf(sql, sizeof sql, __VA_ARGS__), sql)
	close_to((double)c->count, num(ws, Q("SELECT count(%s) FROM r WHERE %s", n, w)));
	close_to((double)c->nulls, num(ws, Q("SELECT count(*) - count(%s) FROM r WHERE %s", n, w)));
	close_to((double)c->distinct, num(ws, Q("SELECT count(DISTINCT %s) FROM r WHERE %s", n, w)));
	char *mn = txt(ws, Q("SELECT min(%s) FROM r WHERE %s", n, w));
	char *mx = txt(ws, Q("SELECT max(%s) FROM r WHERE %s", n, w));
	/* SQLite prints reals its own way: compare numerically when numeric */
	if (mn && c->min && strtod(mn, NULL) != 0 && strtod(c->min, NULL) != 0)
		close_to(strtod(c->min, NULL), strtod(mn, NULL));
	else if (mn)
		assert_string_equal(c->min, mn);
	if (mx && c->max && strtod(mx, NULL) != 0 && strtod(c->max, NULL) != 0)
		close_to(strtod(c->max, NULL), strtod(mx, NULL));
	else if (mx)
		assert_string_equal(c->max, mx);
	free(mn);
	free(mx);
	double nnum = num(ws, Q("SELECT count(*) FROM r WHERE %s AND typeof(%s) IN ('integer','real')", w, n));
	if (nnum > 0) {
		assert_true(c->numeric);
		double mean = num(ws, Q("SELECT avg(%s) FROM r WHERE %s AND typeof(%s) IN ('integer','real')", n, w, n));
		double var = num(ws, Q("SELECT (sum(1.0*%s*%s) - 1.0*sum(%s)*sum(%s)/count(*)) / (count(*)-1) FROM r "
		                       "WHERE %s AND typeof(%s) IN ('integer','real')", n, n, n, n, w, n));
		close_to(c->mean, mean);
		if (fabs(c->stddev - sqrt(var)) > 1e-6 * fmax(1, sqrt(var)))
			fail_msg("%s stddev %.17g vs %.17g", n, c->stddev, sqrt(var));
	}
	double ntext = num(ws, Q("SELECT count(*) FROM r WHERE %s AND typeof(%s)='text'", w, n));
	if (ntext > 0) {
		close_to((double)c->min_len, num(ws, Q("SELECT min(length(%s)) FROM r WHERE %s AND typeof(%s)='text'", n, w, n)));
		close_to((double)c->max_len, num(ws, Q("SELECT max(length(%s)) FROM r WHERE %s AND typeof(%s)='text'", n, w, n)));
	} else
		assert_int_equal(c->min_len, -1);
	/* top values: the same counts as GROUP BY, in order */
	sqlite3_stmt *st;
	Q("SELECT count(*) AS k FROM r WHERE %s AND %s IS NOT NULL GROUP BY %s ORDER BY k DESC LIMIT %d",
	  w, n, n, PROFILE_TOP);
	assert_int_equal(sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL), SQLITE_OK);
	int k = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_true(k < c->ntop);
		assert_int_equal(c->top[k].count, sqlite3_column_int64(st, 0));
		/* and that value really has that count */
		k++;
	}
	sqlite3_finalize(st);
	assert_int_equal(k, c->ntop);
	assert_false(c->approx);
#undef Q
}

static void test_against_sqlite(void **state)
{
	struct workspace *ws = open_ws("p.db");
	struct cl_err err = {0};
	fill(ws, 5000);
	struct profile *p;
	if (profile_table(ws, "r", NULL, NULL, NULL, &p, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(p->rows, 5000);
	assert_int_equal(p->ncols, 4);
	assert_null(p->pred);
	for (size_t i = 0; i < p->ncols; i++)
		check_col(ws, &p->cols[i], NULL);
	assert_string_equal(p->cols[0].type, "integer");
	assert_string_equal(p->cols[1].type, "real");
	cJSON *j = profile_to_json(p);
	cJSON *cols = cJSON_GetObjectItem(j, "columns");
	assert_int_equal(cJSON_GetArraySize(cols), 4);
	cJSON *c0 = cJSON_GetArrayItem(cols, 0);
	assert_int_equal((int64_t)cJSON_GetObjectItem(c0, "count")->valuedouble, p->cols[0].count);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c0, "top")), p->cols[0].ntop);
	cJSON_Delete(j);
	profile_free(p);

	/* with a predicate */
	const char *w = "i > 100 AND s IS NOT NULL";
	if (profile_table(ws, "r", w, NULL, NULL, &p, &err))
		fail_msg("%s", err.msg);
	close_to((double)p->rows, num(ws, "SELECT count(*) FROM r WHERE i > 100 AND s IS NOT NULL"));
	for (size_t i = 0; i < p->ncols; i++)
		check_col(ws, &p->cols[i], w);
	profile_free(p);
	/* a writing predicate is refused */
	assert_int_equal(profile_table(ws, "r", "1) ; DROP TABLE r; SELECT (1", NULL, NULL, &p, &err), -1);
	assert_int_equal(profile_table(ws, "nosuch", NULL, NULL, NULL, &p, &err), -1);
	assert_int_equal(err.code, CL_ENOTFOUND);

	/* frequency table */
	struct profile_value *fv;
	size_t n;
	assert_int_equal(profile_frequency(ws, "r", NULL, "s", 3, &fv, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(fv[0].count >= fv[1].count && fv[1].count >= fv[2].count);
	close_to((double)fv[0].count, num(ws, "SELECT count(*) AS k FROM r GROUP BY s ORDER BY k DESC LIMIT 1"));
	profile_values_free(fv, n);
	workspace_close(ws);
}

static int cancel_now(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
	return 1;
}

static void test_edge_cases(void **state)
{
	struct workspace *ws = open_ws("p2.db");
	struct cl_err err = {0};
	struct profile *p;
	assert_int_equal(ws_exec(ws, "CREATE TABLE e(a INTEGER, b TEXT)", &err), 0);
	assert_int_equal(profile_table(ws, "e", NULL, NULL, NULL, &p, &err), 0);
	assert_int_equal(p->rows, 0);
	assert_null(p->cols[0].min);
	assert_int_equal(p->cols[0].ntop, 0);
	assert_false(p->cols[0].numeric);
	profile_free(p);
	assert_int_equal(ws_exec(ws, "INSERT INTO e VALUES(5,'x'),(5,'y'),(NULL,'x'),(-2,NULL)", &err), 0);
	assert_int_equal(profile_table(ws, "e", NULL, NULL, NULL, &p, &err), 0);
	assert_int_equal(p->cols[0].count, 3);
	assert_int_equal(p->cols[0].nulls, 1);
	assert_int_equal(p->cols[0].distinct, 2);
	assert_string_equal(p->cols[0].min, "-2");
	assert_string_equal(p->cols[0].max, "5");
	assert_string_equal(p->cols[0].top[0].text, "5");
	assert_int_equal(p->cols[0].top[0].count, 2);
	assert_string_equal(p->cols[1].top[0].text, "x");
	profile_free(p);
	/* cancel: no profile, CL_ECANCEL */
	assert_int_equal(ws_exec(ws, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c "
	                             "WHERE x < 40000) INSERT INTO e SELECT x, 'v' || (x % 10) FROM c", &err), 0);
	assert_int_equal(profile_table(ws, "e", NULL, cancel_now, NULL, &p, &err), -1);
	assert_int_equal(err.code, CL_ECANCEL);
	assert_null(p);
	workspace_close(ws);
}

/* Past PROFILE_EXACT_DISTINCT the distinct count is an estimate within a few percent. */
static void test_many_distinct(void **state)
{
	struct workspace *ws = open_ws("p3.db");
	struct cl_err err = {0};
	struct profile *p;
	assert_int_equal(ws_exec(ws, "CREATE TABLE d(v INTEGER); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
	                             "SELECT x+1 FROM c WHERE x < 300000) INSERT INTO d SELECT x FROM c", &err), 0);
	assert_int_equal(profile_table(ws, "d", NULL, NULL, NULL, &p, &err), 0);
	assert_true(p->cols[0].approx);
	assert_true(fabs((double)p->cols[0].distinct - 300000) < 300000 * 0.03);
	assert_string_equal(p->cols[0].max, "300000");
	close_to(p->cols[0].mean, 150000.5);
	profile_free(p);
	workspace_close(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_sqlite),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_many_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
