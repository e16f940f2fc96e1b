/* pane_data.c — pane 1, the dataset browser: the table and segment list on
 * the left, the grid on the right (frozen header and first column, keyset
 * paging through core/browse), with frequency tables, a column profile panel
 * and a row detail view. Long work (index builds, counts, frequencies,
 * profiles, imports, exports) runs as jobs so keys keep being answered. */
#include "tui/pane_data.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/tjob.h"
#include "core/browse.h"
#include "core/dataset.h"
#include "core/profile.h"
#include "core/segment.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum mode { M_GRID, M_FREQ, M_DETAIL };

#define MAX_COL_W 32
#define FREQ_LIMIT 1000

struct dp {
	struct pane *p;
	struct app  *a;
	unsigned     gen;          /* bumped when the view changes; stale job results are dropped */
	/* left list: tables then segments */
	struct browse_table *tables;
	size_t       ntables;
	struct segment *segs;
	size_t       nsegs;
	int          segs_loading;
	int          segs_again;   /* segments changed while a count ran: count again */
	int          list_sel, list_top, list_focus;
	/* the grid */
	struct browse *b;
	char        *segment;      /* the segment the view came from, if any */
	int64_t      table_rows;
	int          counting;
	int          row, col, left;   /* cursor row in the window, cursor column, first scrolled column */
	int         *widths;
	int         *decs;         /* decimals shown for a REAL column (grow like widths) */
	int          mode;
	int          busy;         /* an index build for a sort is running */
	/* frequency table */
	struct browse_freq *freq;
	size_t       nfreq;
	int64_t      freq_total;
	int          freq_col, freq_sel, freq_top;
	/* detail */
	int          detail_top;
	/* profile panel */
	int          show_profile;
	struct profile *prof;
	int          prof_running;
	/* geometry, set by layout() */
	int          h, w, list_w, gx, gw, pw, page;
};

/* ---- helpers ---- */

static struct dp *D(struct pane *p) { return p->data; }

static int table_index(struct dp *d, const char *name)
{
	for (size_t i = 0; i < d->ntables; i++)
		if (strcmp(d->tables[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void layout(struct dp *d)
{
	d->h = getmaxy(d->p->win);
	d->w = getmaxx(d->p->win);
	d->list_w = d->w >= 100 ? 24 : (d->list_focus ? 22 : 0);
	d->pw = 0;
	if (d->show_profile)
		d->pw = d->w - d->list_w >= 96 ? 36 : d->w - d->list_w;
	d->gx = d->list_w;
	d->gw = d->w - d->list_w - d->pw;
	d->page = d->h - 3;
	if (d->page < 1)
		d->page = 1;
}

static void fix_cursor(struct dp *d)
{
	int n = d->b ? browse_nrows(d->b) : 0;
	if (d->row >= n)
		d->row = n - 1;
	if (d->row < 0)
		d->row = 0;
}

#define MAX_DECS 6

/* Decimals in SQLite's text of a REAL ("16256.6" has 1); -1 when it is not a
 * plain decimal (exponent, inf, nan) and is shown as it is. */
static int real_decimals(const char *s)
{
	const char *dot = NULL;
	int n = 0;
	if (*s == '-')
		s++;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s == '.' && !dot)
			dot = s;
		else if (*s < '0' || *s > '9')
			return -1;
		else if (dot)
			n++;
	}
	return n > MAX_DECS ? MAX_DECS : n;
}

/* v with decs decimals and thousands separators (16,256.60); buf, or NULL
 * when it does not fit. */
static const char *fmt_real(double v, int decs, char *buf, size_t len)
{
	char num[64], *dot;
	snprintf(num, sizeof num, "%.*f", decs, v < 0 ? -v : v);
	/* -0.00 would read as a loss: only a value that shows as non-zero keeps its sign. */
	int neg = v < 0 && strspn(num, "0.") != strlen(num);
	dot = strchr(num, '.');
	size_t ilen = dot ? (size_t)(dot - num) : strlen(num), j = 0;
	if (ilen + strlen(num) + 16 > len)
		return NULL;
	if (neg)
		buf[j++] = '-';
	for (size_t i = 0; i < ilen; i++) {
		if (i && (ilen - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = num[i];
	}
	snprintf(buf + j, len - j, "%s", num + ilen);
	return buf;
}

/* The text a grid cell shows: a REAL with the column's decimals and thousands
 * separators (16,256.60 beside 15,956.11), anything else as stored. */
static const char *cell_text(struct dp *d, int r, int c, char *buf, size_t len)
{
	const char *s = browse_cell(d->b, r, c);
	const char *f;
	if (!s || browse_cell_type(d->b, r, c) != SQLITE_FLOAT || real_decimals(s) < 0)
		return s;
	f = fmt_real(strtod(s, NULL), d->decs[c], buf, len);
	return f ? f : s;
}

/* Widen columns to fit what the window shows (never narrow while paging). */
static void update_widths(struct dp *d)
{
	int nc, nr;
	char fb[96];
	if (!d->b)
		return;
	nc = browse_ncols(d->b);
	nr = browse_nrows(d->b);
	for (int c = 0; c < nc; c++)
		for (int r = 0; r < nr; r++) {
			const char *s = browse_cell(d->b, r, c);
			int k = s && browse_cell_type(d->b, r, c) == SQLITE_FLOAT ? real_decimals(s) : -1;
			if (k > d->decs[c])
				d->decs[c] = k;
		}
	for (int c = 0; c < nc; c++) {
		int w = d->widths[c];
		if (w == 0) {
			w = tui_text_width(browse_col_name(d->b, c));
			if (browse_sort_col(d->b) == c)
				w += 2;
		}
		for (int r = 0; r < nr; r++) {
			const char *s = cell_text(d, r, c, fb, sizeof fb);
			int cw = s ? tui_text_width(s) : 1;
			if (cw > w)
				w = cw;
			if (w >= MAX_COL_W)
				break;
		}
		if (w > MAX_COL_W)
			w = MAX_COL_W;
		if (w < 3)
			w = 3;
		d->widths[c] = w;
	}
}

static void loaded(struct dp *d)
{
	fix_cursor(d);
	update_widths(d);
	pane_dirty(d->p);
}

static void report(struct dp *d, int rc, struct cl_err *err)
{
	if (rc)
		app_error(d->a, err);
}

/* ---- jobs ---- */

struct count_arg {
	struct dp *d;
	unsigned   gen;
	char      *table, *pred;
	int64_t    table_rows, n;
};

static int count_work(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err)
{
	struct count_arg *c = arg;
	return browse_count(ws, c->table, c->pred, c->table_rows, tjob_progress, j, &c->n, err);
}

static void count_finish(struct app *a, void *arg, int rc, const struct cl_err *err)
{
	struct count_arg *c = arg;
	struct dp *d = c->d;
	if (c->gen == d->gen && d->b) {
		d->counting = 0;
		if (rc == 0)
			browse_set_count(d->b, c->n);
		else if (err->code != CL_ECANCEL)
			app_error(a, err);
		pane_dirty(d->p);
	}
	free(c->table);
	free(c->pred);
	free(c);
}

static void start_count(struct dp *d)
{
	struct count_arg *c;
	const char *f = browse_filter(d->b);
	if (!f) {
		browse_set_count(d->b, d->table_rows);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->d = d;
	c->gen = d->gen;
	c->table = xstrdup(browse_table_name(d->b));
	c->pred = xstrdup(f);
	c->table_rows = d->table_rows;
	d->counting = 1;
	tjob_start_quiet(d->a, "counting the filtered rows", count_work, count_finish, c);
}

static void start_profile(struct dp *d);

/* Reload the view from its first row after a change of order or filter. */
static int view_changed(struct dp *d)
{
	struct cl_err err = {0};
	d->gen++;
	d->row = 0;
	d->detail_top = 0;
	if (browse_first(d->b, d->page, &err)) {
		app_error(d->a, &err);
		return -1;
	}
	start_count(d);
	if (d->prof) {
		profile_free(d->prof);
		d->prof = NULL;
	}
	if (d->show_profile)
		start_profile(d);
	loaded(d);
	return 0;
}

static void load_tables(struct dp *d)
{
	struct cl_err err = {0};
	browse_tables_free(d->tables, d->ntables);
	d->tables = NULL;
	d->ntables = 0;
	if (browse_tables(app_workspace(d->a), &d->tables, &d->ntables, &err))
		app_error(d->a, &err);
}

struct segs_arg {
	struct dp *d;
	struct segment *segs;
	size_t n;
};

static int segs_work(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err)
{
	struct segs_arg *s = arg;
	(void)j;
	return segment_list(ws, &s->segs, &s->n, err);
}

static void load_segments(struct dp *d);

static void segs_finish(struct app *a, void *arg, int rc, const struct cl_err *err)
{
	struct segs_arg *s = arg;
	struct dp *d = s->d;
	d->segs_loading = 0;
	if (rc == 0) {
		segment_list_free(d->segs, d->nsegs);
		d->segs = s->segs;
		d->nsegs = s->n;
	} else if (err->code != CL_ECANCEL) {
		app_error(a, err);
	}
	pane_dirty(d->p);
	free(s);
	/* A segment came or went while this count ran (the first-run import adds
	 * loyal-east): what it read may predate that, so count once more. */
	if (d->segs_again) {
		d->segs_again = 0;
		if (rc == 0)
			load_segments(d);
	}
}

static void load_segments(struct dp *d)
{
	struct segs_arg *s;
	if (d->segs_loading) {
		d->segs_again = 1;
		return;
	}
	s = xcalloc(1, sizeof *s);
	s->d = d;
	d->segs_loading = 1;
	tjob_start_quiet(d->a, "counting segments", segs_work, segs_finish, s);
}

static void close_view(struct dp *d)
{
	browse_free(d->b);
	d->b = NULL;
	FREE(&d->widths);
	FREE(&d->decs);
	FREE(&d->segment);
	browse_freq_free(d->freq, d->nfreq);
	d->freq = NULL;
	d->nfreq = 0;
	if (d->prof)
		profile_free(d->prof);
	d->prof = NULL;
	d->mode = M_GRID;
	d->gen++;
}

static int open_table(struct dp *d, const char *name, const char *pred, const char *segment)
{
	struct cl_err err = {0};
	struct browse *b;
	int ti;
	if (browse_open(app_workspace(d->a), name, &b, &err)) {
		app_error(d->a, &err);
		return -1;
	}
	if (pred && browse_filter_add(b, pred, &err)) {
		browse_free(b);
		app_error(d->a, &err);
		return -1;
	}
	close_view(d);
	d->b = b;
	d->segment = segment ? xstrdup(segment) : NULL;
	d->widths = xcalloc((size_t)browse_ncols(b) + 1, sizeof *d->widths);
	d->decs = xcalloc((size_t)browse_ncols(b) + 1, sizeof *d->decs);
	ti = table_index(d, name);
	d->table_rows = ti >= 0 ? d->tables[ti].rows : -1;
	if (ti >= 0)
		d->list_sel = ti;
	d->col = 0;
	d->left = 1;
	return view_changed(d);
}

struct index_arg {
	struct dp *d;
	unsigned   gen;
	char      *table, *column;
	int64_t    rows;
	int        col, desc;
};

static int index_work(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err)
{
	struct index_arg *x = arg;
	return browse_index_build(ws, x->table, x->column, x->rows, tjob_progress, j, err);
}

static void apply_sort(struct dp *d, int col, int desc)
{
	struct cl_err err = {0};
	if (browse_set_sort(d->b, col, desc, &err)) {
		app_error(d->a, &err);
		return;
	}
	if (col >= 0 && d->widths[col] < tui_text_width(browse_col_name(d->b, col)) + 2)
		d->widths[col] = tui_text_width(browse_col_name(d->b, col)) + 2;
	view_changed(d);
}

static void index_finish(struct app *a, void *arg, int rc, const struct cl_err *err)
{
	struct index_arg *x = arg;
	struct dp *d = x->d;
	d->busy = 0;
	if (rc) {
		if (err->code == CL_ECANCEL)
			app_msg(a, "sort cancelled: no index was made, the order is as before");
		else
			app_error(a, err);
	} else if (x->gen == d->gen && d->b) {
		app_msg(a, "index on %s ready", x->column);
		apply_sort(d, x->col, x->desc);
	}
	pane_dirty(d->p);
	free(x->table);
	free(x->column);
	free(x);
}

static void sort_by(struct dp *d, int col, int desc)
{
	if (!d->b)
		return;
	if (d->busy) {
		app_msg(d->a, "an index is being built; wait or press Esc to cancel it");
		return;
	}
	/* The same key on the sorted column again goes back to the table's order. */
	if (browse_sort_col(d->b) == col && browse_sort_desc(d->b) == desc) {
		apply_sort(d, -1, 0);
		app_msg(d->a, "sort cleared");
		return;
	}
	if (browse_sort_wants_index(d->b, col, d->table_rows)) {
		struct index_arg *x = xcalloc(1, sizeof *x);
		char label[160];
		x->d = d;
		x->gen = d->gen;
		x->table = xstrdup(browse_table_name(d->b));
		x->column = xstrdup(browse_col_name(d->b, col));
		x->rows = d->table_rows;
		x->col = col;
		x->desc = desc;
		d->busy = 1;
		snprintf(label, sizeof label, "indexing %s for the sort", x->column);
		tjob_start(d->a, label, index_work, index_finish, x);
		return;
	}
	apply_sort(d, col, desc);
}

struct freq_arg {
	struct dp *d;
	unsigned   gen;
	char      *table, *column, *pred;
	int64_t    rows, total;
	int        col;
	struct browse_freq *f;
	size_t     n;
};

static int freq_work(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err)
{
	struct freq_arg *x = arg;
	return browse_frequency(ws, x->table, x->column, x->pred, FREQ_LIMIT, x->rows,
	                        tjob_progress, j, &x->f, &x->n, &x->total, err);
}

static void freq_finish(struct app *a, void *arg, int rc, const struct cl_err *err)
{
	struct freq_arg *x = arg;
	struct dp *d = x->d;
	if (rc) {
		if (err->code == CL_ECANCEL)
			app_msg(a, "frequency table cancelled");
		else
			app_error(a, err);
	} else if (x->gen == d->gen && d->b) {
		browse_freq_free(d->freq, d->nfreq);
		d->freq = x->f;
		d->nfreq = x->n;
		d->freq_total = x->total;
		d->freq_col = x->col;
		d->freq_sel = d->freq_top = 0;
		d->mode = M_FREQ;
		x->f = NULL;
		x->n = 0;
		pane_dirty(d->p);
	}
	browse_freq_free(x->f, x->n);
	free(x->table);
	free(x->column);
	free(x->pred);
	free(x);
}

static void start_freq(struct dp *d)
{
	struct freq_arg *x;
	char label[160];
	if (!d->b || browse_ncols(d->b) == 0)
		return;
	x = xcalloc(1, sizeof *x);
	x->d = d;
	x->gen = d->gen;
	x->table = xstrdup(browse_table_name(d->b));
	x->column = xstrdup(browse_col_name(d->b, d->col));
	x->pred = browse_filter(d->b) ? xstrdup(browse_filter(d->b)) : NULL;
	x->rows = d->table_rows;
	x->col = d->col;
	snprintf(label, sizeof label, "frequency of %s", x->column);
	tjob_start(d->a, label, freq_work, freq_finish, x);
}

struct prof_arg {
	struct dp *d;
	unsigned   gen;
	char      *table, *pred;
	struct profile *prof;
};

static int prof_work(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err)
{
	struct prof_arg *x = arg;
	return profile_table(ws, x->table, x->pred, tjob_progress, j, &x->prof, err);
}

static void prof_finish(struct app *a, void *arg, int rc, const struct cl_err *err)
{
	struct prof_arg *x = arg;
	struct dp *d = x->d;
	d->prof_running = 0;
	if (rc) {
		if (err->code == CL_ECANCEL)
			app_msg(a, "profile cancelled");
		else
			app_error(a, err);
		d->show_profile = 0;
		layout(d);
	} else if (x->gen == d->gen && d->b) {
		if (d->prof)
			profile_free(d->prof);
		d->prof = x->prof;
		x->prof = NULL;
	}
	if (x->prof)
		profile_free(x->prof);
	pane_dirty(d->p);
	free(x->table);
	free(x->pred);
	free(x);
	/* The view changed while it ran: profile the new one. */
	if (rc == 0 && d->b && d->show_profile && !d->prof)
		start_profile(d);
}

static void start_profile(struct dp *d)
{
	struct prof_arg *x;
	if (!d->b || d->prof || d->prof_running)
		return;
	x = xcalloc(1, sizeof *x);
	x->d = d;
	x->gen = d->gen;
	x->table = xstrdup(browse_table_name(d->b));
	x->pred = browse_filter(d->b) ? xstrdup(browse_filter(d->b)) : NULL;
	d->prof_running = 1;
	tjob_start_quiet(d->a, "profiling the columns", prof_work, prof_finish, x);
}

/* ---- moving ---- */

static void move_rows(struct dp *d, int delta)
{
	struct cl_err err = {0};
	int n = browse_nrows(d->b), moved = 0;
	if (n == 0)
		return;
	if (delta > 0) {
		if (d->row + delta < n) {
			d->row += delta;
		} else {
			int need = d->row + delta - (n - 1);
			if (browse_move(d->b, need, d->page, &moved, &err)) {
				app_error(d->a, &err);
				return;
			}
			d->row = d->row + delta - moved;
		}
	} else {
		if (d->row + delta >= 0) {
			d->row += delta;
		} else {
			int need = -(d->row + delta);
			if (browse_move(d->b, -need, d->page, &moved, &err)) {
				app_error(d->a, &err);
				return;
			}
			d->row = d->row + delta + moved;
		}
	}
	loaded(d);
}

static void page_rows(struct dp *d, int dir)
{
	struct cl_err err = {0};
	int moved = 0;
	if (browse_nrows(d->b) == 0)
		return;
	if (browse_move(d->b, dir * d->page, d->page, &moved, &err)) {
		app_error(d->a, &err);
		return;
	}
	/* At an end the window moved less than a page: the cursor takes the rest. */
	d->row += dir * (d->page - moved);
	loaded(d);
}

/* Columns visible from d->left with the frozen first column, in grid width gw. */
static int cols_fit(struct dp *d, int left, int target)
{
	int x = 1, nc = browse_ncols(d->b);
	x += d->widths[0] + 3;
	for (int c = left; c < nc; c++) {
		x += d->widths[c] + 3;
		if (x > d->gw - 1)
			return c <= target ? 0 : 1;
		if (c == target)
			return 1;
	}
	return 1;
}

static void fix_left(struct dp *d)
{
	int nc = d->b ? browse_ncols(d->b) : 0;
	if (nc <= 1) {
		d->left = 1;
		return;
	}
	if (d->left < 1)
		d->left = 1;
	if (d->col >= 1 && d->col < d->left)
		d->left = d->col;
	while (d->col > d->left && !cols_fit(d, d->left, d->col))
		d->left++;
}

/* ---- drawing ---- */

static int is_numeric(struct dp *d, int col)
{
	int t = browse_cell_type(d->b, d->row, col);
	const char *decl = browse_col_decltype(d->b, col);
	if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
		return 1;
	return strcasestr(decl, "INT") || strcasestr(decl, "REAL") || strcasestr(decl, "NUM") ||
	       strcasestr(decl, "FLOA") || strcasestr(decl, "DOUB");
}

/* The list is tables, a "Segments" heading, then segments: item i sits on
 * line i for a table and i + 1 for a segment. */
static int list_line_of(struct dp *d, int item)
{
	return item < (int)d->ntables ? item : item + 1;
}

static void draw_list(struct dp *d)
{
	WINDOW *w = d->p->win;
	const struct tui_glyphs *g = tui_glyphs();
	int h = d->h, lw = d->list_w, rows = h - 2, items, nlines;
	char num[32];
	if (lw <= 0)
		return;
	tui_box(w, 0, 0, h, lw, d->list_focus);
	tui_box_title(w, 0, 0, lw, "Tables", d->list_focus);
	items = (int)(d->ntables + d->nsegs);
	nlines = items + 1;
	if (d->list_sel >= items)
		d->list_sel = items ? items - 1 : 0;
	int sl = list_line_of(d, d->list_sel);
	if (sl < d->list_top)
		d->list_top = sl;
	if (sl >= d->list_top + rows)
		d->list_top = sl - rows + 1;
	if (d->list_top > nlines - rows)
		d->list_top = nlines - rows > 0 ? nlines - rows : 0;
	for (int r = 0; r < rows; r++) {
		int line = d->list_top + r, y = 1 + r;
		const char *name = NULL;
		int64_t cnt = 0;
		int item = -1, open = 0;
		mvwprintw(w, y, 1, "%*s", lw - 2, "");
		if (line == (int)d->ntables) {
			wattr_on(w, tui_attr(TUI_TITLE), NULL);
			tui_put_label(w, y, 2, d->segs_loading && !d->nsegs ? "Segments …" : "Segments", lw - 3);
			wattr_off(w, tui_attr(TUI_TITLE), NULL);
			continue;
		}
		if (line < (int)d->ntables) {
			item = line;
			name = d->tables[line].name;
			cnt = d->tables[line].rows;
			open = d->b && !d->segment && strcmp(browse_table_name(d->b), name) == 0;
		} else if (line - 1 - (int)d->ntables < (int)d->nsegs) {
			item = line - 1;
			const struct segment *sg = &d->segs[line - 1 - d->ntables];
			name = sg->name;
			cnt = sg->rows;
			open = d->segment && strcmp(d->segment, name) == 0;
		}
		if (!name)
			continue;
		int sel = item == d->list_sel && d->list_focus;
		if (sel)
			wattr_on(w, tui_attr(TUI_CURSOR), NULL);
		mvwprintw(w, y, 1, "%*s", lw - 2, "");
		tui_put_label(w, y, 1, open ? g->sel : " ", 1);
		tui_thousands(num, sizeof num, cnt);
		int nw = (int)strlen(num);
		tui_put_text(w, y, 2, name, lw - 4 - nw);
		mvwaddstr(w, y, lw - 1 - nw, num);
		if (sel)
			wattr_off(w, tui_attr(TUI_CURSOR), NULL);
	}
}

/* The grid's title in at most room cells: table, rows, segment, the filter
 * with its count, the order. A long filter is cut in its middle so the count
 * and the order after it stay readable. */
static void grid_title(struct dp *d, char *buf, size_t len, int room)
{
	const struct tui_glyphs *g = tui_glyphs();
	struct sbuf head = SBUF_INIT, tail = SBUF_INIT;
	char num[32];
	int64_t cnt = browse_get_count(d->b);
	const char *pred = browse_filter(d->b);
	sbuf_adds(&head, browse_table_name(d->b));
	sbuf_adds(&tail, "");
	if (d->table_rows >= 0)
		sbuf_addf(&head, " %s %s row%s", g->dot, tui_thousands(num, sizeof num, d->table_rows),
		          d->table_rows == 1 ? "" : "s");
	if (d->segment)
		sbuf_addf(&head, " %s segment %s", g->dot, d->segment);
	if (pred) {
		sbuf_addf(&head, " %s where ", g->dot);
		if (cnt >= 0)
			sbuf_addf(&tail, " (%s)", tui_thousands(num, sizeof num, cnt));
		else
			sbuf_adds(&tail, d->counting ? " (counting…)" : " (?)");
	}
	if (browse_sort_col(d->b) >= 0)
		sbuf_addf(&tail, " %s by %s %s", g->dot, browse_col_name(d->b, browse_sort_col(d->b)),
		          browse_sort_desc(d->b) ? g->down : g->up);
	if (pred) {
		int left = room - tui_text_width(sbuf_str(&head)) - tui_text_width(sbuf_str(&tail));
		size_t n = strlen(pred);
		if (tui_text_width(pred) > left && left > 4) {
			size_t fit = tui_text_fit(pred, n, left - 1);
			sbuf_addf(&head, "%.*s%s", (int)fit, pred, g->ellipsis);
		} else if (tui_text_width(pred) > left) {
			sbuf_adds(&head, g->ellipsis);   /* no room: the count and order matter more */
		} else {
			sbuf_adds(&head, pred);
		}
	}
	snprintf(buf, len, "%s%s", sbuf_str(&head), sbuf_str(&tail));
	sbuf_free(&head);
	sbuf_free(&tail);
}

static void draw_cell(struct dp *d, int y, int x, int r, int c, int width, int cursor_row)
{
	WINDOW *w = d->p->win;
	char fb[96];
	const char *s = cell_text(d, r, c, fb, sizeof fb);
	int role = cursor_row ? (c == d->col ? TUI_CURSOR : TUI_SELECT) : TUI_NORMAL;
	attr_t at = tui_attr(role);
	wattr_set(w, at, PAIR_NUMBER(at), NULL);
	mvwaddch(w, y, x, ' ');
	if (!s) {
		/* NULL sits where the column's values sit: right in a numeric one. */
		wattr_on(w, tui_attr(TUI_DIM), NULL);
		tui_put_cell(w, y, x + 1, tui_glyphs()->null, width, is_numeric(d, c));
		wattr_set(w, at, PAIR_NUMBER(at), NULL);
	} else {
		int t = browse_cell_type(d->b, r, c);
		tui_put_cell(w, y, x + 1, s, width, t == SQLITE_INTEGER || t == SQLITE_FLOAT);
	}
	waddch(w, ' ');
	wattr_set(w, A_NORMAL, 0, NULL);
}

static void draw_grid(struct dp *d)
{
	WINDOW *w = d->p->win;
	const struct tui_glyphs *g = tui_glyphs();
	int x0 = d->gx, gw = d->gw, h = d->h, nc, nr;
	char title[1024], foot[128], a[32], b[32], c1[32];
	int focused = !d->list_focus;

	tui_box(w, 0, x0, h, gw, focused);
	if (!d->b) {
		tui_box_title(w, 0, x0, gw, "Data", focused);
		tui_put_label(w, 2, x0 + 2, "No tables yet. :samples imports the sample data;", gw - 4);
		tui_put_label(w, 3, x0 + 2, ":import FILE brings in a CSV, TSV or JSONL file.", gw - 4);
		return;
	}
	nc = browse_ncols(d->b);
	nr = browse_nrows(d->b);
	grid_title(d, title, sizeof title, gw - 6);
	tui_box_title(w, 0, x0, gw, title, focused);
	fix_left(d);
	/* Columns on screen: the frozen first one, then from d->left. */
	int xs[256], cs[256], ws[256], ncs = 0, x = x0 + 1;
	for (int c = 0; c < nc && ncs < 256; c = (c == 0 ? d->left : c + 1)) {
		int cw = d->widths[c];
		int room = x0 + gw - 1 - x;
		/* A column that does not fit is shown cut (with an ellipsis), so the
		 * grid says there is more to the right instead of ending in a blank. */
		if (room < 4)
			break;
		if (cw + 2 > room)
			cw = room - 2;
		xs[ncs] = x;
		cs[ncs] = c;
		ws[ncs] = cw;
		ncs++;
		x += cw + 2;
		if (x < x0 + gw - 1) {
			wattr_on(w, tui_attr(c == 0 ? TUI_BORDER_FOCUS : TUI_BORDER), NULL);
			tui_vline(w, 1, x, h - 2);
			wattr_off(w, tui_attr(c == 0 ? TUI_BORDER_FOCUS : TUI_BORDER), NULL);
			x++;
		}
		if (c == 0 && d->left >= nc)
			break;
	}
	/* Header. */
	for (int i = 0; i < ncs; i++) {
		char name[256];
		int c = cs[i];
		int num = nr > 0 && is_numeric(d, c);
		if (browse_sort_col(d->b) == c)
			snprintf(name, sizeof name, "%s %s", browse_col_name(d->b, c),
			         browse_sort_desc(d->b) ? g->down : g->up);
		else
			snprintf(name, sizeof name, "%s", browse_col_name(d->b, c));
		wattr_on(w, tui_attr(TUI_HEADER), NULL);
		mvwaddch(w, 1, xs[i], ' ');
		tui_put_cell(w, 1, xs[i] + 1, name, ws[i], num);
		waddch(w, ' ');
		wattr_off(w, tui_attr(TUI_HEADER), NULL);
	}
	/* Rows. */
	for (int r = 0; r < d->page; r++) {
		int y = 2 + r;
		if (y >= h - 1)
			break;
		for (int i = 0; i < ncs; i++) {
			if (r < nr)
				draw_cell(d, y, xs[i], r, cs[i], ws[i], r == d->row && focused);
			else
				mvwprintw(w, y, xs[i], "%*s", ws[i] + 2, "");
		}
		/* Blank the room right of the last column. */
		int end = ncs ? xs[ncs - 1] + ws[ncs - 1] + 3 : x0 + 1;
		if (end < x0 + gw - 1)
			mvwprintw(w, y, end, "%*s", x0 + gw - 1 - end, "");
	}
	{
		int end = ncs ? xs[ncs - 1] + ws[ncs - 1] + 3 : x0 + 1;
		if (end < x0 + gw - 1)
			mvwprintw(w, 1, end, "%*s", x0 + gw - 1 - end, "");
	}
	int64_t pos = browse_pos(d->b), cnt = browse_get_count(d->b);
	if (nr == 0)
		snprintf(foot, sizeof foot, "no rows %s col %d/%d", g->dot, d->col + 1, nc);
	else if (pos >= 0)
		snprintf(foot, sizeof foot, "row %s/%s %s col %d/%d",
		         tui_thousands(a, sizeof a, pos + d->row + 1),
		         cnt >= 0 ? tui_thousands(b, sizeof b, cnt) : "?", g->dot, d->col + 1, nc);
	else
		snprintf(foot, sizeof foot, "row ?/%s %s col %d/%d",
		         cnt >= 0 ? tui_thousands(c1, sizeof c1, cnt) : "?", g->dot, d->col + 1, nc);
	tui_box_footer(w, h - 1, x0, gw, foot);
}

static void draw_freq(struct dp *d)
{
	WINDOW *w = d->p->win;
	int x0 = d->gx, gw = d->gw, h = d->h, rows = h - 3;
	char title[512], num[32], nvals[32], pct[16];
	int vw = 8, cw = 5;
	int64_t maxc = d->nfreq ? d->freq[0].count : 1;

	tui_box(w, 0, x0, h, gw, 1);
	snprintf(title, sizeof title, "frequency of %s %s %s value%s%s %s %s rows",
	         browse_col_name(d->b, d->freq_col), tui_glyphs()->dot,
	         tui_thousands(nvals, sizeof nvals, (long long)d->nfreq),
	         d->nfreq == 1 ? "" : "s", d->nfreq == FREQ_LIMIT ? " (top)" : "",
	         tui_glyphs()->dot, tui_thousands(num, sizeof num, d->freq_total));
	tui_box_title(w, 0, x0, gw, title, 1);
	for (size_t i = 0; i < d->nfreq; i++) {
		int tw = d->freq[i].text ? tui_text_width(d->freq[i].text) : 1;
		int nw = (int)strlen(tui_thousands(num, sizeof num, d->freq[i].count));
		if (tw > vw)
			vw = tw;
		if (nw > cw)
			cw = nw;
	}
	if (vw > gw / 3)
		vw = gw / 3;
	int barw = gw - 2 - (vw + 2) - (cw + 2) - 10;   /* a blank cell before the border */
	wattr_on(w, tui_attr(TUI_HEADER), NULL);
	mvwprintw(w, 1, x0 + 1, "%*s", gw - 2, "");
	tui_put_cell(w, 1, x0 + 2, "value", vw, 0);
	tui_put_cell(w, 1, x0 + 4 + vw, "count", cw, 1);
	tui_put_cell(w, 1, x0 + 6 + vw + cw, "%", 6, 1);
	wattr_off(w, tui_attr(TUI_HEADER), NULL);
	if (d->freq_sel < d->freq_top)
		d->freq_top = d->freq_sel;
	if (d->freq_sel >= d->freq_top + rows - 1)
		d->freq_top = d->freq_sel - rows + 2;
	for (int r = 0; r < rows - 1; r++) {
		int i = d->freq_top + r, y = 2 + r;
		mvwprintw(w, y, x0 + 1, "%*s", gw - 2, "");
		if (i >= (int)d->nfreq)
			continue;
		const struct browse_freq *f = &d->freq[i];
		int sel = i == d->freq_sel;
		if (sel)
			wattr_on(w, tui_attr(TUI_CURSOR), NULL);
		mvwaddch(w, y, x0 + 1, ' ');
		if (f->text) {
			tui_put_cell(w, y, x0 + 2, f->text, vw, 0);
		} else {
			wattr_on(w, tui_attr(TUI_DIM), NULL);
			tui_put_cell(w, y, x0 + 2, tui_glyphs()->null, vw, 0);
			wattr_off(w, tui_attr(TUI_DIM), NULL);
			if (sel)
				wattr_on(w, tui_attr(TUI_CURSOR), NULL);
		}
		waddstr(w, "  ");
		tui_put_cell(w, y, x0 + 4 + vw, tui_thousands(num, sizeof num, f->count), cw, 1);
		snprintf(pct, sizeof pct, "%.1f%%",
		         d->freq_total ? 100.0 * (double)f->count / (double)d->freq_total : 0.0);
		waddstr(w, "  ");
		tui_put_cell(w, y, x0 + 6 + vw + cw, pct, 6, 1);
		waddch(w, ' ');
		if (sel)
			wattr_off(w, tui_attr(TUI_CURSOR), NULL);
		if (barw > 3)
			tui_bar(w, y, x0 + 8 + vw + cw + 6, (double)f->count / (double)maxc, barw);
	}
	snprintf(title, sizeof title, "value %d/%zu %s Enter filters %s q back", d->freq_sel + 1,
	         d->nfreq, tui_glyphs()->dot, tui_glyphs()->dot);
	tui_box_footer(w, h - 1, x0, gw, title);
}

/* One screen line of the row detail: part of a field's value. */
struct dline {
	int         col;     /* the field */
	int         first;   /* the field's first line (shows its name) */
	const char *p;       /* bytes of the value on this line */
	size_t      n;
};

/* Wrap every field of the cursor's row into lines of width cells: at '\n',
 * at the last space that fits, else between characters. */
static size_t detail_lines(struct dp *d, int width, struct dline **out)
{
	struct dline *v = NULL;
	size_t n = 0, cap = 0;
	int nc = browse_ncols(d->b);
	for (int c = 0; c < nc; c++) {
		const char *s = browse_cell(d->b, d->row, c);
		const char *p = s ? s : "";
		int first = 1;
		for (;;) {
			const char *nl = strchr(p, '\n');
			size_t seg = nl ? (size_t)(nl - p) : strlen(p);
			do {
				size_t fit = tui_text_fit(p, seg, width);
				if (fit < seg) {
					size_t k = fit;
					while (k > 0 && p[k - 1] != ' ')
						k--;
					if (k > fit / 2)
						fit = k;
				}
				if (fit == 0 && seg > 0) {
					/* Too narrow for one character: take it whole anyway. */
					unsigned char c0 = (unsigned char)*p;
					fit = c0 < 0x80 ? 1 : c0 >= 0xf0 ? 4 : c0 >= 0xe0 ? 3 : 2;
					if (fit > seg)
						fit = seg;
				}
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					v = xreallocarray(v, cap, sizeof *v);
				}
				v[n].col = c;
				v[n].first = first;
				v[n].p = p;
				v[n].n = fit;
				n++;
				first = 0;
				p += fit;
				seg -= fit;
			} while (seg > 0);
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	*out = v;
	return n;
}

static void draw_detail(struct dp *d)
{
	WINDOW *w = d->p->win;
	int x0 = d->gx, gw = d->gw, h = d->h, nc = browse_ncols(d->b), nw = 4, rows = h - 2;
	char title[256], foot[64];
	struct dline *l;
	size_t n;

	for (int c = 0; c < nc; c++) {
		int cw = tui_text_width(browse_col_name(d->b, c));
		if (cw > nw)
			nw = cw;
	}
	if (nw > gw / 3)
		nw = gw / 3;
	n = detail_lines(d, gw - nw - 6, &l);
	if (d->detail_top > (int)n - rows)
		d->detail_top = (int)n - rows > 0 ? (int)n - rows : 0;
	tui_box(w, 0, x0, h, gw, 1);
	snprintf(title, sizeof title, "%s %s row %lld", browse_table_name(d->b), tui_glyphs()->dot,
	         (long long)browse_rowid(d->b, d->row));
	tui_box_title(w, 0, x0, gw, title, 1);
	snprintf(foot, sizeof foot, "line %d/%zu %s j/k scroll %s q back", d->detail_top + 1, n,
	         tui_glyphs()->dot, tui_glyphs()->dot);
	tui_box_footer(w, h - 1, x0, gw, foot);
	for (int i = 0; i < rows; i++) {
		size_t k = (size_t)(d->detail_top + i);
		int y = 1 + i;
		mvwprintw(w, y, x0 + 1, "%*s", gw - 2, "");
		if (k >= n)
			continue;
		if (l[k].first) {
			wattr_on(w, tui_attr(TUI_HEADER), NULL);
			tui_put_cell(w, y, x0 + 2, browse_col_name(d->b, l[k].col), nw, 1);
			wattr_off(w, tui_attr(TUI_HEADER), NULL);
		}
		if (!browse_cell(d->b, d->row, l[k].col)) {
			wattr_on(w, tui_attr(TUI_DIM), NULL);
			tui_put_label(w, y, x0 + nw + 4, tui_glyphs()->null, 1);
			wattr_off(w, tui_attr(TUI_DIM), NULL);
		} else {
			tui_put_textn(w, y, x0 + nw + 4, l[k].p, l[k].n, gw - nw - 6);
		}
	}
	free(l);
}

static void prof_line(WINDOW *w, int *y, int x, int width, int maxy, const char *k, const char *v)
{
	if (*y >= maxy)
		return;
	wattr_on(w, tui_attr(TUI_DIM), NULL);
	tui_put_cell(w, *y, x, k, 9, 0);
	wattr_off(w, tui_attr(TUI_DIM), NULL);
	waddch(w, ' ');
	tui_put_cell(w, *y, x + 10, v, width - 10, 0);
	(*y)++;
}

static void draw_profile(struct dp *d)
{
	WINDOW *w = d->p->win;
	int x0 = d->gx + d->gw, pw = d->pw, h = d->h, y = 1, width = pw - 4;
	char title[256], v[128], a[32], b[32];

	if (pw < 20)
		return;
	tui_box(w, 0, x0, h, pw, 0);
	snprintf(title, sizeof title, "profile %s %s", tui_glyphs()->dot, browse_col_name(d->b, d->col));
	tui_box_title(w, 0, x0, pw, title, 0);
	tui_clear_rect(w, 1, x0 + 1, h - 2, pw - 2);
	if (!d->prof) {
		tui_put_label(w, 2, x0 + 2, d->prof_running ? "profiling… (Esc cancels)" : "no profile",
		              width);
		return;
	}
	const struct profile_col *pc = NULL;
	for (size_t i = 0; i < d->prof->ncols; i++)
		if (strcmp(d->prof->cols[i].name, browse_col_name(d->b, d->col)) == 0)
			pc = &d->prof->cols[i];
	if (!pc) {
		tui_put_label(w, 2, x0 + 2, "no profile for this column", width);
		return;
	}
	int maxy = h - 1, x = x0 + 2;
	prof_line(w, &y, x, width, maxy, "type", pc->type ? pc->type : "");
	prof_line(w, &y, x, width, maxy, "rows", tui_thousands(a, sizeof a, d->prof->rows));
	prof_line(w, &y, x, width, maxy, "values", tui_thousands(a, sizeof a, pc->count));
	prof_line(w, &y, x, width, maxy, "nulls", tui_thousands(a, sizeof a, pc->nulls));
	snprintf(v, sizeof v, "%s%s", pc->approx ? "~" : "", tui_thousands(b, sizeof b, pc->distinct));
	prof_line(w, &y, x, width, maxy, "distinct", v);
	/* A real column's figures as the grid shows its cells (16,256.60). */
	int real = pc->type && strcasecmp(pc->type, "real") == 0 && pc->numeric;
	int decs = d->decs && d->decs[d->col] > 0 ? d->decs[d->col] : 2;
	char fb[96];
	if (pc->min)
		prof_line(w, &y, x, width, maxy, "min",
		          real && real_decimals(pc->min) >= 0 && fmt_real(pc->min_num, decs, fb, sizeof fb) ? fb : pc->min);
	if (pc->max)
		prof_line(w, &y, x, width, maxy, "max",
		          real && real_decimals(pc->max) >= 0 && fmt_real(pc->max_num, decs, fb, sizeof fb) ? fb : pc->max);
	if (pc->numeric) {
		if (!real || !fmt_real(pc->mean, decs, v, sizeof v))
			snprintf(v, sizeof v, "%.6g", pc->mean);
		prof_line(w, &y, x, width, maxy, "mean", v);
		if (!real || !fmt_real(pc->stddev, decs, v, sizeof v))
			snprintf(v, sizeof v, "%.6g", pc->stddev);
		prof_line(w, &y, x, width, maxy, "stddev", v);
	}
	if (pc->min_len >= 0) {
		snprintf(v, sizeof v, "%lld to %lld chars", (long long)pc->min_len, (long long)pc->max_len);
		prof_line(w, &y, x, width, maxy, "length", v);
	}
	if (y < maxy - 1 && pc->ntop) {
		y++;
		wattr_on(w, tui_attr(TUI_TITLE), NULL);
		tui_put_label(w, y++, x, pc->approx ? "top values (approx.)" : "top values", width);
		wattr_off(w, tui_attr(TUI_TITLE), NULL);
		for (int i = 0; i < pc->ntop && y < maxy; i++, y++) {
			char n[32];
			tui_thousands(n, sizeof n, pc->top[i].count);
			int nw = (int)strlen(n);
			const char *tv = pc->top[i].text;
			if (tv && real && real_decimals(tv) >= 0 && fmt_real(strtod(tv, NULL), decs, fb, sizeof fb))
				tv = fb;
			if (tv)
				tui_put_cell(w, y, x, tv, width - nw - 1, 0);
			else
				tui_put_cell(w, y, x, tui_glyphs()->null, width - nw - 1, 0);
			mvwaddstr(w, y, x + width - nw, n);
		}
	}
}

static void data_draw(struct pane *p)
{
	struct dp *d = D(p);
	werase(p->win);
	layout(d);
	draw_list(d);
	if (d->gw < 20 && d->b && d->show_profile) {
		draw_profile(d);
		return;
	}
	if (!d->b || d->mode == M_GRID)
		draw_grid(d);
	else if (d->mode == M_FREQ)
		draw_freq(d);
	else
		draw_detail(d);
	if (d->b && d->show_profile)
		draw_profile(d);
}

/* ---- keys ---- */

enum {
	DA_DOWN = 1, DA_UP, DA_LEFT, DA_RIGHT, DA_PGDN, DA_PGUP, DA_TOP, DA_BOTTOM, DA_FIRSTCOL,
	DA_LASTCOL, DA_SORT_ASC, DA_SORT_DESC, DA_FILTER, DA_EQ, DA_CLEAR, DA_FREQ, DA_PROFILE,
	DA_ENTER, DA_LIST, DA_BACK,
};

static const struct pane_key data_keys[] = {
	{ 'j', DA_DOWN, "j k ↓ ↑", "move down / up a row" },
	{ KEY_DOWN, DA_DOWN, NULL, NULL },
	{ 'k', DA_UP, NULL, NULL },
	{ KEY_UP, DA_UP, NULL, NULL },
	{ 'h', DA_LEFT, "h l ← →", "move left / right a column" },
	{ KEY_LEFT, DA_LEFT, NULL, NULL },
	{ 'l', DA_RIGHT, NULL, NULL },
	{ KEY_RIGHT, DA_RIGHT, NULL, NULL },
	{ KEY_NPAGE, DA_PGDN, "PgDn PgUp", "page down / up (also Space, b)" },
	{ ' ', DA_PGDN, NULL, NULL },
	{ KEY_PPAGE, DA_PGUP, NULL, NULL },
	{ 'b', DA_PGUP, NULL, NULL },
	{ 'g', DA_TOP, "g G", "first / last row (also Home, End)" },
	{ KEY_HOME, DA_TOP, NULL, NULL },
	{ 'G', DA_BOTTOM, NULL, NULL },
	{ KEY_END, DA_BOTTOM, NULL, NULL },
	{ '0', DA_FIRSTCOL, "0 $", "first / last column" },
	{ '$', DA_LASTCOL, NULL, NULL },
	{ '[', DA_SORT_ASC, "[ ]", "sort by this column ascending / descending (again: unsort)" },
	{ ']', DA_SORT_DESC, NULL, NULL },
	{ '|', DA_FILTER, "|", "filter rows by an SQL condition (as :filter)" },
	{ ',', DA_EQ, ",", "keep rows equal to this cell" },
	{ 'c', DA_CLEAR, "c", "clear the filters" },
	{ 'F', DA_FREQ, "F", "frequency table of this column (Enter filters to a value)" },
	{ 'i', DA_PROFILE, "i", "column profile panel on / off" },
	{ '\r', DA_ENTER, "Enter", "row detail; in the table list: open" },
	{ '\n', DA_ENTER, NULL, NULL },
	{ KEY_ENTER, DA_ENTER, NULL, NULL },
	{ 't', DA_LIST, "t", "table and segment list (j/k, Enter opens)" },
	{ 'q', DA_BACK, "q Esc", "back from a frequency table, detail or the list" },
	{ 27, DA_BACK, NULL, NULL },
	PANE_KEYS_END,
};

static void filter_done(struct app *a, void *ctx, const char *line)
{
	struct dp *d = ctx;
	struct cl_err err = {0};
	(void)a;
	if (!line || !*line || !d->b)
		return;
	if (browse_filter_add(d->b, line, &err)) {
		app_error(d->a, &err);
		return;
	}
	d->mode = M_GRID;
	view_changed(d);
}

static void open_list_item(struct dp *d)
{
	if (d->list_sel < (int)d->ntables) {
		if (open_table(d, d->tables[d->list_sel].name, NULL, NULL) == 0)
			d->list_focus = 0;
	} else if (d->list_sel - (int)d->ntables < (int)d->nsegs) {
		struct segment *s = &d->segs[d->list_sel - d->ntables];
		int keep = d->list_sel;
		if (open_table(d, s->dataset, s->predicate, s->name) == 0)
			d->list_focus = 0;
		d->list_sel = keep;
	}
	layout(d);
}

static int list_key(struct dp *d, int action)
{
	int items = (int)(d->ntables + d->nsegs);
	switch (action) {
	case DA_DOWN: if (d->list_sel + 1 < items) d->list_sel++; break;
	case DA_UP: if (d->list_sel > 0) d->list_sel--; break;
	case DA_TOP: d->list_sel = 0; break;
	case DA_BOTTOM: d->list_sel = items ? items - 1 : 0; break;
	case DA_ENTER: case DA_RIGHT: open_list_item(d); break;
	case DA_LIST: case DA_BACK:
		d->list_focus = 0;
		layout(d);
		break;
	default:
		return PANE_IGNORED;
	}
	return PANE_REDRAW;
}

static int freq_key(struct dp *d, int action)
{
	int rows = d->h - 4;
	struct cl_err err = {0};
	switch (action) {
	case DA_DOWN: if (d->freq_sel + 1 < (int)d->nfreq) d->freq_sel++; break;
	case DA_UP: if (d->freq_sel > 0) d->freq_sel--; break;
	case DA_PGDN: d->freq_sel += rows; break;
	case DA_PGUP: d->freq_sel -= rows; break;
	case DA_TOP: d->freq_sel = 0; break;
	case DA_BOTTOM: d->freq_sel = (int)d->nfreq - 1; break;
	case DA_ENTER:
		if (d->freq_sel < (int)d->nfreq) {
			const struct browse_freq *f = &d->freq[d->freq_sel];
			if (browse_filter_value(d->b, d->freq_col, f->text, f->type, &err)) {
				app_error(d->a, &err);
				break;
			}
			d->mode = M_GRID;
			view_changed(d);
		}
		break;
	case DA_BACK: case DA_FREQ:
		d->mode = M_GRID;
		break;
	default:
		return PANE_IGNORED;
	}
	if (d->freq_sel >= (int)d->nfreq)
		d->freq_sel = (int)d->nfreq - 1;
	if (d->freq_sel < 0)
		d->freq_sel = 0;
	return PANE_REDRAW;
}

static int data_key(struct pane *p, int action, int ch)
{
	struct dp *d = D(p);
	struct cl_err err = {0};
	int nc;
	(void)ch;
	if (d->list_focus)
		return list_key(d, action);
	if (action == DA_LIST) {
		d->list_focus = 1;
		layout(d);
		return PANE_REDRAW;
	}
	if (!d->b)
		return PANE_IGNORED;
	if (d->mode == M_FREQ)
		return freq_key(d, action);
	if (d->mode == M_DETAIL) {
		switch (action) {
		case DA_DOWN: d->detail_top++; break;
		case DA_UP: if (d->detail_top) d->detail_top--; break;
		case DA_PGDN: d->detail_top += d->h - 3; break;
		case DA_PGUP: d->detail_top = d->detail_top > d->h - 3 ? d->detail_top - (d->h - 3) : 0; break;
		case DA_TOP: d->detail_top = 0; break;
		case DA_BOTTOM: d->detail_top = 1 << 20; break;   /* the draw clamps it */
		case DA_BACK: case DA_ENTER: d->mode = M_GRID; break;
		default: return PANE_IGNORED;
		}
		return PANE_REDRAW;
	}
	nc = browse_ncols(d->b);
	switch (action) {
	case DA_DOWN: move_rows(d, 1); break;
	case DA_UP: move_rows(d, -1); break;
	case DA_LEFT: if (d->col > 0) d->col--; break;
	case DA_RIGHT: if (d->col + 1 < nc) d->col++; break;
	case DA_PGDN: page_rows(d, 1); break;
	case DA_PGUP: page_rows(d, -1); break;
	case DA_TOP:
		report(d, browse_first(d->b, d->page, &err), &err);
		d->row = 0;
		loaded(d);
		break;
	case DA_BOTTOM:
		report(d, browse_last(d->b, d->page, &err), &err);
		d->row = browse_nrows(d->b) - 1;
		loaded(d);
		break;
	case DA_FIRSTCOL: d->col = 0; d->left = 1; break;
	case DA_LASTCOL: d->col = nc - 1; break;
	case DA_SORT_ASC: sort_by(d, d->col, 0); break;
	case DA_SORT_DESC: sort_by(d, d->col, 1); break;
	case DA_FILTER:
		app_prompt(d->a, "filter", "filter: ", NULL, APP_COMPLETE_SQL, filter_done, d);
		break;
	case DA_EQ:
		if (browse_filter_eq(d->b, d->col, d->row, &err))
			app_error(d->a, &err);
		else
			view_changed(d);
		break;
	case DA_CLEAR:
		if (browse_filter(d->b)) {
			browse_filter_clear(d->b);
			FREE(&d->segment);
			view_changed(d);
			app_msg(d->a, "filters cleared");
		}
		break;
	case DA_FREQ: start_freq(d); break;
	case DA_PROFILE:
		d->show_profile = !d->show_profile;
		layout(d);
		if (d->show_profile)
			start_profile(d);
		break;
	case DA_ENTER:
		if (browse_nrows(d->b)) {
			d->mode = M_DETAIL;
			d->detail_top = 0;
		}
		break;
	case DA_BACK:
		if (d->show_profile) {
			d->show_profile = 0;
			layout(d);
			break;
		}
		return PANE_IGNORED;
	default:
		return PANE_IGNORED;
	}
	return PANE_REDRAW;
}

static int data_mouse(struct pane *p, int y, int x, int event)
{
	struct dp *d = D(p);
	if (event == PANE_MOUSE_WHEEL_UP || event == PANE_MOUSE_WHEEL_DOWN) {
		int dir = event == PANE_MOUSE_WHEEL_DOWN ? 1 : -1;
		if (d->mode == M_FREQ)
			return freq_key(d, dir > 0 ? DA_DOWN : DA_UP);
		if (d->mode == M_DETAIL)
			return data_key(p, dir > 0 ? DA_DOWN : DA_UP, 0);
		if (d->b)
			move_rows(d, 3 * dir);
		return PANE_REDRAW;
	}
	if (x < d->list_w) {
		int line = d->list_top + y - 1;
		d->list_focus = 1;
		if (y >= 1 && line < (int)d->ntables) {
			d->list_sel = line;
			open_list_item(d);
		} else if (y >= 1 && line > (int)d->ntables &&
		           line - (int)d->ntables - 1 < (int)d->nsegs) {
			d->list_sel = line - 1;
			open_list_item(d);
		}
		return PANE_REDRAW;
	}
	d->list_focus = 0;
	if (!d->b || d->mode != M_GRID)
		return PANE_REDRAW;
	if (y >= 2 && y - 2 < browse_nrows(d->b))
		d->row = y - 2;
	/* Which column: walk the same layout draw_grid uses. */
	int cx = d->gx + 1, nc = browse_ncols(d->b);
	for (int c = 0; c < nc; c = (c == 0 ? d->left : c + 1)) {
		int cw = d->widths[c] + 3;
		if (x >= cx && x < cx + cw) {
			d->col = c;
			break;
		}
		cx += cw;
		if (c == 0 && d->left >= nc)
			break;
	}
	return PANE_REDRAW;
}

static int data_search(struct pane *p, const char *text, int dir)
{
	struct dp *d = D(p);
	struct cl_err err = {0};
	int found = 0;
	if (!d->b || d->mode != M_GRID || browse_nrows(d->b) == 0)
		return 0;
	if (browse_find(d->b, d->row, d->col, text, dir, d->page, &found, &err)) {
		app_error(d->a, &err);
		return -1;
	}
	if (found) {
		d->row = 0;
		loaded(d);
		app_msg(d->a, "found \"%s\" in %s", text, browse_col_name(d->b, d->col));
	} else if (dir == 2 || dir == -2) {
		app_msg(d->a, "\"%s\" not found in column %s (/ searches the column under the cursor)",
		        text, browse_col_name(d->b, d->col));
		return -1;
	}
	return found;
}

/* ---- commands ---- */

static struct dp *data_of(struct app *a)
{
	struct pane *p = app_pane(a, "Data");
	return p ? D(p) : NULL;
}

static int cmd_open(struct app *a, int argc, char **argv, const char *rest)
{
	struct dp *d = data_of(a);
	(void)rest;
	if (argc < 2)
		return app_errorf(a, "usage: :open TABLE"), -1;
	for (size_t i = 0; i < d->nsegs; i++)
		if (strcmp(d->segs[i].name, argv[1]) == 0 && table_index(d, argv[1]) < 0) {
			app_focus(a, d->p);
			return open_table(d, d->segs[i].dataset, d->segs[i].predicate, d->segs[i].name);
		}
	app_focus(a, d->p);
	d->list_focus = 0;
	layout(d);
	return open_table(d, argv[1], NULL, NULL);
}

static int cmd_filter(struct app *a, int argc, char **argv, const char *rest)
{
	struct dp *d = data_of(a);
	(void)argc, (void)argv;
	if (!d->b)
		return app_errorf(a, "open a table first (:open TABLE)"), -1;
	if (!*rest) {
		app_prompt(a, "filter", "filter: ", NULL, APP_COMPLETE_SQL, filter_done, d);
		return 0;
	}
	app_focus(a, d->p);
	filter_done(a, d, rest);
	return 0;
}

static int cmd_unfilter(struct app *a, int argc, char **argv, const char *rest)
{
	struct dp *d = data_of(a);
	(void)argc, (void)argv, (void)rest;
	if (d->b) {
		browse_filter_clear(d->b);
		FREE(&d->segment);
		view_changed(d);
	}
	return 0;
}

static int cmd_sort(struct app *a, int argc, char **argv, const char *rest)
{
	struct dp *d = data_of(a);
	int col, desc = 0;
	(void)rest;
	if (!d->b)
		return app_errorf(a, "open a table first (:open TABLE)"), -1;
	if (argc < 2)
		return app_errorf(a, "usage: :sort COLUMN [asc|desc]"), -1;
	col = browse_col_find(d->b, argv[1]);
	if (col < 0)
		return app_errorf(a, "no column %s in %s", argv[1], browse_table_name(d->b)), -1;
	if (argc > 2)
		desc = strncasecmp(argv[2], "desc", 4) == 0;
	app_focus(a, d->p);
	d->col = col;
	if (browse_sort_col(d->b) == col && browse_sort_desc(d->b) == desc)
		return 0;
	sort_by(d, col, desc);
	return 0;
}

static int cmd_segment(struct app *a, int argc, char **argv, const char *rest)
{
	struct dp *d = data_of(a);
	struct cl_err err = {0};
	struct segment s = {0};
	(void)rest;
	if (argc < 3 || strcmp(argv[1], "add") != 0)
		return app_errorf(a, "usage: :segment add NAME (saves the current filter)"), -1;
	if (!d->b || !browse_filter(d->b))
		return app_errorf(a, "filter the rows first (| or :filter); the segment keeps that filter"), -1;
	if (app_jobs(a))
		return app_errorf(a, "wait until the running job ends (or Esc cancels it)"), -1;
	if (segment_add(app_workspace(a), argv[2], browse_table_name(d->b), browse_filter(d->b), 0,
	                &s, &err))
		return app_error(a, &err), -1;
	app_msg(a, "segment %s saved: %lld rows of %s", s.name, (long long)s.rows, s.dataset);
	segment_clear(&s);
	app_changed(a, PANE_CHANGED_SEGMENTS);
	return 0;
}

struct import_arg {
	struct dp *d;
	char *path, *table;
	struct ds_import_report rep;
};

static int import_work(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err)
{
	struct import_arg *x = arg;
	struct ds_import_opts o = {0};
	o.path = x->path;
	o.table = x->table;
	o.progress = tjob_progress;
	o.pctx = j;
	return ds_import(ws, &o, &x->rep, err);
}

static void import_finish(struct app *a, void *arg, int rc, const struct cl_err *err)
{
	struct import_arg *x = arg;
	if (rc) {
		if (err->code == CL_ECANCEL)
			app_msg(a, "import cancelled; the workspace is as it was");
		else
			app_error(a, err);
	} else {
		char n[32];
		app_changed(a, PANE_CHANGED_TABLES);
		app_msg(a, "imported %s rows into %s in %.1f s", tui_thousands(n, sizeof n, x->rep.rows),
		        x->rep.table, x->rep.seconds);
		open_table(x->d, x->rep.table, NULL, NULL);
	}
	ds_import_report_clear(&x->rep);
	free(x->path);
	free(x->table);
	free(x);
}

static int cmd_import(struct app *a, int argc, char **argv, const char *rest)
{
	struct import_arg *x;
	char label[300];
	(void)rest;
	if (argc < 2)
		return app_errorf(a, "usage: :import FILE [TABLE]"), -1;
	x = xcalloc(1, sizeof *x);
	x->d = data_of(a);
	x->path = xstrdup(argv[1]);
	x->table = argc > 2 ? xstrdup(argv[2]) : NULL;
	snprintf(label, sizeof label, "import %s", argv[1]);
	tjob_start(a, label, import_work, import_finish, x);
	return 0;
}

struct export_arg {
	char   *path, *sql;
	int     format;
	int64_t rows;
};

static int export_work(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err)
{
	struct export_arg *x = arg;
	struct ds_export_opts o = {0};
	FILE *f = fopen(x->path, "w");
	int rc;
	if (!f)
		return cl_err_set(err, CL_EIO, "%s: cannot write", x->path);
	o.sql = x->sql;
	o.format = x->format;
	o.out = f;
	o.progress = tjob_progress;
	o.pctx = j;
	rc = ds_export(ws, &o, &x->rows, err);
	if (fclose(f) != 0 && rc == 0)
		rc = cl_err_set(err, CL_EIO, "%s: write failed", x->path);
	if (rc)
		remove(x->path);
	return rc;
}

static void export_finish(struct app *a, void *arg, int rc, const struct cl_err *err)
{
	struct export_arg *x = arg;
	char n[32];
	if (rc)
		app_error(a, err);
	else
		app_msg(a, "exported %s rows to %s", tui_thousands(n, sizeof n, x->rows), x->path);
	free(x->path);
	free(x->sql);
	free(x);
}

static int cmd_export(struct app *a, int argc, char **argv, const char *rest)
{
	struct dp *d = data_of(a);
	struct export_arg *x;
	const char *dot;
	int fmt;
	char label[300];
	(void)rest;
	if (argc < 2)
		return app_errorf(a, "usage: :export FILE [csv|tsv|jsonl] (the rows in view)"), -1;
	if (!d->b)
		return app_errorf(a, "open a table first (:open TABLE)"), -1;
	dot = strrchr(argv[1], '.');
	fmt = argc > 2 ? ds_format_parse(argv[2]) : (dot ? ds_format_parse(dot + 1) : DS_FMT_CSV);
	if (fmt <= 0)
		fmt = DS_FMT_CSV;
	x = xcalloc(1, sizeof *x);
	x->path = xstrdup(argv[1]);
	x->sql = browse_view_sql(d->b);
	x->format = fmt;
	snprintf(label, sizeof label, "export %s", argv[1]);
	tjob_start(a, label, export_work, export_finish, x);
	return 0;
}

static const struct app_cmd data_cmds[] = {
	{ "open", "open TABLE|SEGMENT", "show a table (or a segment's rows) in the Data pane",
	  "table", cmd_open },
	{ "filter", "filter PREDICATE", "keep rows where the SQL condition holds (ANDs with others)",
	  "sql", cmd_filter },
	{ "unfilter", "unfilter", "clear every filter", NULL, cmd_unfilter },
	{ "sort", "sort COLUMN [asc|desc]", "sort the rows (builds an index on big tables)",
	  "column word:asc,desc", cmd_sort },
	{ "segment", "segment add NAME", "save the current filter as a segment", "word:add any",
	  cmd_segment },
	{ "import", "import FILE [TABLE]", "import a CSV, TSV or JSONL file as a table", "file any",
	  cmd_import },
	{ "export", "export FILE [csv|tsv|jsonl]", "write the rows in view to a file",
	  "file word:csv,tsv,jsonl", cmd_export },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ---- life cycle ---- */

char **pane_data_names(struct pane *p, int kind)
{
	struct dp *d = D(p);
	char **v = NULL;
	size_t n = 0;
	if (kind == APP_COMPLETE_TABLE) {
		v = xcalloc(d->ntables + d->nsegs + 1, sizeof *v);
		for (size_t i = 0; i < d->ntables; i++)
			v[n++] = xstrdup(d->tables[i].name);
		for (size_t i = 0; i < d->nsegs; i++)
			v[n++] = xstrdup(d->segs[i].name);
	} else if (kind == APP_COMPLETE_SEGMENT) {
		v = xcalloc(d->nsegs + 1, sizeof *v);
		for (size_t i = 0; i < d->nsegs; i++)
			v[n++] = xstrdup(d->segs[i].name);
	} else if (kind == APP_COMPLETE_COLUMN && d->b) {
		int nc = browse_ncols(d->b);
		v = xcalloc((size_t)nc + 1, sizeof *v);
		for (int i = 0; i < nc; i++)
			v[n++] = xstrdup(browse_col_name(d->b, i));
	}
	return v;
}

static int data_init(struct pane *p)
{
	struct dp *d = xcalloc(1, sizeof *d);
	p->data = d;
	d->p = p;
	d->a = p->app;
	layout(d);
	load_tables(d);
	if (d->ntables) {
		int ti = table_index(d, "customers");
		open_table(d, d->tables[ti >= 0 ? ti : 0].name, NULL, NULL);
	}
	load_segments(d);
	return 0;
}

static void data_resize(struct pane *p)
{
	struct dp *d = D(p);
	struct cl_err err = {0};
	int old = d->page;
	layout(d);
	if (d->b && d->page != old) {
		if (browse_reload(d->b, d->page, &err))
			app_error(d->a, &err);
		loaded(d);
	}
	pane_dirty(p);
}

static void data_changed(struct pane *p, unsigned what)
{
	struct dp *d = D(p);
	if (what & PANE_CHANGED_TABLES) {
		load_tables(d);
		if (d->b && table_index(d, browse_table_name(d->b)) < 0)
			close_view(d);   /* dropped */
		if (!d->b && d->ntables) {
			int ti = table_index(d, "customers");
			open_table(d, d->tables[ti >= 0 ? ti : 0].name, NULL, NULL);
		} else if (d->b) {
			int ti = table_index(d, browse_table_name(d->b));
			if (d->tables[ti].rows != d->table_rows) {
				/* Rows came or went (an append, a re-import): show them. */
				d->table_rows = d->tables[ti].rows;
				view_changed(d);
			}
		}
	}
	if (what & PANE_CHANGED_SEGMENTS)
		load_segments(d);
	pane_dirty(p);
}

static void data_free(struct pane *p)
{
	struct dp *d = D(p);
	close_view(d);
	browse_tables_free(d->tables, d->ntables);
	segment_list_free(d->segs, d->nsegs);
	free(d);
	p->data = NULL;
}

const struct pane_type pane_data_type = {
	.name = "Data",
	.hints = "[ ] sort  | filter  , equal  F frequency  i profile  Enter row  t tables",
	.init = data_init,
	.free = data_free,
	.resize = data_resize,
	.key = data_key,
	.draw = data_draw,
	.keys = data_keys,
	.mouse = data_mouse,
	.search = data_search,
	.changed = data_changed,
	.cmds = data_cmds,
};
