/* iterate.h — rounds and lineage: pick winners, feed them back, go again.
 *
 * A round is a run (cl_runs) whose round number is its parent run's plus one;
 * cl_runs.parent_run links it to the round it improves on and
 * cl_runs.feedback holds what the marketer asked for. Every variant of a new
 * round names its main parent in cl_variants.parent_id and all its parents in
 * cl_variant_parents (a variant written from several winners has several).
 *
 * Winners come from scores (top K by the composite or any one scorer) or from
 * an A/B experiment (arms ranked by the probability of being best, each arm
 * linked to a variant). The next round is generated either by the offline
 * provider, which applies its mutation operators to each winner
 * (iterate_offline_round), or by a model, which receives the winners, their
 * scores and the feedback as an extra prompt section (iterate_prompt_section),
 * run through the generation engine, after which iterate_link_round records
 * the lineage.
 */
#ifndef CL_ITERATE_H
#define CL_ITERATE_H

#include <stddef.h>
#include "core/util.h"
#include "core/workspace.h"

/* The scorer name whose value ranks variants by default. */
#define ITERATE_COMPOSITE "composite"

struct iter_score {
	char  *scorer;
	double value;
};

struct iter_winner {
	long long variant_id;
	long long run_id;
	int       idx;            /* position in its run, 0-based (label 'A' + idx) */
	double    rank_value;     /* the figure it was ranked by */
	char     *fields;         /* JSON object text of its fields ("{}" when none) */
	char     *text;           /* whole reply text, may be "" */
	struct iter_score *scores;   /* every stored score of the variant */
	size_t    nscores;
};

struct iter_winners {
	struct iter_winner *v;
	size_t   n;
	long long run_id;          /* the run they come from (of the first winner) */
	int      round;            /* that run's round */
	char    *basis;            /* "composite", "scorer tone", "experiment NAME (P(best))" */
};

/* Top k live (not discarded) variants of run_id ranked by scorer (NULL =
 * composite; starred variants first among equals). Variants without that
 * score rank last by their mean score. Fill *out; release with
 * iter_winners_clear. Fails when the run has no usable variant. */
int iterate_winners_by_score(struct workspace *ws, long long run_id, size_t k, const char *scorer,
                             struct iter_winners *out, struct cl_err *err);
/* Top k arms of an experiment (by name) ranked by the probability of being
 * best, among arms linked to variants. */
int iterate_winners_by_experiment(struct workspace *ws, const char *experiment, size_t k,
                                  struct iter_winners *out, struct cl_err *err);
/* Winners named by hand, in that order. */
int iterate_winners_from_ids(struct workspace *ws, const long long *ids, size_t n,
                             struct iter_winners *out, struct cl_err *err);
void iter_winners_clear(struct iter_winners *w);

/* The prompt section a model receives for the next round: the winners with
 * their scores, the feedback, and what to do, in language ("zh" or English).
 * Caller frees. */
char *iterate_prompt_section(const struct iter_winners *w, const char *feedback,
                             const char *language);

/* Make new_run the next round after parent_run: set its round, parent_run
 * and feedback, and link each of its variants to a winner: variant i gets
 * winners[i % n] as main parent, and when all_parents is set every winner is
 * recorded as a parent too (a model that saw them all). */
int iterate_link_round(struct workspace *ws, long long new_run, long long parent_run,
                       const char *feedback, const struct iter_winners *w, int all_parents,
                       struct cl_err *err);

/* Link one variant to a parent (cl_variants.parent_id if unset, and
 * cl_variant_parents). */
int iterate_add_parent(struct workspace *ws, long long variant_id, long long parent_id,
                       struct cl_err *err);

/* Parameters of an offline round. */
struct iter_offline_opts {
	size_t      per_winner;   /* children per winner (0 = 2) */
	const char *feedback;     /* free text, may be NULL */
	unsigned long long seed;
	const char *mutations;    /* comma-separated operator names; NULL = a fixed cycle */
};

/* Build the next round with the offline provider: a new run (round = the
 * winners' round + 1, parent_run = their run, same prompt, segment and row)
 * whose variants are the offline mutation operators applied to each winner,
 * each variant linked to its parent. Each variant is committed on its own.
 * *new_run receives the run id. */
int iterate_offline_round(struct workspace *ws, const struct iter_winners *w,
                          const struct iter_offline_opts *opts, long long *new_run,
                          struct cl_err *err);

/* ---- history ---- */

struct iter_node {
	long long  variant_id, run_id, parent_id;   /* parent_id 0 = none */
	long long *parents;       /* every parent (cl_variant_parents ∪ parent_id) */
	size_t     nparents;
	int        round, idx, starred, discarded;
	double     composite;     /* NaN when unscored */
	char      *summary;       /* first field's text, for a tree line */
};

struct iter_round {
	long long run_id, parent_run;
	int       round;
	char     *feedback;       /* may be NULL */
	char     *provider, *model, *status, *created_at;
	char     *prompt_name;    /* may be NULL */
	int       prompt_version;
	double    best;           /* best composite among its variants, NaN when none */
	double    best_rate;      /* best observed conversion rate in an experiment, NaN when none */
	size_t    nvariants;
};

struct iter_history {
	struct iter_round *rounds;   /* ordered by round, then run id */
	size_t             nrounds;
	struct iter_node  *nodes;    /* ordered by round, run, idx */
	size_t             nnodes;
};

/* The lineage that contains run_id (its root run and every descendant), or
 * every run when run_id is 0; *out freed with iterate_history_free. */
int iterate_history(struct workspace *ws, long long run_id, struct iter_history **out,
                    struct cl_err *err);
void iterate_history_free(struct iter_history *h);

/* The label of variant idx in its run: "A".."Z", then "AA"… ; buf >= 8 bytes. */
void iterate_label(int idx, char *buf, size_t size);

#endif
