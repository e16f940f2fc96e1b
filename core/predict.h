/* predict.h — a click-rate model trained on the workspace's past campaigns.
 *
 * Features: hashed word unigrams and bigrams (Chinese: character unigrams and
 * bigrams), hashed character trigrams of English words, channel, segment,
 * language and channel x segment indicators (hashed into 1024 slots), plus
 * dense cues: length, call-to-action strength, numbers, discounts, prices,
 * emoji, question, exclamation, urgency, second person, all-caps share,
 * sentences. Target: the logit of the smoothed click rate
 * (clicks + 0.5) / (impressions + 1). Model: ridge regression with an
 * unpenalised intercept, solved in closed form (Cholesky; the dual form when
 * there are fewer rows than features). A fixed ridge penalty (not tuned on
 * the same folds) keeps the cross-validated figures honest.
 *
 * Validation: k-fold cross-validation (5 folds, deterministic assignment):
 * Spearman's rho between out-of-fold predicted and observed click rates with
 * its 95% Fisher-z interval, out-of-fold R², and the mean squared error of
 * the model beside a constant baseline (each training fold's mean). Every
 * prediction carries these figures. With fewer than min_rows usable rows the
 * trainer refuses and says how many there are.
 */
#ifndef CL_PREDICT_H
#define CL_PREDICT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "core/lexicon.h"
#include "core/util.h"
#include "core/workspace.h"

struct predictor;

struct predict_example {
	const char *text;        /* the copy (headline, body, cta joined) */
	const char *channel;     /* may be NULL */
	const char *segment;     /* may be NULL */
	double impressions, clicks;
};

struct predict_opts {
	int    folds;            /* 0 = 5 */
	double lambda;           /* ridge penalty; 0 = 1.0 */
	size_t min_rows;         /* 0 = 30 */
};

struct predict_metrics {
	size_t n;                /* rows used */
	int    folds;
	double lambda;
	double spearman, spearman_lo, spearman_hi, spearman_p;   /* out-of-fold */
	double r2;               /* out-of-fold R² on the click rate */
	double mse, baseline_mse;/* out-of-fold mean squared error, model and constant baseline */
	double mean_ctr;
	int    beats_baseline;   /* mse < baseline_mse */
};

/* Train on n examples (lx: the bundled lexicon, borrowed, must outlive the
 * model; may be NULL). *out freed with predictor_free. Too little history is
 * an error (CL_EINVAL) saying how many rows there are and how many it needs. */
int predictor_train(const struct predict_example *ex, size_t n, const struct lexicon *lx,
                    const struct predict_opts *opts, struct predictor **out, struct cl_err *err);
/* Train on a table of past campaigns (NULL = "campaigns"): text from
 * headline/subject/title, body/text/copy and cta columns; channel, segment;
 * impressions and clicks. Rows without impressions are skipped. */
int predictor_train_table(struct workspace *ws, const char *table, const struct lexicon *lx,
                          const struct predict_opts *opts, struct predictor **out,
                          struct cl_err *err);
void predictor_free(struct predictor *p);

/* Store in cl_models under name "ctr" (replacing the previous model). */
int predictor_save(struct workspace *ws, const struct predictor *p, struct cl_err *err);
/* Load the stored model; 0 with *out = NULL when none was trained. */
int predictor_load(struct workspace *ws, const struct lexicon *lx, struct predictor **out,
                   struct cl_err *err);

/* Predicted click rate of a copy (not thread-safe: uses the model's scratch). */
double predictor_predict(struct predictor *p, const char *text, const char *channel,
                         const char *segment);
/* Same, from an analysis already made (ts and hits of text, as the scorers have). */
double predictor_predict_analysed(struct predictor *p, const struct text_stats *ts,
                                  const struct lex_hits *hits, const char *channel,
                                  const char *segment);
/* Share of the training campaigns whose click rate is below ctr, in [0,1]. */
double predictor_percentile(const struct predictor *p, double ctr);
/* The cross-validated figures (owned by p). */
const struct predict_metrics *predictor_metrics(const struct predictor *p);
/* The figures as JSON with a plain verdict; new object, caller frees. */
cJSON *predictor_metrics_json(const struct predictor *p);
/* Where the model came from: the table name and training time (owned by p; may be ""). */
const char *predictor_source(const struct predictor *p);
const char *predictor_trained_at(const struct predictor *p);

#endif
