/* pane_variants.c — 3 Variants: a run's variants side by side in columns,
 * fields wrapped, score badges, violations and compliance hits highlighted;
 * star, discard, note, edit, copy (OSC 52), write, sort, word diff, details,
 * iterate. While a generation runs, variants stream into their columns. */
#include "tui/workflow.h"
#include "tui/app.h"
#include "tui/clipboard.h"
#include "tui/draw.h"
#include "tui/pane.h"
#include "tui/wrap.h"
#include "core/textdiff.h"
#include "core/workflow.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	VA_LEFT = 1, VA_RIGHT, VA_DOWN, VA_UP, VA_PGDN, VA_PGUP, VA_TOP, VA_BOTTOM,
	VA_STAR, VA_DISCARD, VA_SHOWALL, VA_NOTE, VA_EDIT, VA_COPY, VA_SORT, VA_DIFF,
	VA_DETAIL, VA_ITERATE, VA_PREVRUN, VA_NEXTRUN, VA_CLOSE,
};

static const struct pane_key variants_keys[] = {
	{ KEY_LEFT,  VA_LEFT,    "← h",    "previous variant" },
	{ 'h',       VA_LEFT,    NULL,     NULL },
	{ KEY_RIGHT, VA_RIGHT,   "→ l",    "next variant" },
	{ 'l',       VA_RIGHT,   NULL,     NULL },
	{ KEY_DOWN,  VA_DOWN,    "↓ j",    "scroll down" },
	{ 'j',       VA_DOWN,    NULL,     NULL },
	{ KEY_UP,    VA_UP,      "↑ k",    "scroll up" },
	{ 'k',       VA_UP,      NULL,     NULL },
	{ KEY_NPAGE, VA_PGDN,    "PgDn",   "page down" },
	{ KEY_PPAGE, VA_PGUP,    "PgUp",   "page up" },
	{ 'g',       VA_TOP,     "g",      "top" },
	{ 'G',       VA_BOTTOM,  "G",      "bottom" },
	{ '*',       VA_STAR,    "*",      "star / unstar" },
	{ 'x',       VA_DISCARD, "x",      "discard / restore" },
	{ 'X',       VA_SHOWALL, "X",      "show / hide discarded" },
	{ 'a',       VA_NOTE,    "a",      "add a note (n / N: next / previous match)" },
	{ 'e',       VA_EDIT,    "e",      "edit in $EDITOR (new child variant)" },
	{ 'y',       VA_COPY,    "y",      "copy, channel-ready (OSC 52)" },
	{ 'o',       VA_SORT,    "o",      "sort by the next score" },
	{ '=',       VA_DIFF,    "=",      "mark / word diff with the marked" },
	{ '\n',      VA_DETAIL,  "Enter",  "details: rationale, every score" },
	{ KEY_ENTER, VA_DETAIL,  NULL,     NULL },
	{ '\r',      VA_DETAIL,  NULL,     NULL },
	{ 'i',       VA_ITERATE, "i",      "iterate: next round from ★ or the top 2" },
	{ '[',       VA_PREVRUN, "[ ]",    "previous / next run" },
	{ ']',       VA_NEXTRUN, NULL,     NULL },
	{ 27,        VA_CLOSE,   "Esc q",  "close details" },
	{ 'q',       VA_CLOSE,   NULL,     NULL },
	PANE_KEYS_END
};

struct live {
	struct sbuf text;
	int         state;    /* 0 waiting, 1 streaming, 2 stored, 3 failed */
	char       *error;
};

struct vstate {
	struct wf_run *run;
	long long run_id;
	int      *order;      /* indices into run->v in display order */
	int       norder;
	char     *sort_name;  /* NULL = by position */
	int       cur, left, scroll, maxscroll;
	int       colw, ncols_shown;   /* the last draw's column width and columns shown (mouse) */
	long long mark;       /* variant id marked for diff, 0 = none */
	int       diff;       /* show the word diff between mark and cur */
	int       detail, detail_scroll, detail_lines;
	int       show_discarded;
	/* live generation */
	int          live;     /* 1 while a job streams into this pane */
	struct live *lv;
	int          nlive;
	char        *live_title;
	char        *live_status;
};

#define ST(p) ((struct vstate *)(p)->data)

/* The stored variant shown in column col (its position in s->order), or -1
 * for a column still streaming. While a run streams, column k is the k-th
 * request, stored or not, so columns never swap places as replies land. */
static int col_stored_pos(const struct vstate *s, int col)
{
	if (!s->run || col < 0)
		return -1;
	if (!s->live)
		return col < s->norder ? col : -1;
	for (int i = 0; i < s->norder; i++)
		if (s->run->v[s->order[i]].idx == col)
			return i;
	return -1;
}

static struct wf_variant *cur_variant(struct vstate *s)
{
	int pos = col_stored_pos(s, s->cur);
	return pos < 0 ? NULL : &s->run->v[s->order[pos]];
}

static double score_of(const struct wf_variant *v, const char *name)
{
	if (!name || strcmp(name, "composite") == 0)
		return v->composite;
	for (size_t i = 0; i < v->nscores; i++)
		if (strcmp(v->scores[i].scorer, name) == 0)
			return v->scores[i].value;
	return NAN;
}

static int cmp_order(const void *a, const void *b, void *ctx)
{
	const struct vstate *s = ctx;
	const struct wf_variant *x = &s->run->v[*(const int *)a], *y = &s->run->v[*(const int *)b];
	double sx = score_of(x, s->sort_name), sy = score_of(y, s->sort_name);
	int nx = isnan(sx), ny = isnan(sy);
	if (nx != ny)
		return nx - ny;
	if (!nx && sx != sy)
		return sx > sy ? -1 : 1;
	return x->idx - y->idx;
}

/* Rebuild the display order after a load or a sort change, keeping the
 * cursor on variant keep (an id; 0 = the first). */
static void reorder_keep(struct vstate *s, long long keep)
{
	free(s->order);
	s->order = NULL;
	s->norder = 0;
	if (!s->run)
		return;
	s->order = xcalloc(s->run->nv ? s->run->nv : 1, sizeof *s->order);
	for (size_t i = 0; i < s->run->nv; i++)
		if (s->show_discarded || !s->run->v[i].discarded)
			s->order[s->norder++] = (int)i;
	if (s->sort_name)
		qsort_r(s->order, (size_t)s->norder, sizeof *s->order, cmp_order, s);
	s->cur = 0;
	for (int i = 0; i < s->norder; i++)
		if (s->run->v[s->order[i]].id == keep)
			s->cur = i;
}

static void reorder(struct vstate *s)
{
	struct wf_variant *v = cur_variant(s);
	reorder_keep(s, v ? v->id : 0);
}

static void load(struct pane *p, long long run_id)
{
	struct vstate *s = ST(p);
	struct cl_err err = {0};
	struct wf_run *r = NULL;
	if (run_id && wf_run_load(app_workspace(p->app), run_id, &r, &err)) {
		app_error(p->app, &err);
		return;
	}
	struct wf_variant *cv = cur_variant(s);
	long long keep = cv ? cv->id : 0;
	if (s->run && (!r || r->id != s->run->id)) {
		s->mark = 0;
		s->diff = 0;
		s->scroll = 0;
		s->left = 0;
		keep = 0;
	}
	/* a run cut short (kill -9, cancel) may hold unscored variants: score them now */
	if (r && !s->live && r->status && strcmp(r->status, "running") != 0) {
		int unscored = 0;
		for (size_t i = 0; i < r->nv; i++)
			unscored |= !r->v[i].error && isnan(r->v[i].composite);
		if (unscored && wf_score(p->app, r->id) == 0) {
			struct wf_run *r2 = NULL;
			if (wf_run_load(app_workspace(p->app), run_id, &r2, &err) == 0) {
				wf_run_free(r);
				r = r2;
			}
		}
	}
	wf_run_free(s->run);
	s->run = r;
	s->run_id = run_id;
	reorder_keep(s, keep);
	pane_dirty(p);
}

void variants_show_run(struct pane *p, long long run_id)
{
	struct vstate *s = ST(p);
	if (s->run_id != run_id)
		s->cur = 0;
	load(p, run_id);
}

long long variants_run_id(struct pane *p) { return ST(p)->run_id; }

int variants_live_active(struct pane *p) { return ST(p)->live; }

void variants_select(struct pane *p, long long variant_id)
{
	struct vstate *s = ST(p);
	for (int i = 0; s->run && i < s->norder; i++)
		if (s->run->v[s->order[i]].id == variant_id) {
			s->cur = i;
			pane_dirty(p);
		}
}

static void live_clear(struct vstate *s)
{
	for (int i = 0; i < s->nlive; i++) {
		sbuf_free(&s->lv[i].text);
		free(s->lv[i].error);
	}
	free(s->lv);
	s->lv = NULL;
	s->nlive = 0;
	FREE(&s->live_title);
	FREE(&s->live_status);
	s->live = 0;
}

void variants_live_begin(struct pane *p, long long run_id, int n, const char *title)
{
	struct vstate *s = ST(p);
	live_clear(s);
	s->live = 1;
	s->nlive = n > 0 ? n : 0;
	s->lv = xcalloc((size_t)(s->nlive ? s->nlive : 1), sizeof *s->lv);
	s->live_title = xstrdup(title ? title : "generating");
	FREE(&s->sort_name);
	s->cur = 0;
	s->left = 0;
	s->scroll = 0;
	s->mark = 0;
	s->diff = 0;
	s->detail = 0;
	load(p, run_id);
}

void variants_live_token(struct pane *p, int idx, const char *text, size_t n)
{
	struct vstate *s = ST(p);
	if (idx < 0 || idx >= s->nlive)
		return;
	sbuf_add(&s->lv[idx].text, text, n);
	s->lv[idx].state = 1;
	pane_dirty(p);
}

void variants_live_retry(struct pane *p, int idx)
{
	struct vstate *s = ST(p);
	if (idx < 0 || idx >= s->nlive)
		return;
	sbuf_reset(&s->lv[idx].text);
	pane_dirty(p);
}

void variants_live_variant(struct pane *p, int idx)
{
	struct vstate *s = ST(p);
	if (idx >= 0 && idx < s->nlive && s->lv[idx].state != 3)
		s->lv[idx].state = 2;
	load(p, s->run_id);
}

void variants_live_error(struct pane *p, int idx, const char *msg)
{
	struct vstate *s = ST(p);
	if (idx < 0 || idx >= s->nlive)
		return;
	s->lv[idx].state = 3;
	free(s->lv[idx].error);
	s->lv[idx].error = xstrdup(msg ? msg : "failed");
	pane_dirty(p);
}

void variants_live_end(struct pane *p, const char *status)
{
	struct vstate *s = ST(p);
	char *st = xstrdup(status ? status : "done");
	live_clear(s);
	s->live_status = st;
	load(p, s->run_id);
}

/* ---- building the lines of a column ---- */

struct seg {
	const char *s;
	size_t      n;
	int         role;
};

struct cline {
	size_t first, count;   /* segments */
};

struct col {
	struct seg   *seg;
	size_t        nseg, segcap;
	struct cline *line;
	size_t        nline, linecap;
	char        **own;     /* strings this column allocated */
	size_t        nown;
};

static void col_free(struct col *c)
{
	for (size_t i = 0; i < c->nown; i++)
		free(c->own[i]);
	free(c->own);
	free(c->seg);
	free(c->line);
	memset(c, 0, sizeof *c);
}

static const char *col_keep(struct col *c, char *s)
{
	c->own = xreallocarray(c->own, c->nown + 1, sizeof *c->own);
	c->own[c->nown++] = s;
	return s;
}

static void col_newline(struct col *c)
{
	if (c->nline == c->linecap)
		c->line = xreallocarray(c->line, c->linecap = c->linecap ? c->linecap * 2 : 32, sizeof *c->line);
	c->line[c->nline].first = c->nseg;
	c->line[c->nline].count = 0;
	c->nline++;
}

static void col_seg(struct col *c, const char *s, size_t n, int role)
{
	if (!c->nline)
		col_newline(c);
	if (c->nseg == c->segcap)
		c->seg = xreallocarray(c->seg, c->segcap = c->segcap ? c->segcap * 2 : 64, sizeof *c->seg);
	c->seg[c->nseg++] = (struct seg){ s, n, role };
	c->line[c->nline - 1].count++;
}

/* Wrap text into the column, splitting each line at the span borders. */
static void col_text(struct col *c, const char *text, int width, int base,
                     const struct wf_span *sp, size_t nsp)
{
	struct wrap_line *wl;
	size_t n = wrap_text(text, width, &wl);
	for (size_t i = 0; i < n; i++) {
		size_t a = wl[i].off, b = wl[i].off + wl[i].len;
		col_newline(c);
		while (a < b) {
			size_t next = b;
			int role = base;
			for (size_t k = 0; k < nsp; k++) {
				size_t so = sp[k].off, se = sp[k].off + sp[k].len;
				if (so <= a && a < se) {
					role = sp[k].role;
					next = se < b ? se : b;
					break;
				}
				if (so > a && so < next)
					next = so;
			}
			col_seg(c, text + a, next - a, role);
			a = next;
		}
	}
	free(wl);
}

static void col_label(struct col *c, const char *s, int role)
{
	col_seg(c, s, strlen(s), role);
}

/* Push a span, keeping the list sorted by offset and without overlaps. */
static void span_add(struct wf_span **v, size_t *n, size_t off, size_t len, int role)
{
	if (!len)
		return;
	for (size_t i = 0; i < *n; i++) {
		size_t so = (*v)[i].off, se = so + (*v)[i].len;
		if (off < se && so < off + len)
			return;   /* first highlight wins */
	}
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	size_t i = *n;
	while (i > 0 && (*v)[i - 1].off > off) {
		(*v)[i] = (*v)[i - 1];
		i--;
	}
	(*v)[i] = (struct wf_span){ off, len, role };
	(*n)++;
}

/* Compliance hits and banned brand terms of v: every occurrence in value. */
static void spans_hits(const struct wf_variant *v, const char *value, struct wf_span **sp, size_t *nsp)
{
	for (size_t i = 0; i < v->nscores; i++) {
		const char *key = strcmp(v->scores[i].scorer, "compliance") == 0 ? "hits"
		                : strcmp(v->scores[i].scorer, "brand") == 0 ? "banned_found"
		                : strcmp(v->scores[i].scorer, "deliverability") == 0 ? "spam_hits" : NULL;
		if (!key || !v->scores[i].detail)
			continue;
		cJSON *d = cJSON_Parse(v->scores[i].detail);
		cJSON *arr = d ? cJSON_GetObjectItemCaseSensitive(d, key) : NULL;
		cJSON *h;
		cJSON_ArrayForEach(h, arr) {
			const cJSON *t = cJSON_IsString(h) ? h : cJSON_GetObjectItemCaseSensitive(h, "quote");
			if (!cJSON_IsString(t) || !t->valuestring[0])
				t = cJSON_GetObjectItemCaseSensitive(h, "term");
			if (!cJSON_IsString(t) || !t->valuestring[0])
				continue;
			size_t tl = strlen(t->valuestring);
			for (const char *q = strstr(value, t->valuestring); q; q = strstr(q + tl, t->valuestring))
				span_add(sp, nsp, (size_t)(q - value), tl, TUI_ERROR);
		}
		cJSON_Delete(d);
	}
}

/* The part of a field past its hard channel limit (channel_fit detail). */
static void spans_limit(const struct wf_variant *v, const char *field, const char *value,
                        struct wf_span **sp, size_t *nsp)
{
	for (size_t i = 0; i < v->nscores; i++) {
		if (strcmp(v->scores[i].scorer, "channel_fit") != 0 || !v->scores[i].detail)
			continue;
		cJSON *d = cJSON_Parse(v->scores[i].detail), *f;
		cJSON *arr = d ? cJSON_GetObjectItemCaseSensitive(d, "fields") : NULL;
		cJSON_ArrayForEach(f, arr) {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(f, "field");
			const cJSON *hard = cJSON_GetObjectItemCaseSensitive(f, "hard_violation");
			const cJSON *lim = cJSON_GetObjectItemCaseSensitive(f, "limit");
			if (!cJSON_IsString(name) || strcmp(name->valuestring, field) != 0 ||
			    !cJSON_IsTrue(hard) || !cJSON_IsNumber(lim) || lim->valuedouble <= 0)
				continue;
			/* skip `limit` characters (or display columns), highlight the rest */
			const cJSON *unit = cJSON_GetObjectItemCaseSensitive(f, "unit");
			int by_width = cJSON_IsString(unit) && strstr(unit->valuestring, "display") != NULL;
			size_t off = 0, len = strlen(value);
			double used = 0;
			while (off < len) {
				unsigned cp;
				size_t k = textdiff_utf8_decode(value + off, len - off, &cp);
				double step = by_width ? wrap_cp_width(cp) : 1;
				if (used + step > lim->valuedouble)
					break;
				used += step;
				off += k;
			}
			if (off < len)
				span_add(sp, nsp, off, len - off, TUI_ERROR);
		}
		cJSON_Delete(d);
	}
}

static const char *field_value(const struct wf_variant *v, const char *name)
{
	for (size_t i = 0; i < v->nfields; i++)
		if (strcmp(v->fields[i].name, name) == 0)
			return v->fields[i].value;
	return NULL;
}

static int has_violation(const struct wf_variant *v, char *why, size_t len)
{
	for (size_t i = 0; i < v->nscores; i++) {
		if (!v->scores[i].detail)
			continue;
		if (strcmp(v->scores[i].scorer, "channel_fit") == 0) {
			cJSON *d = cJSON_Parse(v->scores[i].detail);
			int hard = d && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "hard_violation"));
			cJSON_Delete(d);
			if (hard) {
				snprintf(why, len, "length");
				return 1;
			}
		}
		if (strcmp(v->scores[i].scorer, "compliance") == 0) {
			cJSON *d = cJSON_Parse(v->scores[i].detail);
			cJSON *h = d ? cJSON_GetObjectItemCaseSensitive(d, "hits") : NULL;
			int n = cJSON_GetArraySize(h);
			if (n > 0) {
				cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(h, 0), "term");
				snprintf(why, len, "%s", cJSON_IsString(t) ? t->valuestring : "claim");
			}
			cJSON_Delete(d);
			if (n > 0)
				return 1;
		}
	}
	return 0;
}

/* Build the body lines of a stored variant's column (the header is drawn apart). */
static void build_variant(struct vstate *s, const struct wf_variant *v, const struct wf_variant *other,
                          int width, struct col *c)
{
	if (v->error) {
		col_newline(c);
		col_label(c, "error", TUI_ERROR);
		col_text(c, v->error, width, TUI_ERROR, NULL, 0);
	}
	if (v->nfields == 0 && v->text && *v->text)
		col_text(c, v->text, width, TUI_NORMAL, NULL, 0);
	for (size_t i = 0; i < v->nfields; i++) {
		const char *name = v->fields[i].name, *val = v->fields[i].value;
		struct wf_span *sp = NULL;
		size_t nsp = 0;
		col_newline(c);
		col_label(c, name, TUI_DIM);
		spans_limit(v, name, val, &sp, &nsp);
		spans_hits(v, val, &sp, &nsp);
		if (other) {
			const char *ov = field_value(other, name);
			struct textdiff *d = textdiff_words(ov ? ov : "", val);
			for (size_t k = 0; k < d->nb; k++)
				if (d->b[k].changed)
					span_add(&sp, &nsp, d->b[k].off, d->b[k].len, TUI_CURSOR);
			textdiff_free(d);
		}
		col_text(c, val, width, TUI_NORMAL, sp, nsp);
		free(sp);
	}
	if (!v->parse_ok && !v->error) {
		col_newline(c);
		col_label(c, "! reply was not the JSON asked for; kept as text", TUI_WARN);
	}
	/* score badges, packed into lines */
	col_newline(c);
	int used = 0;
	for (size_t i = 0; i < v->nscores; i++) {
		char *b = xasprintf("%s %.2f", wf_scorer_short(v->scores[i].scorer), v->scores[i].value);
		int bw = (int)strlen(b);
		if (used && used + 1 + bw > width) {
			col_newline(c);
			used = 0;
		}
		if (used)
			col_label(c, " ", TUI_NORMAL), used++;
		col_seg(c, col_keep(c, b), strlen(b), wf_score_role(v->scores[i].value));
		used += bw;
	}
	char why[64];
	if (has_violation(v, why, sizeof why)) {
		col_newline(c);
		col_seg(c, col_keep(c, xasprintf("%s %s", tui_utf8() ? "⚠" : "!", why)), strlen(why) + (tui_utf8() ? 4 : 2), TUI_ERROR);
	}
	if (v->note) {
		col_newline(c);
		col_label(c, "note ", TUI_DIM);
		col_text(c, v->note, width, TUI_NORMAL, NULL, 0);
	}
	if (v->parent_id) {
		col_newline(c);
		col_seg(c, col_keep(c, xasprintf("from variant %lld", v->parent_id)), 0, TUI_DIM);
		c->seg[c->nseg - 1].n = strlen(c->seg[c->nseg - 1].s);
	}
	(void)s;
}

/* ---- drawing ---- */

static void draw_header(WINDOW *w, int y, int x, int width, struct vstate *s, const struct wf_variant *v,
                        int selected, int live_state, size_t live_chars)
{
	char label[8], buf[64];
	iterate_label(v ? v->idx : 0, label, sizeof label);
	wattrset(w, tui_attr(selected ? TUI_CURSOR : TUI_HEADER));
	tui_clear_rect(w, y, x, 1, width);
	int cx = x + tui_put_label(w, y, x, label, width);
	if (v && v->starred)
		cx += tui_put_label(w, y, cx, tui_utf8() ? " ★" : " *", x + width - cx);
	if (v && s->mark == v->id)
		cx += tui_put_label(w, y, cx, " =", x + width - cx);
	if (v && v->discarded)
		cx += tui_put_label(w, y, cx, " discarded", x + width - cx);
	if (v && !isnan(v->composite)) {
		snprintf(buf, sizeof buf, " %.2f", v->composite);
		if (!selected)
			wattrset(w, tui_attr(wf_score_role(v->composite)) | A_BOLD);
		cx += tui_put_label(w, y, cx, buf, x + width - cx);
	}
	if (live_state >= 0) {
		static const char *names[] = { " waiting", " streaming", "", " failed" };
		wattrset(w, tui_attr(live_state == 3 ? TUI_ERROR : TUI_DIM));
		cx += tui_put_label(w, y, cx, names[live_state], x + width - cx);
		if (live_state == 1 && live_chars > 0) {
			snprintf(buf, sizeof buf, " %zu chars", live_chars);
			cx += tui_put_label(w, y, cx, buf, x + width - cx);
		}
	}
	if (v && v->cached && cx < x + width)
		tui_put_label(w, y, cx, " cached", x + width - cx);
	wattrset(w, tui_attr(TUI_NORMAL));
}

static void draw_detail(struct pane *p)
{
	struct vstate *s = ST(p);
	WINDOW *w = p->win;
	int h = getmaxy(w), wd = getmaxx(w);
	struct wf_variant *v = cur_variant(s);
	struct col c = {0};
	char label[8];
	if (!v)
		return;
	iterate_label(v->idx, label, sizeof label);
	int width = wd - 4;
	col_newline(&c);
	col_seg(&c, col_keep(&c, wf_fold(xasprintf("variant %s · id %lld · round %d%s · %ld in / %ld out tokens · "
	                                     "%.0f ms · $%.4f%s", label, v->id, v->round, "", v->tokens_in,
	                                     v->tokens_out, v->latency_ms, v->cost,
	                                     v->cached ? " · cached" : ""))), 0, TUI_DIM);
	c.seg[c.nseg - 1].n = strlen(c.seg[c.nseg - 1].s);
	build_variant(s, v, NULL, width, &c);
	/* the judge's rationale first, then every score with its explanation */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < v->nscores; i++) {
			int judge = strcmp(v->scores[i].scorer, "judge") == 0;
			if (judge != (pass == 0))
				continue;
			col_newline(&c);
			col_newline(&c);
			col_seg(&c, col_keep(&c, xasprintf("%s  %.3f", v->scores[i].scorer, v->scores[i].value)), 0,
			        wf_score_role(v->scores[i].value));
			c.seg[c.nseg - 1].n = strlen(c.seg[c.nseg - 1].s);
			cJSON *d = v->scores[i].detail ? cJSON_Parse(v->scores[i].detail) : NULL;
			if (d && cJSON_IsObject(d)) {
				for (cJSON *it = d->child; it; it = it->next) {
					const cJSON *first = cJSON_IsArray(it) ? it->child : NULL;
					if (first && cJSON_IsObject(first)) {
						/* a list of records (fields, hits, claims): one line each */
						col_text(&c, col_keep(&c, xasprintf("  %s:", it->string ? it->string : "")),
						         width, TUI_NORMAL, NULL, 0);
						for (const cJSON *e = first; e; e = e->next) {
							struct sbuf sb = SBUF_INIT;
							sbuf_adds(&sb, "    -");
							for (const cJSON *f = e->child; f; f = f->next) {
								char *fv = cJSON_IsString(f) ? xstrdup(f->valuestring)
								                             : cJSON_PrintUnformatted(f);
								sbuf_addf(&sb, " %s=%s", f->string ? f->string : "", fv ? fv : "");
								free(fv);
							}
							col_text(&c, col_keep(&c, sbuf_detach(&sb)), width, TUI_NORMAL, NULL, 0);
						}
						continue;
					}
					char *val = cJSON_IsString(it) ? xstrdup(it->valuestring) : cJSON_PrintUnformatted(it);
					char *line = xasprintf("  %s: %s", it->string ? it->string : "", val ? val : "");
					free(val);
					col_text(&c, col_keep(&c, line), width, TUI_NORMAL, NULL, 0);
				}
			} else if (v->scores[i].detail) {
				col_text(&c, v->scores[i].detail, width, TUI_NORMAL, NULL, 0);
			}
			cJSON_Delete(d);
		}
	if (v->text && *v->text) {
		col_newline(&c);
		col_newline(&c);
		col_label(&c, "reply text", TUI_DIM);
		col_text(&c, v->text, width, TUI_DIM, NULL, 0);
	}
	s->detail_lines = (int)c.nline;
	if (s->detail_scroll > (int)c.nline - (h - 2))
		s->detail_scroll = (int)c.nline - (h - 2);
	if (s->detail_scroll < 0)
		s->detail_scroll = 0;
	werase(w);
	tui_box(w, 0, 0, h, wd, 1);
	char *title = xasprintf("variant %s · details · Esc closes", label);
	tui_box_title(w, 0, 0, wd, wf_fold(title), 1);
	free(title);
	for (int row = 0; row < h - 2 && s->detail_scroll + row < (int)c.nline; row++) {
		const struct cline *ln = &c.line[s->detail_scroll + row];
		int x = 2;
		for (size_t k = 0; k < ln->count; k++) {
			const struct seg *sg = &c.seg[ln->first + k];
			wattrset(w, tui_attr(sg->role));
			x += tui_put_textn(w, 1 + row, x, sg->s, sg->n, wd - 2 - x);
		}
	}
	wattrset(w, tui_attr(TUI_NORMAL));
	col_free(&c);
}

static void variants_draw(struct pane *p)
{
	struct vstate *s = ST(p);
	WINDOW *w = p->win;
	int h = getmaxy(w), wd = getmaxx(w);
	char title[512];

	if (s->detail && cur_variant(s)) {
		draw_detail(p);
		return;
	}
	werase(w);
	tui_box(w, 0, 0, h, wd, 1);
	if (!s->run && !s->live) {
		tui_box_title(w, 0, 0, wd, "Variants", 1);
		wattrset(w, tui_attr(TUI_DIM));
		tui_put_label(w, 2, 2, "No run yet. In 2 Prompt press g to generate variants,", wd - 4);
		tui_put_label(w, 3, 2, "or [ ] to page through stored runs.", wd - 4);
		wattrset(w, tui_attr(TUI_NORMAL));
		return;
	}
	const struct wf_run *r = s->run;
	if (r) {
		struct sbuf t = SBUF_INIT;
		sbuf_addf(&t, "run %lld", r->id);
		if (!s->live && r->status && strcmp(r->status, "done") != 0)
			sbuf_addf(&t, " · %s", r->status);
		sbuf_addf(&t, " · %s", r->prompt_name ? r->prompt_name : "prompt text");
		if (r->prompt_name)
			sbuf_addf(&t, " v%d", r->prompt_version);
		sbuf_addf(&t, " · %s", r->provider ? r->provider : "?");
		if (r->model && r->provider && strcmp(r->model, r->provider) != 0)
			sbuf_addf(&t, " · %s", r->model);
		sbuf_addf(&t, " · round %d", r->round);
		if (r->segment)
			sbuf_addf(&t, " · %s", r->segment);
		if (s->live)
			sbuf_adds(&t, " · streaming");
		else if (s->sort_name)
			sbuf_addf(&t, " · sorted by %s", s->sort_name);
		snprintf(title, sizeof title, "%s", sbuf_str(&t));
		sbuf_free(&t);
	} else {
		snprintf(title, sizeof title, "%s", s->live_title ? s->live_title : "generating");
	}
	tui_box_title(w, 0, 0, wd, wf_fold(title), 1);

	/* columns: the stored variants; while streaming, one per request in
	 * request order, each the stored variant once it landed */
	int ncols_total = s->live ? (s->nlive > s->norder ? s->nlive : s->norder) : s->norder;
	if (ncols_total == 0 && !s->live) {
		/* a run cancelled or failed before any variant came back */
		wattrset(w, tui_attr(TUI_DIM));
		tui_put_label(w, 2, 2, s->run && s->run->nv ? "Every variant of this run is discarded: X shows them."
		                                            : "No variants in this run: it ended before any came back.", wd - 4);
		tui_put_label(w, 3, 2, "[ ] page through the other runs; in 2 Prompt g generates again.", wd - 4);
		wattrset(w, tui_attr(TUI_NORMAL));
		return;
	}
	int iw = wd - 2;
	int vis = iw >= 124 ? 4 : iw >= 93 ? 3 : iw >= 50 ? 2 : 1;
	if (vis > ncols_total)
		vis = ncols_total > 0 ? ncols_total : 1;
	int colw = (iw - (vis - 1)) / vis;
	s->colw = colw;
	s->ncols_shown = ncols_total;
	if (s->cur >= ncols_total)
		s->cur = ncols_total - 1;
	if (s->cur < 0)
		s->cur = 0;
	if (s->cur < s->left)
		s->left = s->cur;
	if (s->cur >= s->left + vis)
		s->left = s->cur - vis + 1;
	if (s->left < 0)
		s->left = 0;

	const struct wf_variant *markv = NULL;
	if (s->diff && s->mark && r)
		for (size_t k = 0; k < r->nv; k++)
			if (r->v[k].id == s->mark)
				markv = &r->v[k];

	int rows = h - 3;   /* row 1 headers, rows 2..h-2 bodies */
	int maxlines = 0;
	for (int ci = 0; ci < vis && s->left + ci < ncols_total; ci++) {
		int pos = s->left + ci, x = 1 + ci * (colw + 1);
		struct col c = {0};
		const struct wf_variant *v = NULL;
		int lstate = -1, sp = col_stored_pos(s, pos);
		if (sp >= 0) {
			v = &r->v[s->order[sp]];
			const struct wf_variant *curv = cur_variant(s);
			const struct wf_variant *other = markv && markv != v && pos == s->cur ? markv : NULL;
			if (markv && v == markv && curv && curv != markv)
				other = curv;
			build_variant(s, v, other, colw, &c);
		} else if (pos >= s->nlive) {
			col_free(&c);
			continue;
		} else {
			int idx = pos;
			lstate = s->lv[idx].state;
			if (s->lv[idx].state == 3 && s->lv[idx].error)
				col_text(&c, s->lv[idx].error, colw, TUI_ERROR, NULL, 0);
			else
				col_text(&c, sbuf_str(&s->lv[idx].text), colw, TUI_DIM, NULL, 0);
		}
		if (v)
			draw_header(w, 1, x, colw, s, v, pos == s->cur, -1, 0);
		else {
			struct wf_variant fake = { .idx = pos, .composite = NAN };
			int li = pos;
			const struct sbuf *lt = &s->lv[li].text;
			size_t nch = 0;
			for (size_t b = 0; b < lt->len; b++)
				nch += ((unsigned char)lt->buf[b] & 0xC0) != 0x80;
			draw_header(w, 1, x, colw, s, &fake, pos == s->cur, lstate, nch);
		}
		if ((int)c.nline > maxlines)
			maxlines = (int)c.nline;
		for (int row = 0; row < rows; row++) {
			int li = s->scroll + row;
			if (li >= (int)c.nline)
				break;
			const struct cline *ln = &c.line[li];
			int cx = x;
			for (size_t k = 0; k < ln->count && cx < x + colw; k++) {
				const struct seg *sg = &c.seg[ln->first + k];
				wattrset(w, tui_attr(sg->role));
				cx += tui_put_textn(w, 2 + row, cx, sg->s, sg->n, x + colw - cx);
			}
		}
		wattrset(w, tui_attr(TUI_BORDER));
		if (ci + 1 < vis)
			tui_vline(w, 1, x + colw, h - 2);
		wattrset(w, tui_attr(TUI_NORMAL));
		col_free(&c);
	}
	s->maxscroll = maxlines - rows > 0 ? maxlines - rows : 0;
	if (s->scroll > s->maxscroll)
		s->scroll = s->maxscroll;
	char foot[96];
	snprintf(foot, sizeof foot, " %d/%d%s%s ", ncols_total ? s->cur + 1 : 0, ncols_total,
	         s->left > 0 ? " <" : "", s->left + vis < ncols_total ? " >" : "");
	if (s->diff && markv)
		snprintf(foot, sizeof foot, " diff vs marked · %d/%d ", s->cur + 1, ncols_total);
	tui_box_footer(w, h - 1, 0, wd, wf_fold(foot));
}

/* ---- actions ---- */

static void on_note(struct app *a, void *ctx, const char *line)
{
	struct pane *p = ctx;
	struct vstate *s = ST(p);
	struct wf_variant *v = cur_variant(s);
	struct cl_err err = {0};
	if (!line || !v)
		return;
	if (wf_variant_note(app_workspace(a), v->id, line, &err))
		app_error(a, &err);
	load(p, s->run_id);
	app_changed(a, PANE_CHANGED_RUNS);
}

static void on_feedback(struct app *a, void *ctx, const char *line)
{
	struct pane *p = ctx;
	struct vstate *s = ST(p);
	struct cl_err err = {0};
	struct iter_winners w;
	long long ids[32];
	size_t n = 0;
	if (!line || !s->run)
		return;
	for (size_t i = 0; i < s->run->nv && n < 32; i++)
		if (s->run->v[i].starred && !s->run->v[i].discarded)
			ids[n++] = s->run->v[i].id;
	int rc = n ? iterate_winners_from_ids(app_workspace(a), ids, n, &w, &err)
	           : iterate_winners_by_score(app_workspace(a), s->run->id, 2, NULL, &w, &err);
	if (rc) {
		app_error(a, &err);
		return;
	}
	struct iter_next_opts o = { .per_winner = 2, .feedback = line };
	struct iter_next next;
	if (iterate_next_spec(app_workspace(a), &w, &o, &next, &err)) {
		app_error(a, &err);
		iter_winners_clear(&w);
		return;
	}
	if (wf_generate(a, &next.spec, &w) == 0)
		app_msg(a, "round %d: %zu winners (%s) with feedback", w.round + 1, w.n,
		        n ? "starred" : "top by composite");
	iter_next_clear(&next);
	iter_winners_clear(&w);
}

static int do_edit(struct pane *p)
{
	struct vstate *s = ST(p);
	struct wf_variant *v = cur_variant(s);
	struct cl_err err = {0};
	char *edited = NULL, *text;
	if (!v)
		return PANE_HANDLED;
	text = wf_fields_format(v);
	if (wf_edit_external(p->app, text, ".md", &edited) || !edited) {
		if (!edited)
			app_msg(p->app, "unchanged: no new variant");
		free(text);
		pane_dirty(p);
		return PANE_HANDLED;
	}
	free(text);
	char *json = wf_fields_parse(edited, &err);
	free(edited);
	long long nid;
	if (!json || wf_variant_edit(app_workspace(p->app), v->id, json, &nid, &err)) {
		app_error(p->app, &err);
		free(json);
		return PANE_REDRAW;
	}
	free(json);
	long long old_id = v->id;
	wf_score(p->app, s->run_id);
	load(p, s->run_id);
	for (int i = 0; i < s->norder; i++)
		if (s->run->v[s->order[i]].id == nid)
			s->cur = i;
	app_msg(p->app, "saved as variant %lld, child of %lld", nid, old_id);
	app_changed(p->app, PANE_CHANGED_RUNS);
	return PANE_REDRAW;
}

/* The sort keys: position, composite, then every scorer present. */
static void next_sort(struct pane *p)
{
	struct vstate *s = ST(p);
	const char *names[64];
	int n = 0;
	names[n++] = NULL;
	names[n++] = "composite";
	for (size_t i = 0; s->run && i < s->run->nv; i++)
		for (size_t k = 0; k < s->run->v[i].nscores && n < 64; k++) {
			int seen = 0;
			for (int j = 2; j < n; j++)
				seen |= strcmp(names[j], s->run->v[i].scores[k].scorer) == 0;
			if (!seen)
				names[n++] = s->run->v[i].scores[k].scorer;
		}
	int at = 0;
	for (int j = 1; j < n; j++)
		if (s->sort_name && strcmp(names[j], s->sort_name) == 0)
			at = j;
	const char *next = names[(at + 1) % n];
	char *copy = next ? xstrdup(next) : NULL;
	free(s->sort_name);
	s->sort_name = copy;
	reorder(s);
	s->cur = 0;
	s->left = 0;
	app_msg(p->app, "sorted by %s", s->sort_name ? s->sort_name : "position");
}

static void step_run(struct pane *p, int dir)
{
	struct vstate *s = ST(p);
	struct wf_run_info *list;
	size_t n;
	struct cl_err err = {0};
	if (wf_runs_list(app_workspace(p->app), &list, &n, &err)) {
		app_error(p->app, &err);
		return;
	}
	/* list is newest first: '[' goes to an older run */
	size_t at = n;
	for (size_t i = 0; i < n; i++)
		if (list[i].id == s->run_id)
			at = i;
	long long target = 0;
	if (n) {
		if (at == n)
			target = list[0].id;
		else if (dir < 0 && at + 1 < n)
			target = list[at + 1].id;
		else if (dir > 0 && at > 0)
			target = list[at - 1].id;
	}
	if (target) {
		variants_show_run(p, target);
		struct pane *hp = app_pane(p->app, "History");
		if (hp)
			history_show_run(hp, target);
	} else {
		app_msg(p->app, dir < 0 ? "no older run" : "no newer run");
	}
	wf_runs_free(list, n);
}

static int variants_key(struct pane *p, int action, int ch)
{
	struct vstate *s = ST(p);
	struct wf_variant *v = cur_variant(s);
	struct cl_err err = {0};
	int page = getmaxy(p->win) - 4;
	int total = s->norder;
	if (s->live)
		for (int i = 0; i < s->nlive; i++) {
			int stored = 0;
			for (size_t k = 0; s->run && k < s->run->nv; k++)
				stored |= s->run->v[k].idx == i;
			total += !stored;
		}
	if (s->detail) {
		switch (action) {
		case VA_CLOSE: case VA_DETAIL: s->detail = 0; clearok(p->win, TRUE); return PANE_REDRAW;
		case VA_DOWN: s->detail_scroll++; return PANE_REDRAW;
		case VA_UP: if (s->detail_scroll) s->detail_scroll--; return PANE_REDRAW;
		case VA_PGDN: s->detail_scroll += page; return PANE_REDRAW;
		case VA_PGUP: s->detail_scroll = s->detail_scroll > page ? s->detail_scroll - page : 0; return PANE_REDRAW;
		case VA_TOP: s->detail_scroll = 0; return PANE_REDRAW;
		case VA_BOTTOM: s->detail_scroll = 1 << 20; return PANE_REDRAW;
		case VA_LEFT: case VA_RIGHT: break;
		default: return PANE_HANDLED;
		}
	}
	switch (action) {
	case VA_LEFT:
		if (s->cur > 0) s->cur--;
		s->detail_scroll = 0;
		return PANE_REDRAW;
	case VA_RIGHT:
		if (s->cur + 1 < total) s->cur++;
		s->detail_scroll = 0;
		return PANE_REDRAW;
	case VA_DOWN:
		if (s->scroll < s->maxscroll) s->scroll++;
		return PANE_REDRAW;
	case VA_UP:
		if (s->scroll > 0) s->scroll--;
		return PANE_REDRAW;
	case VA_PGDN:
		s->scroll = s->scroll + page < s->maxscroll ? s->scroll + page : s->maxscroll;
		return PANE_REDRAW;
	case VA_PGUP:
		s->scroll = s->scroll > page ? s->scroll - page : 0;
		return PANE_REDRAW;
	case VA_TOP:
		s->scroll = 0;
		return PANE_REDRAW;
	case VA_BOTTOM:
		s->scroll = s->maxscroll;
		return PANE_REDRAW;
	case VA_CLOSE:
		return PANE_IGNORED;   /* Esc cancels a job, q quits: the app's */
	case VA_PREVRUN:
	case VA_NEXTRUN:
		if (s->live) {
			app_msg(p->app, "a generation is running");
			return PANE_HANDLED;
		}
		step_run(p, action == VA_PREVRUN ? -1 : 1);
		return PANE_REDRAW;
	case VA_SORT:
		if (!s->run || s->live)
			return PANE_HANDLED;
		next_sort(p);
		return PANE_REDRAW;
	default:
		break;
	}
	if (!v) {
		app_msg(p->app, s->live ? "this variant is not finished yet" : "no variant here");
		return PANE_HANDLED;
	}
	switch (action) {
	case VA_STAR:
		if (wf_variant_star(app_workspace(p->app), v->id, !v->starred, &err))
			app_error(p->app, &err);
		load(p, s->run_id);
		app_changed(p->app, PANE_CHANGED_RUNS);
		return PANE_REDRAW;
	case VA_DISCARD:
		if (wf_variant_discard(app_workspace(p->app), v->id, !v->discarded, &err))
			app_error(p->app, &err);
		else
			app_msg(p->app, v->discarded ? "restored" : "discarded (X shows discarded)");
		load(p, s->run_id);
		app_changed(p->app, PANE_CHANGED_RUNS);
		return PANE_REDRAW;
	case VA_SHOWALL:
		s->show_discarded = !s->show_discarded;
		reorder(s);
		return PANE_REDRAW;
	case VA_NOTE:
		app_prompt(p->app, "note", "note: ", v->note, APP_COMPLETE_NONE, on_note, p);
		return PANE_HANDLED;
	case VA_EDIT:
		return do_edit(p);
	case VA_COPY: {
		char *text = wf_channel_text(v, s->run ? s->run->channel : NULL);
		fflush(stdout);
		if (clip_copy(STDOUT_FILENO, text))
			app_errorf(p->app, "copy failed: the terminal could not be written");
		else
			app_msg(p->app, "copied variant (%zu bytes, %s) with OSC 52", strlen(text),
			        s->run && s->run->channel ? s->run->channel : "email");
		free(text);
		return PANE_REDRAW;
	}
	case VA_DIFF:
		if (!s->mark) {
			s->mark = v->id;
			s->diff = 0;
			app_msg(p->app, "marked; move to another variant and press = for the word diff");
		} else if (s->mark == v->id) {
			s->mark = 0;
			s->diff = 0;
			app_msg(p->app, "mark cleared");
		} else {
			s->diff = !s->diff;
			app_msg(p->app, s->diff ? "word diff: changes against the marked variant highlighted"
			                        : "diff off");
		}
		return PANE_REDRAW;
	case VA_DETAIL:
		s->detail = 1;
		s->detail_scroll = 0;
		return PANE_REDRAW;
	case VA_ITERATE:
		if (wf_generating(p->app)) {
			app_msg(p->app, "a generation is running; Esc cancels it");
			return PANE_HANDLED;
		}
		app_prompt(p->app, "feedback", "feedback for the next round: ", NULL, APP_COMPLETE_NONE,
		           on_feedback, p);
		return PANE_HANDLED;
	}
	return PANE_IGNORED;
}

static int variants_init(struct pane *p)
{
	struct vstate *s = xcalloc(1, sizeof *s);
	p->data = s;
	long long id = wf_latest_run(app_workspace(p->app));
	if (id)
		load(p, id);
	return 0;
}

static void variants_free(struct pane *p)
{
	struct vstate *s = ST(p);
	live_clear(s);
	wf_run_free(s->run);
	free(s->order);
	free(s->sort_name);
	free(s);
	p->data = NULL;
}

static void variants_changed(struct pane *p, unsigned what)
{
	struct vstate *s = ST(p);
	if (!(what & PANE_CHANGED_RUNS) || s->live)
		return;
	if (!s->run_id)
		s->run_id = wf_latest_run(app_workspace(p->app));
	if (s->run_id)
		load(p, s->run_id);
}

static int variants_search(struct pane *p, const char *text, int dir)
{
	struct vstate *s = ST(p);
	/* This search already goes round; the app's wrap (dir ±2) finds nothing more. */
	if (!s->run || !s->norder || dir == 2 || dir == -2)
		return 0;
	for (int k = 1; k <= s->norder; k++) {
		int pos = ((s->cur + dir * k) % s->norder + s->norder) % s->norder;
		const struct wf_variant *v = &s->run->v[s->order[pos]];
		if (strstr(v->fields_json, text) || (v->text && strstr(v->text, text)) ||
		    (v->note && strstr(v->note, text))) {
			s->cur = pos;
			pane_dirty(p);
			return 1;
		}
	}
	return 0;
}

/* ---- ':' commands ---- */

static struct pane *vpane(struct app *a) { return app_pane(a, "Variants"); }

static int cmd_write(struct app *a, int argc, char **argv, const char *rest)
{
	struct pane *p = vpane(a);
	struct cl_err err = {0};
	struct wf_variant *v = p ? cur_variant(ST(p)) : NULL;
	if (argc != 2) {
		app_errorf(a, "usage: write FILE");
		return -1;
	}
	if (!v) {
		app_errorf(a, "no variant to write: open a run in 3 Variants");
		return -1;
	}
	if (wf_write_variant(v, ST(p)->run->channel, argv[1], &err)) {
		app_error(a, &err);
		return -1;
	}
	app_msg(a, "wrote the variant to %s", argv[1]);
	return 0;
}

static int cmd_run(struct app *a, int argc, char **argv, const char *rest)
{
	struct pane *p = vpane(a);
	char *end;
	long long id = argc == 2 ? strtoll(argv[1], &end, 10) : 0;
	if (argc != 2 || *end || id <= 0) {
		app_errorf(a, "usage: run ID");
		return -1;
	}
	variants_show_run(p, id);
	if (!ST(p)->run || ST(p)->run->id != id)
		return -1;
	struct pane *hp = app_pane(a, "History");
	if (hp)
		history_show_run(hp, id);
	app_focus(a, p);
	return 0;
}

static int cmd_order(struct app *a, int argc, char **argv, const char *rest)
{
	struct pane *p = vpane(a);
	struct vstate *s = ST(p);
	if (argc != 2) {
		app_errorf(a, "usage: order SCORER|composite|position");
		return -1;
	}
	free(s->sort_name);
	s->sort_name = strcmp(argv[1], "position") == 0 ? NULL : xstrdup(argv[1]);
	reorder(s);
	s->cur = 0;
	s->left = 0;
	pane_dirty(p);
	return 0;
}

static int cmd_iterate_ab(struct app *a, int argc, char **argv, const char *rest)
{
	struct cl_err err = {0};
	struct iter_winners w;
	if (argc < 2) {
		app_errorf(a, "usage: iterate-ab EXPERIMENT [FEEDBACK…]");
		return -1;
	}
	if (iterate_winners_by_experiment(app_workspace(a), argv[1], 2, &w, &err)) {
		app_error(a, &err);
		return -1;
	}
	const char *fb = rest;
	while (*fb == ' ') fb++;
	fb += strlen(argv[1]);
	while (*fb == ' ') fb++;
	struct iter_next_opts o = { .per_winner = 2, .feedback = fb };
	struct iter_next next;
	if (iterate_next_spec(app_workspace(a), &w, &o, &next, &err)) {
		app_error(a, &err);
		iter_winners_clear(&w);
		return -1;
	}
	int rc = wf_generate(a, &next.spec, &w);
	iter_next_clear(&next);
	iter_winners_clear(&w);
	return rc;
}

static const struct app_cmd variants_cmds[] = {
	{ "write", "write FILE", "write the current variant, channel-ready, to FILE", "file", cmd_write },
	{ "run", "run ID", "show run ID in the Variants pane", "any", cmd_run },
	{ "order", "order SCORER", "sort variants by a score (composite, cta, …, or position)", "any", cmd_order },
	{ "iterate-ab", "iterate-ab EXPERIMENT [FEEDBACK]", "next round from the A/B winners of EXPERIMENT",
	  "any", cmd_iterate_ab },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* A click selects the variant under it; the wheel scrolls the columns (the
 * detail view when open). */
static int variants_mouse(struct pane *p, int y, int x, int event)
{
	struct vstate *s = ST(p);
	if (event == PANE_MOUSE_WHEEL_UP || event == PANE_MOUSE_WHEEL_DOWN) {
		int d = event == PANE_MOUSE_WHEEL_DOWN ? 3 : -3;
		if (s->detail)
			s->detail_scroll = s->detail_scroll + d > 0 ? s->detail_scroll + d : 0;
		else
			s->scroll = s->scroll + d > 0 ? (s->scroll + d < s->maxscroll ? s->scroll + d : s->maxscroll) : 0;
		return PANE_REDRAW;
	}
	if (s->detail || s->colw <= 0 || y < 1 || x < 1)
		return PANE_HANDLED;
	int col = s->left + (x - 1) / (s->colw + 1);
	if (col < s->ncols_shown)
		s->cur = col;
	return PANE_REDRAW;
}

const struct pane_type pane_variants_type = {
	.name = "Variants",
	.hints = "* star  x discard  a note  e edit  = diff  y copy  o sort  Enter details  i iterate",
	.init = variants_init,
	.free = variants_free,
	.key = variants_key,
	.draw = variants_draw,
	.keys = variants_keys,
	.search = variants_search,
	.mouse = variants_mouse,
	.changed = variants_changed,
	.cmds = variants_cmds,
};
