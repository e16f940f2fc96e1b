/* test_sse.c — the SSE decoder under every split of the input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/sse.h"
#include "core/util.h"

struct collect {
	struct sbuf out;   /* "event|data\n" per event */
	int n;
	int stop_after;    /* return 1 after this many events (0 = never) */
};

static int on_event(void *ud, const struct sse_event *ev)
{
	struct collect *c = ud;
	assert_int_equal(strlen(ev->data), ev->data_len);
	sbuf_addf(&c->out, "%s|%s|%s\n", ev->event, ev->data, ev->id);
	c->n++;
	return c->stop_after && c->n >= c->stop_after;
}

/* Decode all of s in one feed, returns the collected text (caller frees). */
static char *decode_split(const char *s, size_t len, size_t cut1, size_t cut2)
{
	struct collect c = { SBUF_INIT, 0, 0 };
	struct sse_decoder *d = sse_decoder_new(on_event, &c);
	assert_int_equal(sse_feed(d, s, cut1), 0);
	assert_int_equal(sse_feed(d, s + cut1, cut2 - cut1), 0);
	assert_int_equal(sse_feed(d, s + cut2, len - cut2), 0);
	assert_int_equal(sse_finish(d), 0);
	sse_decoder_free(d);
	return sbuf_detach(&c.out);
}

/* Every pair of cut points gives the same events as one read. */
static void check_all_splits(const char *s, const char *want)
{
	size_t len = strlen(s);
	for (size_t a = 0; a <= len; a++) {
		for (size_t b = a; b <= len; b++) {
			char *got = decode_split(s, len, a, b);
			if (strcmp(got, want) != 0)
				fail_msg("cut at %zu,%zu: got\n%s\nwant\n%s", a, b, got, want);
			free(got);
		}
	}
}

/* Feeding one byte at a time gives the same events. */
static void check_bytewise(const char *s, const char *want)
{
	struct collect c = { SBUF_INIT, 0, 0 };
	struct sse_decoder *d = sse_decoder_new(on_event, &c);
	for (size_t i = 0; s[i]; i++)
		assert_int_equal(sse_feed(d, s + i, 1), 0);
	sse_finish(d);
	assert_string_equal(sbuf_str(&c.out), want);
	sse_decoder_free(d);
	sbuf_free(&c.out);
}

static void test_openai_stream(void **state)
{
	const char *s =
		"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
		"data: {\"choices\":[{\"delta\":{\"content\":\" there\"}}]}\n\n"
		"data: [DONE]\n\n";
	const char *want =
		"message|{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}|\n"
		"message|{\"choices\":[{\"delta\":{\"content\":\" there\"}}]}|\n"
		"message|[DONE]|\n";
	check_all_splits(s, want);
	check_bytewise(s, want);
}

static void test_line_endings(void **state)
{
	const char *want = "message|a|\nmessage|b|\nping|c|\n";
	check_all_splits("data: a\r\n\r\ndata: b\r\n\r\nevent: ping\r\ndata: c\r\n\r\n", want);
	check_all_splits("data: a\r\rdata: b\r\revent: ping\rdata: c\r\r", want);
	check_all_splits("data: a\n\ndata: b\n\nevent: ping\ndata: c\n\n", want);
	/* Mixed in one stream. */
	check_all_splits("data: a\r\n\ndata: b\r\revent: ping\ndata: c\r\n\r", want);
}

static void test_comments_and_multiline(void **state)
{
	const char *s =
		": keep-alive\n"
		"id: 7\n"
		"data: line one\n"
		": a comment between data lines\n"
		"data:line two\n"
		"data\n"
		"retry: 100\n"
		"unknown: x\n"
		"\n"
		":another\n\n"
		"event: content_block_delta\n"
		"data: {\"x\":1}\n\n";
	const char *want =
		"message|line one\nline two\n|7\n"
		"content_block_delta|{\"x\":1}|7\n";
	check_all_splits(s, want);
	check_bytewise(s, want);
}

static void test_utf8_split(void **state)
{
	/* Chinese (3-byte) and emoji (4-byte) characters: every split falls
	 * inside one of them somewhere; the data must come out whole. */
	const char *s =
		"data: {\"content\":\"限时优惠🎉\"}\n\n"
		"data: 新品上市 🚀✨\n\n";
	const char *want =
		"message|{\"content\":\"限时优惠🎉\"}|\n"
		"message|新品上市 🚀✨|\n";
	check_all_splits(s, want);
	check_bytewise(s, want);
}

static void test_no_trailing_blank_line(void **state)
{
	check_all_splits("data: last", "message|last|\n");
	check_all_splits("data: a\n\ndata: b\n", "message|a|\nmessage|b|\n");
	/* Blank lines with no data dispatch nothing; event type resets. */
	check_all_splits("event: x\n\n\n\ndata: y\n\n", "message|y|\n");
}

static void test_bom_and_stop(void **state)
{
	check_all_splits("\xEF\xBB\xBF" "data: a\n\n", "message|a|\n");
	struct collect c = { SBUF_INIT, 0, 1 };
	struct sse_decoder *d = sse_decoder_new(on_event, &c);
	const char *s = "data: 1\n\ndata: 2\n\n";
	assert_int_equal(sse_feed(d, s, strlen(s)), 1);
	assert_int_equal(c.n, 1);
	sse_decoder_reset(d);
	c.stop_after = 0;
	assert_int_equal(sse_feed(d, "data: 3\n\n", 9), 0);
	assert_string_equal(sbuf_str(&c.out), "message|1|\nmessage|3|\n");
	sse_decoder_free(d);
	sbuf_free(&c.out);
}

/* Random streams from an alphabet rich in field names, colons, line ends
 * and UTF-8 lead/continuation bytes: random splits decode like one read. */
static void test_random_streams(void **state)
{
	static const char *const atoms[] = { "data", "event", "id", ":", " ", "\n", "\r", "\r\n",
	                                      "x", "限", "🎉", "[DONE]", "{\"a\":1}", "\xEF\xBB\xBF" };
	uint64_t seed = 0x9E3779B97F4A7C15u;
	for (int iter = 0; iter < 300; iter++) {
		struct sbuf in = SBUF_INIT;
		int natoms = 1 + (int)(seed % 40);
		for (int i = 0; i < natoms; i++) {
			seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
			sbuf_adds(&in, atoms[seed % (sizeof atoms / sizeof atoms[0])]);
		}
		char *want = decode_split(in.buf, in.len, 0, 0);
		for (int k = 0; k < 8; k++) {
			seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
			size_t a = (size_t)(seed % (in.len + 1)), b = (size_t)((seed >> 20) % (in.len + 1));
			if (a > b) { size_t t = a; a = b; b = t; }
			char *got = decode_split(in.buf, in.len, a, b);
			if (strcmp(got, want) != 0)
				fail_msg("random stream %d cut %zu,%zu differs", iter, a, b);
			free(got);
		}
		free(want);
		sbuf_free(&in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openai_stream),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_comments_and_multiline),
		cmocka_unit_test(test_utf8_split),
		cmocka_unit_test(test_no_trailing_blank_line),
		cmocka_unit_test(test_bom_and_stop),
		cmocka_unit_test(test_random_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
