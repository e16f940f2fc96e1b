/* abstats.h — A/B test statistics: pure functions, no allocation, no I/O.
 *
 * Every formula, its source and its accuracy is written out in
 * docs/STATISTICS.md. In short:
 *   per arm        rate, Wilson score interval at level 1 - alpha
 *   vs control     absolute and relative lift, Newcombe hybrid score interval
 *                  for the difference, pooled two-proportion z-test, Holm
 *                  adjustment over the K-1 comparisons
 *   Bayesian       Beta(prior_a + c, prior_b + n - c) posteriors; P(beat
 *                  control), P(best), expected losses by composite 8-point
 *                  Gauss-Legendre quadrature over the posteriors' support
 *                  (error far below 1e-6, deterministic, no Monte Carlo)
 *   SRM            chi-square goodness of fit against the planned split
 *   sequential     mixture SPRT (normal mixture, Johari et al. 2017):
 *                  always-valid p-values and confidence sequences
 *   revenue        Welch's t-test on revenue per visitor
 *   planning       Fleiss sample size with Bonferroni over the variants
 *
 * Nothing here returns NaN for bad input: every entry point that takes data
 * validates it and fails with a cl_err naming the arm and the field.
 */
#ifndef CL_ABSTATS_H
#define CL_ABSTATS_H

#include <stdint.h>
#include "core/util.h"

#define AB_MAX_ARMS 32

/* ---- special functions (exported for tests and other modules) ---- */

/* Standard normal CDF and upper tail, accurate to double precision. */
double ab_norm_cdf(double x);
double ab_norm_sf(double x);
/* Standard normal quantile for 0 < p < 1 (relative error ~1e-15). */
double ab_norm_quantile(double p);
/* Regularised incomplete beta I_x(a, b); y must be 1 - x (passed separately
 * so callers can avoid cancellation). a, b > 0, 0 <= x <= 1. */
double ab_betainc(double a, double b, double x, double y);
/* Regularised upper incomplete gamma Q(a, x), a > 0, x >= 0. */
double ab_gammaq(double a, double x);
/* Chi-square survival function P(X > x) with df degrees of freedom. */
double ab_chisq_sf(double x, double df);
/* Student t two-sided tail P(|T| > |t|) with df > 0 degrees of freedom. */
double ab_t_sf2(double t, double df);

/* ---- building blocks ---- */

/* Wilson score interval for c successes in n trials at two-sided level alpha. */
int ab_wilson(int64_t n, int64_t c, double alpha, double *lo, double *hi, struct cl_err *err);
/* Newcombe (1998) hybrid score interval (method 10) for p2 - p1. */
int ab_newcombe(int64_t n1, int64_t c1, int64_t n2, int64_t c2, double alpha,
                double *lo, double *hi, struct cl_err *err);
/* Pooled two-proportion z statistic and two-sided p-value for p2 vs p1
 * (z = 0, p = 1 when the pooled rate is 0 or 1). */
int ab_ztest(int64_t n1, int64_t c1, int64_t n2, int64_t c2, double *z, double *p,
             struct cl_err *err);
/* Holm step-down adjustment of m p-values into adj (may alias p). */
void ab_holm(const double *p, int m, double *adj);
/* Chi-square goodness-of-fit p-value of counts n[k] against split weights
 * w[k] (NULL = equal); *chi2 may be NULL. */
int ab_srm(const int64_t *n, const double *w, int k, double *chi2, double *p, struct cl_err *err);
/* Welch's t-test for mean2 - mean1 from sample means, sample variances and
 * observation counts (each >= 2). */
int ab_welch(double m1, double v1, double n1, double m2, double v2, double n2,
             double *t, double *df, double *p, struct cl_err *err);

/* Bayesian engine over k Beta(a[i], b[i]) posteriors (a, b >= 1), by
 * quadrature. Outputs (any may be NULL): prob_best[k]; loss[k] =
 * E[max_j X_j - X_i]; and, against arm ctrl, beat[k] = P(X_i > X_ctrl) and
 * loss_ctrl[k] = E[max(X_ctrl - X_i, 0)]. No allocation. */
int ab_bayes(int k, const double *a, const double *b, int ctrl, double *prob_best,
             double *loss, double *beat, double *loss_ctrl, struct cl_err *err);
/* P(X2 > X1) for X1 ~ Beta(a1, b1), X2 ~ Beta(a2, b2). */
double ab_prob_beat(double a1, double b1, double a2, double b2);
/* Sample the Beta(a, b) density at npts points over mean +- 5 sd (clipped to
 * [0, 1]) into caller arrays x and y, for charts. */
void ab_beta_density(double a, double b, int npts, double *x, double *y);

/* Mixture SPRT for p2 - p1 with normal mixing sd tau: the likelihood ratio
 * (>= 0) at one look, and the confidence-sequence half width at level alpha
 * around the observed difference (1.0 when the data carry no information). */
double ab_msprt_lr(int64_t n1, int64_t c1, int64_t n2, int64_t c2, double tau);
double ab_msprt_halfwidth(int64_t n1, int64_t c1, int64_t n2, int64_t c2, double tau,
                          double alpha);

/* ---- the full analysis ---- */

struct ab_input {
	int         narms;
	const char *name[AB_MAX_ARMS];     /* borrowed */
	int64_t     n[AB_MAX_ARMS];        /* visitors (totals; overwritten from days) */
	int64_t     conv[AB_MAX_ARMS];     /* conversions */
	int         control;               /* index of the control arm */
	double      alpha;                 /* 0 = 0.05 */
	double      split[AB_MAX_ARMS];    /* planned split weights; all 0 = equal */
	double      prior_a, prior_b;      /* 0 = 1 (uniform prior) */
	/* Optional per-look data (e.g. per day), row-major ndays x narms, as
	 * increments (not cumulative). When ndays > 0, n and conv are their sums. */
	int            ndays;
	const int64_t *day_n, *day_conv;
	const double  *day_rev;            /* optional revenue per day and arm */
	double         seq_tau;            /* mSPRT mixing sd; 0 = 0.1 x pooled rate */
	int            adaptive;           /* allocation followed the data (a bandit): no SRM check */
	/* Optional revenue totals; with revenue_sq (sum of squared per-visitor
	 * revenue) Welch uses visitors, else per-day revenue per visitor. */
	int     has_revenue, has_revenue_sq;
	double  revenue[AB_MAX_ARMS], revenue_sq[AB_MAX_ARMS];
};

enum ab_verdict {
	AB_INCONCLUSIVE = 0,   /* no significant difference */
	AB_WINNER,             /* an arm beats the control (winner set) */
	AB_CONTROL_WINS,       /* every significant arm is worse than the control */
};

struct ab_arm_stats {
	double rate, ci_low, ci_high;
	double post_a, post_b;             /* posterior parameters */
	double prob_best, expected_loss;   /* loss = E[max_j X_j - X_i] */
	double rpv;                        /* revenue per visitor (if revenue) */
};

struct ab_cmp_stats {                  /* arm i vs the control; unused for the control */
	double abs_lift, rel_lift;         /* rel_lift valid only if rel_lift_ok */
	int    rel_lift_ok;
	double diff_ci_low, diff_ci_high;  /* Newcombe hybrid score */
	double z, p_value, p_value_adj;    /* pooled z, Holm */
	double prob_beat, expected_loss;   /* loss = E[max(X_ctrl - X_i, 0)] */
	/* sequential (mSPRT) */
	double seq_p, seq_ci_low, seq_ci_high;
	int    seq_first_look;             /* 1-based look where seq_p <= alpha', 0 = never */
	/* revenue (Welch), valid only if welch_ok */
	int    welch_ok;
	double rev_diff, welch_t, welch_df, welch_p;
};

struct ab_result {
	int     narms, control, nlooks;
	double  alpha, seq_alpha, seq_tau;  /* seq_alpha = alpha / (K - 1) */
	double  prior_a, prior_b;
	double  srm_chi2, srm_p;            /* srm_p = 1 when not applicable */
	int     srm_applicable;             /* 0 for adaptive allocation */
	int     srm_warning;                /* srm_p < 0.001 */
	int     welch_per_visitor;          /* 1 per visitor, 0 per day (if any welch) */
	struct ab_arm_stats arm[AB_MAX_ARMS];
	struct ab_cmp_stats cmp[AB_MAX_ARMS];
	enum ab_verdict verdict, seq_verdict;
	int     winner, seq_winner;         /* arm index or -1 */
	char    verdict_text[256], seq_verdict_text[256];
};

/* The fixed-horizon verdict of r (ab_analyze's result for in) as a sentence
 * in lang: "zh..." Chinese, anything else (or NULL) the English that
 * r->verdict_text holds. Written to buf (n bytes, always terminated). */
void ab_verdict_format(const struct ab_input *in, const struct ab_result *r, const char *lang,
                       char *buf, size_t n);

/* Validate in and compute every figure into *out. If seq_p_series is not
 * NULL it receives nlooks x narms always-valid p-values (control column 1),
 * cumulative by look. No allocation. */
int ab_analyze(const struct ab_input *in, struct ab_result *out, double *seq_p_series,
               struct cl_err *err);

/* ---- planning ---- */

struct ab_plan_in {
	double  baseline;   /* control conversion rate, 0 < p < 1 */
	double  mde;        /* relative minimum detectable effect, e.g. 0.1 */
	double  alpha;      /* 0 = 0.05, two-sided, before Bonferroni */
	double  power;      /* 0 = 0.8 */
	int     arms;       /* arms including the control; 0 = 2 */
	int64_t daily;      /* visitors per day over all arms; 0 = unknown */
	int     days;       /* days available; 0 = unknown */
};

struct ab_plan_out {
	double  alpha_per_test;      /* alpha / (arms - 1) */
	int64_t n_per_arm, n_total;
	double  days_needed;         /* when daily > 0 (fractional; ceil for display) */
	int     max_arms;            /* when daily and days: most arms (incl. control) affordable, 0 = not even 2 */
	double  mde_affordable;      /* when daily and days: smallest relative MDE for `arms` arms */
};

/* Sample size per arm for a two-sided two-proportion test (Fleiss 2003). */
int ab_sample_size(double p1, double p2, double alpha, double power, int64_t *n,
                   struct cl_err *err);
/* The whole plan: sample size, days needed and the reverse questions. */
int ab_plan(const struct ab_plan_in *in, struct ab_plan_out *out, struct cl_err *err);

#endif
