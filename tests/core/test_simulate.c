/* test_simulate.c — the SIMULATED audience: same seed, same result; the
 * model's rates; Thompson sampling's regret; storage marked simulated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bandit.h"
#include "core/simulate.h"

static void test_rng(void **state)
{
	struct bandit_rng a, b;
	bandit_rng_seed(&a, 5);
	bandit_rng_seed(&b, 5);
	for (int i = 0; i < 100; i++)
		assert_true(bandit_rng_next(&a) == bandit_rng_next(&b));
	/* Beta(20, 80) draws: mean 0.2 within a few standard errors */
	double s = 0;
	for (int i = 0; i < 20000; i++) {
		double x = bandit_rng_beta(&a, 20, 80);
		assert_true(x > 0 && x < 1);
		s += x;
	}
	assert_true(fabs(s / 20000 - 0.2) < 0.002);
	for (int i = 0; i < 1000; i++)
		assert_true(bandit_rng_below(&a, 7) < 7);
}

static void test_direct_reproducible(void **state)
{
	char *names[] = { "A", "B", "C" };
	double rates[] = { 0.05, 0.06, 0.04 };
	struct sim_setup s;
	struct sim_result r1, r2, r3;
	struct cl_err err = {0};
	assert_int_equal(sim_setup_direct(&s, 3, names, rates, &err), 0);
	assert_int_equal(sim_run(&s, SIM_FIXED, 5, 2000, 42, &r1, &err), 0);
	assert_int_equal(sim_run(&s, SIM_FIXED, 5, 2000, 42, &r2, &err), 0);
	assert_int_equal(sim_run(&s, SIM_FIXED, 5, 2000, 43, &r3, &err), 0);
	assert_int_equal(r1.data->ndays, 5);
	int same = 1, diff = 0;
	int64_t tot = 0;
	for (int i = 0; i < 5 * 3; i++) {
		same &= r1.data->n[i] == r2.data->n[i] && r1.data->conv[i] == r2.data->conv[i];
		diff |= r1.data->conv[i] != r3.data->conv[i];
		tot += r1.data->n[i];
	}
	assert_true(same);
	assert_true(diff);
	assert_int_equal(tot, 10000);
	assert_int_equal(r1.best, 1);
	assert_true(fabs(r1.true_rate[1] - 0.06) < 1e-15);
	/* fixed split: expected regret = N * mean gap = 10000 * (0.01 + 0 + 0.02) / 3 */
	assert_true(fabs(r1.regret_fixed - 100.0) < 1e-9);
	sim_result_clear(&r1);
	sim_result_clear(&r2);
	sim_result_clear(&r3);

	/* Thompson sampling sends most traffic to the best arm and loses less */
	struct sim_result t, f;
	assert_int_equal(sim_run(&s, SIM_THOMPSON, 10, 2000, 7, &t, &err), 0);
	assert_int_equal(sim_run(&s, SIM_FIXED, 10, 2000, 7, &f, &err), 0);
	int64_t nb = 0;
	for (int d = 0; d < 10; d++)
		nb += t.data->n[d * 3 + 1];
	assert_true(nb > 20000 / 2);
	assert_true(t.regret < f.regret);
	sim_result_clear(&t);
	sim_result_clear(&f);
	sim_setup_clear(&s);

	double bad[] = { 0.05, 1.5 };
	assert_int_equal(sim_setup_direct(&s, 2, names, bad, &err), -1);
	assert_non_null(strstr(err.msg, "rate"));
	assert_int_equal(sim_setup_direct(&s, 2, names, rates, &err), 0);
	assert_int_equal(sim_run(&s, SIM_FIXED, 0, 100, 1, &r1, &err), -1);
	assert_non_null(strstr(err.msg, "--days"));
	sim_setup_clear(&s);
}

static void test_run_audience(void **state)
{
	struct workspace *ws;
	struct cl_err err = {0};
	const char *dir = getenv("TEST_TMP");
	char *db = xasprintf("%s/sim.db", dir ? dir : "/tmp");
	unlink(db);
	assert_int_equal(workspace_open(db, WS_CREATE, &ws, &err), 0);
	assert_int_equal(ws_exec(ws,
		"CREATE TABLE customers(id INTEGER, segment TEXT);"
		"INSERT INTO customers VALUES (1,'loyal'),(2,'loyal'),(3,'new'),(4,'lapsed');"
		"CREATE TABLE campaigns(segment TEXT, clicks INTEGER, impressions INTEGER);"
		"INSERT INTO campaigns VALUES ('loyal', 50, 1000), ('loyal', 30, 1000), ('new', 10, 1000);"
		"INSERT INTO cl_runs(id, status) VALUES(3, 'done');"
		"INSERT INTO cl_variants(id, run_id, idx, text) VALUES (30,3,1,'a'),(31,3,2,'b'),(32,3,3,'c');"
		"INSERT INTO cl_scores(variant_id, scorer, value) VALUES (30,'composite',0.5),(31,'composite',0.7);",
		&err), 0);
	struct sim_setup s;
	assert_int_equal(sim_setup_run(ws, 3, 0, &s, &err), 0);
	assert_int_equal(s.narms, 3);
	assert_string_equal(s.name[0], "v1");
	assert_int_equal(s.nseg, 3);
	/* segments sorted by name: lapsed, loyal, new */
	assert_string_equal(s.seg[1].name, "loyal");
	assert_true(fabs(s.seg[1].share - 0.5) < 1e-12);
	assert_true(fabs(s.seg[1].base_rate - 0.04) < 1e-12);           /* 80 / 2000 */
	assert_true(fabs(s.seg[0].base_rate - 90.0 / 3000) < 1e-12);    /* lapsed: all campaigns */
	assert_true(fabs(s.mean_score - 0.6) < 1e-12);
	assert_true(fabs(s.mult[1] - exp(2.0 * 0.1)) < 1e-12);
	assert_true(fabs(s.mult[2] - 1) < 1e-12);                       /* unscored variant */
	assert_true(fabs(sim_rate(&s, 1, 0) - 0.04 * exp(-0.2)) < 1e-12);

	struct sim_result r;
	assert_int_equal(sim_run(&s, SIM_THOMPSON, 3, 500, 9, &r, &err), 0);
	assert_int_equal(r.best, 1);
	struct exp_meta meta = { .name = xstrdup("sim") };
	assert_int_equal(sim_save(ws, &meta, &s, &r, SIM_THOMPSON, 3, 500, 9, 0, &err), 0);
	exp_meta_clear(&meta);
	struct exp_analysis *a;
	assert_int_equal(exp_analyze(ws, "sim", NULL, &a, &err), 0);
	assert_true(a->meta.simulated);
	assert_int_equal(a->meta.run_id, 3);
	assert_int_equal(a->data->variant_id[1], 31);
	assert_non_null(strstr(a->meta.params, "SIMULATED"));
	assert_string_equal(a->meta.split, "adaptive");   /* Thompson: no SRM check */
	assert_false(a->res.srm_applicable);
	exp_analysis_free(a);
	sim_result_clear(&r);
	sim_setup_clear(&s);
	assert_int_equal(sim_setup_run(ws, 99, 0, &s, &err), -1);
	assert_non_null(strstr(err.msg, "no run 99"));
	assert_int_equal(ws_exec(ws, "INSERT INTO cl_runs(id, provider) VALUES(98, 'offline')", &err), 0);
	assert_int_equal(sim_setup_run(ws, 98, 0, &s, &err), -1);
	assert_non_null(strstr(err.msg, "fewer than two"));
	workspace_close(ws);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_direct_reproducible),
		cmocka_unit_test(test_run_audience),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
