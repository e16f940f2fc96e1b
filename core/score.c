/* score.c — scorer registry, composite, ranking, brand rules, cl_scores. */
#include "core/score.h"
#include "core/scorers.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct scoreset {
	const struct scorer_type **types;
	double *weights;
	size_t n, cap;
	struct lexicon *lex;
	const struct brand *brand;
	const struct claims_catalog *catalog;
	struct predictor *predictor;
	int want_detail;
	/* scratch, reused between calls */
	struct text_stats ts;
	struct lex_hits hits;
	struct sbuf joined;
};

static const struct scorer_type *const builtins[] = {
	&scorer_channel_fit, &scorer_readability, &scorer_sentiment, &scorer_cta,
	&scorer_urgency, &scorer_personalisation, &scorer_numbers, &scorer_question,
	&scorer_emoji, &scorer_deliverability, &scorer_brand, &scorer_compliance,
	&scorer_claims, &scorer_predicted,
};

double scorer_clamp01(double v)
{
	if (!(v > 0))
		return 0;
	return v > 1 ? 1 : v;
}

double scorer_round4(double v)
{
	return round(v * 10000.0) / 10000.0;
}

cJSON *scorer_hit_json(const struct score_ctx *ctx, uint32_t byte, uint32_t len, uint32_t ch)
{
	cJSON *o = cJSON_CreateObject();
	char *q = xstrndup(ctx->text + byte, len);
	cJSON_AddStringToObject(o, "quote", q);
	free(q);
	cJSON_AddNumberToObject(o, "pos", ch);
	cJSON_AddNumberToObject(o, "byte", byte);
	/* up to 8 characters of context either side */
	size_t a = byte, b = byte + len;
	for (int k = 0; k < 8 && a > 0; k++) {
		a--;
		while (a > 0 && ((unsigned char)ctx->text[a] & 0xC0) == 0x80)
			a--;
	}
	for (int k = 0; k < 8 && b < ctx->len; k++) {
		uint32_t cp;
		b += ts_decode(ctx->text + b, ctx->len - b, &cp);
	}
	char *c = xstrndup(ctx->text + a, b - a);
	for (char *p = c; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	cJSON_AddStringToObject(o, "context", c);
	free(c);
	return o;
}

int scoreset_register(struct scoreset *set, const struct scorer_type *t, struct cl_err *err)
{
	if (!t || !t->name || !t->score)
		return cl_err_set(err, CL_EINVAL, "scorer without a name or a score function");
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->types[i]->name, t->name) == 0)
			return cl_err_set(err, CL_EINVAL, "scorer '%s' is already registered", t->name);
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->types = xreallocarray(set->types, set->cap, sizeof *set->types);
		set->weights = xreallocarray(set->weights, set->cap, sizeof *set->weights);
	}
	set->types[set->n] = t;
	set->weights[set->n] = t->weight;
	set->n++;
	return 0;
}

int scoreset_new(const char *lexdir, struct scoreset **out, struct cl_err *err)
{
	struct lexicon *lx;
	if (lex_load(lexdir, &lx, err))
		return -1;
	struct scoreset *set = xcalloc(1, sizeof *set);
	set->lex = lx;
	set->want_detail = 1;
	ts_init(&set->ts);
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (scoreset_register(set, builtins[i], err)) {
			scoreset_free(set);
			return -1;
		}
	*out = set;
	return 0;
}

void scoreset_free(struct scoreset *set)
{
	if (!set)
		return;
	free(set->types);
	free(set->weights);
	lex_free(set->lex);
	ts_free(&set->ts);
	lex_hits_free(&set->hits);
	sbuf_free(&set->joined);
	free(set);
}

const struct scorer_type *const *scoreset_scorers(const struct scoreset *set, size_t *n)
{
	*n = set->n;
	return set->types;
}

const struct lexicon *scoreset_lexicon(const struct scoreset *set) { return set->lex; }
void scoreset_set_brand(struct scoreset *set, const struct brand *b) { set->brand = b; }
void scoreset_set_catalog(struct scoreset *set, const struct claims_catalog *c) { set->catalog = c; }
void scoreset_set_predictor(struct scoreset *set, struct predictor *p) { set->predictor = p; }
void scoreset_want_detail(struct scoreset *set, int on) { set->want_detail = on; }

static int find_scorer(const struct scoreset *set, const char *name, size_t n)
{
	for (size_t i = 0; i < set->n; i++)
		if (strlen(set->types[i]->name) == n && strncmp(set->types[i]->name, name, n) == 0)
			return (int)i;
	return -1;
}

double scoreset_weight(const struct scoreset *set, const char *name)
{
	int i = find_scorer(set, name, strlen(name));
	if (i >= 0)
		return set->weights[i];
	return strcmp(name, "judge") == 0 ? 3.0 : -1;
}

int scoreset_set_weights(struct scoreset *set, const cJSON *obj, struct cl_err *err)
{
	if (!cJSON_IsObject(obj))
		return cl_err_set(err, CL_EINVAL, "weights: want an object {\"scorer\": weight}");
	const cJSON *it;
	cJSON_ArrayForEach(it, obj) {
		if (strcmp(it->string, "judge") == 0)
			continue;
		int i = find_scorer(set, it->string, strlen(it->string));
		if (i < 0)
			return cl_err_set(err, CL_EINVAL, "weights: unknown scorer '%s'", it->string);
		if (!cJSON_IsNumber(it) || it->valuedouble < 0 || !isfinite(it->valuedouble))
			return cl_err_set(err, CL_EINVAL, "weights: '%s' wants a number >= 0", it->string);
		set->weights[i] = it->valuedouble;
	}
	return 0;
}

int scoreset_set_weights_text(struct scoreset *set, const char *text, struct cl_err *err)
{
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *eq = strchr(p, '=');
		const char *end = p + strcspn(p, ",");
		if (!eq || eq > end)
			return cl_err_set(err, CL_EINVAL, "weights: want name=number, got '%.*s'",
			                  (int)(end - p), p);
		const char *ne = eq;
		while (ne > p && ne[-1] == ' ')
			ne--;
		char *e;
		double w = strtod(eq + 1, &e);
		while (*e == ' ')
			e++;
		if (e == eq + 1 || e != end || w < 0 || !isfinite(w))
			return cl_err_set(err, CL_EINVAL, "weights: bad number in '%.*s'", (int)(end - p), p);
		if (!((size_t)(ne - p) == 5 && strncmp(p, "judge", 5) == 0)) {
			int i = find_scorer(set, p, (size_t)(ne - p));
			if (i < 0)
				return cl_err_set(err, CL_EINVAL, "weights: unknown scorer '%.*s'", (int)(ne - p), p);
			set->weights[i] = w;
		}
		p = end;
	}
	return 0;
}

const char *score_channel_name(const char *s)
{
	static const char *const map[][2] = {
		{ "email", "email" }, { "mail", "email" }, { "edm", "email" },
		{ "sms", "sms" }, { "text", "sms" },
		{ "push", "push" }, { "notification", "push" }, { "app-push", "push" },
		{ "social", "social" }, { "weibo", "social" }, { "twitter", "social" }, { "x", "social" },
		{ "wechat", "social" }, { "search-ad", "search-ad" }, { "search_ad", "search-ad" },
		{ "searchad", "search-ad" }, { "search", "search-ad" }, { "sem", "search-ad" },
		{ "ads", "search-ad" }, { "landing", "landing" }, { "landing-page", "landing" },
		{ "web", "landing" },
	};
	if (!s || !*s)
		return "";
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(s, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static void recompute(struct score_result *r)
{
	double sw = 0, s = 0;
	for (size_t i = 0; i < r->n; i++) {
		sw += r->items[i].weight;
		s += r->items[i].weight * r->items[i].value;
	}
	r->composite = sw > 0 ? scorer_round4(s / sw) : 0;
}

static void push_item(struct score_result *r, const char *name, double v, double w, cJSON *d)
{
	r->items = xreallocarray(r->items, r->n + 1, sizeof *r->items);
	r->items[r->n++] = (struct score_item){ name, v, w, d };
}

int score_text(struct scoreset *set, const struct score_input *in, struct score_result *out,
               struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	const char *text = in->text;
	size_t len;
	if (!text) {
		sbuf_reset(&set->joined);
		const cJSON *f;
		cJSON_ArrayForEach(f, in->fields) {
			if (!cJSON_IsString(f) || !*f->valuestring)
				continue;
			if (set->joined.len)
				sbuf_addc(&set->joined, '\n');
			sbuf_adds(&set->joined, f->valuestring);
		}
		text = sbuf_str(&set->joined);
	}
	len = strlen(text);
	const char *ch = score_channel_name(in->channel);
	if (!ch)
		return cl_err_set(err, CL_EINVAL,
		                  "unknown channel '%s' (email, sms, push, social, search-ad, landing)",
		                  in->channel);
	ts_analyze(&set->ts, text, len);
	lex_scan(set->lex, &set->ts, text, &set->hits);
	const char *lang = set->ts.lang;
	/* en / zh (zh-CN, en-US...) as given; any other language: detected from the text */
	if (in->lang && strncasecmp(in->lang, "zh", 2) == 0)
		lang = "zh";
	else if (in->lang && strncasecmp(in->lang, "en", 2) == 0)
		lang = "en";
	struct score_ctx ctx = {
		.in = in, .text = text, .len = len, .ts = &set->ts, .hits = &set->hits,
		.lex = set->lex, .lang = lang, .channel = ch, .brand = set->brand,
		.catalog = set->catalog, .predictor = set->predictor,
		.want_detail = set->want_detail,
	};
	memcpy(out->lang, lang, 3);
	snprintf(out->channel, sizeof out->channel, "%s", ch);
	out->items = xcalloc(set->n, sizeof *out->items);
	for (size_t i = 0; i < set->n; i++) {
		double v = 0;
		cJSON *d = NULL;
		int rc = set->types[i]->score(set->types[i], &ctx, &v, &d, err);
		if (rc < 0) {
			cJSON_Delete(d);
			cl_err_prefix(err, "scorer %s", set->types[i]->name);
			score_result_free(out);
			return -1;
		}
		if (rc == 0) {
			cJSON_Delete(d);
			continue;
		}
		out->items[out->n++] = (struct score_item){ set->types[i]->name,
			scorer_round4(scorer_clamp01(v)), rc == 2 ? 0 : set->weights[i], d };
	}
	recompute(out);
	return 0;
}

void score_result_free(struct score_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		cJSON_Delete(r->items[i].detail);
	for (size_t i = 0; i < r->nnames; i++)
		free(r->names[i]);
	free(r->names);
	free(r->items);
	memset(r, 0, sizeof *r);
}

const struct score_item *score_result_get(const struct score_result *r, const char *scorer)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i].scorer, scorer) == 0)
			return &r->items[i];
	return NULL;
}

/* Names of items put from outside a scorer type (the judge) need storage that
 * outlives the call: keep a small table of known names. */
static const char *stable_name(const char *s)
{
	static const char *const known[] = { "judge", "composite", "predicted" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(s, known[i]) == 0)
			return known[i];
	return NULL;
}

void score_result_put(struct score_result *r, const struct scoreset *set, const char *scorer,
                      double value, double weight, cJSON *detail)
{
	const char *name = stable_name(scorer);
	if (!name && set) {
		int i = find_scorer(set, scorer, strlen(scorer));
		name = i >= 0 ? set->types[i]->name : NULL;
	}
	if (!name)
		name = "judge";
	if (set && scoreset_weight(set, name) >= 0)
		weight = scoreset_weight(set, name);
	value = scorer_round4(scorer_clamp01(value));
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->items[i].scorer, name) == 0) {
			cJSON_Delete(r->items[i].detail);
			r->items[i].value = value;
			r->items[i].weight = weight;
			r->items[i].detail = detail;
			recompute(r);
			return;
		}
	push_item(r, name, value, weight, detail);
	recompute(r);
}

cJSON *score_result_json(const struct score_result *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "composite", r->composite);
	cJSON_AddStringToObject(o, "lang", r->lang);
	cJSON_AddStringToObject(o, "channel", r->channel);
	cJSON *a = cJSON_AddArrayToObject(o, "scores");
	for (size_t i = 0; i < r->n; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "scorer", r->items[i].scorer);
		cJSON_AddNumberToObject(s, "value", r->items[i].value);
		cJSON_AddNumberToObject(s, "weight", r->items[i].weight);
		cJSON_AddItemToObject(s, "detail", r->items[i].detail
		                      ? cJSON_Duplicate(r->items[i].detail, 1) : cJSON_CreateObject());
		cJSON_AddItemToArray(a, s);
	}
	return o;
}

size_t *score_rank(const struct score_result *results, size_t n)
{
	size_t *order = xcalloc(n ? n : 1, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* insertion sort keeps this reentrant without a global comparator state */
	for (size_t i = 1; i < n; i++) {
		size_t k = order[i], j = i;
		while (j > 0 && results[order[j - 1]].composite < results[k].composite) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = k;
	}
	return order;
}

/* ---- brand ---- */

static char **str_list(const cJSON *a, size_t *n)
{
	*n = 0;
	if (!cJSON_IsArray(a))
		return NULL;
	char **v = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *v);
	const cJSON *it;
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it) || !*it->valuestring)
			continue;
		char *s = xstrdup(it->valuestring);
		for (char *p = s; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p | 0x20);
		v[(*n)++] = s;
	}
	return v;
}

int brand_from_json(const cJSON *obj, struct brand **out, struct cl_err *err)
{
	if (!cJSON_IsObject(obj))
		return cl_err_set(err, CL_EINVAL, "brand: want a JSON object");
	struct brand *b = xcalloc(1, sizeof *b);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "name");
	if (cJSON_IsString(name))
		b->name = xstrdup(name->valuestring);
	b->required = str_list(cJSON_GetObjectItemCaseSensitive(obj, "required_terms"), &b->nrequired);
	b->required_en = str_list(cJSON_GetObjectItemCaseSensitive(obj, "required_terms_en"),
	                          &b->nrequired_en);
	b->required_zh = str_list(cJSON_GetObjectItemCaseSensitive(obj, "required_terms_zh"),
	                          &b->nrequired_zh);
	b->banned = str_list(cJSON_GetObjectItemCaseSensitive(obj, "banned_terms"), &b->nbanned);
	b->tone = str_list(cJSON_GetObjectItemCaseSensitive(obj, "tone_words"), &b->ntone);
	*out = b;
	return 0;
}

int brand_load_file(const char *path, struct brand **out, struct cl_err *err)
{
	char *text;
	size_t len;
	if (cl_read_file(path, &text, &len, err))
		return -1;
	cJSON *j = cJSON_ParseWithLength(text, len);
	free(text);
	if (!j)
		return cl_err_set(err, CL_EINVAL, "%s: not valid JSON", path);
	int rc = brand_from_json(j, out, err);
	cJSON_Delete(j);
	if (rc)
		cl_err_prefix(err, "%s", path);
	return rc;
}

int brand_load_ws(struct workspace *ws, struct brand **out, struct cl_err *err)
{
	*out = NULL;
	char *v = ws_meta_get(ws, "brand");
	if (!v)
		return 0;
	cJSON *j = cJSON_Parse(v);
	free(v);
	if (!j)
		return cl_err_set(err, CL_EINVAL, "workspace brand (cl_meta 'brand') is not valid JSON");
	int rc = brand_from_json(j, out, err);
	cJSON_Delete(j);
	return rc;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void brand_free(struct brand *b)
{
	if (!b)
		return;
	free(b->name);
	free_list(b->required, b->nrequired);
	free_list(b->required_en, b->nrequired_en);
	free_list(b->required_zh, b->nrequired_zh);
	free_list(b->banned, b->nbanned);
	free_list(b->tone, b->ntone);
	free(b);
}

/* ---- cl_scores ---- */

static int put_row(sqlite3_stmt *st, long long vid, const char *scorer, double value,
                   const cJSON *detail, const char *now)
{
	char *d = detail ? cJSON_PrintUnformatted(detail) : NULL;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, vid);
	sqlite3_bind_text(st, 2, scorer, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, value);
	if (d)
		sqlite3_bind_text(st, 4, d, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	free(d);
	return rc == SQLITE_DONE ? 0 : -1;
}

int score_store(struct workspace *ws, long long variant_id, const struct score_result *r,
                struct cl_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws, "INSERT OR REPLACE INTO cl_scores(variant_id, scorer, value, detail, created_at)"
	               " VALUES(?,?,?,?,?)", &st, err))
		return -1;
	char *now = ws_now_iso();
	int rc = 0;
	for (size_t i = 0; i < r->n && rc == 0; i++)
		rc = put_row(st, variant_id, r->items[i].scorer, r->items[i].value, r->items[i].detail, now);
	if (rc == 0) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "lang", r->lang);
		cJSON_AddStringToObject(d, "channel", r->channel);
		cJSON *w = cJSON_AddObjectToObject(d, "weights");
		for (size_t i = 0; i < r->n; i++)
			cJSON_AddNumberToObject(w, r->items[i].scorer, r->items[i].weight);
		rc = put_row(st, variant_id, "composite", r->composite, d, now);
		cJSON_Delete(d);
	}
	if (rc)
		ws_dberr(ws, err, "storing scores");
	sqlite3_finalize(st);
	free(now);
	return rc;
}

/* Stored names must outlive the result: map them to the built-ins or to the
 * few names score_result_put knows; other names (plugins) are copied into
 * the result's own name list. */
static const char *known_name(const char *s)
{
	const char *k = stable_name(s);
	if (k)
		return k;
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i]->name, s) == 0)
			return builtins[i]->name;
	return NULL;
}

int score_load(struct workspace *ws, long long variant_id, struct score_result *out,
               struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	if (ws_prepare(ws, "SELECT scorer, value, detail FROM cl_scores WHERE variant_id = ?"
	               " ORDER BY rowid", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, variant_id);
	int rc;
	cJSON *wts = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		double v = sqlite3_column_double(st, 1);
		const char *d = (const char *)sqlite3_column_text(st, 2);
		cJSON *detail = d ? cJSON_Parse(d) : NULL;
		if (strcmp(name, "composite") == 0) {
			out->composite = v;
			const cJSON *l = cJSON_GetObjectItemCaseSensitive(detail, "lang");
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(detail, "channel");
			if (cJSON_IsString(l))
				snprintf(out->lang, sizeof out->lang, "%s", l->valuestring);
			if (cJSON_IsString(c))
				snprintf(out->channel, sizeof out->channel, "%s", c->valuestring);
			cJSON_Delete(wts);
			wts = cJSON_DetachItemFromObjectCaseSensitive(detail, "weights");
			cJSON_Delete(detail);
			continue;
		}
		const char *k = known_name(name);
		if (!k) {
			/* a plugin scorer: the result keeps its own copy of the name */
			out->names = xreallocarray(out->names, out->nnames + 1, sizeof *out->names);
			out->names[out->nnames++] = xstrdup(name);
			k = out->names[out->nnames - 1];
		}
		push_item(out, k, v, 1.0, detail);
	}
	int ok = rc == SQLITE_DONE;
	if (!ok)
		ws_dberr(ws, err, "reading scores");
	for (size_t i = 0; i < out->n; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(wts, out->items[i].scorer);
		if (cJSON_IsNumber(x))
			out->items[i].weight = x->valuedouble;
	}
	cJSON_Delete(wts);
	sqlite3_finalize(st);
	if (!ok) {
		score_result_free(out);
		return -1;
	}
	return 0;
}
