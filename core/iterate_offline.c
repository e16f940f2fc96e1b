/* iterate_offline.c — the next round by the offline provider's mutation
 * operators (see iterate.h). Kept apart from iterate.c so that the lineage
 * and history code links without the template and offline modules. */
#include "core/iterate.h"
#include "core/offline.h"
#include "core/template.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static char *col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? xstrdup((const char *)s) : NULL;
}

/* ---- offline rounds ---- */

struct run_info {
	long long prompt_id;
	char *prompt_text, *segment, *row_ref, *model;
};

static int read_run(struct workspace *ws, long long run_id, struct run_info *ri, struct cl_err *err)
{
	sqlite3_stmt *st;
	memset(ri, 0, sizeof *ri);
	if (ws_prepare(ws, "SELECT prompt_id, prompt_text, segment, row_ref, model FROM cl_runs WHERE id = ?",
	               &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no run %lld", run_id);
	}
	ri->prompt_id = sqlite3_column_int64(st, 0);
	ri->prompt_text = col_dup(st, 1);
	ri->segment = col_dup(st, 2);
	ri->row_ref = col_dup(st, 3);
	ri->model = col_dup(st, 4);
	sqlite3_finalize(st);
	return 0;
}

static void run_info_clear(struct run_info *ri)
{
	free(ri->prompt_text);
	free(ri->segment);
	free(ri->row_ref);
	free(ri->model);
}

static const enum offline_mutation default_cycle[] = {
	OFFLINE_MUT_SHARPEN_CTA, OFFLINE_MUT_ADD_URGENCY, OFFLINE_MUT_SHORTEN,
	OFFLINE_MUT_ADD_PROOF, OFFLINE_MUT_PERSONALISE, OFFLINE_MUT_CHANGE_TONE,
};

/* The operators to cycle through: from a comma list, or the default cycle. */
static size_t parse_mutations(const char *list, enum offline_mutation *out, size_t max,
                              struct cl_err *err)
{
	size_t n = 0;
	if (!list || !*list) {
		for (; n < sizeof default_cycle / sizeof default_cycle[0] && n < max; n++)
			out[n] = default_cycle[n];
		return n;
	}
	char *copy = xstrdup(list), *save = NULL;
	for (char *tok = strtok_r(copy, ", ", &save); tok && n < max; tok = strtok_r(NULL, ", ", &save)) {
		enum offline_mutation m = offline_mutation_parse(tok);
		if (m == OFFLINE_MUT_NONE) {
			cl_err_set(err, CL_EINVAL, "unknown mutation '%s' (shorten, sharpen_cta, add_urgency, "
			           "add_proof, change_tone, personalise)", tok);
			free(copy);
			return 0;
		}
		out[n++] = m;
	}
	free(copy);
	if (n == 0)
		cl_err_set(err, CL_EINVAL, "no mutation named");
	return n;
}

int iterate_offline_round(struct workspace *ws, const struct iter_winners *w,
                          const struct iter_offline_opts *opts, long long *new_run,
                          struct cl_err *err)
{
	struct iter_offline_opts defaults = {0};
	struct run_info ri;
	struct template *t = NULL;
	cJSON *bind = NULL, *params = NULL;
	struct offline_phrasebook *pb = NULL;
	enum offline_mutation muts[16];
	size_t nmut, per;
	sqlite3_stmt *st = NULL;
	long long run = 0;
	char *now = NULL, *ptext = NULL;
	int rc = -1;

	if (!opts)
		opts = &defaults;
	if (!w || w->n == 0)
		return cl_err_set(err, CL_EINVAL, "no winners to iterate on");
	if (!(nmut = parse_mutations(opts->mutations, muts, 16, err)))
		return -1;
	per = opts->per_winner ? opts->per_winner : 2;
	if (read_run(ws, w->run_id, &ri, err))
		return -1;
	if (ri.prompt_id && template_load_id(ws, ri.prompt_id, &t, err))
		goto out;
	{
		struct tpl_bind_opts bo = { .row = ri.row_ref, .segment = ri.segment };
		if (template_bind(ws, &bo, &bind, err))
			goto out;
	}
	if (offline_phrasebook_load(NULL, &pb, err))
		goto out;

	params = cJSON_CreateObject();
	cJSON_AddStringToObject(params, "iterate", "offline mutations");
	cJSON *ma = cJSON_AddArrayToObject(params, "mutations");
	for (size_t i = 0; i < nmut; i++)
		cJSON_AddItemToArray(ma, cJSON_CreateString(offline_mutation_name(muts[i])));
	cJSON_AddNumberToObject(params, "seed", (double)opts->seed);
	cJSON_AddNumberToObject(params, "per_winner", (double)per);
	char *ptxt = cJSON_PrintUnformatted(params);
	ptext = iterate_prompt_section(w, opts->feedback, t ? t->language : NULL);
	now = ws_now_iso();

	if (ws_prepare(ws,
	        "INSERT INTO cl_runs(prompt_id, prompt_text, provider, model, params, segment, row_ref,"
	        " round, parent_run, feedback, status, n_requested, pid, created_at)"
	        " VALUES(?1, ?2, 'offline', 'offline', ?3, ?4, ?5, ?6, ?7, ?8, 'running', ?9, NULL, ?10)",
	        &st, err)) {
		free(ptxt);
		goto out;
	}
	if (ri.prompt_id)
		sqlite3_bind_int64(st, 1, ri.prompt_id);
	sqlite3_bind_text(st, 2, ptext, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, ptxt, -1, SQLITE_TRANSIENT);
	free(ptxt);
	if (ri.segment) sqlite3_bind_text(st, 4, ri.segment, -1, SQLITE_TRANSIENT);
	if (ri.row_ref) sqlite3_bind_text(st, 5, ri.row_ref, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 6, w->round + 1);
	sqlite3_bind_int64(st, 7, w->run_id);
	if (opts->feedback && *opts->feedback)
		sqlite3_bind_text(st, 8, opts->feedback, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)(w->n * per));
	sqlite3_bind_text(st, 10, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ws_dberr(ws, err, "creating the next round");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	run = sqlite3_last_insert_rowid(ws->db);

	int idx = 0;
	for (size_t i = 0; i < w->n; i++)
		for (size_t j = 0; j < per; j++, idx++) {
			const struct iter_winner *p = &w->v[i];
			struct offline_req req = {
				.language = t ? t->language : NULL,
				.channel = t ? t->channel : NULL,
				.tone = t ? t->tone : NULL,
				.fields = t ? (const char *const *)t->fields : NULL,
				.nfields = t ? t->nfields : 0,
				.bind = bind,
				.prompt = ptext,
				.seed = opts->seed + (unsigned long long)p->variant_id * 7919u + j,
				.variant = idx,
				.mutation = muts[(i * per + j) % nmut],
				.parent_json = p->fields,
				.feedback = opts->feedback,
				.pb = pb,
			};
			char *out_json = NULL;
			double t0 = cl_now_ms();
			if (offline_compose(&req, &out_json, err)) {
				cl_err_prefix(err, "mutating variant %lld", p->variant_id);
				goto out;
			}
			double ms = cl_now_ms() - t0;
			if (ws_begin(ws, err)) {
				free(out_json);
				goto out;
			}
			if (ws_prepare(ws,
			        "INSERT INTO cl_variants(run_id, idx, round, parent_id, segment, fields, text, raw,"
			        " parse_ok, tokens_in, tokens_out, latency_ms, cost, created_at)"
			        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6, 1, ?7, ?8, ?9, 0, ?10)", &st, err)) {
				free(out_json);
				ws_rollback(ws);
				goto out;
			}
			sqlite3_bind_int64(st, 1, run);
			sqlite3_bind_int(st, 2, idx);
			sqlite3_bind_int(st, 3, w->round + 1);
			sqlite3_bind_int64(st, 4, p->variant_id);
			if (ri.segment) sqlite3_bind_text(st, 5, ri.segment, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 6, out_json, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(st, 7, (sqlite3_int64)offline_token_estimate(ptext));
			sqlite3_bind_int64(st, 8, (sqlite3_int64)offline_token_estimate(out_json));
			sqlite3_bind_double(st, 9, ms);
			sqlite3_bind_text(st, 10, now, -1, SQLITE_TRANSIENT);
			int src = sqlite3_step(st);
			sqlite3_finalize(st);
			st = NULL;
			free(out_json);
			if (src != SQLITE_DONE) {
				ws_dberr(ws, err, "saving a variant");
				ws_rollback(ws);
				goto out;
			}
			if (iterate_add_parent(ws, sqlite3_last_insert_rowid(ws->db), p->variant_id, err) ||
			    ws_commit(ws, err)) {
				ws_rollback(ws);
				goto out;
			}
		}
	if (ws_prepare(ws, "UPDATE cl_runs SET status = 'done', finished_at = ?2,"
	                   " tokens_in = (SELECT coalesce(sum(tokens_in),0) FROM cl_variants WHERE run_id = ?1),"
	                   " tokens_out = (SELECT coalesce(sum(tokens_out),0) FROM cl_variants WHERE run_id = ?1)"
	                   " WHERE id = ?1", &st, err))
		goto out;
	sqlite3_bind_int64(st, 1, run);
	free(now);
	now = ws_now_iso();
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ws_dberr(ws, err, "finishing the round");
		goto out;
	}
	rc = 0;
	if (new_run)
		*new_run = run;
out:
	if (rc && run) {
		/* keep what was written, but say the round did not finish */
		sqlite3_stmt *f;
		struct cl_err e2 = {0};
		if (ws_prepare(ws, "UPDATE cl_runs SET status = 'failed' WHERE id = ?", &f, &e2) == 0) {
			sqlite3_bind_int64(f, 1, run);
			sqlite3_step(f);
			sqlite3_finalize(f);
		}
	}
	sqlite3_finalize(st);
	cJSON_Delete(params);
	cJSON_Delete(bind);
	if (t)
		template_free(t);
	if (pb)
		offline_phrasebook_free(pb);
	run_info_clear(&ri);
	free(now);
	free(ptext);
	return rc;
}

