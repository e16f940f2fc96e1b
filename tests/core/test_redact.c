/* test_redact.c — the redactor on customer-like text, numbers, Chinese, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/redact.h"

static void expect(const struct redactor *r, const char *in, const char *want, size_t want_hits)
{
	size_t hits = 99;
	char *got = redactor_text(r, in, &hits);
	if (strcmp(got, want) != 0 || hits != want_hits)
		fail_msg("redact(%s)\n  got  [%s] (%zu hits)\n  want [%s] (%zu hits)", in, got, hits,
		         want, want_hits);
	free(got);
}

static void test_emails(void **state)
{
	expect(NULL, "mail li.wei+promo@example.com.cn now",
	       "mail [redacted email] now", 1);
	expect(NULL, "Contact: ANNA_B@Mail.Example.org.", "Contact: [redacted email].", 1);
	expect(NULL, "联系邮箱：zhang.san@qq.com，谢谢", "联系邮箱：[redacted email]，谢谢", 1);
	expect(NULL, "QQ邮箱 13800138000@qq.com", "QQ邮箱 [redacted email]", 1);
	/* Not addresses. */
	expect(NULL, "follow @brand on social", "follow @brand on social", 0);
	expect(NULL, "a@b is not one, nor x@y.1", "a@b is not one, nor x@y.1", 0);
}

static void test_phones(void **state)
{
	expect(NULL, "call +44 20 7946 0958 today", "call [redacted phone] today", 1);
	expect(NULL, "tel (415) 555-0100.", "tel [redacted phone].", 1);
	expect(NULL, "US 415-555-0100 ok", "US [redacted phone] ok", 1);
	expect(NULL, "手机 13800138000 请回电", "手机 [redacted phone] 请回电", 1);
	expect(NULL, "手机138-0013-8000", "手机[redacted phone]", 1);
	expect(NULL, "+86 139 1234 5678", "[redacted phone]", 1);
	expect(NULL, "座机 010-12345678 或 0755-8888 6666",
	       "座机 [redacted phone] 或 [redacted phone]", 2);
	expect(NULL, "save 20 13800138000", "save 20 [redacted phone]", 1);
	/* Fullwidth digits and separators, as typed in Chinese forms. */
	expect(NULL, "手机：１３８００１３８０００。", "手机：[redacted phone]。", 1);
	expect(NULL, "电话（０１０）１２３４５６７８", "电话[redacted phone]", 1);
	expect(NULL, "＋８６ １３９－１２３４－５６７８", "[redacted phone]", 1);
	expect(NULL, "价格：２９９元，八折", "价格：２９９元，八折", 0);
	/* The sample customers' formats. */
	expect(NULL, "+1-555-0123 / +44-7700-900123 / +61-491-570-157 / 138-0000-1234 / +852-0000-1234",
	       "[redacted phone] / [redacted phone] / [redacted phone] / [redacted phone] / [redacted phone]", 5);
}

static void test_digit_runs(void **state)
{
	expect(NULL, "card 4111 1111 1111 1111 exp", "card [redacted number] exp", 1);
	expect(NULL, "ID 11010119900307123X ok", "ID [redacted number] ok", 1);
	expect(NULL, "order ID123456789", "order ID[redacted number]", 1);
	expect(NULL, "acct 6222020200112233445", "acct [redacted number]", 1);
}

static void test_ordinary_text_intact(void **state)
{
	const char *keep[] = {
		"Only $1,299.00 — save 20% until 2024-05-01 10:30!",
		"春季新品上市，限时八折，仅需 299 元。🎉 快来抢购！",
		"Model A320, 12 months warranty, 3 colours, size 42.",
		"Order 12345678 ships in 2-3 days", /* 8 digits: short enough to keep */
		"价格：¥1299，原价¥1599，立省300元",
		"",
	};
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		expect(NULL, keep[i], keep[i], 0);
}

static void test_invalid_utf8_and_split(void **state)
{
	/* A stray lead byte before digits, and a truncated character at the end. */
	const char in[] = "\xe4\xb8 13800138000 \xe6\x98";
	size_t hits = 0;
	char *got = redactor_text(NULL, in, &hits);
	assert_int_equal(hits, 1);
	assert_non_null(strstr(got, "[redacted phone]"));
	assert_memory_equal(got + strlen(got) - 2, "\xe6\x98", 2);
	free(got);
}

static void test_flags(void **state)
{
	struct redactor *r = redactor_new(REDACT_EMAIL);
	expect(r, "a@example.com 13800138000", "[redacted email] 13800138000", 1);
	redactor_free(r);
	r = redactor_new(REDACT_PHONE | REDACT_DIGITS);
	expect(r, "a@example.com 13800138000", "a@example.com [redacted phone]", 1);
	redactor_free(r);
}

static void test_personal_columns_and_literals(void **state)
{
	struct redactor *r = redactor_new(REDACT_ALL);
	redactor_mark_personal(r, "customers", "name");
	assert_true(redactor_is_personal(r, "customers", "NAME"));
	assert_false(redactor_is_personal(r, "products", "name"));
	size_t hits = 0;
	char *v = redactor_value(r, "customers", "name", "王小明", &hits);
	assert_string_equal(v, "[redacted name]");
	assert_int_equal(hits, 1);
	free(v);
	v = redactor_value(r, "products", "name", "Linen Shirt", &hits);
	assert_string_equal(v, "Linen Shirt");
	assert_int_equal(hits, 0);
	free(v);
	v = redactor_value(r, "customers", "city", "Call 13800138000", &hits);
	assert_string_equal(v, "Call [redacted phone]");
	free(v);

	redactor_add_literal(r, "王小明", "name");
	expect(r, "亲爱的王小明，您好", "亲爱的[redacted name]，您好", 1);

	/* A customer row as JSON: personal column, email, phone, a big number. */
	cJSON *row = cJSON_Parse("{\"id\":7,\"name\":\"Anna Berg\",\"email\":\"anna@example.se\","
	                         "\"phone\":\"+46 70 123 45 67\",\"city\":\"Malmö\","
	                         "\"member_no\":123456789012,\"spend\":1299.5}");
	assert_non_null(row);
	size_t n = redactor_json(r, "customers", row);
	assert_int_equal(n, 4);
	assert_string_equal(cJSON_GetObjectItem(row, "name")->valuestring, "[redacted name]");
	assert_string_equal(cJSON_GetObjectItem(row, "email")->valuestring, "[redacted email]");
	assert_string_equal(cJSON_GetObjectItem(row, "phone")->valuestring, "[redacted phone]");
	assert_string_equal(cJSON_GetObjectItem(row, "city")->valuestring, "Malmö");
	assert_string_equal(cJSON_GetObjectItem(row, "member_no")->valuestring, "[redacted number]");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(row, "id")));
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(row, "spend")));
	cJSON_Delete(row);
	redactor_free(r);
}

static void test_load_from_workspace(void **state)
{
	const char *dir = getenv("TEST_TMP");
	char *path = xasprintf("%s/redact.db", dir ? dir : "/tmp");
	struct workspace *ws = NULL;
	struct cl_err err = {0};
	unlink(path);
	assert_int_equal(workspace_open(path, WS_CREATE, &ws, &err), 0);
	assert_int_equal(ws_exec(ws, "INSERT INTO cl_personal_columns VALUES('customers','email'),"
	                             "('customers','full_name')", &err), 0);
	struct redactor *r = redactor_new(REDACT_ALL);
	assert_int_equal(redactor_load_personal(r, ws, &err), 0);
	assert_true(redactor_is_personal(r, "customers", "full_name"));
	assert_true(redactor_is_personal(r, "customers", "email"));
	assert_false(redactor_is_personal(r, "customers", "city"));
	redactor_free(r);
	workspace_close(ws);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emails),
		cmocka_unit_test(test_phones),
		cmocka_unit_test(test_digit_runs),
		cmocka_unit_test(test_ordinary_text_intact),
		cmocka_unit_test(test_invalid_utf8_and_split),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_personal_columns_and_literals),
		cmocka_unit_test(test_load_from_workspace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
