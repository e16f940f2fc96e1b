/* test_textdiff.c — word-level diff: tokens, spans, Chinese per character. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/textdiff.h"

/* Rebuild a text from its spans, with changed parts in [brackets]. */
static char *render(const char *s, const struct textdiff_span *v, size_t n)
{
	struct sbuf sb = SBUF_INIT;
	size_t end = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].off, end);   /* spans tile the text */
		if (v[i].changed) sbuf_addc(&sb, '[');
		sbuf_add(&sb, s + v[i].off, v[i].len);
		if (v[i].changed) sbuf_addc(&sb, ']');
		end = v[i].off + v[i].len;
	}
	assert_int_equal(end, strlen(s));
	return sbuf_detach(&sb);
}

static void check(const char *a, const char *b, const char *want_a, const char *want_b)
{
	struct textdiff *d = textdiff_words(a, b);
	char *ra = render(a, d->a, d->na), *rb = render(b, d->b, d->nb);
	assert_string_equal(ra, want_a);
	assert_string_equal(rb, want_b);
	free(ra);
	free(rb);
	textdiff_free(d);
}

static void test_english_words(void **state)
{
	check("Buy the spring tea now", "Buy the new spring tea today",
	      "Buy the spring tea [now]", "Buy the [new ]spring tea [today]");
	check("same text", "same text", "same text", "same text");
	check("", "added", "", "[added]");
	check("gone", "", "[gone]", "");
}

static void test_chinese_per_character(void **state)
{
	check("春日新茶，为您先留一罐", "春日新茶，先为您留两罐",
	      "春日新茶，为您[先]留[一]罐", "春日新茶，[先]为您留[两]罐");
	/* a Latin word beside Chinese stays one token */
	check("限时8折优惠", "限时9折优惠", "限时[8]折优惠", "限时[9]折优惠");
}

static void test_tokenize(void **state)
{
	size_t *o;
	size_t n = textdiff_tokenize("Hi, 春茶 ok!", &o);
	/* Hi | , | ' ' | 春 | 茶 | ' ' | ok | ! */
	assert_int_equal(n, 8);
	assert_int_equal(o[0], 0);
	assert_int_equal(o[1], 2);
	assert_int_equal(o[3], 4);
	assert_int_equal(o[4], 7);
	free(o);
	n = textdiff_tokenize("", &o);
	assert_int_equal(n, 0);
	free(o);
	unsigned cp;
	assert_int_equal(textdiff_utf8_decode("\xe6\x98\xa5", 3, &cp), 3);
	assert_int_equal(cp, 0x6625);
	assert_int_equal(textdiff_utf8_decode("\xe6\x98", 2, &cp), 1);   /* truncated */
	assert_int_equal(cp, 0xFFFD);
	assert_int_equal(textdiff_utf8_decode("\xc0\xaf", 2, &cp), 1);   /* overlong */
	assert_int_equal(cp, 0xFFFD);
}

static void test_counts_and_invalid_utf8(void **state)
{
	struct textdiff *d = textdiff_words("a b c", "a x c");
	assert_int_equal(d->same, 4);      /* a, ' ', ' ', c */
	assert_int_equal(d->deleted, 1);
	assert_int_equal(d->inserted, 1);
	textdiff_free(d);
	/* invalid bytes are tokens too and never read past the end */
	check("ok \xff\xfe", "ok \xff", "ok \xff[\xfe]", "ok \xff");
}

static void test_large_input_falls_back(void **state)
{
	/* 3000 distinct tokens each side: 9M cells > limit, middle marked whole */
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;
	for (int i = 0; i < 3000; i++) {
		sbuf_addf(&a, "a%d ", i);
		sbuf_addf(&b, "b%d ", i);
	}
	struct textdiff *d = textdiff_words(sbuf_str(&a), sbuf_str(&b));
	assert_int_equal(d->na, 2);    /* changed middle + common trailing space */
	assert_true(d->a[0].changed);
	assert_false(d->a[1].changed);
	textdiff_free(d);
	sbuf_free(&a);
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english_words),
		cmocka_unit_test(test_chinese_per_character),
		cmocka_unit_test(test_tokenize),
		cmocka_unit_test(test_counts_and_invalid_utf8),
		cmocka_unit_test(test_large_input_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
