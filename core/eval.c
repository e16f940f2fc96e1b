/* eval.c — score a run's variants; calibrate scorers against A/B results. */
#include "core/eval.h"
#include "core/rowjson.h"
#include "core/rankstat.h"
#include "core/template.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eval_load_row(struct workspace *ws, const char *row_ref, cJSON **out, struct cl_err *err)
{
	*out = NULL;
	const char *colon = strrchr(row_ref, ':');
	if (!colon || colon == row_ref || !colon[1])
		return cl_err_set(err, CL_EINVAL, "row '%s': want TABLE:ID", row_ref);
	char *table = xstrndup(row_ref, (size_t)(colon - row_ref));
	int rc = 0;
	if (!ws_table_exists(ws, table)) {
		rc = cl_err_set(err, CL_ENOTFOUND, "row '%s': no table '%s'", row_ref, table);
		free(table);
		return rc;
	}
	char *q = ws_quote_ident(table);
	char *sql = xasprintf("SELECT * FROM %s WHERE CAST(id AS TEXT) = ? LIMIT 1", q);
	sqlite3_stmt *st;
	struct cl_err e2 = {0};
	if (ws_prepare(ws, sql, &st, &e2)) {
		/* no id column: match on rowid */
		free(sql);
		sql = xasprintf("SELECT * FROM %s WHERE rowid = ? LIMIT 1", q);
		rc = ws_prepare(ws, sql, &st, err);
	}
	free(q);
	free(sql);
	free(table);
	if (rc)
		return -1;
	sqlite3_bind_text(st, 1, colon + 1, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = row_json_object(st);
	} else
		rc = cl_err_set(err, CL_ENOTFOUND, "row '%s' not found", row_ref);
	sqlite3_finalize(st);
	return rc;
}

static const char *extra_str(const struct template *t, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t->extra, key);
	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* What every variant of a run is scored with. */
struct run_ctx {
	struct template *t;
	cJSON *product;
	struct judge_rubric rubric;
	int own_rubric;
	const struct judge_rubric *rub;
	const char *channel, *lang;
	char *row_ref, *run_seg, *brief;
};

static void run_ctx_free(struct run_ctx *c)
{
	if (c->own_rubric)
		judge_rubric_free(&c->rubric);
	template_free(c->t);
	cJSON_Delete(c->product);
	free(c->row_ref);
	free(c->run_seg);
	free(c->brief);
	memset(c, 0, sizeof *c);
}

static int run_ctx_load(struct workspace *ws, struct scoreset *set, long long run_id,
                        const struct eval_opts *opts, struct run_ctx *c, struct cl_err *err)
{
	memset(c, 0, sizeof *c);
	sqlite3_stmt *st;
	if (ws_prepare(ws, "SELECT prompt_id, row_ref, segment, prompt_text FROM cl_runs WHERE id = ?",
	               &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no run %lld (see copylab runs)", run_id);
	}
	long long prompt_id = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
	if (sqlite3_column_text(st, 1))
		c->row_ref = xstrdup((const char *)sqlite3_column_text(st, 1));
	if (sqlite3_column_text(st, 2))
		c->run_seg = xstrdup((const char *)sqlite3_column_text(st, 2));
	if (sqlite3_column_text(st, 3)) {
		/* the prompt, cut to 600 bytes on a character boundary, tells the judge what it was for */
		const char *pt = (const char *)sqlite3_column_text(st, 3);
		size_t l = strnlen(pt, 600);
		while (l > 0 && l < strlen(pt) && ((unsigned char)pt[l] & 0xC0) == 0x80)
			l--;
		c->brief = xstrndup(pt, l);
	}
	sqlite3_finalize(st);
	if (prompt_id > 0) {
		struct cl_err e2 = {0};
		if (template_load_id(ws, prompt_id, &c->t, &e2))
			c->t = NULL;   /* free-text prompts have no template: score without a channel */
	}
	c->channel = c->t ? c->t->channel : NULL;
	c->lang = c->t && c->t->language && (strcmp(c->t->language, "en") == 0 ||
	                                     strcmp(c->t->language, "zh") == 0) ? c->t->language : NULL;
	if (c->t && extra_str(c->t, "weights") &&
	    scoreset_set_weights_text(set, extra_str(c->t, "weights"), err))
		return cl_err_prefix(err, "template %s", c->t->origin ? c->t->origin : c->t->name);
	if (c->row_ref && eval_load_row(ws, c->row_ref, &c->product, err))
		return -1;
	if (opts && opts->judge && !opts->rubric) {
		c->own_rubric = 1;
		if (c->t && extra_str(c->t, "rubric")) {
			if (judge_rubric_from_text(extra_str(c->t, "rubric"), &c->rubric, err))
				return cl_err_prefix(err, "template %s", c->t->origin ? c->t->origin : c->t->name);
		} else
			judge_rubric_default(&c->rubric);
	}
	c->rub = opts && opts->rubric ? opts->rubric : &c->rubric;
	return 0;
}

/* Score one variant's stored fields/text into *r and store it; *jerr gets the
 * judge's failure (caller frees) when the judge fails. */
static int score_one(struct workspace *ws, struct scoreset *set, const struct run_ctx *c,
                     const struct eval_opts *opts, long long vid, const char *seg,
                     const char *ftxt, const char *text, struct score_result *r, char **jerr,
                     int *judged, struct cl_err *err)
{
	*jerr = NULL;
	*judged = 0;
	cJSON *fields = ftxt ? cJSON_Parse(ftxt) : NULL;
	if (fields && !cJSON_IsObject(fields)) {
		cJSON_Delete(fields);
		fields = NULL;
	}
	struct score_input in = {
		.text = fields ? NULL : (text ? text : ""), .fields = fields, .channel = c->channel,
		.lang = c->lang, .segment = seg ? seg : c->run_seg, .product = c->product,
	};
	if (score_text(set, &in, r, err)) {
		cJSON_Delete(fields);
		return -1;
	}
	if (opts && opts->judge) {
		struct judge_ctx jc = { c->channel, r->lang, c->brief, NULL };
		double v;
		cJSON *d = NULL;
		struct cl_err je = {0};
		struct sbuf joined = SBUF_INIT;
		const char *jt = in.text;
		if (!jt) {
			const cJSON *f;
			cJSON_ArrayForEach(f, fields)
				if (cJSON_IsString(f))
					sbuf_addf(&joined, "%s%s: %s", joined.len ? "\n" : "", f->string, f->valuestring);
			jt = sbuf_str(&joined);
		}
		if (judge_grade(opts->provider, c->rub, &jc, jt, set, &v, &d, &je) == 0) {
			score_result_put(r, set, "judge", v, 3.0, d);
			*judged = 1;
		} else
			*jerr = xstrdup(je.msg);
		sbuf_free(&joined);
	}
	cJSON_Delete(fields);
	if (ws_begin(ws, err) || score_store(ws, vid, r, err) || ws_commit(ws, err)) {
		ws_rollback(ws);
		score_result_free(r);
		free(*jerr);
		*jerr = NULL;
		return -1;
	}
	return 0;
}

int eval_run(struct workspace *ws, struct scoreset *set, long long run_id,
             const struct eval_opts *opts, struct eval_summary *out, struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	struct run_ctx c;
	int rc = run_ctx_load(ws, set, run_id, opts, &c, err);
	snprintf(out->channel, sizeof out->channel, "%s", c.channel ? c.channel : "");
	snprintf(out->lang, sizeof out->lang, "%s", c.lang ? c.lang : "");
	snprintf(out->row_ref, sizeof out->row_ref, "%s", c.row_ref ? c.row_ref : "");
	if (opts && opts->judge)
		out->judge_fallback = judge_is_offline(opts->provider);
	sqlite3_stmt *st;
	if (rc == 0)
		rc = ws_prepare(ws, "SELECT id, idx, segment, fields, text FROM cl_variants WHERE run_id = ?"
		                " AND error IS NULL ORDER BY round, idx", &st, err);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, run_id);
		int s;
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			if (opts && opts->cancel && *opts->cancel) {
				out->cancelled = 1;
				break;
			}
			long long vid = sqlite3_column_int64(st, 0);
			int idx = sqlite3_column_int(st, 1), judged;
			struct score_result r;
			char *jerr;
			out->variants++;
			if (score_one(ws, set, &c, opts, vid, (const char *)sqlite3_column_text(st, 2),
			              (const char *)sqlite3_column_text(st, 3),
			              (const char *)sqlite3_column_text(st, 4), &r, &jerr, &judged, err)) {
				rc = -1;
				break;
			}
			out->scored++;
			out->judged += (size_t)judged;
			out->judge_errors += jerr != NULL;
			if (opts && opts->on_variant)
				opts->on_variant(opts->ud, vid, idx, &r, jerr);
			score_result_free(&r);
			free(jerr);
		}
		if (rc == 0 && s != SQLITE_ROW && s != SQLITE_DONE)
			rc = ws_dberr(ws, err, "reading variants");
		sqlite3_finalize(st);
	}
	if (rc == 0 && out->variants == 0)
		rc = cl_err_set(err, CL_ENOTFOUND, "run %lld has no variants without errors to score", run_id);
	run_ctx_free(&c);
	return rc;
}

int eval_variant(struct workspace *ws, struct scoreset *set, long long variant_id,
                 const struct eval_opts *opts, struct score_result *out, char **judge_error,
                 struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	if (judge_error)
		*judge_error = NULL;
	sqlite3_stmt *st;
	if (ws_prepare(ws, "SELECT run_id, segment, fields, text, error FROM cl_variants WHERE id = ?",
	               &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, variant_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no variant %lld", variant_id);
	}
	if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_EINVAL, "variant %lld failed to generate: nothing to score", variant_id);
	}
	long long run_id = sqlite3_column_int64(st, 0);
	struct run_ctx c;
	int rc = run_ctx_load(ws, set, run_id, opts, &c, err);
	char *jerr = NULL;
	int judged;
	if (rc == 0)
		rc = score_one(ws, set, &c, opts, variant_id, (const char *)sqlite3_column_text(st, 1),
		               (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
		               out, &jerr, &judged, err);
	sqlite3_finalize(st);
	if (judge_error)
		*judge_error = jerr;
	else
		free(jerr);
	run_ctx_free(&c);
	return rc;
}

/* ---- calibration ---- */

struct arm_obs {
	long long exp_id, variant_id;
	double n, conv;
	double rel;        /* rate relative to the experiment's pooled rate */
};

static const char *verdict_for(size_t n, double rho, double lo, double hi)
{
	if (n < 4)
		return "too few arms to tell: needs at least 4 A/B arms linked to scored variants";
	if (isnan(rho))
		return "cannot tell: the score (or the rate) is the same on every arm";
	if (lo > 0)
		return rho >= 0.5 ? "trust it: its scores track observed results well"
		                  : "some signal: higher scores tended to do better, loosely";
	if (hi < 0)
		return "runs against the results: its higher scores did worse";
	return "no clear relation yet: the interval spans zero";
}

int calibrate_run(struct workspace *ws, int include_simulated, struct calib_report *out,
                  struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	out->include_simulated = include_simulated;
	sqlite3_stmt *st;
	if (ws_prepare(ws,
	               "SELECT e.id, a.variant_id, SUM(r.n), SUM(r.conversions) FROM cl_arms a"
	               " JOIN cl_experiments e ON e.id = a.experiment_id"
	               " JOIN cl_results r ON r.arm_id = a.id"
	               " WHERE a.variant_id IS NOT NULL AND (e.simulated = 0 OR ?1)"
	               " AND EXISTS (SELECT 1 FROM cl_scores s WHERE s.variant_id = a.variant_id)"
	               " GROUP BY a.id HAVING SUM(r.n) > 0 ORDER BY e.id, a.id", &st, err))
		return -1;
	sqlite3_bind_int(st, 1, include_simulated ? 1 : 0);
	struct arm_obs *arms = NULL;
	size_t na = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		arms = xreallocarray(arms, na + 1, sizeof *arms);
		arms[na++] = (struct arm_obs){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		                               sqlite3_column_double(st, 2), sqlite3_column_double(st, 3), 0 };
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE) {
		free(arms);
		return ws_dberr(ws, err, "reading A/B results");
	}
	/* relative rates within each experiment; experiments with one linked arm are dropped */
	size_t keep = 0;
	for (size_t i = 0; i < na;) {
		size_t j = i;
		double n = 0, c = 0;
		while (j < na && arms[j].exp_id == arms[i].exp_id)
			n += arms[j].n, c += arms[j].conv, j++;
		if (j - i >= 2) {
			double pooled = c / n;
			for (size_t k = i; k < j; k++) {
				arms[k].rel = pooled > 0 ? (arms[k].conv / arms[k].n) / pooled : 0;
				arms[keep++] = arms[k];
			}
			out->experiments++;
		}
		i = j;
	}
	na = keep;
	out->arms = na;
	/* every scorer stored for those variants */
	if (ws_prepare(ws, "SELECT value FROM cl_scores WHERE variant_id = ? AND scorer = ?", &st, err)) {
		free(arms);
		return -1;
	}
	sqlite3_stmt *names;
	if (ws_prepare(ws, "SELECT DISTINCT scorer FROM cl_scores ORDER BY scorer = 'composite' DESC,"
	               " scorer = 'judge' DESC, scorer", &names, err)) {
		sqlite3_finalize(st);
		free(arms);
		return -1;
	}
	double *x = xcalloc(na ? na : 1, sizeof *x), *y = xcalloc(na ? na : 1, sizeof *y);
	while (sqlite3_step(names) == SQLITE_ROW) {
		const char *sc = (const char *)sqlite3_column_text(names, 0);
		size_t m = 0;
		for (size_t i = 0; i < na; i++) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, arms[i].variant_id);
			sqlite3_bind_text(st, 2, sc, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
				x[m] = sqlite3_column_double(st, 0);
				y[m] = arms[i].rel;
				m++;
			}
		}
		if (!m)
			continue;
		struct rank_corr rc;
		rank_spearman(x, y, m, 0.95, &rc);
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		out->v[out->n++] = (struct calib_row){ xstrdup(sc), m, rc.rho, rc.lo, rc.hi, rc.p_value,
		                                       verdict_for(m, rc.rho, rc.lo, rc.hi) };
	}
	sqlite3_finalize(names);
	sqlite3_finalize(st);
	free(x);
	free(y);
	free(arms);
	return 0;
}

static void num_or_null(cJSON *o, const char *k, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddNumberToObject(o, k, round(v * 1e6) / 1e6);
}

cJSON *calibrate_json(const struct calib_report *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "experiments", (double)r->experiments);
	cJSON_AddNumberToObject(o, "arms", (double)r->arms);
	cJSON_AddStringToObject(o, "rate", "conversions / n of each arm, relative to its experiment's pooled rate");
	cJSON_AddStringToObject(o, "method", "Spearman rank correlation, 95% interval by Fisher z with "
	                        "standard error sqrt(1.06/(n-3))");
	cJSON_AddBoolToObject(o, "simulated_included", r->include_simulated);
	cJSON *a = cJSON_AddArrayToObject(o, "scorers");
	for (size_t i = 0; i < r->n; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "scorer", r->v[i].scorer);
		cJSON_AddNumberToObject(s, "n", (double)r->v[i].n);
		num_or_null(s, "rho", r->v[i].rho);
		num_or_null(s, "ci_low", r->v[i].lo);
		num_or_null(s, "ci_high", r->v[i].hi);
		num_or_null(s, "p_value", r->v[i].p_value);
		cJSON_AddStringToObject(s, "verdict", r->v[i].verdict);
		cJSON_AddItemToArray(a, s);
	}
	return o;
}

void calibrate_report_free(struct calib_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].scorer);
	free(r->v);
	memset(r, 0, sizeof *r);
}
