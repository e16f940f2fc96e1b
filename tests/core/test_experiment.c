/* test_experiment.c — results CSV reading, storage round trip, variant
 * linking and the analysis bundle for the Results pane. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/core/testutil.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/experiment.h"

static char *write_tmp(const char *name, const char *text)
{
	char *p = tu_tmp_path(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static void test_read_csv_days(void **state)
{
	char *p = write_tmp("days.csv",
	                    "date,arm,n,conversions,revenue\n"
	                    "2026-11-02,A,1000,50,100.5\n"
	                    "2026-11-01,A,900,40,80\n"
	                    "2026-11-01,B,950,60,120\n"
	                    "2026-11-02,B,1010,70,\n"
	                    "2026-11-02,B,10,1,1\n");
	struct exp_data *d;
	struct cl_err err = {0};
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), 0);
	assert_int_equal(d->narms, 2);
	assert_int_equal(d->ndays, 2);
	assert_true(d->has_days && d->has_revenue);
	assert_string_equal(d->day[0], "2026-11-01");   /* sorted */
	assert_int_equal(d->n[0 * 2 + 0], 900);
	assert_int_equal(d->n[1 * 2 + 1], 1020);          /* duplicate rows summed */
	assert_int_equal(d->conv[1 * 2 + 1], 71);
	struct ab_input in;
	assert_int_equal(exp_data_input(d, "B", "50,50", &in, &err), 0);
	assert_int_equal(in.control, 1);
	assert_int_equal(in.n[0], 1900);
	assert_true(fabs(in.revenue[0] - 180.5) < 1e-9);
	assert_int_equal(exp_data_input(d, "Z", NULL, &in, &err), -1);
	assert_non_null(strstr(err.msg, "control arm 'Z'"));
	exp_data_free(d);
	free(p);
}

/* Day labels come back in time order: day numbers as numbers, dates with the
 * year last by year first (sequential looks depend on the order). */
static void test_read_csv_day_order(void **state)
{
	(void)state;
	struct exp_data *d;
	struct cl_err err = {0};
	char *p = write_tmp("dayn.csv", "day,arm,n,conversions\n"
	                                "10,A,100,5\n10,B,100,6\n2,A,100,5\n2,B,100,6\n"
	                                "1,A,100,5\n1,B,100,6\n");
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), 0);
	assert_int_equal(d->ndays, 3);
	assert_string_equal(d->day[0], "1");
	assert_string_equal(d->day[1], "2");
	assert_string_equal(d->day[2], "10");
	exp_data_free(d);
	free(p);
	p = write_tmp("dayus.csv", "date,arm,n,conversions\n"
	                           "1/5/2027,A,100,5\n12/20/2026,A,100,5\n12/3/2026,A,100,5\n"
	                           "1/5/2027,B,100,5\n12/20/2026,B,100,5\n12/3/2026,B,100,5\n");
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), 0);
	assert_string_equal(d->day[0], "12/3/2026");
	assert_string_equal(d->day[1], "12/20/2026");
	assert_string_equal(d->day[2], "1/5/2027");
	exp_data_free(d);
	free(p);
}

static void test_read_csv_map_and_errors(void **state)
{
	struct exp_data *d;
	struct cl_err err = {0};
	char *p = write_tmp("map.csv", "Subject Line,Recipients,Orders,Opens\n"
	                               "Hello tea,5000,100,900\nTea time,5000,130,950\n");
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), 0);  /* synonyms */
	assert_int_equal(d->narms, 2);
	assert_string_equal(d->text[0], "Hello tea");
	assert_false(d->has_days);
	exp_data_free(d);
	char *map[] = { "Opens=conversions" };
	assert_int_equal(exp_data_read_csv(p, map, 1, &d, &err), 0);
	assert_int_equal(d->conv[0], 900);
	exp_data_free(d);
	char *bad[] = { "Opens=nonsense" };
	assert_int_equal(exp_data_read_csv(p, bad, 1, &d, &err), -1);
	assert_non_null(strstr(err.msg, "--map"));
	free(p);

	p = write_tmp("bad1.csv", "arm,n,conversions\nA,100,5\nB,100,x\n");
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), -1);
	assert_non_null(strstr(err.msg, ":3: column 3 (conversions)"));
	free(p);
	p = write_tmp("ragged.csv", "arm,n,conversions\nA,100,5\nB,100\n");
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), -1);
	assert_non_null(strstr(err.msg, "ragged.csv:3: the row has 2 fields, the header has 3; "
	                                "column 3 (conversions) is missing"));
	free(p);
	p = write_tmp("bad2.csv", "arm,n,conversions\nA,100,500\n");
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), -1);
	assert_non_null(strstr(err.msg, "exceed"));
	free(p);
	p = write_tmp("bad3.csv", "arm,visits\nA,100\n");
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), -1);
	assert_non_null(strstr(err.msg, "no column for 'n'"));
	free(p);
	p = write_tmp("bad4.csv", "arm,n,conversions\nA,-5,0\n");
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), -1);
	assert_non_null(strstr(err.msg, "negative"));
	free(p);
}

static void test_store_link_analyze(void **state)
{
	struct workspace *ws;
	struct cl_err err = {0};
	char *db = tu_tmp_path("exp.db");
	unlink(db);
	assert_int_equal(workspace_open(db, WS_CREATE, &ws, &err), 0);
	assert_int_equal(ws_exec(ws,
		"INSERT INTO cl_runs(id, status) VALUES(7, 'done');"
		"INSERT INTO cl_variants(id, run_id, idx, text, fields) VALUES"
		" (70, 7, 1, 'Spring Longjing is here', '{\"subject\":\"Spring tea\"}'),"
		" (71, 7, 2, 'Taste the first flush', NULL),"
		" (72, 7, 3, 'Third', NULL);", &err), 0);
	char *p = write_tmp("link.csv", "date,arm,n,conversions,text\n"
	                                "d1,control,1000,40,Spring Tea\n"
	                                "d1,b,1000,60,Taste the first flush\n"
	                                "d1,Spring tea,1000,50,\n"
	                                "d1,#3,1000,45,\n"
	                                "d2,control,1000,42,\nd2,b,1000,66,\nd2,Spring tea,1000,51,\n"
	                                "d2,#3,1000,44,\n");
	struct exp_data *d;
	assert_int_equal(exp_data_read_csv(p, NULL, 0, &d, &err), 0);
	assert_int_equal(exp_link_variants(ws, d, 4242, &err), -1);   /* a run that is not there */
	assert_non_null(strstr(err.msg, "no run 4242"));
	int linked = exp_link_variants(ws, d, 7, &err);
	assert_int_equal(linked, 3);
	assert_int_equal(d->variant_id[0], 0);     /* "Spring Tea": case differs, no match */
	assert_int_equal(d->variant_id[1], 71);    /* by text column */
	assert_int_equal(d->variant_id[2], 70);    /* arm name = a string field */
	assert_int_equal(d->variant_id[3], 72);    /* #3 = index in run 7 */
	struct exp_meta meta = { .name = xstrdup("spring"), .run_id = 7, .planned_n = 4000 };
	assert_int_equal(exp_save(ws, &meta, d, 0, &err), 0);
	assert_int_equal(exp_save(ws, &meta, d, 0, &err), -1);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_int_equal(exp_save(ws, &meta, d, 1, &err), 0);
	exp_meta_clear(&meta);
	exp_data_free(d);

	struct exp_summary *s;
	size_t n;
	assert_int_equal(exp_list(ws, &s, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].narms, 4);
	assert_int_equal(s[0].ndays, 2);
	assert_int_equal(s[0].visitors, 8000);
	exp_list_free(s, n);

	struct exp_analysis *a;
	assert_int_equal(exp_analyze(ws, "spring", NULL, &a, &err), 0);
	assert_int_equal(a->ndays, 2);
	assert_int_equal(a->res.narms, 4);
	assert_string_equal(a->in.name[a->in.control], "control");
	assert_int_equal(a->cum_n[1 * 4 + 1], 2000);
	assert_true(fabs(a->cum_rate[1 * 4 + 1] - 126.0 / 2000) < 1e-12);
	assert_int_equal(a->visitors, 8000);
	assert_int_equal(a->planned_total, 16000);
	assert_true(fabs(a->progress - 0.5) < 1e-12);
	assert_true(a->dens_y[1][EXP_DENSITY_POINTS / 2] > 0);
	assert_true(a->seq_p[1 * 4 + 1] <= a->seq_p[0 * 4 + 1]);
	cJSON *j = exp_analysis_json(a);
	static const char *const keys[] = { "control", "alpha", "arms", "comparisons", "srm_p_value",
	                                    "sequential", "verdict" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_non_null(cJSON_GetObjectItemCaseSensitive(j, keys[i]));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "comparisons")), 3);
	cJSON_Delete(j);
	exp_analysis_free(a);

	assert_int_equal(exp_analyze(ws, "nope", NULL, &a, &err), -1);
	assert_non_null(strstr(err.msg, "no experiment named 'nope'"));
	assert_int_equal(exp_delete(ws, "spring", &err), 0);
	assert_int_equal(exp_list(ws, &s, &n, &err), 0);
	assert_int_equal(n, 0);
	free(s);
	workspace_close(ws);
	free(p);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_csv_days),
		cmocka_unit_test(test_read_csv_day_order),
		cmocka_unit_test(test_read_csv_map_and_errors),
		cmocka_unit_test(test_store_link_analyze),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
