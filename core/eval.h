/* eval.h — score every variant of a generation run and store the scores;
 * calibrate the scorers against A/B results.
 *
 * eval_run reads the run's template (channel, language, and optional
 * front-matter keys `weights: cta=2, ...` and `rubric: clarity=1, ...`), its
 * bound row (row_ref TABLE:ID, used by the claims check) and segment, scores
 * each variant that has no error with every registered scorer (plus the judge
 * when asked), and writes cl_scores rows, one transaction per variant.
 *
 * calibrate_run pairs each scorer's stored value for a variant with the
 * observed rate (conversions / n) of the A/B arm linked to that variant,
 * taken relative to its experiment's pooled rate so that experiments with
 * different baselines can be pooled, and reports Spearman's rho with its 95%
 * Fisher-z interval, n and a plain verdict. Simulated experiments are left out
 * unless asked for (their outcomes come from the scores themselves).
 */
#ifndef CL_EVAL_H
#define CL_EVAL_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "core/judge.h"
#include "core/score.h"
#include "core/workspace.h"

struct eval_opts {
	int judge;                          /* also run the LLM judge */
	struct provider *provider;          /* the judge's provider; NULL or offline: heuristic fallback */
	const struct judge_rubric *rubric;  /* NULL: the template's, else the default */
	/* Called after each variant is stored; r is borrowed for the call. judge_error
	 * is the judge's failure message for this variant, or NULL. */
	void (*on_variant)(void *ud, long long variant_id, int idx, const struct score_result *r,
	                   const char *judge_error);
	void *ud;
	volatile int *cancel;               /* stop between variants when *cancel != 0 */
};

struct eval_summary {
	size_t variants;        /* variants without an error */
	size_t scored;          /* stored */
	size_t judged, judge_errors;
	int    judge_fallback;  /* the judge fell back to the heuristic composite */
	char   channel[16], lang[3];
	char   row_ref[128];
	int    cancelled;
};

/* Score run run_id with set (weights from the template are applied to set). */
int eval_run(struct workspace *ws, struct scoreset *set, long long run_id,
             const struct eval_opts *opts, struct eval_summary *out, struct cl_err *err);

/* Score one stored variant as eval_run would (its run's template, bound row,
 * segment; the judge when opts->judge), store the scores and return them in
 * *out (freed with score_result_free; opts->on_variant is not called). When
 * the judge fails the heuristic scores are still stored and *judge_error (may
 * be NULL; caller frees) says why. For the TUI's "score this variant". */
int eval_variant(struct workspace *ws, struct scoreset *set, long long variant_id,
                 const struct eval_opts *opts, struct score_result *out, char **judge_error,
                 struct cl_err *err);

/* The bound row "TABLE:ID" as a JSON object (*out caller frees), matched on
 * column id, else rowid. */
int eval_load_row(struct workspace *ws, const char *row_ref, cJSON **out, struct cl_err *err);

struct calib_row {
	char  *scorer;
	size_t n;
	double rho, lo, hi, p_value;   /* NaN when not computable */
	const char *verdict;
};

struct calib_report {
	struct calib_row *v;
	size_t n;
	size_t arms, experiments;      /* arms with results and a scored variant; their experiments */
	int include_simulated;
};

int calibrate_run(struct workspace *ws, int include_simulated, struct calib_report *out,
                  struct cl_err *err);
/* {"experiments", "arms", "rate", "simulated_included", "scorers": [{"scorer", "n", "rho",
 * "ci_low", "ci_high", "p_value", "verdict"}]}; new object, caller frees. */
cJSON *calibrate_json(const struct calib_report *r);
void calibrate_report_free(struct calib_report *r);

#endif
