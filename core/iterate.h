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
 * provider, which applies its mutation operators to each winner, or by a
 * model, which receives the winners, their scores and the feedback as an
 * extra prompt section (iterate_prompt_section); both run through the
 * generation engine (iterate_next_spec builds its request), after which
 * iterate_link_round records the lineage.
 */
#ifndef CL_ITERATE_H
#define CL_ITERATE_H

#include <stddef.h>
#include "core/util.h"
#include "core/workspace.h"
#include "core/generate.h"

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

/* How to build the next round. All members may be 0 / NULL. */
struct iter_next_opts {
	size_t      per_winner;   /* variants per winner (0 = 2) */
	const char *feedback;     /* free text from the marketer */
	const char *provider;     /* provider instance; NULL = the configured default */
	const char *model;        /* NULL = the instance's */
	const char *mutations;    /* offline operators, comma-separated; NULL = a fixed cycle of all six */
	long long   seed;         /* < 0 or 0: the engine's default */
};

/* The next round's generation request (core/generate.h's struct gen_spec),
 * with the strings it points to. */
struct iter_next {
	struct gen_spec spec;     /* ready for gen_job_start; points into this struct */
	char      *template_name; /* "NAME@VERSION" of the winners' prompt, or NULL */
	char      *prompt_text;   /* the literal prompt when the run had no template */
	char      *row, *segment, *extra_prompt, *feedback, *mutation, *provider, *model;
	long long *parent_ids;
	size_t     nparents;
};

/* Build the request for the round after the winners' one: the same prompt
 * version, row and segment as their run; n = winners x per_winner; variant i
 * descends from winner i % n; the model receives iterate_prompt_section as an
 * extra prompt section, and the offline provider applies the mutation
 * operators (cycled over the variants) to each variant's parent. Release
 * with iter_next_clear. */
int iterate_next_spec(struct workspace *ws, const struct iter_winners *w,
                      const struct iter_next_opts *opts, struct iter_next *out, struct cl_err *err);
void iter_next_clear(struct iter_next *n);

/* Run the next round to its end (blocking: for the CLI and the demo set-up):
 * iterate_next_spec, a generation job polled until done, then
 * iterate_link_round (every winner recorded as a parent when a model saw
 * them all). cfg from config_load. *new_run receives the run id. */
int iterate_run_round(struct workspace *ws, struct cl_config *cfg, const struct iter_winners *w,
                      const struct iter_next_opts *opts, long long *new_run, struct cl_err *err);

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
