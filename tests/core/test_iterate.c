/* test_iterate.c — winners, next-round prompt, lineage links, history, and
 * (when the offline generator is built) an offline mutation round. */
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

#include "core/config.h"
#include "core/generate.h"
#include "core/iterate.h"

static struct workspace *ws;

static int setup(void **state)
{
	ws = tu_ws_fresh("iterate.db");
	if (!ws)
		return -1;
	tu_exec_ok(ws, "INSERT INTO cl_prompts(id, name, version, body) VALUES(1, 'spring', 1, 'x');"
	               "INSERT INTO cl_runs(id, prompt_id, provider, model, round, status) VALUES(1, 1, 'offline', 'offline', 1, 'done');"
	               "INSERT INTO cl_variants(id, run_id, idx, fields) VALUES"
	               " (11, 1, 0, '{\"subject\":\"Spring tea is here\",\"body\":\"b0\"}'),"
	               " (12, 1, 1, '{\"subject\":\"春茶到了\",\"body\":\"b1\"}'),"
	               " (13, 1, 2, '{\"subject\":\"Last chance\",\"body\":\"b2\"}'),"
	               " (14, 1, 3, '{\"subject\":\"Discarded\",\"body\":\"b3\"}');"
	               "UPDATE cl_variants SET discarded = 1 WHERE id = 14;"
	               "UPDATE cl_variants SET starred = 1 WHERE id = 13;"
	               "INSERT INTO cl_scores(variant_id, scorer, value) VALUES"
	               " (11, 'composite', 0.70), (11, 'cta', 0.9),"
	               " (12, 'composite', 0.82), (12, 'cta', 0.4),"
	               " (13, 'composite', 0.70), (13, 'cta', 0.5),"
	               " (14, 'composite', 0.99);");
	return 0;
}

static int teardown(void **state)
{
	workspace_close(ws);
	return 0;
}

static void test_label(void **state)
{
	char b[8];
	iterate_label(0, b, sizeof b);
	assert_string_equal(b, "A");
	iterate_label(25, b, sizeof b);
	assert_string_equal(b, "Z");
	iterate_label(26, b, sizeof b);
	assert_string_equal(b, "AA");
	iterate_label(27, b, sizeof b);
	assert_string_equal(b, "AB");
}

static void test_winners_by_score(void **state)
{
	struct iter_winners w;
	struct cl_err err = {0};
	assert_int_equal(iterate_winners_by_score(ws, 1, 2, NULL, &w, &err), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.v[0].variant_id, 12);          /* best composite, 14 is discarded */
	assert_int_equal(w.v[1].variant_id, 13);          /* tie with 11 broken by the star */
	assert_true(fabs(w.v[0].rank_value - 0.82) < 1e-9);
	assert_int_equal(w.round, 1);
	assert_int_equal(w.run_id, 1);
	assert_string_equal(w.v[0].scores[0].scorer, "composite");
	assert_int_equal(w.v[0].nscores, 2);
	char *sec = iterate_prompt_section(&w, "warmer, shorter", "en");
	assert_non_null(strstr(sec, "Winners of round 1"));
	assert_non_null(strstr(sec, "variant B (scores: composite 0.82, cta 0.40)"));
	assert_non_null(strstr(sec, "春茶到了"));
	assert_non_null(strstr(sec, "Feedback from the marketer\nwarmer, shorter"));
	free(sec);
	sec = iterate_prompt_section(&w, "更温暖", "zh");
	assert_non_null(strstr(sec, "第 1 轮"));
	assert_non_null(strstr(sec, "更温暖"));
	free(sec);
	iter_winners_clear(&w);

	/* by one scorer */
	assert_int_equal(iterate_winners_by_score(ws, 1, 1, "cta", &w, &err), 0);
	assert_int_equal(w.v[0].variant_id, 11);
	assert_string_equal(w.basis, "scorer cta");
	iter_winners_clear(&w);

	assert_int_equal(iterate_winners_by_score(ws, 99, 2, NULL, &w, &err), -1);
	assert_non_null(strstr(err.msg, "run 99"));
}

static void test_link_round_and_history(void **state)
{
	struct iter_winners w;
	struct cl_err err = {0};
	long long ids[] = { 12, 11 };
	assert_int_equal(iterate_winners_from_ids(ws, ids, 2, &w, &err), 0);
	tu_exec_ok(ws, "INSERT INTO cl_runs(id, prompt_id, provider, model, status) VALUES(2, 1, 'openai', 'm', 'done');"
	               "INSERT INTO cl_variants(id, run_id, idx, fields) VALUES"
	               " (21, 2, 0, '{\"subject\":\"r2 a\"}'), (22, 2, 1, '{\"subject\":\"r2 b\"}'),"
	               " (23, 2, 2, '{\"subject\":\"r2 c\"}');"
	               "INSERT INTO cl_scores(variant_id, scorer, value) VALUES (21, 'composite', 0.88), (22, 'composite', 0.6);");
	assert_int_equal(iterate_link_round(ws, 2, 1, "warmer", &w, 1, &err), 0);
	assert_int_equal(tu_q_int(ws, "SELECT round FROM cl_runs WHERE id = 2"), 2);
	assert_int_equal(tu_q_int(ws, "SELECT parent_run FROM cl_runs WHERE id = 2"), 1);
	assert_int_equal(tu_q_int(ws, "SELECT count(*) FROM cl_runs WHERE id = 2 AND feedback = 'warmer'"), 1);
	assert_int_equal(tu_q_int(ws, "SELECT parent_id FROM cl_variants WHERE id = 21"), 12);
	assert_int_equal(tu_q_int(ws, "SELECT parent_id FROM cl_variants WHERE id = 22"), 11);
	assert_int_equal(tu_q_int(ws, "SELECT parent_id FROM cl_variants WHERE id = 23"), 12);
	assert_int_equal(tu_q_int(ws, "SELECT round FROM cl_variants WHERE id = 23"), 2);
	assert_int_equal(tu_q_int(ws, "SELECT count(*) FROM cl_variant_parents WHERE variant_id = 21"), 2);
	iter_winners_clear(&w);

	/* an unrelated run is not in the lineage */
	tu_exec_ok(ws, "INSERT INTO cl_runs(id, provider, status) VALUES(3, 'offline', 'done');");
	struct iter_history *h;
	assert_int_equal(iterate_history(ws, 2, &h, &err), 0);
	assert_int_equal(h->nrounds, 2);
	assert_int_equal(h->rounds[0].run_id, 1);
	assert_int_equal(h->rounds[1].run_id, 2);
	assert_int_equal(h->rounds[1].round, 2);
	assert_string_equal(h->rounds[1].feedback, "warmer");
	assert_string_equal(h->rounds[0].prompt_name, "spring");
	assert_true(fabs(h->rounds[0].best - 0.82) < 1e-9);   /* discarded 0.99 left out */
	assert_true(fabs(h->rounds[1].best - 0.88) < 1e-9);
	assert_int_equal(h->nnodes, 7);
	const struct iter_node *n21 = &h->nodes[4];
	assert_int_equal(n21->variant_id, 21);
	assert_int_equal(n21->nparents, 2);
	assert_int_equal(n21->parents[0], 12);
	assert_int_equal(n21->parents[1], 11);
	assert_string_equal(n21->summary, "r2 a");
	assert_true(isnan(h->nodes[6].composite));
	iterate_history_free(h);

	assert_int_equal(iterate_history(ws, 0, &h, &err), 0);
	assert_int_equal(h->nrounds, 3);
	iterate_history_free(h);
	assert_int_equal(iterate_history(ws, 42, &h, &err), -1);
	assert_non_null(strstr(err.msg, "no run 42"));
}

static void test_winners_by_experiment(void **state)
{
	struct iter_winners w;
	struct cl_err err = {0};
	tu_exec_ok(ws, "INSERT INTO cl_experiments(id, name, control_arm) VALUES(1, 'spring-test', 'A');"
	               "INSERT INTO cl_arms(id, experiment_id, name, variant_id) VALUES"
	               " (1, 1, 'A', 11), (2, 1, 'B', 12), (3, 1, 'C', 13), (4, 1, 'D', NULL);"
	               "INSERT INTO cl_results(arm_id, day, n, conversions) VALUES"
	               " (1, '2026-03-01', 1000, 40), (1, '2026-03-02', 1000, 42),"
	               " (2, '2026-03-01', 1000, 60), (2, '2026-03-02', 1000, 61),"
	               " (3, '2026-03-01', 1000, 30), (3, '2026-03-02', 1000, 31),"
	               " (4, '2026-03-01', 1000, 90), (4, '2026-03-02', 1000, 91);");
	assert_int_equal(iterate_winners_by_experiment(ws, "spring-test", 2, &w, &err), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.v[0].variant_id, 12);          /* D is best but has no variant */
	assert_int_equal(w.v[1].variant_id, 11);
	assert_true(fabs(w.v[0].rank_value - 121.0 / 2000) < 1e-12);
	assert_non_null(strstr(w.basis, "spring-test"));
	iter_winners_clear(&w);
	assert_int_equal(iterate_winners_by_experiment(ws, "nope", 2, &w, &err), -1);
	assert_non_null(strstr(err.msg, "nope"));

	/* history sees the observed rate of the round's best arm */
	struct iter_history *h;
	assert_int_equal(iterate_history(ws, 1, &h, &err), 0);
	assert_true(fabs(h->rounds[0].best_rate - 121.0 / 2000) < 1e-12);
	iterate_history_free(h);
}

/* A real round 2 through the generation engine with the offline provider:
 * every new variant is a mutation of a round-1 winner and linked to it. */
static void test_run_round_offline(void **state)
{
	struct cl_err err = {0};
	struct cl_config *cfg = NULL;
	struct gen_job *job = NULL;
	struct gen_spec spec = { .prompt_text = "Write a short line about spring tea.", .n = 3,
	                         .provider = "offline", .temperature = -1, .top_p = -1, .seed = 5 };
	assert_int_equal(config_load(NULL, &cfg, &err), 0);
	if (gen_job_start(ws, cfg, &spec, NULL, NULL, &job, &err))
		fail_msg("%s", err.msg);
	while (gen_job_in_flight(job))
		assert_true(gen_job_poll(job, NULL, 0, 100, &err) >= 0);
	long long run1 = gen_job_run_id(job);
	gen_job_free(job);

	struct iter_winners w;
	assert_int_equal(iterate_winners_by_score(ws, run1, 2, NULL, &w, &err), 0);
	assert_int_equal(w.n, 2);
	struct iter_next next;
	struct iter_next_opts o = { .per_winner = 2, .feedback = "more urgent", .provider = "offline" };
	assert_int_equal(iterate_next_spec(ws, &w, &o, &next, &err), 0);
	assert_int_equal(next.spec.n, 4);
	assert_int_equal(next.spec.round, w.round + 1);
	assert_int_equal(next.spec.parent_run, run1);
	assert_non_null(strstr(next.spec.extra_prompt, "more urgent"));
	assert_non_null(strstr(next.spec.mutation, "sharpen_cta"));
	assert_string_equal(next.spec.prompt_text, "Write a short line about spring tea.");
	iter_next_clear(&next);

	long long run2 = 0;
	if (iterate_run_round(ws, cfg, &w, &o, &run2, &err))
		fail_msg("%s", err.msg);
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT round FROM cl_runs WHERE id = %lld", run2);
	assert_int_equal(tu_q_int(ws, sql), w.round + 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cl_runs WHERE id = %lld AND parent_run = %lld "
	         "AND feedback = 'more urgent'", run2, run1);
	assert_int_equal(tu_q_int(ws, sql), 1);
	/* 4 children, each with a parent among the two winners, and changed text */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cl_variants v JOIN cl_variants p ON p.id = v.parent_id "
	         "WHERE v.run_id = %lld AND p.id IN (%lld, %lld) AND v.fields <> p.fields", run2,
	         w.v[0].variant_id, w.v[1].variant_id);
	assert_int_equal(tu_q_int(ws, sql), 4);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cl_variant_parents vp JOIN cl_variants v "
	         "ON v.id = vp.variant_id WHERE v.run_id = %lld", run2);
	assert_int_equal(tu_q_int(ws, sql), 4);   /* offline: one parent each */
	iter_winners_clear(&w);
	config_free(cfg);

	struct iter_history *h;
	assert_int_equal(iterate_history(ws, run2, &h, &err), 0);
	assert_int_equal(h->nrounds, 2);
	assert_int_equal(h->rounds[1].run_id, run2);
	iterate_history_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_winners_by_score),
		cmocka_unit_test(test_link_round_and_history),
		cmocka_unit_test(test_winners_by_experiment),
		cmocka_unit_test(test_run_round_offline),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
