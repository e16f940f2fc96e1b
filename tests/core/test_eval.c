/* test_eval.c — scoring a stored run (template channel, weights, rubric,
 * bound row), one variant, the judge's rubric parsing and offline fallback,
 * and calibration against A/B arms (values from Python, in the comments). */
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

#include "core/eval.h"
#include "core/judge.h"
#include "core/provider.h"
#include "core/score.h"
#include "core/template.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) < (tol))

static struct scoreset *new_set(void)
{
	struct cl_err err = {0};
	struct scoreset *set = NULL;
	char *dir = xasprintf("%s/sample-data/lexicons", getenv("COPYLAB_TOP") ? getenv("COPYLAB_TOP") : ".");
	if (scoreset_new(access(dir, F_OK) == 0 ? dir : NULL, &set, &err))
		fail_msg("scoreset_new: %s", err.msg);
	free(dir);
	return set;
}

static struct workspace *new_ws(const char *name)
{
	const char *dir = getenv("TEST_TMP");
	char *path = xasprintf("%s/%s", dir ? dir : "/tmp", name);
	unlink(path);
	struct workspace *ws;
	struct cl_err err = {0};
	if (workspace_open(path, WS_CREATE, &ws, &err))
		fail_msg("workspace_open: %s", err.msg);
	free(path);
	return ws;
}

static void exec(struct workspace *ws, const char *sql)
{
	struct cl_err err = {0};
	if (ws_exec(ws, sql, &err))
		fail_msg("%s: %s", sql, err.msg);
}

struct seen { int n; long long ids[8]; double comp[8]; };

static void on_variant(void *ud, long long vid, int idx, const struct score_result *r,
                       const char *judge_error)
{
	struct seen *s = ud;
	assert_null(judge_error);
	s->ids[s->n] = vid;
	s->comp[s->n++] = r->composite;
}

static void test_rubric(void **state)
{
	struct judge_rubric r;
	struct cl_err err = {0};
	judge_rubric_default(&r);
	assert_int_equal(r.n, 5);
	assert_string_equal(r.v[1].name, "persuasion");
	judge_rubric_free(&r);
	assert_int_equal(judge_rubric_from_text("clarity=2, tone , cta = 0.5", &r, &err), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[1].name, "tone");
	NEAR(r.v[1].weight, 1, 1e-12);
	NEAR(r.v[2].weight, 0.5, 1e-12);
	judge_rubric_free(&r);
	assert_int_equal(judge_rubric_from_text("clarity=x", &r, &err), -1);
	cJSON *j = cJSON_Parse("[{\"name\":\"hook\",\"weight\":3,\"description\":\"grabs attention\"}]");
	assert_int_equal(judge_rubric_from_json(j, &r, &err), 0);
	assert_string_equal(r.v[0].description, "grabs attention");
	judge_rubric_free(&r);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"hook\": -1}");
	assert_int_equal(judge_rubric_from_json(j, &r, &err), -1);
	cJSON_Delete(j);
}

static void test_judge_offline_fallback(void **state)
{
	struct scoreset *set = new_set();
	struct provider *p = provider_new(&provider_offline, "offline");
	struct judge_rubric r;
	struct cl_err err = {0};
	judge_rubric_default(&r);
	assert_true(judge_is_offline(p));
	struct judge_ctx jc = { "sms", NULL, NULL, NULL };
	double v;
	cJSON *d;
	assert_int_equal(judge_grade(p, &r, &jc, "Shop now: spring tea 20% off", set, &v, &d, &err), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(d, "fallback")));
	assert_non_null(strstr(cJSON_GetObjectItem(d, "note")->valuestring, "offline"));
	/* the fallback value is the heuristic composite */
	struct score_input in = { .text = "Shop now: spring tea 20% off", .channel = "sms" };
	struct score_result sr;
	assert_int_equal(score_text(set, &in, &sr, &err), 0);
	NEAR(v, sr.composite, 1e-9);
	score_result_free(&sr);
	cJSON_Delete(d);
	struct judge_pair jp;
	assert_int_equal(judge_pairwise(p, &r, &jc, "Shop now: spring tea 20% off", "Tea", set, &jp, &err), 0);
	assert_true(jp.fallback);
	NEAR(jp.score_a, 1, 1e-12);
	judge_pair_clear(&jp);
	/* without fallback scorers the offline judge has nothing to say */
	assert_int_equal(judge_grade(p, &r, &jc, "x", NULL, &v, &d, &err), -1);
	judge_rubric_free(&r);
	provider_free(p);
	scoreset_free(set);
}

static void test_eval_run_and_variant(void **state)
{
	struct workspace *ws = new_ws("eval.db");
	struct cl_err err = {0};
	long long tid;
	assert_int_equal(template_save(ws, "---\nname: t-sms\nchannel: sms\nlanguage: en\nfields: body\n"
	                               "weights: cta=4\nrubric: clarity=1, persuasion=2\n---\nWrite an SMS.\n",
	                               "t.tmpl", &tid, NULL, NULL, &err), 0);
	exec(ws, "CREATE TABLE products(id INTEGER, name_en TEXT, price REAL, discount_pct REAL);"
	         "INSERT INTO products VALUES(7, 'Lumi Mug', 20, 20);");
	char *sql = xasprintf("INSERT INTO cl_runs(id, prompt_id, provider, row_ref, segment) "
	                      "VALUES(1, %lld, 'offline', 'products:7', 'vip');", tid);
	exec(ws, sql);
	free(sql);
	exec(ws, "INSERT INTO cl_variants(id, run_id, idx, fields, text) VALUES"
	         "(10, 1, 0, '{\"body\":\"Lumi Mug 30% off. Shop now\"}', NULL),"
	         "(11, 1, 1, '{\"body\":\"Lumi Mug, 20% off: $16. Buy now\"}', NULL),"
	         "(12, 1, 2, NULL, 'plain text reply'),"
	         "(13, 1, 3, NULL, NULL);"
	         "UPDATE cl_variants SET error = 'timeout' WHERE id = 13;");
	struct scoreset *set = new_set();
	struct provider *p = provider_new(&provider_offline, "offline");
	struct seen seen = {0};
	struct eval_opts o = { .judge = 1, .provider = p, .on_variant = on_variant, .ud = &seen };
	struct eval_summary sum;
	assert_int_equal(eval_run(ws, set, 1, &o, &sum, &err), 0);
	assert_int_equal(sum.variants, 3);            /* the failed variant is skipped */
	assert_int_equal(sum.scored, 3);
	assert_int_equal(sum.judged, 3);
	assert_true(sum.judge_fallback);
	assert_string_equal(sum.channel, "sms");
	assert_string_equal(sum.row_ref, "products:7");
	NEAR(scoreset_weight(set, "cta"), 4, 1e-12);  /* from the template */
	assert_int_equal(seen.n, 3);
	/* stored: the claims check used the bound row (30% named, 20% + $16 backed) */
	struct score_result r;
	assert_int_equal(score_load(ws, 10, &r, &err), 0);
	NEAR(score_result_get(&r, "claims")->value, 0.5, 1e-9);
	assert_non_null(score_result_get(&r, "judge"));
	NEAR(r.composite, seen.comp[0], 1e-9);
	score_result_free(&r);
	assert_int_equal(score_load(ws, 11, &r, &err), 0);
	NEAR(score_result_get(&r, "claims")->value, 1.0, 1e-9);
	score_result_free(&r);
	/* one variant, without the judge */
	char *jerr = (char *)1;
	struct eval_opts o2 = { 0 };
	assert_int_equal(eval_variant(ws, set, 12, &o2, &r, &jerr, &err), 0);
	assert_null(jerr);
	assert_null(score_result_get(&r, "judge"));
	assert_string_equal(r.channel, "sms");
	score_result_free(&r);
	assert_int_equal(eval_variant(ws, set, 13, &o2, &r, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "failed to generate"));
	assert_int_equal(eval_run(ws, set, 99, &o2, &sum, &err), -1);
	assert_non_null(strstr(err.msg, "no run 99"));
	cJSON *row;
	assert_int_equal(eval_load_row(ws, "products:7", &row, &err), 0);
	NEAR(cJSON_GetObjectItem(row, "price")->valuedouble, 20, 1e-12);
	cJSON_Delete(row);
	assert_int_equal(eval_load_row(ws, "nosuch:1", &row, &err), -1);
	provider_free(p);
	scoreset_free(set);
	workspace_close(ws);
}

static void test_calibrate(void **state)
{
	struct workspace *ws = new_ws("calib.db");
	struct cl_err err = {0};
	exec(ws, "INSERT INTO cl_runs(id, provider) VALUES(1, 'offline');");
	for (int v = 1; v <= 10; v++) {
		char *sql = xasprintf("INSERT INTO cl_variants(id, run_id, idx, text) VALUES(%d, 1, %d, 'x');"
		                      "INSERT INTO cl_scores(variant_id, scorer, value) VALUES(%d, 'cta', %g);",
		                      v, v, v, v / 10.0);
		exec(ws, sql);
		free(sql);
	}
	/* experiment 1: rates 1..4% (pooled 2.5%); experiment 2: 3, 2, 1% (pooled 2%);
	 * experiment 3 is simulated; experiment 4 has one linked arm (dropped) */
	exec(ws, "INSERT INTO cl_experiments(id, name, simulated) VALUES(1,'e1',0),(2,'e2',0),(3,'sim',1),(4,'one',0);"
	         "INSERT INTO cl_arms(id, experiment_id, name, variant_id) VALUES"
	         " (1,1,'a',1),(2,1,'b',2),(3,1,'c',3),(4,1,'d',4),(5,2,'a',5),(6,2,'b',6),(7,2,'c',7),"
	         " (8,3,'a',8),(9,3,'b',9),(10,4,'a',10),(11,4,'ctl',NULL);"
	         "INSERT INTO cl_results(arm_id, day, n, conversions) VALUES"
	         " (1,'d1',500,5),(1,'d2',500,5),(2,'d1',1000,20),(3,'d1',1000,30),(4,'d1',1000,40),"
	         " (5,'d1',1000,30),(6,'d1',1000,20),(7,'d1',1000,10),(8,'d1',1000,90),(9,'d1',1000,10),"
	         " (10,'d1',1000,50),(11,'d1',1000,10);");
	struct calib_report r;
	assert_int_equal(calibrate_run(ws, 0, &r, &err), 0);
	assert_int_equal(r.experiments, 2);
	assert_int_equal(r.arms, 7);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].scorer, "cta");
	assert_int_equal(r.v[0].n, 7);
	/* pairs (0.1,0.4) (0.2,0.8) (0.3,1.2) (0.4,1.6) (0.5,1.5) (0.6,1.0) (0.7,0.5):
	 * rho = 1 - 6*44/(7*48) = 0.2142857; Fisher z interval (-0.6591416, 0.8415939) */
	NEAR(r.v[0].rho, 0.2142857142857143, 1e-9);
	NEAR(r.v[0].lo, -0.659141560072491, 1e-6);
	NEAR(r.v[0].hi, 0.8415938652591852, 1e-6);
	assert_non_null(strstr(r.v[0].verdict, "no clear relation"));
	cJSON *j = calibrate_json(&r);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "scorers")), 1);
	cJSON_Delete(j);
	calibrate_report_free(&r);
	/* a score that is the same on every arm: no rho, and the verdict says why
	 * (not "too few arms" when there are seven) */
	exec(ws, "INSERT INTO cl_scores(variant_id, scorer, value) VALUES"
	         " (1,'emoji',0.8),(2,'emoji',0.8),(3,'emoji',0.8),(4,'emoji',0.8),(5,'emoji',0.8),"
	         " (6,'emoji',0.8),(7,'emoji',0.8);");
	assert_int_equal(calibrate_run(ws, 0, &r, &err), 0);
	int seen_emoji = 0;
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.v[i].scorer, "emoji") == 0) {
			seen_emoji = 1;
			assert_int_equal(r.v[i].n, 7);
			assert_true(isnan(r.v[i].rho));
			assert_non_null(strstr(r.v[i].verdict, "same on every arm"));
		}
	assert_true(seen_emoji);
	calibrate_report_free(&r);
	exec(ws, "DELETE FROM cl_scores WHERE scorer = 'emoji'");
	/* with the simulated experiment: 9 arms */
	assert_int_equal(calibrate_run(ws, 1, &r, &err), 0);
	assert_int_equal(r.arms, 9);
	assert_int_equal(r.experiments, 3);
	calibrate_report_free(&r);
	/* nothing linked: an empty report, not an error */
	exec(ws, "UPDATE cl_arms SET variant_id = NULL");
	assert_int_equal(calibrate_run(ws, 0, &r, &err), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.arms, 0);
	calibrate_report_free(&r);
	workspace_close(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rubric),
		cmocka_unit_test(test_judge_offline_fallback),
		cmocka_unit_test(test_eval_run_and_variant),
		cmocka_unit_test(test_calibrate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
