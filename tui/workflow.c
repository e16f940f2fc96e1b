/* workflow.c — the generation job behind `g` and `i`, the $EDITOR escape
 * hatch, and small drawing helpers shared by the workflow panes. */
#include "tui/workflow.h"
#include "tui/draw.h"
#include "core/config.h"
#include "core/plugin.h"
#include "core/workflow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the generation job ---- */

struct genctx {
	struct app        *a;
	struct gen_job    *job;
	struct cl_config  *cfg;
	struct iter_winners w;       /* winners of the previous round (iterate), n = 0 otherwise */
	char              *feedback;
	long long          parent_run;
	int                done;
	char               status[16];
	int                stored, failed;
	struct gen_spec    spec;     /* a deep copy: the job may keep pointers into it */
	char              *strs[10];
	char             **vars;
	long long         *parents;
};

static const char *keep_str(struct genctx *g, int i, const char *v)
{
	g->strs[i] = v ? xstrdup(v) : NULL;
	return g->strs[i];
}

static void spec_copy(struct genctx *g, const struct gen_spec *src)
{
	g->spec = *src;
	g->spec.template_name = keep_str(g, 0, src->template_name);
	g->spec.prompt_text = keep_str(g, 1, src->prompt_text);
	g->spec.row = keep_str(g, 2, src->row);
	g->spec.segment = keep_str(g, 3, src->segment);
	g->spec.extra_prompt = keep_str(g, 4, src->extra_prompt);
	g->spec.provider = keep_str(g, 5, src->provider);
	g->spec.model = keep_str(g, 6, src->model);
	g->spec.feedback = keep_str(g, 7, src->feedback);
	g->spec.mutation = keep_str(g, 8, src->mutation);
	if (src->nvars) {
		g->vars = xcalloc(src->nvars, sizeof *g->vars);
		for (size_t i = 0; i < src->nvars; i++)
			g->vars[i] = xstrdup(src->vars[i]);
		g->spec.vars = (const char *const *)g->vars;
	}
	if (src->nparents) {
		g->parents = xcalloc(src->nparents, sizeof *g->parents);
		memcpy(g->parents, src->parent_ids, src->nparents * sizeof *g->parents);
		g->spec.parent_ids = g->parents;
	}
	g->spec.log = NULL;
}

static void genctx_free(struct genctx *g)
{
	for (int i = 0; i < 10; i++)
		free(g->strs[i]);
	for (size_t i = 0; g->vars && i < g->spec.nvars; i++)
		free(g->vars[i]);
	free(g->vars);
	free(g->parents);
	config_free(g->cfg);
	iter_winners_clear(&g->w);
	free(g->feedback);
	free(g);
}

static struct pane *vpane(struct app *a) { return app_pane(a, "Variants"); }

static void cb_token(void *ud, int idx, const char *text, size_t n)
{
	struct genctx *g = ud;
	struct pane *p = vpane(g->a);
	if (p)
		variants_live_token(p, idx, text, n);
}

static void cb_retry(void *ud, int idx, int attempt, long delay_ms, const char *why)
{
	struct genctx *g = ud;
	struct pane *p = vpane(g->a);
	app_log(g->a, 1, "variant %d: retry %d in %ld ms: %s", idx, attempt, delay_ms, why ? why : "");
	if (p)
		variants_live_retry(p, idx);
}

static void cb_error(void *ud, int idx, const char *msg)
{
	struct genctx *g = ud;
	struct pane *p = vpane(g->a);
	if (idx < 0) {
		app_errorf(g->a, "generation: %s", msg ? msg : "failed");
		return;
	}
	g->failed++;
	app_log(g->a, 0, "variant %d failed: %s", idx, msg ? msg : "");
	if (p)
		variants_live_error(p, idx, msg);
}

static void cb_variant(void *ud, int idx, const struct gen_variant *v)
{
	struct genctx *g = ud;
	struct pane *p = vpane(g->a);
	if (!v->error)
		g->stored++;
	if (v->cost > 0)
		app_add_cost(g->a, v->cost);
	if (p)
		variants_live_variant(p, idx);
}

static void cb_done(void *ud, long long run_id, const char *status)
{
	struct genctx *g = ud;
	g->done = 1;
	snprintf(g->status, sizeof g->status, "%s", status ? status : "done");
}

static int job_poll(void *ctx, struct pollfd *fds, int nfds, int timeout_ms)
{
	struct genctx *g = ctx;
	struct cl_err err = {0};
	if (g->done)
		return 0;
	if (gen_job_poll(g->job, fds, nfds, timeout_ms, &err) < 0) {
		app_error(g->a, &err);
		gen_job_cancel(g->job);
	}
	return g->done ? 0 : 1;
}

static void job_status(void *ctx, char *buf, size_t len)
{
	struct genctx *g = ctx;
	int total = gen_job_count(g->job), flight = gen_job_in_flight(g->job);
	snprintf(buf, len, "%d in flight · %d/%d done", flight, total - flight, total);
}

static int job_in_flight(void *ctx)
{
	struct genctx *g = ctx;
	return g->done ? 0 : gen_job_in_flight(g->job);
}

static void job_cancel(void *ctx)
{
	struct genctx *g = ctx;
	if (!g->done)
		gen_job_cancel(g->job);
}

static void job_done(void *ctx)
{
	struct genctx *g = ctx;
	struct app *a = g->a;
	struct cl_err err = {0};
	long long run = gen_job_run_id(g->job);
	struct pane *p = vpane(a);

	if (g->w.n && run && iterate_link_round(app_workspace(a), run, g->parent_run, g->feedback,
	                                         &g->w, !gen_job_local(g->job), &err))
		app_error(a, &err);
	if (run)
		wf_score(a, run);
	if (p)
		variants_live_end(p, g->status);
	struct pane *hp = app_pane(a, "History");
	if (hp && run)
		history_show_run(hp, run);
	app_changed(a, PANE_CHANGED_RUNS);
	if (strcmp(g->status, "done") == 0)
		app_msg(a, "run %lld: %d variants%s%s, scored", run, g->stored,
		        g->failed ? ", failed: " : "", g->failed ? "some (see their columns)" : "");
	else
		app_msg(a, "run %lld %s: %d variants kept", run, g->status, g->stored);
	gen_job_free(g->job);
	genctx_free(g);
}

static const struct app_job_ops gen_ops = {
	.name = "generate",
	.poll = job_poll,
	.status = job_status,
	.cancel = job_cancel,
	.done = job_done,
	.in_flight = job_in_flight,
};

/* Copy winners so the job owns them after the caller frees its own. */
static void winners_copy(struct iter_winners *dst, const struct iter_winners *src)
{
	memset(dst, 0, sizeof *dst);
	if (!src || !src->n)
		return;
	dst->v = xcalloc(src->n, sizeof *dst->v);
	for (size_t i = 0; i < src->n; i++) {
		const struct iter_winner *s = &src->v[i];
		struct iter_winner *d = &dst->v[i];
		*d = *s;
		d->fields = xstrdup(s->fields ? s->fields : "{}");
		d->text = xstrdup(s->text ? s->text : "");
		d->scores = NULL;
		d->nscores = 0;
	}
	dst->n = src->n;
	dst->run_id = src->run_id;
	dst->round = src->round;
	dst->basis = xstrdup(src->basis ? src->basis : "");
}

int wf_generating(struct app *a)
{
	struct pane *p = vpane(a);
	return p && variants_live_active(p);
}

int wf_generate(struct app *a, const struct gen_spec *spec, const struct iter_winners *w)
{
	struct cl_err err = {0};
	struct genctx *g;
	struct gen_callbacks cb = {
		.on_token = cb_token, .on_retry = cb_retry, .on_error = cb_error,
		.on_variant = cb_variant, .on_done = cb_done,
	};
	if (wf_generating(a)) {
		app_errorf(a, "a generation is already running (Esc cancels it)");
		return -1;
	}
	g = xcalloc(1, sizeof *g);
	g->a = a;
	if (wf_config_load(a, &g->cfg, &err)) {
		app_error(a, &err);
		free(g);
		return -1;
	}
	winners_copy(&g->w, w);
	g->feedback = spec->feedback ? xstrdup(spec->feedback) : NULL;
	g->parent_run = spec->parent_run;
	spec_copy(g, spec);
	if (gen_job_start(app_workspace(a), g->cfg, &g->spec, &cb, g, &g->job, &err)) {
		app_error(a, &err);
		genctx_free(g);
		return -1;
	}
	struct pane *p = vpane(a);
	char *title = xasprintf("run %lld · %s%s%s · generating %d", gen_job_run_id(g->job),
	                        gen_job_provider(g->job), gen_job_model(g->job) ? " · " : "",
	                        gen_job_model(g->job) ? gen_job_model(g->job) : "", gen_job_count(g->job));
	if (p) {
		variants_live_begin(p, gen_job_run_id(g->job), gen_job_count(g->job), title);
		app_focus(a, p);
	}
	free(title);
	char *prov = xasprintf("%s%s%s", gen_job_provider(g->job),
	                       gen_job_model(g->job) && strcmp(gen_job_model(g->job), gen_job_provider(g->job))
	                           ? " · " : "",
	                       gen_job_model(g->job) && strcmp(gen_job_model(g->job), gen_job_provider(g->job))
	                           ? gen_job_model(g->job) : "");
	app_set_provider(a, prov);
	free(prov);
	app_job_add(a, &gen_ops, g);
	return 0;
}

int wf_score(struct app *a, long long run_id)
{
	struct cl_err err = {0};
	int rc = wf_score_run_with(app_workspace(a), run_id, app_plugins(a), NULL, &err);
	app_plugins_log(a);   /* a plugin scorer that crashed or hung is named in the log */
	if (rc) {
		app_error(a, &err);
		return -1;
	}
	return 0;
}

int wf_config_load(struct app *a, struct cl_config **cfg, struct cl_err *err)
{
	struct cl_err first = {0};
	struct plugin_host *h;
	*cfg = NULL;
	if (config_load(NULL, cfg, &first) == 0)
		return 0;
	/* config.json may name a plugin's provider type */
	if (!(h = app_plugins(a))) {
		*err = first;
		return -1;
	}
	struct provider_registry *reg = provider_registry_new();
	plugin_attach_providers(h, reg, err);
	if (config_load(reg, cfg, err)) {   /* the config took reg over, even on failure */
		*cfg = NULL;
		return -1;
	}
	return 0;
}

/* ---- $EDITOR ---- */

int wf_edit_external(struct app *a, const char *text, const char *suffix, char **out)
{
	const char *ed = getenv("VISUAL"), *tmp = getenv("TMPDIR");
	struct cl_err err = {0};
	int fd, status = 0;
	if (!suffix || strlen(suffix) > 8 || strchr(suffix, '/'))
		suffix = ".txt";
	char *path = xasprintf("%s/copylab-edit-XXXXXX%s", tmp && *tmp ? tmp : "/tmp", suffix);
	*out = NULL;
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0) {
		app_errorf(a, "editor: cannot make a temporary file: %s", strerror(errno));
		free(path);
		return -1;
	}
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			app_errorf(a, "editor: %s: %s", path, strerror(errno));
			close(fd);
			unlink(path);
			free(path);
			return -1;
		}
		off += (size_t)w;
	}
	close(fd);
	def_prog_mode();
	endwin();
	pid_t pid = fork();
	if (pid == 0) {
		char *cmd = xasprintf("%s \"$1\"", ed);
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	reset_prog_mode();
	/* repaint the whole screen from curses' picture of it (not stdscr, which
	 * the app does not draw on) */
	clearok(curscr, TRUE);
	doupdate();
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		app_errorf(a, "editor '%s' failed (exit %d); nothing changed", ed,
		           pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		unlink(path);
		free(path);
		return -1;
	}
	char *edited = NULL;
	size_t elen = 0;
	if (cl_read_file(path, &edited, &elen, &err)) {
		app_error(a, &err);
		unlink(path);
		free(path);
		return -1;
	}
	unlink(path);
	free(path);
	if (strcmp(edited, text) == 0) {
		free(edited);
		return 0;
	}
	*out = edited;
	return 0;
}

/* ---- helpers ---- */

int wf_score_role(double v)
{
	return v >= 0.7 ? TUI_OK : v >= 0.4 ? TUI_WARN : TUI_ERROR;
}

const char *wf_scorer_short(const char *name)
{
	static const struct { const char *name, *s; } map[] = {
		{ "channel_fit", "fit" }, { "readability", "read" }, { "sentiment", "sent" },
		{ "urgency", "urg" }, { "personalisation", "pers" }, { "numbers", "num" },
		{ "question", "q" }, { "deliverability", "deliv" }, { "compliance", "law" },
		{ "predicted", "pred" }, { "composite", "comp" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].name, name) == 0)
			return map[i].s;
	return name;
}

int wf_put_spans(WINDOW *w, int y, int x, const char *s, size_t n, int cols, int base,
                 const struct wf_span *spans, size_t nspans)
{
	size_t a = 0;
	int used = 0;
	while (a < n && used < cols) {
		size_t next = n;
		int role = base;
		for (size_t k = 0; k < nspans; k++) {
			size_t so = spans[k].off, se = so + spans[k].len;
			if (so <= a && a < se) {
				role = spans[k].role;
				next = se < n ? se : n;
				break;
			}
			if (so > a && so < next)
				next = so;
		}
		wattrset(w, tui_attr(role));
		used += tui_put_textn(w, y, x + used, s + a, next - a, cols - used);
		a = next;
	}
	wattrset(w, tui_attr(TUI_NORMAL));
	return used;
}


char *wf_fold(char *s)
{
	static const struct { const char *u, *a; } map[] = {
		{ "\u00b7", "-" }, { "\u2014", "-" }, { "\u2605", "*" }, { "\u2026", "..." },
		{ "\u22c8", "+" }, { "\u26a0", "!" }, { "\u25b8", ">" }, { "\u2192", "->" },
		{ "\u2212", "-" },
	};
	if (!s || tui_utf8())
		return s;
	char *out = s;
	for (const char *in = s; *in;) {
		size_t k, n = 0;
		for (k = 0; k < sizeof map / sizeof map[0]; k++) {
			n = strlen(map[k].u);
			if (strncmp(in, map[k].u, n) == 0)
				break;
		}
		if (k < sizeof map / sizeof map[0] && strlen(map[k].a) <= n) {
			size_t m = strlen(map[k].a);
			memmove(out, map[k].a, m);
			out += m;
			in += n;
		} else {
			*out++ = *in++;
		}
	}
	*out = 0;
	return s;
}
