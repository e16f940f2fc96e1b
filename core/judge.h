/* judge.h — an LLM grades copy against a rubric, or compares two copies.
 *
 * Grading asks the provider (one blocking completion, JSON output) for
 * {"scores": {"<criterion>": 1..10, ...}, "rationale": "..."}; the value is
 * the rubric-weighted mean of (score - 1) / 9, in [0,1]. A reply that is not
 * JSON, or lacks a criterion, is an error naming what was wrong (the raw
 * reply is kept in the detail).
 *
 * Pairwise mode asks twice with the two copies' positions swapped, to cancel
 * position bias: a copy wins only if it wins both times; a split verdict is a
 * tie and is reported as position bias.
 *
 * Under the offline provider (no language model) the judge falls back to the
 * heuristic scorers' composite and says so in its detail ("fallback": true).
 */
#ifndef CL_JUDGE_H
#define CL_JUDGE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "core/provider.h"
#include "core/score.h"
#include "core/util.h"

struct judge_criterion {
	char  *name;
	double weight;
	char  *description;
};

struct judge_rubric {
	struct judge_criterion *v;
	size_t n;
};

/* The built-in rubric (clarity, persuasion, brand_voice, channel_fit,
 * compliance); *out freed with judge_rubric_free. */
void judge_rubric_default(struct judge_rubric *out);
/* From JSON: [{"name", "weight", "description"}] or {"name": weight}, or from
 * text "clarity=2, persuasion=3" (template front matter). */
int judge_rubric_from_json(const cJSON *j, struct judge_rubric *out, struct cl_err *err);
int judge_rubric_from_text(const char *text, struct judge_rubric *out, struct cl_err *err);
void judge_rubric_free(struct judge_rubric *r);

/* What the judge is told besides the copy; all may be NULL. */
struct judge_ctx {
	const char *channel, *lang;
	const char *brief;          /* what the copy is for (the prompt, product), one paragraph */
	const char *brand_voice;
};

/* 1 if p is the offline generator (no language model behind it). */
int judge_is_offline(const struct provider *p);

/* Grade text. With an offline provider (or p NULL) the value is the heuristic
 * composite from fallback (required then) and the detail says so. *detail is
 * a new object (caller frees): {"criteria": {...}, "rationale", "provider",
 * "model"} or {"fallback": true, "note", "composite"}. */
int judge_grade(struct provider *p, const struct judge_rubric *rubric, const struct judge_ctx *ctx,
                const char *text, struct scoreset *fallback, double *value, cJSON **detail,
                struct cl_err *err);

struct judge_pair {
	double score_a;        /* 1: A wins both orders, 0: B does, 0.5: tie or split */
	int    consistent;     /* both orders agreed */
	int    fallback;       /* heuristic comparison (offline) */
	cJSON *detail;         /* both verdicts and rationales; owned, freed by judge_pair_clear */
};

/* Compare a and b twice (a first, then b first). */
int judge_pairwise(struct provider *p, const struct judge_rubric *rubric,
                   const struct judge_ctx *ctx, const char *a, const char *b,
                   struct scoreset *fallback, struct judge_pair *out, struct cl_err *err);
void judge_pair_clear(struct judge_pair *jp);

#endif
