/* pane_history.c — 5 History: the rounds of a lineage as a tree of variants,
 * the best score per round as a sparkline, and Enter to reopen any round. */
#include "tui/workflow.h"
#include "tui/app.h"
#include "tui/chart.h"
#include "tui/draw.h"
#include "tui/pane.h"
#include "core/iterate.h"
#include "core/workflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { H_DOWN = 1, H_UP, H_PGDN, H_PGUP, H_TOP, H_BOTTOM, H_OPEN, H_ALL, H_RELOAD };

static const struct pane_key history_keys[] = {
	{ KEY_DOWN,  H_DOWN,   "↓ j",   "next line" },
	{ 'j',       H_DOWN,   NULL, NULL },
	{ KEY_UP,    H_UP,     "↑ k",   "previous line" },
	{ 'k',       H_UP,     NULL, NULL },
	{ KEY_NPAGE, H_PGDN,   "PgDn",  "page down" },
	{ KEY_PPAGE, H_PGUP,   "PgUp",  "page up" },
	{ 'g',       H_TOP,    "g G",   "first / last line" },
	{ 'G',       H_BOTTOM, NULL, NULL },
	{ '\r',      H_OPEN,   "Enter", "reopen this round in 3 Variants" },
	{ '\n',      H_OPEN,   NULL, NULL },
	{ KEY_ENTER, H_OPEN,   NULL, NULL },
	{ 'a',       H_ALL,    "a",     "every run / this lineage" },
	{ 'r',       H_RELOAD, "r",     "reload" },
	PANE_KEYS_END
};

struct hline {
	char     *text;       /* the tree prefix and label */
	long long run_id, variant_id;
	int       role;
};

struct hstate {
	struct iter_history *h;
	long long run_id;      /* the lineage shown (0 = every run) */
	int       all;
	struct hline *lines;
	int       nlines, sel, top;
};

#define ST(p) ((struct hstate *)(p)->data)

static void lines_clear(struct hstate *s)
{
	for (int i = 0; i < s->nlines; i++)
		free(s->lines[i].text);
	free(s->lines);
	s->lines = NULL;
	s->nlines = 0;
}

static void add_line(struct hstate *s, char *text, long long run, long long vid, int role)
{
	s->lines = xreallocarray(s->lines, (size_t)s->nlines + 1, sizeof *s->lines);
	s->lines[s->nlines++] = (struct hline){ wf_fold(text), run, vid, role };
}

static const struct iter_round *round_of(const struct iter_history *h, long long run)
{
	for (size_t i = 0; i < h->nrounds; i++)
		if (h->rounds[i].run_id == run)
			return &h->rounds[i];
	return NULL;
}

/* Depth-first: a variant, then the variants whose main parent it is. */
static void add_subtree(struct hstate *s, size_t node, struct sbuf *prefix, int last, int depth,
                        char *seen)
{
	const struct iter_history *h = s->h;
	const struct iter_node *v = &h->nodes[node];
	const int utf8 = tui_utf8();
	char label[8], score[16] = "  —  ";
	if (seen[node] || depth > 64)
		return;
	seen[node] = 1;
	iterate_label(v->idx, label, sizeof label);
	if (!isnan(v->composite))
		snprintf(score, sizeof score, "%.2f", v->composite);
	char *text = xasprintf("%s%s%s%d %s%s %s%s  %s", sbuf_str(prefix),
	                       depth ? (last ? (utf8 ? "└─ " : "`- ") : (utf8 ? "├─ " : "|- ")) : "",
	                       utf8 ? "R" : "R", v->round, label, v->starred ? (utf8 ? " ★" : " *") : "",
	                       score, v->nparents > 1 ? (utf8 ? " ⋈" : " +") : "", v->summary);
	add_line(s, text, v->run_id, v->variant_id,
	         v->discarded ? TUI_DIM : isnan(v->composite) ? TUI_NORMAL : wf_score_role(v->composite));
	size_t plen = prefix->len;
	if (depth)
		sbuf_adds(prefix, last ? "   " : (utf8 ? "│  " : "|  "));
	/* children: nodes whose main parent is v */
	size_t kids[256], nk = 0;
	for (size_t i = 0; i < h->nnodes && nk < 256; i++)
		if (h->nodes[i].parent_id == v->variant_id && !seen[i])
			kids[nk++] = i;
	for (size_t k = 0; k < nk; k++)
		add_subtree(s, kids[k], prefix, k + 1 == nk, depth + 1, seen);
	prefix->len = plen;
	if (prefix->buf)
		prefix->buf[plen] = 0;
}

static void build(struct pane *p)
{
	struct hstate *s = ST(p);
	const struct iter_history *h = s->h;
	lines_clear(s);
	if (!h)
		return;
	char *seen = xcalloc(h->nnodes ? h->nnodes : 1, 1);
	/* the rounds first, then the variants as a tree by main parent */
	for (size_t r = 0; r < h->nrounds; r++) {
		const struct iter_round *rd = &h->rounds[r];
		struct sbuf t = SBUF_INIT;
		sbuf_addf(&t, "round %d · run %lld · ", rd->round, rd->run_id);
		if (rd->prompt_name)
			sbuf_addf(&t, "%s v%d", rd->prompt_name, rd->prompt_version);
		else
			sbuf_adds(&t, "prompt text");
		sbuf_addf(&t, " · %s · %zu variants", rd->provider ? rd->provider : "?", rd->nvariants);
		if (!isnan(rd->best))
			sbuf_addf(&t, " · best %.2f", rd->best);
		if (!isnan(rd->best_rate))
			sbuf_addf(&t, " · best rate %.2f%%", rd->best_rate * 100);
		if (rd->feedback)
			sbuf_addf(&t, " · \"%s\"", rd->feedback);
		add_line(s, sbuf_detach(&t), rd->run_id, 0, TUI_TITLE);
	}
	for (size_t r = 0; r < h->nrounds; r++) {
		const struct iter_round *rd = &h->rounds[r];
		for (size_t i = 0; i < h->nnodes; i++) {
			const struct iter_node *v = &h->nodes[i];
			if (v->run_id != rd->run_id || seen[i])
				continue;
			int parent_inside = 0;
			for (size_t j = 0; j < h->nnodes && v->parent_id; j++)
				parent_inside |= h->nodes[j].variant_id == v->parent_id;
			if (parent_inside)
				continue;
			struct sbuf prefix = SBUF_INIT;
			sbuf_adds(&prefix, " ");
			add_subtree(s, i, &prefix, 1, 0, seen);
			sbuf_free(&prefix);
		}
	}
	free(seen);
	if (s->sel >= s->nlines)
		s->sel = s->nlines ? s->nlines - 1 : 0;
}

static void reload(struct pane *p)
{
	struct hstate *s = ST(p);
	struct cl_err err = {0};
	struct iter_history *h = NULL;
	if (iterate_history(app_workspace(p->app), s->all ? 0 : s->run_id, &h, &err)) {
		if (err.code != CL_ENOTFOUND)
			app_error(p->app, &err);
		h = NULL;
	}
	iterate_history_free(s->h);
	s->h = h;
	build(p);
	pane_dirty(p);
}

void history_show_run(struct pane *p, long long run_id)
{
	struct hstate *s = ST(p);
	s->run_id = run_id;
	reload(p);
	/* select the header of that run */
	for (int i = 0; i < s->nlines; i++)
		if (s->lines[i].run_id == run_id && !s->lines[i].variant_id) {
			s->sel = i;
			break;
		}
}

static void history_draw(struct pane *p)
{
	struct hstate *s = ST(p);
	WINDOW *w = p->win;
	int h = getmaxy(w), wd = getmaxx(w);
	const int utf8 = tui_utf8();
	werase(w);
	tui_box(w, 0, 0, h, wd, 1);
	if (!s->h || !s->h->nrounds) {
		tui_box_title(w, 0, 0, wd, "History", 1);
		wattrset(w, tui_attr(TUI_DIM));
		tui_put_label(w, 2, 2, "No rounds yet: generate in 2 Prompt (g), then iterate in 3 Variants (i).", wd - 4);
		wattrset(w, tui_attr(TUI_NORMAL));
		return;
	}
	const struct iter_history *hi = s->h;
	int maxround = 0;
	for (size_t i = 0; i < hi->nrounds; i++)
		if (hi->rounds[i].round > maxround)
			maxround = hi->rounds[i].round;
	/* best composite and best observed rate by round */
	double best[64], rate[64];
	int nr = maxround < 64 ? maxround : 64, have_rate = 0;
	for (int r = 0; r < nr; r++)
		best[r] = rate[r] = NAN;
	for (size_t i = 0; i < hi->nrounds; i++) {
		int r = hi->rounds[i].round - 1;
		if (r < 0 || r >= nr)
			continue;
		if (!isnan(hi->rounds[i].best) && (isnan(best[r]) || hi->rounds[i].best > best[r]))
			best[r] = hi->rounds[i].best;
		if (!isnan(hi->rounds[i].best_rate) && (isnan(rate[r]) || hi->rounds[i].best_rate > rate[r]))
			rate[r] = hi->rounds[i].best_rate, have_rate = 1;
	}
	char *spark = chart_sparkline(best, nr, utf8);
	/* A sparkline of one value says nothing: with a rate for one round only,
	 * the title names that round and its rate instead. */
	int nrate = 0, rate_round = 0;
	for (int r = 0; r < nr; r++)
		if (!isnan(rate[r]))
			nrate++, rate_round = r;
	char *rspark = NULL;
	if (nrate >= 2) {
		char *sp = chart_sparkline(rate, nr, utf8);
		rspark = xasprintf(" · best observed rate by round %s", sp);
		free(sp);
	} else if (have_rate) {
		rspark = xasprintf(" · observed rate: round %d only, best %.2f%%", rate_round + 1,
		                   rate[rate_round] * 100);
	}
	const char *name = hi->rounds[0].prompt_name ? hi->rounds[0].prompt_name : "prompt text";
	char *title = xasprintf("%s · %d round%s · best composite by round %s%s", s->all ? "every run" : name,
	                        maxround, maxround == 1 ? "" : "s", spark, rspark ? rspark : "");
	tui_box_title(w, 0, 0, wd, wf_fold(title), 1);
	free(title);
	/* a line of figures under the title: round: best composite (best observed rate) */
	struct sbuf fig = SBUF_INIT;
	for (int r = 0; r < nr; r++) {
		if (isnan(best[r]))
			sbuf_addf(&fig, "R%d —", r + 1);
		else
			sbuf_addf(&fig, "R%d %.3f", r + 1, best[r]);
		if (!isnan(rate[r]))
			sbuf_addf(&fig, " (rate %.2f%%)", rate[r] * 100);
		sbuf_adds(&fig, "  ");
	}
	char *figs = sbuf_detach(&fig);
	wattrset(w, tui_attr(TUI_DIM));
	tui_put_label(w, 1, 2, wf_fold(figs), wd - 4);
	wattrset(w, tui_attr(TUI_NORMAL));
	free(figs);
	free(spark);
	free(rspark);
	int rows = h - 3;
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + rows)
		s->top = s->sel - rows + 1;
	for (int i = 0; i < rows && s->top + i < s->nlines; i++) {
		const struct hline *l = &s->lines[s->top + i];
		int sel = s->top + i == s->sel;
		wattrset(w, tui_attr(sel ? TUI_SELECT : l->role));
		if (sel)
			tui_clear_rect(w, 2 + i, 1, 1, wd - 2);
		tui_put_text(w, 2 + i, 2, l->text, wd - 4);
	}
	wattrset(w, tui_attr(TUI_NORMAL));
	char foot[64];
	snprintf(foot, sizeof foot, " %d/%d · Enter reopens ", s->nlines ? s->sel + 1 : 0, s->nlines);
	tui_box_footer(w, h - 1, 0, wd, foot);
}

static int history_key(struct pane *p, int action, int ch)
{
	struct hstate *s = ST(p);
	int page = getmaxy(p->win) - 4;
	switch (action) {
	case H_DOWN: if (s->sel + 1 < s->nlines) s->sel++; return PANE_REDRAW;
	case H_UP: if (s->sel > 0) s->sel--; return PANE_REDRAW;
	case H_PGDN: s->sel = s->sel + page < s->nlines ? s->sel + page : s->nlines - 1; return PANE_REDRAW;
	case H_PGUP: s->sel = s->sel > page ? s->sel - page : 0; return PANE_REDRAW;
	case H_TOP: s->sel = 0; return PANE_REDRAW;
	case H_BOTTOM: s->sel = s->nlines ? s->nlines - 1 : 0; return PANE_REDRAW;
	case H_ALL:
		s->all = !s->all;
		reload(p);
		app_msg(p->app, s->all ? "every run" : "the lineage of run %lld", s->run_id);
		return PANE_REDRAW;
	case H_RELOAD: reload(p); return PANE_REDRAW;
	case H_OPEN: {
		if (!s->nlines)
			return PANE_HANDLED;
		if (wf_generating(p->app)) {
			app_msg(p->app, "a generation is running; Esc cancels it");
			return PANE_HANDLED;
		}
		const struct hline *l = &s->lines[s->sel];
		struct pane *vp = app_pane(p->app, "Variants");
		const struct iter_round *rd = s->h ? round_of(s->h, l->run_id) : NULL;
		if (vp) {
			variants_show_run(vp, l->run_id);
			if (l->variant_id)
				variants_select(vp, l->variant_id);
			app_focus(p->app, vp);
		}
		app_msg(p->app, "reopened round %d (run %lld)", rd ? rd->round : 0, l->run_id);
		return PANE_REDRAW;
	}
	}
	return PANE_IGNORED;
}

static int history_init(struct pane *p)
{
	struct hstate *s = xcalloc(1, sizeof *s);
	p->data = s;
	s->run_id = wf_latest_run(app_workspace(p->app));
	if (s->run_id)
		reload(p);
	return 0;
}

static void history_free(struct pane *p)
{
	struct hstate *s = ST(p);
	lines_clear(s);
	iterate_history_free(s->h);
	free(s);
	p->data = NULL;
}

static void history_changed(struct pane *p, unsigned what)
{
	struct hstate *s = ST(p);
	if (!(what & (PANE_CHANGED_RUNS | PANE_CHANGED_RESULTS)))
		return;
	if (!s->run_id)
		s->run_id = wf_latest_run(app_workspace(p->app));
	if (s->run_id || s->all)
		reload(p);
}

static int history_search(struct pane *p, const char *text, int dir)
{
	struct hstate *s = ST(p);
	/* This search already goes round; the app's wrap (dir ±2) finds nothing more. */
	if (dir == 2 || dir == -2)
		return 0;
	for (int k = 1; k <= s->nlines; k++) {
		int i = ((s->sel + dir * k) % s->nlines + s->nlines) % s->nlines;
		if (strstr(s->lines[i].text, text)) {
			s->sel = i;
			pane_dirty(p);
			return 1;
		}
	}
	return 0;
}

const struct pane_type pane_history_type = {
	.name = "History",
	.hints = "Enter reopen  a every run  r reload",
	.init = history_init,
	.free = history_free,
	.key = history_key,
	.draw = history_draw,
	.keys = history_keys,
	.search = history_search,
	.changed = history_changed,
};
