/* test_http.c — the HTTP client and the openai/anthropic provider types
 * against the mock servers: streaming and not, byte-split replies, 429 with
 * Retry-After, 500 then success, retries exhausted, dropped connections,
 * trickling servers, cancellation, concurrency limits, key masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/provider.h"
#include "tests/core/mock_server.h"

static struct mock oa, an;

#define KEY "sk-test-SECRET-0123456789abcdef"

struct outcome {
	struct sbuf streamed;
	struct provider_result res;
	int done, retries;
	long last_delay;
};

static void o_token(void *ud, const char *t, size_t n)
{
	struct outcome *o = ud;
	sbuf_add(&o->streamed, t, n);
}

static void o_retry(void *ud, int attempt, long delay_ms, const char *why)
{
	struct outcome *o = ud;
	o->retries++;
	o->last_delay = delay_ms;
	sbuf_reset(&o->streamed);
}

static void o_done(void *ud, struct provider_result *r)
{
	struct outcome *o = ud;
	o->res = *r;
	memset(r, 0, sizeof *r);
	o->done = 1;
}

static void o_clear(struct outcome *o)
{
	sbuf_free(&o->streamed);
	provider_result_clear(&o->res);
}

struct logbuf { struct sbuf sb; };

static void log_line(void *ud, const char *line)
{
	struct logbuf *l = ud;
	sbuf_adds(&l->sb, line);
	sbuf_addc(&l->sb, '\n');
}

/* Run n requests with the same prompt on p; outcomes in o[]. */
static void run(struct provider *p, const struct http_opts *opts, const char *prompt, int stream,
                struct outcome *o, int n)
{
	struct http_client *c;
	struct cl_err err = {0};
	struct provider_req req;
	struct provider_callbacks cb = { o_token, o_retry, o_done };
	assert_int_equal(http_client_new(opts, &c, &err), 0);
	provider_req_init(&req);
	req.user = prompt;
	req.stream = stream;
	req.max_tokens = 50;
	for (int i = 0; i < n; i++) {
		memset(&o[i], 0, sizeof o[i]);
		assert_true(provider_submit(p, c, &req, &cb, &o[i], &err) > 0);
	}
	while (http_in_flight(c))
		assert_true(http_poll(c, NULL, 0, 200, &err) >= 0);
	http_client_free(c);
	for (int i = 0; i < n; i++)
		assert_true(o[i].done);
}

static struct provider *mock_openai(void)
{
	struct provider *p = provider_new(&provider_openai, "mock");
	free(p->base_url);
	p->base_url = xasprintf("%s/v1", oa.base);
	free(p->model);
	p->model = xstrdup("mock-model");
	free(p->key_env);
	p->key_env = xstrdup("COPYLAB_TEST_KEY");
	return p;
}

static struct http_opts fast_opts(void)
{
	struct http_opts o;
	memset(&o, 0, sizeof o);
	o.retry_base_ms = 50;
	o.max_retries = -1;
	o.max_retries_5xx = -1;
	return o;
}

static void test_stream_and_not(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o[2];
	run(p, &opts, "hello [mock:json]", 1, &o[0], 1);
	assert_null(o[0].res.error);
	assert_non_null(strstr(o[0].res.text, "限时优惠 🎉"));
	assert_string_equal(sbuf_str(&o[0].streamed), o[0].res.text);
	assert_true(o[0].res.tokens_in > 0);
	assert_true(o[0].res.tokens_out > 0);
	assert_string_equal(o[0].res.model, "mock-model");
	run(p, &opts, "hello", 0, &o[1], 1);
	assert_null(o[1].res.error);
	assert_non_null(strstr(o[1].res.text, "新品上市"));
	assert_true(o[1].res.tokens_out > 0);
	o_clear(&o[0]);
	o_clear(&o[1]);
	provider_free(p);
}

static void test_byte_chunks_llama_style(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o;
	/* One byte per write, usage inside the finish chunk, extra members, no [DONE]. */
	run(p, &opts, "x [mock:chunk=1,llama,nodone,json]", 1, &o, 1);
	assert_null(o.res.error);
	assert_non_null(strstr(o.res.text, "限时优惠 🎉"));
	assert_non_null(strstr(o.res.text, "🚀"));
	assert_true(cl_utf8_valid(o.res.text, strlen(o.res.text)));
	assert_true(o.res.tokens_out > 0);
	assert_string_equal(o.res.finish_reason, "stop");
	o_clear(&o);
	provider_free(p);
}

static void test_429_retry_after(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o;
	run(p, &opts, "x [mock:status=429,retry_after=1,times=1]", 1, &o, 1);
	assert_null(o.res.error);
	assert_int_equal(o.retries, 1);
	assert_int_equal(o.last_delay, 1000);     /* the server's Retry-After, not our backoff */
	assert_int_equal(o.res.attempts, 2);
	assert_true(o.res.latency_ms >= 1000);
	o_clear(&o);
	provider_free(p);
}

static void test_500_then_success_and_exhausted(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o;
	run(p, &opts, "x [mock:status=500,times=1,intcode]", 0, &o, 1);
	assert_null(o.res.error);
	assert_int_equal(o.res.attempts, 2);
	o_clear(&o);
	/* Always 500: bounded retries, then the server's message. */
	opts.max_retries_5xx = 2;
	run(p, &opts, "x [mock:status=500]", 0, &o, 1);
	assert_non_null(o.res.error);
	assert_non_null(strstr(o.res.error, "mock failure 500"));
	assert_non_null(strstr(o.res.error, "HTTP 500"));
	assert_int_equal(o.res.attempts, 3);
	o_clear(&o);
	/* llama.cpp's shape: integer code, no param. */
	run(p, &opts, "x [mock:status=400,intcode]", 0, &o, 1);
	assert_non_null(strstr(o.res.error, "server_error 400: mock failure 400"));
	o_clear(&o);
	/* A 400 is not retried. */
	run(p, &opts, "x [mock:status=400]", 0, &o, 1);
	assert_int_equal(o.res.attempts, 1);
	assert_non_null(strstr(o.res.error, "mock_error"));
	o_clear(&o);
	provider_free(p);
}

static void test_dropped_mid_stream(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o;
	run(p, &opts, "x [mock:drop,times=1]", 1, &o, 1);
	assert_null(o.res.error);
	assert_int_equal(o.retries, 1);
	/* What streamed before the drop was reset by the retry. */
	assert_string_equal(sbuf_str(&o.streamed), o.res.text);
	o_clear(&o);
	opts.max_retries = 1;
	run(p, &opts, "x [mock:drop]", 1, &o, 1);
	assert_non_null(o.res.error);
	assert_int_equal(o.res.attempts, 2);
	o_clear(&o);
	provider_free(p);
}

static void test_trickle_timeout(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o;
	opts.timeout_ms = 700;
	opts.max_retries = 0;
	run(p, &opts, "x [mock:trickle]", 1, &o, 1);
	assert_non_null(o.res.error);
	assert_non_null(strstr(o.res.error, "timed out"));
	o_clear(&o);
	provider_free(p);
}

static void test_stream_error_and_bad_chunk(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o;
	run(p, &opts, "x [mock:streamerror]", 1, &o, 1);
	assert_non_null(o.res.error);
	assert_non_null(strstr(o.res.error, "crashed mid-stream"));
	o_clear(&o);
	run(p, &opts, "x [mock:badchunk]", 1, &o, 1);
	assert_null(o.res.error);          /* one broken chunk is skipped */
	assert_non_null(strstr(o.res.text, "Reply"));
	o_clear(&o);
	provider_free(p);
}

static void test_concurrency_cap(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o[8];
	mock_reset(&oa);
	opts.concurrency = 3;
	run(p, &opts, "x [mock:latency=150]", 1, o, 8);
	for (int i = 0; i < 8; i++) {
		assert_null(o[i].res.error);
		o_clear(&o[i]);
	}
	assert_int_equal(mock_max_concurrency(&oa), 3);
	/* Connections are reused: 8 requests over at most 3 connections. */
	cJSON *st = mock_call(&oa, "/_stats", 0);
	int conns = cJSON_GetObjectItem(st, "connections")->valueint;
	cJSON_Delete(st);
	assert_true(conns >= 1 && conns <= 3);
	provider_free(p);
}

static void test_rpm_spacing(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct outcome o[3];
	double t0 = cl_now_ms();
	opts.rpm = 600;               /* one start every 100 ms */
	run(p, &opts, "x", 0, o, 3);
	assert_true(cl_now_ms() - t0 >= 200);
	for (int i = 0; i < 3; i++)
		o_clear(&o[i]);
	provider_free(p);
}

static void test_cancel(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct http_client *c;
	struct cl_err err = {0};
	struct provider_req req;
	struct provider_callbacks cb = { o_token, o_retry, o_done };
	struct outcome o[3];
	assert_int_equal(http_client_new(&opts, &c, &err), 0);
	provider_req_init(&req);
	req.user = "x [mock:latency=3000]";
	for (int i = 0; i < 3; i++) {
		memset(&o[i], 0, sizeof o[i]);
		provider_submit(p, c, &req, &cb, &o[i], &err);
	}
	for (int i = 0; i < 3; i++)
		http_poll(c, NULL, 0, 50, &err);
	assert_int_equal(http_in_flight(c), 3);
	double t0 = cl_now_ms();
	http_cancel_all(c);
	assert_true(cl_now_ms() - t0 < 1000);
	assert_int_equal(http_in_flight(c), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(o[i].done);
		assert_true(o[i].res.cancelled);
		o_clear(&o[i]);
	}
	http_client_free(c);
	provider_free(p);
}

static void test_key_masked_and_sent(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct logbuf lb = { SBUF_INIT };
	struct outcome o;
	setenv("COPYLAB_TEST_KEY", KEY, 1);
	opts.log = log_line;
	opts.log_ud = &lb;
	run(p, &opts, "x [mock:auth=" KEY "]", 1, &o, 1);
	assert_null(o.res.error);                       /* the key reached the server */
	assert_non_null(strstr(sbuf_str(&lb.sb), "Authorization: Bearer sk-…"));
	assert_null(strstr(sbuf_str(&lb.sb), "SECRET"));
	o_clear(&o);
	unsetenv("COPYLAB_TEST_KEY");
	run(p, &opts, "x [mock:auth=" KEY "]", 0, &o, 1);
	assert_non_null(strstr(o.res.error, "HTTP 401"));
	assert_non_null(strstr(o.res.error, "Invalid API key"));
	o_clear(&o);
	/* A server that quotes the key back: the message keeps no copy of it. */
	setenv("COPYLAB_TEST_KEY", KEY, 1);
	run(p, &opts, "x [mock:echokey]", 0, &o, 1);
	assert_non_null(strstr(o.res.error, "Incorrect API key provided: Bearer sk-…"));
	assert_null(strstr(o.res.error, "SECRET"));
	o_clear(&o);
	unsetenv("COPYLAB_TEST_KEY");
	char *m = http_mask_secret(KEY);
	assert_null(strstr(m, "SECRET"));
	free(m);
	sbuf_free(&lb.sb);
	provider_free(p);
}

static void test_adapts_to_newer_models(void **state)
{
	struct provider *p = mock_openai();
	struct http_opts opts = fast_opts();
	struct http_client *c;
	struct cl_err err = {0};
	struct provider_req req;
	struct provider_callbacks cb = { o_token, o_retry, o_done };
	struct outcome o;
	memset(&o, 0, sizeof o);
	assert_int_equal(http_client_new(&opts, &c, &err), 0);
	provider_req_init(&req);
	req.user = "x [mock:newparams]";
	req.max_tokens = 20;
	req.temperature = 0.7;
	assert_true(provider_submit(p, c, &req, &cb, &o, &err) > 0);
	while (http_in_flight(c))
		http_poll(c, NULL, 0, 200, &err);
	http_client_free(c);
	assert_true(o.done);
	assert_null(o.res.error);
	cJSON *st = mock_call(&oa, "/_stats", 0);
	cJSON *log = cJSON_GetObjectItem(st, "log");
	cJSON *last = cJSON_GetObjectItem(cJSON_GetArrayItem(log, cJSON_GetArraySize(log) - 1), "body");
	assert_non_null(cJSON_GetObjectItem(last, "max_completion_tokens"));
	assert_null(cJSON_GetObjectItem(last, "max_tokens"));
	assert_null(cJSON_GetObjectItem(last, "temperature"));
	cJSON_Delete(st);
	o_clear(&o);
	provider_free(p);
}

static void test_anthropic(void **state)
{
	struct provider *p = provider_new(&provider_anthropic, "amock");
	struct http_opts opts = fast_opts();
	struct outcome o;
	free(p->base_url);
	p->base_url = xstrdup(an.base);
	run(p, &opts, "hello", 1, &o, 1);
	assert_null(o.res.error);
	assert_non_null(strstr(o.res.text, "限时优惠"));
	assert_string_equal(sbuf_str(&o.streamed), o.res.text);
	assert_true(o.res.tokens_in > 0 && o.res.tokens_out > 0);
	assert_string_equal(o.res.finish_reason, "end_turn");
	o_clear(&o);
	run(p, &opts, "hello [mock:chunk=1]", 0, &o, 1);
	assert_null(o.res.error);
	assert_non_null(strstr(o.res.text, "🎉"));
	o_clear(&o);
	run(p, &opts, "x [mock:streamerror]", 1, &o, 1);
	assert_non_null(strstr(o.res.error, "Overloaded"));
	o_clear(&o);
	run(p, &opts, "x [mock:status=529,retry_after=0,times=1]", 1, &o, 1);
	assert_null(o.res.error);
	assert_int_equal(o.res.attempts, 2);
	o_clear(&o);
	provider_free(p);
}

static int setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (mock_start(&oa, "mock_openai.py") || mock_start(&an, "mock_anthropic.py"))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	mock_stop(&oa);
	mock_stop(&an);
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_and_not),
		cmocka_unit_test(test_byte_chunks_llama_style),
		cmocka_unit_test(test_429_retry_after),
		cmocka_unit_test(test_500_then_success_and_exhausted),
		cmocka_unit_test(test_dropped_mid_stream),
		cmocka_unit_test(test_trickle_timeout),
		cmocka_unit_test(test_stream_error_and_bad_chunk),
		cmocka_unit_test(test_concurrency_cap),
		cmocka_unit_test(test_rpm_spacing),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_key_masked_and_sent),
		cmocka_unit_test(test_adapts_to_newer_models),
		cmocka_unit_test(test_anthropic),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
