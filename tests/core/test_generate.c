/* test_generate.c — generation jobs end to end against the mock server and
 * the offline provider: per-variant persistence, cache, redaction, failed and
 * malformed replies kept, cancel keeps finished variants, interrupted runs,
 * offline determinism, the blocking single completion, no key on disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/generate.h"
#include "tests/core/mock_server.h"

#define KEY "sk-test-SECRET-feedfacecafe0123"

static struct mock oa;
static char *dbpath, *tmpl_path, *tmpl_zh_path, *tmpl_bad_path;

struct seen {
	int variants, errors, done, tokens;
	long long run;
	char status[32];
};

static void s_token(void *ud, int idx, const char *t, size_t n)
{
	struct seen *s = ud;
	assert_true(n > 0 && cl_utf8_valid(t, n));
	s->tokens++;
}
static void s_error(void *ud, int idx, const char *msg) { ((struct seen *)ud)->errors++; }
static void s_variant(void *ud, int idx, const struct gen_variant *v)
{
	struct seen *s = ud;
	assert_true(v->id > 0);
	s->variants++;
}
static void s_done(void *ud, long long run, const char *status)
{
	struct seen *s = ud;
	s->done++;
	s->run = run;
	snprintf(s->status, sizeof s->status, "%s", status);
}

static const struct gen_callbacks CB = { s_token, NULL, s_error, s_variant, s_done };

static struct cl_config *load_cfg(void)
{
	struct cl_config *cfg;
	struct cl_err err = {0};
	char *json = xasprintf(
		"{\"default\": \"mock\", \"providers\": {\"mock\": {\"type\": \"openai\","
		" \"base_url\": \"%s/v1\", \"model\": \"mock-model\", \"api_key_env\": \"COPYLAB_TEST_KEY\","
		" \"price_in\": 1.5, \"price_out\": 2, \"retry_base_ms\": 20, \"max_retries\": 2,"
		" \"timeout_s\": 2}}}", oa.base);
	if (config_load_text(NULL, json, "test-config", &cfg, &err))
		fail_msg("%s", err.msg);
	free(json);
	return cfg;
}

static struct gen_spec spec_init(void)
{
	struct gen_spec s;
	memset(&s, 0, sizeof s);
	s.temperature = -1;
	s.top_p = -1;
	s.seed = -1;
	return s;
}

/* Run a job to the end; returns its run id (0 when start failed). */
static long long run_job(struct workspace *ws, struct cl_config *cfg, const struct gen_spec *spec,
                         struct seen *seen)
{
	struct gen_job *job;
	struct cl_err err = {0};
	long long id;
	if (gen_job_start(ws, cfg, spec, &CB, seen, &job, &err))
		fail_msg("start: %s", err.msg);
	while (gen_job_in_flight(job))
		assert_true(gen_job_poll(job, NULL, 0, 200, &err) >= 0);
	assert_int_equal(seen->done, 1);
	id = gen_job_run_id(job);
	gen_job_free(job);
	return id;
}

static struct workspace *open_ws(void)
{
	struct workspace *ws;
	struct cl_err err = {0};
	if (workspace_open(dbpath, WS_CREATE, &ws, &err))
		fail_msg("%s", err.msg);
	return ws;
}

static char *mock_log_text(void)
{
	cJSON *j = mock_call(&oa, "/_stats", 0);
	char *s = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "log"));
	cJSON_Delete(j);
	return s;
}

static int mock_requests(void)
{
	cJSON *j = mock_call(&oa, "/_stats", 0);
	int n = cJSON_GetObjectItem(j, "requests")->valueint;
	cJSON_Delete(j);
	return n;
}

static void test_template_run_cache_redaction(void **state)
{
	struct workspace *ws = open_ws();
	struct cl_config *cfg = load_cfg();
	struct gen_spec spec = spec_init();
	struct seen s = {0};
	struct gen_variant *v;
	size_t n;
	struct cl_err err = {0};
	mock_reset(&oa);
	spec.template_name = tmpl_path;
	spec.row = "customers:1";
	spec.n = 3;
	long long run = run_job(ws, cfg, &spec, &s);
	assert_string_equal(s.status, "done");
	assert_int_equal(s.variants, 3);
	assert_true(s.tokens > 3);                     /* streamed in pieces */
	assert_int_equal(gen_variants_list(ws, run, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	long tin = 0;
	double cost = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].idx, (int)i);
		assert_true(v[i].parse_ok);
		assert_null(v[i].error);
		assert_false(v[i].cached);
		assert_non_null(strstr(v[i].fields, "\"subject\""));
		assert_true(v[i].tokens_in > 0);
		assert_true(v[i].cost > 0);
		tin += v[i].tokens_in;
		cost += v[i].cost;
	}
	gen_variants_free(v, n);
	struct gen_run_info *r;
	assert_int_equal(gen_run_get(ws, run, &r, &err), 0);
	assert_string_equal(r->status, "done");
	assert_int_equal(r->tokens_in, tin);
	assert_true(r->cost > cost - 1e-9 && r->cost < cost + 1e-9);
	assert_string_equal(r->provider, "mock");
	gen_runs_free(r, 1);

	/* What reached the server: redacted, one choice, JSON mode, max_tokens, streamed. */
	char *log = mock_log_text();
	assert_null(strstr(log, "penglan516@example.cn"));
	assert_null(strstr(log, "138-0000-2073"));
	assert_null(strstr(log, "彭岚"));
	assert_non_null(strstr(log, "[redacted email]"));
	assert_non_null(strstr(log, "\"response_format\":{\"type\":\"json_object\"}"));
	assert_non_null(strstr(log, "\"n\":1"));
	assert_non_null(strstr(log, "\"max_tokens\":"));
	assert_non_null(strstr(log, "\"stream\":true"));
	free(log);

	/* Same request again: every variant from the cache, no new request. */
	int before = mock_requests();
	memset(&s, 0, sizeof s);
	run = run_job(ws, cfg, &spec, &s);
	assert_int_equal(mock_requests(), before);
	assert_int_equal(gen_variants_list(ws, run, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_true(v[i].cached);
		assert_true(v[i].cost == 0);
		assert_true(v[i].parse_ok);
	}
	gen_variants_free(v, n);
	/* --no-cache asks again; --no-redact sends the real values. */
	memset(&s, 0, sizeof s);
	spec.no_cache = 1;
	spec.no_redact = 1;
	spec.n = 1;
	run_job(ws, cfg, &spec, &s);
	assert_int_equal(mock_requests(), before + 1);
	log = mock_log_text();
	assert_non_null(strstr(log, "penglan516@example.cn"));
	free(log);
	config_free(cfg);
	workspace_close(ws);
}

static void test_failures_kept(void **state)
{
	struct workspace *ws = open_ws();
	struct cl_config *cfg = load_cfg();
	struct gen_spec spec = spec_init();
	struct seen s = {0};
	struct gen_variant *v;
	size_t n;
	struct cl_err err = {0};
	/* Retries exhausted: a failed variant with the server's message. */
	spec.prompt_text = "fail please [mock:status=500]";
	spec.n = 2;
	long long run = run_job(ws, cfg, &spec, &s);
	assert_string_equal(s.status, "failed");
	assert_int_equal(s.errors, 2);
	assert_int_equal(gen_variants_list(ws, run, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_non_null(strstr(v[0].error, "mock failure 500"));
	assert_false(v[0].parse_ok);
	gen_variants_free(v, n);
	/* Malformed JSON from the model: kept raw, parse_ok 0, not an error. */
	memset(&s, 0, sizeof s);
	spec = spec_init();
	spec.template_name = tmpl_bad_path;
	spec.n = 1;
	run = run_job(ws, cfg, &spec, &s);
	assert_string_equal(s.status, "done");
	assert_int_equal(gen_variants_list(ws, run, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_false(v[0].parse_ok);
	assert_null(v[0].error);
	assert_non_null(strstr(v[0].text, "Sure! Here is your copy"));
	gen_variants_free(v, n);
	/* Prompt text: the only field is text. */
	memset(&s, 0, sizeof s);
	spec = spec_init();
	spec.prompt_text = "a tagline [mock:latency=1]";
	spec.no_stream = 1;
	run = run_job(ws, cfg, &spec, &s);
	assert_int_equal(gen_variants_list(ws, run, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	cJSON *f = cJSON_Parse(v[0].fields);
	assert_int_equal(cJSON_GetArraySize(f), 1);
	assert_string_equal(cJSON_GetObjectItem(f, "text")->valuestring, v[0].text);
	cJSON_Delete(f);
	gen_variants_free(v, n);
	config_free(cfg);
	workspace_close(ws);
}

static void test_cancel_keeps_finished(void **state)
{
	struct workspace *ws = open_ws();
	struct cl_config *cfg = load_cfg();
	struct gen_spec spec = spec_init();
	struct seen s = {0};
	struct gen_job *job;
	struct cl_err err = {0};
	struct gen_variant *v;
	size_t n;
	spec.prompt_text = "two fast, two slow [mock:slow_after=2,slow_ms=4000]";
	spec.n = 4;
	spec.concurrency = 4;
	spec.no_cache = 1;
	assert_int_equal(gen_job_start(ws, cfg, &spec, &CB, &s, &job, &err), 0);
	double t0 = cl_now_ms();
	while (s.variants < 2 && cl_now_ms() - t0 < 3000)
		gen_job_poll(job, NULL, 0, 50, &err);
	assert_int_equal(s.variants, 2);
	assert_int_equal(gen_job_in_flight(job), 2);
	gen_job_cancel(job);
	assert_int_equal(gen_job_in_flight(job), 0);
	assert_string_equal(s.status, "cancelled");
	long long run = gen_job_run_id(job);
	gen_job_free(job);
	assert_int_equal(gen_variants_list(ws, run, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	gen_variants_free(v, n);
	struct gen_run_info *r;
	assert_int_equal(gen_run_get(ws, run, &r, &err), 0);
	assert_string_equal(r->status, "cancelled");
	gen_runs_free(r, 1);
	config_free(cfg);
	workspace_close(ws);
}

static void test_interrupted_run(void **state)
{
	struct workspace *ws = open_ws();
	struct cl_err err = {0};
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);          /* a pid that is surely gone */
	char *sql = xasprintf("INSERT INTO cl_runs(provider, model, status, n_requested, pid)"
	                      " VALUES('mock', 'm', 'running', 3, %d)", (int)pid);
	assert_int_equal(ws_exec(ws, sql, &err), 0);
	free(sql);
	long long id = sqlite3_last_insert_rowid(ws->db);
	struct gen_run_info *runs;
	size_t n;
	assert_int_equal(gen_runs_list(ws, 0, &runs, &n, &err), 0);
	assert_true(n >= 1);
	assert_int_equal(runs[0].id, id);
	assert_string_equal(runs[0].status, "interrupted");
	gen_runs_free(runs, n);
	struct gen_run_info *r;
	assert_int_equal(gen_run_get(ws, id, &r, &err), 0);
	assert_string_equal(r->status, "interrupted");   /* recorded, not just shown */
	gen_runs_free(r, 1);
	workspace_close(ws);
}

static void texts(struct workspace *ws, long long run, char **out, size_t want)
{
	struct gen_variant *v;
	size_t n;
	struct cl_err err = {0};
	assert_int_equal(gen_variants_list(ws, run, &v, &n, &err), 0);
	assert_int_equal(n, want);
	for (size_t i = 0; i < n; i++) {
		assert_null(v[i].error);
		assert_true(v[i].parse_ok);
		out[i] = xstrdup(v[i].fields);
	}
	gen_variants_free(v, n);
}

static void test_offline_deterministic(void **state)
{
	struct workspace *ws = open_ws();
	struct cl_config *cfg = load_cfg();
	const char *paths[2] = { tmpl_path, tmpl_zh_path };
	for (int lang = 0; lang < 2; lang++) {
		struct gen_spec spec = spec_init();
		struct seen s = {0};
		char *a[6], *b[6];
		spec.template_name = paths[lang];
		spec.row = "customers:1";
		spec.provider = "offline";
		spec.n = 6;
		texts(ws, run_job(ws, cfg, &spec, &s), a, 6);
		memset(&s, 0, sizeof s);
		texts(ws, run_job(ws, cfg, &spec, &s), b, 6);
		for (int i = 0; i < 6; i++) {
			assert_string_equal(a[i], b[i]);           /* same seed, same bytes */
			for (int j = 0; j < i; j++)
				assert_string_not_equal(a[i], a[j]);   /* all different */
		}
		if (lang == 1) {
			/* Chinese copy: some CJK character (3-byte UTF-8 starting 0xE4..0xE9). */
			int cjk = 0;
			for (const unsigned char *p = (const unsigned char *)a[0]; *p; p++)
				cjk |= *p >= 0xE4 && *p <= 0xE9;
			assert_true(cjk);
		}
		for (int i = 0; i < 6; i++) {
			free(a[i]);
			free(b[i]);
		}
	}
	/* The offline provider never redacts and is labelled offline. */
	struct gen_run_info *runs;
	size_t n;
	struct cl_err err = {0};
	assert_int_equal(gen_runs_list(ws, 1, &runs, &n, &err), 0);
	assert_string_equal(runs[0].provider, "offline");
	gen_runs_free(runs, n);
	config_free(cfg);
	workspace_close(ws);
}

static void test_round_with_parents(void **state)
{
	struct workspace *ws = open_ws();
	struct cl_config *cfg = load_cfg();
	struct gen_spec spec = spec_init();
	struct seen s = {0};
	struct gen_variant *v, *w;
	size_t n, m;
	struct cl_err err = {0};
	spec.template_name = tmpl_path;
	spec.row = "customers:2";
	spec.provider = "offline";
	spec.n = 2;
	long long run1 = run_job(ws, cfg, &spec, &s);
	assert_int_equal(gen_variants_list(ws, run1, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	long long parents[2] = { v[0].id, v[1].id };
	memset(&s, 0, sizeof s);
	spec.n = 4;
	spec.round = 2;
	spec.parent_run = run1;
	spec.parent_ids = parents;
	spec.nparents = 2;
	spec.mutation = "shorten, add_urgency";
	spec.feedback = "more urgent";
	long long run2 = run_job(ws, cfg, &spec, &s);
	assert_string_equal(s.status, "done");
	assert_int_equal(gen_variants_list(ws, run2, &w, &m, &err), 0);
	assert_int_equal(m, 4);
	for (size_t i = 0; i < m; i++) {
		assert_int_equal(w[i].round, 2);
		assert_int_equal(w[i].parent_id, parents[i % 2]);
		assert_string_not_equal(w[i].fields, v[i % 2].fields);   /* mutated */
	}
	struct gen_run_info *r;
	assert_int_equal(gen_run_get(ws, run2, &r, &err), 0);
	assert_int_equal(r->round, 2);
	assert_int_equal(r->parent_run, run1);
	assert_string_equal(r->feedback, "more urgent");
	gen_runs_free(r, 1);
	gen_variants_free(v, n);
	gen_variants_free(w, m);
	/* A parent that does not exist is refused before any run is made. */
	struct gen_job *job;
	long long ghost = 999999;
	spec.parent_ids = &ghost;
	spec.nparents = 1;
	assert_int_equal(gen_job_start(ws, cfg, &spec, &CB, &s, &job, &err), -1);
	assert_non_null(strstr(err.msg, "999999"));
	config_free(cfg);
	workspace_close(ws);
}

static void test_sync_and_key_not_stored(void **state)
{
	struct cl_config *cfg = load_cfg();
	struct cl_err err = {0};
	struct provider_req req;
	struct provider_result res;
	struct provider *p = config_provider(cfg, "mock", &err);
	setenv("COPYLAB_TEST_KEY", KEY, 1);
	provider_req_init(&req);
	req.user = "judge this [mock:auth]";
	req.max_tokens = 5;
	assert_int_equal(provider_complete_sync(p, &req, &res, &err), 0);
	assert_null(res.error);
	assert_non_null(strstr(res.text, "Reply"));
	provider_result_clear(&res);
	/* Through a whole job too, then look for the key in the workspace files. */
	struct workspace *ws = open_ws();
	struct gen_spec spec = spec_init();
	struct seen s = {0};
	spec.prompt_text = "keyed [mock:auth]";
	spec.n = 2;
	run_job(ws, cfg, &spec, &s);
	assert_string_equal(s.status, "done");
	assert_int_equal(ws_exec(ws, "PRAGMA wal_checkpoint(FULL)", &err), 0);
	workspace_close(ws);
	const char *sfx[] = { "", "-wal" };
	for (int i = 0; i < 2; i++) {
		char *path = xasprintf("%s%s", dbpath, sfx[i]), *data = NULL;
		size_t len = 0;
		if (cl_read_file(path, &data, &len, &err) == 0) {
			assert_null(memmem(data, len, "SECRET", 6));
			free(data);
		}
		free(path);
	}
	unsetenv("COPYLAB_TEST_KEY");
	/* A local provider works through the same call. */
	p = config_provider(cfg, "offline", &err);
	req.user = "x";
	req.seed = 3;
	assert_int_equal(provider_complete_sync(p, &req, &res, &err), 0);
	assert_null(res.error);
	assert_true(strlen(res.text) > 2);
	provider_result_clear(&res);
	config_free(cfg);
}

static void test_config_errors(void **state)
{
	struct cl_config *cfg;
	struct cl_err err = {0};
	assert_int_equal(config_load_text(NULL, "{\"providers\": {\"x\": {\"type\": \"openai\","
	                                  " \"api_key\": \"sk-abc\"}}}", "c.json", &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "api_key_env"));
	assert_int_equal(config_load_text(NULL, "{\"providers\": {\"x\": {\"type\": \"nope\"}}}",
	                                  "c.json", &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "unknown provider type 'nope'"));
	assert_int_equal(config_load_text(NULL, "{\n\"providers\": [\n", "c.json", &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "c.json:"));
	assert_int_equal(config_load_text(NULL, "{\"default\": \"ghost\"}", "c.json", &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "ghost"));
	if (!getenv("COPYLAB_PROVIDER"))
		assert_non_null(strstr(err.msg, "c.json: default"));
	/* A misspelt key is named, not ignored. */
	assert_int_equal(config_load_text(NULL, "{\"providers\": {\"x\": {\"type\": \"openai\","
	                                  " \"modle\": \"m\"}}}", "c.json", &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "c.json: providers.x: unknown key 'modle'"));
	assert_int_equal(config_load_text(NULL, "{\"defualt\": \"x\"}", "c.json", &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "c.json: unknown key 'defualt'"));
	assert_int_equal(config_load_text(NULL, "{\"_comment\": \"mine\", \"scoring\": {}}", "c.json",
	                                  &cfg, &err), 0);
	config_free(cfg);
	/* No key anywhere: offline is the default. */
	unsetenv("OPENAI_API_KEY");
	unsetenv("ANTHROPIC_API_KEY");
	unsetenv("COPYLAB_PROVIDER");
	assert_int_equal(config_load_text(NULL, NULL, NULL, &cfg, &err), 0);
	assert_string_equal(cfg->default_name, "offline");
	config_free(cfg);
	setenv("OPENAI_API_KEY", KEY, 1);
	setenv("COPYLAB_MODEL", "gpt-x", 1);
	assert_int_equal(config_load_text(NULL, NULL, NULL, &cfg, &err), 0);
	assert_string_equal(cfg->default_name, "openai");
	assert_string_equal(config_provider(cfg, NULL, &err)->model, "gpt-x");
	config_free(cfg);
	unsetenv("OPENAI_API_KEY");
	unsetenv("COPYLAB_MODEL");
	/* The hosted openai endpoint without its key: refused before any request. */
	assert_int_equal(config_load_text(NULL, NULL, NULL, &cfg, &err), 0);
	struct gen_spec nk = { .prompt_text = "hi", .provider = "openai", .n = 1 };
	struct gen_job *nj = NULL;
	assert_int_equal(gen_job_start(NULL, cfg, &nk, NULL, NULL, &nj, &err), -1);
	assert_null(nj);
	assert_non_null(strstr(err.msg, "provider 'openai' needs a key: set OPENAI_API_KEY"));
	config_free(cfg);
	/* A plugin-style type registers like the built-ins; duplicates refused. */
	struct provider_registry *reg = provider_registry_new();
	assert_int_equal(provider_register(reg, &provider_openai, &err), -1);
	assert_non_null(provider_type_find(reg, "anthropic"));
	provider_registry_free(reg);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	const char *tmp = getenv("TEST_TMP");
	struct workspace *ws;
	struct cl_err err = {0};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	setenv("MOCK_API_KEY", KEY, 1);     /* the mock checks the key it is sent */
	if (mock_start(&oa, "mock_openai.py"))
		return -1;
	dbpath = xasprintf("%s/gen.db", tmp ? tmp : "/tmp");
	tmpl_path = xasprintf("%s/note.tmpl", tmp ? tmp : "/tmp");
	tmpl_zh_path = xasprintf("%s/note-zh.tmpl", tmp ? tmp : "/tmp");
	tmpl_bad_path = xasprintf("%s/bad.tmpl", tmp ? tmp : "/tmp");
	unlink(dbpath);
	write_file(tmpl_path, "---\nname: note\nchannel: email\nlanguage: en\nfields: subject, body\n---\n"
	           "Write a short note to {{product.name}} ({{product.email}}, {{product.phone}})"
	           " about our spring tea.\n");
	write_file(tmpl_zh_path, "---\nname: note-zh\nchannel: sms\nlanguage: zh\nfields: text\n---\n"
	           "给{{product.name}}写一条春茶短信。\n");
	write_file(tmpl_bad_path, "---\nname: bad\nchannel: email\nfields: subject, body\n---\n"
	           "Reply badly [mock:malformed]\n");
	if (workspace_open(dbpath, WS_CREATE, &ws, &err))
		return -1;
	if (ws_exec(ws, "CREATE TABLE customers(id INTEGER, name TEXT, email TEXT, phone TEXT, city TEXT);"
	            "INSERT INTO customers VALUES(1, '彭岚', 'penglan516@example.cn', '138-0000-2073', 'Shanghai');"
	            "INSERT INTO customers VALUES(2, 'Ann Lee', 'ann.lee@example.com', '+1 415 555 0100', 'SF');"
	            "INSERT INTO cl_personal_columns VALUES('customers', 'name');", &err))
		return -1;
	workspace_close(ws);
	return 0;
}

static int teardown(void **state)
{
	mock_stop(&oa);
	free(dbpath);
	free(tmpl_path);
	free(tmpl_zh_path);
	free(tmpl_bad_path);
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_run_cache_redaction),
		cmocka_unit_test(test_failures_kept),
		cmocka_unit_test(test_cancel_keeps_finished),
		cmocka_unit_test(test_interrupted_run),
		cmocka_unit_test(test_offline_deterministic),
		cmocka_unit_test(test_round_with_parents),
		cmocka_unit_test(test_sync_and_key_not_stored),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
