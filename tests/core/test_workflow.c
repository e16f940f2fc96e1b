/* test_workflow.c — runs and variants for the workflow panes: loading with
 * scores, marks, hand edits as child variants, channel-ready text, the
 * $EDITOR text format, row lists and scoring a run. */
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

#include "core/workflow.h"

static struct workspace *ws;

static int setup(void **state)
{
	ws = tu_ws_fresh("workflow.db");
	if (!ws)
		return -1;
	tu_exec_ok(ws, "INSERT INTO cl_runs(id, provider, model, status, segment) VALUES(1, 'offline', 'offline', 'done', 'vip');"
	               "INSERT INTO cl_variants(id, run_id, idx, fields, text) VALUES"
	               " (1, 1, 0, '{\"subject\":\"春茶到了\",\"preheader\":\"先尝为快\",\"body\":\"第一段\\n第二段\",\"cta\":\"立即预订\"}', 'raw'),"
	               " (2, 1, 1, '{\"subject\":\"Spring tea\",\"body\":\"Hello\"}', 'raw2');"
	               "INSERT INTO cl_scores(variant_id, scorer, value, detail) VALUES"
	               " (1, 'composite', 0.8, NULL), (1, 'cta', 0.9, '{\"rule\":\"x\"}'), (1, 'brand', 0.5, NULL);"
	               "CREATE TABLE products(id INTEGER, name_en TEXT, name_zh TEXT, price REAL);"
	               "INSERT INTO products VALUES (2, 'Longjing', '龙井', 368), (1, 'Biluochun', '碧螺春', 268);");
	return 0;
}

static int teardown(void **state)
{
	workspace_close(ws);
	return 0;
}

static void test_load(void **state)
{
	struct wf_run *r;
	struct cl_err err = {0};
	assert_int_equal(wf_run_load(ws, 1, &r, &err), 0);
	assert_int_equal(r->nv, 2);
	assert_string_equal(r->segment, "vip");
	const struct wf_variant *v = &r->v[0];
	assert_int_equal(v->nfields, 4);
	assert_string_equal(v->fields[0].name, "subject");      /* stored order kept */
	assert_string_equal(v->fields[3].name, "cta");
	assert_string_equal(v->fields[2].value, "第一段\n第二段");
	assert_true(fabs(v->composite - 0.8) < 1e-12);
	assert_int_equal(v->nscores, 2);                          /* composite apart */
	assert_string_equal(v->scores[0].scorer, "brand");
	assert_string_equal(v->scores[1].detail, "{\"rule\":\"x\"}");
	assert_true(isnan(r->v[1].composite));
	wf_run_free(r);
	assert_int_equal(wf_run_load(ws, 9, &r, &err), -1);
	assert_non_null(strstr(err.msg, "no run 9"));
	assert_int_equal(wf_latest_run(ws), 1);
}

static void test_marks_and_edit(void **state)
{
	struct cl_err err = {0};
	assert_int_equal(wf_variant_star(ws, 1, 1, &err), 0);
	assert_int_equal(wf_variant_discard(ws, 2, 1, &err), 0);
	assert_int_equal(wf_variant_note(ws, 1, "keep this", &err), 0);
	assert_int_equal(tu_q_int(ws, "SELECT starred FROM cl_variants WHERE id = 1"), 1);
	assert_int_equal(tu_q_int(ws, "SELECT discarded FROM cl_variants WHERE id = 2"), 1);
	assert_int_equal(tu_q_int(ws, "SELECT count(*) FROM cl_variants WHERE note = 'keep this'"), 1);
	assert_int_equal(wf_variant_note(ws, 1, "", &err), 0);
	assert_int_equal(tu_q_int(ws, "SELECT note IS NULL FROM cl_variants WHERE id = 1"), 1);
	assert_int_equal(wf_variant_star(ws, 77, 1, &err), -1);

	long long nid = 0;
	assert_int_equal(wf_variant_edit(ws, 1, "{\"subject\":\"改过的\"}", &nid, &err), 0);
	assert_true(nid > 2);
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT parent_id * 100 + idx FROM cl_variants WHERE id = %lld", nid);
	assert_int_equal(tu_q_int(ws, sql), 100 + 2);                    /* parent 1, next idx 2 */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cl_variant_parents WHERE variant_id = %lld AND parent_id = 1", nid);
	assert_int_equal(tu_q_int(ws, sql), 1);
	assert_int_equal(wf_variant_edit(ws, 1, "not json", &nid, &err), -1);
	assert_int_equal(wf_variant_edit(ws, 99, "{}", &nid, &err), -1);
}

static void test_channel_text_and_file(void **state)
{
	struct wf_run *r;
	struct cl_err err = {0};
	assert_int_equal(wf_run_load(ws, 1, &r, &err), 0);
	char *t = wf_channel_text(&r->v[0], "email");
	assert_string_equal(t, "Subject: 春茶到了\nPreheader: 先尝为快\n\n第一段\n第二段\n\n» 立即预订\n");
	free(t);
	t = wf_channel_text(&r->v[1], "sms");
	assert_string_equal(t, "Spring tea\nHello\n");
	free(t);
	t = wf_channel_text(&r->v[1], "search-ad");
	assert_string_equal(t, "Subject: Spring tea\nBody: Hello\n");
	free(t);
	char *path = xasprintf("%s/v.txt", getenv("TEST_TMP") ? getenv("TEST_TMP") : "/tmp");
	assert_int_equal(wf_write_variant(&r->v[0], "email", path, &err), 0);
	char *back;
	size_t len;
	assert_int_equal(cl_read_file(path, &back, &len, &err), 0);
	assert_non_null(strstr(back, "Subject: 春茶到了"));
	free(back);
	free(path);
	assert_int_equal(wf_write_variant(&r->v[0], "email", "/nonexistent/dir/x", &err), -1);

	/* the $EDITOR format round-trips, multi-line values included */
	char *ed = wf_fields_format(&r->v[0]);
	assert_non_null(strstr(ed, "## body\n第一段\n第二段\n"));
	char *json = wf_fields_parse(ed, &err);
	assert_non_null(json);
	assert_string_equal(json, r->v[0].fields_json);
	free(json);
	free(ed);
	assert_null(wf_fields_parse("no header\n", &err));
	assert_null(wf_fields_parse("\n\n", &err));
	wf_run_free(r);
}

static void test_rows(void **state)
{
	struct wf_row *v;
	size_t n;
	struct cl_err err = {0};
	assert_int_equal(wf_rows_list(ws, "products", 10, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].ref, "products:1");              /* by id */
	assert_string_equal(v[0].label, "1 · Biluochun · 碧螺春");
	wf_rows_free(v, n);
	assert_int_equal(wf_rows_list(ws, "nope", 10, &v, &n, &err), -1);
}

static void test_score_run(void **state)
{
	struct cl_err err = {0};
	size_t n = 0;
	if (wf_score_run(ws, 1, &n, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(n, 3);    /* two stored + the hand edit */
	assert_int_equal(tu_q_int(ws, "SELECT count(DISTINCT variant_id) FROM cl_scores WHERE scorer = 'composite'"), 3);
	assert_true(tu_q_int(ws, "SELECT count(*) FROM cl_scores WHERE variant_id = 2 AND scorer = 'readability'") == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_marks_and_edit),
		cmocka_unit_test(test_channel_text_and_file),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_score_run),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
