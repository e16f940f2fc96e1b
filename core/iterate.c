/* iterate.c — winners, next-round prompts, offline rounds, lineage, history. */
#include "core/iterate.h"
#include "core/abstats.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void iterate_label(int idx, char *buf, size_t size)
{
	char tmp[8];
	int n = 0;
	if (idx < 0)
		idx = 0;
	do {
		tmp[n++] = (char)('A' + idx % 26);
		idx = idx / 26 - 1;
	} while (idx >= 0 && n < 7);
	size_t i = 0;
	for (; n > 0 && i + 1 < size; i++)
		buf[i] = tmp[--n];
	if (size)
		buf[i] = 0;
}

/* Fill one winner from its variant row; returns -1 when the variant is missing. */
static int load_winner(struct workspace *ws, long long vid, struct iter_winner *w, struct cl_err *err)
{
	sqlite3_stmt *st;
	int rc;
	memset(w, 0, sizeof *w);
	if (ws_prepare(ws, "SELECT run_id, idx, coalesce(fields,'{}'), coalesce(text,'') "
	                   "FROM cl_variants WHERE id = ?", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, vid);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no variant %lld", vid);
	}
	w->variant_id = vid;
	w->run_id = sqlite3_column_int64(st, 0);
	w->idx = sqlite3_column_int(st, 1);
	w->fields = ws_col_dup(st, 2);
	w->text = ws_col_dup(st, 3);
	sqlite3_finalize(st);
	if (ws_prepare(ws, "SELECT scorer, value FROM cl_scores WHERE variant_id = ? AND value IS NOT NULL "
	                   "ORDER BY scorer = '" ITERATE_COMPOSITE "' DESC, scorer", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, vid);
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (w->nscores == cap)
			w->scores = xreallocarray(w->scores, cap = cap ? cap * 2 : 8, sizeof *w->scores);
		w->scores[w->nscores].scorer = ws_col_dup(st, 0);
		w->scores[w->nscores].value = sqlite3_column_double(st, 1);
		w->nscores++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_dberr(ws, err, "reading scores");
	return 0;
}

static void winner_clear(struct iter_winner *w)
{
	free(w->fields);
	free(w->text);
	for (size_t i = 0; i < w->nscores; i++)
		free(w->scores[i].scorer);
	free(w->scores);
}

void iter_winners_clear(struct iter_winners *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		winner_clear(&w->v[i]);
	free(w->v);
	free(w->basis);
	memset(w, 0, sizeof *w);
}

static int run_round(struct workspace *ws, long long run_id, int *round, struct cl_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws, "SELECT round FROM cl_runs WHERE id = ?", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no run %lld", run_id);
	}
	*round = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Load the winners whose ids are given (ranked values alongside). */
static int fill_winners(struct workspace *ws, const long long *ids, const double *vals, size_t n,
                        const char *basis, struct iter_winners *out, struct cl_err *err)
{
	memset(out, 0, sizeof *out);
	out->v = xcalloc(n ? n : 1, sizeof *out->v);
	for (size_t i = 0; i < n; i++) {
		if (load_winner(ws, ids[i], &out->v[i], err)) {
			iter_winners_clear(out);
			return -1;
		}
		out->n++;
		out->v[i].rank_value = vals ? vals[i] : NAN;
	}
	out->basis = xstrdup(basis);
	if (n) {
		out->run_id = out->v[0].run_id;
		if (run_round(ws, out->run_id, &out->round, err)) {
			iter_winners_clear(out);
			return -1;
		}
	}
	return 0;
}

int iterate_winners_by_score(struct workspace *ws, long long run_id, size_t k, const char *scorer,
                             struct iter_winners *out, struct cl_err *err)
{
	sqlite3_stmt *st;
	long long *ids;
	double *vals;
	size_t n = 0;
	int rc;
	if (!scorer || !*scorer)
		scorer = ITERATE_COMPOSITE;
	if (k == 0)
		k = 2;
	/* the chosen score, else the mean of the variant's scores, ranked below any chosen score */
	if (ws_prepare(ws,
	        "SELECT v.id, s.value, (SELECT avg(value) FROM cl_scores WHERE variant_id = v.id) "
	        "FROM cl_variants v LEFT JOIN cl_scores s ON s.variant_id = v.id AND s.scorer = ?2 "
	        "WHERE v.run_id = ?1 AND v.discarded = 0 AND v.error IS NULL "
	        "ORDER BY s.value IS NULL, s.value DESC, v.starred DESC, 3 DESC, v.idx LIMIT ?3",
	        &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, scorer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)k);
	ids = xcalloc(k, sizeof *ids);
	vals = xcalloc(k, sizeof *vals);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < k) {
		ids[n] = sqlite3_column_int64(st, 0);
		vals[n] = sqlite3_column_type(st, 1) != SQLITE_NULL ? sqlite3_column_double(st, 1)
		        : sqlite3_column_type(st, 2) != SQLITE_NULL ? sqlite3_column_double(st, 2) : NAN;
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		free(ids);
		free(vals);
		return ws_dberr(ws, err, "ranking variants");
	}
	if (n == 0) {
		free(ids);
		free(vals);
		return cl_err_set(err, CL_ENOTFOUND, "run %lld has no usable variant to iterate on", run_id);
	}
	char *basis = strcmp(scorer, ITERATE_COMPOSITE) == 0 ? xstrdup(scorer)
	            : xasprintf("scorer %s", scorer);
	rc = fill_winners(ws, ids, vals, n, basis, out, err);
	free(basis);
	free(ids);
	free(vals);
	return rc;
}

int iterate_winners_by_experiment(struct workspace *ws, const char *experiment, size_t k,
                                  struct iter_winners *out, struct cl_err *err)
{
	sqlite3_stmt *st;
	struct ab_input in;
	struct ab_result res;
	long long vid[AB_MAX_ARMS];
	char *names[AB_MAX_ARMS];
	char *control = NULL;
	int rc;
	memset(&in, 0, sizeof in);
	if (ws_prepare(ws,
	        "SELECT a.name, a.variant_id, coalesce(sum(r.n),0), coalesce(sum(r.conversions),0), "
	        "  e.control_arm "
	        "FROM cl_experiments e JOIN cl_arms a ON a.experiment_id = e.id "
	        "LEFT JOIN cl_results r ON r.arm_id = a.id WHERE e.name = ? GROUP BY a.id ORDER BY a.id",
	        &st, err))
		return -1;
	sqlite3_bind_text(st, 1, experiment, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && in.narms < AB_MAX_ARMS) {
		int i = in.narms++;
		names[i] = ws_col_dup(st, 0);
		in.name[i] = names[i];
		vid[i] = sqlite3_column_int64(st, 1);
		in.n[i] = sqlite3_column_int64(st, 2);
		in.conv[i] = sqlite3_column_int64(st, 3);
		if (!control)
			control = ws_col_dup(st, 4);
	}
	sqlite3_finalize(st);
	for (int i = 0; i < in.narms; i++)
		if (control && strcmp(names[i], control) == 0)
			in.control = i;
	if (in.narms == 0)
		rc = cl_err_set(err, CL_ENOTFOUND, "no experiment '%s' with arms", experiment);
	else if (ab_analyze(&in, &res, NULL, err))
		rc = cl_err_prefix(err, "experiment '%s'", experiment);
	else
		rc = 0;
	if (rc == 0) {
		/* rank arms with a variant by P(best) */
		int order[AB_MAX_ARMS], m = 0;
		for (int i = 0; i < in.narms; i++)
			if (vid[i] > 0)
				order[m++] = i;
		for (int i = 1; i < m; i++)
			for (int j = i; j > 0 && res.arm[order[j]].prob_best > res.arm[order[j - 1]].prob_best; j--) {
				int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
			}
		if (m == 0) {
			rc = cl_err_set(err, CL_ENOTFOUND, "experiment '%s': no arm is linked to a variant",
			                experiment);
		} else {
			long long ids[AB_MAX_ARMS];
			double vals[AB_MAX_ARMS];
			size_t n = k && k < (size_t)m ? k : (size_t)m;
			for (size_t i = 0; i < n; i++) {
				ids[i] = vid[order[i]];
				vals[i] = res.arm[order[i]].rate;
			}
			char *basis = xasprintf("experiment %s (P(best))", experiment);
			rc = fill_winners(ws, ids, vals, n, basis, out, err);
			free(basis);
		}
	}
	for (int i = 0; i < in.narms; i++)
		free(names[i]);
	free(control);
	return rc;
}

int iterate_winners_from_ids(struct workspace *ws, const long long *ids, size_t n,
                             struct iter_winners *out, struct cl_err *err)
{
	if (n == 0)
		return cl_err_set(err, CL_EINVAL, "no winners chosen");
	return fill_winners(ws, ids, NULL, n, "chosen by hand", out, err);
}

char *iterate_prompt_section(const struct iter_winners *w, const char *feedback,
                             const char *language)
{
	int zh = language && strncmp(language, "zh", 2) == 0;
	struct sbuf sb = SBUF_INIT;
	char label[8];
	if (zh)
		sbuf_addf(&sb, "## 第 %d 轮的胜出文案（按%s排序，最好的在前）\n", w->round,
		          strcmp(w->basis ? w->basis : "", ITERATE_COMPOSITE) == 0 ? "综合评分" : "结果");
	else
		sbuf_addf(&sb, "## Winners of round %d (ranked by %s, best first)\n", w->round,
		          w->basis ? w->basis : ITERATE_COMPOSITE);
	for (size_t i = 0; i < w->n; i++) {
		const struct iter_winner *v = &w->v[i];
		iterate_label(v->idx, label, sizeof label);
		sbuf_addf(&sb, "%zu. %s%s", i + 1, zh ? "文案 " : "variant ", label);
		if (v->nscores) {
			sbuf_adds(&sb, zh ? "（评分：" : " (scores: ");
			for (size_t j = 0; j < v->nscores && j < 8; j++)
				sbuf_addf(&sb, "%s%s %.2f", j ? ", " : "", v->scores[j].scorer, v->scores[j].value);
			sbuf_adds(&sb, zh ? "）" : ")");
		}
		sbuf_addf(&sb, "\n   %s\n", v->fields && strcmp(v->fields, "{}") ? v->fields : v->text);
	}
	if (feedback && *feedback)
		sbuf_addf(&sb, zh ? "\n## 营销人员的反馈\n%s\n" : "\n## Feedback from the marketer\n%s\n", feedback);
	sbuf_adds(&sb, zh ? "\n## 任务\n在胜出文案的基础上写出改进版：保留它们有效的地方，落实上面的反馈，"
	                    "每个新文案都要与其他文案不同，字段与原来相同。\n"
	                  : "\n## Task\nWrite improved variants that build on the winners: keep what made "
	                    "them work, act on the feedback above, make every new variant different from "
	                    "the others, and keep the same fields.\n");
	return sbuf_detach(&sb);
}

int iterate_add_parent(struct workspace *ws, long long variant_id, long long parent_id,
                       struct cl_err *err)
{
	sqlite3_stmt *st;
	int rc;
	if (ws_prepare(ws, "UPDATE cl_variants SET parent_id = ?2 WHERE id = ?1 AND parent_id IS NULL",
	               &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, variant_id);
	sqlite3_bind_int64(st, 2, parent_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_dberr(ws, err, "linking a variant to its parent");
	if (ws_prepare(ws, "INSERT OR IGNORE INTO cl_variant_parents(variant_id, parent_id) VALUES(?, ?)",
	               &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, variant_id);
	sqlite3_bind_int64(st, 2, parent_id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_dberr(ws, err, "linking a variant to its parent");
	return 0;
}

int iterate_link_round(struct workspace *ws, long long new_run, long long parent_run,
                       const char *feedback, const struct iter_winners *w, int all_parents,
                       struct cl_err *err)
{
	sqlite3_stmt *st;
	long long *vids = NULL;
	size_t n = 0, cap = 0;
	int round, rc;
	if (run_round(ws, parent_run, &round, err))
		return -1;
	if (ws_begin(ws, err))
		return -1;
	if (ws_prepare(ws, "UPDATE cl_runs SET round = ?2, parent_run = ?3, feedback = ?4 WHERE id = ?1",
	               &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, new_run);
	sqlite3_bind_int(st, 2, round + 1);
	sqlite3_bind_int64(st, 3, parent_run);
	if (feedback && *feedback)
		sqlite3_bind_text(st, 4, feedback, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || sqlite3_changes(ws->db) == 0) {
		if (rc == SQLITE_DONE)
			cl_err_set(err, CL_ENOTFOUND, "no run %lld", new_run);
		else
			ws_dberr(ws, err, "marking the round");
		goto fail;
	}
	if (ws_prepare(ws, "UPDATE cl_variants SET round = ?2 WHERE run_id = ?1", &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, new_run);
	sqlite3_bind_int(st, 2, round + 1);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ws_dberr(ws, err, "marking the round");
		goto fail;
	}
	if (ws_prepare(ws, "SELECT id FROM cl_variants WHERE run_id = ? ORDER BY idx", &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, new_run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap)
			vids = xreallocarray(vids, cap = cap ? cap * 2 : 16, sizeof *vids);
		vids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; w && w->n && i < n; i++) {
		if (iterate_add_parent(ws, vids[i], w->v[i % w->n].variant_id, err))
			goto fail;
		for (size_t j = 0; all_parents && j < w->n; j++)
			if (iterate_add_parent(ws, vids[i], w->v[j].variant_id, err))
				goto fail;
	}
	free(vids);
	return ws_commit(ws, err);
fail:
	free(vids);
	ws_rollback(ws);
	return -1;
}

/* ---- history ---- */

/* First field's text of a variant, for one line of a tree. */
static char *summary_of(const char *fields, const char *text)
{
	cJSON *j = fields ? cJSON_Parse(fields) : NULL;
	char *s = NULL;
	if (j && cJSON_IsObject(j)) {
		for (cJSON *c = j->child; c && !s; c = c->next)
			if (cJSON_IsString(c) && c->valuestring[0])
				s = xstrdup(c->valuestring);
	}
	cJSON_Delete(j);
	if (!s)
		s = xstrdup(text ? text : "");
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return s;
}

void iterate_history_free(struct iter_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nrounds; i++) {
		struct iter_round *r = &h->rounds[i];
		free(r->feedback); free(r->provider); free(r->model); free(r->status);
		free(r->created_at); free(r->prompt_name);
	}
	for (size_t i = 0; i < h->nnodes; i++) {
		free(h->nodes[i].parents);
		free(h->nodes[i].summary);
	}
	free(h->rounds);
	free(h->nodes);
	free(h);
}

int iterate_history(struct workspace *ws, long long run_id, struct iter_history **out,
                    struct cl_err *err)
{
	sqlite3_stmt *st;
	struct iter_history *h = xcalloc(1, sizeof *h);
	long long *ids = NULL, *par = NULL;
	size_t n = 0, cap = 0, rcap = 0, ncap = 0;
	int rc;

	*out = NULL;
	/* every run and its parent, to find the lineage in memory */
	if (ws_prepare(ws, "SELECT id, coalesce(parent_run, 0) FROM cl_runs ORDER BY id", &st, err))
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			ids = xreallocarray(ids, cap, sizeof *ids);
			par = xreallocarray(par, cap, sizeof *par);
		}
		ids[n] = sqlite3_column_int64(st, 0);
		par[n] = sqlite3_column_int64(st, 1);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ws_dberr(ws, err, "reading runs");
		goto fail;
	}
	long long root = 0;
	if (run_id) {
		long long cur = run_id;
		int found = 0;
		for (size_t guard = 0; guard <= n; guard++) {
			size_t i;
			for (i = 0; i < n && ids[i] != cur; i++)
				;
			if (i == n)
				break;
			found = 1;
			root = cur;
			if (!par[i])
				break;
			cur = par[i];
		}
		if (!found) {
			cl_err_set(err, CL_ENOTFOUND, "no run %lld", run_id);
			goto fail;
		}
	}
	/* keep[i]: run i descends from root (runs are ordered by id and a parent is older) */
	char *keep = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (!root || ids[i] == root) {
			keep[i] = 1;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (keep[j] && ids[j] == par[i])
				keep[i] = 1;
	}

	if (ws_prepare(ws,
	        "SELECT r.id, coalesce(r.parent_run,0), r.round, r.feedback, r.provider, r.model, r.status,"
	        " r.created_at, p.name, coalesce(p.version,0),"
	        " (SELECT max(s.value) FROM cl_variants v JOIN cl_scores s ON s.variant_id = v.id"
	        "   AND s.scorer = '" ITERATE_COMPOSITE "' WHERE v.run_id = r.id AND v.discarded = 0),"
	        " (SELECT max(CAST(t.c AS REAL) / t.n) FROM (SELECT sum(res.conversions) c, sum(res.n) n"
	        "   FROM cl_arms a JOIN cl_results res ON res.arm_id = a.id JOIN cl_variants v"
	        "   ON v.id = a.variant_id WHERE v.run_id = r.id GROUP BY a.id) t WHERE t.n > 0),"
	        " (SELECT count(*) FROM cl_variants v WHERE v.run_id = r.id)"
	        " FROM cl_runs r LEFT JOIN cl_prompts p ON p.id = r.prompt_id ORDER BY r.round, r.id",
	        &st, err)) {
		free(keep);
		goto fail;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		size_t i;
		for (i = 0; i < n && ids[i] != id; i++)
			;
		if (i == n || !keep[i])
			continue;
		if (h->nrounds == rcap)
			h->rounds = xreallocarray(h->rounds, rcap = rcap ? rcap * 2 : 8, sizeof *h->rounds);
		struct iter_round *r = &h->rounds[h->nrounds++];
		memset(r, 0, sizeof *r);
		r->run_id = id;
		r->parent_run = sqlite3_column_int64(st, 1);
		r->round = sqlite3_column_int(st, 2);
		r->feedback = ws_col_dup(st, 3);
		r->provider = ws_col_dup(st, 4);
		r->model = ws_col_dup(st, 5);
		r->status = ws_col_dup(st, 6);
		r->created_at = ws_col_dup(st, 7);
		r->prompt_name = ws_col_dup(st, 8);
		r->prompt_version = sqlite3_column_int(st, 9);
		r->best = ws_col_real(st, 10);
		r->best_rate = ws_col_real(st, 11);
		r->nvariants = (size_t)sqlite3_column_int64(st, 12);
	}
	sqlite3_finalize(st);
	free(keep);
	if (rc != SQLITE_DONE) {
		ws_dberr(ws, err, "reading rounds");
		goto fail;
	}

	if (ws_prepare(ws,
	        "SELECT v.id, v.run_id, coalesce(v.parent_id,0), v.round, v.idx, v.starred, v.discarded,"
	        " (SELECT value FROM cl_scores s WHERE s.variant_id = v.id AND s.scorer = '"
	        ITERATE_COMPOSITE "'), v.fields, v.text,"
	        " (SELECT group_concat(parent_id) FROM cl_variant_parents vp WHERE vp.variant_id = v.id)"
	        " FROM cl_variants v JOIN cl_runs r ON r.id = v.run_id ORDER BY r.round, v.run_id, v.idx",
	        &st, err))
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long run = sqlite3_column_int64(st, 1);
		size_t i;
		for (i = 0; i < h->nrounds && h->rounds[i].run_id != run; i++)
			;
		if (i == h->nrounds)
			continue;
		if (h->nnodes == ncap)
			h->nodes = xreallocarray(h->nodes, ncap = ncap ? ncap * 2 : 32, sizeof *h->nodes);
		struct iter_node *v = &h->nodes[h->nnodes++];
		memset(v, 0, sizeof *v);
		v->variant_id = sqlite3_column_int64(st, 0);
		v->run_id = run;
		v->parent_id = sqlite3_column_int64(st, 2);
		v->round = sqlite3_column_int(st, 3);
		v->idx = sqlite3_column_int(st, 4);
		v->starred = sqlite3_column_int(st, 5);
		v->discarded = sqlite3_column_int(st, 6);
		v->composite = ws_col_real(st, 7);
		v->summary = summary_of((const char *)sqlite3_column_text(st, 8),
		                        (const char *)sqlite3_column_text(st, 9));
		/* parents: parent_id first, then the others from cl_variant_parents */
		const char *list = (const char *)sqlite3_column_text(st, 10);
		size_t pc = 0;
		if (v->parent_id) {
			v->parents = xreallocarray(v->parents, pc = 4, sizeof *v->parents);
			v->parents[v->nparents++] = v->parent_id;
		}
		for (const char *p = list; p && *p;) {
			char *end;
			long long pid = strtoll(p, &end, 10);
			if (end == p)
				break;
			int dup = 0;
			for (size_t k = 0; k < v->nparents; k++)
				dup |= v->parents[k] == pid;
			if (!dup) {
				if (v->nparents == pc)
					v->parents = xreallocarray(v->parents, pc = pc ? pc * 2 : 4, sizeof *v->parents);
				v->parents[v->nparents++] = pid;
			}
			p = *end == ',' ? end + 1 : end;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ws_dberr(ws, err, "reading variants");
		goto fail;
	}
	free(ids);
	free(par);
	*out = h;
	return 0;
fail:
	free(ids);
	free(par);
	iterate_history_free(h);
	return -1;
}
