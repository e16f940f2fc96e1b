/* draw.c — colours, glyphs, boxes and the text sanitizer (see draw.h).
 *
 * The colour table and glyph set are chosen once at start-up from the
 * terminal and the locale, like curses' own state: set by tui_draw_init,
 * read-only afterwards.
 */
#include "tui/draw.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const struct tui_glyphs glyphs_utf8 = {
	"\u2500", "\u2502", "\u250c", "\u2510", "\u2514", "\u2518", "\u251c", "\u2524",
	"\u2026", "\u25b8", "\u25b2", "\u25bc", "\u00b7", "\u2205", "\u2588", "\u2591",
};
static const struct tui_glyphs glyphs_ascii = {
	"-", "|", "+", "+", "+", "+", "+", "+",
	"~", ">", "^", "v", "|", "-", "#", ".",
};

static struct {
	int    utf8;
	int    colour;
	attr_t attr[TUI_ROLE_COUNT];
} D;

int tui_utf8(void) { return D.utf8; }
int tui_has_colour(void) { return D.colour; }
const struct tui_glyphs *tui_glyphs(void) { return D.utf8 ? &glyphs_utf8 : &glyphs_ascii; }
attr_t tui_attr(int role) { return role >= 0 && role < TUI_ROLE_COUNT ? D.attr[role] : A_NORMAL; }

/* fg/bg per role for 256, 16 and 8 colours (-1 = terminal default). */
struct rolecol {
	short fg256, bg256, fg16, bg16, fg8, bg8;
	attr_t extra;
};
static const struct rolecol rolecols[TUI_ROLE_COUNT] = {
	[TUI_NORMAL]       = { -1, -1, -1, -1, -1, -1, 0 },
	[TUI_BAR]          = { 252, 236, COLOR_WHITE, COLOR_BLUE, COLOR_WHITE, COLOR_BLUE, 0 },
	[TUI_TAB]          = { 248, 236, COLOR_WHITE, COLOR_BLUE, COLOR_WHITE, COLOR_BLUE, 0 },
	[TUI_TAB_ACTIVE]   = { 16, 75, COLOR_BLACK, COLOR_CYAN, COLOR_BLACK, COLOR_CYAN, A_BOLD },
	[TUI_BORDER]       = { 240, -1, 8, -1, COLOR_WHITE, -1, 0 },
	[TUI_BORDER_FOCUS] = { 75, -1, 14, -1, COLOR_CYAN, -1, 0 },
	[TUI_TITLE]        = { 117, -1, 14, -1, COLOR_CYAN, -1, A_BOLD },
	[TUI_HEADER]       = { 180, -1, COLOR_YELLOW, -1, COLOR_YELLOW, -1, A_BOLD },
	[TUI_SELECT]       = { -1, 237, COLOR_WHITE, COLOR_BLUE, COLOR_WHITE, COLOR_BLUE, 0 },
	[TUI_CURSOR]       = { 16, 75, COLOR_BLACK, COLOR_CYAN, COLOR_BLACK, COLOR_CYAN, 0 },
	[TUI_PLACEHOLDER]  = { 203, -1, 9, -1, COLOR_RED, -1, A_BOLD },
	[TUI_DIM]          = { 244, -1, 8, -1, COLOR_WHITE, -1, 0 },
	[TUI_ERROR]        = { 203, -1, 9, -1, COLOR_RED, -1, A_BOLD },
	[TUI_OK]           = { 114, -1, 10, -1, COLOR_GREEN, -1, 0 },
	[TUI_WARN]         = { 221, -1, 11, -1, COLOR_YELLOW, -1, 0 },
	[TUI_FILL]         = { 75, -1, 14, -1, COLOR_CYAN, -1, 0 },
	[TUI_KEY]          = { 117, -1, 14, -1, COLOR_CYAN, -1, A_BOLD },
};

/* Attributes for terminals without colour (vt100) or with NO_COLOR. */
static const attr_t monoattr[TUI_ROLE_COUNT] = {
	[TUI_NORMAL] = A_NORMAL,        [TUI_BAR] = A_REVERSE,
	[TUI_TAB] = A_REVERSE,          [TUI_TAB_ACTIVE] = A_BOLD | A_UNDERLINE,
	[TUI_BORDER] = A_NORMAL,        [TUI_BORDER_FOCUS] = A_BOLD,
	[TUI_TITLE] = A_BOLD,           [TUI_HEADER] = A_BOLD | A_UNDERLINE,
	[TUI_SELECT] = A_BOLD,          [TUI_CURSOR] = A_REVERSE,
	[TUI_PLACEHOLDER] = A_UNDERLINE, [TUI_DIM] = A_DIM,
	[TUI_ERROR] = A_BOLD,           [TUI_OK] = A_NORMAL,
	[TUI_WARN] = A_BOLD,            [TUI_FILL] = A_NORMAL,
	[TUI_KEY] = A_BOLD,
};

void tui_draw_init(void)
{
	const char *cs = nl_langinfo(CODESET);
	const char *nc = getenv("NO_COLOR");
	D.utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	D.colour = has_colors() && !(nc && *nc);
	if (D.colour) {
		start_color();
		use_default_colors();
		D.colour = COLORS >= 8 && COLOR_PAIRS > TUI_ROLE_COUNT;
	}
	for (int r = 0; r < TUI_ROLE_COUNT; r++) {
		if (!D.colour) {
			D.attr[r] = monoattr[r];
			continue;
		}
		const struct rolecol *c = &rolecols[r];
		short fg, bg;
		attr_t extra = c->extra;
		if (COLORS >= 256) {
			fg = c->fg256, bg = c->bg256;
		} else if (COLORS >= 16) {
			fg = c->fg16, bg = c->bg16;
		} else {
			fg = c->fg8, bg = c->bg8;
			if (r == TUI_BORDER || r == TUI_DIM)
				extra |= A_DIM;
			if (r == TUI_PLACEHOLDER || r == TUI_TITLE || r == TUI_BORDER_FOCUS)
				extra |= A_BOLD;
		}
		if (r == TUI_NORMAL) {
			D.attr[r] = A_NORMAL;
			continue;
		}
		init_pair((short)r, fg, bg);
		D.attr[r] = COLOR_PAIR(r) | extra;
	}
}

/* ---- UTF-8 decoding and the sanitizer ---- */

/* Decode one code point at s[*i] (n bytes); 0 for an invalid or cut byte,
 * which is then consumed alone. */
static int utf8_next(const unsigned char *s, size_t n, size_t *i, unsigned *cp)
{
	unsigned c = s[*i], need, min;
	if (c < 0x80) {
		*cp = c;
		(*i)++;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, min = 0x80, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, min = 0x800, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, min = 0x10000, c &= 0x07;
	else {
		(*i)++;
		return 0;
	}
	if (*i + need >= n) {
		(*i)++;
		return 0;
	}
	for (unsigned k = 1; k <= need; k++) {
		unsigned cc = s[*i + k];
		if ((cc & 0xc0) != 0x80) {
			(*i)++;
			return 0;
		}
		c = (c << 6) | (cc & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		(*i)++;
		return 0;
	}
	*i += need + 1;
	*cp = c;
	return 1;
}

/* What to draw for one code point: returns its width (0, 1 or 2) and sets
 * *out to the character drawn and *ph when it is a placeholder. */
static int classify(unsigned cp, int valid, wchar_t *out, int *ph)
{
	*ph = 0;
	*out = (wchar_t)cp;
	if (!valid) {
		*ph = 1;
		*out = D.utf8 ? 0xfffd : '?';
		return 1;
	}
	if (cp < 0x20 || cp == 0x7f) {
		*ph = 1;
		*out = D.utf8 ? (wchar_t)(cp == 0x7f ? 0x2421 : 0x2400 + cp) : '?';
		return 1;
	}
	if (cp < 0x7f)
		return 1;
	if (!D.utf8) {
		*ph = 1;
		*out = '?';
		return 1;
	}
	/* C1 controls, bidi marks, embeddings, overrides and isolates, line and
	 * paragraph separators, interlinear annotation. */
	if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0xfff9 && cp <= 0xfffb)) {
		*ph = 1;
		*out = 0xfffd;
		return 1;
	}
	int wd = wcwidth((wchar_t)cp);
	if (wd < 0) {
		*ph = 1;
		*out = 0xfffd;
		return 1;
	}
	return wd > 2 ? 2 : wd;
}

int tui_text_widthn(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int total = 0;
	while (i < n) {
		unsigned cp = 0;
		wchar_t wc;
		int ph, valid = utf8_next(u, n, &i, &cp);
		total += classify(cp, valid, &wc, &ph);
	}
	return total;
}

int tui_text_width(const char *s) { return s ? tui_text_widthn(s, strlen(s)) : 0; }

size_t tui_text_fit(const char *s, size_t n, int cols)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, last = 0;
	int used = 0;
	while (i < n) {
		unsigned cp = 0;
		wchar_t wc;
		int ph, valid = utf8_next(u, n, &i, &cp);
		int wd = classify(cp, valid, &wc, &ph);
		if (used + wd > cols)
			break;
		used += wd;
		last = i;
	}
	return last;
}

/* Draw s[0..n) from (y, x), skipping the first skip columns, into at most
 * max cells. Returns cells drawn. */
static int put_run(WINDOW *w, int y, int x, const char *s, size_t n, int skip, int max)
{
	const unsigned char *u = (const unsigned char *)s;
	wchar_t buf[128];
	int nb = 0, used = 0, col = 0, drew_any = 0;
	attr_t a;
	short pair;
	size_t i = 0;

	wattr_get(w, &a, &pair, NULL);
	if (max <= 0)
		return 0;
	wmove(w, y, x);
	while (i < n) {
		unsigned cp = 0;
		wchar_t wc;
		int ph, valid = utf8_next(u, n, &i, &cp);
		int wd = classify(cp, valid, &wc, &ph);
		if (col < skip) {
			/* A wide character cut by the scroll edge shows as a space. */
			if (col + wd > skip) {
				if (nb == (int)(sizeof buf / sizeof buf[0]))
					waddnwstr(w, buf, nb), nb = 0;
				buf[nb++] = ' ';
				used += col + wd - skip;
				drew_any = 1;
			}
			col += wd;
			continue;
		}
		col += wd;
		if (wd == 0) {
			/* A combining mark rides on the character before it. */
			if (!drew_any)
				continue;
			if (nb == (int)(sizeof buf / sizeof buf[0]))
				waddnwstr(w, buf, nb), nb = 0;
			buf[nb++] = wc;
			continue;
		}
		if (used + wd > max)
			break;
		if (ph) {
			if (nb)
				waddnwstr(w, buf, nb), nb = 0;
			wattr_on(w, tui_attr(TUI_PLACEHOLDER), NULL);
			waddnwstr(w, &wc, 1);
			wattr_set(w, a, pair, NULL);
		} else {
			if (nb == (int)(sizeof buf / sizeof buf[0]))
				waddnwstr(w, buf, nb), nb = 0;
			buf[nb++] = wc;
		}
		used += wd;
		drew_any = 1;
	}
	if (nb)
		waddnwstr(w, buf, nb);
	return used;
}

int tui_put_textn(WINDOW *w, int y, int x, const char *s, size_t n, int max_cols)
{
	int total;
	if (!s || max_cols <= 0)
		return 0;
	total = tui_text_widthn(s, n);
	if (total <= max_cols)
		return put_run(w, y, x, s, n, 0, max_cols);
	/* Cut: room for the ellipsis, never half a wide character. */
	int used = put_run(w, y, x, s, tui_text_fit(s, n, max_cols - 1), 0, max_cols - 1);
	while (used < max_cols - 1) {
		waddch(w, ' ');
		used++;
	}
	tui_put_label(w, y, x + used, tui_glyphs()->ellipsis, 1);
	return max_cols;
}

int tui_put_text(WINDOW *w, int y, int x, const char *utf8, int max_cols)
{
	return utf8 ? tui_put_textn(w, y, x, utf8, strlen(utf8), max_cols) : 0;
}

int tui_put_text_skip(WINDOW *w, int y, int x, const char *s, size_t n, int skip, int max_cols)
{
	return put_run(w, y, x, s, n, skip, max_cols);
}

void tui_put_cell(WINDOW *w, int y, int x, const char *utf8, int cols, int right)
{
	int wd, used;
	if (cols <= 0)
		return;
	wd = utf8 ? tui_text_width(utf8) : 0;
	if (right && wd < cols) {
		mvwprintw(w, y, x, "%*s", cols - wd, "");
		used = cols - wd + tui_put_text(w, y, x + cols - wd, utf8, wd);
	} else {
		used = tui_put_text(w, y, x, utf8, cols);
	}
	if (used < cols)
		mvwprintw(w, y, x + used, "%*s", cols - used, "");
}

int tui_put_label(WINDOW *w, int y, int x, const char *s, int max_cols)
{
	/* Our own text: the same drawing minus the placeholder colour for ASCII. */
	if (D.utf8)
		return tui_put_text(w, y, x, s, max_cols);
	int used = 0;
	wmove(w, y, x);
	for (const unsigned char *p = (const unsigned char *)s; *p && used < max_cols; p++) {
		if (*p >= 0x80) {
			while ((p[1] & 0xc0) == 0x80)
				p++;
			waddch(w, '?');
		} else if (*p < 0x20) {
			waddch(w, '?');
		} else {
			waddch(w, *p);
		}
		used++;
	}
	return used;
}

/* ---- boxes and bars ---- */

static void put_glyph(WINDOW *w, int y, int x, const char *g)
{
	mvwaddstr(w, y, x, g);
}

void tui_hline(WINDOW *w, int y, int x, int n)
{
	const char *g = tui_glyphs()->hl;
	wmove(w, y, x);
	for (int i = 0; i < n; i++)
		waddstr(w, g);
}

void tui_vline(WINDOW *w, int y, int x, int n)
{
	const char *g = tui_glyphs()->vl;
	for (int i = 0; i < n; i++)
		put_glyph(w, y + i, x, g);
}

void tui_box(WINDOW *w, int y, int x, int h, int wd, int focused)
{
	const struct tui_glyphs *g = tui_glyphs();
	if (h < 2 || wd < 2)
		return;
	wattr_on(w, tui_attr(focused ? TUI_BORDER_FOCUS : TUI_BORDER), NULL);
	put_glyph(w, y, x, g->tl);
	tui_hline(w, y, x + 1, wd - 2);
	put_glyph(w, y, x + wd - 1, g->tr);
	tui_vline(w, y + 1, x, h - 2);
	tui_vline(w, y + 1, x + wd - 1, h - 2);
	put_glyph(w, y + h - 1, x, g->bl);
	tui_hline(w, y + h - 1, x + 1, wd - 2);
	put_glyph(w, y + h - 1, x + wd - 1, g->br);
	wattr_off(w, tui_attr(focused ? TUI_BORDER_FOCUS : TUI_BORDER), NULL);
}

void tui_box_title(WINDOW *w, int y, int x, int wd, const char *title, int focused)
{
	int room = wd - 4;
	if (room < 3 || !title)
		return;
	wattr_on(w, tui_attr(TUI_TITLE), NULL);
	mvwaddch(w, y, x + 1, ' ');
	int used = tui_put_text(w, y, x + 2, title, room - 1);
	mvwaddch(w, y, x + 2 + used, ' ');
	wattr_off(w, tui_attr(TUI_TITLE), NULL);
	(void)focused;
}

void tui_box_footer(WINDOW *w, int y, int x, int wd, const char *text)
{
	int tw = tui_text_width(text), room = wd - 4;
	if (room < 3)
		return;
	if (tw > room)
		tw = room;
	wattr_on(w, tui_attr(TUI_DIM), NULL);
	mvwaddch(w, y, x + wd - 3 - tw, ' ');
	tui_put_text(w, y, x + wd - 2 - tw, text, tw);
	mvwaddch(w, y, x + wd - 2, ' ');
	wattr_off(w, tui_attr(TUI_DIM), NULL);
}

void tui_clear_rect(WINDOW *w, int y, int x, int h, int wd)
{
	for (int i = 0; i < h; i++)
		mvwprintw(w, y + i, x, "%*s", wd, "");
}

void tui_bar(WINDOW *w, int y, int x, double frac, int width)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d", "\u258c",
	                                      "\u258b", "\u258a", "\u2589" };
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	int units = (int)(frac * width * 8 + 0.5), full = units / 8, part = units % 8, used = 0;
	wmove(w, y, x);
	wattr_on(w, tui_attr(TUI_FILL), NULL);
	for (int i = 0; i < full; i++, used++)
		waddstr(w, D.utf8 ? "\u2588" : "#");
	if (part && used < width) {
		waddstr(w, D.utf8 ? eighths[part] : (part >= 4 ? "#" : " "));
		used++;
	}
	wattr_off(w, tui_attr(TUI_FILL), NULL);
	for (; used < width; used++)
		waddch(w, ' ');
}

char *tui_thousands(char *buf, size_t len, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%lld", v < 0 ? -v : v), j = 0;
	char out[48];
	if (v < 0)
		out[j++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = tmp[i];
	}
	out[j] = 0;
	snprintf(buf, len, "%s", out);
	return buf;
}
