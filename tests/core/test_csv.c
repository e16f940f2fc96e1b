/* test_csv.c — the CSV/TSV reader's edge cases and the JSONL reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/jsonl.h"

/* Parse data fully; returns records as "a|b|c" lines joined by '\n' (quoted
 * fields marked with a leading '!' when mark is set), or NULL with err set. */
static size_t chunk;   /* window size for memory input, 0 = whole */

static char *parse_all(const char *data, size_t len, char delim, int lenient, int mark,
                       struct cl_err *err)
{
	struct csv_opts o = { delim, lenient, 0, chunk };
	struct csv_reader *r = csv_open_mem("t.csv", data, len, &o);
	struct sbuf sb = SBUF_INIT;
	const struct csv_field *f;
	size_t n;
	int rc;
	while ((rc = csv_next(r, &f, &n, err)) > 0) {
		for (size_t i = 0; i < n; i++) {
			if (i)
				sbuf_addc(&sb, '|');
			if (mark && f[i].quoted)
				sbuf_addc(&sb, '!');
			sbuf_add(&sb, f[i].s, f[i].len);
			assert_int_equal(f[i].s[f[i].len], '\0');
		}
		sbuf_addc(&sb, '\n');
	}
	csv_close(r);
	if (rc < 0) {
		sbuf_free(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

#define CHECK(in, want) do { \
	struct cl_err e_ = {0}; \
	char *got_ = parse_all(in, sizeof(in) - 1, ',', 0, 0, &e_); \
	if (!got_) fail_msg("parse failed: %s", e_.msg); \
	assert_string_equal(got_, want); \
	free(got_); \
} while (0)

static void test_basic(void **state)
{
	CHECK("a,b,c\n1,2,3\n", "a|b|c\n1|2|3\n");
	CHECK("a,b\n1,2", "a|b\n1|2\n");               /* no final newline */
	CHECK("a,b\r\n1,2\r\n", "a|b\n1|2\n");         /* CRLF */
	CHECK("a,b\r1,2\r", "a|b\n1|2\n");             /* CR only */
	CHECK("a,b\n\n1,2\n\n", "a|b\n1|2\n");         /* blank lines skipped */
	CHECK("a,,c\n,,\n", "a||c\n||\n");             /* empty fields */
	CHECK("", "");
	CHECK("x", "x\n");
}

static void test_quotes(void **state)
{
	CHECK("\"a,b\",c\n", "a,b|c\n");
	CHECK("\"say \"\"hi\"\"\",x\n", "say \"hi\"|x\n");
	CHECK("\"line1\nline2\",x\n", "line1\nline2|x\n");
	CHECK("\"line1\r\nline2\",x\r\n", "line1\r\nline2|x\n");
	CHECK("\"\",x\n", "|x\n");
	CHECK("\"\"\"\"\n", "\"\n");
	CHECK("a\"b,c\n", "a\"b|c\n");               /* stray quote inside an unquoted field */
	CHECK("\"中文,逗号\",\"emoji 🎉\"\n", "中文,逗号|emoji 🎉\n");
	/* quoted flag */
	struct cl_err e = {0};
	char *got = parse_all("\"\",,\"x\"\n", 8, ',', 0, 1, &e);
	assert_non_null(got);
	assert_string_equal(got, "!||!x\n");
	free(got);
}

static void test_bom_and_delims(void **state)
{
	CHECK("\xEF\xBB\xBF" "id,name\n1,x\n", "id|name\n1|x\n");
	struct cl_err e = {0};
	char *got = parse_all("a\tb\n\"x\ty\"\t2\n", 12, '\t', 0, 0, &e);
	assert_non_null(got);
	assert_string_equal(got, "a|b\nx\ty|2\n");
	free(got);
	got = parse_all("a;b\n1,5;2\n", 10, ';', 0, 0, &e);
	assert_non_null(got);
	assert_string_equal(got, "a|b\n1,5|2\n");
	free(got);
}

static void test_errors(void **state)
{
	struct cl_err e = {0};
	const char *unterminated = "a,b\n1,\"open\n2,3\n";
	assert_null(parse_all(unterminated, strlen(unterminated), ',', 0, 0, &e));
	assert_non_null(strstr(e.msg, "t.csv:2:3: unterminated"));
	assert_non_null(strstr(e.msg, "in field 2"));

	const char *after = "a,b\n\"x\"y,2\n";
	assert_null(parse_all(after, strlen(after), ',', 0, 0, &e));
	assert_non_null(strstr(e.msg, "t.csv:2:4: unexpected 'y' after a closing quote"));

	const char *bad = "a,b\nok,bad\xff" "x\n";
	assert_null(parse_all(bad, strlen(bad), ',', 0, 0, &e));
	assert_non_null(strstr(e.msg, "t.csv:2:7: invalid UTF-8 (byte 0xff) in field 2"));

	/* the line number counts embedded newlines and CRLF once */
	const char *multi = "a,b\r\n\"x\r\ny\",1\r\n2,\"q\"z\r\n";
	assert_null(parse_all(multi, strlen(multi), ',', 0, 0, &e));
	assert_non_null(strstr(e.msg, "t.csv:4:6:"));

	/* lenient: bad bytes replaced, unterminated quote closed at the end */
	char *got = parse_all(bad, strlen(bad), ',', 1, 0, &e);
	assert_non_null(got);
	assert_string_equal(got, "a|b\nok|bad\xEF\xBF\xBDx\n");
	free(got);
	got = parse_all(unterminated, strlen(unterminated), ',', 1, 0, &e);
	assert_non_null(got);
	assert_string_equal(got, "a|b\n1|open\n2,3\n\n");
	free(got);
}

/* Records that straddle the 1 MiB read window, from a real file. */
static void test_file_window(void **state)
{
	const char *dir = getenv("TEST_TMP");
	char *path = xasprintf("%s/big.csv", dir ? dir : "/tmp");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("id,text\n", f);
	long rows = 30000;
	for (long i = 0; i < rows; i++)
		fprintf(f, "%ld,\"row %ld, with \"\"quotes\"\" and\nnewline 中文 %s\"\r\n", i, i,
		        i % 7 == 0 ? "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" : "");
	fclose(f);
	struct csv_reader *r;
	struct cl_err e = {0};
	assert_int_equal(csv_open(path, NULL, &r, &e), 0);
	const struct csv_field *fl;
	size_t n;
	long count = -1;
	int rc;
	while ((rc = csv_next(r, &fl, &n, &e)) > 0) {
		assert_int_equal(n, 2);
		if (count >= 0) {
			char want[128];
			snprintf(want, sizeof want, "row %ld, with \"quotes\" and\nnewline 中文 %s", count,
			         count % 7 == 0 ? "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" : "");
			assert_int_equal(strtol(fl[0].s, NULL, 10), count);
			assert_string_equal(fl[1].s, want);
			assert_int_equal(csv_record_line(r), 2 + 2 * count);
		}
		count++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(count, rows);
	assert_int_equal(csv_bytes_done(r), csv_bytes_total(r));
	/* rewind reads the same again */
	assert_int_equal(csv_rewind(r, &e), 0);
	count = 0;
	while (csv_next(r, &fl, &n, &e) > 0)
		count++;
	assert_int_equal(count, rows + 1);
	csv_close(r);
	unlink(path);
	free(path);
}

static void test_put_field(void **state)
{
	struct sbuf sb = SBUF_INIT;
	csv_put_field(&sb, "plain", 5, ',', 1);
	sbuf_addc(&sb, ',');
	csv_put_field(&sb, "a,b", 3, ',', 1);
	sbuf_addc(&sb, ',');
	csv_put_field(&sb, "say \"x\"", 7, ',', 1);
	sbuf_addc(&sb, ',');
	csv_put_field(&sb, "", 0, ',', 1);
	sbuf_addc(&sb, ',');
	csv_put_field(&sb, "l1\nl2", 5, ',', 1);
	sbuf_addc(&sb, ',');
	csv_put_field(&sb, " pad", 4, ',', 1);
	assert_string_equal(sbuf_str(&sb), "plain,\"a,b\",\"say \"\"x\"\"\",\"\",\"l1\nl2\",\" pad\"");
	/* and it reads back */
	struct cl_err e = {0};
	char *got = parse_all(sb.buf, sb.len, ',', 0, 0, &e);
	assert_non_null(got);
	assert_string_equal(got, "plain|a,b|say \"x\"||l1\nl2| pad\n");
	free(got);
	sbuf_free(&sb);
}

/* Random records written with csv_put_field read back exactly, for ',' and tab. */
static void test_random_round_trip(void **state)
{
	static const char *const atoms[] = { "a", "Z", "9", ",", "\"", "\r", "\n", "\r\n", "\t", " ",
	                                     "中", "🎉", "é", "''", ";" };
	unsigned seed = 99;
	for (int pass = 0; pass < 2; pass++) {
		char delim = pass ? '\t' : ',';
		struct sbuf file = SBUF_INIT, want = SBUF_INIT;
		for (int rec = 0; rec < 400; rec++) {
			int nf = 3;
			for (int f = 0; f < nf; f++) {
				struct sbuf field = SBUF_INIT;
				seed = seed * 1103515245u + 12345u;
				int len = (int)((seed >> 16) % 7);
				for (int k = 0; k < len; k++) {
					seed = seed * 1103515245u + 12345u;
					sbuf_adds(&field, atoms[(seed >> 16) % (sizeof atoms / sizeof atoms[0])]);
				}
				if (f)
					sbuf_addc(&file, delim);
				/* a record of one empty field is a blank line: keep field 0 non-empty */
				if (f == 0 && field.len == 0)
					sbuf_adds(&field, "x");
				csv_put_field(&file, sbuf_str(&field), field.len, delim, 1);
				sbuf_addf(&want, "%s%s", f ? "|" : "", sbuf_str(&field));
				sbuf_free(&field);
			}
			sbuf_adds(&file, rec % 3 ? "\n" : "\r\n");
			sbuf_addc(&want, '\n');
		}
		struct cl_err e = {0};
		char *got = parse_all(file.buf, file.len, delim, 0, 0, &e);
		if (!got)
			fail_msg("%s", e.msg);
		assert_string_equal(got, want.buf);
		free(got);
		sbuf_free(&file);
		sbuf_free(&want);
	}
}

static void test_utf8_bad(void **state)
{
	assert_int_equal(csv_utf8_bad("abc", 3), 3);
	assert_int_equal(csv_utf8_bad("中文", 6), 6);
	assert_int_equal(csv_utf8_bad("ab\xC0\x80", 4), 2);      /* overlong */
	assert_int_equal(csv_utf8_bad("\xED\xA0\x80", 3), 0);    /* surrogate */
	assert_int_equal(csv_utf8_bad("abcdefgh\xE4\xB8", 10), 8); /* truncated */
	assert_int_equal(csv_utf8_bad("ab\0cd", 5), 2);           /* NUL: not text */
	assert_int_equal(csv_utf8_bad("abcdefghijk\0mnop", 16), 11);
	assert_int_equal(csv_utf8_bad("abcdefghijklmnop", 16), 16);
}

static void test_jsonl(void **state)
{
	const char *data =
		"\xEF\xBB\xBF{\"id\": 1, \"name\": \"A\\u00e9\\n\", \"tags\": [1, {\"x\": \"]\"}], \"ok\": true}\n"
		"\n"
		"{\"id\": 2.5e3, \"name\": null, \"extra\": {\"a\": \"}\"}, \"ok\": false, \"emoji\": \"\\ud83c\\udf89\"}\r\n";
	struct jsonl_reader *r = jsonl_open_mem("t.jsonl", data, strlen(data), 0);
	const struct jsonl_member *m;
	size_t n;
	struct cl_err e = {0};
	assert_int_equal(jsonl_next(r, &m, &n, &e), 1);
	assert_int_equal(n, 4);
	assert_string_equal(m[0].key, "id");
	assert_string_equal(m[0].val, "1");
	assert_int_equal(m[0].kind, JSONL_NUMBER);
	assert_string_equal(m[1].val, "A\xC3\xA9\n");
	assert_string_equal(m[2].val, "[1, {\"x\": \"]\"}]");
	assert_int_equal(m[2].kind, JSONL_NESTED);
	assert_string_equal(m[3].val, "1");
	assert_int_equal(jsonl_next(r, &m, &n, &e), 1);
	assert_int_equal(jsonl_record_line(r), 3);
	assert_string_equal(m[0].val, "2.5e3");
	assert_null(m[1].val);
	assert_int_equal(m[1].kind, JSONL_NULL);
	assert_string_equal(m[2].val, "{\"a\": \"}\"}");
	assert_string_equal(m[3].val, "0");
	assert_string_equal(m[4].val, "\xF0\x9F\x8E\x89");
	assert_int_equal(jsonl_next(r, &m, &n, &e), 0);
	jsonl_close(r);

	static const struct { const char *in, *want; } bad[] = {
		{ "{\"a\": 1,}\n", "t.jsonl:1:9: expected a key" },
		{ "[1,2]\n", "t.jsonl:1:1: expected a JSON object" },
		{ "{\"a\": 01}\n", "t.jsonl:1:8: expected ',' or '}'" },
		{ "{\"a\": \"x}\n", "t.jsonl:1:7: unterminated string" },
		{ "{\"a\": 1} x\n", "t.jsonl:1:10: unexpected text" },
		{ "{\"a\": 1}\n{\"b\": \"\xff\"}\n", "t.jsonl:2:8: invalid UTF-8" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = jsonl_open_mem("t.jsonl", bad[i].in, strlen(bad[i].in), 0);
		int rc;
		while ((rc = jsonl_next(r, &m, &n, &e)) > 0)
			;
		assert_int_equal(rc, -1);
		if (!strstr(e.msg, bad[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, e.msg, bad[i].want);
		jsonl_close(r);
	}
}

/* Everything again with the input handed over 1, 2, 3 and 5 bytes at a time:
 * every record, quote, CRLF and BOM then straddles a refill. */
static void test_chunked(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 5 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		chunk = sizes[i];
		test_basic(state);
		test_quotes(state);
		test_bom_and_delims(state);
		test_errors(state);
		test_put_field(state);
		test_random_round_trip(state);
	}
	chunk = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_bom_and_delims),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_file_window),
		cmocka_unit_test(test_put_field),
		cmocka_unit_test(test_random_round_trip),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_utf8_bad),
		cmocka_unit_test(test_jsonl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
