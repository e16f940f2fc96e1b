/* judge.c — LLM rubric grading and position-swapped pairwise comparison,
 * with the heuristic fallback under the offline provider (see judge.h). */
#include "core/judge.h"
#include "core/jsonout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add_crit(struct judge_rubric *r, const char *name, size_t nlen, double w, const char *desc)
{
	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	r->v[r->n++] = (struct judge_criterion){ xstrndup(name, nlen), w, desc ? xstrdup(desc) : NULL };
}

void judge_rubric_default(struct judge_rubric *out)
{
	memset(out, 0, sizeof *out);
	add_crit(out, "clarity", 7, 1.0, "the message and the offer are clear at a glance");
	add_crit(out, "persuasion", 10, 1.5, "a concrete reason to act now and a strong call to action");
	add_crit(out, "brand_voice", 11, 1.0, "sounds like the brand: its voice, no banned or off-tone words");
	add_crit(out, "channel_fit", 11, 1.0, "the right length, form and register for the channel");
	add_crit(out, "compliance", 10, 1.0, "no absolute or superlative claims, no health claims, no "
	         "discriminatory wording; every claim is checkable");
}

void judge_rubric_free(struct judge_rubric *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].description);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

int judge_rubric_from_json(const cJSON *j, struct judge_rubric *out, struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	const cJSON *it;
	if (cJSON_IsArray(j)) {
		cJSON_ArrayForEach(it, j) {
			const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
			const cJSON *w = cJSON_GetObjectItemCaseSensitive(it, "weight");
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "description");
			if (!cJSON_IsString(n) || !*n->valuestring) {
				judge_rubric_free(out);
				return cl_err_set(err, CL_EINVAL, "rubric: each criterion needs a \"name\"");
			}
			double wt = cJSON_IsNumber(w) ? w->valuedouble : 1.0;
			if (!(wt >= 0) || !isfinite(wt)) {
				judge_rubric_free(out);
				return cl_err_set(err, CL_EINVAL, "rubric: '%s' wants a weight >= 0", n->valuestring);
			}
			add_crit(out, n->valuestring, strlen(n->valuestring), wt,
			         cJSON_IsString(d) ? d->valuestring : NULL);
		}
	} else if (cJSON_IsObject(j)) {
		cJSON_ArrayForEach(it, j) {
			if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0)) {
				judge_rubric_free(out);
				return cl_err_set(err, CL_EINVAL, "rubric: '%s' wants a weight >= 0", it->string);
			}
			add_crit(out, it->string, strlen(it->string), it->valuedouble, NULL);
		}
	} else
		return cl_err_set(err, CL_EINVAL, "rubric: want an array of criteria or {\"name\": weight}");
	if (!out->n)
		return cl_err_set(err, CL_EINVAL, "rubric: no criteria");
	return 0;
}

int judge_rubric_from_text(const char *text, struct judge_rubric *out, struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *end = p + strcspn(p, ",");
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *ne = eq ? eq : end;
		while (ne > p && ne[-1] == ' ')
			ne--;
		double w = 1.0;
		if (eq) {
			char *e;
			w = strtod(eq + 1, &e);
			while (*e == ' ')
				e++;
			if (e == eq + 1 || e != end || !(w >= 0)) {
				judge_rubric_free(out);
				return cl_err_set(err, CL_EINVAL, "rubric: bad weight in '%.*s'", (int)(end - p), p);
			}
		}
		if (ne == p) {
			judge_rubric_free(out);
			return cl_err_set(err, CL_EINVAL, "rubric: a criterion without a name");
		}
		add_crit(out, p, (size_t)(ne - p), w, NULL);
		p = end;
	}
	if (!out->n)
		return cl_err_set(err, CL_EINVAL, "rubric: no criteria");
	return 0;
}

int judge_is_offline(const struct provider *p)
{
	return !p || (p->type && p->type->local && strcmp(p->type->name, "offline") == 0);
}

static void context_text(struct sbuf *sb, const struct judge_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->channel && *ctx->channel)
		sbuf_addf(sb, "Channel: %s\n", ctx->channel);
	if (ctx->lang && *ctx->lang)
		sbuf_addf(sb, "Language: %s\n", strcmp(ctx->lang, "zh") == 0 ? "Simplified Chinese" : "English");
	if (ctx->brand_voice && *ctx->brand_voice)
		sbuf_addf(sb, "Brand voice: %s\n", ctx->brand_voice);
	if (ctx->brief && *ctx->brief)
		sbuf_addf(sb, "Brief: %s\n", ctx->brief);
}

static void rubric_text(struct sbuf *sb, const struct judge_rubric *r)
{
	sbuf_adds(sb, "Rubric (criterion: what it means):\n");
	for (size_t i = 0; i < r->n; i++)
		sbuf_addf(sb, "- %s: %s\n", r->v[i].name,
		          r->v[i].description ? r->v[i].description : r->v[i].name);
}

/* One completion; *reply is the parsed JSON object (caller frees). */
static int ask(struct provider *p, const char *system, const char *user, cJSON **reply,
               char **raw, struct cl_err *err)
{
	struct provider_req req;
	provider_req_init(&req);
	req.system = system;
	req.user = user;
	req.temperature = 0;
	req.json = 1;
	req.max_tokens = 400;
	struct provider_result res = {0};
	*reply = NULL;
	*raw = NULL;
	if (provider_complete_sync(p, &req, &res, err))
		return -1;
	if (res.error) {
		cl_err_set(err, CL_EIO, "judge (%s): %s", p->name, res.error);
		provider_result_clear(&res);
		return -1;
	}
	*raw = xstrdup(res.text ? res.text : "");
	provider_result_clear(&res);
	size_t off, len;
	if (jsonout_find_object(*raw, &off, &len) == 0)
		*reply = cJSON_ParseWithLength(*raw + off, len);
	if (!cJSON_IsObject(*reply)) {
		cJSON_Delete(*reply);
		*reply = NULL;
		return cl_err_set(err, CL_EINVAL, "judge (%s): the reply holds no JSON object", p->name);
	}
	return 0;
}

static int fallback_value(struct scoreset *fb, const struct judge_ctx *ctx, const char *text,
                          double *value, struct cl_err *err)
{
	if (!fb)
		return cl_err_set(err, CL_EINVAL, "judge: offline provider and no heuristic scorers to fall back on");
	struct score_input in = { .text = text, .channel = ctx ? ctx->channel : NULL,
	                          .lang = ctx ? ctx->lang : NULL };
	struct score_result r;
	if (score_text(fb, &in, &r, err))
		return -1;
	/* the judge's own entry must not count itself */
	*value = r.composite;
	score_result_free(&r);
	return 0;
}

static const char *const FALLBACK_NOTE =
	"offline provider: no language model to judge with, so the judge fell back to the heuristic "
	"scorers' composite (not an independent opinion)";

int judge_grade(struct provider *p, const struct judge_rubric *rubric, const struct judge_ctx *ctx,
                const char *text, struct scoreset *fallback, double *value, cJSON **detail,
                struct cl_err *err)
{
	*detail = NULL;
	if (judge_is_offline(p)) {
		if (fallback_value(fallback, ctx, text, value, err))
			return -1;
		cJSON *d = cJSON_CreateObject();
		cJSON_AddBoolToObject(d, "fallback", 1);
		cJSON_AddStringToObject(d, "note", FALLBACK_NOTE);
		cJSON_AddNumberToObject(d, "composite", *value);
		*detail = d;
		return 0;
	}
	struct sbuf u = SBUF_INIT;
	context_text(&u, ctx);
	rubric_text(&u, rubric);
	sbuf_adds(&u, "\nCopy to grade:\n<<<\n");
	sbuf_adds(&u, text);
	sbuf_adds(&u, "\n>>>\n\nGive each criterion an integer from 1 (poor) to 10 (excellent). Reply with "
	          "only a JSON object: {\"scores\": {");
	for (size_t i = 0; i < rubric->n; i++)
		sbuf_addf(&u, "%s\"%s\": <1-10>", i ? ", " : "", rubric->v[i].name);
	sbuf_adds(&u, "}, \"rationale\": \"<at most two sentences>\"}");
	const char *sys = "You are a strict, fair reviewer of marketing copy. You grade only what is "
	                  "written, against the rubric given, and reply with JSON only.";
	cJSON *reply;
	char *raw;
	int rc = ask(p, sys, sbuf_str(&u), &reply, &raw, err);
	sbuf_free(&u);
	if (rc) {
		free(raw);
		return -1;
	}
	/* tolerate {"clarity": 8, ...} without the "scores" wrapper, and
	 * {"clarity": {"score": 8, "reason": "..."}} per criterion */
	const cJSON *scores = cJSON_GetObjectItemCaseSensitive(reply, "scores");
	if (!cJSON_IsObject(scores))
		scores = reply;
	cJSON *d = cJSON_CreateObject();
	cJSON *crit = cJSON_AddObjectToObject(d, "criteria");
	double sw = 0, s = 0;
	for (size_t i = 0; i < rubric->n && rc == 0; i++) {
		const cJSON *v = cJSON_GetObjectItem(scores, rubric->v[i].name);
		if (cJSON_IsObject(v))
			v = cJSON_GetObjectItem(v, "score");
		double x = cJSON_IsNumber(v) ? v->valuedouble
		         : cJSON_IsString(v) ? strtod(v->valuestring, NULL) : NAN;
		if (!(x >= 1 && x <= 10)) {
			rc = cl_err_set(err, CL_EINVAL, "judge (%s): the reply has no 1-10 score for '%s'",
			                p->name, rubric->v[i].name);
			break;
		}
		cJSON_AddNumberToObject(crit, rubric->v[i].name, x);
		s += rubric->v[i].weight * (x - 1) / 9.0;
		sw += rubric->v[i].weight;
	}
	if (rc == 0) {
		*value = sw > 0 ? s / sw : 0;
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(reply, "rationale");
		cJSON_AddStringToObject(d, "rationale", cJSON_IsString(why) ? why->valuestring : "");
		cJSON_AddStringToObject(d, "provider", p->name);
		if (p->model)
			cJSON_AddStringToObject(d, "model", p->model);
		cJSON *w = cJSON_AddObjectToObject(d, "weights");
		for (size_t i = 0; i < rubric->n; i++)
			cJSON_AddNumberToObject(w, rubric->v[i].name, rubric->v[i].weight);
		cJSON_AddStringToObject(d, "rule", "weighted mean of (score-1)/9 over the rubric");
		*detail = d;
	} else {
		cJSON_AddStringToObject(d, "raw", raw);
		cJSON_Delete(d);
	}
	cJSON_Delete(reply);
	free(raw);
	return rc;
}

/* One ordered comparison: returns 1 if the first shown wins, 0 if the
 * second, 0.5 for a tie; -1 on error. */
static double compare_once(struct provider *p, const struct judge_rubric *rubric,
                           const struct judge_ctx *ctx, const char *first, const char *second,
                           cJSON *out, struct cl_err *err)
{
	struct sbuf u = SBUF_INIT;
	context_text(&u, ctx);
	rubric_text(&u, rubric);
	sbuf_adds(&u, "\nCopy A:\n<<<\n");
	sbuf_adds(&u, first);
	sbuf_adds(&u, "\n>>>\n\nCopy B:\n<<<\n");
	sbuf_adds(&u, second);
	sbuf_adds(&u, "\n>>>\n\nWhich copy is better on the rubric as a whole? Reply with only a JSON "
	          "object: {\"winner\": \"A\" or \"B\" or \"tie\", \"rationale\": \"<at most two sentences>\"}");
	cJSON *reply;
	char *raw;
	int rc = ask(p, "You are a strict, fair reviewer of marketing copy. Judge only what is written; "
	             "the order in which the copies appear means nothing. Reply with JSON only.",
	             sbuf_str(&u), &reply, &raw, err);
	sbuf_free(&u);
	free(raw);
	if (rc)
		return -1;
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(reply, "winner");
	const cJSON *why = cJSON_GetObjectItemCaseSensitive(reply, "rationale");
	double v = -1;
	if (cJSON_IsString(w)) {
		if (strcasecmp(w->valuestring, "A") == 0)
			v = 1;
		else if (strcasecmp(w->valuestring, "B") == 0)
			v = 0;
		else if (strcasecmp(w->valuestring, "tie") == 0)
			v = 0.5;
	}
	if (v < 0)
		cl_err_set(err, CL_EINVAL, "judge (%s): the reply names no winner (A, B or tie)", p->name);
	else {
		cJSON_AddStringToObject(out, "winner", w->valuestring);
		cJSON_AddStringToObject(out, "rationale", cJSON_IsString(why) ? why->valuestring : "");
	}
	cJSON_Delete(reply);
	return v;
}

int judge_pairwise(struct provider *p, const struct judge_rubric *rubric,
                   const struct judge_ctx *ctx, const char *a, const char *b,
                   struct scoreset *fallback, struct judge_pair *out, struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	cJSON *d = cJSON_CreateObject();
	if (judge_is_offline(p)) {
		double va, vb;
		if (fallback_value(fallback, ctx, a, &va, err) || fallback_value(fallback, ctx, b, &vb, err)) {
			cJSON_Delete(d);
			return -1;
		}
		out->score_a = va > vb ? 1 : va < vb ? 0 : 0.5;
		out->consistent = 1;
		out->fallback = 1;
		cJSON_AddBoolToObject(d, "fallback", 1);
		cJSON_AddStringToObject(d, "note", FALLBACK_NOTE);
		cJSON_AddNumberToObject(d, "composite_a", va);
		cJSON_AddNumberToObject(d, "composite_b", vb);
		cJSON_AddNumberToObject(d, "score_a", out->score_a);
		out->detail = d;
		return 0;
	}
	cJSON *o1 = cJSON_AddObjectToObject(d, "a_first");
	cJSON *o2 = cJSON_AddObjectToObject(d, "b_first");
	double v1 = compare_once(p, rubric, ctx, a, b, o1, err);
	double v2 = v1 < 0 ? -1 : compare_once(p, rubric, ctx, b, a, o2, err);
	if (v1 < 0 || v2 < 0) {
		cJSON_Delete(d);
		return -1;
	}
	/* v1: A (=a) wins -> 1; v2: A (=b) wins -> 1, so a's score there is 1 - v2 */
	double s1 = v1, s2 = 1 - v2;
	out->consistent = s1 == s2;
	out->score_a = out->consistent ? s1 : 0.5;
	cJSON_AddNumberToObject(d, "score_a", out->score_a);
	cJSON_AddBoolToObject(d, "consistent", out->consistent);
	if (!out->consistent)
		cJSON_AddStringToObject(d, "note", "the verdict changed with the order: position bias, "
		                        "counted as a tie");
	cJSON_AddStringToObject(d, "provider", p->name);
	out->detail = d;
	return 0;
}

void judge_pair_clear(struct judge_pair *jp)
{
	cJSON_Delete(jp->detail);
	memset(jp, 0, sizeof *jp);
}
