/* scorers_policy.c — what could get the copy blocked or the brand in trouble:
 * deliverability (spam triggers, shouting, repeated punctuation), brand rules,
 * advertising-law compliance (absolute claims, health claims, discrimination). */
#include "core/scorers.h"

#include <string.h>

static int has(const struct lex_hit *h, enum lex_cat c)
{
	return (h->e->flags >> c) & 1u;
}

/* ---- deliverability ---- */

static int score_deliverability(const struct scorer_type *self, const struct score_ctx *ctx,
                                double *value, cJSON **detail, struct cl_err *err)
{
	const struct lex_hits *hs = ctx->hits;
	const struct text_stats *ts = ctx->ts;
	double spam = 0;
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	cJSON *arr = d ? cJSON_AddArrayToObject(d, "spam_triggers") : NULL;
	for (size_t i = 0; i < hs->n; i++) {
		const struct lex_hit *h = &hs->v[i];
		if (!has(h, LX_SPAM))
			continue;
		spam += h->e->w[LX_SPAM];
		if (arr)
			cJSON_AddItemToArray(arr, scorer_hit_json(ctx, h->byte, h->len, h->ch));
	}
	double caps = ts->letters >= 10 ? (double)ts->upper / (double)ts->letters : 0;
	double caps_pen = caps > 0.25 ? 1.5 * (caps - 0.25) : 0;
	double pen = 0.15 * spam + caps_pen + 0.15 * (double)ts->repeated_punct;
	*value = scorer_clamp01(1 - pen);
	if (d) {
		cJSON_AddNumberToObject(d, "spam_weight", scorer_round4(spam));
		cJSON_AddNumberToObject(d, "caps_share", scorer_round4(caps));
		cJSON_AddNumberToObject(d, "caps_words", (double)ts->caps_words);
		cJSON_AddNumberToObject(d, "repeated_punctuation", (double)ts->repeated_punct);
		cJSON_AddStringToObject(d, "rule", "1 - 0.15*spam weight - 1.5*max(0, caps share-0.25) "
		                        "- 0.15*runs like !!! (caps share counts from 10 letters)");
	}
	*detail = d;
	return 1;
}

const struct scorer_type scorer_deliverability = {
	"deliverability", "spam trigger words, all-caps share, repeated punctuation", 1.0,
	score_deliverability, NULL,
};

/* ---- brand ---- */

static int ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Find term (lower-case) in the lower-cased text from byte `from`; a term
 * that starts or ends with an ASCII letter must sit on word boundaries. */
static const char *find_term(const char *lower, size_t n, const char *term, size_t from)
{
	size_t tl = strlen(term);
	if (!tl)
		return NULL;
	const char *p = lower + from;
	while ((p = memmem(p, n - (size_t)(p - lower), term, tl))) {
		int ok = 1;
		if (ascii_alnum((unsigned char)term[0]) && p > lower && ascii_alnum((unsigned char)p[-1]))
			ok = 0;
		if (ascii_alnum((unsigned char)term[tl - 1]) && p + tl < lower + n &&
		    ascii_alnum((unsigned char)p[tl]))
			ok = 0;
		if (ok)
			return p;
		p++;
	}
	return NULL;
}

static cJSON *term_hit(const struct score_ctx *ctx, const char *term, const char *at)
{
	uint32_t byte = (uint32_t)(at - ctx->ts->lower);
	cJSON *o = scorer_hit_json(ctx, byte, (uint32_t)strlen(term),
	                           (uint32_t)ts_chars(ctx->text, byte));
	cJSON_AddStringToObject(o, "term", term);
	return o;
}

static int score_brand(const struct scorer_type *self, const struct score_ctx *ctx,
                       double *value, cJSON **detail, struct cl_err *err)
{
	const struct brand *b = ctx->brand;
	if (!b || (!b->nrequired && !b->nrequired_en && !b->nrequired_zh && !b->nbanned && !b->ntone))
		return 0;
	const char *lower = ctx->ts->lower;
	size_t n = ctx->len;
	size_t req = 0, banned = 0, tone = 0;
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	cJSON *missing = d ? cJSON_AddArrayToObject(d, "required_missing") : NULL;
	cJSON *bans = d ? cJSON_AddArrayToObject(d, "banned_found") : NULL;
	cJSON *tones = d ? cJSON_AddArrayToObject(d, "tone_found") : NULL;
	char *const *rq = b->required;
	size_t nrq = b->nrequired;
	if (strcmp(ctx->lang, "zh") == 0 && b->nrequired_zh)
		rq = b->required_zh, nrq = b->nrequired_zh;
	else if (strcmp(ctx->lang, "en") == 0 && b->nrequired_en)
		rq = b->required_en, nrq = b->nrequired_en;
	for (size_t i = 0; i < nrq; i++) {
		if (find_term(lower, n, rq[i], 0))
			req++;
		else if (missing)
			cJSON_AddItemToArray(missing, cJSON_CreateString(rq[i]));
	}
	for (size_t i = 0; i < b->nbanned; i++) {
		const char *at = find_term(lower, n, b->banned[i], 0);
		while (at) {
			banned++;
			if (bans)
				cJSON_AddItemToArray(bans, term_hit(ctx, b->banned[i], at));
			at = find_term(lower, n, b->banned[i], (size_t)(at - lower) + 1);
		}
	}
	for (size_t i = 0; i < b->ntone; i++)
		if (find_term(lower, n, b->tone[i], 0)) {
			tone++;
			if (tones)
				cJSON_AddItemToArray(tones, cJSON_CreateString(b->tone[i]));
		}
	double req_share = nrq ? (double)req / (double)nrq : 1;
	double tone_part = b->ntone ? (tone ? 1 : 0) : 1;
	double v = 0.6 * req_share + 0.4 * tone_part;
	for (size_t i = 0; i < banned; i++)
		v *= 0.5;
	*value = v;
	if (d) {
		cJSON_AddNumberToObject(d, "required_share", scorer_round4(req_share));
		cJSON_AddNumberToObject(d, "banned_count", (double)banned);
		cJSON_AddNumberToObject(d, "tone_count", (double)tone);
		cJSON_AddStringToObject(d, "rule", "(0.6*share of required terms + 0.4*(a tone word present)) "
		                        "halved for each banned term");
	}
	*detail = d;
	return 1;
}

const struct scorer_type scorer_brand = {
	"brand", "required terms present, banned terms absent, tone words (brand.json)", 1.0,
	score_brand, NULL,
};

/* ---- compliance ---- */

static int score_compliance(const struct scorer_type *self, const struct score_ctx *ctx,
                            double *value, cJSON **detail, struct cl_err *err)
{
	static const struct { enum lex_cat cat; const char *kind, *why; double pen; } kinds[] = {
		{ LX_ABSOLUTE, "absolute", "absolute or superlative claim (China Advertising Law art. 9; "
		  "unsubstantiated superlatives elsewhere)", 0.4 },
		{ LX_HEALTH, "health", "unverifiable health or medical claim", 0.5 },
		{ LX_DISCRIM, "discrimination", "discriminatory wording", 0.6 },
	};
	const struct lex_hits *hs = ctx->hits;
	double pen = 0;
	size_t counts[3] = { 0, 0, 0 };
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	cJSON *arr = d ? cJSON_AddArrayToObject(d, "hits") : NULL;
	for (size_t i = 0; i < hs->n; i++) {
		const struct lex_hit *h = &hs->v[i];
		for (size_t k = 0; k < 3; k++) {
			if (!has(h, kinds[k].cat))
				continue;
			counts[k]++;
			pen += kinds[k].pen;
			if (arr) {
				cJSON *o = scorer_hit_json(ctx, h->byte, h->len, h->ch);
				cJSON_AddStringToObject(o, "kind", kinds[k].kind);
				cJSON_AddStringToObject(o, "term", h->e->term);
				cJSON_AddStringToObject(o, "why", kinds[k].why);
				cJSON_AddItemToArray(arr, o);
			}
			break;
		}
	}
	*value = scorer_clamp01(1 - pen);
	if (d) {
		cJSON_AddNumberToObject(d, "absolute", (double)counts[0]);
		cJSON_AddNumberToObject(d, "health", (double)counts[1]);
		cJSON_AddNumberToObject(d, "discrimination", (double)counts[2]);
		cJSON_AddStringToObject(d, "rule", "1 - 0.4 per absolute claim - 0.5 per health claim "
		                        "- 0.6 per discriminatory term; pos is the character offset");
	}
	*detail = d;
	return 1;
}

const struct scorer_type scorer_compliance = {
	"compliance", "advertising-law risks: absolute claims, health claims, discrimination", 2.0,
	score_compliance, NULL,
};
