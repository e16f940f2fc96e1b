/* generate.c — generation jobs (see generate.h): render, run, cache, persist
 * each variant as it completes, and read runs back. */
#include "core/generate.h"
#include "core/hash.h"
#include "core/jsonout.h"
#include "core/redact.h"
#include "core/template.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum slot_state { S_LOCAL, S_CACHED, S_NET, S_DONE };

struct slot {
	struct gen_job    *job;
	int                idx;
	enum slot_state    state;
	struct provider_req req;
	char              *parent_json;
	char              *mutation;
	long long          parent_id;
	char               key[65];
	char              *cached_text;
	long               cached_in, cached_out;
	struct gen_variant v;
	int                saved;
};

struct gen_job {
	struct workspace    *ws;
	struct cl_config    *cfg;
	struct provider     *p;
	struct gen_callbacks cb;
	void                *ud;
	void               (*log)(void *ud, const char *line);
	struct http_client  *http;
	struct template     *tpl;
	cJSON               *bind;
	char                *system, *user;
	char               **fields;
	size_t               nfields;
	int                  prompt_mode;
	int                  use_cache;
	int                  n;
	struct slot         *slots;
	long long            run_id;
	int                  round;
	char                *model;
	char                *segment;
	const char          *status;
	int                  remaining;
	int                  finished;
	int                  cancelling;
	size_t               redactions;
	long                 tin, tout;
	double               cost;
};

static void jlog(struct gen_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jlog(struct gen_job *job, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	if (!job->log)
		return;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	job->log(job->ud, sbuf_str(&sb));
	sbuf_free(&sb);
}

static void http_log(void *ud, const char *line)
{
	struct gen_job *job = ud;
	if (job->log)
		job->log(job->ud, line);
}

void gen_cache_key(const struct provider *p, const struct provider_req *req, char out[65])
{
	cJSON *o = cJSON_CreateObject();
	char *s;
	cJSON_AddNumberToObject(o, "v", 1);
	cJSON_AddStringToObject(o, "type", p->type->name);
	cJSON_AddStringToObject(o, "provider", p->name);
	cJSON_AddStringToObject(o, "base_url", p->base_url ? p->base_url : "");
	cJSON_AddStringToObject(o, "model", req->model ? req->model : p->model ? p->model : "");
	cJSON_AddNumberToObject(o, "temperature", req->temperature);
	cJSON_AddNumberToObject(o, "top_p", req->top_p);
	cJSON_AddNumberToObject(o, "max_tokens", req->max_tokens);
	cJSON_AddNumberToObject(o, "seed", (double)req->seed);
	cJSON_AddBoolToObject(o, "json", req->json);
	cJSON_AddStringToObject(o, "system", req->system ? req->system : "");
	cJSON_AddStringToObject(o, "user", req->user ? req->user : "");
	cJSON_AddNumberToObject(o, "variant", req->variant);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		cl_fatal("out of memory (cache key)");
	sha256_hex(s, strlen(s), out);
	free(s);
}

/* ---- persistence ---- */

static int insert_run(struct gen_job *job, const struct gen_spec *spec, struct cl_err *err)
{
	sqlite3_stmt *st;
	cJSON *params = cJSON_CreateObject();
	char *ptxt, *now = ws_now_iso();
	const struct provider_req *r = &job->slots[0].req;
	int rc;
	if (r->temperature >= 0)
		cJSON_AddNumberToObject(params, "temperature", r->temperature);
	if (r->top_p >= 0)
		cJSON_AddNumberToObject(params, "top_p", r->top_p);
	cJSON_AddNumberToObject(params, "max_tokens", r->max_tokens);
	if (spec->seed >= 0)
		cJSON_AddNumberToObject(params, "seed", (double)spec->seed);
	cJSON_AddBoolToObject(params, "stream", r->stream);
	cJSON_AddBoolToObject(params, "json", r->json);
	cJSON_AddBoolToObject(params, "redact", !spec->no_redact && !job->p->type->local);
	cJSON_AddBoolToObject(params, "cache", job->use_cache);
	if (spec->mutation)
		cJSON_AddStringToObject(params, "mutation", spec->mutation);
	if (job->system)
		cJSON_AddStringToObject(params, "system", job->system);
	ptxt = cJSON_PrintUnformatted(params);
	cJSON_Delete(params);
	if (ws_prepare(job->ws,
	               "INSERT INTO cl_runs(prompt_id, prompt_text, provider, model, params, segment,"
	               " row_ref, round, parent_run, feedback, status, n_requested, pid, created_at)"
	               " VALUES(?,?,?,?,?,?,?,?,?,?,'running',?,?,?)", &st, err)) {
		free(ptxt);
		free(now);
		return -1;
	}
	if (job->tpl && job->tpl->id)
		sqlite3_bind_int64(st, 1, job->tpl->id);
	sqlite3_bind_text(st, 2, job->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, job->p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, job->model, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ptxt, -1, SQLITE_STATIC);
	if (spec->segment)
		sqlite3_bind_text(st, 6, spec->segment, -1, SQLITE_STATIC);
	if (spec->row)
		sqlite3_bind_text(st, 7, spec->row, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, job->round);
	if (spec->parent_run > 0)
		sqlite3_bind_int64(st, 9, spec->parent_run);
	if (spec->feedback)
		sqlite3_bind_text(st, 10, spec->feedback, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, job->n);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)getpid());
	sqlite3_bind_text(st, 13, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : ws_dberr(job->ws, err, "saving the run");
	sqlite3_finalize(st);
	free(ptxt);
	free(now);
	if (rc == 0)
		job->run_id = sqlite3_last_insert_rowid(job->ws->db);
	return rc;
}

static int save_variant(struct gen_job *job, struct slot *s, const char *raw, int store_cache,
                        struct cl_err *err)
{
	struct gen_variant *v = &s->v;
	sqlite3_stmt *st = NULL;
	char *now = ws_now_iso();
	v->created_at = xstrdup(now);
	if (ws_begin(job->ws, err))
		goto fail;
	if (ws_prepare(job->ws,
	               "INSERT INTO cl_variants(run_id, idx, round, parent_id, segment, fields, text, raw,"
	               " parse_ok, tokens_in, tokens_out, latency_ms, cost, cached, error, created_at)"
	               " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, job->run_id);
	sqlite3_bind_int(st, 2, v->idx);
	sqlite3_bind_int(st, 3, v->round);
	if (v->parent_id > 0)
		sqlite3_bind_int64(st, 4, v->parent_id);
	if (job->segment)
		sqlite3_bind_text(st, 5, job->segment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, v->fields, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, v->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, raw, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, v->parse_ok);
	if (v->tokens_in >= 0)
		sqlite3_bind_int64(st, 10, v->tokens_in);
	if (v->tokens_out >= 0)
		sqlite3_bind_int64(st, 11, v->tokens_out);
	sqlite3_bind_double(st, 12, v->latency_ms);
	sqlite3_bind_double(st, 13, v->cost);
	sqlite3_bind_int(st, 14, v->cached);
	if (v->error)
		sqlite3_bind_text(st, 15, v->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ws_dberr(job->ws, err, "saving a variant");
		goto fail;
	}
	v->id = sqlite3_last_insert_rowid(job->ws->db);
	sqlite3_finalize(st);
	st = NULL;
	if (ws_prepare(job->ws, "UPDATE cl_runs SET tokens_in = tokens_in + ?, tokens_out = tokens_out + ?,"
	               " cost = cost + ? WHERE id = ?", &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, v->tokens_in > 0 ? v->tokens_in : 0);
	sqlite3_bind_int64(st, 2, v->tokens_out > 0 ? v->tokens_out : 0);
	sqlite3_bind_double(st, 3, v->cost);
	sqlite3_bind_int64(st, 4, job->run_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ws_dberr(job->ws, err, "updating the run");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (store_cache) {
		if (ws_prepare(job->ws, "INSERT OR REPLACE INTO cl_cache(key, provider, model, response,"
		               " tokens_in, tokens_out, created_at) VALUES(?,?,?,?,?,?,?)", &st, err))
			goto fail;
		sqlite3_bind_text(st, 1, s->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, job->p->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, job->model, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, raw, -1, SQLITE_STATIC);
		if (v->tokens_in >= 0)
			sqlite3_bind_int64(st, 5, v->tokens_in);
		if (v->tokens_out >= 0)
			sqlite3_bind_int64(st, 6, v->tokens_out);
		sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			ws_dberr(job->ws, err, "saving to the cache");
			goto fail;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (ws_commit(job->ws, err))
		goto fail;
	free(now);
	return 0;
fail:
	sqlite3_finalize(st);
	ws_rollback(job->ws);
	free(now);
	return -1;
}

static void finish_run(struct gen_job *job, const char *status)
{
	sqlite3_stmt *st;
	struct cl_err err = {0};
	char *now = ws_now_iso();
	job->status = status;
	job->finished = 1;
	if (ws_prepare(job->ws, "UPDATE cl_runs SET status = ?, finished_at = ? WHERE id = ?", &st, &err) == 0) {
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, job->run_id);
		if (sqlite3_step(st) != SQLITE_DONE)
			ws_dberr(job->ws, &err, "finishing the run");
		sqlite3_finalize(st);
	}
	free(now);
	if (err.msg[0] && job->cb.on_error)
		job->cb.on_error(job->ud, -1, err.msg);
	jlog(job, "run %lld: %s", job->run_id, status);
	if (job->cb.on_done)
		job->cb.on_done(job->ud, job->run_id, status);
}

static void maybe_finish(struct gen_job *job)
{
	if (job->remaining > 0 || job->finished || job->cancelling)
		return;
	int ok = 0;
	for (int i = 0; i < job->n; i++)
		if (job->slots[i].saved && !job->slots[i].v.error)
			ok++;
	finish_run(job, ok ? "done" : "failed");
}

/* A reply (or failure) for slot s: fill the variant, save it, report. */
static void complete_slot(struct slot *s, struct provider_result *res, int cached)
{
	struct gen_job *job = s->job;
	struct gen_variant *v = &s->v;
	struct cl_err err = {0};
	const char *raw = res->text ? res->text : "";
	s->state = S_DONE;
	job->remaining--;
	v->run_id = job->run_id;
	v->idx = s->idx;
	v->round = job->round;
	v->parent_id = s->parent_id;
	v->tokens_in = res->tokens_in;
	v->tokens_out = res->tokens_out;
	v->latency_ms = res->latency_ms;
	v->cached = cached;
	v->cost = cached ? 0 : provider_cost(job->p, res->tokens_in, res->tokens_out);
	v->error = res->error ? xstrdup(res->error) : NULL;
	if (job->prompt_mode) {
		/* The reply is the text, except a local composer's {"text": ...}. */
		cJSON *o = cJSON_CreateObject();
		cJSON *j = job->p->type->local ? cJSON_Parse(raw) : NULL;
		const cJSON *t = j ? cJSON_GetObjectItemCaseSensitive(j, "text") : NULL;
		v->text = xstrdup(cJSON_IsString(t) ? t->valuestring : raw);
		cJSON_AddStringToObject(o, "text", v->text);
		v->fields = cJSON_PrintUnformatted(o);
		v->parse_ok = !v->error;
		cJSON_Delete(o);
		cJSON_Delete(j);
	} else {
		struct jsonout jo;
		jsonout_parse(raw, (const char *const *)job->fields, job->nfields, &jo);
		v->fields = cJSON_PrintUnformatted(jo.fields);
		v->parse_ok = jo.parse_ok && !v->error;
		v->text = xstrdup(raw);
		if (!jo.parse_ok && !v->error)
			jlog(job, "variant %d: %s; kept as raw text", s->idx + 1, jo.why);
		jsonout_clear(&jo);
	}
	if (!v->fields)
		cl_fatal("out of memory (variant fields)");
	if (!cached && !job->p->type->local && v->tokens_in > 0) {
		/* Servers silently cut prompts longer than their context and then
		 * report the cut count: a big gap from our estimate is worth saying. */
		size_t est = (strlen(job->user) + (job->system ? strlen(job->system) : 0)) / 4;
		if (est > 200 && (size_t)v->tokens_in * 3 < est)
			jlog(job, "variant %d: the server counted %ld prompt tokens where about %zu were "
			     "sent; it may have cut the prompt to fit its context", s->idx + 1, v->tokens_in, est);
	}
	if (v->tokens_in > 0)
		job->tin += v->tokens_in;
	if (v->tokens_out > 0)
		job->tout += v->tokens_out;
	job->cost += v->cost;
	if (save_variant(job, s, raw, job->use_cache && !cached && !v->error, &err)) {
		if (job->cb.on_error)
			job->cb.on_error(job->ud, -1, err.msg);
	} else {
		s->saved = 1;
	}
	jlog(job, "variant %d: %s in %.0f ms, tokens %ld/%ld%s", s->idx + 1,
	     v->error ? v->error : "ok", v->latency_ms, v->tokens_in, v->tokens_out,
	     cached ? " (cached)" : "");
	if (v->error && job->cb.on_error)
		job->cb.on_error(job->ud, s->idx, v->error);
	if (s->saved && job->cb.on_variant)
		job->cb.on_variant(job->ud, s->idx, v);
	maybe_finish(job);
}

/* ---- network callbacks ---- */

static void slot_token(void *ud, const char *text, size_t n)
{
	struct slot *s = ud;
	if (s->job->cb.on_token)
		s->job->cb.on_token(s->job->ud, s->idx, text, n);
}

static void slot_retry(void *ud, int attempt, long delay_ms, const char *why)
{
	struct slot *s = ud;
	if (s->job->cb.on_retry)
		s->job->cb.on_retry(s->job->ud, s->idx, attempt, delay_ms, why);
}

static void slot_done(void *ud, struct provider_result *res)
{
	struct slot *s = ud;
	if (s->state == S_DONE)
		return;                 /* already accounted for by gen_job_cancel */
	if (res->cancelled) {
		s->state = S_DONE;
		s->job->remaining--;
		return;
	}
	complete_slot(s, res, 0);
}

/* ---- start ---- */

static int load_parent_fields(struct workspace *ws, long long id, char **out, struct cl_err *err)
{
	sqlite3_stmt *st;
	int rc;
	if (ws_prepare(ws, "SELECT fields FROM cl_variants WHERE id = ?", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *f = sqlite3_column_text(st, 0);
		*out = xstrdup(f ? (const char *)f : "{}");
		rc = 0;
	} else {
		rc = cl_err_set(err, CL_ENOTFOUND, "no variant with id %lld", id);
	}
	sqlite3_finalize(st);
	return rc;
}

static int cache_lookup(struct gen_job *job, struct slot *s)
{
	sqlite3_stmt *st;
	int hit = 0;
	if (sqlite3_prepare_v2(job->ws->db, "SELECT response, tokens_in, tokens_out FROM cl_cache WHERE key = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, s->key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *r = sqlite3_column_text(st, 0);
		s->cached_text = xstrdup(r ? (const char *)r : "");
		s->cached_in = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, 1);
		s->cached_out = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, 2);
		hit = 1;
	}
	sqlite3_finalize(st);
	return hit;
}

/* The i-th name of a comma-separated list, cycling; caller frees; NULL when empty. */
static char *list_item(const char *list, int i)
{
	int n = 0;
	const char *p;
	if (!list || !*list)
		return NULL;
	for (p = list; *p; p++)
		n += *p == ',';
	n++;
	i %= n;
	p = list;
	while (i--)
		p = strchr(p, ',') + 1;
	const char *e = strchr(p, ',');
	size_t len = e ? (size_t)(e - p) : strlen(p);
	while (len && (*p == ' '))
		p++, len--;
	while (len && p[len - 1] == ' ')
		len--;
	return xstrndup(p, len);
}

static int render(struct gen_job *job, const struct gen_spec *spec, struct redactor *red,
                  struct cl_err *err)
{
	struct tpl_bind_opts bo = { spec->row, spec->segment, spec->vars, spec->nvars };
	if (template_bind(job->ws, &bo, &job->bind, err))
		return -1;
	if (spec->template_name) {
		struct tpl_messages m;
		memset(&m, 0, sizeof m);
		if (template_open(job->ws, spec->template_name, &job->tpl, err))
			return -1;
		if (template_render(job->tpl, job->bind, red, 0, &m, err))
			return -1;
		job->system = m.system;
		job->user = m.user;
		job->redactions = m.redacted;
		job->fields = xcalloc(job->tpl->nfields + 1, sizeof *job->fields);
		for (size_t i = 0; i < job->tpl->nfields; i++)
			job->fields[i] = xstrdup(job->tpl->fields[i]);
		job->nfields = job->tpl->nfields;
	} else {
		size_t hits = 0;
		job->prompt_mode = 1;
		job->user = red ? redactor_text(red, spec->prompt_text, &hits) : xstrdup(spec->prompt_text);
		job->redactions = hits;
		job->fields = xcalloc(2, sizeof *job->fields);
		job->fields[0] = xstrdup("text");
		job->nfields = 1;
	}
	if (spec->extra_prompt && *spec->extra_prompt) {
		char *u = xasprintf("%s\n\n%s", job->user, spec->extra_prompt);
		free(job->user);
		job->user = u;
	}
	return 0;
}

int gen_job_start(struct workspace *ws, struct cl_config *cfg, const struct gen_spec *spec,
                  const struct gen_callbacks *cb, void *ud, struct gen_job **out,
                  struct cl_err *err)
{
	struct gen_job *job;
	struct redactor *red = NULL;
	struct provider *p;
	int local;

	*out = NULL;
	if (!!spec->template_name == !!spec->prompt_text)
		return cl_err_set(err, CL_EINVAL, "give either a template or a prompt text");
	if (spec->prompt_text && !*spec->prompt_text)
		return cl_err_set(err, CL_EINVAL, "the prompt text is empty");
	if (!(p = config_provider(cfg, spec->provider, err)))
		return -1;
	local = p->type->local;
	if (provider_check_key(p, err))
		return -1;
	job = xcalloc(1, sizeof *job);
	job->ws = ws;
	job->cfg = cfg;
	job->p = p;
	if (cb)
		job->cb = *cb;
	job->ud = ud;
	job->log = spec->log;
	job->status = "running";
	job->round = spec->round > 0 ? spec->round : 1;
	job->segment = spec->segment ? xstrdup(spec->segment) : NULL;
	job->use_cache = !spec->no_cache && !local;
	if (!local && !spec->no_redact) {
		red = redactor_new(REDACT_ALL);
		if (redactor_load_personal(red, ws, err))
			goto fail;
	}
	if (render(job, spec, red, err))
		goto fail;
	redactor_free(red);
	red = NULL;
	job->n = spec->n > 0 ? spec->n : job->tpl && job->tpl->variants > 0 ? job->tpl->variants
	       : job->prompt_mode ? 1 : 3;
	if (job->n > 1000) {
		cl_err_set(err, CL_EINVAL, "%d variants is too many for one run (at most 1000)", job->n);
		goto fail;
	}
	job->model = xstrdup(spec->model && *spec->model ? spec->model : p->model ? p->model : p->type->name);
	if (!local && !p->base_url) {
		cl_err_set(err, CL_EINVAL, "provider '%s' has no base URL", p->name);
		goto fail;
	}
	if (local && !job->prompt_mode && !job->tpl) {
		cl_err_set(err, CL_EINVAL, "nothing to compose");
		goto fail;
	}
	if (job->log) {
		const char *key = provider_api_key(p);
		char *masked = key ? http_mask_secret(key) : xstrdup("(none)");
		jlog(job, "provider %s (type %s), model %s%s%s, key %s%s%s", p->name, p->type->name,
		     job->model, p->base_url ? " at " : "", p->base_url ? p->base_url : "",
		     p->key_env ? p->key_env : "-", p->key_env ? " = " : "", p->key_env ? masked : "");
		free(masked);
		jlog(job, "redaction %s: %zu value(s) replaced", local || spec->no_redact ? "off" : "on",
		     job->redactions);
	}

	/* Per-variant requests. */
	job->slots = xcalloc((size_t)job->n, sizeof *job->slots);
	for (int i = 0; i < job->n; i++) {
		struct slot *s = &job->slots[i];
		struct provider_req *r = &s->req;
		s->job = job;
		s->idx = i;
		provider_req_init(r);
		r->system = job->system;
		r->user = job->user;
		r->model = job->model;
		r->temperature = spec->temperature >= 0 ? spec->temperature
		               : job->tpl && job->tpl->temperature >= 0 ? job->tpl->temperature : -1;
		r->top_p = spec->top_p;
		r->max_tokens = spec->max_tokens > 0 ? spec->max_tokens
		              : job->tpl && job->tpl->max_tokens > 0 ? job->tpl->max_tokens : 1024;
		r->seed = spec->seed >= 0 ? spec->seed + i : local ? 1 : -1;
		r->json = !job->prompt_mode;
		r->stream = !spec->no_stream;
		if (job->tpl) {
			r->language = job->tpl->language;
			r->channel = job->tpl->channel;
			r->tone = job->tpl->tone;
		}
		r->fields = (const char *const *)job->fields;
		r->nfields = job->nfields;
		r->bind = job->bind;
		r->variant = i;
		r->feedback = spec->feedback;
		if (spec->nparents) {
			s->parent_id = spec->parent_ids[(size_t)i % spec->nparents];
			if (load_parent_fields(ws, s->parent_id, &s->parent_json, err))
				goto fail;
			r->parent_json = s->parent_json;
		}
		s->mutation = list_item(spec->mutation, i);
		r->mutation = s->mutation;
		s->state = local ? S_LOCAL : S_NET;
		if (job->use_cache) {
			gen_cache_key(p, r, s->key);
			if (cache_lookup(job, s))
				s->state = S_CACHED;
		}
	}
	if (!local) {
		/* Check the request can be built before any run exists. */
		struct provider_http h;
		memset(&h, 0, sizeof h);
		int rc = p->type->build(p, &job->slots[0].req, NULL, &h, err);
		provider_http_clear(&h);
		if (rc) {
			cl_err_prefix(err, "provider '%s'", p->name);
			goto fail;
		}
	}
	if (insert_run(job, spec, err))
		goto fail;
	job->remaining = job->n;
	for (int i = 0; i < job->n; i++) {
		struct slot *s = &job->slots[i];
		if (s->state != S_NET)
			continue;
		if (!job->http) {
			struct http_opts o;
			provider_http_opts(p, spec->concurrency, &o);
			if (job->log) {
				o.log = http_log;
				o.log_ud = job;
			}
			if (http_client_new(&o, &job->http, err))
				goto fail_run;
		}
		struct provider_callbacks pcb = { slot_token, slot_retry, slot_done };
		if (provider_submit(p, job->http, &s->req, &pcb, s, err) < 0)
			goto fail_run;
	}
	*out = job;
	return 0;
fail_run:
	memset(&job->cb, 0, sizeof job->cb);    /* the caller hears of it from the -1 */
	job->cancelling = 1;
	if (job->http)
		http_cancel_all(job->http);
	finish_run(job, "failed");
	job->remaining = 0;
	/* The run row stays, marked failed, naming what broke in the log. */
	gen_job_free(job);
	return -1;
fail:
	redactor_free(red);
	gen_job_free(job);
	return -1;
}

/* Run local completions and cache hits, within a small time budget so the
 * caller's loop stays responsive. Returns 1 when some remain. */
static int run_local(struct gen_job *job)
{
	double t0 = cl_now_ms();
	for (int i = 0; i < job->n && !job->finished; i++) {
		struct slot *s = &job->slots[i];
		struct provider_result res;
		struct cl_err err = {0};
		if (s->state == S_CACHED) {
			double t = cl_now_ms();
			memset(&res, 0, sizeof res);
			res.text = s->cached_text;
			s->cached_text = NULL;
			res.tokens_in = s->cached_in;
			res.tokens_out = s->cached_out;
			res.latency_ms = cl_now_ms() - t;
			complete_slot(s, &res, 1);
			provider_result_clear(&res);
		} else if (s->state == S_LOCAL) {
			if (provider_complete_local(job->p, &s->req, &res, &err)) {
				memset(&res, 0, sizeof res);
				res.error = xstrdup(err.msg);
				res.tokens_in = res.tokens_out = -1;
			}
			complete_slot(s, &res, 0);
			provider_result_clear(&res);
		} else {
			continue;
		}
		if (cl_now_ms() - t0 > 15)
			break;
	}
	for (int i = 0; i < job->n && !job->finished; i++)
		if (job->slots[i].state == S_CACHED || job->slots[i].state == S_LOCAL)
			return 1;
	return 0;
}

int gen_job_poll(struct gen_job *job, struct pollfd *fds, int nfds, int timeout_ms,
                 struct cl_err *err)
{
	int more = 0, n;
	if (!job->finished)
		more = run_local(job);
	if (more)
		timeout_ms = 0;
	if (job->http && !job->finished)
		return http_poll(job->http, fds, nfds, timeout_ms, err);
	if (!nfds) {
		if (timeout_ms > 0 && job->finished)
			poll(NULL, 0, timeout_ms);
		return 0;
	}
	n = poll(fds, (nfds_t)nfds, timeout_ms);
	if (n < 0 && errno != EINTR)
		return cl_err_set(err, CL_EIO, "poll: %s", strerror(errno));
	return n < 0 ? 0 : n;
}

void gen_job_cancel(struct gen_job *job)
{
	if (!job || job->finished)
		return;
	job->cancelling = 1;
	if (job->http)
		http_cancel_all(job->http);
	for (int i = 0; i < job->n; i++) {
		if (job->slots[i].state != S_DONE) {
			job->slots[i].state = S_DONE;
			job->remaining--;
		}
	}
	job->remaining = 0;
	finish_run(job, "cancelled");
}

int gen_job_in_flight(const struct gen_job *job) { return job->finished ? 0 : job->remaining; }

static void variant_clear(struct gen_variant *v)
{
	free(v->fields);
	free(v->text);
	free(v->error);
	free(v->created_at);
}

void gen_job_free(struct gen_job *job)
{
	if (!job)
		return;
	if (job->run_id && !job->finished)
		gen_job_cancel(job);
	http_client_free(job->http);
	for (int i = 0; job->slots && i < job->n; i++) {
		struct slot *s = &job->slots[i];
		free(s->parent_json);
		free(s->mutation);
		free(s->cached_text);
		variant_clear(&s->v);
	}
	free(job->slots);
	template_free(job->tpl);
	cJSON_Delete(job->bind);
	free(job->system);
	free(job->user);
	for (size_t i = 0; i < job->nfields; i++)
		free(job->fields[i]);
	free(job->fields);
	free(job->model);
	free(job->segment);
	free(job);
}

long long gen_job_run_id(const struct gen_job *job) { return job->run_id; }
int gen_job_count(const struct gen_job *job) { return job->n; }
const char *gen_job_provider(const struct gen_job *job) { return job->p->name; }
const char *gen_job_model(const struct gen_job *job) { return job->model; }
const char *gen_job_status(const struct gen_job *job) { return job->status; }
int gen_job_local(const struct gen_job *job) { return job->p->type->local; }
size_t gen_job_redactions(const struct gen_job *job) { return job->redactions; }
const char *gen_job_system(const struct gen_job *job) { return job->system; }
const char *gen_job_user(const struct gen_job *job) { return job->user; }

const struct gen_variant *gen_job_variant(const struct gen_job *job, int idx)
{
	if (idx < 0 || idx >= job->n || !job->slots[idx].saved)
		return NULL;
	return &job->slots[idx].v;
}

void gen_job_totals(const struct gen_job *job, long *tin, long *tout, double *cost)
{
	if (tin)
		*tin = job->tin;
	if (tout)
		*tout = job->tout;
	if (cost)
		*cost = job->cost;
}

/* ---- reading back ---- */

static int pid_alive(long long pid)
{
	if (pid <= 0)
		return 0;
	if (pid == (long long)getpid())
		return 1;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

#define RUN_COLS "r.id, r.status, r.provider, r.model, p.name, p.version, r.segment, r.row_ref," \
	" r.feedback, r.round, r.parent_run, r.n_requested," \
	" (SELECT count(*) FROM cl_variants v WHERE v.run_id = r.id)," \
	" (SELECT count(*) FROM cl_variants v WHERE v.run_id = r.id AND v.error IS NOT NULL)," \
	" r.tokens_in, r.tokens_out, r.cost, r.created_at, r.finished_at, r.pid" \
	" FROM cl_runs r LEFT JOIN cl_prompts p ON p.id = r.prompt_id"

static void read_run(struct workspace *ws, sqlite3_stmt *st, struct gen_run_info *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->status = ws_col_dup(st, 1);
	r->provider = ws_col_dup(st, 2);
	r->model = ws_col_dup(st, 3);
	r->prompt_name = ws_col_dup(st, 4);
	r->prompt_version = sqlite3_column_int(st, 5);
	r->segment = ws_col_dup(st, 6);
	r->row_ref = ws_col_dup(st, 7);
	r->feedback = ws_col_dup(st, 8);
	r->round = sqlite3_column_int(st, 9);
	r->parent_run = sqlite3_column_int64(st, 10);
	r->n_requested = sqlite3_column_int(st, 11);
	r->n_variants = sqlite3_column_int(st, 12);
	r->n_failed = sqlite3_column_int(st, 13);
	r->tokens_in = (long)sqlite3_column_int64(st, 14);
	r->tokens_out = (long)sqlite3_column_int64(st, 15);
	r->cost = sqlite3_column_double(st, 16);
	r->created_at = ws_col_dup(st, 17);
	r->finished_at = ws_col_dup(st, 18);
	if (!r->status)
		r->status = xstrdup("running");
	if (strcmp(r->status, "running") == 0 && !pid_alive(sqlite3_column_int64(st, 19))) {
		/* The process that ran it is gone (killed, crashed): say so, and
		 * record it when the workspace is writable. */
		sqlite3_stmt *u;
		free(r->status);
		r->status = xstrdup("interrupted");
		if (sqlite3_prepare_v2(ws->db, "UPDATE cl_runs SET status = 'interrupted' WHERE id = ?"
		                       " AND status = 'running'", -1, &u, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(u, 1, r->id);
			sqlite3_step(u);
			sqlite3_finalize(u);
		}
	}
}

int gen_runs_list(struct workspace *ws, size_t limit, struct gen_run_info **out, size_t *n,
                  struct cl_err *err)
{
	sqlite3_stmt *st;
	struct gen_run_info *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (ws_prepare(ws, "SELECT " RUN_COLS " ORDER BY r.id DESC LIMIT ?", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		read_run(ws, st, &v[cnt++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		gen_runs_free(v, cnt);
		return ws_dberr(ws, err, "listing runs");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int gen_run_get(struct workspace *ws, long long run_id, struct gen_run_info **out,
                struct cl_err *err)
{
	sqlite3_stmt *st;
	*out = NULL;
	if (ws_prepare(ws, "SELECT " RUN_COLS " WHERE r.id = ?", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no run %lld (see copylab runs)", run_id);
	}
	*out = xcalloc(1, sizeof **out);
	read_run(ws, st, *out);
	sqlite3_finalize(st);
	return 0;
}

void gen_runs_free(struct gen_run_info *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].status);
		free(v[i].provider);
		free(v[i].model);
		free(v[i].prompt_name);
		free(v[i].segment);
		free(v[i].row_ref);
		free(v[i].feedback);
		free(v[i].created_at);
		free(v[i].finished_at);
	}
	free(v);
}

int gen_variants_list(struct workspace *ws, long long run_id, struct gen_variant **out, size_t *n,
                      struct cl_err *err)
{
	sqlite3_stmt *st;
	struct gen_variant *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (ws_prepare(ws, "SELECT id, run_id, idx, round, parent_id, fields, text, parse_ok, tokens_in,"
	               " tokens_out, latency_ms, cost, cached, error, starred, discarded, created_at"
	               " FROM cl_variants WHERE run_id = ? ORDER BY idx, id", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct gen_variant *x;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		x = &v[cnt++];
		memset(x, 0, sizeof *x);
		x->id = sqlite3_column_int64(st, 0);
		x->run_id = sqlite3_column_int64(st, 1);
		x->idx = sqlite3_column_int(st, 2);
		x->round = sqlite3_column_int(st, 3);
		x->parent_id = sqlite3_column_int64(st, 4);
		x->fields = ws_col_dup(st, 5);
		if (!x->fields)
			x->fields = xstrdup("{}");
		x->text = ws_col_dup(st, 6);
		if (!x->text)
			x->text = xstrdup("");
		x->parse_ok = sqlite3_column_int(st, 7);
		x->tokens_in = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, 8);
		x->tokens_out = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, 9);
		x->latency_ms = sqlite3_column_double(st, 10);
		x->cost = sqlite3_column_double(st, 11);
		x->cached = sqlite3_column_int(st, 12);
		x->error = ws_col_dup(st, 13);
		x->starred = sqlite3_column_int(st, 14);
		x->discarded = sqlite3_column_int(st, 15);
		x->created_at = ws_col_dup(st, 16);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		gen_variants_free(v, cnt);
		return ws_dberr(ws, err, "listing variants");
	}
	*out = v;
	*n = cnt;
	return 0;
}

void gen_variants_free(struct gen_variant *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		variant_clear(&v[i]);
	free(v);
}
