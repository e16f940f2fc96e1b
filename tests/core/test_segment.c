/* test_segment.c — named segments: add, list, show (profiles), remove, refusals. */
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

#include "core/segment.h"

static struct workspace *open_ws(void)
{
	struct workspace *ws = tu_ws_fresh("seg.db");
	struct cl_err err = {0};
	assert_non_null(ws);
	assert_int_equal(ws_exec(ws,
		"CREATE TABLE customers(id INTEGER, region TEXT, frequency INTEGER, monetary REAL);"
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000) "
		"INSERT INTO customers SELECT x, CASE x % 4 WHEN 0 THEN 'East' WHEN 1 THEN 'West' "
		"WHEN 2 THEN 'North' ELSE 'South' END, x % 10, (x % 97) * 10.5 FROM c;", &err), 0);
	return ws;
}

static void test_add_list_show(void **state)
{
	struct workspace *ws = open_ws();
	struct cl_err err = {0};
	struct segment s;
	if (segment_add(ws, "vip-east", "customers", "region = 'East' AND frequency >= 5", 0, &s, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(s.rows, 100);          /* x%4==0 and last digit 6 or 8: 2 in every 20 */
	assert_int_equal(s.table_rows, 1000);
	assert_true(fabs(s.share - 0.1) < 1e-12);
	segment_clear(&s);
	assert_int_equal(segment_add(ws, "west", "customers", "region = 'West'", 0, NULL, &err), 0);

	/* duplicates, bad predicates, missing table */
	assert_int_equal(segment_add(ws, "west", "customers", "1", 0, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_int_equal(segment_add(ws, "west", "customers", "region = 'West' OR frequency = 0", 1, NULL, &err), 0);
	assert_int_equal(segment_add(ws, "bad", "customers", "1); DELETE FROM customers; SELECT (1", 0, NULL, &err), -1);
	assert_int_equal(segment_add(ws, "bad", "customers", "(SELECT count(*) FROM customers) > 0 AND nosuch = 1", 0, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "no such column"));
	assert_int_equal(segment_add(ws, "bad", "nosuch", "1", 0, NULL, &err), -1);
	assert_int_equal(err.code, CL_ENOTFOUND);
	assert_int_equal(segment_add(ws, "bad'name", "customers", "1", 0, NULL, &err), -1);
	assert_int_equal(segment_add(ws, "", "customers", "1", 0, NULL, &err), -1);

	struct segment *list;
	size_t n;
	assert_int_equal(segment_list(ws, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "vip-east");
	assert_string_equal(list[1].name, "west");
	assert_int_equal(list[1].rows, 250 + 100);   /* West (odd ids) or frequency 0 (even ids) */
	segment_list_free(list, n);

	/* live counts follow the table */
	assert_int_equal(ws_exec(ws, "DELETE FROM customers WHERE id > 500", &err), 0);
	assert_int_equal(segment_get(ws, "vip-east", &s, &err), 0);
	assert_int_equal(s.table_rows, 500);
	assert_int_equal(s.rows, 50);
	segment_clear(&s);

	struct profile *seg, *whole;
	if (segment_profile(ws, "vip-east", NULL, NULL, &seg, &whole, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(seg->rows, 50);
	assert_int_equal(whole->rows, 500);
	assert_string_equal(seg->pred, "region = 'East' AND frequency >= 5");
	assert_null(whole->pred);
	/* the segment's region column has one value, the whole table four */
	assert_int_equal(seg->cols[1].distinct, 1);
	assert_string_equal(seg->cols[1].top[0].text, "East");
	assert_int_equal(whole->cols[1].distinct, 4);
	assert_true(seg->cols[2].mean > whole->cols[2].mean);
	profile_free(seg);
	profile_free(whole);
	/* the profile was cached */
	sqlite3_stmt *st;
	assert_int_equal(ws_prepare(ws, "SELECT json_extract(profile, '$.rows'), row_count FROM cl_segments "
	                                "WHERE name='vip-east'", &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 50);
	assert_int_equal(sqlite3_column_int(st, 1), 50);
	sqlite3_finalize(st);

	assert_int_equal(segment_remove(ws, "west", &err), 0);
	assert_int_equal(segment_remove(ws, "west", &err), -1);
	assert_int_equal(err.code, CL_ENOTFOUND);
	assert_int_equal(segment_get(ws, "west", &s, &err), -1);
	assert_int_equal(segment_profile(ws, "west", NULL, NULL, &seg, &whole, &err), -1);

	/* a segment whose table is gone still lists */
	assert_int_equal(ws_exec(ws, "DROP TABLE customers", &err), 0);
	assert_int_equal(segment_list(ws, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].rows, -1);
	segment_list_free(list, n);
	workspace_close(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_list_show),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
