/* report.h — a stakeholder report of a run and its A/B test, as one
 * self-contained HTML file (inline CSS and SVG charts, no scripts, no
 * network) or as Markdown.
 *
 * It holds: the prompt and its version, the provider and model (OFFLINE
 * copy and SIMULATED experiments labelled as such), the variants side by
 * side with their scores and the reasons behind them, the A/B results
 * (rates with 95% intervals, lifts, p-values, Bayesian figures, verdict)
 * with charts of the rate per arm, the posterior densities and the
 * cumulative rate by day, the iteration history of the run's lineage, and
 * the data and segment used.
 *
 * Everything from data or a model goes through a redactor (core/redact.h:
 * e-mails, phones, long numbers, personal columns and the bound row's
 * personal values) and is escaped; the values of environment variables that
 * hold keys or secrets (by name: *_KEY, *TOKEN*, *SECRET*, *APIKEY*, *_PASS*,
 * and every api_key_env that config.json names) are replaced too, and a
 * report that would still contain one is refused.
 */
#ifndef CL_REPORT_H
#define CL_REPORT_H

#include "core/util.h"
#include "core/workspace.h"

enum report_format { REPORT_HTML = 1, REPORT_MD = 2 };

struct report_opts {
	long long   run_id;      /* 0: the experiment's run, else the newest run */
	const char *experiment;  /* NULL: the experiment linked to the run, if any */
	int         format;      /* enum report_format; 0 = by the file's extension */
	const char *lang;        /* "en" or "zh" labels; NULL = "en" */
	const char *generator;   /* "copylab 0.1.0", shown in the footer; may be NULL */
};

/* What a written report holds (for the front end's message). */
struct report_summary {
	long long run_id;
	int       nvariants;
	char      experiment[128];   /* "" when none */
	int       simulated;
	size_t    redacted;          /* spans the redactor replaced */
	size_t    bytes;
};

/* The format a path's extension asks for (.html/.htm, .md/.markdown), 0 if neither. */
int report_format_for_path(const char *path);

/* Render the report into *out (caller frees). sum may be NULL. */
int report_render(struct workspace *ws, const struct report_opts *opts, char **out,
                  struct report_summary *sum, struct cl_err *err);

/* Render and write to path (replaced atomically: a temporary file renamed). */
int report_write(struct workspace *ws, const struct report_opts *opts, const char *path,
                 struct report_summary *sum, struct cl_err *err);

#endif
