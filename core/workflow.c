/* workflow.c — runs, variants, marks and channel text for the workflow panes. */
#include "core/workflow.h"
#include "core/claims.h"
#include "core/generate.h"
#include "core/iterate.h"
#include "core/paths.h"
#include "core/plugin.h"
#include "core/score.h"
#include "core/template.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fields_from_json(struct wf_variant *v)
{
	cJSON *j = cJSON_Parse(v->fields_json);
	size_t cap = 0;
	if (j && cJSON_IsObject(j)) {
		for (cJSON *c = j->child; c; c = c->next) {
			if (!c->string)
				continue;
			if (v->nfields == cap)
				v->fields = xreallocarray(v->fields, cap = cap ? cap * 2 : 4, sizeof *v->fields);
			v->fields[v->nfields].name = xstrdup(c->string);
			if (cJSON_IsString(c)) {
				v->fields[v->nfields].value = xstrdup(c->valuestring);
			} else {
				char *s = cJSON_PrintUnformatted(c);
				v->fields[v->nfields].value = xstrdup(s ? s : "");
				free(s);
			}
			v->nfields++;
		}
	}
	cJSON_Delete(j);
}

/* The channel named in a stored prompt's front matter, or NULL. */
static char *prompt_channel(struct workspace *ws, long long prompt_id)
{
	struct template *t = NULL;
	struct cl_err err = {0};
	char *ch = NULL;
	if (prompt_id && template_load_id(ws, prompt_id, &t, &err) == 0 && t) {
		if (t->channel)
			ch = xstrdup(t->channel);
		template_free(t);
	}
	return ch;
}

int wf_run_load(struct workspace *ws, long long run_id, struct wf_run **out, struct cl_err *err)
{
	sqlite3_stmt *st;
	struct wf_run *r;
	size_t cap = 0;
	int rc;
	*out = NULL;
	if (ws_prepare(ws,
	        "SELECT r.id, coalesce(r.parent_run,0), coalesce(r.prompt_id,0), r.round, coalesce(p.version,0),"
	        " coalesce(r.n_requested,0), p.name, r.provider, r.model, r.segment, r.row_ref, r.status,"
	        " r.feedback, r.created_at, coalesce(r.cost,0), coalesce(r.tokens_in,0), coalesce(r.tokens_out,0)"
	        " FROM cl_runs r LEFT JOIN cl_prompts p ON p.id = r.prompt_id WHERE r.id = ?", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no run %lld", run_id);
	}
	r = xcalloc(1, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->parent_run = sqlite3_column_int64(st, 1);
	r->prompt_id = sqlite3_column_int64(st, 2);
	r->round = sqlite3_column_int(st, 3);
	r->prompt_version = sqlite3_column_int(st, 4);
	r->n_requested = sqlite3_column_int(st, 5);
	r->prompt_name = ws_col_dup(st, 6);
	r->provider = ws_col_dup(st, 7);
	r->model = ws_col_dup(st, 8);
	r->segment = ws_col_dup(st, 9);
	r->row_ref = ws_col_dup(st, 10);
	r->status = ws_col_dup(st, 11);
	r->feedback = ws_col_dup(st, 12);
	r->created_at = ws_col_dup(st, 13);
	r->cost = sqlite3_column_double(st, 14);
	r->tokens_in = (long)sqlite3_column_int64(st, 15);
	r->tokens_out = (long)sqlite3_column_int64(st, 16);
	sqlite3_finalize(st);
	r->channel = prompt_channel(ws, r->prompt_id);
	if (r->status && strcmp(r->status, "running") == 0) {
		/* a run whose process is gone reads 'interrupted' */
		struct gen_run_info *gi = NULL;
		struct cl_err e2 = {0};
		if (gen_run_get(ws, run_id, &gi, &e2) == 0) {
			free(r->status);
			r->status = xstrdup(gi->status);
			gen_runs_free(gi, 1);
		}
	}

	if (ws_prepare(ws,
	        "SELECT id, coalesce(parent_id,0), idx, round, starred, discarded, parse_ok, cached,"
	        " coalesce(fields,'{}'), coalesce(text,''), error, note, coalesce(tokens_in,0),"
	        " coalesce(tokens_out,0), coalesce(latency_ms,0), coalesce(cost,0)"
	        " FROM cl_variants WHERE run_id = ? ORDER BY idx, id", &st, err)) {
		wf_run_free(r);
		return -1;
	}
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->nv == cap)
			r->v = xreallocarray(r->v, cap = cap ? cap * 2 : 8, sizeof *r->v);
		struct wf_variant *v = &r->v[r->nv++];
		memset(v, 0, sizeof *v);
		v->id = sqlite3_column_int64(st, 0);
		v->parent_id = sqlite3_column_int64(st, 1);
		v->idx = sqlite3_column_int(st, 2);
		v->round = sqlite3_column_int(st, 3);
		v->starred = sqlite3_column_int(st, 4);
		v->discarded = sqlite3_column_int(st, 5);
		v->parse_ok = sqlite3_column_int(st, 6);
		v->cached = sqlite3_column_int(st, 7);
		v->fields_json = ws_col_dup(st, 8);
		v->text = ws_col_dup(st, 9);
		v->error = ws_col_dup(st, 10);
		v->note = ws_col_dup(st, 11);
		v->tokens_in = (long)sqlite3_column_int64(st, 12);
		v->tokens_out = (long)sqlite3_column_int64(st, 13);
		v->latency_ms = sqlite3_column_double(st, 14);
		v->cost = sqlite3_column_double(st, 15);
		v->composite = NAN;
		fields_from_json(v);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		wf_run_free(r);
		return ws_dberr(ws, err, "reading variants");
	}
	if (ws_prepare(ws, "SELECT scorer, value, detail FROM cl_scores WHERE variant_id = ? ORDER BY scorer",
	               &st, err)) {
		wf_run_free(r);
		return -1;
	}
	for (size_t i = 0; i < r->nv; i++) {
		struct wf_variant *v = &r->v[i];
		size_t scap = 0;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, v->id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			double val = ws_col_real(st, 1);
			if (!name)
				continue;
			if (strcmp(name, ITERATE_COMPOSITE) == 0) {
				v->composite = val;
				continue;
			}
			if (v->nscores == scap)
				v->scores = xreallocarray(v->scores, scap = scap ? scap * 2 : 8, sizeof *v->scores);
			v->scores[v->nscores].scorer = xstrdup(name);
			v->scores[v->nscores].value = val;
			v->scores[v->nscores].detail = ws_col_dup(st, 2);
			v->nscores++;
		}
	}
	sqlite3_finalize(st);
	*out = r;
	return 0;
}

void wf_run_free(struct wf_run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nv; i++) {
		struct wf_variant *v = &r->v[i];
		for (size_t j = 0; j < v->nfields; j++) {
			free(v->fields[j].name);
			free(v->fields[j].value);
		}
		for (size_t j = 0; j < v->nscores; j++) {
			free(v->scores[j].scorer);
			free(v->scores[j].detail);
		}
		free(v->fields);
		free(v->scores);
		free(v->fields_json);
		free(v->text);
		free(v->error);
		free(v->note);
	}
	free(r->v);
	free(r->prompt_name); free(r->provider); free(r->model); free(r->segment);
	free(r->row_ref); free(r->status); free(r->feedback); free(r->created_at); free(r->channel);
	free(r);
}

long long wf_latest_run(struct workspace *ws)
{
	sqlite3_stmt *st;
	long long id = 0;
	if (ws_prepare(ws, "SELECT max(id) FROM cl_runs", &st, NULL))
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int wf_runs_list(struct workspace *ws, struct wf_run_info **out, size_t *n, struct cl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (ws_prepare(ws,
	        "SELECT r.id, r.round, (SELECT count(*) FROM cl_variants v WHERE v.run_id = r.id),"
	        " coalesce(p.name || ' v' || p.version, 'free text'), coalesce(r.provider,'?'),"
	        " coalesce(r.status,'?') FROM cl_runs r LEFT JOIN cl_prompts p ON p.id = r.prompt_id"
	        " ORDER BY r.id DESC", &st, err))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap)
			*out = xreallocarray(*out, cap = cap ? cap * 2 : 16, sizeof **out);
		struct wf_run_info *ri = &(*out)[(*n)++];
		ri->id = sqlite3_column_int64(st, 0);
		ri->round = sqlite3_column_int(st, 1);
		ri->nvariants = sqlite3_column_int(st, 2);
		ri->label = xasprintf("run %lld · %s · %s · round %d · %d variants · %s", ri->id,
		                      (const char *)sqlite3_column_text(st, 3),
		                      (const char *)sqlite3_column_text(st, 4), ri->round, ri->nvariants,
		                      (const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		wf_runs_free(*out, *n);
		*out = NULL;
		*n = 0;
		return ws_dberr(ws, err, "listing runs");
	}
	return 0;
}

void wf_runs_free(struct wf_run_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].label);
	free(v);
}

static int set_col(struct workspace *ws, const char *sql, long long id, const char *text, int num,
                   struct cl_err *err)
{
	sqlite3_stmt *st;
	int rc;
	if (ws_prepare(ws, sql, &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	else if (num >= 0)
		sqlite3_bind_int(st, 2, num);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_dberr(ws, err, "updating a variant");
	if (sqlite3_changes(ws->db) == 0)
		return cl_err_set(err, CL_ENOTFOUND, "no variant %lld", id);
	return 0;
}

int wf_variant_star(struct workspace *ws, long long id, int on, struct cl_err *err)
{
	return set_col(ws, "UPDATE cl_variants SET starred = ?2 WHERE id = ?1", id, NULL, on ? 1 : 0, err);
}

int wf_variant_discard(struct workspace *ws, long long id, int on, struct cl_err *err)
{
	return set_col(ws, "UPDATE cl_variants SET discarded = ?2 WHERE id = ?1", id, NULL, on ? 1 : 0, err);
}

int wf_variant_note(struct workspace *ws, long long id, const char *note, struct cl_err *err)
{
	return set_col(ws, "UPDATE cl_variants SET note = ?2 WHERE id = ?1", id,
	               note && *note ? note : NULL, -1, err);
}

int wf_variant_edit(struct workspace *ws, long long id, const char *fields_json, long long *new_id,
                    struct cl_err *err)
{
	sqlite3_stmt *st;
	cJSON *j = cJSON_Parse(fields_json);
	int ok = j && cJSON_IsObject(j), rc;
	cJSON_Delete(j);
	if (!ok)
		return cl_err_set(err, CL_EINVAL, "edited variant: fields are not a JSON object");
	if (ws_begin(ws, err))
		return -1;
	char *now = ws_now_iso();
	if (ws_prepare(ws,
	        "INSERT INTO cl_variants(run_id, idx, round, parent_id, segment, fields, text, raw, parse_ok,"
	        " tokens_in, tokens_out, latency_ms, cost, created_at, note)"
	        " SELECT run_id, (SELECT max(idx) + 1 FROM cl_variants w WHERE w.run_id = v.run_id), round, id,"
	        " segment, ?2, ?2, ?2, 1, 0, 0, 0, 0, ?3, 'edited by hand' FROM cl_variants v WHERE id = ?1",
	        &st, err)) {
		free(now);
		ws_rollback(ws);
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, fields_json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(now);
	if (rc != SQLITE_DONE || sqlite3_changes(ws->db) == 0) {
		if (rc == SQLITE_DONE)
			cl_err_set(err, CL_ENOTFOUND, "no variant %lld", id);
		else
			ws_dberr(ws, err, "saving the edited variant");
		ws_rollback(ws);
		return -1;
	}
	long long nid = sqlite3_last_insert_rowid(ws->db);
	if (iterate_add_parent(ws, nid, id, err) || ws_commit(ws, err)) {
		ws_rollback(ws);
		return -1;
	}
	if (new_id)
		*new_id = nid;
	return 0;
}

static const char *field_get(const struct wf_variant *v, const char *name)
{
	for (size_t i = 0; i < v->nfields; i++)
		if (strcasecmp(v->fields[i].name, name) == 0)
			return v->fields[i].value;
	return NULL;
}

static void title_case(struct sbuf *sb, const char *name)
{
	char c = name[0];
	sbuf_addc(sb, (char)(c >= 'a' && c <= 'z' ? c - 32 : c));
	for (const char *p = name + 1; *p; p++)
		sbuf_addc(sb, *p == '_' ? ' ' : *p);
}

char *wf_channel_text(const struct wf_variant *v, const char *channel)
{
	struct sbuf sb = SBUF_INIT;
	static const char *email_head[] = { "subject", "preheader", NULL };
	static const char *email_body[] = { "body", "text", "cta", NULL };
	sbuf_adds(&sb, "");
	if (v->nfields == 0) {
		sbuf_adds(&sb, v->text ? v->text : "");
		return sbuf_detach(&sb);
	}
	int email = !channel || strcmp(channel, "email") == 0 || strcmp(channel, "landing") == 0;
	int plain = channel && (strcmp(channel, "sms") == 0 || strcmp(channel, "push") == 0 ||
	                        strcmp(channel, "social") == 0);
	if (email) {
		for (int i = 0; email_head[i]; i++) {
			const char *val = field_get(v, email_head[i]);
			if (val) {
				title_case(&sb, email_head[i]);
				sbuf_addf(&sb, ": %s\n", val);
			}
		}
		/* other short fields as headers, then the body parts */
		for (size_t i = 0; i < v->nfields; i++) {
			const char *n = v->fields[i].name;
			int known = 0;
			for (int k = 0; email_head[k]; k++) known |= strcasecmp(n, email_head[k]) == 0;
			for (int k = 0; email_body[k]; k++) known |= strcasecmp(n, email_body[k]) == 0;
			if (!known) {
				title_case(&sb, n);
				sbuf_addf(&sb, ": %s\n", v->fields[i].value);
			}
		}
		for (int i = 0; email_body[i]; i++) {
			const char *val = field_get(v, email_body[i]);
			if (val)
				sbuf_addf(&sb, "\n%s%s\n", strcmp(email_body[i], "cta") == 0 ? "» " : "", val);
		}
	} else if (plain) {
		/* one message: the fields in order, joined by a blank line (title first) */
		for (size_t i = 0; i < v->nfields; i++)
			sbuf_addf(&sb, "%s%s", i ? "\n" : "", v->fields[i].value);
		sbuf_addc(&sb, '\n');
	} else {
		for (size_t i = 0; i < v->nfields; i++) {
			title_case(&sb, v->fields[i].name);
			sbuf_addf(&sb, ": %s\n", v->fields[i].value);
		}
	}
	return sbuf_detach(&sb);
}

int wf_write_variant(const struct wf_variant *v, const char *channel, const char *path,
                     struct cl_err *err)
{
	char *text = wf_channel_text(v, channel);
	FILE *f = fopen(path, "w");
	int rc = 0;
	if (!f) {
		rc = cl_err_set(err, CL_EIO, "%s: %s", path, strerror(errno));
	} else {
		if (fputs(text, f) == EOF)
			rc = cl_err_set(err, CL_EIO, "%s: %s", path, strerror(errno));
		if (fclose(f) != 0 && rc == 0)
			rc = cl_err_set(err, CL_EIO, "%s: %s", path, strerror(errno));
	}
	free(text);
	return rc;
}

char *wf_fields_format(const struct wf_variant *v)
{
	struct sbuf sb = SBUF_INIT;
	sbuf_adds(&sb, "");
	for (size_t i = 0; i < v->nfields; i++)
		sbuf_addf(&sb, "%s## %s\n%s\n", i ? "\n" : "", v->fields[i].name, v->fields[i].value);
	if (v->nfields == 0)
		sbuf_addf(&sb, "## text\n%s\n", v->text ? v->text : "");
	return sbuf_detach(&sb);
}

/* Add name: value (trailing blank lines dropped) to obj. */
static void put_field(cJSON *obj, const char *name, struct sbuf *val)
{
	while (val->len && (val->buf[val->len - 1] == '\n' || val->buf[val->len - 1] == ' '))
		val->buf[--val->len] = 0;
	cJSON_AddStringToObject(obj, name, sbuf_str(val));
	sbuf_reset(val);
}

char *wf_fields_parse(const char *text, struct cl_err *err)
{
	cJSON *obj = cJSON_CreateObject();
	struct sbuf val = SBUF_INIT;
	char *name = NULL;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= 3 && strncmp(p, "## ", 3) == 0) {
			if (name)
				put_field(obj, name, &val);
			free(name);
			name = xstrndup(p + 3, len - 3);
			while (*name && name[strlen(name) - 1] == ' ')
				name[strlen(name) - 1] = 0;
		} else if (name) {
			if (val.len || len)
				sbuf_add(&val, p, len), sbuf_addc(&val, '\n');
		} else if (len) {
			free(name);
			sbuf_free(&val);
			cJSON_Delete(obj);
			cl_err_set(err, CL_EINVAL, "edited variant: text before the first '## field' line");
			return NULL;
		}
		p += len + (nl ? 1 : 0);
	}
	if (name)
		put_field(obj, name, &val);
	free(name);
	sbuf_free(&val);
	if (!obj->child) {
		cJSON_Delete(obj);
		cl_err_set(err, CL_EINVAL, "edited variant: no '## field' line");
		return NULL;
	}
	char *s = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	return s;
}

int wf_score_run(struct workspace *ws, long long run_id, size_t *scored, struct cl_err *err)
{
	return wf_score_run_with(ws, run_id, NULL, scored, err);
}

int wf_score_run_with(struct workspace *ws, long long run_id, struct plugin_host *plugins,
                      size_t *scored, struct cl_err *err)
{
	struct wf_run *r = NULL;
	struct scoreset *set = NULL;
	struct brand *brand = NULL;
	struct claims_catalog *cat = NULL;
	struct template *t = NULL;
	cJSON *bind = NULL;
	size_t count = 0;
	int rc = -1;

	if (wf_run_load(ws, run_id, &r, err))
		return -1;
	if (r->prompt_id && template_load_id(ws, r->prompt_id, &t, err))
		goto out;
	if (r->row_ref) {
		/* the product for the claims check; a row deleted since is no reason not to score */
		struct tpl_bind_opts bo = { .row = r->row_ref };
		struct cl_err e2 = {0};
		if (template_bind(ws, &bo, &bind, &e2))
			bind = NULL;
	}
	if (scoreset_new(NULL, &set, err))
		goto out;
	if (plugins && plugin_attach_scorers(plugins, set, err))
		goto out;
	if (brand_load_ws(ws, &brand, err))
		goto out;
	if (!brand) {
		char *path = cl_data_path("sample-data/brand.json");
		if (path && brand_load_file(path, &brand, err)) {
			free(path);
			goto out;
		}
		free(path);
	}
	if (brand)
		scoreset_set_brand(set, brand);
	if (claims_catalog_load(ws, NULL, &cat, err))
		goto out;
	if (cat) {
		if (brand && brand->name)
			claims_catalog_set_brand(cat, brand->name);
		scoreset_set_catalog(set, cat);
	}
	const cJSON *product = bind ? cJSON_GetObjectItemCaseSensitive(bind, "product") : NULL;
	if (product && !cJSON_IsObject(product))
		product = NULL;
	if (ws_begin(ws, err))
		goto out;
	for (size_t i = 0; i < r->nv; i++) {
		struct wf_variant *v = &r->v[i];
		struct score_result res = {0};
		cJSON *fields;
		if (v->error)
			continue;
		fields = cJSON_Parse(v->fields_json);
		struct score_input in = {
			.text = v->nfields ? NULL : v->text,
			.fields = fields && cJSON_IsObject(fields) && fields->child ? fields : NULL,
			.channel = t ? t->channel : r->channel,
			.lang = t ? t->language : NULL,
			.segment = r->segment,
			.product = product,
		};
		if (!in.text && !in.fields)
			in.text = v->text;
		int src = score_text(set, &in, &res, err);
		if (src == 0)
			src = score_store(ws, v->id, &res, err);
		score_result_free(&res);
		cJSON_Delete(fields);
		if (src) {
			cl_err_prefix(err, "scoring variant %lld", v->id);
			ws_rollback(ws);
			goto out;
		}
		count++;
	}
	if (ws_commit(ws, err))
		goto out;
	if (scored)
		*scored = count;
	rc = 0;
out:
	if (set)
		scoreset_free(set);
	if (brand)
		brand_free(brand);
	if (cat)
		claims_catalog_free(cat);
	if (t)
		template_free(t);
	cJSON_Delete(bind);
	wf_run_free(r);
	return rc;
}

int wf_rows_list(struct workspace *ws, const char *table, int limit, struct wf_row **out,
                 size_t *n, struct cl_err *err)
{
	sqlite3_stmt *st;
	char *q = ws_quote_ident(table), *sql;
	size_t cap = 0;
	int rc, idcol = -1;
	*out = NULL;
	*n = 0;
	if (!ws_table_exists(ws, table)) {
		free(q);
		return cl_err_set(err, CL_ENOTFOUND, "no table '%s'", table);
	}
	/* probe for an id column */
	sql = xasprintf("SELECT * FROM %s LIMIT 0", q);
	if (ws_prepare(ws, sql, &st, err)) {
		free(sql);
		free(q);
		return -1;
	}
	for (int i = 0; i < sqlite3_column_count(st); i++)
		if (strcasecmp(sqlite3_column_name(st, i), "id") == 0)
			idcol = i;
	sqlite3_finalize(st);
	free(sql);
	sql = idcol >= 0 ? xasprintf("SELECT id AS _ref, * FROM %s ORDER BY id LIMIT ?", q)
	                 : xasprintf("SELECT rowid AS _ref, * FROM %s ORDER BY rowid LIMIT ?", q);
	free(q);
	rc = ws_prepare(ws, sql, &st, err);
	free(sql);
	if (rc)
		return -1;
	sqlite3_bind_int(st, 1, limit > 0 ? limit : 500);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sbuf lab = SBUF_INIT;
		const char *ref = (const char *)sqlite3_column_text(st, 0);
		sbuf_adds(&lab, ref ? ref : "?");
		for (int i = 1; i < sqlite3_column_count(st); i++) {
			const char *cn = sqlite3_column_name(st, i);
			const char *v = (const char *)sqlite3_column_text(st, i);
			if (v && *v && (strncasecmp(cn, "name", 4) == 0 || strcasecmp(cn, "title") == 0))
				sbuf_addf(&lab, " · %s", v);
		}
		if (*n == cap)
			*out = xreallocarray(*out, cap = cap ? cap * 2 : 32, sizeof **out);
		(*out)[*n].ref = xasprintf("%s:%s", table, ref ? ref : "");
		(*out)[*n].label = sbuf_detach(&lab);
		(*n)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		wf_rows_free(*out, *n);
		*out = NULL;
		*n = 0;
		return ws_dberr(ws, err, "listing rows");
	}
	return 0;
}

void wf_rows_free(struct wf_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].ref);
		free(v[i].label);
	}
	free(v);
}
