/* pane_results.c — 4 Results: one experiment drawn for a decision: rate per
 * arm with 95% whiskers, overlaid posterior densities, cumulative rate by day
 * with the sequential verdict, the comparison table, the sample-ratio check
 * and progress against the planned size; :abimport and :abwatch feed it, and
 * B shows the headline in big type for a room. */
#include "tui/workflow.h"
#include "tui/app.h"
#include "tui/chart.h"
#include "tui/draw.h"
#include "tui/pane.h"
#include "tui/wrap.h"
#include "core/experiment.h"

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { R_PREV = 1, R_NEXT, R_BIG, R_RELOAD, R_ESC };

static const struct pane_key results_keys[] = {
	{ '[', R_PREV,   "[ ]", "previous / next experiment" },
	{ ']', R_NEXT,   NULL, NULL },
	{ 'B', R_BIG,    "B",   "headline in big type (for a room)" },
	{ 'r', R_RELOAD, "r",   "reload" },
	{ 27,  R_ESC,    "Esc", "back from big type (else: cancel the running job)" },
	PANE_KEYS_END
};

struct rstate {
	char *name;                  /* experiment shown */
	struct exp_analysis *an;
	char *err;                   /* why nothing is shown */
	int   big;
	char *watching;              /* file under :abwatch, NULL when none */
};

#define ST(p) ((struct rstate *)(p)->data)

static const int arm_roles[] = { TUI_KEY, TUI_OK, TUI_WARN, TUI_ERROR, TUI_TITLE, TUI_FILL, TUI_HEADER };

static int arm_role(int i) { return arm_roles[i % (int)(sizeof arm_roles / sizeof arm_roles[0])]; }

static void load(struct pane *p)
{
	struct rstate *s = ST(p);
	struct cl_err err = {0};
	exp_analysis_free(s->an);
	s->an = NULL;
	FREE(&s->err);
	if (!s->name) {
		struct exp_summary *v;
		size_t n;
		if (exp_list(app_workspace(p->app), &v, &n, &err) == 0) {
			if (n)
				s->name = xstrdup(v[0].meta.name);
			exp_list_free(v, n);
		}
	}
	if (!s->name) {
		s->err = xstrdup("No A/B test yet. :abimport FILE loads results exported from an ad platform or "
		                 "e-mail tool (arm,n,conversions[,date]); copylab simulate makes a SIMULATED one.");
	} else if (exp_analyze(app_workspace(p->app), s->name, NULL, &s->an, &err)) {
		s->err = xstrdup(err.msg);
		s->an = NULL;
	}
	pane_dirty(p);
}

void results_show(struct pane *p, const char *experiment)
{
	struct rstate *s = ST(p);
	free(s->name);
	s->name = experiment ? xstrdup(experiment) : NULL;
	load(p);
}

/* ---- drawing ---- */

/* The character that stands for arm i in a chart when there is no colour
 * to tell the arms apart: its name's first character when that is an ASCII
 * letter or digit, else its number. */
static char arm_mark(const struct exp_analysis *an, int i)
{
	unsigned char c = (unsigned char)an->in.name[i][0];
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return (char)c;
	return (char)('1' + i % 9);
}

/* Draw a chart grid; with an (a chart of overlaid arms) and no colours
 * (TERM=vt100, NO_COLOR) each arm's cells show its mark instead of dots. */
static void put_grid(WINDOW *w, int y, int x, const struct chart_grid *g, const struct exp_analysis *an)
{
	int marks = an && !tui_has_colour();
	for (int r = 0; r < g->h; r++)
		for (int c = 0; c < g->w; c++) {
			unsigned cp = g->cp[r * g->w + c];
			if (cp == ' ')
				continue;
			if (marks && g->color[r * g->w + c] > 0)
				cp = (unsigned char)arm_mark(an, g->color[r * g->w + c] - 1);
			char b[5] = {0};
			if (cp < 0x80) b[0] = (char)cp;
			else if (cp < 0x800) { b[0] = (char)(0xC0 | cp >> 6); b[1] = (char)(0x80 | (cp & 0x3F)); }
			else { b[0] = (char)(0xE0 | cp >> 12); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[2] = (char)(0x80 | (cp & 0x3F)); }
			int col = g->color[r * g->w + c];
			wattrset(w, tui_attr(col ? arm_role(col - 1) : TUI_DIM));
			tui_put_label(w, y + r, x + c, b, 1);
		}
	wattrset(w, tui_attr(TUI_NORMAL));
}

static void fmt_pct(char *buf, size_t n, double v, int sign)
{
	if (!isfinite(v))
		snprintf(buf, n, "—");
	else
		snprintf(buf, n, sign ? "%+.1f%%" : "%.2f%%", v * 100);
}

static void header(WINDOW *w, int y, int x, int width, const char *text, int simulated)
{
	wattrset(w, tui_attr(TUI_HEADER));
	/* A simulated chart says so whatever it costs the header text. */
	int used = tui_put_label(w, y, x, text, simulated && width > 24 ? width - 12 : width);
	if (simulated && used + 12 <= width) {
		wattrset(w, tui_attr(TUI_WARN) | A_BOLD);
		tui_put_label(w, y, x + used, tui_utf8() ? " · SIMULATED" : " - SIMULATED", width - used);
	}
	wattrset(w, tui_attr(TUI_NORMAL));
}

/* The arms' names in their colours at the right end of a chart's header row;
 * returns the cells it took from the right (0 when it does not fit in half). */
static int legend(WINDOW *w, int y, int x, int width, const struct exp_analysis *an)
{
	int need = 0, k = an->res.narms, marks = !tui_has_colour();
	char pre[4];
	for (int i = 0; i < k; i++)
		need += tui_text_width(an->in.name[i]) + 1 +
		        (marks && arm_mark(an, i) != an->in.name[i][0] ? 2 : 0);
	int cx = x + width - need;
	if (cx <= x + width / 2)
		return 0;
	for (int i = 0; i < k; i++) {
		wattrset(w, tui_attr(arm_role(i)) | A_BOLD);
		if (marks && arm_mark(an, i) != an->in.name[i][0]) {
			snprintf(pre, sizeof pre, "%c=", arm_mark(an, i));
			cx += tui_put_label(w, y, cx, pre, x + width - cx);
		}
		cx += tui_put_text(w, y, cx, an->in.name[i], x + width - cx) + 1;
	}
	wattrset(w, tui_attr(TUI_NORMAL));
	return need;
}

static void draw_intervals(WINDOW *w, int y, int x, int width, const struct exp_analysis *an)
{
	const struct ab_result *r = &an->res;
	int utf8 = tui_utf8(), namew = 11, valw = 7, barw = width - namew - valw - 1;
	double lo = INFINITY, hi = -INFINITY;
	for (int i = 0; i < r->narms; i++) {
		if (r->arm[i].ci_low < lo) lo = r->arm[i].ci_low;
		if (r->arm[i].ci_high > hi) hi = r->arm[i].ci_high;
	}
	double pad = (hi - lo) * 0.08 + 1e-9;
	lo = lo - pad > 0 ? lo - pad : 0;
	hi += pad;
	header(w, y, x, width, "conversion rate, 95% interval", an->meta.simulated);
	for (int i = 0; i < r->narms; i++) {
		char name[64], val[16];
		snprintf(name, sizeof name, "%s%s", an->in.name[i], i == r->control ? " ctl" : "");
		wattrset(w, tui_attr(arm_role(i)));
		tui_put_text(w, y + 1 + i, x, name, namew - 1);
		if (barw >= 5) {
			struct chart_grid *g = chart_grid_new(barw, 1);
			chart_interval(g, 0, 0, barw, r->arm[i].ci_low, r->arm[i].ci_high, r->arm[i].rate, lo, hi,
			               i + 1, utf8);
			put_grid(w, y + 1 + i, x + namew, g, NULL);
			chart_grid_free(g);
		}
		fmt_pct(val, sizeof val, r->arm[i].rate, 0);
		wattrset(w, tui_attr(arm_role(i)) | (i == r->winner ? A_BOLD : 0));
		tui_put_label(w, y + 1 + i, x + width - valw, val, valw);
	}
	wattrset(w, tui_attr(TUI_NORMAL));
}

/* Arm names are data (any script, any width): they get a cell of NAMEW
 * display columns, the figures after them are ASCII. */
#define NAMEW 8

static void draw_table(WINDOW *w, int y, int x, int width, const struct exp_analysis *an)
{
	const struct ab_result *r = &an->res;
	char head[160], ctl[64];
	snprintf(ctl, sizeof ctl, "P(beat %s)", an->in.name[r->control]);
	if (tui_text_width(ctl) > 11)
		snprintf(ctl, sizeof ctl, "P(beat ctl)");
	if (width <= NAMEW + 1)
		return;
	header(w, y, x, NAMEW + 1, "arm", 0);
	wattrset(w, tui_attr(TUI_HEADER));
	/* right-aligned in its 11 cells whatever the control's name is */
	{
		int pad = 11 - tui_text_width(ctl), cx = x + NAMEW + 1;
		char lift[16];
		snprintf(lift, sizeof lift, "%7s ", "lift");
		cx += tui_put_label(w, y, cx, lift, width - (cx - x));
		if (pad > 0 && cx - x + pad < width)
			mvwprintw(w, y, cx, "%*s", pad, ""), cx += pad;
		cx += tui_put_text(w, y, cx, ctl, width - (cx - x));
		snprintf(head, sizeof head, " %8s %7s %7s", "exp.loss", r->narms > 2 ? "p(Holm)" : "p", "p(seq)");
		if (cx - x < width)
			tui_put_label(w, y, cx, head, width - (cx - x));
	}
	wattrset(w, tui_attr(TUI_NORMAL));
	for (int i = 0; i < r->narms; i++) {
		char line[160], lift[16] = "-", beat[16] = "-", loss[16], pv[16] = "-", sp[16] = "-";
		const struct ab_cmp_stats *c = &r->cmp[i];
		if (i != r->control) {
			if (c->rel_lift_ok)
				fmt_pct(lift, sizeof lift, c->rel_lift, 1);
			snprintf(beat, sizeof beat, "%.1f%%", c->prob_beat * 100);
			snprintf(pv, sizeof pv, "%.2g", r->narms > 2 ? c->p_value_adj : c->p_value);
			snprintf(sp, sizeof sp, "%.2g", c->seq_p);
		}
		snprintf(loss, sizeof loss, "%.3f%%", r->arm[i].expected_loss * 100);
		snprintf(line, sizeof line, " %7s %11s %8s %7s %7s", lift, beat, loss, pv, sp);
		wattrset(w, tui_attr(arm_role(i)) | (i == r->winner ? A_BOLD : 0));
		/* the name sanitized and cut at a character with an ellipsis, never mid-character */
		tui_put_cell(w, y + 1 + i, x, an->in.name[i], NAMEW, 0);
		tui_put_text(w, y + 1 + i, x + NAMEW, wf_fold(line), width - NAMEW);
	}
	wattrset(w, tui_attr(TUI_NORMAL));
}

static void draw_posterior(WINDOW *w, int y, int x, int width, int rows, const struct exp_analysis *an)
{
	const struct ab_result *r = &an->res;
	int utf8 = tui_utf8(), cw = width - 1, pw = cw * 2;
	double xlo = INFINITY, xhi = -INFINITY, ymax = 0;
	char lab[96], a[16], b[16];
	for (int i = 0; i < r->narms; i++)
		for (int k = 0; k < EXP_DENSITY_POINTS; k++) {
			if (an->dens_x[i][k] < xlo) xlo = an->dens_x[i][k];
			if (an->dens_x[i][k] > xhi) xhi = an->dens_x[i][k];
			if (an->dens_y[i][k] > ymax) ymax = an->dens_y[i][k];
		}
	fmt_pct(a, sizeof a, xlo, 0);
	fmt_pct(b, sizeof b, xhi, 0);
	snprintf(lab, sizeof lab, "posterior of the rate, %s to %s", a, b);
	/* the legend first: the header text gets the room left of it */
	int lgw = legend(w, y, x, width - 1, an);
	header(w, y, x, lgw ? width - 1 - lgw - 1 : width, lab, an->meta.simulated);
	if (rows < 1 || cw < 4 || !(xhi > xlo))
		return;
	struct chart_canvas *c = chart_canvas_new(cw, rows);
	double *vals = xmalloc((size_t)pw * sizeof *vals);
	for (int i = 0; i < r->narms; i++) {
		for (int px = 0; px < pw; px++) {
			double xv = xlo + (xhi - xlo) * px / (pw - 1);
			const double *dx = an->dens_x[i], *dy = an->dens_y[i];
			vals[px] = NAN;
			if (xv < dx[0] || xv > dx[EXP_DENSITY_POINTS - 1])
				continue;
			for (int k = 1; k < EXP_DENSITY_POINTS; k++)
				if (xv <= dx[k]) {
					double t = dx[k] > dx[k - 1] ? (xv - dx[k - 1]) / (dx[k] - dx[k - 1]) : 0;
					vals[px] = dy[k - 1] + t * (dy[k] - dy[k - 1]);
					break;
				}
		}
		chart_canvas_series(c, vals, pw, 0, ymax, i + 1);
	}
	free(vals);
	struct chart_grid *g = chart_grid_new(cw, rows);
	chart_canvas_blit(c, g, 0, 0, utf8);
	put_grid(w, y + 1, x, g, an);
	chart_grid_free(g);
	chart_canvas_free(c);
}

static void draw_cumulative(WINDOW *w, int y, int x, int width, int rows, const struct exp_analysis *an)
{
	const struct ab_result *r = &an->res;
	int utf8 = tui_utf8(), nd = an->ndays, k = r->narms;
	double lo = INFINITY, hi = -INFINITY;
	char lab[160], a[16], b[16];
	for (int d = 0; d < nd; d++)
		for (int i = 0; i < k; i++) {
			double v = an->cum_rate[d * k + i];
			if (an->cum_n[d * k + i] > 0 && isfinite(v)) {
				if (v < lo) lo = v;
				if (v > hi) hi = v;
			}
		}
	fmt_pct(a, sizeof a, lo, 0);
	fmt_pct(b, sizeof b, hi, 0);
	snprintf(lab, sizeof lab, "cumulative rate by day (%d), %s to %s", nd, a, b);
	/* the legend first: the header text gets the room left of it */
	int lgw = legend(w, y, x, width - 1, an);
	header(w, y, x, lgw ? width - 1 - lgw - 1 : width, lab, an->meta.simulated);
	if (rows < 1 || width < 6 || nd < 1 || !(hi >= lo))
		return;
	struct chart_canvas *c = chart_canvas_new(width - 1, rows);
	double *vals = xmalloc((size_t)nd * sizeof *vals);
	for (int i = 0; i < k; i++) {
		for (int d = 0; d < nd; d++)
			vals[d] = an->cum_n[d * k + i] > 0 ? an->cum_rate[d * k + i] : NAN;
		chart_canvas_series(c, vals, nd, lo, hi > lo ? hi : lo + 1e-6, i + 1);
	}
	free(vals);
	struct chart_grid *g = chart_grid_new(width - 1, rows);
	chart_canvas_blit(c, g, 0, 0, utf8);
	put_grid(w, y + 1, x, g, an);
	chart_grid_free(g);
	chart_canvas_free(c);
}

static void draw_banner(WINDOW *w, int y, int x, int width, const struct exp_analysis *an)
{
	const struct ab_result *r = &an->res;
	char buf[256], vis[32], plan[32];
	tui_thousands(vis, sizeof vis, (long long)an->visitors);
	if (r->srm_warning) {
		snprintf(buf, sizeof buf, "SRM WARNING: split off plan (p %.2g) — check assignment before trusting this ",
		         r->srm_p);
		wattrset(w, tui_attr(TUI_ERROR) | A_BOLD | A_REVERSE);
	} else {
		snprintf(buf, sizeof buf, "SRM ok (p %.2f) · ", r->srm_p);
		wattrset(w, tui_attr(TUI_OK));
	}
	int used = tui_put_label(w, y, x, wf_fold(buf), width);
	wattrset(w, tui_attr(TUI_NORMAL));
	if (an->planned_total > 0) {
		tui_thousands(plan, sizeof plan, (long long)an->planned_total);
		snprintf(buf, sizeof buf, "%s of %s planned visitors ", vis, plan);
		used += tui_put_label(w, y, x + used, buf, width - used);
		int barw = width - used - 6;
		if (barw > 30) barw = 30;
		if (barw >= 4) {
			char *bar = chart_progress(an->progress, barw, tui_utf8());
			wattrset(w, tui_attr(TUI_FILL));
			used += tui_put_label(w, y, x + used, bar, barw);
			free(bar);
			wattrset(w, tui_attr(TUI_NORMAL));
		}
		snprintf(buf, sizeof buf, " %.0f%%", an->progress * 100);
		tui_put_label(w, y, x + used, buf, width - used);
	} else {
		snprintf(buf, sizeof buf, "%s visitors (no planned size)", vis);
		tui_put_label(w, y, x + used, buf, width - used);
	}
}

/* The two verdicts, each wrapped to the width: "fixed horizon: …" then
 * "sequential: …". Draws at most max lines from y (none when w is NULL) and
 * returns how many lines the whole text takes. */
static int draw_verdict(WINDOW *w, int y, int x, int width, int max, const struct exp_analysis *an)
{
	const struct ab_result *r = &an->res;
	char *parts[2];
	int used = 0;
	parts[0] = wf_fold(xasprintf("fixed horizon: %s", r->verdict_text));
	parts[1] = wf_fold(xasprintf("sequential: %s", r->seq_verdict_text));
	for (int k = 0; k < 2; k++) {
		struct wrap_line *wl;
		size_t n = wrap_text(parts[k], width, &wl);
		for (size_t i = 0; i < n; i++, used++) {
			if (!w || used >= max)
				continue;
			int win = k == 0 ? r->verdict == AB_WINNER : r->seq_verdict == AB_WINNER;
			wattrset(w, tui_attr(win ? TUI_OK : TUI_NORMAL) | (i == 0 ? A_BOLD : 0));
			tui_put_textn(w, y + used, x + (i ? 2 : 0), parts[k] + wl[i].off, wl[i].len,
			              width - (i ? 2 : 0));
		}
		free(wl);
		free(parts[k]);
	}
	if (w)
		wattrset(w, tui_attr(TUI_NORMAL));
	return used;
}

/* The arm to headline: the winner, else the arm most likely best. */
static int headline_arm(const struct ab_result *r)
{
	if (r->winner >= 0)
		return r->winner;
	int best = r->control == 0 && r->narms > 1 ? 1 : 0;
	for (int i = 0; i < r->narms; i++)
		if (i != r->control && r->arm[i].prob_best > r->arm[best].prob_best)
			best = i;
	return best;
}

static void draw_big(WINDOW *w, int h, int wd, const struct exp_analysis *an)
{
	const struct ab_result *r = &an->res;
	int utf8 = tui_utf8(), arm = headline_arm(r);
	char t1[64], t2[64], sub[256];
	const struct ab_cmp_stats *c = &r->cmp[arm];
	/* A name big type cannot draw (Chinese) goes on its own line in bold
	 * above the figure instead of coming out blank. */
	int name_big = chart_big_can(an->in.name[arm]) && tui_text_width(an->in.name[arm]) <= 8;
	if (name_big)
		snprintf(t1, sizeof t1, "%s %+.1f%%", an->in.name[arm], c->rel_lift_ok ? c->rel_lift * 100 : 0.0);
	else
		snprintf(t1, sizeof t1, "%+.1f%%", c->rel_lift_ok ? c->rel_lift * 100 : 0.0);
	snprintf(t2, sizeof t2, "%.0f%%", c->prob_beat * 100);
	const char *lines[2] = { t1, t2 };
	char *subs[2];
	subs[0] = xasprintf("%s: %s lift over %s (control), %s", r->winner >= 0 ? "winner" : "leading",
	                    an->in.name[arm], an->in.name[r->control],
	                    r->winner >= 0 ? "significant" : "not significant yet");
	subs[1] = xasprintf("chance that %s beats %s", an->in.name[arm], an->in.name[r->control]);
	int y = 2;
	if (!name_big) {
		int nw = tui_text_width(an->in.name[arm]);
		wattrset(w, tui_attr(r->winner >= 0 ? TUI_OK : TUI_WARN) | A_BOLD);
		tui_put_text(w, 1, nw < wd - 2 ? (wd - nw) / 2 : 1, an->in.name[arm], wd - 2);
		wattrset(w, tui_attr(TUI_NORMAL));
	}
	for (int k = 0; k < 2; k++) {
		char *rows[CHART_BIG_ROWS];
		int bw = chart_big_text(lines[k], utf8, rows);
		int x = bw < wd - 2 ? (wd - bw) / 2 : 1;
		wattrset(w, tui_attr(k == 0 ? (r->winner >= 0 ? TUI_OK : TUI_WARN) : TUI_KEY) | A_BOLD);
		for (int i = 0; i < CHART_BIG_ROWS; i++) {
			if (y + i < h - 1)
				tui_put_label(w, y + i, x, rows[i], wd - 1 - x);
			free(rows[i]);
		}
		wattrset(w, tui_attr(TUI_NORMAL));
		y += CHART_BIG_ROWS;
		if (y < h - 1) {
			int sw = tui_text_width(subs[k]);
			tui_put_text(w, y, sw < wd - 2 ? (wd - sw) / 2 : 1, subs[k], wd - 2);
		}
		y += 2;
		free(subs[k]);
	}
	snprintf(sub, sizeof sub, "%s%s · B returns to the charts", an->meta.name,
	         an->meta.simulated ? " · SIMULATED" : "");
	if (y < h - 1) {
		wattrset(w, tui_attr(an->meta.simulated ? TUI_WARN : TUI_DIM));
		tui_put_text(w, h - 2, 2, wf_fold(sub), wd - 4);
		wattrset(w, tui_attr(TUI_NORMAL));
	}
}

static void results_draw(struct pane *p)
{
	struct rstate *s = ST(p);
	WINDOW *w = p->win;
	int h = getmaxy(w), wd = getmaxx(w);
	werase(w);
	tui_box(w, 0, 0, h, wd, 1);
	if (!s->an) {
		tui_box_title(w, 0, 0, wd, s->name ? s->name : "Results", 1);
		wattrset(w, tui_attr(s->name ? TUI_ERROR : TUI_DIM));
		const char *msg = s->err ? s->err : "";
		struct wrap_line *wl;
		size_t n = wrap_text(msg, wd - 4, &wl);
		for (size_t i = 0; i < n && 2 + (int)i < h - 1; i++)
			tui_put_textn(w, 2 + (int)i, 2, msg + wl[i].off, wl[i].len, wd - 4);
		free(wl);
		wattrset(w, tui_attr(TUI_NORMAL));
		return;
	}
	const struct exp_analysis *an = s->an;
	const struct ab_result *r = &an->res;
	char title[256];
	snprintf(title, sizeof title, "%s · %d arms · %d day%s%s%s%s", an->meta.name, r->narms, an->ndays,
	         an->ndays == 1 ? "" : "s", an->meta.simulated ? " · SIMULATED" : "",
	         s->watching ? " · watching " : "", s->watching ? s->watching : "");
	tui_box_title(w, 0, 0, wd, wf_fold(title), 1);
	if (s->big) {
		draw_big(w, h, wd, an);
		return;
	}
	int iw = wd - 2, ih = h - 2, k = r->narms, x = 1, y = 1;
	/* Continuation lines are indented by 2: wrap to iw - 2 so they fit. */
	int nv = draw_verdict(NULL, 0, 0, iw - 2, 0, an);
	if (nv > 4)
		nv = 4;
	if (wd >= 110) {
		int lw = iw * 52 / 100, rw = iw - lw - 1;
		int top = 1 + k;                          /* intervals | table */
		/* gap, chart headers, a blank line, the banner and the verdict lines */
		int chart_rows = ih - top - 1 - 1 - 1 - 1 - nv;
		if (chart_rows > 14) chart_rows = 14;
		if (chart_rows < 1) chart_rows = 1;
		draw_intervals(w, y, x, lw, an);
		draw_table(w, y, x + lw + 1, rw, an);
		y += top + 1;
		draw_posterior(w, y, x, lw, chart_rows, an);
		draw_cumulative(w, y, x + lw + 1, rw, chart_rows, an);
		y += 1 + chart_rows + 1;
	} else {
		int fixed = (1 + k) * 2 + 2 + 1 + nv;     /* intervals, table, two chart headers, banner, verdict */
		int chart_rows = (ih - fixed) / 2;
		if (chart_rows > 10) chart_rows = 10;
		draw_intervals(w, y, x, iw, an);
		y += 1 + k;
		draw_table(w, y, x, iw, an);
		y += 1 + k;
		if (chart_rows >= 1) {
			draw_posterior(w, y, x, iw, chart_rows, an);
			y += 1 + chart_rows;
			draw_cumulative(w, y, x, iw, chart_rows, an);
			y += 1 + chart_rows;
		}
	}
	if (y < h - 1)
		draw_banner(w, y++, x, iw, an);
	if (y < h - 1)
		draw_verdict(w, y, x, iw - 2, h - 1 - y, an);
}

/* ---- keys ---- */

static void step(struct pane *p, int dir)
{
	struct rstate *s = ST(p);
	struct cl_err err = {0};
	struct exp_summary *v;
	size_t n;
	if (exp_list(app_workspace(p->app), &v, &n, &err)) {
		app_error(p->app, &err);
		return;
	}
	size_t at = 0;
	for (size_t i = 0; i < n; i++)
		if (s->name && strcmp(v[i].meta.name, s->name) == 0)
			at = i;
	if (n) {
		size_t t = (at + n + (dir > 0 ? 1 : n - 1)) % n;
		results_show(p, v[t].meta.name);
	}
	exp_list_free(v, n);
}

static int results_key(struct pane *p, int action, int ch)
{
	struct rstate *s = ST(p);
	switch (action) {
	case R_PREV: step(p, -1); return PANE_REDRAW;
	case R_NEXT: step(p, 1); return PANE_REDRAW;
	case R_BIG:
		if (!s->an)
			return PANE_HANDLED;
		s->big = !s->big;
		clearok(p->win, TRUE);
		return PANE_REDRAW;
	case R_RELOAD: load(p); return PANE_REDRAW;
	case R_ESC:
		if (s->big) {
			s->big = 0;
			clearok(p->win, TRUE);
			return PANE_REDRAW;
		}
		return PANE_IGNORED;
	}
	return PANE_IGNORED;
}

/* ---- :abimport and :abwatch ---- */

static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *n = xstrdup(b ? b + 1 : path), *dot = strrchr(n, '.');
	if (dot && dot != n)
		*dot = 0;
	return n;
}

static int import_file(struct app *a, const char *path, const char *name, int quiet)
{
	struct cl_err err = {0};
	struct exp_data *d = NULL;
	struct exp_meta meta = {0};
	struct pane *vp = app_pane(a, "Variants");
	long long run = vp ? variants_run_id(vp) : 0;
	if (exp_data_read_csv(path, NULL, 0, &d, &err)) {
		app_error(a, &err);
		return -1;
	}
	int linked = exp_link_variants(app_workspace(a), d, run, &err);
	if (linked < 0) {
		exp_data_free(d);
		app_error(a, &err);
		return -1;
	}
	char *nm = name ? xstrdup(name) : base_name(path);
	meta.name = nm;
	meta.run_id = linked > 0 ? run : 0;
	char *src = xstrdup(path);
	meta.source = src;
	int rc = exp_save(app_workspace(a), &meta, d, 1, &err);
	exp_data_free(d);
	free(src);
	if (rc) {
		app_error(a, &err);
		free(nm);
		return -1;
	}
	struct pane *p = app_pane(a, "Results");
	results_show(p, nm);
	app_changed(a, PANE_CHANGED_RESULTS);
	if (!quiet)
		app_msg(a, "imported %s as experiment '%s' (%d arm%s linked to variants)", path, nm, linked,
		        linked == 1 ? "" : "s");
	free(nm);
	return 0;
}

static int cmd_abimport(struct app *a, int argc, char **argv, const char *rest)
{
	if (argc < 2 || argc > 3) {
		app_errorf(a, "usage: abimport FILE [NAME]");
		return -1;
	}
	if (import_file(a, argv[1], argc == 3 ? argv[2] : NULL, 0))
		return -1;
	app_focus(a, app_pane(a, "Results"));
	return 0;
}

struct watch {
	struct app *a;
	char  *path, *name;
	time_t mtime;
	off_t  size;
	long   mtime_ns;
	int    stop, reloads;
};

static int watch_poll(void *ctx, struct pollfd *fds, int nfds, int timeout_ms)
{
	struct watch *wt = ctx;
	struct stat st;
	if (wt->stop)
		return 0;
	if (timeout_ms > 100 || timeout_ms < 0)
		timeout_ms = 100;   /* short: a generation job may be waiting behind this one */
	if (nfds > 0 && timeout_ms > 0)
		poll(fds, (nfds_t)nfds, timeout_ms);
	if (stat(wt->path, &st) == 0 &&
	    (st.st_mtime != wt->mtime || st.st_mtim.tv_nsec != wt->mtime_ns || st.st_size != wt->size)) {
		wt->mtime = st.st_mtime;
		wt->mtime_ns = st.st_mtim.tv_nsec;
		wt->size = st.st_size;
		if (import_file(wt->a, wt->path, wt->name, 1) == 0) {
			wt->reloads++;
			app_msg(wt->a, "%s changed: results re-read (%d)", wt->path, wt->reloads);
		}
	}
	return 1;
}

static void watch_status(void *ctx, char *buf, size_t len)
{
	struct watch *wt = ctx;
	snprintf(buf, len, "watching %s (%d reload%s)", wt->path, wt->reloads, wt->reloads == 1 ? "" : "s");
}

static void watch_cancel(void *ctx)
{
	((struct watch *)ctx)->stop = 1;
}

static void watch_done(void *ctx)
{
	struct watch *wt = ctx;
	struct pane *p = app_pane(wt->a, "Results");
	if (p && ST(p)->watching) {
		FREE(&ST(p)->watching);
		pane_dirty(p);
	}
	app_msg(wt->a, "stopped watching %s", wt->path);
	free(wt->path);
	free(wt->name);
	free(wt);
}

/* Watching a file sends no requests and loses nothing when stopped: a quiet
 * job (q quits without asking), not counted in flight. */
static int watch_in_flight(void *ctx)
{
	(void)ctx;
	return 0;
}

static const struct app_job_ops watch_ops = {
	.name = "abwatch",
	.quiet = 1,
	.poll = watch_poll,
	.status = watch_status,
	.cancel = watch_cancel,
	.done = watch_done,
	.in_flight = watch_in_flight,
};

static int cmd_abwatch(struct app *a, int argc, char **argv, const char *rest)
{
	struct stat st;
	struct pane *p = app_pane(a, "Results");
	if (argc < 2 || argc > 3) {
		app_errorf(a, "usage: abwatch FILE [NAME] (Esc stops watching)");
		return -1;
	}
	if (ST(p)->watching) {
		app_errorf(a, "already watching %s (Esc stops it)", ST(p)->watching);
		return -1;
	}
	if (stat(argv[1], &st) != 0) {
		app_errorf(a, "%s: cannot read it", argv[1]);
		return -1;
	}
	if (import_file(a, argv[1], argc == 3 ? argv[2] : NULL, 1))
		return -1;
	struct watch *wt = xcalloc(1, sizeof *wt);
	wt->a = a;
	wt->path = xstrdup(argv[1]);
	wt->name = argc == 3 ? xstrdup(argv[2]) : base_name(argv[1]);
	wt->mtime = st.st_mtime;
	wt->mtime_ns = st.st_mtim.tv_nsec;
	wt->size = st.st_size;
	ST(p)->watching = xstrdup(argv[1]);
	app_job_add(a, &watch_ops, wt);
	app_focus(a, p);
	app_msg(a, "watching %s: the pane follows every change (Esc stops)", argv[1]);
	return 0;
}

static int cmd_results(struct app *a, int argc, char **argv, const char *rest)
{
	struct pane *p = app_pane(a, "Results");
	if (argc != 2) {
		app_errorf(a, "usage: results EXPERIMENT");
		return -1;
	}
	results_show(p, argv[1]);
	app_focus(a, p);
	return ST(p)->an ? 0 : -1;
}

static const struct app_cmd results_cmds[] = {
	{ "abimport", "abimport FILE [NAME]", "import A/B results (CSV: arm,n,conversions[,date]) and show them",
	  "file any", cmd_abimport },
	{ "abwatch", "abwatch FILE [NAME]", "show A/B results and re-read FILE whenever it changes",
	  "file any", cmd_abwatch },
	{ "results", "results EXPERIMENT", "show a stored experiment in the Results pane", "any", cmd_results },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* ---- life cycle ---- */

static int results_init(struct pane *p)
{
	p->data = xcalloc(1, sizeof(struct rstate));
	load(p);
	return 0;
}

static void results_free(struct pane *p)
{
	struct rstate *s = ST(p);
	exp_analysis_free(s->an);
	free(s->name);
	free(s->err);
	free(s->watching);
	free(s);
	p->data = NULL;
}

static void results_changed(struct pane *p, unsigned what)
{
	struct rstate *s = ST(p);
	if ((what & (PANE_CHANGED_RESULTS | PANE_CHANGED_TABLES)) && !s->watching)
		load(p);
}

const struct pane_type pane_results_type = {
	.name = "Results",
	.hints = "[ ] experiment  B big type  r reload",
	.init = results_init,
	.free = results_free,
	.key = results_key,
	.draw = results_draw,
	.keys = results_keys,
	.changed = results_changed,
	.cmds = results_cmds,
};
