/* scorers.h — the built-in heuristic scorers, by file; score.c registers them
 * with scoreset_register like any plugin scorer. Internal to the score module. */
#ifndef CL_SCORERS_H
#define CL_SCORERS_H

#include "core/score.h"

/* scorers_form.c: channel_fit, readability, numbers, question, emoji */
extern const struct scorer_type scorer_channel_fit, scorer_readability, scorer_numbers,
	scorer_question, scorer_emoji;
/* scorers_tone.c: sentiment, cta, urgency, personalisation */
extern const struct scorer_type scorer_sentiment, scorer_cta, scorer_urgency,
	scorer_personalisation;
/* scorers_policy.c: deliverability, brand, compliance */
extern const struct scorer_type scorer_deliverability, scorer_brand, scorer_compliance;
/* claims.c */
extern const struct scorer_type scorer_claims;
/* predict.c */
extern const struct scorer_type scorer_predicted;

/* Shared helpers for details: a hit as {"term", "pos", "byte", "quote"} where
 * quote is the matched text and context a few characters around it. */
cJSON *scorer_hit_json(const struct score_ctx *ctx, uint32_t byte, uint32_t len, uint32_t ch);
/* Clamp to [0,1]. */
double scorer_clamp01(double v);
/* Round to 4 decimals for stable JSON. */
double scorer_round4(double v);

#endif
