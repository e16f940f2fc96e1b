/* workflow.h — what the four workflow panes (Prompt, Variants, Results,
 * History) ask of each other, and the helpers they share: the background
 * generation job, the $EDITOR escape hatch, score colours, and drawing text
 * with highlighted spans.
 */
#ifndef CL_TUI_WORKFLOW_H
#define CL_TUI_WORKFLOW_H

#include <stddef.h>
#include "core/generate.h"
#include "core/iterate.h"
#include "tui/app.h"
#include "tui/pane.h"

/* ---- Variants pane ---- */

/* Show a stored run (loads it from the workspace). */
void variants_show_run(struct pane *p, long long run_id);
/* True while a generation streams into the pane. */
int variants_live_active(struct pane *p);
/* Put the cursor on a variant of the shown run. */
void variants_select(struct pane *p, long long variant_id);
/* The run shown, 0 when none. */
long long variants_run_id(struct pane *p);
/* Live generation: n variants are coming for run run_id (title for the box). */
void variants_live_begin(struct pane *p, long long run_id, int n, const char *title);
/* Streamed text for variant idx; retry drops what it streamed so far. */
void variants_live_token(struct pane *p, int idx, const char *text, size_t n);
void variants_live_retry(struct pane *p, int idx);
/* Variant idx is stored (reloads the run) or failed (msg). */
void variants_live_variant(struct pane *p, int idx);
void variants_live_error(struct pane *p, int idx, const char *msg);
/* The job ended (status "done", "failed", "cancelled"); scores are computed. */
void variants_live_end(struct pane *p, const char *status);

/* ---- Results pane ---- */

/* Show an experiment by name. */
void results_show(struct pane *p, const char *experiment);

/* ---- History pane ---- */

/* Show the lineage of run_id. */
void history_show_run(struct pane *p, long long run_id);

/* ---- the generation job (one at a time) ---- */

/* Start generating spec in the background: variants stream into the
 * Variants pane, the status bar counts requests in flight, Esc cancels
 * keeping what finished. After the job, the run is scored and, when iterate
 * is set, linked as the next round after w (w is copied). Returns 0, or -1
 * after app_error. */
int wf_generate(struct app *a, const struct gen_spec *spec, const struct iter_winners *w);
/* True while a generation job runs. */
int wf_generating(struct app *a);
/* Score every variant of run_id and store the scores: the core scorers and
 * the session's plugin scorers (app_plugins). */
int wf_score(struct app *a, long long run_id);
struct cl_config;
/* The provider configuration (config_load); when config.json names a type
 * only a plugin provides, with the session's plugins' provider types
 * (app_plugins). Free *cfg with config_free before the app ends. 0 or -1
 * (err says why). */
int wf_config_load(struct app *a, struct cl_config **cfg, struct cl_err *err);

/* ---- shared helpers ---- */

/* Run $EDITOR (else vi) on text; *out gets the edited text (caller frees)
 * or NULL when unchanged. suffix names the temp file's extension (".tmpl").
 * Returns 0, or -1 after app_error. */
int wf_edit_external(struct app *a, const char *text, const char *suffix, char **out);
/* The draw role for a score in [0,1] (good, middling, poor). */
int wf_score_role(double v);
/* A short label for a scorer name ("channel_fit" -> "fit"). */
const char *wf_scorer_short(const char *name);

/* A highlighted byte range of a text. */
struct wf_span {
	size_t off, len;
	int    role;
};
/* Draw the n bytes at s at (y, x) within cols cells, sanitized, with spans
 * (sorted, non-overlapping, offsets relative to s) in their roles and the
 * rest in base role. Returns cells drawn. */
int wf_put_spans(WINDOW *w, int y, int x, const char *s, size_t n, int cols, int base,
                 const struct wf_span *spans, size_t nspans);

/* Under a non-UTF-8 locale (LANG=C), replace our own marks (· — ★ … ⋈ ⚠ ▸)
 * in s by ASCII, in place; returns s. Data text is left to the sanitizer. */
char *wf_fold(char *s);

#endif
