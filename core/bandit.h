/* bandit.h — a seeded random generator and Thompson sampling.
 *
 * The generator is xoshiro256** (Blackman & Vigna 2018) seeded through
 * splitmix64, so the same seed gives the same stream on every machine.
 * It lives in a caller-owned struct: no global state.
 */
#ifndef CL_BANDIT_H
#define CL_BANDIT_H

#include <stdint.h>

struct bandit_rng {
	uint64_t s[4];
};

/* Seed the generator (any 64-bit value, 0 included). */
void bandit_rng_seed(struct bandit_rng *r, uint64_t seed);
/* Next 64 random bits. */
uint64_t bandit_rng_next(struct bandit_rng *r);
/* Uniform double in the open interval (0, 1). */
double bandit_rng_u01(struct bandit_rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t bandit_rng_below(struct bandit_rng *r, uint64_t n);
/* Standard normal (Marsaglia polar method). */
double bandit_rng_normal(struct bandit_rng *r);
/* Gamma(shape a > 0, scale 1) (Marsaglia & Tsang 2000). */
double bandit_rng_gamma(struct bandit_rng *r, double a);
/* Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
double bandit_rng_beta(struct bandit_rng *r, double a, double b);

/* Thompson sampling: draw one value from each Beta(a[i], b[i]) and return the
 * index of the largest (ties to the lowest index). */
int bandit_thompson_pick(struct bandit_rng *r, int k, const double *a, const double *b);

#endif
