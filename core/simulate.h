/* simulate.h — a labelled audience simulator for A/B tests. SIMULATED data,
 * never real traffic: every output and stored experiment says so.
 *
 * Model (docs/STATISTICS.md, "Simulation"):
 *   each visitor is a customer drawn uniformly (with replacement) from the
 *   workspace's customers table; their segment's base rate is
 *   sum(clicks) / sum(impressions) of that segment's past campaigns (campaigns
 *   table), else the rate over all campaigns, else SIM_DEFAULT_RATE;
 *   their chance to respond to variant v is
 *       min(0.95, base_rate(segment) * exp(effect * (score_v - mean score)))
 *   where score_v is the variant's composite score (cl_scores, scorer
 *   "composite"; a variant without one gets the mean) and effect defaults to
 *   SIM_DEFAULT_EFFECT. With --arm NAME:RATE the rates are used as given.
 * Policies: a fixed equal random split, or Thompson sampling with Beta(1,1)
 * priors updated once a day. Regret is the expected conversions lost against
 * always showing the best arm to every visitor.
 */
#ifndef CL_SIMULATE_H
#define CL_SIMULATE_H

#include <stdint.h>
#include "core/abstats.h"
#include "core/experiment.h"
#include "core/workspace.h"

#define SIM_DEFAULT_RATE   0.02
#define SIM_DEFAULT_EFFECT 2.0
#define SIM_MAX_RATE       0.95

enum sim_policy { SIM_FIXED = 0, SIM_THOMPSON };

struct sim_segment {
	char   *name;
	double  share;        /* of the customers */
	double  base_rate;
	int64_t impressions;  /* behind base_rate; 0 = fallback */
	const char *source;   /* "campaigns", "all campaigns", "default" */
};

/* Who is simulated and what each arm does to them. */
struct sim_setup {
	int       narms;
	char     *name[AB_MAX_ARMS];
	long long variant_id[AB_MAX_ARMS];  /* 0 in --arm mode */
	double    score[AB_MAX_ARMS];       /* composite score, NAN when none */
	double    mult[AB_MAX_ARMS];        /* exp(effect * (score - mean)) */
	double    rate[AB_MAX_ARMS];        /* --arm mode: the given rate */
	int       direct;                   /* 1 = --arm rates, no audience */
	long long run_id;
	double    effect, mean_score;
	int       nseg;
	struct sim_segment *seg;
	int64_t   ncust;
	int      *cust_seg;                 /* segment of each customer */
	char      note[256];                /* how the audience was built */
};

/* A setup from explicit arms and rates (0 < rate < 1); free with sim_setup_clear. */
int sim_setup_direct(struct sim_setup *s, int k, char *const *names, const double *rates,
                     struct cl_err *err);
/* A setup over run's variants (not discarded, no error) and the workspace's
 * customers and campaigns tables; effect 0 = SIM_DEFAULT_EFFECT. */
int sim_setup_run(struct workspace *ws, long long run_id, double effect, struct sim_setup *s,
                  struct cl_err *err);
void sim_setup_clear(struct sim_setup *s);

/* Probability that a customer of segment g responds to arm i. */
double sim_rate(const struct sim_setup *s, int g, int i);

struct sim_result {
	struct exp_data *data;              /* per-day results; owned, freed by sim_result_clear */
	double  true_rate[AB_MAX_ARMS];     /* expected rate over the audience */
	int     best;                       /* arm with the highest true rate */
	double  regret;                     /* expected conversions lost by this policy */
	double  regret_fixed;               /* the same for an equal fixed split */
	int64_t visitors;
};

/* Simulate days x daily visitors with policy and seed; deterministic. */
int sim_run(const struct sim_setup *s, enum sim_policy policy, int days, int64_t daily,
            uint64_t seed, struct sim_result *out, struct cl_err *err);
void sim_result_clear(struct sim_result *r);

/* Store a run's result as an experiment marked simulated, its arms linked to
 * the variants; meta->name required, other meta fields filled here. */
int sim_save(struct workspace *ws, struct exp_meta *meta, const struct sim_setup *s,
             const struct sim_result *r, enum sim_policy policy, int days, int64_t daily,
             uint64_t seed, int replace, struct cl_err *err);

#endif
