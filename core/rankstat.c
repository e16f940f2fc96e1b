/* rankstat.c — Spearman's rho with a Fisher-z interval (see rankstat.h). */
#include "core/rankstat.h"
#include "core/util.h"

#include <math.h>
#include <stdlib.h>

struct kv { double v; size_t i; };

static int cmp_kv(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	if (x->v < y->v)
		return -1;
	if (x->v > y->v)
		return 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

void rank_average(const double *x, size_t n, double *r)
{
	struct kv *k = xcalloc(n ? n : 1, sizeof *k);
	for (size_t i = 0; i < n; i++)
		k[i] = (struct kv){ x[i], i };
	qsort(k, n, sizeof *k, cmp_kv);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && k[j + 1].v == k[i].v)
			j++;
		double avg = (double)(i + j) / 2.0 + 1.0;
		for (size_t t = i; t <= j; t++)
			r[k[t].i] = avg;
		i = j + 1;
	}
	free(k);
}

double rank_pearson(const double *x, const double *y, size_t n)
{
	if (n < 2)
		return NAN;
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++)
		mx += x[i], my += y[i];
	mx /= (double)n;
	my /= (double)n;
	double sxy = 0, sxx = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx <= 0 || syy <= 0)
		return NAN;
	return sxy / sqrt(sxx * syy);
}

double rank_norm_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
		2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
		2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	double q, r;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - 0.02425) {
		q = sqrt(-2 * log(1 - p));
		return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

void rank_spearman(const double *x, const double *y, size_t n, double conf, struct rank_corr *out)
{
	out->n = n;
	out->rho = out->lo = out->hi = out->p_value = NAN;
	if (n < 2)
		return;
	double *rx = xcalloc(n, sizeof *rx), *ry = xcalloc(n, sizeof *ry);
	rank_average(x, n, rx);
	rank_average(y, n, ry);
	out->rho = rank_pearson(rx, ry, n);
	free(rx);
	free(ry);
	if (isnan(out->rho) || n < 4)
		return;
	double r = out->rho;
	if (r > 0.999999)
		r = 0.999999;
	if (r < -0.999999)
		r = -0.999999;
	double z = atanh(r), se = sqrt(1.06 / (double)(n - 3));
	double q = rank_norm_quantile(0.5 + conf / 2);
	out->lo = tanh(z - q * se);
	out->hi = tanh(z + q * se);
	out->p_value = erfc(fabs(z / se) / sqrt(2.0));
}
