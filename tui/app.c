/* app.c — the workbench shell: curses set-up, the one event loop, the top bar,
 * the bottom line, pane focus, the help overlay, ':' commands, search, line
 * input through readline, background jobs, mouse and resize.
 *
 * One loop turn: paint what is dirty (wnoutrefresh each, one doupdate), wait
 * in poll() — or in the first running job's poll hook — on stdin, the wake
 * pipe and the jobs' own descriptors, then read every key that is waiting and
 * dispatch it: an open prompt takes keys first, then the help overlay, then
 * the focused pane's key table, then the global table. Signal handlers only
 * set a flag and write to the wake pipe.
 */
#include "tui/tui.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/pane.h"
#include "tui/pane_data.h"
#include "tui/rl.h"
#include "tui/tjob.h"
#include "tui/cmd_report.h"
#include "core/browse.h"
#include "core/dataset.h"
#include "core/history.h"
#include "core/paths.h"
#include "core/plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define NPANES 5
#define MIN_COLS 80
#define MIN_LINES 24

static const struct pane_type *const pane_types[NPANES] = {
	&pane_data_type, &pane_prompt_type, &pane_variants_type,
	&pane_results_type, &pane_history_type,
};

struct hist {
	char   *kind;
	char  **lines;
	size_t  n;
};

struct job {
	const struct app_job_ops *ops;
	void *ctx;
	int   finished;
};

struct app {
	const struct tui_opts *opts;
	struct workspace *ws;
	char   *path;
	int     demo;
	struct pane panes[NPANES];
	int     focus;
	WINDOW *top, *bot, *in, *help, *pop;
	int     top_dirty, bot_dirty, help_dirty, pop_dirty, all_dirty;
	int     tab_x[NPANES], tab_w[NPANES];
	char    msg[512];
	int     msg_err;
	char    provider[128];
	double  cost;
	/* the open prompt */
	char   *prompt_kind;
	int     prompt_complete;
	app_line_fn prompt_fn;
	void   *prompt_ctx;
	char  **matches;
	int     nmatches;
	/* help overlay */
	int     help_open, help_scroll;
	char  **help_lines;
	int     nhelp;
	/* ':' commands */
	const struct app_cmd **cmdtabs;
	size_t  ncmdtabs;
	/* input history by kind, and lines waiting to be written */
	struct hist *hists;
	size_t  nhists;
	char  **pend_kind, **pend_line;
	size_t  npend;
	/* background jobs */
	struct job *jobs;
	size_t  njobs;
	char   *last_search;
	int     quit, confirm_quit, too_small;
	int     cursor_on;       /* terminal cursor: 1 shown for an editing pane, 0 hidden, -1 unknown */
	int     wake[2];
	int     saved_stderr;
	char   *log_path;
	int     verbose;
	FILE   *bench;
	SCREEN *screen;
	double  t0;
	int     frames;
	/* plugins, loaded on first use (app_plugins) */
	struct plugin_host *plugins;
	int     plugins_tried;
	char   *plugins_said;    /* the problems last logged */
};

/* Signal handlers may only set this and write to the wake pipe. */
static volatile sig_atomic_t got_signal;
static int signal_wake_fd = -1;

static void on_signal(int sig)
{
	char c = 1;
	got_signal = sig;
	if (signal_wake_fd >= 0) {
		ssize_t r = write(signal_wake_fd, &c, 1);
		(void)r;
	}
}

/* ---- small accessors ---- */

struct workspace *app_workspace(struct app *a) { return a->ws; }
const char *app_workspace_path(struct app *a) { return a->path; }
int app_utf8(struct app *a) { (void)a; return tui_utf8(); }
int app_prompt_active(struct app *a) { (void)a; return tui_rl_active(); }
int app_jobs(struct app *a) { return (int)a->njobs; }
void app_quit(struct app *a) { a->quit = 1; }
int app_demo(struct app *a) { return a->demo; }
struct pane *app_focused(struct app *a) { return &a->panes[a->focus]; }

void pane_dirty(struct pane *p)
{
	if (p)
		p->dirty = 1;
}

void app_wake(struct app *a)
{
	char c = 1;
	ssize_t r = write(a->wake[1], &c, 1);
	(void)r;
}

void app_log(struct app *a, int level, const char *fmt, ...)
{
	va_list ap;
	if (level > a->verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

struct plugin_host *app_plugins(struct app *a)
{
	struct cl_err err = {0};
	if (a->plugins_tried)
		return a->plugins;
	a->plugins_tried = 1;
	if (plugin_host_load_default(&a->plugins, &err)) {
		app_log(a, 0, "plugins: %s", err.msg);
		plugin_host_free(a->plugins);
		a->plugins = NULL;
	} else if (plugin_host_disabled(a->plugins) || !plugin_count(a->plugins)) {
		plugin_host_free(a->plugins);   /* COPYLAB_NO_PLUGINS, or none found */
		a->plugins = NULL;
	} else {
		app_log(a, 0, "plugins: %zu found", plugin_count(a->plugins));
		app_plugins_log(a);
	}
	return a->plugins;
}

void app_plugins_log(struct app *a)
{
	char *why = a->plugins ? plugin_host_problems(a->plugins) : NULL;
	if (why && (!a->plugins_said || strcmp(why, a->plugins_said) != 0))
		app_log(a, 0, "plugins: %s", why);
	free(a->plugins_said);
	a->plugins_said = why;
}

static void set_msg(struct app *a, int err, const char *fmt, va_list ap)
{
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	a->msg_err = err;
	a->bot_dirty = 1;
	if (err)
		app_log(a, 0, "error: %s", a->msg);
}

void app_msg(struct app *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_msg(a, 0, fmt, ap);
	va_end(ap);
}

void app_errorf(struct app *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_msg(a, 1, fmt, ap);
	va_end(ap);
}

void app_error(struct app *a, const struct cl_err *err)
{
	app_errorf(a, "%s", err && err->msg[0] ? err->msg : "failed");
}

void app_set_provider(struct app *a, const char *text)
{
	snprintf(a->provider, sizeof a->provider, "%s", text ? text : "");
	a->top_dirty = 1;
}

void app_add_cost(struct app *a, double dollars)
{
	a->cost += dollars;
	a->top_dirty = 1;
}

struct pane *app_pane(struct app *a, const char *name)
{
	for (int i = 0; i < NPANES; i++)
		if (a->panes[i].type && strcasecmp(a->panes[i].type->name, name) == 0)
			return &a->panes[i];
	return NULL;
}

void app_focus(struct app *a, struct pane *p)
{
	int idx = (int)(p - a->panes);
	if (idx < 0 || idx >= NPANES || idx == a->focus)
		return;
	if (a->panes[a->focus].type->focus)
		a->panes[a->focus].type->focus(&a->panes[a->focus], 0);
	a->focus = idx;
	touchwin(p->win);
	p->dirty = 1;
	a->top_dirty = 1;
	a->bot_dirty = 1;   /* the pane's key hints */
	if (p->type->focus)
		p->type->focus(p, 1);
}

void app_changed(struct app *a, unsigned what)
{
	for (int i = 0; i < NPANES; i++)
		if (a->panes[i].type->changed)
			a->panes[i].type->changed(&a->panes[i], what);
}

/* ---- history ---- */

static struct hist *hist_get(struct app *a, const char *kind)
{
	struct cl_err err = {0};
	struct hist *h;
	for (size_t i = 0; i < a->nhists; i++)
		if (strcmp(a->hists[i].kind, kind) == 0)
			return &a->hists[i];
	a->hists = xreallocarray(a->hists, a->nhists + 1, sizeof *a->hists);
	h = &a->hists[a->nhists++];
	memset(h, 0, sizeof *h);
	h->kind = xstrdup(kind);
	if (history_load(a->ws, kind, HISTORY_MAX, &h->lines, &h->n, &err))
		app_error(a, &err);
	return h;
}

static void hist_flush(struct app *a)
{
	struct cl_err err = {0};
	if (a->njobs)
		return;   /* a job may hold the write lock: keep them for later */
	for (size_t i = 0; i < a->npend; i++) {
		if (history_add(a->ws, a->pend_kind[i], a->pend_line[i], &err))
			app_log(a, 0, "history: %s", err.msg);
		free(a->pend_kind[i]);
		free(a->pend_line[i]);
	}
	a->npend = 0;
}

static void hist_add(struct app *a, const char *kind, const char *line)
{
	struct hist *h = hist_get(a, kind);
	if (!*line || (h->n && strcmp(h->lines[h->n - 1], line) == 0))
		return;
	h->lines = xreallocarray(h->lines, h->n + 1, sizeof *h->lines);
	h->lines[h->n++] = xstrdup(line);
	a->pend_kind = xreallocarray(a->pend_kind, a->npend + 1, sizeof *a->pend_kind);
	a->pend_line = xreallocarray(a->pend_line, a->npend + 1, sizeof *a->pend_line);
	a->pend_kind[a->npend] = xstrdup(kind);
	a->pend_line[a->npend++] = xstrdup(line);
	hist_flush(a);
}

/* ---- commands ---- */

static int cmd_quit(struct app *a, int argc, char **argv, const char *rest);
static int cmd_help(struct app *a, int argc, char **argv, const char *rest);
static int cmd_pane(struct app *a, int argc, char **argv, const char *rest);
static int cmd_samples(struct app *a, int argc, char **argv, const char *rest);

static const struct app_cmd global_cmds[] = {
	{ "q", "q", "quit copylab", NULL, cmd_quit },
	{ "quit", "quit", "quit copylab", NULL, cmd_quit },
	{ "help", "help", "show the keys and commands", NULL, cmd_help },
	{ "samples", "samples", "import the bundled sample data (customers, products, campaigns, reviews, A/B results)",
	  NULL, cmd_samples },
	{ "pane", "pane NAME", "go to a pane (Data, Prompt, Variants, Results, History)",
	  "word:Data,Prompt,Variants,Results,History", cmd_pane },
	{ NULL, NULL, NULL, NULL, NULL },
};

void app_commands_add(struct app *a, const struct app_cmd *table)
{
	for (size_t i = 0; i < a->ncmdtabs; i++)
		if (a->cmdtabs[i] == table)
			return;
	a->cmdtabs = xreallocarray(a->cmdtabs, a->ncmdtabs + 1, sizeof *a->cmdtabs);
	a->cmdtabs[a->ncmdtabs++] = table;
}

static const struct app_cmd *cmd_find(struct app *a, const char *name, int *ambiguous)
{
	const struct app_cmd *hit = NULL;
	size_t len = strlen(name);
	int n = 0;
	*ambiguous = 0;
	for (size_t t = 0; t < a->ncmdtabs; t++)
		for (const struct app_cmd *c = a->cmdtabs[t]; c->name; c++)
			if (strcmp(c->name, name) == 0)
				return c;
	for (size_t t = 0; t < a->ncmdtabs; t++)
		for (const struct app_cmd *c = a->cmdtabs[t]; c->name; c++)
			if (strncmp(c->name, name, len) == 0)
				hit = c, n++;
	if (n > 1)
		*ambiguous = 1;
	return n == 1 ? hit : NULL;
}

/* Split s at blanks, '…' and "…" quoting; returns argc, argv malloc'd. */
static int split_args(const char *s, char ***out)
{
	char **v = NULL;
	int n = 0;
	while (*s) {
		struct sbuf sb = SBUF_INIT;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		sbuf_adds(&sb, "");
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '\'' || *s == '"') {
				char q = *s++;
				while (*s && *s != q)
					sbuf_addc(&sb, *s++);
				if (*s)
					s++;
			} else {
				sbuf_addc(&sb, *s++);
			}
		}
		v = xreallocarray(v, (size_t)n + 2, sizeof *v);
		v[n++] = sbuf_detach(&sb);
	}
	if (!v)
		v = xcalloc(1, sizeof *v);
	v[n] = NULL;
	*out = v;
	return n;
}

static void free_args(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int app_run_command(struct app *a, const char *line)
{
	char **argv;
	int argc, amb, rc;
	const struct app_cmd *c;
	const char *rest;

	while (*line == ' ' || *line == ':')
		line++;
	if (!*line)
		return 0;
	argc = split_args(line, &argv);
	c = cmd_find(a, argv[0], &amb);
	if (!c) {
		if (amb)
			app_errorf(a, ":%s is ambiguous; type more of the name (Tab completes)", argv[0]);
		else
			app_errorf(a, "no command :%s (? lists the commands)", argv[0]);
		free_args(argv, argc);
		return -1;
	}
	rest = line;
	while (*rest && *rest != ' ' && *rest != '\t')
		rest++;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	app_log(a, 1, "command: %s", line);
	rc = c->exec(a, argc, argv, rest);
	free_args(argv, argc);
	return rc;
}

static int cmd_quit(struct app *a, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	a->quit = 1;
	return 0;
}

static void help_open(struct app *a);

static int cmd_help(struct app *a, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	help_open(a);
	return 0;
}

static int cmd_pane(struct app *a, int argc, char **argv, const char *rest)
{
	struct pane *p;
	(void)rest;
	if (argc < 2)
		return app_errorf(a, "usage: :pane NAME"), -1;
	p = app_pane(a, argv[1]);
	if (!p)
		return app_errorf(a, "no pane named %s", argv[1]), -1;
	app_focus(a, p);
	return 0;
}

/* ---- the prompt ---- */

static char **strv_add(char **v, size_t *n, const char *s)
{
	v = xreallocarray(v, *n + 2, sizeof *v);
	v[(*n)++] = xstrdup(s);
	v[*n] = NULL;
	return v;
}

static char **complete_kind(struct app *a, int kind, const char *words, int *files)
{
	static const char *const sqlwords[] = {
		"AND", "OR", "NOT", "IS", "NULL", "LIKE", "IN", "BETWEEN", "GLOB", "length(",
		"lower(", "upper(", "substr(", "date(", NULL,
	};
	char **v = NULL;
	size_t n = 0;
	struct pane *dp = app_pane(a, "Data");

	switch (kind) {
	case APP_COMPLETE_TABLE:
	case APP_COMPLETE_COLUMN:
	case APP_COMPLETE_SEGMENT:
		return dp ? pane_data_names(dp, kind) : NULL;
	case APP_COMPLETE_FILE:
		*files = 1;
		return NULL;
	case APP_COMPLETE_SQL:
		v = dp ? pane_data_names(dp, APP_COMPLETE_COLUMN) : NULL;
		for (n = 0; v && v[n]; n++)
			;
		for (int i = 0; sqlwords[i]; i++)
			v = strv_add(v, &n, sqlwords[i]);
		return v;
	default:
		break;
	}
	if (words) {
		const char *s = words;
		while (*s) {
			const char *e = strchr(s, ',');
			size_t len = e ? (size_t)(e - s) : strlen(s);
			char *w = xstrndup(s, len);
			v = strv_add(v, &n, w);
			free(w);
			s += len + (e ? 1 : 0);
		}
	}
	return v;
}

/* Completion for a ':' line: command names, then what the command's args say. */
static char **complete_command(struct app *a, const char *line, int start, int *files)
{
	char *head = xstrndup(line, (size_t)start), **argv, **v = NULL;
	int argc = split_args(head, &argv), amb;
	size_t n = 0;
	free(head);
	if (argc == 0) {
		for (size_t t = 0; t < a->ncmdtabs; t++)
			for (const struct app_cmd *c = a->cmdtabs[t]; c->name; c++)
				v = strv_add(v, &n, c->name);
		free_args(argv, argc);
		return v;
	}
	const struct app_cmd *c = cmd_find(a, argv[0], &amb);
	int pos = argc - 1;   /* index of the argument being completed */
	free_args(argv, argc);
	if (!c || !c->args)
		return NULL;
	/* Walk the args spec to the argument at pos (a trailing "sql" covers the rest). */
	const char *s = c->args;
	char spec[256] = "";
	for (int i = 0; *s; i++) {
		const char *e = strchr(s, ' ');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len >= sizeof spec)
			len = sizeof spec - 1;
		memcpy(spec, s, len);
		spec[len] = 0;
		if (i == pos || strcmp(spec, "sql") == 0)
			break;
		s += len + (e ? 1 : 0);
		spec[0] = 0;
		if (!e)
			break;
	}
	if (strcmp(spec, "table") == 0)
		return complete_kind(a, APP_COMPLETE_TABLE, NULL, files);
	if (strcmp(spec, "column") == 0)
		return complete_kind(a, APP_COMPLETE_COLUMN, NULL, files);
	if (strcmp(spec, "segment") == 0)
		return complete_kind(a, APP_COMPLETE_SEGMENT, NULL, files);
	if (strcmp(spec, "file") == 0)
		return complete_kind(a, APP_COMPLETE_FILE, NULL, files);
	if (strcmp(spec, "sql") == 0)
		return complete_kind(a, APP_COMPLETE_SQL, NULL, files);
	if (strncmp(spec, "word:", 5) == 0)
		return complete_kind(a, 0, spec + 5, files);
	return NULL;
}

static char **prompt_complete(void *ctx, const char *line, int start, int end, int *files)
{
	struct app *a = ctx;
	(void)end;
	if (a->prompt_complete == APP_COMPLETE_COMMAND)
		return complete_command(a, line, start, files);
	return complete_kind(a, a->prompt_complete, NULL, files);
}

static void overlay_gone(struct app *a, WINDOW *ov);

static void matches_clear(struct app *a)
{
	if (!a->matches)
		return;
	for (int i = 0; i < a->nmatches; i++)
		free(a->matches[i]);
	FREE(&a->matches);
	a->nmatches = 0;
	overlay_gone(a, a->pop);
	if (a->pop) {
		delwin(a->pop);
		a->pop = NULL;
	}
}

static void prompt_matches(void *ctx, char **m, int n)
{
	struct app *a = ctx;
	matches_clear(a);
	a->matches = xcalloc((size_t)n + 1, sizeof *a->matches);
	for (int i = 0; i < n; i++)
		a->matches[i] = xstrdup(m[i]);
	a->nmatches = n;
	a->pop_dirty = 1;
}

static void prompt_done(void *ctx, const char *line)
{
	struct app *a = ctx;
	app_line_fn fn = a->prompt_fn;
	void *fctx = a->prompt_ctx;
	char *kind = a->prompt_kind;
	a->prompt_fn = NULL;
	a->prompt_ctx = NULL;
	a->prompt_kind = NULL;
	a->bot_dirty = 1;
	matches_clear(a);
	if (line && kind)
		hist_add(a, kind, line);
	free(kind);
	if (fn)
		fn(a, fctx, line);
}

void app_prompt(struct app *a, const char *kind, const char *prompt, const char *initial,
                int complete, app_line_fn fn, void *ctx)
{
	struct hist *h;
	struct rl_hooks hooks = { a, prompt_done, prompt_complete, prompt_matches };
	if (tui_rl_active())
		tui_rl_cancel();
	h = hist_get(a, kind ? kind : "line");
	a->prompt_kind = xstrdup(kind ? kind : "line");
	a->prompt_complete = complete;
	a->prompt_fn = fn;
	a->prompt_ctx = ctx;
	a->msg[0] = 0;
	tui_rl_open(a->bot, prompt, initial, h->lines, h->n, &hooks);
}

static void command_line_done(struct app *a, void *ctx, const char *line)
{
	(void)ctx;
	if (line)
		app_run_command(a, line);
}

static void search_run(struct app *a, int dir)
{
	struct pane *p = &a->panes[a->focus];
	if (!a->last_search || !*a->last_search) {
		app_msg(a, "no search yet: / starts one");
		return;
	}
	if (!p->type->search) {
		app_msg(a, "the %s pane has nothing to search", p->type->name);
		return;
	}
	int r = p->type->search(p, a->last_search, dir);
	if (r == 0) {
		/* Nothing further on: wrap around to the top (or the bottom). */
		r = p->type->search(p, a->last_search, 2 * dir);
		if (r == 1)
			app_msg(a, "\"%s\": search wrapped to the %s", a->last_search,
			        dir > 0 ? "top" : "bottom");
	}
	if (r == 0)
		app_msg(a, "\"%s\" not found", a->last_search);
	p->dirty = 1;
}

static void search_done(struct app *a, void *ctx, const char *line)
{
	(void)ctx;
	if (!line || !*line)
		return;
	free(a->last_search);
	a->last_search = xstrdup(line);
	search_run(a, 1);
}

/* ---- jobs ---- */

/* The job the status line shows and Esc cancels: the newest that is not
 * quiet, else the newest; NULL when none runs. */
static struct job *job_front(struct app *a)
{
	for (size_t i = a->njobs; i > 0; i--)
		if (!a->jobs[i - 1].ops->quiet)
			return &a->jobs[i - 1];
	return a->njobs ? &a->jobs[a->njobs - 1] : NULL;
}

static size_t jobs_loud(struct app *a)
{
	size_t n = 0;
	for (size_t i = 0; i < a->njobs; i++)
		n += !a->jobs[i].ops->quiet;
	return n;
}

void app_job_add(struct app *a, const struct app_job_ops *ops, void *ctx)
{
	a->jobs = xreallocarray(a->jobs, a->njobs + 1, sizeof *a->jobs);
	a->jobs[a->njobs].ops = ops;
	a->jobs[a->njobs].ctx = ctx;
	a->jobs[a->njobs].finished = 0;
	a->njobs++;
	a->top_dirty = a->bot_dirty = 1;
	app_log(a, 1, "job started: %s", ops->name);
}

/* Remove finished jobs, then run their done() (which may start new jobs). */
static void jobs_reap(struct app *a)
{
	struct job done[16];
	size_t nd = 0, k = 0;
	for (size_t i = 0; i < a->njobs; i++) {
		if (a->jobs[i].finished && nd < 16)
			done[nd++] = a->jobs[i];
		else
			a->jobs[k++] = a->jobs[i];
	}
	a->njobs = k;
	for (size_t i = 0; i < nd; i++) {
		app_log(a, 1, "job finished: %s", done[i].ops->name);
		if (done[i].ops->done)
			done[i].ops->done(done[i].ctx);
		a->top_dirty = a->bot_dirty = 1;
	}
	if (nd)
		hist_flush(a);
}

static void wait_events(struct app *a, int timeout)
{
	struct pollfd fds[2] = { { 0, POLLIN, 0 }, { a->wake[0], POLLIN, 0 } };
	char buf[64];
	if (a->njobs) {
		size_t n = a->njobs;
		for (size_t i = 0; i < n; i++) {
			int t = i == 0 ? timeout : 0;
			if (n > 1 && i == 0 && (t < 0 || t > 50))
				t = 50;
			if (a->jobs[i].ops->poll(a->jobs[i].ctx, fds, 2, t) <= 0)
				a->jobs[i].finished = 1;
		}
		jobs_reap(a);
		a->bot_dirty = 1;
		a->top_dirty = 1;   /* the in-flight count */
	} else {
		poll(fds, 2, timeout);
	}
	while (read(a->wake[0], buf, sizeof buf) > 0)
		;
	/* The terminal went away (hang-up): leave instead of spinning on EOF. */
	if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		a->quit = 1;
}

static void jobs_cancel_all(struct app *a)
{
	for (size_t i = 0; i < a->njobs; i++)
		if (a->jobs[i].ops->cancel)
			a->jobs[i].ops->cancel(a->jobs[i].ctx);
	/* Let them end (they roll back), then release them. */
	double until = cl_now_ms() + 30000;
	while (a->njobs && cl_now_ms() < until) {
		struct pollfd none[1] = { { -1, 0, 0 } };
		for (size_t i = 0; i < a->njobs; i++)
			if (a->jobs[i].ops->poll(a->jobs[i].ctx, none, 1, 20) <= 0)
				a->jobs[i].finished = 1;
		jobs_reap(a);
	}
}

/* ---- layout and painting ---- */

static void layout(struct app *a)
{
	int h = LINES - 2 > 1 ? LINES - 2 : 1;
	a->too_small = COLS < MIN_COLS || LINES < MIN_LINES;
	if (!a->top) {
		a->top = newwin(1, COLS, 0, 0);
		a->bot = newwin(1, COLS, LINES - 1, 0);
		for (int i = 0; i < NPANES; i++)
			a->panes[i].win = newwin(h, COLS, 1, 0);
	} else {
		wresize(a->top, 1, COLS);
		wresize(a->bot, 1, COLS);
		mvwin(a->bot, LINES - 1, 0);
		for (int i = 0; i < NPANES; i++) {
			wresize(a->panes[i].win, h, COLS);
			mvwin(a->panes[i].win, 1, 0);
		}
	}
	leaveok(a->top, TRUE);
	for (int i = 0; i < NPANES; i++) {
		leaveok(a->panes[i].win, TRUE);
		a->panes[i].dirty = 1;
	}
	if (a->help) {
		delwin(a->help);
		a->help = NULL;
		a->help_dirty = 1;
	}
	if (a->pop) {
		delwin(a->pop);
		a->pop = NULL;
		a->pop_dirty = 1;
	}
	a->top_dirty = a->bot_dirty = 1;
	a->all_dirty = 1;
}

static void relayout(struct app *a)
{
	layout(a);
	if (!a->too_small)
		for (int i = 0; i < NPANES; i++)
			if (a->panes[i].type->resize)
				a->panes[i].type->resize(&a->panes[i]);
	clearok(curscr, TRUE);
}

static void draw_top(struct app *a)
{
	WINDOW *w = a->top;
	int x = 0, cols = getmaxx(w);
	char right[256], jobs[64] = "", cost[32] = "";
	const char *base = strrchr(a->path, '/');
	base = base ? base + 1 : a->path;

	werase(w);
	wbkgdset(w, ' ' | tui_attr(TUI_BAR));
	werase(w);
	if (a->njobs) {
		/* requests in flight: a generation counts its requests, other work one each */
		long n = 0;
		for (size_t i = 0; i < a->njobs; i++)
			if (!a->jobs[i].ops->quiet)
				n += a->jobs[i].ops->in_flight ? a->jobs[i].ops->in_flight(a->jobs[i].ctx) : 1;
		if (n > 0)
			snprintf(jobs, sizeof jobs, " %s %ld in flight", tui_glyphs()->dot, n);
	}
	if (a->cost > 0)
		snprintf(cost, sizeof cost, " %s $%.3f", tui_glyphs()->dot, a->cost);
	snprintf(right, sizeof right, "%s%s%s ", a->provider[0] ? a->provider : "offline", jobs, cost);
	int rw = tui_text_width(right);
	int tabs_w = 0;
	for (int i = 0; i < NPANES; i++)
		tabs_w += tui_text_width(a->panes[i].type->name) + 5;
	/* The tabs and the right part first; the brand and file name get what is left. */
	int spare = cols - tabs_w - rw - 1;
	int bw = tui_text_width(base);
	int brand = spare >= 9 + (bw < 8 ? bw : 8) + 2;
	if (brand)
		spare -= 9;
	wattr_on(w, A_BOLD, NULL);
	x += tui_put_label(w, 0, x, brand ? " copylab " : " ", brand ? 9 : 1);
	wattr_off(w, A_BOLD, NULL);
	int name_room = spare - 3;
	if (name_room > 24)
		name_room = 24;
	if (name_room > 3) {
		x += tui_put_text(w, 0, x, base, name_room);
		mvwaddstr(w, 0, x, "  ");
		x += 2;
	}
	memset(a->tab_w, 0, sizeof a->tab_w);
	for (int i = 0; i < NPANES; i++) {
		char tab[64];
		int tw;
		snprintf(tab, sizeof tab, " %d %s ", i + 1, a->panes[i].type->name);
		tw = tui_text_width(tab);
		if (x + tw > cols - rw)
			break;
		attr_t ta = tui_attr(i == a->focus ? TUI_TAB_ACTIVE : TUI_TAB);
		wattr_set(w, ta, PAIR_NUMBER(ta), NULL);
		tui_put_label(w, 0, x, tab, tw);
		wattr_set(w, tui_attr(TUI_BAR), PAIR_NUMBER(tui_attr(TUI_BAR)), NULL);
		a->tab_x[i] = x;
		a->tab_w[i] = tw;
		x += tw;
		if (x < cols)
			mvwaddch(w, 0, x++, ' ');
	}
	if (cols - rw > x)
		tui_put_label(w, 0, cols - rw, right, rw);
	wattr_set(w, A_NORMAL, 0, NULL);
	wnoutrefresh(w);
}

static void draw_bot(struct app *a)
{
	WINDOW *w = a->bot;
	int cols = getmaxx(w), used = 0;
	char status[256] = "";
	const char *hints = "? help  : command  / search  q quit ";

	werase(w);
	struct job *front = job_front(a);
	if (front && front->ops->status)
		front->ops->status(front->ctx, status, sizeof status);
	if (a->confirm_quit) {
		wattr_on(w, tui_attr(TUI_WARN), NULL);
		tui_put_label(w, 0, 1, "A job is running. Quit and cancel it? y quits, any other key stays.",
		              cols - 2);
		wattr_off(w, tui_attr(TUI_WARN), NULL);
		wnoutrefresh(w);
		return;
	}
	if (a->msg[0]) {
		wattr_on(w, tui_attr(a->msg_err ? TUI_ERROR : TUI_NORMAL), NULL);
		used = 1 + tui_put_text(w, 0, 1, a->msg, cols - 2);
		wattr_off(w, tui_attr(a->msg_err ? TUI_ERROR : TUI_NORMAL), NULL);
	}
	if (status[0]) {
		int sw = tui_text_width(status);
		int room = cols - used - 2;
		if (room > 10) {
			if (sw > room)
				sw = room;
			wattr_on(w, tui_attr(TUI_WARN), NULL);
			tui_put_label(w, 0, cols - sw - 1, status, sw);
			wattr_off(w, tui_attr(TUI_WARN), NULL);
		}
	} else {
		int hw = tui_text_width(hints);
		if (cols - used - 2 >= hw) {
			/* the focused pane's main keys first, as many whole items as fit */
			const char *ph = a->panes[a->focus].type->hints;
			char keys[256] = "";
			if (ph && !a->msg[0] && !a->help_open) {
				snprintf(keys, sizeof keys, "%s", ph);
				while (keys[0] && tui_text_width(keys) + 4 > cols - used - 2 - hw) {
					char *cut = strstr(keys, "  "), *last = NULL;
					for (; cut; cut = strstr(cut + 2, "  "))
						last = cut;
					if (last)
						*last = 0;
					else
						keys[0] = 0;
				}
			}
			if (keys[0]) {
				int kw = tui_text_width(keys);
				wattr_on(w, tui_attr(TUI_KEY), NULL);
				tui_put_label(w, 0, cols - hw - 2 - kw, keys, kw);
				wattr_off(w, tui_attr(TUI_KEY), NULL);
			}
			wattr_on(w, tui_attr(TUI_DIM), NULL);
			tui_put_label(w, 0, cols - hw, hints, hw);
			wattr_off(w, tui_attr(TUI_DIM), NULL);
		}
	}
	wnoutrefresh(w);
}

static void draw_too_small(struct app *a)
{
	WINDOW *w = stdscr;
	char line[160];
	werase(w);
	snprintf(line, sizeof line, "copylab needs a terminal of at least %dx%d;", MIN_COLS, MIN_LINES);
	tui_put_label(w, LINES / 2 - 1 > 0 ? LINES / 2 - 1 : 0, 1, line, COLS - 2);
	snprintf(line, sizeof line, "this one is %dx%d. Enlarge it, or press q to quit.", COLS, LINES);
	tui_put_label(w, LINES / 2 > 0 ? LINES / 2 : 0, 1, line, COLS - 2);
	wnoutrefresh(w);
	(void)a;
}

/* ---- help overlay ---- */

static void help_add(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void help_add(struct app *a, const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	a->help_lines = xreallocarray(a->help_lines, (size_t)a->nhelp + 1, sizeof *a->help_lines);
	a->help_lines[a->nhelp++] = xstrdup(buf);
}

static const struct pane_key global_keys[];

static void help_keys(struct app *a, const struct pane_key *k)
{
	for (; k->key || k->help; k++)
		if (k->label) {
			int pad = 14 - tui_text_width(k->label);
			help_add(a, "  %s%*s %s", k->label, pad > 0 ? pad : 0, "", k->help ? k->help : "");
		}
}

/* An overlay is going away: the pane's lines under it are sent afresh, not
 * diffed, because its edges may have cut a double-width character in two on
 * the terminal, which curses' idea of the screen does not know. */
static void overlay_gone(struct app *a, WINDOW *ov)
{
	WINDOW *pw = a->panes[a->focus].win;
	touchwin(pw);
	if (ov) {
		int y0 = getbegy(ov) - getbegy(pw), n = getmaxy(ov);
		if (y0 < 0)
			n += y0, y0 = 0;
		if (y0 + n > getmaxy(pw))
			n = getmaxy(pw) - y0;
		if (n > 0)
			wredrawln(pw, y0, n);
	}
	a->panes[a->focus].dirty = 1;
}

static void help_close(struct app *a)
{
	for (int i = 0; i < a->nhelp; i++)
		free(a->help_lines[i]);
	FREE(&a->help_lines);
	a->nhelp = 0;
	a->help_open = 0;
	overlay_gone(a, a->help);
	if (a->help) {
		delwin(a->help);
		a->help = NULL;
	}
}

/* Built from the same tables the dispatcher reads. */
static void help_open(struct app *a)
{
	struct pane *p = &a->panes[a->focus];
	if (a->help_open)
		help_close(a);
	help_add(a, "%s pane", p->type->name);
	help_keys(a, p->type->keys);
	help_add(a, "%s", "");
	help_add(a, "%s", "Everywhere");
	help_keys(a, global_keys);
	help_add(a, "%s", "");
	help_add(a, "%s", "Commands (type : then the name; Tab completes)");
	for (size_t t = 0; t < a->ncmdtabs; t++)
		for (const struct app_cmd *c = a->cmdtabs[t]; c->name; c++)
			help_add(a, "  :%-24s %s", c->usage, c->summary);
	a->help_open = 1;
	a->help_scroll = 0;
	a->help_dirty = 1;
}

static void draw_help(struct app *a)
{
	int h = LINES - 4, w = COLS - 8;
	if (w > 100)
		w = 100;
	if (h > a->nhelp + 2)
		h = a->nhelp + 2;
	if (h < 3)
		h = 3;
	if (!a->help)
		a->help = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
	leaveok(a->help, TRUE);
	WINDOW *hw = a->help;
	werase(hw);
	tui_box(hw, 0, 0, h, w, 1);
	tui_box_title(hw, 0, 0, w, "Help", 1);
	tui_box_footer(hw, h - 1, 0, w, "j/k scroll · q, Esc or ? closes");
	int rows = h - 2;
	if (a->help_scroll > a->nhelp - rows)
		a->help_scroll = a->nhelp - rows > 0 ? a->nhelp - rows : 0;
	for (int i = 0; i < rows && a->help_scroll + i < a->nhelp; i++) {
		const char *line = a->help_lines[a->help_scroll + i];
		int heading = line[0] && line[0] != ' ';
		if (heading)
			wattr_on(hw, tui_attr(TUI_TITLE), NULL);
		tui_put_label(hw, 1 + i, 2, line, w - 4);
		if (heading)
			wattr_off(hw, tui_attr(TUI_TITLE), NULL);
	}
	wnoutrefresh(hw);
}

static void help_key(struct app *a, int ch)
{
	int rows = (a->help ? getmaxy(a->help) : LINES) - 2;
	switch (ch) {
	case 'j': case KEY_DOWN: a->help_scroll++; break;
	case 'k': case KEY_UP: if (a->help_scroll) a->help_scroll--; break;
	case ' ': case KEY_NPAGE: a->help_scroll += rows; break;
	case KEY_PPAGE: a->help_scroll = a->help_scroll > rows ? a->help_scroll - rows : 0; break;
	case 'g': case KEY_HOME: a->help_scroll = 0; break;
	case 'G': case KEY_END: a->help_scroll = a->nhelp; break;
	case 'q': case 27: case '?': case '\n': case '\r': case KEY_ENTER:
		help_close(a);
		return;
	default:
		break;
	}
	a->help_dirty = 1;
}

static void draw_pop(struct app *a)
{
	int n = a->nmatches, maxw = 4, cols, rows, h, w;
	for (int i = 0; i < n; i++) {
		int tw = tui_text_width(a->matches[i]);
		if (tw > maxw)
			maxw = tw;
	}
	if (maxw > COLS - 6)
		maxw = COLS - 6;
	cols = (COLS - 4) / (maxw + 2);
	if (cols < 1)
		cols = 1;
	rows = (n + cols - 1) / cols;
	if (rows > LINES / 2)
		rows = LINES / 2;
	h = rows + 2;
	w = (n < cols ? n : cols) * (maxw + 2) + 2;
	if (w > COLS)
		w = COLS;
	if (a->pop)
		delwin(a->pop);
	a->pop = newwin(h, w, LINES - 1 - h, 0);
	leaveok(a->pop, TRUE);
	werase(a->pop);
	tui_box(a->pop, 0, 0, h, w, 1);
	for (int i = 0; i < n && i / cols < rows; i++)
		tui_put_text(a->pop, 1 + i / cols, 1 + (i % cols) * (maxw + 2), a->matches[i], maxw);
	if (n > rows * cols)
		tui_box_footer(a->pop, h - 1, 0, w, "more: type to narrow");
	wnoutrefresh(a->pop);
}

static void paint(struct app *a)
{
	struct pane *p = &a->panes[a->focus];
	if (a->too_small) {
		if (a->all_dirty)
			draw_too_small(a);
		a->all_dirty = 0;
		doupdate();
		return;
	}
	if (a->all_dirty) {
		touchwin(p->win);
		p->dirty = 1;
		a->all_dirty = 0;
	}
	if (a->top_dirty) {
		draw_top(a);
		a->top_dirty = 0;
	}
	if (p->dirty) {
		p->dirty = 0;
		p->type->draw(p);
		wnoutrefresh(p->win);
		if (a->help_open)
			a->help_dirty = 1;
		if (a->matches)
			a->pop_dirty = 1;
	}
	if (a->help_open && a->help_dirty) {
		draw_help(a);
		a->help_dirty = 0;
	}
	if (a->matches && a->pop_dirty) {
		draw_pop(a);
		a->pop_dirty = 0;
	}
	if (tui_rl_active()) {
		tui_rl_redraw(a->bot);   /* last, so the cursor sits on the input line */
		a->bot_dirty = 0;
		a->cursor_on = -1;       /* readline shows and hides the cursor itself */
	} else {
		int cy, cx;
		if (a->bot_dirty) {
			draw_bot(a);
			a->bot_dirty = 0;
		}
		/* An editing pane gets the terminal cursor at its insertion point. */
		if (!a->help_open && !a->matches && p->type->cursor && p->type->cursor(p, &cy, &cx)) {
			leaveok(p->win, FALSE);
			wmove(p->win, cy, cx);
			wnoutrefresh(p->win);
			if (a->cursor_on != 1)
				curs_set(1), a->cursor_on = 1;
		} else if (a->cursor_on != 0) {
			for (int i = 0; i < NPANES; i++)
				leaveok(a->panes[i].win, TRUE);
			curs_set(0);
			a->cursor_on = 0;
		}
	}
	doupdate();
	a->frames++;
}

/* ---- keys ---- */

enum {
	G_PANE1 = 1, G_PANE2, G_PANE3, G_PANE4, G_PANE5, G_NEXT, G_PREV, G_HELP, G_CMD,
	G_SEARCH, G_NEXTMATCH, G_PREVMATCH, G_REDRAW, G_QUIT, G_CANCEL,
};

static const struct pane_key global_keys[] = {
	{ '1', G_PANE1, "1 … 5", "go to pane 1 Data … 5 History" },
	{ '2', G_PANE2, NULL, NULL },
	{ '3', G_PANE3, NULL, NULL },
	{ '4', G_PANE4, NULL, NULL },
	{ '5', G_PANE5, NULL, NULL },
	{ '\t', G_NEXT, "Tab", "next pane" },
	{ KEY_BTAB, G_PREV, "Shift-Tab", "previous pane" },
	{ '?', G_HELP, "?", "this help" },
	{ ':', G_CMD, ":", "command line (Up: history, Tab: completion)" },
	{ '/', G_SEARCH, "/", "search" },
	{ 'n', G_NEXTMATCH, "n", "next match" },
	{ 'N', G_PREVMATCH, "N", "previous match" },
	{ PANE_CTRL('l'), G_REDRAW, "Ctrl-L", "redraw the screen" },
	{ 27, G_CANCEL, "Esc", "cancel the running job (keeps what finished)" },
	{ 'q', G_QUIT, "q", "quit (asks when a job is running)" },
	PANE_KEYS_END,
};

static const struct pane_key *key_lookup(const struct pane_key *k, int ch)
{
	for (; k && (k->key || k->help); k++)
		if (k->key == ch || k->key == PANE_KEY_ANY)
			return k;
	return NULL;
}

static void global_key(struct app *a, int action)
{
	switch (action) {
	case G_PANE1: case G_PANE2: case G_PANE3: case G_PANE4: case G_PANE5:
		app_focus(a, &a->panes[action - G_PANE1]);
		break;
	case G_NEXT:
		app_focus(a, &a->panes[(a->focus + 1) % NPANES]);
		break;
	case G_PREV:
		app_focus(a, &a->panes[(a->focus + NPANES - 1) % NPANES]);
		break;
	case G_HELP:
		help_open(a);
		break;
	case G_CMD:
		app_prompt(a, "command", ":", NULL, APP_COMPLETE_COMMAND, command_line_done, NULL);
		break;
	case G_SEARCH:
		app_prompt(a, "search", "/", NULL, APP_COMPLETE_NONE, search_done, NULL);
		break;
	case G_NEXTMATCH:
		search_run(a, 1);
		break;
	case G_PREVMATCH:
		search_run(a, -1);
		break;
	case G_REDRAW:
		clearok(curscr, TRUE);
		a->all_dirty = a->top_dirty = a->bot_dirty = 1;
		break;
	case G_CANCEL:
		if (a->njobs) {
			struct job *j = job_front(a);
			if (j->ops->cancel)
				j->ops->cancel(j->ctx);
			app_msg(a, "cancelling %s…", j->ops->name);
		}
		break;
	case G_QUIT:
		if (jobs_loud(a))
			a->confirm_quit = 1;
		else
			a->quit = 1;
		a->bot_dirty = 1;
		break;
	default:
		break;
	}
}

static void mouse_event(struct app *a)
{
	MEVENT ev;
	struct pane *p = &a->panes[a->focus];
	int event = 0;
	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		event = PANE_MOUSE_WHEEL_UP;
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		event = PANE_MOUSE_WHEEL_DOWN;
#endif
	else if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
		event = PANE_MOUSE_CLICK;
	else if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		event = PANE_MOUSE_DOUBLE;
	if (!event)
		return;
	if (ev.y == 0 && event == PANE_MOUSE_CLICK) {
		for (int i = 0; i < NPANES; i++)
			if (ev.x >= a->tab_x[i] && ev.x < a->tab_x[i] + a->tab_w[i])
				app_focus(a, &a->panes[i]);
		return;
	}
	if (ev.y >= 1 && ev.y < LINES - 1 && p->type->mouse) {
		int r = p->type->mouse(p, ev.y - 1, ev.x, event);
		if (r == PANE_REDRAW)
			p->dirty = 1;
		else if (r == PANE_QUIT)
			a->quit = 1;
	} else if (ev.y >= 1 && ev.y < LINES - 1 &&
	           (event == PANE_MOUSE_WHEEL_UP || event == PANE_MOUSE_WHEEL_DOWN)) {
		/* A pane without its own mouse handling: the wheel is ↑/↓ three times. */
		int ch = event == PANE_MOUSE_WHEEL_DOWN ? KEY_DOWN : KEY_UP;
		const struct pane_key *k = key_lookup(p->type->keys, ch);
		for (int i = 0; k && i < 3; i++)
			if (p->type->key(p, k->action, ch) == PANE_REDRAW)
				p->dirty = 1;
	}
}

static void handle_key(struct app *a, int ch)
{
	struct pane *p;
	const struct pane_key *k;

	if (ch == KEY_RESIZE) {
		relayout(a);
		return;
	}
	if (a->too_small) {
		if (ch == 'q')
			a->quit = 1;
		return;
	}
	if (a->matches)
		matches_clear(a);
	if (tui_rl_active()) {
		if (ch == 27) {
			int next = wgetch(a->in);
			if (next == ERR) {
				tui_rl_cancel();
				return;
			}
			tui_rl_key(27);
			tui_rl_key(next);
		} else if (ch != KEY_MOUSE) {
			tui_rl_key(ch);
		}
		return;
	}
	if (a->confirm_quit) {
		a->confirm_quit = 0;
		a->bot_dirty = 1;
		if (ch == 'y' || ch == 'Y')
			a->quit = 1;
		return;
	}
	if (a->msg[0]) {
		a->msg[0] = 0;
		a->bot_dirty = 1;
	}
	if (a->help_open) {
		help_key(a, ch);
		return;
	}
	if (ch == KEY_MOUSE) {
		mouse_event(a);
		return;
	}
	p = &a->panes[a->focus];
	k = key_lookup(p->type->keys, ch);
	if (k) {
		int r = p->type->key(p, k->action, ch);
		if (r == PANE_REDRAW)
			p->dirty = 1;
		if (r == PANE_QUIT)
			a->quit = 1;
		if (r != PANE_IGNORED)
			return;
	}
	k = key_lookup(global_keys, ch);
	if (k)
		global_key(a, k->action);
}

static const char *key_name_for_bench(int ch, char *buf, size_t len)
{
	switch (ch) {
	case KEY_NPAGE: return "PgDn";
	case KEY_PPAGE: return "PgUp";
	case KEY_DOWN: return "Down";
	case KEY_UP: return "Up";
	default:
		if (ch > 32 && ch < 127)
			snprintf(buf, len, "%c", ch);
		else
			snprintf(buf, len, "%d", ch);
		return buf;
	}
}

/* ---- start and end ---- */

static char *log_file_path(void)
{
	const char *env = getenv("COPYLAB_LOG"), *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *dir;
	if (env && *env)
		return xstrdup(env);
	if (state && *state)
		dir = xasprintf("%s/copylab", state);
	else if (home && *home)
		dir = xasprintf("%s/.local/state/copylab", home);
	else
		return xasprintf("/tmp/copylab-%d.log", (int)getuid());
	/* mkdir -p, one level at a time from the end we need. */
	for (char *s = dir + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(dir, 0700);
			*s = '/';
		}
	mkdir(dir, 0700);
	char *p = xasprintf("%s/copylab.log", dir);
	free(dir);
	return p;
}

static void fatal_hook(void)
{
	endwin();
}

/* A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) must not leave the
 * terminal in the alternate screen with no cursor, no echo and mouse
 * reporting on: the handler writes the prepared reset sequence, restores the
 * terminal modes saved at start (both async-signal-safe), says where the log
 * is, then hands the signal to whatever handled it before (ASan, or the
 * default: a core dump). Set up once per process, before curses starts. */
static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NCRASH ((int)(sizeof crash_sigs / sizeof crash_sigs[0]))
static struct sigaction crash_old[NCRASH];
static struct termios crash_tio;
static int crash_tio_ok, crash_armed, crash_err_fd = -1;
static char crash_seq[256], crash_msg[600];
static size_t crash_seq_len, crash_msg_len;

static void on_crash(int sig)
{
	ssize_t r;
	if (crash_armed) {
		crash_armed = 0;
		r = write(1, crash_seq, crash_seq_len);
		if (crash_tio_ok)
			tcsetattr(0, TCSANOW, &crash_tio);
		r = write(crash_err_fd >= 0 ? crash_err_fd : 2, crash_msg, crash_msg_len);
		(void)r;
	}
	for (int i = 0; i < NCRASH; i++)
		if (crash_sigs[i] == sig)
			sigaction(sig, &crash_old[i], NULL);
	raise(sig);
}

static void seq_add(const char *cap)
{
	char *v = tigetstr(cap);
	size_t n;
	if (!v || v == (char *)-1)
		return;
	n = strlen(v);
	if (crash_seq_len + n < sizeof crash_seq) {
		memcpy(crash_seq + crash_seq_len, v, n);
		crash_seq_len += n;
	}
}

/* After newterm: the sequences that undo what curses set up. */
static void crash_prepare(const char *log_path, int err_fd)
{
	struct sigaction sa;
	crash_seq_len = 0;
	if (tigetstr("kmous") && tigetstr("kmous") != (char *)-1) {
		static const char mouse_off[] = "\033[?1006l\033[?1002l\033[?1000l";
		memcpy(crash_seq, mouse_off, sizeof mouse_off - 1);
		crash_seq_len = sizeof mouse_off - 1;
	}
	seq_add("sgr0");
	seq_add("rmkx");
	seq_add("cnorm");
	seq_add("rmcup");
	crash_msg_len = (size_t)snprintf(crash_msg, sizeof crash_msg,
	                                 "\ncopylab: the workbench crashed; the terminal was restored. "
	                                 "Its log: %s\n", log_path ? log_path : "(none)");
	if (crash_msg_len >= sizeof crash_msg)
		crash_msg_len = sizeof crash_msg - 1;
	crash_err_fd = err_fd;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_crash;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NCRASH; i++)
		sigaction(crash_sigs[i], &sa, &crash_old[i]);
	crash_armed = 1;
}

static void crash_disarm(void)
{
	if (!crash_armed)
		return;
	crash_armed = 0;
	for (int i = 0; i < NCRASH; i++)
		sigaction(crash_sigs[i], &crash_old[i], NULL);
}

static void first_run_finish(struct app *a, void *arg, int rc, const struct cl_err *err)
{
	int *ntables = arg;
	if (rc && err->code == CL_ECANCEL)
		app_msg(a, "Sample data not imported (cancelled). :samples imports it, "
		           ":import FILE brings your own.");
	else if (rc)
		app_errorf(a, "importing the sample data failed: %s (:samples tries again)", err->msg);
	else
		app_msg(a, "Created %s and imported the sample data (%d tables).", a->path, *ntables);
	free(ntables);
	app_changed(a, PANE_CHANGED_TABLES | PANE_CHANGED_SEGMENTS);
}

static int first_run_work(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err)
{
	return ds_import_samples(ws, NULL, tjob_progress, j, (int *)arg, err);
}

static void samples_start(struct app *a)
{
	int *ntables = xcalloc(1, sizeof *ntables);
	tjob_start(a, "importing the sample data", first_run_work, first_run_finish, ntables);
}

static int cmd_samples(struct app *a, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	app_msg(a, "importing the sample data…");
	samples_start(a);
	return 0;
}

/* Tables in the workspace (0 on error). */
static size_t table_count(struct app *a)
{
	struct browse_table *t = NULL;
	size_t n = 0;
	struct cl_err err = {0};
	if (browse_tables(a->ws, &t, &n, &err))
		return 0;
	browse_tables_free(t, n);
	return n;
}

static char *demo_path(void)
{
	const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *dir;
	if (data && *data)
		dir = xasprintf("%s/copylab", data);
	else
		dir = xasprintf("%s/.local/share/copylab", home && *home ? home : "/tmp");
	for (char *s = dir + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(dir, 0700);
			*s = '/';
		}
	mkdir(dir, 0700);
	char *p = xasprintf("%s/demo.db", dir);
	free(dir);
	return p;
}

int tui_main(const struct tui_opts *opts)
{
	struct app *a = xcalloc(1, sizeof *a);
	struct cl_err err = {0};
	int rc = 0, logfd;
	const char *bench = getenv("COPYLAB_BENCH_LOG");
	struct sigaction sa;

	a->t0 = cl_now_ms();
	a->opts = opts;
	a->verbose = opts->verbose;
	a->demo = opts->demo;
	a->path = opts->demo && !opts->db_explicit ? demo_path() : xstrdup(opts->db_path);
	/* The default demo starts from a fresh copy every time, so a room always sees
	 * the prepared state made by this copylab, not what a rehearsal left behind.
	 * `--demo --db FILE` keeps its workspace. */
	if (opts->demo && !opts->db_explicit) {
		static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
		for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
			char *f = xasprintf("%s%s", a->path, sfx[i]);
			unlink(f);
			free(f);
		}
	}
	a->saved_stderr = -1;
	setlocale(LC_ALL, "");
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "copylab: the workbench needs a terminal; use a command "
		                "(copylab help) in scripts\n");
		free(a->path);
		free(a);
		return 2;
	}
	if (workspace_open(a->path, WS_CREATE, &a->ws, &err)) {
		fprintf(stderr, "copylab: %s\n", err.msg);
		free(a->path);
		free(a);
		return 1;
	}
	if (bench && *bench)
		a->bench = fopen(bench, "a");
	crash_tio_ok = tcgetattr(0, &crash_tio) == 0;
	/* newterm, unlike initscr, reports an unknown TERM instead of exiting. */
	a->screen = newterm(NULL, stdout, stdin);
	if (!a->screen) {
		const char *term = getenv("TERM");
		fprintf(stderr, "copylab: cannot use the terminal type '%s' (TERM); "
		                "try TERM=xterm-256color\n", term ? term : "");
		if (a->bench)
			fclose(a->bench);
		workspace_close(a->ws);
		free(a->path);
		free(a);
		return 2;
	}
	/* While curses is up, stderr goes to the log file. */
	a->log_path = log_file_path();
	{
		/* Keep the log from growing without bound: start afresh past 1 MiB. */
		struct stat st;
		int trunc = stat(a->log_path, &st) == 0 && st.st_size > (1 << 20);
		logfd = open(a->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
		             (trunc ? O_TRUNC : 0), 0600);
	}
	if (logfd >= 0) {
		fflush(stderr);
		a->saved_stderr = dup(2);
		dup2(logfd, 2);
		close(logfd);
	}
	app_log(a, 0, "copylab TUI start: workspace %s", a->path);
	if (pipe(a->wake) == 0) {
		fcntl(a->wake[0], F_SETFL, O_NONBLOCK);
		fcntl(a->wake[1], F_SETFL, O_NONBLOCK);
		fcntl(a->wake[0], F_SETFD, FD_CLOEXEC);
		fcntl(a->wake[1], F_SETFD, FD_CLOEXEC);
	}
	signal_wake_fd = a->wake[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	cl_set_fatal_hook(fatal_hook);
	crash_prepare(a->log_path, a->saved_stderr);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	/* Never postpone an update because keys are waiting: the loop paints once
	 * per turn and may then sleep, so a postponed update would stay unseen. */
	typeahead(-1);
	curs_set(0);
	tui_draw_init();
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	          | BUTTON5_PRESSED
#endif
	          , NULL);
	mouseinterval(0);
	a->in = newwin(1, 1, 0, 0);
	keypad(a->in, TRUE);
	nodelay(a->in, TRUE);
	wnoutrefresh(a->in);
	tui_rl_init();
	snprintf(a->provider, sizeof a->provider, "%s", "offline");

	app_commands_add(a, global_cmds);
	app_commands_add(a, tui_report_cmds);
	layout(a);
	for (int i = 0; i < NPANES; i++) {
		struct pane *p = &a->panes[i];
		p->type = pane_types[i];
		p->app = a;
		p->dirty = 1;
		if (p->type->cmds)
			app_commands_add(a, p->type->cmds);
	}
	for (int i = 0; i < NPANES; i++) {
		struct pane *p = &a->panes[i];
		if (p->type->init(p) != 0)
			app_log(a, 0, "pane %s failed to start", p->type->name);
		if (!a->too_small && p->type->resize)
			p->type->resize(p);
	}
	if (a->ws->created) {
		app_msg(a, "No workspace at %s: created it, importing the sample data…", a->path);
		samples_start(a);
	} else if (table_count(a) == 0) {
		/* An earlier first run was cancelled (or the workspace was made empty):
		 * --demo needs the data, so it imports again; otherwise say how. */
		if (a->demo) {
			app_msg(a, "The demo workspace has no data yet: importing the sample data…");
			samples_start(a);
		} else {
			app_msg(a, "This workspace has no tables: :samples imports the sample data, "
			           ":import FILE brings your own.");
		}
	}

	int timeout = -1;
	while (!a->quit) {
		paint(a);
		if (a->bench && a->frames == 1)
			fprintf(a->bench, "first_frame_ms %.3f\n", cl_now_ms() - a->t0), fflush(a->bench);
		wait_events(a, a->njobs ? 200 : timeout);
		if (got_signal) {
			int sig = got_signal;
			got_signal = 0;
			if (sig == SIGINT && tui_rl_active())
				tui_rl_cancel();
			else if (sig == SIGINT && a->njobs)
				global_key(a, G_CANCEL);
			else
				a->quit = 1;
		}
		int ch;
		while (!a->quit && (ch = wgetch(a->in)) != ERR) {
			double t = cl_now_ms();
			handle_key(a, ch);
			if (a->bench) {
				char kb[16];
				paint(a);
				fprintf(a->bench, "key %s %.3f\n", key_name_for_bench(ch, kb, sizeof kb),
				        cl_now_ms() - t);
				fflush(a->bench);
			}
		}
	}

	if (tui_rl_active())
		tui_rl_cancel();
	jobs_cancel_all(a);
	hist_flush(a);
	for (int i = 0; i < NPANES; i++) {
		if (a->panes[i].type->free)
			a->panes[i].type->free(&a->panes[i]);
		delwin(a->panes[i].win);
	}
	if (!a->njobs)   /* after the panes and jobs that used it (a job still stuck keeps it) */
		plugin_host_free(a->plugins);
	free(a->plugins_said);
	if (a->help_open)
		help_close(a);
	matches_clear(a);
	tui_rl_end();
	delwin(a->top);
	delwin(a->bot);
	delwin(a->in);
	crash_disarm();
	endwin();
	delscreen(a->screen);
	cl_set_fatal_hook(NULL);
	app_log(a, 0, "copylab TUI end");
	if (a->saved_stderr >= 0) {
		fflush(stderr);
		dup2(a->saved_stderr, 2);
		close(a->saved_stderr);
	}
	signal_wake_fd = -1;
	close(a->wake[0]);
	close(a->wake[1]);
	for (size_t i = 0; i < a->nhists; i++) {
		history_lines_free(a->hists[i].lines, a->hists[i].n);
		free(a->hists[i].kind);
	}
	free(a->hists);
	free(a->pend_kind);
	free(a->pend_line);
	free(a->cmdtabs);
	free(a->jobs);
	free(a->last_search);
	free(a->prompt_kind);
	free(a->log_path);
	if (a->bench)
		fclose(a->bench);
	workspace_close(a->ws);
	free(a->path);
	free(a);
	return rc;
}
