/* test_predict.c — Spearman with its interval, and the click-rate model:
 * it beats a constant baseline on held-out campaigns, refuses too little
 * history, and survives a save/load round trip. */
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

#include "core/lexicon.h"
#include "core/predict.h"
#include "core/rankstat.h"
#include "core/score.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) < (tol))

static void test_spearman(void **state)
{
	double x[] = { 1, 2, 3, 4, 5 }, y[] = { 2, 1, 4, 3, 5 }, yr[] = { 5, 4, 3, 2, 1 };
	struct rank_corr r;
	/* 1 - 6*4/(5*24) = 0.8; Fisher z with se sqrt(1.06/2) (values from Python's math) */
	rank_spearman(x, y, 5, 0.95, &r);
	NEAR(r.rho, 0.8, 1e-12);
	NEAR(r.lo, -0.3169591696133841, 1e-7);
	NEAR(r.hi, 0.9872753052802754, 1e-7);
	NEAR(r.p_value, 0.13128344136957368, 1e-7);
	rank_spearman(x, yr, 5, 0.95, &r);
	NEAR(r.rho, -1, 1e-12);
	double t[] = { 1, 1, 2 }, rk[3];
	rank_average(t, 3, rk);
	NEAR(rk[0], 1.5, 1e-12);
	NEAR(rk[1], 1.5, 1e-12);
	NEAR(rk[2], 3, 1e-12);
	double c[] = { 1, 1, 1, 1 };
	rank_spearman(x, c, 4, 0.95, &r);
	assert_true(isnan(r.rho));
	rank_spearman(x, y, 3, 0.95, &r);
	assert_true(isnan(r.lo));
	NEAR(rank_norm_quantile(0.975), 1.959963984540054, 1e-8);
}

/* Synthetic history where copy features move the click rate: a strong call
 * to action, a discount and a question help, SMS beats email, long copy hurts. */
struct synth {
	struct predict_example *ex;
	char **texts;
	size_t n;
};

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

static void synth_make(struct synth *s, size_t n, uint64_t seed)
{
	static const char *const hooks[] = { "Spring tea is here", "New harvest from the hills",
		"A calm cup for busy mornings", "Meet our oolong", "Green tea, picked by hand",
		"春茶上新", "山里的好茶", "一杯温润的乌龙" };
	static const char *const ctas[] = { "Shop now", "Learn more", "", "立即购买", "了解更多" };
	static const char *const fillers[] = { "", " Brewed slowly, steeped with care, from small farms "
		"on misty slopes where the leaves grow slowly and sweetly." };
	s->ex = xcalloc(n, sizeof *s->ex);
	s->texts = xcalloc(n, sizeof *s->texts);
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		int h = (int)(lcg(&seed) % 8), c = (int)(lcg(&seed) % 5), disc = (int)(lcg(&seed) % 2);
		int q = (int)(lcg(&seed) % 3 == 0), f = (int)(lcg(&seed) % 2), sms = (int)(lcg(&seed) % 2);
		s->texts[i] = xasprintf("%s%s%s %s%s", hooks[h], q ? "?" : ".", disc ? " 20% off." : "",
		                        ctas[c], fillers[f]);
		double logit = -3.6 + (c == 0 || c == 3 ? 0.7 : c == 2 ? -0.4 : 0) + (disc ? 0.5 : 0) +
		               (q ? 0.3 : 0) + (sms ? 0.3 : 0) + (f ? -0.4 : 0);
		double noise = ((double)(lcg(&seed) % 1000) / 1000.0 - 0.5) * 0.3;
		double ctr = 1 / (1 + exp(-(logit + noise)));
		double imp = 5000 + (double)(lcg(&seed) % 20000);
		s->ex[i] = (struct predict_example){ s->texts[i], sms ? "sms" : "email",
		                                     (lcg(&seed) % 2) ? "vip" : "new", imp, round(imp * ctr) };
	}
}

static void synth_free(struct synth *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->texts[i]);
	free(s->texts);
	free(s->ex);
}

static struct lexicon *lexicon(void)
{
	struct lexicon *lx = NULL;
	struct cl_err err = {0};
	char *dir = xasprintf("%s/sample-data/lexicons", getenv("COPYLAB_TOP") ? getenv("COPYLAB_TOP") : ".");
	if (lex_load(access(dir, F_OK) == 0 ? dir : NULL, &lx, &err))
		fail_msg("lex_load: %s", err.msg);
	free(dir);
	return lx;
}

static void test_beats_baseline_held_out(void **state)
{
	struct synth s;
	synth_make(&s, 260, 42);
	struct lexicon *lx = lexicon();
	struct predictor *p = NULL;
	struct cl_err err = {0};
	/* train on the first 200, hold out the last 60 */
	assert_int_equal(predictor_train(s.ex, 200, lx, NULL, &p, &err), 0);
	const struct predict_metrics *m = predictor_metrics(p);
	assert_int_equal(m->n, 200);
	assert_int_equal(m->folds, 5);
	assert_true(m->spearman > 0.5);
	assert_true(m->spearman_lo > 0);
	assert_true(m->beats_baseline);
	double mean = 0;
	for (size_t i = 0; i < 200; i++)
		mean += s.ex[i].clicks / s.ex[i].impressions;
	mean /= 200;
	double sse = 0, bse = 0, pred[60], obs[60];
	for (size_t i = 200; i < 260; i++) {
		double ctr = s.ex[i].clicks / s.ex[i].impressions;
		double y = predictor_predict(p, s.ex[i].text, s.ex[i].channel, s.ex[i].segment);
		pred[i - 200] = y;
		obs[i - 200] = ctr;
		sse += (y - ctr) * (y - ctr);
		bse += (mean - ctr) * (mean - ctr);
	}
	assert_true(sse < bse);
	struct rank_corr r;
	rank_spearman(pred, obs, 60, 0.95, &r);
	assert_true(r.rho > 0.4);
	/* the percentile is monotone in the click rate */
	assert_true(predictor_percentile(p, 0.0) <= predictor_percentile(p, 0.05));
	NEAR(predictor_percentile(p, 1.0), 1.0, 1e-12);
	cJSON *j = predictor_metrics_json(p);
	assert_non_null(cJSON_GetObjectItem(j, "cv_spearman"));
	assert_non_null(cJSON_GetObjectItem(j, "verdict"));
	cJSON_Delete(j);
	predictor_free(p);
	lex_free(lx);
	synth_free(&s);
}

static void test_too_little_history(void **state)
{
	struct synth s;
	synth_make(&s, 12, 7);
	struct predictor *p = NULL;
	struct cl_err err = {0};
	assert_int_equal(predictor_train(s.ex, 12, NULL, NULL, &p, &err), -1);
	assert_null(p);
	assert_non_null(strstr(err.msg, "too little history"));
	assert_non_null(strstr(err.msg, "12 usable"));
	/* rows without impressions do not count */
	for (size_t i = 0; i < 12; i++)
		s.ex[i].impressions = 0;
	struct predict_opts o = { .min_rows = 5 };
	assert_int_equal(predictor_train(s.ex, 12, NULL, &o, &p, &err), -1);
	assert_non_null(strstr(err.msg, "0 usable"));
	synth_free(&s);
}

static void test_table_save_load_scorer(void **state)
{
	const char *dir = getenv("TEST_TMP");
	char *path = xasprintf("%s/predict.db", dir ? dir : "/tmp");
	unlink(path);
	struct workspace *ws;
	struct cl_err err = {0};
	assert_int_equal(workspace_open(path, WS_CREATE, &ws, &err), 0);
	struct predictor *p = NULL;
	assert_int_equal(predictor_train_table(ws, NULL, NULL, NULL, &p, &err), -1);
	assert_non_null(strstr(err.msg, "no table 'campaigns'"));
	assert_int_equal(ws_exec(ws, "CREATE TABLE campaigns(id INTEGER, channel TEXT, segment TEXT,"
	                         " headline TEXT, body TEXT, cta TEXT, impressions INTEGER, clicks INTEGER)", &err), 0);
	struct synth s;
	synth_make(&s, 120, 99);
	sqlite3_stmt *st;
	assert_int_equal(ws_prepare(ws, "INSERT INTO campaigns VALUES(?,?,?,?,NULL,NULL,?,?)", &st, &err), 0);
	for (size_t i = 0; i < s.n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, (int)i);
		sqlite3_bind_text(st, 2, s.ex[i].channel, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s.ex[i].segment, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, s.ex[i].text, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 5, s.ex[i].impressions);
		sqlite3_bind_double(st, 6, s.ex[i].clicks);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	}
	sqlite3_finalize(st);
	struct lexicon *lx = lexicon();
	assert_int_equal(predictor_train_table(ws, "campaigns", lx, NULL, &p, &err), 0);
	assert_int_equal(predictor_metrics(p)->n, 120);
	assert_string_equal(predictor_source(p), "campaigns");
	assert_int_equal(predictor_save(ws, p, &err), 0);
	struct predictor *q = NULL;
	assert_int_equal(predictor_load(ws, lx, &q, &err), 0);
	assert_non_null(q);
	const char *t = "Spring tea is here? 20% off. Shop now";
	NEAR(predictor_predict(p, t, "sms", "vip"), predictor_predict(q, t, "sms", "vip"), 1e-12);
	NEAR(predictor_metrics(q)->spearman, predictor_metrics(p)->spearman, 1e-6);
	/* the scorer: percentile value with the validation figure beside it */
	struct scoreset *set;
	char *ldir = xasprintf("%s/sample-data/lexicons", getenv("COPYLAB_TOP") ? getenv("COPYLAB_TOP") : ".");
	assert_int_equal(scoreset_new(access(ldir, F_OK) == 0 ? ldir : NULL, &set, &err), 0);
	free(ldir);
	scoreset_set_predictor(set, q);
	struct score_input in = { .text = t, .channel = "sms", .segment = "vip" };
	struct score_result r;
	assert_int_equal(score_text(set, &in, &r, &err), 0);
	const struct score_item *it = score_result_get(&r, "predicted");
	assert_non_null(it);
	assert_non_null(cJSON_GetObjectItem(it->detail, "cv_spearman"));
	NEAR(cJSON_GetObjectItem(it->detail, "predicted_ctr")->valuedouble,
	     predictor_predict(p, t, "sms", "vip"), 1e-6);
	NEAR(it->value, predictor_percentile(p, predictor_predict(p, t, "sms", "vip")), 1e-4);
	score_result_free(&r);
	scoreset_free(set);
	/* a strong offer ranks above a weak one */
	assert_true(predictor_predict(q, "Spring tea is here? 20% off. Shop now", "sms", "vip") >
	            predictor_predict(q, "Spring tea is here. Brewed slowly, steeped with care, from small "
	                              "farms on misty slopes where the leaves grow slowly and sweetly.",
	                              "email", "vip"));
	predictor_free(p);
	predictor_free(q);
	/* none stored: NULL, not an error */
	assert_int_equal(ws_exec(ws, "DELETE FROM cl_models", &err), 0);
	assert_int_equal(predictor_load(ws, lx, &q, &err), 0);
	assert_null(q);
	lex_free(lx);
	synth_free(&s);
	workspace_close(ws);
	free(path);
}

/* Click rates that have nothing to do with the copy: the model must not claim
 * skill, and its scorer is shown but left out of the composite. */
static void test_noise_not_counted(void **state)
{
	struct synth s;
	synth_make(&s, 150, 5);
	uint64_t st = 77;
	for (size_t i = 0; i < s.n; i++)
		s.ex[i].clicks = round(s.ex[i].impressions * (0.02 + (double)(lcg(&st) % 1000) / 50000.0));
	struct lexicon *lx = lexicon();
	struct predictor *p = NULL;
	struct cl_err err = {0};
	assert_int_equal(predictor_train(s.ex, s.n, lx, NULL, &p, &err), 0);
	const struct predict_metrics *m = predictor_metrics(p);
	assert_false(m->spearman_lo > 0 && m->beats_baseline);
	cJSON *j = predictor_metrics_json(p);
	assert_non_null(strstr(cJSON_GetObjectItem(j, "verdict")->valuestring, "not"));
	cJSON_Delete(j);
	struct scoreset *set;
	char *ldir = xasprintf("%s/sample-data/lexicons", getenv("COPYLAB_TOP") ? getenv("COPYLAB_TOP") : ".");
	assert_int_equal(scoreset_new(access(ldir, F_OK) == 0 ? ldir : NULL, &set, &err), 0);
	free(ldir);
	scoreset_set_predictor(set, p);
	struct score_input in = { .text = "Spring tea. Shop now", .channel = "sms" };
	struct score_result r;
	assert_int_equal(score_text(set, &in, &r, &err), 0);
	const struct score_item *it = score_result_get(&r, "predicted");
	assert_non_null(it);
	NEAR(it->weight, 0, 1e-12);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(it->detail, "counted")));
	score_result_free(&r);
	scoreset_free(set);
	predictor_free(p);
	lex_free(lx);
	synth_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spearman),
		cmocka_unit_test(test_beats_baseline_held_out),
		cmocka_unit_test(test_too_little_history),
		cmocka_unit_test(test_table_save_load_scorer),
		cmocka_unit_test(test_noise_not_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
