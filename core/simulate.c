/* simulate.c — the SIMULATED audience (see simulate.h for the model). */
#include "core/simulate.h"
#include "core/bandit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_setup_clear(struct sim_setup *s)
{
	for (int i = 0; i < s->narms; i++)
		free(s->name[i]);
	for (int g = 0; g < s->nseg; g++)
		free(s->seg[g].name);
	free(s->seg);
	free(s->cust_seg);
	memset(s, 0, sizeof *s);
}

static void one_segment(struct sim_setup *s, double rate, const char *source)
{
	s->nseg = 1;
	s->seg = xcalloc(1, sizeof *s->seg);
	s->seg[0].name = xstrdup("all");
	s->seg[0].share = 1;
	s->seg[0].base_rate = rate;
	s->seg[0].source = source;
	s->ncust = 1;
	s->cust_seg = xcalloc(1, sizeof *s->cust_seg);
}

int sim_setup_direct(struct sim_setup *s, int k, char *const *names, const double *rates,
                     struct cl_err *err)
{
	memset(s, 0, sizeof *s);
	if (k < 2 || k > AB_MAX_ARMS)
		return cl_err_set(err, CL_EINVAL, "a simulation needs 2 to %d arms (got %d)", AB_MAX_ARMS, k);
	for (int i = 0; i < k; i++) {
		if (!(rates[i] > 0 && rates[i] < 1)) {
			sim_setup_clear(s);
			return cl_err_set(err, CL_EINVAL, "arm '%s': rate must be between 0 and 1 (got %g)",
			                  names[i], rates[i]);
		}
		for (int j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0) {
				sim_setup_clear(s);
				return cl_err_set(err, CL_EINVAL, "arm '%s' given twice", names[i]);
			}
		s->name[i] = xstrdup(names[i]);
		s->rate[i] = rates[i];
		s->mult[i] = 1;
		s->score[i] = NAN;
		s->narms = i + 1;
	}
	s->direct = 1;
	one_segment(s, 0, "given");
	snprintf(s->note, sizeof s->note, "rates given with --arm");
	return 0;
}

/* Base rates by segment from the campaigns table (segment, clicks, impressions). */
static void campaign_rates(struct workspace *ws, struct sim_setup *s, double *overall)
{
	sqlite3_stmt *st;
	int64_t tc = 0, ti = 0;
	*overall = 0;
	if (!ws_table_exists(ws, "campaigns"))
		return;
	if (sqlite3_prepare_v2(ws->db, "SELECT segment, sum(clicks), sum(impressions) FROM campaigns "
	                       "WHERE impressions > 0 AND clicks >= 0 GROUP BY segment", -1, &st,
	                       NULL) != SQLITE_OK)
		return;   /* no such columns: fall back, the note says so */
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *seg = (const char *)sqlite3_column_text(st, 0);
		int64_t c = sqlite3_column_int64(st, 1), im = sqlite3_column_int64(st, 2);
		tc += c;
		ti += im;
		for (int g = 0; seg && g < s->nseg; g++)
			if (strcmp(s->seg[g].name, seg) == 0 && im > 0) {
				s->seg[g].base_rate = (double)c / (double)im;
				s->seg[g].impressions = im;
				s->seg[g].source = "campaigns";
			}
	}
	sqlite3_finalize(st);
	if (ti > 0)
		*overall = (double)tc / (double)ti;
}

int sim_setup_run(struct workspace *ws, long long run_id, double effect, struct sim_setup *s,
                  struct cl_err *err)
{
	sqlite3_stmt *st;
	int rc, nscored = 0;
	double sum = 0;
	memset(s, 0, sizeof *s);
	s->run_id = run_id;
	s->effect = effect > 0 ? effect : SIM_DEFAULT_EFFECT;
	if (ws_prepare(ws, "SELECT v.id, v.idx, (SELECT value FROM cl_scores c WHERE c.variant_id = v.id"
	               " AND c.scorer = 'composite') FROM cl_variants v WHERE v.run_id = ?"
	               " AND v.discarded = 0 AND v.error IS NULL ORDER BY v.idx, v.id", &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->narms == AB_MAX_ARMS) {
			sqlite3_finalize(st);
			sim_setup_clear(s);
			return cl_err_set(err, CL_EINVAL, "run %lld has more than %d variants; discard some first",
			                  run_id, AB_MAX_ARMS);
		}
		int i = s->narms++;
		s->variant_id[i] = sqlite3_column_int64(st, 0);
		s->name[i] = xasprintf("v%d", sqlite3_column_int(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			s->score[i] = sqlite3_column_double(st, 2);
			sum += s->score[i];
			nscored++;
		} else {
			s->score[i] = NAN;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		sim_setup_clear(s);
		return ws_dberr(ws, err, "reading variants");
	}
	if (s->narms < 2) {
		int exists = 0;
		sim_setup_clear(s);
		if (ws_prepare(ws, "SELECT 1 FROM cl_runs WHERE id = ?", &st, err))
			return -1;
		sqlite3_bind_int64(st, 1, run_id);
		exists = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (!exists)
			return cl_err_set(err, CL_ENOTFOUND, "no run %lld (see copylab runs)", run_id);
		return cl_err_set(err, CL_ENOTFOUND, "run %lld has fewer than two usable variants "
		                  "(not failed, not discarded)", run_id);
	}
	s->mean_score = nscored ? sum / nscored : 0;
	for (int i = 0; i < s->narms; i++)
		s->mult[i] = isnan(s->score[i]) ? 1 : exp(s->effect * (s->score[i] - s->mean_score));

	/* the audience: customers by segment */
	int have_cust = ws_table_exists(ws, "customers") &&
	                sqlite3_prepare_v2(ws->db, "SELECT coalesce(segment, '(none)'), count(*) FROM "
	                                   "customers GROUP BY 1 ORDER BY 1", -1, &st, NULL) == SQLITE_OK;
	if (have_cust) {
		int64_t total = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			s->seg = xreallocarray(s->seg, (size_t)s->nseg + 1, sizeof *s->seg);
			struct sim_segment *g = &s->seg[s->nseg++];
			memset(g, 0, sizeof *g);
			g->name = xstrdup((const char *)sqlite3_column_text(st, 0));
			g->impressions = sqlite3_column_int64(st, 1);   /* customer count for now */
			total += g->impressions;
		}
		sqlite3_finalize(st);
		if (total > 0) {
			s->ncust = total;
			s->cust_seg = xcalloc((size_t)total, sizeof *s->cust_seg);
			int64_t at = 0;
			for (int g = 0; g < s->nseg; g++) {
				for (int64_t j = 0; j < s->seg[g].impressions; j++)
					s->cust_seg[at++] = g;
				s->seg[g].share = (double)s->seg[g].impressions / (double)total;
				s->seg[g].impressions = 0;
			}
		} else {
			have_cust = 0;
			for (int g = 0; g < s->nseg; g++)
				free(s->seg[g].name);
			free(s->seg);
			s->seg = NULL;
			s->nseg = 0;
		}
	}
	if (!have_cust)
		one_segment(s, 0, "default");
	double overall;
	campaign_rates(ws, s, &overall);
	int from_camp = 0;
	for (int g = 0; g < s->nseg; g++) {
		if (s->seg[g].impressions > 0) {
			from_camp++;
			continue;
		}
		s->seg[g].base_rate = overall > 0 ? overall : SIM_DEFAULT_RATE;
		s->seg[g].source = overall > 0 ? "all campaigns" : "default";
	}
	snprintf(s->note, sizeof s->note, "%s; base rates: %d of %d segments from past campaigns%s",
	         have_cust ? "customers table" : "no customers table (one segment)", from_camp,
	         s->nseg, overall > 0 ? "" : ", default 2% elsewhere");
	if (nscored < s->narms)
		snprintf(s->note + strlen(s->note), sizeof s->note - strlen(s->note),
		         "; %d variant%s without a composite score (effect 1)", s->narms - nscored,
		         s->narms - nscored == 1 ? "" : "s");
	return 0;
}

double sim_rate(const struct sim_setup *s, int g, int i)
{
	if (s->direct)
		return s->rate[i];
	double p = s->seg[g].base_rate * s->mult[i];
	return p > SIM_MAX_RATE ? SIM_MAX_RATE : p;
}

void sim_result_clear(struct sim_result *r)
{
	exp_data_free(r->data);
	memset(r, 0, sizeof *r);
}

int sim_run(const struct sim_setup *s, enum sim_policy policy, int days, int64_t daily,
            uint64_t seed, struct sim_result *out, struct cl_err *err)
{
	struct bandit_rng rng;
	int k = s->narms;
	int64_t cn[AB_MAX_ARMS] = {0}, cc[AB_MAX_ARMS] = {0};
	int64_t dn[AB_MAX_ARMS], dc[AB_MAX_ARMS];
	double pa[AB_MAX_ARMS], pb[AB_MAX_ARMS];

	memset(out, 0, sizeof *out);
	if (days <= 0 || days > 3650)
		return cl_err_set(err, CL_EINVAL, "--days must be 1 to 3650 (got %d)", days);
	if (daily <= 0 || daily > 100000000)
		return cl_err_set(err, CL_EINVAL, "--daily must be 1 to 100,000,000 (got %lld)",
		                  (long long)daily);
	if ((double)days * (double)daily > 2e9)
		return cl_err_set(err, CL_EINVAL, "days x daily is above 2,000,000,000 visitors");
	if (k < 2)
		return cl_err_set(err, CL_EINVAL, "a simulation needs at least two arms");
	/* expected rates and the best arm */
	for (int i = 0; i < k; i++) {
		double r = 0;
		for (int g = 0; g < s->nseg; g++)
			r += s->seg[g].share * sim_rate(s, g, i);
		out->true_rate[i] = r;
		if (out->true_rate[i] > out->true_rate[out->best])
			out->best = i;
	}
	double fixed_loss = 0;
	for (int i = 0; i < k; i++)
		fixed_loss += (out->true_rate[out->best] - out->true_rate[i]) / k;
	out->data = exp_data_new();
	bandit_rng_seed(&rng, seed);
	for (int d = 0; d < days; d++) {
		char day[32];
		snprintf(day, sizeof day, "day-%03d", d + 1);
		for (int i = 0; i < k; i++) {
			dn[i] = dc[i] = 0;
			pa[i] = 1 + (double)cc[i];
			pb[i] = 1 + (double)(cn[i] - cc[i]);
		}
		for (int64_t v = 0; v < daily; v++) {
			int g = s->cust_seg[bandit_rng_below(&rng, (uint64_t)s->ncust)];
			int arm = policy == SIM_THOMPSON ? bandit_thompson_pick(&rng, k, pa, pb)
			                                 : (int)bandit_rng_below(&rng, (uint64_t)k);
			double p = sim_rate(s, g, arm);
			dn[arm]++;
			if (bandit_rng_u01(&rng) < p)
				dc[arm]++;
			/* the best arm is best for every segment (a common multiplier) */
			out->regret += sim_rate(s, g, out->best) - p;
		}
		for (int i = 0; i < k; i++) {
			if (exp_data_add(out->data, s->name[i], day, dn[i], dc[i], -1, NAN, NAN, err)) {
				sim_result_clear(out);
				return -1;
			}
			cn[i] += dn[i];
			cc[i] += dc[i];
		}
	}
	for (int i = 0; i < k; i++)
		out->data->variant_id[i] = s->variant_id[i];
	out->visitors = (int64_t)days * daily;
	out->regret_fixed = fixed_loss * (double)out->visitors;
	return 0;
}

int sim_save(struct workspace *ws, struct exp_meta *meta, const struct sim_setup *s,
             const struct sim_result *r, enum sim_policy policy, int days, int64_t daily,
             uint64_t seed, int replace, struct cl_err *err)
{
	char params[512];
	snprintf(params, sizeof params,
	         "{\"label\":\"SIMULATED\",\"policy\":\"%s\",\"seed\":%llu,\"days\":%d,\"daily\":%lld,"
	         "\"effect\":%.6g,\"regret\":%.6g,\"regret_fixed\":%.6g}",
	         policy == SIM_THOMPSON ? "thompson" : "fixed", (unsigned long long)seed, days,
	         (long long)daily, s->effect, r->regret, r->regret_fixed);
	meta->simulated = 1;
	meta->run_id = s->run_id;
	meta->planned_n = (int64_t)days * daily / s->narms;
	free(meta->params);
	meta->params = xstrdup(params);
	if (!meta->source)
		meta->source = xstrdup("simulate");
	if (!meta->control)
		meta->control = xstrdup(s->name[0]);
	if (policy == SIM_THOMPSON && !meta->split)
		meta->split = xstrdup("adaptive");
	return exp_save(ws, meta, r->data, replace, err);
}
