/* bandit.c — xoshiro256**, normal/gamma/beta draws, Thompson sampling. */
#include "core/bandit.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void bandit_rng_seed(struct bandit_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t bandit_rng_next(struct bandit_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double bandit_rng_u01(struct bandit_rng *r)
{
	/* 53 random bits, shifted half a step off 0 so the result is never 0 or 1 */
	return ((double)(bandit_rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

uint64_t bandit_rng_below(struct bandit_rng *r, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, v;
	do
		v = bandit_rng_next(r);
	while (v >= lim);
	return v % n;
}

double bandit_rng_normal(struct bandit_rng *r)
{
	double u, v, s;
	do {
		u = 2 * bandit_rng_u01(r) - 1;
		v = 2 * bandit_rng_u01(r) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	return u * sqrt(-2 * log(s) / s);
}

double bandit_rng_gamma(struct bandit_rng *r, double a)
{
	if (a < 1) {
		/* boost: Gamma(a) = Gamma(a + 1) * U^(1/a) */
		double u = bandit_rng_u01(r);
		return bandit_rng_gamma(r, a + 1) * pow(u, 1 / a);
	}
	double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
	for (;;) {
		double x = bandit_rng_normal(r), v = 1 + c * x;
		if (v <= 0)
			continue;
		v = v * v * v;
		double u = bandit_rng_u01(r);
		if (u < 1 - 0.0331 * x * x * x * x)
			return d * v;
		if (log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

double bandit_rng_beta(struct bandit_rng *r, double a, double b)
{
	double x = bandit_rng_gamma(r, a), y = bandit_rng_gamma(r, b);
	return x / (x + y);
}

int bandit_thompson_pick(struct bandit_rng *r, int k, const double *a, const double *b)
{
	int best = 0;
	double bv = -1;
	for (int i = 0; i < k; i++) {
		double v = bandit_rng_beta(r, a[i], b[i]);
		if (v > bv) {
			bv = v;
			best = i;
		}
	}
	return best;
}
