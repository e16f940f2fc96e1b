/* iterate_next.c — the next round's generation request and a blocking run of
 * it (see iterate.h). Kept apart from iterate.c so the lineage and history
 * code links without the generation engine. */
#include "core/iterate.h"
#include "core/generate.h"
#include "core/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) { return s && *s ? xstrdup(s) : NULL; }

void iter_next_clear(struct iter_next *n)
{
	if (!n)
		return;
	free(n->template_name); free(n->prompt_text); free(n->row); free(n->segment);
	free(n->extra_prompt); free(n->feedback); free(n->mutation); free(n->provider);
	free(n->model); free(n->parent_ids);
	memset(n, 0, sizeof *n);
}

int iterate_next_spec(struct workspace *ws, const struct iter_winners *w,
                      const struct iter_next_opts *opts, struct iter_next *out, struct cl_err *err)
{
	static const struct iter_next_opts none = {0};
	sqlite3_stmt *st;
	char *language = NULL;
	memset(out, 0, sizeof *out);
	if (!opts)
		opts = &none;
	if (!w || w->n == 0)
		return cl_err_set(err, CL_EINVAL, "no winners to iterate on");
	if (ws_prepare(ws,
	        "SELECT p.name, p.version, r.prompt_text, r.row_ref, r.segment,"
	        " coalesce(p.id, 0)"
	        " FROM cl_runs r LEFT JOIN cl_prompts p ON p.id = r.prompt_id WHERE r.id = ?", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, w->run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no run %lld", w->run_id);
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		out->template_name = xasprintf("%s@%d", (const char *)sqlite3_column_text(st, 0),
		                               sqlite3_column_int(st, 1));
	else
		out->prompt_text = ws_col_dup(st, 2);
	out->row = ws_col_dup(st, 3);
	out->segment = ws_col_dup(st, 4);
	long long prompt_id = sqlite3_column_int64(st, 5);
	sqlite3_finalize(st);
	if (prompt_id) {
		struct template *t = NULL;
		if (template_load_id(ws, prompt_id, &t, err)) {
			iter_next_clear(out);
			return -1;
		}
		language = t->language ? xstrdup(t->language) : NULL;
		template_free(t);
	}
	if (!out->template_name && !out->prompt_text) {
		iter_next_clear(out);
		free(language);
		return cl_err_set(err, CL_EINVAL, "run %lld has neither a template nor a prompt text",
		                  w->run_id);
	}
	out->extra_prompt = iterate_prompt_section(w, opts->feedback, language);
	free(language);
	out->feedback = dup_or_null(opts->feedback);
	out->mutation = xstrdup(opts->mutations && *opts->mutations ? opts->mutations
	                        : "sharpen_cta,add_urgency,shorten,add_proof,personalise,change_tone");
	out->provider = dup_or_null(opts->provider);
	out->model = dup_or_null(opts->model);
	out->nparents = w->n;
	out->parent_ids = xcalloc(w->n, sizeof *out->parent_ids);
	for (size_t i = 0; i < w->n; i++)
		out->parent_ids[i] = w->v[i].variant_id;

	struct gen_spec *s = &out->spec;
	s->template_name = out->template_name;
	s->prompt_text = out->prompt_text;
	s->row = out->row;
	s->segment = out->segment;
	s->extra_prompt = out->extra_prompt;
	s->n = (int)(w->n * (opts->per_winner ? opts->per_winner : 2));
	s->provider = out->provider;
	s->model = out->model;
	s->temperature = -1;
	s->top_p = -1;
	s->seed = opts->seed > 0 ? opts->seed : -1;
	s->round = w->round + 1;
	s->parent_run = w->run_id;
	s->feedback = out->feedback;
	s->parent_ids = out->parent_ids;
	s->nparents = out->nparents;
	s->mutation = out->mutation;
	return 0;
}

struct sync_state {
	int       done;
	long long run_id;
	char      status[16];
};

static void sync_done(void *ud, long long run_id, const char *status)
{
	struct sync_state *s = ud;
	s->done = 1;
	s->run_id = run_id;
	snprintf(s->status, sizeof s->status, "%s", status ? status : "?");
}

int iterate_run_round(struct workspace *ws, struct cl_config *cfg, const struct iter_winners *w,
                      const struct iter_next_opts *opts, long long *new_run, struct cl_err *err)
{
	struct iter_next next;
	struct gen_job *job = NULL;
	struct sync_state s = {0};
	struct gen_callbacks cb = { .on_done = sync_done };
	int rc = -1;
	if (iterate_next_spec(ws, w, opts, &next, err))
		return -1;
	if (gen_job_start(ws, cfg, &next.spec, &cb, &s, &job, err))
		goto out;
	while (!s.done) {
		if (gen_job_poll(job, NULL, 0, 200, err) < 0) {
			gen_job_cancel(job);
			goto out;
		}
	}
	long long run = gen_job_run_id(job);
	int local = gen_job_local(job);
	if (strcmp(s.status, "done") != 0) {
		cl_err_set(err, CL_EIO, "round %d: generation %s", w->round + 1, s.status);
		goto out;
	}
	if (iterate_link_round(ws, run, w->run_id, next.feedback, w, !local, err))
		goto out;
	if (new_run)
		*new_run = run;
	rc = 0;
out:
	if (job)
		gen_job_free(job);
	iter_next_clear(&next);
	return rc;
}
