/* test_abstats.c — A/B statistics against independent reference values
 * (tests/data/ab_reference.py -> ab_reference.json), bad inputs, and an A/A
 * simulation of the sequential test's false-positive rate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abstats.h"

#define TOL 1e-6

static cJSON *ref;

static int load_ref(void **state)
{
	const char *top = getenv("COPYLAB_TOP");
	char *path = xasprintf("%s/tests/data/ab_reference.json", top ? top : ".");
	char *buf = NULL;
	size_t len = 0;
	struct cl_err err = {0};
	if (cl_read_file(path, &buf, &len, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		free(path);
		return -1;
	}
	ref = cJSON_Parse(buf);
	free(buf);
	free(path);
	return ref ? 0 : -1;
}

static int free_ref(void **state)
{
	cJSON_Delete(ref);
	return 0;
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_non_null(v);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static const cJSON *section(const char *name)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(ref, name);
	assert_non_null(s);
	assert_true(cJSON_GetArraySize(s) > 0);
	return s;
}

#define NEAR(a, b, tol) do { double a_ = (a), b_ = (b); \
	if (!(fabs(a_ - b_) <= (tol))) fail_msg("%s = %.12g, want %.12g (line %d)", #a, a_, b_, __LINE__); } while (0)

static void test_normal_quantile(void **state)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, section("normal_quantile"))
		NEAR(ab_norm_quantile(num(e, "p")), num(e, "q"), 1e-9);
	NEAR(ab_norm_cdf(1.959963984540054), 0.975, 1e-12);
	assert_true(isinf(ab_norm_quantile(0)));
}

static void test_wilson_newcombe_z(void **state)
{
	const cJSON *e;
	double lo, hi, z, p;
	cJSON_ArrayForEach(e, section("wilson")) {
		assert_int_equal(ab_wilson((int64_t)num(e, "n"), (int64_t)num(e, "c"), num(e, "alpha"),
		                           &lo, &hi, NULL), 0);
		NEAR(lo, num(e, "lo"), TOL);
		NEAR(hi, num(e, "hi"), TOL);
	}
	cJSON_ArrayForEach(e, section("newcombe")) {
		assert_int_equal(ab_newcombe((int64_t)num(e, "n1"), (int64_t)num(e, "c1"),
		                             (int64_t)num(e, "n2"), (int64_t)num(e, "c2"),
		                             num(e, "alpha"), &lo, &hi, NULL), 0);
		NEAR(lo, num(e, "lo"), TOL);
		NEAR(hi, num(e, "hi"), TOL);
	}
	cJSON_ArrayForEach(e, section("ztest")) {
		assert_int_equal(ab_ztest((int64_t)num(e, "n1"), (int64_t)num(e, "c1"),
		                          (int64_t)num(e, "n2"), (int64_t)num(e, "c2"), &z, &p, NULL), 0);
		NEAR(z, num(e, "z"), 1e-9);
		NEAR(p, num(e, "p"), TOL);
	}
}

static void test_holm_srm_welch(void **state)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, section("holm")) {
		const cJSON *pa = cJSON_GetObjectItem(e, "p"), *aa = cJSON_GetObjectItem(e, "adj");
		double p[8], adj[8];
		int m = cJSON_GetArraySize(pa);
		for (int i = 0; i < m; i++)
			p[i] = cJSON_GetArrayItem(pa, i)->valuedouble;
		ab_holm(p, m, adj);
		for (int i = 0; i < m; i++)
			NEAR(adj[i], cJSON_GetArrayItem(aa, i)->valuedouble, 1e-12);
	}
	cJSON_ArrayForEach(e, section("srm")) {
		const cJSON *na = cJSON_GetObjectItem(e, "n"), *wa = cJSON_GetObjectItem(e, "w");
		int64_t n[8];
		double w[8], chi2, p;
		int k = cJSON_GetArraySize(na);
		for (int i = 0; i < k; i++) {
			n[i] = (int64_t)cJSON_GetArrayItem(na, i)->valuedouble;
			if (cJSON_IsArray(wa))
				w[i] = cJSON_GetArrayItem(wa, i)->valuedouble;
		}
		assert_int_equal(ab_srm(n, cJSON_IsArray(wa) ? w : NULL, k, &chi2, &p, NULL), 0);
		NEAR(chi2, num(e, "chi2"), 1e-9);
		NEAR(p, num(e, "p"), TOL);
	}
	cJSON_ArrayForEach(e, section("welch")) {
		double t, df, p;
		assert_int_equal(ab_welch(num(e, "m1"), num(e, "v1"), num(e, "n1"), num(e, "m2"),
		                          num(e, "v2"), num(e, "n2"), &t, &df, &p, NULL), 0);
		NEAR(t, num(e, "t"), 1e-9);
		NEAR(df, num(e, "df"), 1e-9);
		NEAR(p, num(e, "p"), TOL);
	}
	/* chi-square and t tails at textbook points */
	NEAR(ab_chisq_sf(3.841458820694124, 1), 0.05, 1e-9);
	NEAR(ab_t_sf2(2.228138851986273, 10), 0.05, 1e-9);
}

static void test_bayes(void **state)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, section("prob_beat"))
		NEAR(ab_prob_beat(num(e, "a1"), num(e, "b1"), num(e, "a2"), num(e, "b2")),
		     num(e, "p"), TOL);
	cJSON_ArrayForEach(e, section("bayes")) {
		const cJSON *A = cJSON_GetObjectItem(e, "a"), *B = cJSON_GetObjectItem(e, "b");
		double a[8], b[8], best[8], loss[8], beat[8], lc[8];
		int k = cJSON_GetArraySize(A);
		for (int i = 0; i < k; i++) {
			a[i] = cJSON_GetArrayItem(A, i)->valuedouble;
			b[i] = cJSON_GetArrayItem(B, i)->valuedouble;
		}
		assert_int_equal(ab_bayes(k, a, b, 0, best, loss, beat, lc, NULL), 0);
		for (int i = 0; i < k; i++) {
			NEAR(best[i], cJSON_GetArrayItem(cJSON_GetObjectItem(e, "prob_best"), i)->valuedouble, TOL);
			NEAR(loss[i], cJSON_GetArrayItem(cJSON_GetObjectItem(e, "loss"), i)->valuedouble, TOL);
			NEAR(beat[i], cJSON_GetArrayItem(cJSON_GetObjectItem(e, "beat"), i)->valuedouble, TOL);
			NEAR(lc[i], cJSON_GetArrayItem(cJSON_GetObjectItem(e, "loss_ctrl"), i)->valuedouble, TOL);
		}
	}
}

static void test_bayes_huge(void **state)
{
	/* 10 arms of 10,000,000 visitors: probabilities sum to 1, and the pairwise
	 * figure agrees with the two-arm computation. */
	double a[10], b[10], best[10], loss[10], beat[10], lc[10], s = 0;
	for (int i = 0; i < 10; i++) {
		a[i] = 1 + 500000 + 300 * i;
		b[i] = 1 + 10000000 - (a[i] - 1);
	}
	assert_int_equal(ab_bayes(10, a, b, 0, best, loss, beat, lc, NULL), 0);
	for (int i = 0; i < 10; i++) {
		s += best[i];
		assert_true(loss[i] >= 0);
		NEAR(beat[i], ab_prob_beat(a[0], b[0], a[i], b[i]), 1e-9);
	}
	NEAR(s, 1.0, 1e-9);
	assert_true(best[9] > best[8] && best[8] > best[7]);
}

static void test_plan(void **state)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, section("sample_size")) {
		struct ab_plan_in in = { .baseline = num(e, "baseline"), .mde = num(e, "mde"),
		                         .alpha = num(e, "alpha"), .power = num(e, "power"),
		                         .arms = (int)num(e, "arms") };
		struct ab_plan_out out;
		assert_int_equal(ab_plan(&in, &out, NULL), 0);
		assert_int_equal(out.n_per_arm, (int64_t)num(e, "n"));
		assert_int_equal(out.n_total, out.n_per_arm * in.arms);
	}
	/* the reverse question agrees with the forward one */
	struct ab_plan_in in = { .baseline = 0.05, .mde = 0.1, .arms = 3, .daily = 20000, .days = 14 };
	struct ab_plan_out out, o2;
	assert_int_equal(ab_plan(&in, &out, NULL), 0);
	assert_true(out.max_arms >= 2);
	in.arms = out.max_arms;
	assert_int_equal(ab_plan(&in, &o2, NULL), 0);
	assert_true(o2.n_total <= 20000 * 14);
	in.arms = out.max_arms + 1;
	assert_int_equal(ab_plan(&in, &o2, NULL), 0);
	assert_true(o2.n_total > 20000 * 14);
	assert_true(out.mde_affordable > 0);
	struct cl_err err = {0};
	struct ab_plan_in bad = { .baseline = 1.5, .mde = 0.1 };
	assert_int_equal(ab_plan(&bad, &out, &err), -1);
	assert_non_null(strstr(err.msg, "baseline"));
	bad.baseline = 0.05;
	bad.mde = 0;
	assert_int_equal(ab_plan(&bad, &out, &err), -1);
	assert_non_null(strstr(err.msg, "mde"));
}

static void test_msprt(void **state)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, section("msprt")) {
		int64_t n1 = (int64_t)num(e, "n1"), c1 = (int64_t)num(e, "c1"),
		        n2 = (int64_t)num(e, "n2"), c2 = (int64_t)num(e, "c2");
		NEAR(ab_msprt_lr(n1, c1, n2, c2, num(e, "tau")), num(e, "lr"), 1e-9 * num(e, "lr"));
		NEAR(ab_msprt_halfwidth(n1, c1, n2, c2, num(e, "tau"), num(e, "alpha")), num(e, "hw"), 1e-12);
	}
}

static int no_nan(const struct ab_result *r)
{
	for (int i = 0; i < r->narms; i++) {
		const struct ab_arm_stats *a = &r->arm[i];
		const struct ab_cmp_stats *c = &r->cmp[i];
		double v[] = { a->rate, a->ci_low, a->ci_high, a->prob_best, a->expected_loss,
		               c->abs_lift, c->rel_lift, c->diff_ci_low, c->diff_ci_high, c->p_value,
		               c->p_value_adj, c->prob_beat, c->expected_loss, c->seq_p,
		               c->seq_ci_low, c->seq_ci_high };
		for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
			if (!isfinite(v[j]))
				return 0;
	}
	return isfinite(r->srm_p);
}

static void test_analyze(void **state)
{
	struct ab_input in = { .narms = 3, .name = { "A", "B", "C" },
	                       .n = { 10000, 10000, 10000 }, .conv = { 500, 600, 480 } };
	struct ab_result r;
	struct cl_err err = {0};
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), 0);
	assert_true(no_nan(&r));
	assert_int_equal(r.verdict, AB_WINNER);
	assert_int_equal(r.winner, 1);
	assert_true(r.cmp[1].p_value_adj >= r.cmp[1].p_value);
	NEAR(r.cmp[1].abs_lift, 0.01, 1e-15);
	NEAR(r.cmp[1].rel_lift, 0.2, 1e-12);
	assert_true(r.arm[1].prob_best > 0.99);
	assert_false(r.srm_warning);
	/* all zero conversions: finite everywhere, no relative lift */
	struct ab_input z = { .narms = 2, .n = { 100, 100 }, .conv = { 0, 0 } };
	assert_int_equal(ab_analyze(&z, &r, NULL, &err), 0);
	assert_true(no_nan(&r));
	assert_false(r.cmp[1].rel_lift_ok);
	assert_int_equal(r.verdict, AB_INCONCLUSIVE);
	/* every visitor converts */
	struct ab_input f = { .narms = 2, .n = { 100, 100 }, .conv = { 100, 100 } };
	assert_int_equal(ab_analyze(&f, &r, NULL, &err), 0);
	assert_true(no_nan(&r));
	/* SRM warning */
	struct ab_input s = { .narms = 2, .n = { 10000, 11000 }, .conv = { 500, 550 } };
	assert_int_equal(ab_analyze(&s, &r, NULL, &err), 0);
	assert_true(r.srm_warning);
	assert_non_null(strstr(r.verdict_text, "SAMPLE RATIO MISMATCH"));
	s.split[0] = 10;
	s.split[1] = 11;
	assert_int_equal(ab_analyze(&s, &r, NULL, &err), 0);
	assert_false(r.srm_warning);
	assert_true(r.srm_applicable);
	/* a bandit's allocation is unequal by design: no SRM check */
	s.split[0] = s.split[1] = 0;
	s.adaptive = 1;
	assert_int_equal(ab_analyze(&s, &r, NULL, &err), 0);
	assert_false(r.srm_applicable);
	assert_false(r.srm_warning);
	assert_null(strstr(r.verdict_text, "SAMPLE RATIO"));
}

/* ab_verdict_format: English is verdict_text word for word; Chinese for zh */
static void test_verdict_format(void **state)
{
	char buf[512];
	struct ab_result r;
	struct cl_err err = {0};
	(void)state;
	struct ab_input w = { .narms = 2, .name = { "对照组", "B" },
	                      .n = { 10000, 10000 }, .conv = { 500, 600 } };
	assert_int_equal(ab_analyze(&w, &r, NULL, &err), 0);
	ab_verdict_format(&w, &r, "en", buf, sizeof buf);
	assert_string_equal(buf, r.verdict_text);
	assert_non_null(strstr(buf, "B beats 对照组: +20.00% relative lift"));
	ab_verdict_format(&w, &r, "zh", buf, sizeof buf);
	assert_non_null(strstr(buf, "B 胜过 对照组：相对提升 +20.00%"));
	assert_null(strstr(buf, "beats"));
	struct ab_input k = { .narms = 2, .n = { 10000, 10000 }, .conv = { 600, 500 } };
	assert_int_equal(ab_analyze(&k, &r, NULL, &err), 0);
	assert_int_equal(r.verdict, AB_CONTROL_WINS);
	ab_verdict_format(&k, &r, NULL, buf, sizeof buf);
	assert_string_equal(buf, r.verdict_text);
	assert_string_equal(buf, "keep arm 1: no variant beats it and at least one is significantly worse");
	ab_verdict_format(&k, &r, "zh-CN", buf, sizeof buf);
	assert_string_equal(buf, "保留 第 1 组：没有变体胜过它，且至少有一个显著更差");
	struct ab_input s = { .narms = 2, .n = { 10000, 11000 }, .conv = { 500, 550 } };
	assert_int_equal(ab_analyze(&s, &r, NULL, &err), 0);
	assert_int_equal(r.verdict, AB_INCONCLUSIVE);
	ab_verdict_format(&s, &r, "zh", buf, sizeof buf);
	assert_non_null(strstr(buf, "样本比例失衡"));
	assert_non_null(strstr(buf, "在 alpha = 0.05 下没有显著差异"));
	/* a small buffer is cut, still terminated */
	ab_verdict_format(&s, &r, "en", buf, 8);
	assert_int_equal(strlen(buf), 7);
}

static void test_analyze_days_revenue(void **state)
{
	int64_t dn[4 * 2] = { 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000 };
	int64_t dc[4 * 2] = { 50, 80, 50, 82, 51, 79, 49, 85 };
	double dr[4 * 2] = { 500, 700, 520, 690, 480, 720, 510, 705 };
	double series[8];
	struct ab_input in = { .narms = 2, .name = { "A", "B" }, .ndays = 4, .day_n = dn,
	                       .day_conv = dc, .day_rev = dr, .has_revenue = 1,
	                       .revenue = { 2010, 2815 } };
	struct ab_result r;
	struct cl_err err = {0};
	assert_int_equal(ab_analyze(&in, &r, series, &err), 0);
	assert_int_equal(r.nlooks, 4);
	NEAR(r.arm[0].rate, 200.0 / 4000, 1e-15);
	/* always-valid p-values never increase */
	for (int t = 1; t < 4; t++)
		assert_true(series[t * 2 + 1] <= series[(t - 1) * 2 + 1]);
	NEAR(series[3 * 2 + 1], r.cmp[1].seq_p, 0);
	assert_true(r.cmp[1].seq_ci_low <= r.cmp[1].abs_lift && r.cmp[1].abs_lift <= r.cmp[1].seq_ci_high);
	/* the confidence sequence is wider than the fixed-horizon interval */
	assert_true(r.cmp[1].seq_ci_high - r.cmp[1].seq_ci_low > r.cmp[1].diff_ci_high - r.cmp[1].diff_ci_low);
	assert_true(r.cmp[1].welch_ok);
	assert_false(r.welch_per_visitor);
	assert_true(r.cmp[1].rev_diff > 0);
	assert_true(r.cmp[1].welch_p < 0.001);
}

static void test_bad_input(void **state)
{
	struct ab_result r;
	struct cl_err err = {0};
	struct ab_input in = { .narms = 2, .name = { "A", "B" }, .n = { 0, 100 }, .conv = { 0, 5 } };
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "arm 'A': visitors must be positive"));
	in.n[0] = 100;
	in.conv[1] = 101;
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "arm 'B': conversions (101) exceed visitors (100)"));
	in.conv[1] = -1;
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "negative"));
	in.conv[1] = 5;
	in.control = 2;
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "control"));
	in.control = 0;
	in.narms = 1;
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "two arms"));
	in.narms = 2;
	in.alpha = 1.5;
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "alpha"));
	in.alpha = 0;
	in.prior_a = 0.5;
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "prior"));
	in.prior_a = 0;
	int64_t dn[2] = { 10, 10 }, dc[2] = { 11, 1 };
	in.ndays = 1;
	in.day_n = dn;
	in.day_conv = dc;
	assert_int_equal(ab_analyze(&in, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "look 1"));
	double lo, hi;
	assert_int_equal(ab_wilson(0, 0, 0.05, &lo, &hi, &err), -1);
	double t, df, p;
	assert_int_equal(ab_welch(1, 1, 1, 2, 1, 5, &t, &df, &p, &err), -1);
	int64_t n[2] = { 0, 0 };
	assert_int_equal(ab_srm(n, NULL, 2, NULL, &p, &err), -1);
}

/* splitmix64: the test's own generator, seeded, so the A/A run is fixed. */
static uint64_t sm_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t binom(uint64_t *s, int n, double p)
{
	uint64_t thr = (uint64_t)(p * 18446744073709551616.0);
	int64_t c = 0;
	for (int i = 0; i < n; i++)
		c += sm_next(s) < thr;
	return c;
}

static void test_aa_false_positive_rate(void **state)
{
	/* 1000 A/A experiments, 20 daily looks of 500 visitors per arm at 5%:
	 * the always-valid test rejects at most alpha of them, while a fixed-horizon
	 * z-test checked every day (peeking) rejects far more. */
	enum { REPS = 1000, DAYS = 20, PER = 500 };
	uint64_t seed = 42;
	int seq_rej = 0, peek_rej = 0;
	int64_t dn[DAYS * 2], dc[DAYS * 2];
	for (int r = 0; r < REPS; r++) {
		int64_t cn[2] = {0}, cc[2] = {0};
		int peeked = 0;
		for (int d = 0; d < DAYS; d++)
			for (int a = 0; a < 2; a++) {
				dn[d * 2 + a] = PER;
				dc[d * 2 + a] = binom(&seed, PER, 0.05);
				cn[a] += PER;
				cc[a] += dc[d * 2 + a];
				if (a == 1 && !peeked) {
					double z, p;
					ab_ztest(cn[0], cc[0], cn[1], cc[1], &z, &p, NULL);
					peeked = p < 0.05;
				}
			}
		struct ab_input in = { .narms = 2, .ndays = DAYS, .day_n = dn, .day_conv = dc,
		                       .seq_tau = 0.005 };
		struct ab_result res;
		assert_int_equal(ab_analyze(&in, &res, NULL, NULL), 0);
		seq_rej += res.cmp[1].seq_p <= 0.05;
		peek_rej += peeked;
	}
	print_message("A/A: sequential false positives %d/%d, daily peeking z-test %d/%d\n",
	              seq_rej, REPS, peek_rej, REPS);
	assert_true(seq_rej <= 0.05 * REPS);
	assert_true(peek_rej > seq_rej);
	assert_true(peek_rej > 0.05 * REPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_quantile),
		cmocka_unit_test(test_wilson_newcombe_z),
		cmocka_unit_test(test_holm_srm_welch),
		cmocka_unit_test(test_bayes),
		cmocka_unit_test(test_bayes_huge),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_msprt),
		cmocka_unit_test(test_analyze),
		cmocka_unit_test(test_verdict_format),
		cmocka_unit_test(test_analyze_days_revenue),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_aa_false_positive_rate),
	};
	return cmocka_run_group_tests(tests, load_ref, free_ref);
}
