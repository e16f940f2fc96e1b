/* tjob.h — long core work (import, index build, frequency, profile, count) on
 * a worker thread with its own workspace connection, driven as an app job:
 * the loop keeps answering keys, the status bar shows percent and rows/s, and
 * Esc cancels through the core's progress callback (which rolls back).
 *
 * Call order: tjob_start (app thread) → run (worker thread, with a workspace
 * of its own that tjob opens and closes) → finish (app thread, once, after the
 * worker ended; it owns arg and frees it). */
#ifndef CL_TUI_TJOB_H
#define CL_TUI_TJOB_H

#include <stdint.h>
#include "core/util.h"
#include "core/workspace.h"
#include "tui/app.h"

struct tjob;

/* The work, on the worker thread; return 0 or -1 with err set. Pass
 * tjob_progress and j as the core's progress callback and context. */
typedef int (*tjob_run_fn)(struct tjob *j, struct workspace *ws, void *arg, struct cl_err *err);
/* The end, on the app thread: rc 0, or -1 with err (err->code CL_ECANCEL when
 * cancelled). Frees arg. */
typedef void (*tjob_finish_fn)(struct app *a, void *arg, int rc, const struct cl_err *err);

/* Start a job labelled label ("import customers.csv"); arg goes to run and finish. */
void tjob_start(struct app *a, const char *label, tjob_run_fn run, tjob_finish_fn finish,
                void *arg);
/* The same for read-only housekeeping (a row count, a profile): a quiet app
 * job, so q quits without asking about it and Esc goes to other work first. */
void tjob_start_quiet(struct app *a, const char *label, tjob_run_fn run, tjob_finish_fn finish,
                      void *arg);
/* A cl_progress_fn: records progress, returns 1 once the job was cancelled. */
int tjob_progress(void *j, uint64_t done, uint64_t total, uint64_t rows);

#endif
