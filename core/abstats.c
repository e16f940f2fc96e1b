/* abstats.c — A/B statistics (see abstats.h and docs/STATISTICS.md). */
#include "core/abstats.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQRT2    1.41421356237309504880
#define SQRT2PI  2.50662827463100050242

/* ------------------------------------------------------------------ */
/* Special functions                                                   */
/* ------------------------------------------------------------------ */

double ab_norm_cdf(double x) { return 0.5 * erfc(-x / SQRT2); }
double ab_norm_sf(double x) { return 0.5 * erfc(x / SQRT2); }

/* Acklam's rational approximation (relative error 1.15e-9), then two Halley
 * steps on erfc, which take it to full double precision. */
double ab_norm_quantile(double p)
{
	static const double a[6] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
		2.506628277459239e+00 };
	static const double b[5] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[6] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
		2.938163982698783e+00 };
	static const double d[4] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	const double plow = 0.02425;
	double q, r, x;

	if (!(p > 0.0))
		return -HUGE_VAL;
	if (!(p < 1.0))
		return HUGE_VAL;
	if (p < plow) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - plow) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		     ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	for (int i = 0; i < 2; i++) {
		/* Work in the tail nearer to x so the residual keeps its digits. */
		double e = x < 0 ? ab_norm_cdf(x) - p : (1 - p) - ab_norm_sf(x);
		double u = e * SQRT2PI * exp(x * x / 2);
		x = x - u / (1 + x * u / 2);
	}
	return x;
}

/* Continued fraction for the incomplete beta (modified Lentz; Numerical
 * Recipes 3rd ed. 6.4, from Abramowitz & Stegun 26.5.8). */
static double betacf(double a, double b, double x)
{
	const double fpmin = DBL_MIN / DBL_EPSILON;
	double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap, h;
	if (fabs(d) < fpmin)
		d = fpmin;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 100000; m++) {
		int m2 = 2 * m;
		double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < fpmin)
			d = fpmin;
		c = 1 + aa / c;
		if (fabs(c) < fpmin)
			c = fpmin;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < fpmin)
			d = fpmin;
		c = 1 + aa / c;
		if (fabs(c) < fpmin)
			c = fpmin;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) <= 4 * DBL_EPSILON)
			break;
	}
	return h;
}

double ab_betainc(double a, double b, double x, double y)
{
	if (!(x > 0))
		return 0;
	if (!(y > 0))
		return 1;
	double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y);
	if (x < (a + 1) / (a + b + 2))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1 - exp(lbt) * betacf(b, a, y) / b;
}

/* Series (x < a + 1) or continued fraction (Numerical Recipes 6.2). */
double ab_gammaq(double a, double x)
{
	const double fpmin = DBL_MIN / DBL_EPSILON;
	if (!(x > 0))
		return 1;
	double lpre = -x + a * log(x) - lgamma(a);
	if (x < a + 1) {
		double ap = a, sum = 1 / a, del = sum;
		for (int n = 0; n < 100000; n++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * DBL_EPSILON)
				break;
		}
		double pval = sum * exp(lpre);
		return pval >= 1 ? 0 : 1 - pval;
	}
	double b = x + 1 - a, c = 1 / fpmin, d = 1 / b, h = d;
	for (int i = 1; i <= 100000; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < fpmin)
			d = fpmin;
		c = b + an / c;
		if (fabs(c) < fpmin)
			c = fpmin;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) <= 4 * DBL_EPSILON)
			break;
	}
	return exp(lpre) * h;
}

double ab_chisq_sf(double x, double df)
{
	if (!(x > 0))
		return 1;
	return ab_gammaq(df / 2, x / 2);
}

double ab_t_sf2(double t, double df)
{
	double t2 = t * t;
	if (!(t2 > 0))
		return 1;
	if (isinf(t2))
		return 0;
	/* P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2). */
	return ab_betainc(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

/* ------------------------------------------------------------------ */
/* Frequentist building blocks                                         */
/* ------------------------------------------------------------------ */

static int check_counts(int64_t n, int64_t c, const char *what, struct cl_err *err)
{
	if (n <= 0)
		return cl_err_set(err, CL_EINVAL, "%s: visitors must be positive (got %lld)",
		                  what, (long long)n);
	if (c < 0)
		return cl_err_set(err, CL_EINVAL, "%s: conversions must not be negative (got %lld)",
		                  what, (long long)c);
	if (c > n)
		return cl_err_set(err, CL_EINVAL,
		                  "%s: conversions (%lld) exceed visitors (%lld)", what,
		                  (long long)c, (long long)n);
	return 0;
}

static int check_alpha(double alpha, struct cl_err *err)
{
	if (!(alpha > 0 && alpha < 1))
		return cl_err_set(err, CL_EINVAL, "alpha must be between 0 and 1 (got %g)", alpha);
	return 0;
}

static void wilson(double n, double c, double z, double *lo, double *hi)
{
	double p = c / n, z2 = z * z;
	double den = 1 + z2 / n;
	double mid = p + z2 / (2 * n);
	double rad = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
	*lo = (mid - rad) / den;
	*hi = (mid + rad) / den;
	/* Exact ends: the interval contains 0 when c = 0 and 1 when c = n. */
	if (c == 0 || *lo < 0)
		*lo = 0;
	if (c == n || *hi > 1)
		*hi = 1;
}

int ab_wilson(int64_t n, int64_t c, double alpha, double *lo, double *hi, struct cl_err *err)
{
	if (check_counts(n, c, "wilson", err) || check_alpha(alpha, err))
		return -1;
	wilson((double)n, (double)c, ab_norm_quantile(1 - alpha / 2), lo, hi);
	return 0;
}

static void newcombe(double n1, double c1, double n2, double c2, double z, double *lo,
                     double *hi)
{
	double p1 = c1 / n1, p2 = c2 / n2, l1, u1, l2, u2;
	wilson(n1, c1, z, &l1, &u1);
	wilson(n2, c2, z, &l2, &u2);
	double d = p2 - p1;
	*lo = d - sqrt((p2 - l2) * (p2 - l2) + (u1 - p1) * (u1 - p1));
	*hi = d + sqrt((u2 - p2) * (u2 - p2) + (p1 - l1) * (p1 - l1));
}

int ab_newcombe(int64_t n1, int64_t c1, int64_t n2, int64_t c2, double alpha,
                double *lo, double *hi, struct cl_err *err)
{
	if (check_counts(n1, c1, "newcombe arm 1", err) ||
	    check_counts(n2, c2, "newcombe arm 2", err) || check_alpha(alpha, err))
		return -1;
	newcombe((double)n1, (double)c1, (double)n2, (double)c2,
	         ab_norm_quantile(1 - alpha / 2), lo, hi);
	return 0;
}

static void ztest(double n1, double c1, double n2, double c2, double *z, double *p)
{
	double pool = (c1 + c2) / (n1 + n2);
	double se = sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2));
	if (!(se > 0)) {
		*z = 0;
		*p = 1;
		return;
	}
	*z = (c2 / n2 - c1 / n1) / se;
	*p = erfc(fabs(*z) / SQRT2);
}

int ab_ztest(int64_t n1, int64_t c1, int64_t n2, int64_t c2, double *z, double *p,
             struct cl_err *err)
{
	if (check_counts(n1, c1, "z-test arm 1", err) || check_counts(n2, c2, "z-test arm 2", err))
		return -1;
	ztest((double)n1, (double)c1, (double)n2, (double)c2, z, p);
	return 0;
}

void ab_holm(const double *p, int m, double *adj)
{
	int idx[AB_MAX_ARMS * 4];
	double tmp[AB_MAX_ARMS * 4];
	if (m <= 0 || m > AB_MAX_ARMS * 4)
		return;
	for (int i = 0; i < m; i++) {
		idx[i] = i;
		tmp[i] = p[i];
	}
	/* insertion sort by p ascending (m is small), stable */
	for (int i = 1; i < m; i++) {
		int v = idx[i], j = i;
		while (j > 0 && tmp[idx[j - 1]] > tmp[v]) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
	double run = 0;
	for (int r = 0; r < m; r++) {
		double v = (m - r) * tmp[idx[r]];
		if (v > 1)
			v = 1;
		if (v > run)
			run = v;
		adj[idx[r]] = run;
	}
}

int ab_srm(const int64_t *n, const double *w, int k, double *chi2, double *p, struct cl_err *err)
{
	double total = 0, wsum = 0, x = 0;
	if (k < 2)
		return cl_err_set(err, CL_EINVAL, "sample-ratio check needs at least 2 arms");
	for (int i = 0; i < k; i++) {
		if (n[i] < 0)
			return cl_err_set(err, CL_EINVAL, "arm %d: visitors must not be negative", i + 1);
		total += (double)n[i];
		double wi = w ? w[i] : 1;
		if (!(wi > 0) || !isfinite(wi))
			return cl_err_set(err, CL_EINVAL, "split weight %d must be positive (got %g)",
			                  i + 1, wi);
		wsum += wi;
	}
	if (!(total > 0))
		return cl_err_set(err, CL_EINVAL, "sample-ratio check: no visitors");
	for (int i = 0; i < k; i++) {
		double e = total * (w ? w[i] : 1) / wsum, dlt = (double)n[i] - e;
		x += dlt * dlt / e;
	}
	if (chi2)
		*chi2 = x;
	*p = ab_chisq_sf(x, k - 1);
	return 0;
}

int ab_welch(double m1, double v1, double n1, double m2, double v2, double n2,
             double *t, double *df, double *p, struct cl_err *err)
{
	if (!(n1 >= 2) || !(n2 >= 2))
		return cl_err_set(err, CL_EINVAL, "Welch's t-test needs at least 2 observations per arm");
	if (!(v1 >= 0) || !(v2 >= 0) || !isfinite(v1) || !isfinite(v2) || !isfinite(m1) ||
	    !isfinite(m2))
		return cl_err_set(err, CL_EINVAL, "Welch's t-test: means must be finite and variances non-negative");
	double s1 = v1 / n1, s2 = v2 / n2, se2 = s1 + s2;
	if (!(se2 > 0)) {
		*t = 0;
		*df = n1 + n2 - 2;
		*p = m1 == m2 ? 1 : 0;
		return 0;
	}
	*t = (m2 - m1) / sqrt(se2);
	*df = se2 * se2 / (s1 * s1 / (n1 - 1) + s2 * s2 / (n2 - 1));
	*p = ab_t_sf2(*t, *df);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Bayesian engine                                                     */
/* ------------------------------------------------------------------ */

/* Gauss-Legendre 8-point nodes and weights on [-1, 1], and the spectral
 * integration matrix gl_s[i][j] = integral from -1 to gl_x[i] of the j-th
 * Lagrange basis polynomial on the nodes: it gives the running integral of a
 * degree-7 interpolant at each node (computed at 50 digits, see
 * docs/STATISTICS.md). */
static const double gl_x[8] = { -0.96028985649753629, -0.79666647741362673, -0.52553240991632899, -0.18343464249564981, 0.18343464249564981, 0.52553240991632899, 0.79666647741362673, 0.96028985649753629 };
static const double gl_w[8] = { 0.10122853629037626, 0.22238103445337448, 0.31370664587788727, 0.36268378337836199, 0.36268378337836199, 0.31370664587788727, 0.22238103445337448, 0.10122853629037626 };
static const double gl_s[8][8] = {
	{ 0.050614268145188129, -0.018211886611940151, 0.012561662294060949, -0.0089660312261095037, 0.0061569827366535594, -0.0038353505092739047, 0.001945515328118527, -0.00055501665423383841 },
	{ 0.10951864353510864, 0.11119051722668724, -0.027279592471563339, 0.016299417716721103, -0.010430704178294307, 0.006279505970927338, -0.0031298698218978848, 0.00088560460868447567 },
	{ 0.097175071997825768, 0.24171904999434635, 0.15685332293894363, -0.031950206723756862, 0.016743465440452326, -0.0092869317242089602, 0.0044514295505697996, -0.0012376113905010308 },
	{ 0.10373104194116246, 0.21238698029669681, 0.34134226854910726, 0.181341891689181, -0.032042082642050024, 0.01448241312244454, -0.0063956286207215406, 0.0017184731685297055 },
	{ 0.099510063121846556, 0.228776663074096, 0.29922423275544274, 0.39472586602041199, 0.181341891689181, -0.027635622671219957, 0.0099940541566776574, -0.00250250565078621 },
	{ 0.10246614768087729, 0.21792960490280466, 0.32299357760209624, 0.34594031793790964, 0.39463399010211886, 0.15685332293894363, -0.019338015540971865, 0.0040534642925504974 },
	{ 0.10034293168169178, 0.22551090427527234, 0.30742713990695997, 0.37311448755665627, 0.34638436566164088, 0.34098623834945063, 0.11119051722668724, -0.0082901072447323816 },
	{ 0.1017835529446101, 0.22043551912525594, 0.31754199638716119, 0.35652680064170844, 0.3716498146044715, 0.30114498358382635, 0.24059292106531463, 0.050614268145188129 },
};

#define BAYES_L     30      /* breakpoints reach 30 posterior sds each side */
#define BAYES_MAXBP (AB_MAX_ARMS * (2 * BAYES_L + 1) + 2)

struct shape {
	double am1, bm1;   /* a - 1, b - 1 */
	double lmode;      /* log kernel at the mode, so the kernel peaks at 1 */
	double lz;         /* log of the kernel's integral (pass 1) */
};

static double log_kernel(const struct shape *s, double lx, double l1x)
{
	double v = -s->lmode;
	if (s->am1 != 0)
		v += s->am1 * lx;
	if (s->bm1 != 0)
		v += s->bm1 * l1x;
	return v;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return a < b ? -1 : a > b;
}

/* Composite Gauss-Legendre quadrature over panels whose edges are every
 * arm's mean + j sd (|j| <= 30), clipped to [0, 1]: each panel is at most one
 * sd wide for every posterior that has mass there, so the 8-point rule and
 * the degree-7 running integrals (CDFs at the nodes) are accurate to ~1e-12.
 * Pass 1 integrates each kernel to normalise it (no lbeta cancellation);
 * pass 2 integrates f_i * prod_{j != i} F_j and the loss integrands. */
int ab_bayes(int k, const double *a, const double *b, int ctrl, double *prob_best,
             double *loss, double *beat, double *loss_ctrl, struct cl_err *err)
{
	double bp[BAYES_MAXBP];
	struct shape sh[AB_MAX_ARMS];
	double mean[AB_MAX_ARMS], F[AB_MAX_ARMS], M[AB_MAX_ARMS];
	double f[AB_MAX_ARMS][8], Fn[AB_MAX_ARMS][8], Mn[AB_MAX_ARMS][8];
	double pb[AB_MAX_ARMS], bt[AB_MAX_ARMS], lc[AB_MAX_ARMS], pre[AB_MAX_ARMS + 1],
	       suf[AB_MAX_ARMS + 1];
	double emax = 0;
	int nbp = 0, want_ctrl = beat || loss_ctrl;

	if (k < 1 || k > AB_MAX_ARMS)
		return cl_err_set(err, CL_EINVAL, "Bayesian analysis takes 1 to %d arms (got %d)",
		                  AB_MAX_ARMS, k);
	if (want_ctrl && (ctrl < 0 || ctrl >= k))
		return cl_err_set(err, CL_EINVAL, "Bayesian analysis: no control arm");
	for (int i = 0; i < k; i++) {
		if (!(a[i] >= 1) || !(b[i] >= 1) || !isfinite(a[i]) || !isfinite(b[i]))
			return cl_err_set(err, CL_EINVAL,
			                  "arm %d: posterior Beta(%g, %g) needs both parameters >= 1",
			                  i + 1, a[i], b[i]);
		double ab = a[i] + b[i];
		double m = a[i] / ab, s = sqrt(a[i] * b[i] / (ab * ab * (ab + 1)));
		for (int j = -BAYES_L; j <= BAYES_L; j++) {
			double x = m + j * s;
			bp[nbp++] = x < 0 ? 0 : x > 1 ? 1 : x;
		}
		sh[i].am1 = a[i] - 1;
		sh[i].bm1 = b[i] - 1;
		double mode = ab > 2 ? (a[i] - 1) / (ab - 2) : 0.5;
		sh[i].lmode = 0;
		if (sh[i].am1 != 0)
			sh[i].lmode += sh[i].am1 * log(mode);
		if (sh[i].bm1 != 0)
			sh[i].lmode += sh[i].bm1 * log1p(-mode);
	}
	qsort(bp, (size_t)nbp, sizeof bp[0], cmp_double);
	int u = 1;
	for (int i = 1; i < nbp; i++)
		if (bp[i] > bp[u - 1])
			bp[u++] = bp[i];
	nbp = u;

	/* pass 1: normalising constants and means */
	double Z[AB_MAX_ARMS] = {0}, Zx[AB_MAX_ARMS] = {0};
	for (int p = 0; p + 1 < nbp; p++) {
		double h = (bp[p + 1] - bp[p]) / 2, c = (bp[p + 1] + bp[p]) / 2;
		for (int n = 0; n < 8; n++) {
			double x = c + h * gl_x[n], lx = log(x), l1x = log1p(-x), w = h * gl_w[n];
			for (int i = 0; i < k; i++) {
				double v = exp(log_kernel(&sh[i], lx, l1x)) * w;
				Z[i] += v;
				Zx[i] += v * x;
			}
		}
	}
	for (int i = 0; i < k; i++) {
		if (!(Z[i] > 0))
			return cl_err_set(err, CL_EINVAL, "arm %d: posterior could not be integrated", i + 1);
		sh[i].lz = log(Z[i]);
		mean[i] = Zx[i] / Z[i];
		F[i] = M[i] = pb[i] = bt[i] = lc[i] = 0;
	}

	/* pass 2 */
	for (int p = 0; p + 1 < nbp; p++) {
		double h = (bp[p + 1] - bp[p]) / 2, c = (bp[p + 1] + bp[p]) / 2, xs[8];
		for (int n = 0; n < 8; n++) {
			double x = c + h * gl_x[n], lx = log(x), l1x = log1p(-x);
			xs[n] = x;
			for (int i = 0; i < k; i++)
				f[i][n] = exp(log_kernel(&sh[i], lx, l1x) - sh[i].lz);
		}
		for (int i = 0; i < k; i++) {
			for (int n = 0; n < 8; n++) {
				double sf = 0, sm = 0;
				for (int j = 0; j < 8; j++) {
					sf += gl_s[n][j] * f[i][j];
					sm += gl_s[n][j] * f[i][j] * xs[j];
				}
				Fn[i][n] = F[i] + h * sf;
				Mn[i][n] = M[i] + h * sm;
			}
		}
		for (int n = 0; n < 8; n++) {
			double w = h * gl_w[n], x = xs[n];
			pre[0] = 1;
			for (int i = 0; i < k; i++)
				pre[i + 1] = pre[i] * Fn[i][n];
			suf[k] = 1;
			for (int i = k - 1; i >= 0; i--)
				suf[i] = suf[i + 1] * Fn[i][n];
			for (int i = 0; i < k; i++) {
				double g = w * f[i][n] * pre[i] * suf[i + 1];
				pb[i] += g;
				emax += g * x;
			}
			if (want_ctrl) {
				double Fc = Fn[ctrl][n], Mc = Mn[ctrl][n];
				double tail = (mean[ctrl] - Mc) - x * (1 - Fc);  /* E[(X_c - x)+] */
				if (tail < 0)
					tail = 0;
				for (int i = 0; i < k; i++) {
					bt[i] += w * f[i][n] * Fc;
					lc[i] += w * f[i][n] * tail;
				}
			}
		}
		for (int i = 0; i < k; i++)
			for (int n = 0; n < 8; n++) {
				F[i] += h * gl_w[n] * f[i][n];
				M[i] += h * gl_w[n] * f[i][n] * xs[n];
			}
	}
	for (int i = 0; i < k; i++) {
		if (prob_best)
			prob_best[i] = pb[i] < 0 ? 0 : pb[i] > 1 ? 1 : pb[i];
		if (loss)
			loss[i] = emax - mean[i] > 0 ? emax - mean[i] : 0;
		if (beat)
			beat[i] = bt[i] < 0 ? 0 : bt[i] > 1 ? 1 : bt[i];
		if (loss_ctrl)
			loss_ctrl[i] = lc[i] > 0 ? lc[i] : 0;
	}
	return 0;
}

double ab_prob_beat(double a1, double b1, double a2, double b2)
{
	double a[2] = { a1, a2 }, b[2] = { b1, b2 }, bt[2];
	if (ab_bayes(2, a, b, 0, NULL, NULL, bt, NULL, NULL))
		return -1;
	return bt[1];
}

void ab_beta_density(double a, double b, int npts, double *x, double *y)
{
	if (npts <= 0 || !(a > 0) || !(b > 0))
		return;
	double ab = a + b, m = a / ab, s = sqrt(a * b / (ab * ab * (ab + 1)));
	double lo = m - 5 * s, hi = m + 5 * s;
	if (lo < 0)
		lo = 0;
	if (hi > 1)
		hi = 1;
	double lb = lgamma(a) + lgamma(b) - lgamma(ab);
	for (int i = 0; i < npts; i++) {
		double xi = npts == 1 ? m : lo + (hi - lo) * i / (npts - 1), v = -lb;
		x[i] = xi;
		if ((xi <= 0 && a > 1) || (xi >= 1 && b > 1)) {
			y[i] = 0;
			continue;
		}
		if (a != 1)
			v += (a - 1) * log(xi);
		if (b != 1)
			v += (b - 1) * log1p(-xi);
		y[i] = exp(v);
		if (!isfinite(y[i]))
			y[i] = 0;
	}
}

/* ------------------------------------------------------------------ */
/* Sequential: mixture SPRT                                            */
/* ------------------------------------------------------------------ */

/* Variance of the observed difference: unpooled, falling back to pooled when
 * both rates sit at 0 or 1; 0 means no information. */
static double diff_var(double n1, double c1, double n2, double c2)
{
	double p1 = c1 / n1, p2 = c2 / n2;
	double v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2;
	if (!(v > 0)) {
		double pool = (c1 + c2) / (n1 + n2);
		v = pool * (1 - pool) * (1 / n1 + 1 / n2);
	}
	return v > 0 ? v : 0;
}

static double msprt_loglr(double n1, double c1, double n2, double c2, double tau)
{
	if (!(n1 > 0) || !(n2 > 0) || !(tau > 0))
		return 0;
	double v = diff_var(n1, c1, n2, c2), t2 = tau * tau, d = c2 / n2 - c1 / n1;
	if (!(v > 0))
		return 0;
	return 0.5 * log(v / (v + t2)) + t2 * d * d / (2 * v * (v + t2));
}

double ab_msprt_lr(int64_t n1, int64_t c1, int64_t n2, int64_t c2, double tau)
{
	return exp(msprt_loglr((double)n1, (double)c1, (double)n2, (double)c2, tau));
}

static double msprt_hw(double n1, double c1, double n2, double c2, double tau, double alpha)
{
	if (!(n1 > 0) || !(n2 > 0) || !(tau > 0))
		return 1;
	double v = diff_var(n1, c1, n2, c2), t2 = tau * tau;
	if (!(v > 0))
		return 1;
	return sqrt(2 * v * (v + t2) / t2 * (log(1 / alpha) + 0.5 * log((v + t2) / v)));
}

double ab_msprt_halfwidth(int64_t n1, int64_t c1, int64_t n2, int64_t c2, double tau,
                          double alpha)
{
	return msprt_hw((double)n1, (double)c1, (double)n2, (double)c2, tau, alpha);
}

/* ------------------------------------------------------------------ */
/* The full analysis                                                   */
/* ------------------------------------------------------------------ */

static const char *arm_label(const struct ab_input *in, int i, char *buf, size_t n)
{
	if (in->name[i] && in->name[i][0])
		return in->name[i];
	snprintf(buf, n, "arm %d", i + 1);
	return buf;
}

/* "arm 'B'" (or "arm 2") for error messages. */
static const char *arm_quoted(const struct ab_input *in, int i, char *buf, size_t n)
{
	if (in->name[i] && in->name[i][0])
		snprintf(buf, n, "arm '%.60s'", in->name[i]);
	else
		snprintf(buf, n, "arm %d", i + 1);
	return buf;
}

static int load_totals(const struct ab_input *in, int64_t *n, int64_t *c, struct cl_err *err)
{
	char lb[80];
	int k = in->narms;
	for (int i = 0; i < k; i++) {
		n[i] = in->n[i];
		c[i] = in->conv[i];
	}
	if (in->ndays > 0) {
		if (!in->day_n || !in->day_conv)
			return cl_err_set(err, CL_EINVAL, "per-day results are missing");
		for (int i = 0; i < k; i++)
			n[i] = c[i] = 0;
		for (int d = 0; d < in->ndays; d++)
			for (int i = 0; i < k; i++) {
				int64_t dn = in->day_n[d * k + i], dc = in->day_conv[d * k + i];
				const char *nm = arm_quoted(in, i, lb, sizeof lb);
				if (dn < 0 || dc < 0)
					return cl_err_set(err, CL_EINVAL,
					                  "%s, look %d: negative visitors or conversions", nm, d + 1);
				if (dc > dn)
					return cl_err_set(err, CL_EINVAL,
					                  "%s, look %d: conversions (%lld) exceed visitors (%lld)",
					                  nm, d + 1, (long long)dc, (long long)dn);
				n[i] += dn;
				c[i] += dc;
			}
	}
	for (int i = 0; i < k; i++)
		if (check_counts(n[i], c[i], arm_quoted(in, i, lb, sizeof lb), err))
			return -1;
	return 0;
}

static void sequential(const struct ab_input *in, const int64_t *n, const int64_t *c,
                       struct ab_result *out, double *series)
{
	int k = in->narms, ctrl = out->control, looks = in->ndays > 0 ? in->ndays : 1;
	double cn[AB_MAX_ARMS] = {0}, cc[AB_MAX_ARMS] = {0}, minp[AB_MAX_ARMS];
	for (int i = 0; i < k; i++) {
		minp[i] = 1;
		out->cmp[i].seq_ci_low = -1;
		out->cmp[i].seq_ci_high = 1;
	}
	for (int t = 0; t < looks; t++) {
		for (int i = 0; i < k; i++) {
			if (in->ndays > 0) {
				cn[i] += (double)in->day_n[t * k + i];
				cc[i] += (double)in->day_conv[t * k + i];
			} else {
				cn[i] = (double)n[i];
				cc[i] = (double)c[i];
			}
		}
		for (int i = 0; i < k; i++) {
			struct ab_cmp_stats *s = &out->cmp[i];
			if (i == ctrl) {
				if (series)
					series[t * k + i] = 1;
				continue;
			}
			if (cn[i] > 0 && cn[ctrl] > 0) {
				double llr = msprt_loglr(cn[ctrl], cc[ctrl], cn[i], cc[i], out->seq_tau);
				double pv = llr > 0 ? exp(-llr) : 1;
				if (pv < minp[i])
					minp[i] = pv;
				double d = cc[i] / cn[i] - cc[ctrl] / cn[ctrl];
				double hw = msprt_hw(cn[ctrl], cc[ctrl], cn[i], cc[i], out->seq_tau,
				                     out->seq_alpha);
				double lo = d - hw, hi = d + hw;
				/* Running intersection keeps the sequence valid and nested. */
				double nl = lo > s->seq_ci_low ? lo : s->seq_ci_low;
				double nh = hi < s->seq_ci_high ? hi : s->seq_ci_high;
				if (nl <= nh) {
					s->seq_ci_low = nl;
					s->seq_ci_high = nh;
				} else {
					s->seq_ci_low = lo;
					s->seq_ci_high = hi;
				}
			}
			if (!s->seq_first_look && minp[i] <= out->seq_alpha)
				s->seq_first_look = t + 1;
			if (series)
				series[t * k + i] = minp[i];
		}
	}
	for (int i = 0; i < k; i++)
		out->cmp[i].seq_p = i == ctrl ? 1 : minp[i];
}

static void revenue(const struct ab_input *in, const int64_t *n, struct ab_result *out)
{
	int k = in->narms, ctrl = out->control;
	double mean[AB_MAX_ARMS], var[AB_MAX_ARMS], nobs[AB_MAX_ARMS];
	int ok = 1;
	for (int i = 0; i < k; i++)
		out->arm[i].rpv = in->revenue[i] / (double)n[i];
	if (in->has_revenue_sq) {
		out->welch_per_visitor = 1;
		for (int i = 0; i < k; i++) {
			double nn = (double)n[i], r = in->revenue[i];
			mean[i] = r / nn;
			var[i] = nn > 1 ? (in->revenue_sq[i] - r * r / nn) / (nn - 1) : 0;
			if (!(var[i] > 0))
				var[i] = 0;
			nobs[i] = nn;
		}
	} else if (in->ndays >= 2 && in->day_rev) {
		for (int i = 0; i < k; i++) {
			double s = 0, s2 = 0, m = 0;
			int cnt = 0;
			for (int d = 0; d < in->ndays; d++) {
				int64_t dn = in->day_n[d * k + i];
				if (dn <= 0)
					continue;
				double x = in->day_rev[d * k + i] / (double)dn;
				cnt++;
				/* Welford, for a stable variance */
				double dl = x - m;
				m += dl / cnt;
				s2 += dl * (x - m);
				s += x;
			}
			(void)s;
			mean[i] = m;
			var[i] = cnt > 1 ? s2 / (cnt - 1) : 0;
			nobs[i] = cnt;
			if (cnt < 2)
				ok = 0;
		}
	} else {
		ok = 0;
	}
	if (!ok)
		return;
	for (int i = 0; i < k; i++) {
		struct ab_cmp_stats *s = &out->cmp[i];
		if (i == ctrl)
			continue;
		if (ab_welch(mean[ctrl], var[ctrl], nobs[ctrl], mean[i], var[i], nobs[i],
		             &s->welch_t, &s->welch_df, &s->welch_p, NULL) == 0) {
			s->welch_ok = 1;
			s->rev_diff = mean[i] - mean[ctrl];
		}
	}
}

void ab_verdict_format(const struct ab_input *in, const struct ab_result *r, const char *lang,
                       char *buf, size_t n)
{
	char lb[32], lc[32];
	int zh = lang && strncmp(lang, "zh", 2) == 0;
	const char *cn = in->name[r->control] && in->name[r->control][0] ? in->name[r->control]
	                 : (snprintf(lc, sizeof lc, zh ? "第 %d 组" : "arm %d", r->control + 1), lc);
	const char *srm = !r->srm_warning ? ""
	                  : zh ? "样本比例失衡（先检查分流，再相信任何结果）；"
	                  : "SAMPLE RATIO MISMATCH (check the split before trusting any result); ";
	if (r->verdict == AB_WINNER && r->winner >= 0) {
		const struct ab_cmp_stats *s = &r->cmp[r->winner];
		const char *bn = in->name[r->winner] && in->name[r->winner][0] ? in->name[r->winner]
		                 : (snprintf(lb, sizeof lb, zh ? "第 %d 组" : "arm %d", r->winner + 1), lb);
		if (s->rel_lift_ok)
			snprintf(buf, n, zh ? "%s%s 胜过 %s：相对提升 %+.2f%%（校正后 p = %.3g，P(胜出) = %.1f%%）"
			                    : "%s%s beats %s: %+.2f%% relative lift (adjusted p = %.3g, P(beat) = %.1f%%)",
			         srm, bn, cn, 100 * s->rel_lift, s->p_value_adj, 100 * s->prob_beat);
		else
			snprintf(buf, n, zh ? "%s%s 胜过 %s：绝对提升 %+.4f（校正后 p = %.3g，P(胜出) = %.1f%%）"
			                    : "%s%s beats %s: %+.4f absolute lift (adjusted p = %.3g, P(beat) = %.1f%%)",
			         srm, bn, cn, s->abs_lift, s->p_value_adj, 100 * s->prob_beat);
	} else if (r->verdict == AB_CONTROL_WINS) {
		snprintf(buf, n, zh ? "%s保留 %s：没有变体胜过它，且至少有一个显著更差"
		                    : "%skeep %s: no variant beats it and at least one is significantly worse",
		         srm, cn);
	} else {
		snprintf(buf, n, zh ? "%s在 alpha = %g 下没有显著差异（继续收集数据，或接受没有效果）"
		                    : "%sno significant difference at alpha = %g (keep collecting or accept no effect)",
		         srm, r->alpha);
	}
}

static void verdicts(const struct ab_input *in, struct ab_result *out)
{
	char lb[32], lc[32];
	int k = out->narms, ctrl = out->control, best = -1, worse = 0, sbest = -1, sworse = 0;
	const char *cn = arm_label(in, ctrl, lc, sizeof lc);
	for (int i = 0; i < k; i++) {
		const struct ab_cmp_stats *s = &out->cmp[i];
		if (i == ctrl)
			continue;
		if (s->p_value_adj < out->alpha) {
			if (s->abs_lift > 0) {
				if (best < 0 || out->arm[i].rate > out->arm[best].rate)
					best = i;
			} else if (s->abs_lift < 0) {
				worse = 1;
			}
		}
		if (s->seq_p <= out->seq_alpha) {
			double d = s->abs_lift;
			if (d > 0) {
				if (sbest < 0 || out->arm[i].rate > out->arm[sbest].rate)
					sbest = i;
			} else if (d < 0) {
				sworse = 1;
			}
		}
	}
	out->winner = best;
	out->seq_winner = sbest;
	out->verdict = best >= 0 ? AB_WINNER : worse ? AB_CONTROL_WINS : AB_INCONCLUSIVE;
	ab_verdict_format(in, out, "en", out->verdict_text, sizeof out->verdict_text);
	if (sbest >= 0) {
		out->seq_verdict = AB_WINNER;
		snprintf(out->seq_verdict_text, sizeof out->seq_verdict_text,
		         "%s beats %s (always-valid p = %.3g <= %.3g, first at look %d of %d)",
		         arm_label(in, sbest, lb, sizeof lb), cn, out->cmp[sbest].seq_p,
		         out->seq_alpha, out->cmp[sbest].seq_first_look, out->nlooks);
	} else if (sworse) {
		out->seq_verdict = AB_CONTROL_WINS;
		snprintf(out->seq_verdict_text, sizeof out->seq_verdict_text,
		         "keep %s: a variant is significantly worse (always-valid)", cn);
	} else {
		out->seq_verdict = AB_INCONCLUSIVE;
		snprintf(out->seq_verdict_text, sizeof out->seq_verdict_text,
		         "continue: no always-valid p-value below %.3g after %d look%s",
		         out->seq_alpha, out->nlooks, out->nlooks == 1 ? "" : "s");
	}
}

int ab_analyze(const struct ab_input *in, struct ab_result *out, double *seq_p_series,
               struct cl_err *err)
{
	int64_t n[AB_MAX_ARMS], c[AB_MAX_ARMS];
	double pa[AB_MAX_ARMS], pbv[AB_MAX_ARMS], praw[AB_MAX_ARMS], padj[AB_MAX_ARMS];
	double best[AB_MAX_ARMS], loss[AB_MAX_ARMS], beat[AB_MAX_ARMS], lctl[AB_MAX_ARMS];
	int k = in->narms, ctrl = in->control, idx[AB_MAX_ARMS], m = 0;
	char lb[32];

	memset(out, 0, sizeof *out);
	out->winner = out->seq_winner = -1;
	if (k < 2)
		return cl_err_set(err, CL_EINVAL, "an A/B test needs at least two arms (got %d)", k);
	if (k > AB_MAX_ARMS)
		return cl_err_set(err, CL_EINVAL, "at most %d arms (got %d)", AB_MAX_ARMS, k);
	if (ctrl < 0 || ctrl >= k)
		return cl_err_set(err, CL_EINVAL, "no control arm");
	out->narms = k;
	out->control = ctrl;
	out->alpha = in->alpha == 0 ? 0.05 : in->alpha;
	if (check_alpha(out->alpha, err))
		return -1;
	out->prior_a = in->prior_a == 0 ? 1 : in->prior_a;
	out->prior_b = in->prior_b == 0 ? 1 : in->prior_b;
	if (!(out->prior_a >= 1) || !(out->prior_b >= 1) || !isfinite(out->prior_a) ||
	    !isfinite(out->prior_b))
		return cl_err_set(err, CL_EINVAL, "prior Beta(%g, %g): both parameters must be >= 1",
		                  out->prior_a, out->prior_b);
	if (load_totals(in, n, c, err))
		return -1;
	int any_split = 0;
	for (int i = 0; i < k; i++)
		if (in->split[i] != 0)
			any_split = 1;
	if (any_split)
		for (int i = 0; i < k; i++)
			if (!(in->split[i] > 0) || !isfinite(in->split[i]))
				return cl_err_set(err, CL_EINVAL, "planned split for %s must be positive",
				                  arm_label(in, i, lb, sizeof lb));
	if (in->has_revenue)
		for (int i = 0; i < k; i++)
			if (!isfinite(in->revenue[i]) ||
			    (in->has_revenue_sq && !(in->revenue_sq[i] >= 0)))
				return cl_err_set(err, CL_EINVAL, "%s: revenue must be a finite number",
				                  arm_label(in, i, lb, sizeof lb));

	double z = ab_norm_quantile(1 - out->alpha / 2), tn = 0, tc = 0;
	for (int i = 0; i < k; i++) {
		struct ab_arm_stats *a = &out->arm[i];
		double nn = (double)n[i], cc = (double)c[i];
		a->rate = cc / nn;
		wilson(nn, cc, z, &a->ci_low, &a->ci_high);
		a->post_a = pa[i] = out->prior_a + cc;
		a->post_b = pbv[i] = out->prior_b + nn - cc;
		tn += nn;
		tc += cc;
	}
	if (ab_bayes(k, pa, pbv, ctrl, best, loss, beat, lctl, err))
		return -1;
	for (int i = 0; i < k; i++) {
		struct ab_arm_stats *a = &out->arm[i];
		struct ab_cmp_stats *s = &out->cmp[i];
		a->prob_best = best[i];
		a->expected_loss = loss[i];
		if (i == ctrl)
			continue;
		double nc = (double)n[ctrl], cc = (double)c[ctrl], ni = (double)n[i], ci = (double)c[i];
		s->abs_lift = a->rate - out->arm[ctrl].rate;
		s->rel_lift_ok = out->arm[ctrl].rate > 0;
		s->rel_lift = s->rel_lift_ok ? s->abs_lift / out->arm[ctrl].rate : 0;
		newcombe(nc, cc, ni, ci, z, &s->diff_ci_low, &s->diff_ci_high);
		ztest(nc, cc, ni, ci, &s->z, &s->p_value);
		s->prob_beat = beat[i];
		s->expected_loss = lctl[i];
		praw[m] = s->p_value;
		idx[m++] = i;
	}
	ab_holm(praw, m, padj);
	for (int j = 0; j < m; j++)
		out->cmp[idx[j]].p_value_adj = padj[j];

	out->srm_p = 1;
	out->srm_applicable = !in->adaptive;
	if (out->srm_applicable) {
		if (ab_srm(n, any_split ? in->split : NULL, k, &out->srm_chi2, &out->srm_p, err))
			return -1;
		out->srm_warning = out->srm_p < 0.001;
	}

	out->nlooks = in->ndays > 0 ? in->ndays : 1;
	out->seq_alpha = out->alpha / (k - 1);
	double pool = tc / tn;
	out->seq_tau = in->seq_tau > 0 ? in->seq_tau : 0.1 * (pool > 0 ? pool : 1e-3);
	sequential(in, n, c, out, seq_p_series);
	if (in->has_revenue)
		revenue(in, n, out);
	verdicts(in, out);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Planning                                                            */
/* ------------------------------------------------------------------ */

static double fleiss_n(double p1, double p2, double za, double zb)
{
	double pbar = (p1 + p2) / 2, d = p2 - p1;
	double num = za * sqrt(2 * pbar * (1 - pbar)) + zb * sqrt(p1 * (1 - p1) + p2 * (1 - p2));
	return num * num / (d * d);
}

int ab_sample_size(double p1, double p2, double alpha, double power, int64_t *n,
                   struct cl_err *err)
{
	if (!(p1 > 0 && p1 < 1) || !(p2 > 0 && p2 < 1))
		return cl_err_set(err, CL_EINVAL, "rates must be strictly between 0 and 1 (got %g and %g)",
		                  p1, p2);
	if (p1 == p2)
		return cl_err_set(err, CL_EINVAL, "the two rates must differ");
	if (check_alpha(alpha, err))
		return -1;
	if (!(power > 0 && power < 1))
		return cl_err_set(err, CL_EINVAL, "power must be between 0 and 1 (got %g)", power);
	double v = ceil(fleiss_n(p1, p2, ab_norm_quantile(1 - alpha / 2), ab_norm_quantile(power)));
	if (!(v < 9e18))
		return cl_err_set(err, CL_EINVAL, "sample size too large to represent");
	*n = (int64_t)v;
	return 0;
}

int ab_plan(const struct ab_plan_in *in, struct ab_plan_out *out, struct cl_err *err)
{
	double alpha = in->alpha == 0 ? 0.05 : in->alpha;
	double power = in->power == 0 ? 0.8 : in->power;
	int arms = in->arms == 0 ? 2 : in->arms;

	memset(out, 0, sizeof *out);
	if (!(in->baseline > 0 && in->baseline < 1))
		return cl_err_set(err, CL_EINVAL, "--baseline must be a rate between 0 and 1 (got %g)",
		                  in->baseline);
	if (!(in->mde > -1) || in->mde == 0 || !isfinite(in->mde))
		return cl_err_set(err, CL_EINVAL,
		                  "--mde must be a non-zero relative effect above -1 (got %g)", in->mde);
	if (in->baseline * (1 + in->mde) >= 1)
		return cl_err_set(err, CL_EINVAL, "baseline x (1 + mde) = %g is not a rate below 1",
		                  in->baseline * (1 + in->mde));
	if (arms < 2 || arms > 1000)
		return cl_err_set(err, CL_EINVAL, "--arms must be 2 to 1000, control included (got %d)", arms);
	if (in->daily < 0 || in->days < 0)
		return cl_err_set(err, CL_EINVAL, "--daily and --days must not be negative");
	if (check_alpha(alpha, err))
		return -1;
	if (!(power > 0 && power < 1))
		return cl_err_set(err, CL_EINVAL, "--power must be between 0 and 1 (got %g)", power);
	out->alpha_per_test = alpha / (arms - 1);
	if (ab_sample_size(in->baseline, in->baseline * (1 + in->mde), out->alpha_per_test, power,
	                   &out->n_per_arm, err))
		return -1;
	out->n_total = out->n_per_arm * arms;
	if (in->daily > 0)
		out->days_needed = (double)out->n_total / (double)in->daily;
	if (in->daily > 0 && in->days > 0) {
		double budget = (double)in->daily * in->days, zb = ab_norm_quantile(power);
		double p1 = in->baseline, p2 = p1 * (1 + in->mde);
		for (int kk = 2; kk <= 1000; kk++) {
			double za = ab_norm_quantile(1 - alpha / (2.0 * (kk - 1)));
			if (ceil(fleiss_n(p1, p2, za, zb)) * kk > budget)
				break;
			out->max_arms = kk;
		}
		/* smallest relative lift (upwards) the budget detects with `arms` arms */
		double za = ab_norm_quantile(1 - out->alpha_per_test / 2);
		double hi = (1 - 1e-9) / p1 - 1, lo = 0;
		if (fleiss_n(p1, p1 * (1 + hi), za, zb) * arms <= budget) {
			for (int it = 0; it < 200; it++) {
				double mid = (lo + hi) / 2;
				if (mid <= 0 || fleiss_n(p1, p1 * (1 + mid), za, zb) * arms > budget)
					lo = mid;
				else
					hi = mid;
			}
			out->mde_affordable = hi;
		}
	}
	return 0;
}
