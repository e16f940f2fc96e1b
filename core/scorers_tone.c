/* scorers_tone.c — what the copy says and how: sentiment (lexicon with
 * negation and intensifiers), call to action, urgency, personalisation. */
#include "core/scorers.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NEG_WINDOW 3      /* a negator flips sentiment up to 3 tokens/characters on */
#define INT_WINDOW 2      /* an intensifier scales sentiment up to 2 on */
#define NEG_FACTOR (-0.74) /* as VADER: "not good" is less bad than "bad" is */

static cJSON *hit_json(const struct score_ctx *ctx, const struct lex_hit *h)
{
	return scorer_hit_json(ctx, h->byte, h->len, h->ch);
}

static int has(const struct lex_hit *h, enum lex_cat c)
{
	return (h->e->flags >> c) & 1u;
}

/* How many hits are of category c; the first max of them are listed in arr
 * (when arr is not NULL). */
static size_t count_hits(const struct score_ctx *ctx, enum lex_cat c, size_t max, cJSON *arr)
{
	const struct lex_hits *hs = ctx->hits;
	size_t n = 0;
	for (size_t i = 0; i < hs->n; i++)
		if (has(&hs->v[i], c)) {
			n++;
			if (arr && n <= max)
				cJSON_AddItemToArray(arr, hit_json(ctx, &hs->v[i]));
		}
	return n;
}

/* ---- sentiment ---- */

static int score_sentiment(const struct scorer_type *self, const struct score_ctx *ctx,
                           double *value, cJSON **detail, struct cl_err *err)
{
	const struct lex_hits *hs = ctx->hits;
	double sum = 0;
	long neg_end = -100, int_end = -100;
	double int_mult = 1;
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	cJSON *arr = d ? cJSON_AddArrayToObject(d, "terms") : NULL;
	for (size_t i = 0; i < hs->n; i++) {
		const struct lex_hit *h = &hs->v[i];
		if (has(h, LX_NEGATOR)) {
			neg_end = (long)h->unit_end;
			continue;
		}
		if (has(h, LX_INTENSIFIER) && !has(h, LX_SENTIMENT)) {
			int_end = (long)h->unit_end;
			int_mult = h->e->w[LX_INTENSIFIER];
			continue;
		}
		if (!has(h, LX_SENTIMENT))
			continue;
		double v = h->e->w[LX_SENTIMENT];
		int intens = (long)h->unit - int_end <= INT_WINDOW && (long)h->unit > int_end;
		int negated = (long)h->unit - neg_end <= NEG_WINDOW && (long)h->unit > neg_end;
		if (intens)
			v *= int_mult;
		if (negated)
			v *= NEG_FACTOR;
		sum += v;
		if (arr) {
			cJSON *o = hit_json(ctx, h);
			cJSON_AddNumberToObject(o, "lexicon", h->e->w[LX_SENTIMENT]);
			if (intens)
				cJSON_AddNumberToObject(o, "intensified", int_mult);
			if (negated)
				cJSON_AddBoolToObject(o, "negated", 1);
			cJSON_AddNumberToObject(o, "contribution", scorer_round4(v));
			cJSON_AddItemToArray(arr, o);
		}
	}
	double compound = sum / sqrt(sum * sum + 15.0);
	*value = (compound + 1) / 2;
	if (d) {
		cJSON_AddNumberToObject(d, "sum", scorer_round4(sum));
		cJSON_AddNumberToObject(d, "compound", scorer_round4(compound));
		cJSON_AddStringToObject(d, "rule", "compound = sum/sqrt(sum^2+15) (as VADER), value = (compound+1)/2; "
		                        "negation x-0.74 within 3, intensifier x weight within 2");
	}
	*detail = d;
	return 1;
}

const struct scorer_type scorer_sentiment = {
	"sentiment", "lexicon sentiment with negation and intensifiers (English, Chinese)",
	1.0, score_sentiment, NULL,
};

/* ---- call to action ---- */

static int score_cta(const struct scorer_type *self, const struct score_ctx *ctx,
                     double *value, cJSON **detail, struct cl_err *err)
{
	const struct lex_hits *hs = ctx->hits;
	double best = 0;
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	cJSON *arr = d ? cJSON_AddArrayToObject(d, "found") : NULL;
	for (size_t i = 0; i < hs->n; i++) {
		const struct lex_hit *h = &hs->v[i];
		if (!has(h, LX_CTA))
			continue;
		double w = h->e->w[LX_CTA];
		if (w > best)
			best = w;
		if (arr) {
			cJSON *o = hit_json(ctx, h);
			cJSON_AddNumberToObject(o, "strength", w);
			cJSON_AddItemToArray(arr, o);
		}
	}
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(ctx->in->fields, "cta");
	int field = cJSON_IsString(f) && *f->valuestring;
	if (field && best < 0.6)
		best = 0.6;
	*value = best;
	if (d) {
		cJSON_AddBoolToObject(d, "cta_field", field);
		cJSON_AddNumberToObject(d, "strength", best);
		cJSON_AddStringToObject(d, "rule", "the strongest call to action found (lexicon strength 0..1); "
		                        "a non-empty cta field counts at least 0.6; none: 0");
	}
	*detail = d;
	return 1;
}

const struct scorer_type scorer_cta = {
	"cta", "call to action present and its strength", 1.5, score_cta, NULL,
};

/* ---- urgency ---- */

static int score_urgency(const struct scorer_type *self, const struct score_ctx *ctx,
                         double *value, cJSON **detail, struct cl_err *err)
{
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	size_t n = count_hits(ctx, LX_URGENCY, SIZE_MAX, d ? cJSON_AddArrayToObject(d, "found") : NULL);
	*value = n == 0 ? 0.3 : n == 1 ? 0.8 : n == 2 ? 1.0 : 0.6;
	if (d) {
		cJSON_AddNumberToObject(d, "count", (double)n);
		cJSON_AddStringToObject(d, "rule", "none 0.3, one 0.8, two 1, three or more 0.6 (pushy)");
	}
	*detail = d;
	return 1;
}

const struct scorer_type scorer_urgency = {
	"urgency", "urgency cues (deadlines, scarcity), not overdone", 0.5, score_urgency, NULL,
};

/* ---- personalisation ---- */

/* Merge tags: {{first_name}}, {name}, %FIRSTNAME%, *|FNAME|*, [Name]. */
static int has_merge_tag(const char *s)
{
	static const char *const tags[] = { "{{", "*|", "%first", "%name", "[name]", "[first",
	                                    "{name}", "{first", "{customer" };
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		if (strstr(s, tags[i]))
			return 1;
	return 0;
}

static int score_personalisation(const struct scorer_type *self, const struct score_ctx *ctx,
                                 double *value, cJSON **detail, struct cl_err *err)
{
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	size_t n = count_hits(ctx, LX_PERSONAL, 10, d ? cJSON_AddArrayToObject(d, "found") : NULL);
	int tag = has_merge_tag(ctx->ts->lower);
	double v = tag ? 1.0 : n == 0 ? 0.2 : n == 1 ? 0.7 : n == 2 ? 0.8 : 0.9;
	*value = v;
	if (d) {
		cJSON_AddNumberToObject(d, "second_person", (double)n);
		cJSON_AddBoolToObject(d, "merge_tag", tag);
		cJSON_AddStringToObject(d, "rule", "a merge tag ({{first_name}}...) 1; second person: "
		                        "one 0.7, two 0.8, more 0.9; none 0.2");
	}
	*detail = d;
	return 1;
}

const struct scorer_type scorer_personalisation = {
	"personalisation", "addresses the reader (you, 您) or uses a merge tag", 0.5,
	score_personalisation, NULL,
};
