/* test_jsonout.c — structured output: fences, prose, nesting, failures kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/jsonout.h"

static const char *const F[] = { "subject", "body" };

static void check_ok(const char *text, const char *subject)
{
	struct jsonout jo;
	jsonout_parse(text, F, 2, &jo);
	assert_true(jo.parse_ok);
	assert_string_equal(cJSON_GetObjectItem(jo.fields, "subject")->valuestring, subject);
	jsonout_clear(&jo);
}

static void test_plain_and_whitespace(void **state)
{
	check_ok("{\"subject\":\"Hi\",\"body\":\"B\"}", "Hi");
	check_ok("  \n{\"subject\": \"Hi\", \"body\": \"B\"}\n\n", "Hi");
}

static void test_fences_and_prose(void **state)
{
	check_ok("```json\n{\"subject\":\"Fenced\",\"body\":\"x\"}\n```", "Fenced");
	check_ok("Sure! Here it is:\n```\n{\"subject\":\"P\",\"body\":\"y\"}\n```\nEnjoy {not json}", "P");
	/* Braces inside strings and nested objects. */
	check_ok("{\"subject\":\"a } b { c\",\"body\":{\"x\":[1,{\"y\":2}]}}", "a } b { c");
	/* A broken object first, a good one after. */
	check_ok("{oops} then {\"subject\":\"second\",\"body\":\"z\"}", "second");
	/* Chinese and escapes. */
	check_ok("{\"subject\":\"限时\\\"优惠\\\" 🎉\",\"body\":\"b\"}", "限时\"优惠\" 🎉");
}

static void test_only_asked_fields(void **state)
{
	struct jsonout jo;
	jsonout_parse("{\"extra\":1,\"Body\":\"b\",\"subject\":\"s\"}", F, 2, &jo);
	assert_true(jo.parse_ok);
	char *s = cJSON_PrintUnformatted(jo.fields);
	assert_string_equal(s, "{\"subject\":\"s\",\"body\":\"b\"}");
	free(s);
	jsonout_clear(&jo);
	jsonout_parse("{\"extra\":1}", NULL, 0, &jo);
	assert_true(jo.parse_ok);
	assert_non_null(cJSON_GetObjectItem(jo.fields, "extra"));
	jsonout_clear(&jo);
}

static void test_missing_field_and_garbage(void **state)
{
	struct jsonout jo;
	jsonout_parse("{\"subject\":\"only\"}", F, 2, &jo);
	assert_false(jo.parse_ok);
	assert_non_null(strstr(jo.why, "body"));
	assert_string_equal(cJSON_GetObjectItem(jo.fields, "subject")->valuestring, "only");
	jsonout_clear(&jo);

	jsonout_parse("Sure! Here is your copy: {subject: \"oops\", body: broken", F, 2, &jo);
	assert_false(jo.parse_ok);
	assert_non_null(jo.fields);
	assert_true(cJSON_IsObject(jo.fields));
	assert_null(jo.fields->child);
	jsonout_clear(&jo);

	jsonout_parse(NULL, NULL, 0, &jo);
	assert_false(jo.parse_ok);
	jsonout_clear(&jo);

	/* An array is not an object. */
	size_t off, len;
	assert_int_equal(jsonout_find_object("[1,2]", &off, &len), -1);
	assert_int_equal(jsonout_find_object("x {\"a\":1} y", &off, &len), 0);
	assert_int_equal(off, 2);
	assert_int_equal(len, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_whitespace),
		cmocka_unit_test(test_fences_and_prose),
		cmocka_unit_test(test_only_asked_fields),
		cmocka_unit_test(test_missing_field_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
