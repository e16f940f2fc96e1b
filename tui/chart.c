/* chart.c — text charts into cell grids (see chart.h). */
#include "tui/chart.h"
#include "core/textdiff.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct chart_grid *chart_grid_new(int w, int h)
{
	struct chart_grid *g = xcalloc(1, sizeof *g);
	if (w < 1) w = 1;
	if (h < 1) h = 1;
	g->w = w, g->h = h;
	g->cp = xmalloc((size_t)w * h * sizeof *g->cp);
	g->color = xcalloc((size_t)w * h, 1);
	for (int i = 0; i < w * h; i++)
		g->cp[i] = ' ';
	return g;
}

void chart_grid_free(struct chart_grid *g)
{
	if (!g)
		return;
	free(g->cp);
	free(g->color);
	free(g);
}

void chart_grid_put(struct chart_grid *g, int x, int y, unsigned cp, int color)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return;
	g->cp[y * g->w + x] = cp;
	g->color[y * g->w + x] = (unsigned char)color;
}

int chart_grid_text(struct chart_grid *g, int x, int y, const char *s, int color)
{
	size_t n = strlen(s), i = 0;
	int cells = 0;
	while (i < n) {
		unsigned cp;
		i += textdiff_utf8_decode(s + i, n - i, &cp);
		chart_grid_put(g, x + cells++, y, cp, color);
	}
	return cells;
}

static void put_utf8(struct sbuf *sb, unsigned cp)
{
	char b[4];
	if (cp < 0x80) {
		sbuf_addc(sb, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F));
		sbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		sbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F));
		sbuf_add(sb, b, 4);
	}
}

char *chart_grid_row(const struct chart_grid *g, int y)
{
	struct sbuf sb = SBUF_INIT;
	sbuf_adds(&sb, "");
	if (y >= 0 && y < g->h)
		for (int x = 0; x < g->w; x++)
			put_utf8(&sb, g->cp[y * g->w + x]);
	return sbuf_detach(&sb);
}

static int axis_x(double v, double amin, double amax, int w)
{
	if (!(amax > amin))
		return 0;
	double f = (v - amin) / (amax - amin);
	int x = (int)lround(f * (w - 1));
	return x < 0 ? 0 : x >= w ? w - 1 : x;
}

void chart_interval(struct chart_grid *g, int x0, int y, int w, double lo, double hi,
                    double point, double amin, double amax, int color, int utf8)
{
	if (w < 3 || !isfinite(lo) || !isfinite(hi) || !isfinite(point))
		return;
	int a = axis_x(lo, amin, amax, w), b = axis_x(hi, amin, amax, w);
	int p = axis_x(point, amin, amax, w);
	for (int x = a; x <= b; x++)
		chart_grid_put(g, x0 + x, y, utf8 ? 0x2500 : '-', color);
	chart_grid_put(g, x0 + a, y, utf8 ? 0x251C : '|', color);
	chart_grid_put(g, x0 + b, y, utf8 ? 0x2524 : '|', color);
	chart_grid_put(g, x0 + p, y, utf8 ? 0x25A0 : '#', color);
}

struct chart_canvas *chart_canvas_new(int w, int h)
{
	struct chart_canvas *c = xcalloc(1, sizeof *c);
	if (w < 1) w = 1;
	if (h < 1) h = 1;
	c->w = w, c->h = h;
	c->dots = xcalloc((size_t)w * h, 1);
	c->owner = xcalloc((size_t)w * h, 1);
	return c;
}

void chart_canvas_free(struct chart_canvas *c)
{
	if (!c)
		return;
	free(c->dots);
	free(c->owner);
	free(c);
}

void chart_canvas_dot(struct chart_canvas *c, int px, int py, int color)
{
	/* bit of each dot, [row][col], in the Unicode braille order */
	static const unsigned char bit[4][2] = { {0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80} };
	if (px < 0 || py < 0 || px >= c->w * 2 || py >= c->h * 4)
		return;
	int cell = (py / 4) * c->w + px / 2;
	c->dots[cell] |= bit[py % 4][px % 2];
	c->owner[cell] = (unsigned char)color;
}

void chart_canvas_line(struct chart_canvas *c, int x0, int y0, int x1, int y1, int color)
{
	int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
	int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
	int e = dx + dy;
	for (int guard = 0; guard < 100000; guard++) {
		chart_canvas_dot(c, x0, y0, color);
		if (x0 == x1 && y0 == y1)
			break;
		int e2 = 2 * e;
		if (e2 >= dy) { e += dy; x0 += sx; }
		if (e2 <= dx) { e += dx; y0 += sy; }
	}
}

void chart_canvas_series(struct chart_canvas *c, const double *v, int n, double ymin,
                         double ymax, int color)
{
	int pw = c->w * 2, ph = c->h * 4, havep = 0, lx = 0, ly = 0;
	if (n <= 0)
		return;
	if (!(ymax > ymin))
		ymax = ymin + 1;
	for (int i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			havep = 0;
			continue;
		}
		int x = n == 1 ? 0 : (int)lround((double)i * (pw - 1) / (n - 1));
		double f = (v[i] - ymin) / (ymax - ymin);
		if (f < 0) f = 0;
		if (f > 1) f = 1;
		int y = (ph - 1) - (int)lround(f * (ph - 1));
		if (havep)
			chart_canvas_line(c, lx, ly, x, y, color);
		else
			chart_canvas_dot(c, x, y, color);
		lx = x, ly = y, havep = 1;
	}
}

void chart_canvas_blit(const struct chart_canvas *c, struct chart_grid *g, int x, int y, int utf8)
{
	for (int r = 0; r < c->h; r++)
		for (int q = 0; q < c->w; q++) {
			unsigned d = c->dots[r * c->w + q];
			if (!d)
				continue;
			unsigned cp;
			if (utf8) {
				cp = 0x2800 + d;
			} else {
				int top = d & 0x1B, bot = d & 0xE4;   /* rows 0-1, rows 2-3 */
				cp = top && bot ? ':' : top ? '\'' : '.';
			}
			chart_grid_put(g, x + q, y + r, cp, c->owner[r * c->w + q]);
		}
}

char *chart_sparkline(const double *v, int n, int utf8)
{
	static const char *blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = " .:-=+*#";
	struct sbuf sb = SBUF_INIT;
	double lo = INFINITY, hi = -INFINITY;
	sbuf_adds(&sb, "");
	for (int i = 0; i < n; i++)
		if (isfinite(v[i])) {
			if (v[i] < lo) lo = v[i];
			if (v[i] > hi) hi = v[i];
		}
	for (int i = 0; i < n; i++) {
		if (!isfinite(v[i])) {
			sbuf_addc(&sb, ' ');
			continue;
		}
		int k = hi > lo ? (int)lround((v[i] - lo) / (hi - lo) * 7) : 3;
		if (k < 0) k = 0;
		if (k > 7) k = 7;
		if (utf8)
			sbuf_adds(&sb, blocks[k]);
		else
			sbuf_addc(&sb, ascii[k == 0 ? 1 : k]);
	}
	return sbuf_detach(&sb);
}

char *chart_progress(double frac, int w, int utf8)
{
	static const char *eighth[] = { "", "\u258F", "\u258E", "\u258D", "\u258C", "\u258B", "\u258A", "\u2589" };
	struct sbuf sb = SBUF_INIT;
	if (!isfinite(frac) || frac < 0) frac = 0;
	if (frac > 1) frac = 1;
	if (w < 1) w = 1;
	int units = (int)lround(frac * w * 8), full = units / 8, part = units % 8, used = 0;
	sbuf_adds(&sb, "");
	for (; used < full; used++)
		sbuf_adds(&sb, utf8 ? "\u2588" : "#");
	if (part && used < w) {
		sbuf_adds(&sb, utf8 ? eighth[part] : (part >= 4 ? "#" : "."));
		used++;
	}
	for (; used < w; used++)
		sbuf_adds(&sb, utf8 ? "\u2591" : ".");
	return sbuf_detach(&sb);
}

/* 3x5 font ('#' = ink); narrow glyphs are 1 or 2 pixels wide. */
struct glyph { unsigned cp; const char *rows[5]; };
static const struct glyph font[] = {
	{'0', {"###","#.#","#.#","#.#","###"}}, {'1', {".#.","##.",".#.",".#.","###"}},
	{'2', {"###","..#","###","#..","###"}}, {'3', {"###","..#",".##","..#","###"}},
	{'4', {"#.#","#.#","###","..#","..#"}}, {'5', {"###","#..","###","..#","###"}},
	{'6', {"###","#..","###","#.#","###"}}, {'7', {"###","..#","..#",".#.",".#."}},
	{'8', {"###","#.#","###","#.#","###"}}, {'9', {"###","#.#","###","..#","###"}},
	{'+', {"...",".#.","###",".#.","..."}}, {'-', {"...","...","###","...","..."}},
	{'%', {"#.#","..#",".#.","#..","#.#"}}, {'/', {"..#","..#",".#.","#..","#.."}},
	{'.', {".",".",".",".","#"}},           {',', {".",".",".","#","#"}},
	{':', {".","#",".","#","."}},           {' ', {"..","..","..","..",".."}},
	{'A', {".#.","#.#","###","#.#","#.#"}}, {'B', {"##.","#.#","##.","#.#","##."}},
	{'C', {"###","#..","#..","#..","###"}}, {'D', {"##.","#.#","#.#","#.#","##."}},
	{'E', {"###","#..","##.","#..","###"}}, {'F', {"###","#..","##.","#..","#.."}},
	{'G', {"###","#..","#.#","#.#","###"}}, {'H', {"#.#","#.#","###","#.#","#.#"}},
	{'I', {"###",".#.",".#.",".#.","###"}}, {'J', {"..#","..#","..#","#.#","###"}},
	{'K', {"#.#","#.#","##.","#.#","#.#"}}, {'L', {"#..","#..","#..","#..","###"}},
	{'M', {"#.#","###","###","#.#","#.#"}}, {'N', {"##.","#.#","#.#","#.#","#.#"}},
	{'O', {"###","#.#","#.#","#.#","###"}}, {'P', {"###","#.#","###","#..","#.."}},
	{'Q', {"###","#.#","#.#","###","..#"}}, {'R', {"##.","#.#","##.","#.#","#.#"}},
	{'S', {"###","#..","###","..#","###"}}, {'T', {"###",".#.",".#.",".#.",".#."}},
	{'U', {"#.#","#.#","#.#","#.#","###"}}, {'V', {"#.#","#.#","#.#","#.#",".#."}},
	{'W', {"#.#","#.#","###","###","#.#"}}, {'X', {"#.#","#.#",".#.","#.#","#.#"}},
	{'Y', {"#.#","#.#",".#.",".#.",".#."}}, {'Z', {"###","..#",".#.","#..","###"}},
};

static const struct glyph *glyph_for(unsigned cp)
{
	if (cp >= 'a' && cp <= 'z')
		cp -= 32;
	if (cp == 0x2212)          /* minus sign */
		cp = '-';
	for (size_t i = 0; i < sizeof font / sizeof font[0]; i++)
		if (font[i].cp == cp)
			return &font[i];
	return &font[17];          /* blank */
}

int chart_big_can(const char *s)
{
	size_t n = strlen(s), i = 0;
	while (i < n) {
		unsigned cp;
		i += textdiff_utf8_decode(s + i, n - i, &cp);
		if (cp != ' ' && glyph_for(cp) == &font[17])
			return 0;
	}
	return 1;
}

int chart_big_width(const char *s)
{
	size_t n = strlen(s), i = 0;
	int w = 0;
	while (i < n) {
		unsigned cp;
		i += textdiff_utf8_decode(s + i, n - i, &cp);
		w += (int)strlen(glyph_for(cp)->rows[0]) * 2 + (i < n ? 1 : 0);
	}
	return w;
}

int chart_big_text(const char *s, int utf8, char *rows[CHART_BIG_ROWS])
{
	size_t n = strlen(s);
	for (int r = 0; r < CHART_BIG_ROWS; r++) {
		struct sbuf sb = SBUF_INIT;
		size_t i = 0;
		sbuf_adds(&sb, "");
		while (i < n) {
			unsigned cp;
			i += textdiff_utf8_decode(s + i, n - i, &cp);
			for (const char *p = glyph_for(cp)->rows[r]; *p; p++)
				sbuf_adds(&sb, *p == '#' ? (utf8 ? "\u2588\u2588" : "##") : "  ");
			if (i < n)
				sbuf_addc(&sb, ' ');
		}
		rows[r] = sbuf_detach(&sb);
	}
	return chart_big_width(s);
}
