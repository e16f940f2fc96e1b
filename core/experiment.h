/* experiment.h — A/B results in memory and in the workspace.
 *
 * struct exp_data is one experiment's results: arms (optionally linked to
 * generated variants) and a days x arms table of visitors, conversions,
 * clicks and revenue. It is read from a CSV file (abtest FILE, abimport),
 * built by hand (--arm) or by the simulator, stored in
 * cl_experiments / cl_arms / cl_results, and loaded back for analysis
 * (abtest --experiment, the TUI Results pane, calibrate).
 */
#ifndef CL_EXPERIMENT_H
#define CL_EXPERIMENT_H

#include <stdint.h>
#include "core/abstats.h"
#include "core/workspace.h"

struct exp_data {
	int      narms;
	char    *arm[AB_MAX_ARMS];
	long long variant_id[AB_MAX_ARMS];  /* 0 = not linked */
	char    *text[AB_MAX_ARMS];         /* copy text from the file (abimport), or NULL */
	int      ndays;                     /* rows of the tables below (>= 1 once any data) */
	int      has_days;                  /* 1 when the rows are real days (a date column) */
	char   **day;                       /* ndays labels ("" when has_days is 0) */
	int64_t *n, *conv, *clicks;         /* ndays x narms, row-major */
	double  *rev, *rev_sq;
	int      has_clicks, has_revenue, has_revenue_sq;
};

/* Experiment metadata as stored in cl_experiments. */
struct exp_meta {
	long long id;
	char     *name;
	long long run_id;       /* 0 = none */
	int       simulated;
	char     *control;      /* control arm name, NULL = the first arm */
	char     *split;        /* planned split "50,50", NULL = equal, "adaptive" = bandit */
	int64_t   planned_n;    /* planned visitors per arm, 0 = unknown */
	char     *source;       /* file name or "simulate" or "manual" */
	char     *params;       /* JSON text, NULL = none */
	char     *created_at;
};

/* A new, empty results table; free with exp_data_free. */
struct exp_data *exp_data_new(void);
void exp_data_free(struct exp_data *d);
/* Add (sum into) one row: arm and day ("" or NULL when undated) are created as
 * needed. rev/rev_sq NAN and clicks < 0 mean "not given". */
int exp_data_add(struct exp_data *d, const char *arm, const char *day, int64_t n,
                 int64_t conv, int64_t clicks, double rev, double rev_sq, struct cl_err *err);
/* Read a results CSV: columns are matched to fields by name (arm, n, conversions,
 * and optionally date, clicks, revenue, revenue_sq, variant_id, text; common
 * synonyms such as visitors/sends/orders/variant are understood). map holds
 * "COLUMN=FIELD" overrides (nmap of them). *out is freed with exp_data_free;
 * errors name FILE:LINE and the column. Days are sorted. */
int exp_data_read_csv(const char *path, char *const *map, int nmap, struct exp_data **out,
                      struct cl_err *err);
/* Point in (zeroed by the caller or not) at d's data; d must outlive in.
 * control: arm name or NULL (first arm); split: "50,50", "adaptive" (a bandit
 * allocated the traffic: no sample-ratio check) or NULL (equal). */
int exp_data_input(const struct exp_data *d, const char *control, const char *split,
                   struct ab_input *in, struct cl_err *err);

/* Parse a planned split "50,30,20" into k weights. */
int exp_parse_split(const char *s, int k, double *w, struct cl_err *err);

/* Store d as experiment meta->name (replace = 1 overwrites one of that name).
 * Sets meta->id and nothing else in meta (created_at is stamped in the row);
 * meta's strings stay the caller's. */
int exp_save(struct workspace *ws, struct exp_meta *meta, const struct exp_data *d,
             int replace, struct cl_err *err);
/* Load an experiment; *d is freed with exp_data_free and meta with exp_meta_clear. */
int exp_load(struct workspace *ws, const char *name, struct exp_meta *meta,
             struct exp_data **d, struct cl_err *err);
void exp_meta_clear(struct exp_meta *m);
/* Delete an experiment by name. */
int exp_delete(struct workspace *ws, const char *name, struct cl_err *err);

/* One line of the experiment list. */
struct exp_summary {
	struct exp_meta meta;
	int      narms, ndays;
	int64_t  visitors, conversions;
};
/* Every stored experiment, newest first; free with exp_list_free. */
int exp_list(struct workspace *ws, struct exp_summary **out, size_t *n, struct cl_err *err);
void exp_list_free(struct exp_summary *s, size_t n);

/* Link arms to generated variants: for each unlinked arm, by the arm's
 * variant_id, else the arm's copy text equal to cl_variants.text or to a
 * string field of cl_variants.fields, else (with run_id) an arm named "N" or
 * "#N" / "vN" as the variant index in that run. Returns the number linked;
 * unmatched arms stay 0. run_id 0 = any run. */
int exp_link_variants(struct workspace *ws, struct exp_data *d, long long run_id,
                      struct cl_err *err);

/* Everything the Results pane draws, computed from a stored experiment. */
#define EXP_DENSITY_POINTS 64
struct exp_analysis {
	struct exp_meta  meta;
	struct exp_data *data;
	struct ab_input  in;            /* points into data */
	struct ab_result res;
	int      ndays;
	double  *cum_rate;              /* ndays x narms cumulative conversion rate */
	int64_t *cum_n;                 /* ndays x narms cumulative visitors */
	double  *seq_p;                 /* ndays x narms always-valid p-values */
	double   dens_x[AB_MAX_ARMS][EXP_DENSITY_POINTS];   /* posterior density samples */
	double   dens_y[AB_MAX_ARMS][EXP_DENSITY_POINTS];
	int64_t  visitors, planned_total; /* so far, and planned (0 = unknown) */
	double   progress;              /* visitors / planned_total, 0 when unknown */
};
/* Analysis options; zero means the default (alpha 0.05, Beta(1,1) prior,
 * tau 0.1 x pooled rate). control/split override the stored ones when set. */
struct exp_opts {
	double      alpha, prior_a, prior_b, tau;
	const char *control, *split;
};
/* Load experiment name and analyse it (opts may be NULL); free with
 * exp_analysis_free. */
int exp_analyze(struct workspace *ws, const char *name, const struct exp_opts *opts,
                struct exp_analysis **out, struct cl_err *err);
/* Analyse data already in memory (meta may be NULL); takes ownership of d
 * (freed with the analysis, or at once on failure). */
int exp_analyze_data(struct exp_data *d, const struct exp_meta *meta,
                     const struct exp_opts *opts, struct exp_analysis **out,
                     struct cl_err *err);
void exp_analysis_free(struct exp_analysis *a);
/* The abtest --json object (see README: control, alpha, arms, comparisons,
 * srm_p_value, sequential, verdict, plus revenue/simulated/experiment when
 * they apply); caller frees with cJSON_Delete. */
struct cJSON *exp_analysis_json(const struct exp_analysis *a);

#endif
