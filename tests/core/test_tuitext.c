/* test_tuitext.c — the curses-free TUI text helpers: wrapping (tui/wrap.c),
 * charts (tui/chart.c) and OSC 52 (tui/clipboard.c). They hold no curses
 * calls, so this test compiles their sources in and links libcore.a alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/wrap.c"
#include "tui/chart.c"
#include "tui/clipboard.c"

static char *lines_joined(const char *s, int cols)
{
	struct wrap_line *l;
	size_t n = wrap_text(s, cols, &l);
	struct sbuf sb = SBUF_INIT;
	sbuf_adds(&sb, "");
	for (size_t i = 0; i < n; i++) {
		assert_true(l[i].width <= cols);
		assert_int_equal(l[i].width, wrap_width(s + l[i].off, l[i].len));
		if (i) sbuf_addc(&sb, '|');
		sbuf_add(&sb, s + l[i].off, l[i].len);
	}
	free(l);
	return sbuf_detach(&sb);
}

static void expect_wrap(const char *s, int cols, const char *want)
{
	char *got = lines_joined(s, cols);
	assert_string_equal(got, want);
	free(got);
}

static void test_wrap_english(void **state)
{
	expect_wrap("the quick brown fox jumps", 10, "the quick|brown fox|jumps");
	expect_wrap("a\nb  c", 10, "a|b  c");
	expect_wrap("", 10, "");
	expect_wrap("abcdefghijkl", 5, "abcde|fghij|kl");     /* long word is cut */
	expect_wrap("one two", 3, "one|two");                  /* space at the break dropped */
}

static void test_wrap_chinese(void **state)
{
	/* 2 columns per character: 4 characters per 8-column line */
	expect_wrap("春日新茶为您先留一罐", 8, "春日新茶|为您先留|一罐");
	/* "，" may not start a line: 茶 moves down with it */
	expect_wrap("春日新茶，为您留", 8, "春日新|茶，为您|留");
	/* "「" may not end a line: it moves down */
	expect_wrap("买春茶「龙井」", 8, "买春茶|「龙井」");
	/* mixed: a Latin word between Chinese is not split */
	expect_wrap("限时8折优惠", 6, "限时8|折优惠");
	assert_int_equal(wrap_width("春a", strlen("春a")), 3);
	int w;
	assert_int_equal(wrap_fit("春日", 6, 3, &w), 3);       /* never half a character */
	assert_int_equal(w, 2);
}

static void test_chart_interval_and_grid(void **state)
{
	struct chart_grid *g = chart_grid_new(11, 1);
	chart_interval(g, 0, 0, 11, 0.2, 0.6, 0.4, 0.0, 1.0, 1, 1);
	char *row = chart_grid_row(g, 0);
	assert_string_equal(row, "  ├─■─┤    ");
	free(row);
	chart_grid_free(g);
	g = chart_grid_new(11, 1);
	chart_interval(g, 0, 0, 11, 0.2, 0.6, 0.4, 0.0, 1.0, 1, 0);
	row = chart_grid_row(g, 0);
	assert_string_equal(row, "  |-#-|    ");
	assert_int_equal(g->color[2], 1);
	assert_int_equal(g->color[0], 0);
	free(row);
	chart_grid_free(g);
}

static void test_chart_braille(void **state)
{
	struct chart_canvas *c = chart_canvas_new(2, 1);
	chart_canvas_dot(c, 0, 0, 2);
	chart_canvas_dot(c, 1, 3, 3);
	chart_canvas_dot(c, 9, 9, 3);   /* clipped */
	struct chart_grid *g = chart_grid_new(2, 1);
	chart_canvas_blit(c, g, 0, 0, 1);
	assert_int_equal(g->cp[0], 0x2800 + 0x01 + 0x80);
	assert_int_equal(g->color[0], 3);
	assert_int_equal(g->cp[1], ' ');
	chart_canvas_blit(c, g, 0, 0, 0);
	assert_int_equal(g->cp[0], ':');
	chart_grid_free(g);
	chart_canvas_free(c);
	/* a rising series touches bottom-left and top-right */
	c = chart_canvas_new(4, 2);
	double v[] = { 0, 1, 2, 3 };
	chart_canvas_series(c, v, 4, 0, 3, 1);
	assert_true(c->dots[1 * 4 + 0] & 0x40);   /* pixel (0,7) */
	assert_true(c->dots[0 * 4 + 3] & 0x08);   /* pixel (7,0) */
	chart_canvas_free(c);
}

static void test_sparkline_progress_big(void **state)
{
	double v[] = { 1, 2, 3 };
	char *s = chart_sparkline(v, 3, 1);
	assert_string_equal(s, "▁▅█");
	free(s);
	s = chart_sparkline(v, 3, 0);
	assert_string_equal(s, ".=#");
	free(s);
	s = chart_progress(0.5, 4, 1);
	assert_string_equal(s, "██░░");
	free(s);
	s = chart_progress(0.76, 10, 0);
	assert_string_equal(s, "########..");
	free(s);
	char *rows[CHART_BIG_ROWS];
	int w = chart_big_text("1%", 0, rows);
	assert_int_equal(w, 13);
	assert_string_equal(rows[0], "  ##   ##  ##");
	assert_string_equal(rows[4], "###### ##  ##");
	for (int i = 0; i < CHART_BIG_ROWS; i++) {
		assert_int_equal((int)strlen(rows[i]), 13);
		free(rows[i]);
	}
}

static void test_osc52(void **state)
{
	char *b = clip_base64("hello", 5);
	assert_string_equal(b, "aGVsbG8=");
	free(b);
	b = clip_base64("春", 3);
	assert_string_equal(b, "5pil");
	free(b);
	char *s = clip_osc52("hi", 0);
	assert_string_equal(s, "\033]52;c;aGk=\a");
	free(s);
	s = clip_osc52("hi", 1);
	assert_string_equal(s, "\033]52;c;aGk=\a\033Ptmux;\033\033]52;c;aGk=\a\033\\");
	free(s);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrap_english),
		cmocka_unit_test(test_wrap_chinese),
		cmocka_unit_test(test_chart_interval_and_grid),
		cmocka_unit_test(test_chart_braille),
		cmocka_unit_test(test_sparkline_progress_big),
		cmocka_unit_test(test_osc52),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
