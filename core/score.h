/* score.h — the scorer registry, composite score and ranking, and the
 * cl_scores table.
 *
 * A scorer is a `struct scorer_type` (a name, a default weight, a function);
 * every scorer, built-in or from a plugin, is added with scoreset_register.
 * Each returns a value in [0,1] (higher is better) and a cJSON detail that
 * explains it, or says it does not apply (no brand configured, no product
 * bound, no trained model), in which case it is left out of the list and of
 * the composite. The composite is the weighted mean of the values that apply.
 *
 * Built-in heuristic scorers (all share one pass over the text and one
 * lexicon scan): channel_fit, readability, sentiment, cta, urgency,
 * personalisation, numbers, question, emoji, deliverability, brand,
 * compliance, claims; and `predicted` (core/predict.h) when a model is set.
 *
 * A scoreset keeps scratch buffers: use one per thread.
 */
#ifndef CL_SCORE_H
#define CL_SCORE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "core/lexicon.h"
#include "core/textstat.h"
#include "core/util.h"
#include "core/workspace.h"

struct scoreset;
struct claims_catalog;   /* core/claims.h */
struct predictor;        /* core/predict.h */

/* Brand rules from brand.json: {"name", "required_terms", "required_terms_en",
 * "required_terms_zh", "banned_terms", "tone_words"}. */
struct brand {
	char  *name;                 /* may be NULL */
	char **required, **banned, **tone;   /* lower-cased */
	size_t nrequired, nbanned, ntone;
	/* required_terms_en / required_terms_zh: used instead of required_terms
	 * for copy in that language when given */
	char **required_en, **required_zh;
	size_t nrequired_en, nrequired_zh;
};

/* What is scored. Either text, or fields (a JSON object of strings, e.g.
 * {"subject": …, "body": …}), or both (text then wins for the whole-copy
 * scorers, fields are still checked one by one for channel fit). */
struct score_input {
	const char  *text;       /* UTF-8; may be NULL when fields is given */
	const cJSON *fields;     /* borrowed; may be NULL */
	const char  *channel;    /* email, sms, push, social, search-ad, landing; NULL = none */
	const char  *lang;       /* "en" / "zh" (zh-CN... too); NULL or another = detected */
	const char  *segment;    /* segment name for the predictor; may be NULL */
	const cJSON *product;    /* the bound product row as an object; borrowed; may be NULL */
};

/* What a scorer sees. Everything is borrowed for the duration of the call. */
struct score_ctx {
	const struct score_input *in;
	const char   *text;          /* the whole copy (fields joined by newlines) */
	size_t        len;
	const struct text_stats *ts; /* analysis of text */
	const struct lex_hits   *hits;
	const struct lexicon    *lex;
	const char   *lang;          /* "en" or "zh" */
	const char   *channel;       /* normalised channel name, "" when none */
	const struct brand         *brand;     /* NULL when none */
	const struct claims_catalog *catalog;  /* NULL when none */
	struct predictor           *predictor; /* NULL when none (its scratch is used) */
	int           want_detail;   /* 0: the caller only needs values (detail may stay NULL) */
};

/* A scorer. score() returns 1 with *value in [0,1] and *detail (a new cJSON
 * object, owned by the caller; may stay NULL when !ctx->want_detail), 2 for a
 * value shown but left out of the composite (weight 0: e.g. a model whose
 * validation does not support it), 0 when it does not apply, -1 on error
 * (err set). data is the scorer's own. */
struct scorer_type {
	const char *name;
	const char *summary;
	double      weight;          /* default weight in the composite */
	int       (*score)(const struct scorer_type *self, const struct score_ctx *ctx,
	                   double *value, cJSON **detail, struct cl_err *err);
	void       *data;
};

struct score_item {
	const char *scorer;   /* the scorer's name (owned by its type) */
	double      value;    /* [0,1] */
	double      weight;   /* weight used in the composite */
	cJSON      *detail;   /* owned by the result; may be NULL */
};

struct score_result {
	struct score_item *items;
	size_t n;
	double composite;     /* weighted mean over items; 0 when none applies */
	char   lang[3];
	char   channel[16];
	char **names;         /* scorer names the result owns (read back from cl_scores for
	                         scorers not registered here, e.g. a plugin's) */
	size_t nnames;
};

/* A set with the built-in scorers and the lexicon from lexdir (NULL = bundled
 * sample-data/lexicons); freed with scoreset_free. */
int scoreset_new(const char *lexdir, struct scoreset **out, struct cl_err *err);
void scoreset_free(struct scoreset *set);
/* Add a scorer (built-ins and plugins alike); t must outlive the set. A name
 * already present is an error. */
int scoreset_register(struct scoreset *set, const struct scorer_type *t, struct cl_err *err);
/* The registered scorers, in order; count in *n. Borrowed. */
const struct scorer_type *const *scoreset_scorers(const struct scoreset *set, size_t *n);
/* The lexicon the set uses (borrowed). */
const struct lexicon *scoreset_lexicon(const struct scoreset *set);
/* Attach optional knowledge; all borrowed, must outlive their use; NULL detaches. */
void scoreset_set_brand(struct scoreset *set, const struct brand *brand);
void scoreset_set_catalog(struct scoreset *set, const struct claims_catalog *cat);
void scoreset_set_predictor(struct scoreset *set, struct predictor *p);
/* Override weights from a JSON object {"cta": 2, ...}, or from text
 * "cta=2, compliance=3" (template front matter). Unknown names are errors. */
int scoreset_set_weights(struct scoreset *set, const cJSON *obj, struct cl_err *err);
int scoreset_set_weights_text(struct scoreset *set, const char *text, struct cl_err *err);
/* Weight in use for a scorer name (-1 when unknown). */
double scoreset_weight(const struct scoreset *set, const char *name);
/* Skip detail building (values only) when on = 0; default 1. */
void scoreset_want_detail(struct scoreset *set, int on);

/* Score one input with every registered scorer; *out freed with
 * score_result_free (out is the caller's struct). */
int score_text(struct scoreset *set, const struct score_input *in, struct score_result *out,
               struct cl_err *err);
void score_result_free(struct score_result *r);
/* The item of a scorer, or NULL. */
const struct score_item *score_result_get(const struct score_result *r, const char *scorer);
/* Add or replace an item (used for the judge); takes ownership of detail,
 * then recomputes the composite with the set's weights (set may be NULL:
 * weight as given). */
void score_result_put(struct score_result *r, const struct scoreset *set, const char *scorer,
                      double value, double weight, cJSON *detail);
/* {"composite": …, "lang", "channel", "scores": [{"scorer", "value", "weight", "detail"}]};
 * a new object the caller frees. */
cJSON *score_result_json(const struct score_result *r);
/* Indices 0..n-1 ordered by composite, best first (stable); caller frees. */
size_t *score_rank(const struct score_result *results, size_t n);

/* Normalise a channel name ("SMS", "search", "sem", "search_ad" ...) to one of
 * email, sms, push, social, search-ad, landing; "" when s is NULL/empty; NULL if unknown. */
const char *score_channel_name(const char *s);

/* Brand rules from a JSON object or a file; *out freed with brand_free. */
int brand_from_json(const cJSON *obj, struct brand **out, struct cl_err *err);
int brand_load_file(const char *path, struct brand **out, struct cl_err *err);
/* The workspace's brand (cl_meta key "brand", JSON); 0 and *out = NULL when none. */
int brand_load_ws(struct workspace *ws, struct brand **out, struct cl_err *err);
void brand_free(struct brand *b);

/* Store every item of r (and the composite as scorer "composite") for a
 * variant in cl_scores, replacing earlier rows of the same scorers. */
int score_store(struct workspace *ws, long long variant_id, const struct score_result *r,
                struct cl_err *err);
/* Read a variant's stored scores into *out (freed with score_result_free);
 * the "composite" row becomes out->composite. No rows: out->n == 0. */
int score_load(struct workspace *ws, long long variant_id, struct score_result *out,
               struct cl_err *err);

#endif
