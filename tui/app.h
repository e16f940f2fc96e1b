/* app.h — what panes may ask of the app: the workspace, the status bar, focus,
 * line input through readline, ':' commands, background jobs.
 *
 * Everything here runs on the app's thread, from inside a pane callback or a
 * command. Nothing draws directly: calls mark things dirty and the loop paints
 * once per turn.
 */
#ifndef CL_TUI_APP_H
#define CL_TUI_APP_H

#include <poll.h>
#include <stddef.h>
#include "core/util.h"
#include "core/workspace.h"
#include "tui/pane.h"

struct app;

/* ---- workspace and status bar ---- */

/* The open workspace (owned by the app, open for the whole session). */
struct workspace *app_workspace(struct app *a);
/* Its file path as the user gave it. */
const char *app_workspace_path(struct app *a);
/* Show a message on the bottom line until the next key (printf format). */
void app_msg(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Show err->msg as an error on the bottom line. */
void app_error(struct app *a, const struct cl_err *err);
void app_errorf(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct plugin_host;
/* The session's plugins (core/plugin.h), found and loaded on the first call
 * and kept until the app ends; NULL when $COPYLAB_NO_PLUGINS is set, none
 * loaded, or discovery failed (logged). Owned by the app: free registries
 * holding its scorers/providers before the app ends. */
struct plugin_host *app_plugins(struct app *a);
/* Log (not show) what went wrong with the session's plugins since the last
 * call: one line per plugin refused, failed or disabled. */
void app_plugins_log(struct app *a);
/* The provider/model text of the status bar, e.g. "offline" or "openai · gpt-4o-mini". */
void app_set_provider(struct app *a, const char *text);
/* Add to the money spent this session (shown in the status bar). */
void app_add_cost(struct app *a, double dollars);
/* Write one line to the log file (stderr is that file while the TUI is up);
 * level 0 always, 1 only with -v. */
void app_log(struct app *a, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- panes ---- */

/* The pane of that type name ("Data", "Prompt", …), or NULL. */
struct pane *app_pane(struct app *a, const char *name);
/* The pane that has the focus. */
struct pane *app_focused(struct app *a);
/* Give p the focus (and show it). */
void app_focus(struct app *a, struct pane *p);
/* Tell every pane that the workspace changed (enum pane_change bits). */
void app_changed(struct app *a, unsigned what);
/* True when the terminal draws UTF-8 (box drawing, Chinese); else ASCII only. */
int app_utf8(struct app *a);
/* True under --demo (panes may offer their large-type views). */
int app_demo(struct app *a);

/* ---- line input (GNU readline on the bottom line) ---- */

/* What Tab completes in a line or in a command argument. */
enum app_complete {
	APP_COMPLETE_NONE = 0,
	APP_COMPLETE_COMMAND,    /* a ':' command line (command names, then their args) */
	APP_COMPLETE_TABLE,
	APP_COMPLETE_COLUMN,     /* columns of the table open in the Data pane */
	APP_COMPLETE_SEGMENT,
	APP_COMPLETE_FILE,
	APP_COMPLETE_SQL,        /* columns, tables and SQL words (filter predicates) */
};

/* Called with the line the user accepted, or NULL when they cancelled (Esc,
 * Ctrl-G). The line is the app's and valid only during the call. */
typedef void (*app_line_fn)(struct app *a, void *ctx, const char *line);

/* Open a readline prompt on the bottom line. kind names its history ("command",
 * "search", "filter", or the pane's own, e.g. "feedback"), kept in the
 * workspace across sessions. initial (may be NULL) is pre-filled. Only one
 * prompt is open at a time: opening another cancels the first (its fn gets NULL). */
void app_prompt(struct app *a, const char *kind, const char *prompt, const char *initial,
                int complete, app_line_fn fn, void *ctx);
/* True while a prompt is open. */
int app_prompt_active(struct app *a);

/* ---- ':' commands ---- */

/* One ':' command (tmux's cmd_entry). args says what Tab completes per
 * argument, space-separated: "table", "column", "segment", "file", "sql"
 * (the rest of the line is SQL), "word:a,b,c" (one of those words), "any". */
struct app_cmd {
	const char *name;      /* "filter" */
	const char *usage;     /* "filter PREDICATE" */
	const char *summary;   /* "show only rows where PREDICATE holds" */
	const char *args;      /* completion per argument, see above; NULL = none */
	/* Run it. argv[0] is the name, arguments split at blanks ('…' and "…"
	 * quote); rest is the raw text after the name, for SQL. Return 0, or -1
	 * after app_error (the message stays on the bottom line). */
	int (*exec)(struct app *a, int argc, char **argv, const char *rest);
};

/* Add a table of commands (ends with name == NULL; kept by pointer, so make it
 * static const). Commands in a pane_type's cmds are added automatically. */
void app_commands_add(struct app *a, const struct app_cmd *table);
/* Run a command line as if typed after ':'; returns what exec returned. */
int app_run_command(struct app *a, const char *line);
/* Ask the app to quit at the end of this loop turn. */
void app_quit(struct app *a);

/* ---- background jobs ---- */

/* A job the loop drives without freezing: generation requests, imports, index
 * builds. Every loop turn the app calls poll() of the first running job with
 * its own fds (stdin, its wake pipe) and the time it may wait; the job waits at
 * most timeout_ms for its own events OR any of fds (setting fds[i].revents as
 * poll(2) does, e.g. through gen_job_poll or curl_multi_poll's extra fds),
 * handles its own events, and returns 1 while it runs, 0 when finished. Other
 * running jobs get poll() with timeout 0 in the same turn.
 * status() writes a short progress text for the status bar ("import 45% ·
 * 120,000 rows/s"); cancel() asks it to stop (Esc): it still reports the end
 * through poll() returning 0. done() runs once after that (also when the app
 * quits with the job running, after cancel and a last poll): release ctx
 * there. in_flight() says how many requests it has in flight now (the top
 * bar's count; a job without it counts as one). Any of status, cancel, done,
 * in_flight may be NULL. A quiet job is read-only housekeeping (a row count, a
 * profile): losing it costs nothing, so q does not ask about it, it is not
 * counted in flight, and Esc and the status line go to the other jobs first. */
struct app_job_ops {
	const char *name;
	int   quiet;
	int  (*poll)(void *ctx, struct pollfd *fds, int nfds, int timeout_ms);
	void (*status)(void *ctx, char *buf, size_t len);
	void (*cancel)(void *ctx);
	void (*done)(void *ctx);
	int  (*in_flight)(void *ctx);
};

/* Start driving a job; the ops table must outlive it (static const). */
void app_job_add(struct app *a, const struct app_job_ops *ops, void *ctx);
/* Jobs running now. */
int app_jobs(struct app *a);
/* Wake the loop from another thread (async-signal-safe: one write to a pipe). */
void app_wake(struct app *a);

#endif
