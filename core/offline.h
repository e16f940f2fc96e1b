/* offline.h — the built-in offline copy generator.
 *
 * No network, deterministic: the same request (seed, variant index, inputs)
 * gives the same bytes. It composes copy in English or Chinese from the
 * phrasebook in sample-data/phrasebook.json (hooks, benefits, proof, urgency,
 * calls to action per channel, in several tones) and the bound variables
 * (product name, price, discount, features, segment, brand), keeps each field
 * within its channel's length limit, and returns exactly the requested fields
 * as a JSON object. Variants 0..N-1 of one request are all different.
 *
 * It also implements the mutation operators of the iterate step, applied to a
 * parent variant's fields: shorten, sharpen_cta, add_urgency, add_proof,
 * change_tone, personalise (to the segment), optionally guided by feedback
 * text ("shorter", "more urgent", "mention the price", ...).
 */
#ifndef CL_OFFLINE_H
#define CL_OFFLINE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "core/util.h"

enum offline_mutation {
	OFFLINE_MUT_NONE = 0,
	OFFLINE_MUT_SHORTEN,
	OFFLINE_MUT_SHARPEN_CTA,
	OFFLINE_MUT_ADD_URGENCY,
	OFFLINE_MUT_ADD_PROOF,
	OFFLINE_MUT_CHANGE_TONE,
	OFFLINE_MUT_PERSONALISE,
	OFFLINE_MUT_COUNT
};

/* A loaded phrasebook; read-only once loaded, shareable between threads. */
struct offline_phrasebook;

/* Load a phrasebook from path, or the bundled sample-data/phrasebook.json
 * when path is NULL; *out freed with offline_phrasebook_free. */
int offline_phrasebook_load(const char *path, struct offline_phrasebook **out,
                            struct cl_err *err);
void offline_phrasebook_free(struct offline_phrasebook *pb);

struct offline_req {
	const char        *language;  /* "en" or "zh" (zh-CN, zh-Hans... count as zh); NULL = en */
	const char        *channel;   /* email, sms, push, social, search-ad, landing; NULL = email */
	const char        *tone;      /* warm, playful, premium, urgent, plain...; NULL = plain */
	const char *const *fields;    /* output field names; NULL/0 = the channel's defaults */
	size_t             nfields;
	const cJSON       *bind;      /* template_bind's object (product, segment, brand, vars); may be NULL */
	const char        *prompt;    /* the rendered user message, mixed into the seed; may be NULL */
	uint64_t           seed;
	int                variant;   /* 0-based index among the request's variants */
	/* Iterate step: mutation applied to parent_json (a JSON object of fields). */
	enum offline_mutation mutation;
	const char        *parent_json;
	const char        *feedback;  /* free text; NULL or "" for none */
	const char        *new_tone;  /* change_tone target; NULL = a different tone chosen by seed */
	/* Loaded phrasebook; NULL loads the bundled one for this call. */
	const struct offline_phrasebook *pb;
};

/* Compose one variant. *out_json receives a JSON object text with exactly the
 * request's fields (caller frees). With a mutation, parent_json is required
 * and the result keeps the parent's fields, changed by the operator. */
int offline_compose(const struct offline_req *req, char **out_json, struct cl_err *err);

/* A rough token count for usage figures: about 4 bytes a token for Latin
 * text, one token a CJK character (never 0 for non-empty text). */
size_t offline_token_estimate(const char *text);

/* The length limit of a field on a channel, measured as the channel-fit
 * scorer measures it: display columns (East Asian characters count two) —
 * email subject 60, preheader 90, call to action 25, push title 40 and body
 * 120, search-ad headline 30 and description 90, social 280, landing headline
 * 60 and subheadline 120 — and for SMS 160 GSM-7 septets, or 70 characters
 * when the text needs UCS-2 (any Chinese); this returns 70 for zh, else 160.
 * 0 when unlimited. The generator keeps every field within it. */
size_t offline_field_limit(const char *channel, const char *field, const char *language);

/* Name <-> mutation ("shorten", "sharpen_cta", "add_urgency", "add_proof",
 * "change_tone", "personalise"; "personalize" and dashes are accepted).
 * offline_mutation_parse returns OFFLINE_MUT_NONE for an unknown name. */
enum offline_mutation offline_mutation_parse(const char *name);
const char *offline_mutation_name(enum offline_mutation m);

/* Number of UTF-8 characters (code points) in s. */
size_t offline_utf8_len(const char *s);

#endif
