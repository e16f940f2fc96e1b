/* rankstat.h — rank correlation with a confidence interval, for the
 * predictor's validation figure and for calibration.
 *
 * Spearman's rho is Pearson's correlation of the ranks (ties get their
 * average rank). Its interval uses Fisher's z = atanh(rho) with the standard
 * error sqrt(1.06 / (n - 3)) of Fieller, Hartley and Pearson (1957), which
 * suits Spearman better than the Pearson 1/sqrt(n - 3).
 */
#ifndef CL_RANKSTAT_H
#define CL_RANKSTAT_H

#include <stddef.h>

struct rank_corr {
	size_t n;
	double rho;          /* NaN when n < 2 or a variable is constant */
	double lo, hi;       /* 95% interval; NaN when n < 4 */
	double p_value;      /* two-sided, from the same normal approximation; NaN when n < 4 */
};

/* Spearman's rho of x and y (n pairs) with its Fisher-z interval at level
 * conf (e.g. 0.95). */
void rank_spearman(const double *x, const double *y, size_t n, double conf, struct rank_corr *out);
/* Pearson's correlation (NaN when undefined). */
double rank_pearson(const double *x, const double *y, size_t n);
/* Average ranks (1-based, ties averaged) of x into r. */
void rank_average(const double *x, size_t n, double *r);
/* Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
double rank_norm_quantile(double p);

#endif
