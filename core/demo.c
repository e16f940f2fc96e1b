/* demo.c — prepare the sample workspace for --demo (see demo.h). */
#include "core/demo.h"
#include "core/abstats.h"
#include "core/config.h"
#include "core/dataset.h"
#include "core/experiment.h"
#include "core/generate.h"
#include "core/iterate.h"
#include "core/paths.h"
#include "core/plugin.h"
#include "core/segment.h"
#include "core/template.h"
#include "core/workflow.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_TEMPLATE   "spring-email"
#define DEMO_ROW        "products:1"
#define DEMO_SEGMENT    "loyal-east"
#define DEMO_SEGMENT_WHERE "segment = 'loyal' AND region = 'East China'"
#define DEMO_EXPERIMENT "spring-email-test"

int demo_is_prepared(struct workspace *ws)
{
	char *v = ws_meta_get(ws, "demo");
	int yes = v && strcmp(v, "1") == 0;
	free(v);
	return yes;
}

static int import_templates(struct workspace *ws, struct cl_err *err)
{
	char *dir = cl_data_path("sample-data/templates");
	DIR *d;
	struct dirent *e;
	int rc = 0;
	if (!dir)
		return cl_err_set(err, CL_ENOTFOUND, "the bundled sample-data/templates folder is missing");
	if (!(d = opendir(dir))) {
		cl_err_set(err, CL_EIO, "%s: cannot open", dir);
		free(dir);
		return -1;
	}
	while (rc == 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".tmpl") != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		rc = template_import(ws, path, NULL, NULL, NULL, err);
		free(path);
	}
	closedir(d);
	free(dir);
	return rc;
}

int demo_sample_extras(struct workspace *ws, int *changed, struct cl_err *err)
{
	struct tpl_info *v = NULL;
	struct segment *sv = NULL;
	size_t n = 0, ns = 0;
	if (changed)
		*changed = 0;
	/* only a workspace whose products came from the bundled sample */
	struct ds_info info = {0};
	struct cl_err e2 = {0};
	if (ds_get(ws, "products", &info, &e2) != 0)
		return 0;
	int sample = info.source && strstr(info.source, "sample-data") != NULL;
	ds_info_clear(&info);
	if (!sample)
		return 0;
	if (template_list(ws, &v, &n, err))
		return -1;
	tpl_info_free(v, n);
	if (!n) {
		if (import_templates(ws, err))
			return -1;
		if (changed)
			*changed = 1;
	}
	if (!ws_table_exists(ws, "customers"))
		return 0;
	if (segment_list(ws, &sv, &ns, err))
		return -1;
	segment_list_free(sv, ns);
	if (!ns) {
		if (segment_add(ws, DEMO_SEGMENT, "customers", DEMO_SEGMENT_WHERE, 0, NULL, err))
			return -1;
		if (changed)
			*changed = 1;
	}
	return 0;
}

struct wait_state {
	int  done;
	char status[16];
};

static void on_done(void *ud, long long run_id, const char *status)
{
	struct wait_state *w = ud;
	w->done = 1;
	snprintf(w->status, sizeof w->status, "%s", status ? status : "?");
}

/* Generate round 1 and wait for it. */
static int round_one(struct workspace *ws, struct cl_config *cfg, long long *run, struct cl_err *err)
{
	struct gen_spec spec = {
		.template_name = DEMO_TEMPLATE, .row = DEMO_ROW, .segment = DEMO_SEGMENT,
		.n = 4, .provider = "offline", .temperature = -1, .top_p = -1, .seed = 7,
	};
	struct gen_callbacks cb = { .on_done = on_done };
	struct wait_state w = {0};
	struct gen_job *job;
	if (gen_job_start(ws, cfg, &spec, &cb, &w, &job, err))
		return -1;
	while (!w.done)
		if (gen_job_poll(job, NULL, 0, 200, err) < 0) {
			gen_job_free(job);
			return -1;
		}
	*run = gen_job_run_id(job);
	gen_job_free(job);
	if (strcmp(w.status, "done") != 0)
		return cl_err_set(err, CL_EIO, "demo: generating round 1 %s", w.status);
	return 0;
}

/* The sample A/B test, its arms linked to round 1's variants A, B, C. */
static int store_experiment(struct workspace *ws, long long run, struct cl_err *err)
{
	char *path = cl_data_path("sample-data/data/ab_results.csv");
	struct exp_data *d = NULL;
	struct wf_run *r = NULL;
	struct exp_meta meta = {0};
	int rc = -1;
	if (!path)
		return cl_err_set(err, CL_ENOTFOUND, "the bundled sample-data/data/ab_results.csv is missing");
	if (exp_data_read_csv(path, NULL, 0, &d, err))
		goto out;
	if (wf_run_load(ws, run, &r, err))
		goto out;
	for (int i = 0; i < d->narms; i++) {
		/* arm "A" is the first variant, "B" the second, ... */
		const char *a = d->arm[i];
		if (a[0] >= 'A' && a[0] <= 'Z' && !a[1] && (size_t)(a[0] - 'A') < r->nv)
			d->variant_id[i] = r->v[a[0] - 'A'].id;
	}
	/* planned size: what a 10% relative lift on the control's rate needs */
	int64_t n0 = 0, c0 = 0;
	for (int day = 0; day < d->ndays; day++) {
		n0 += d->n[day * d->narms];
		c0 += d->conv[day * d->narms];
	}
	struct ab_plan_in pin = { .baseline = n0 ? (double)c0 / (double)n0 : 0.04, .mde = 0.10,
	                          .arms = d->narms };
	struct ab_plan_out pout;
	if (ab_plan(&pin, &pout, err))
		goto out;
	meta.name = DEMO_EXPERIMENT;
	meta.run_id = run;
	meta.control = d->arm[0];
	meta.planned_n = pout.n_per_arm;
	meta.source = path;
	if (exp_save(ws, &meta, d, 1, err))
		goto out;
	rc = 0;
out:
	exp_data_free(d);
	wf_run_free(r);
	free(path);
	return rc;
}

int demo_prepare(struct workspace *ws, cl_progress_fn progress, void *pctx, struct demo_info *info,
                 struct cl_err *err)
{
	struct demo_info local;
	struct cl_config *cfg = NULL;
	struct plugin_host *host = NULL;   /* only when config.json names a plugin's type */
	struct iter_winners w = {0};
	int rc = -1;
	if (!info)
		info = &local;
	memset(info, 0, sizeof *info);
	snprintf(info->experiment, sizeof info->experiment, "%s", DEMO_EXPERIMENT);
	if (demo_is_prepared(ws)) {
		info->already = 1;
		return 0;
	}
	if (!ws_table_exists(ws, "products")) {
		if (ds_import_samples(ws, NULL, progress, pctx, NULL, err))
			return cl_err_prefix(err, "demo: importing the sample data");
		info->imported = 1;
	}
	struct segment seg;
	if (segment_get(ws, DEMO_SEGMENT, &seg, err) == 0) {
		segment_clear(&seg);
	} else if (segment_add(ws, DEMO_SEGMENT, "customers", DEMO_SEGMENT_WHERE, 1, NULL, err)) {
		return cl_err_prefix(err, "demo: segment %s", DEMO_SEGMENT);
	}
	cl_err_clear(err);
	if (import_templates(ws, err))
		return cl_err_prefix(err, "demo: templates");
	if (plugin_config_load(&host, &cfg, err))
		return -1;
	if (round_one(ws, cfg, &info->run[0], err) ||
	    wf_score_run(ws, info->run[0], NULL, err) ||
	    store_experiment(ws, info->run[0], err))
		goto out;
	/* round 2: from the A/B winners */
	struct iter_next_opts o2 = { .per_winner = 2, .provider = "offline", .seed = 11,
	                             .feedback = "更温暖一些，主题再短一点，突出明前的新鲜" };
	if (iterate_winners_by_experiment(ws, DEMO_EXPERIMENT, 2, &w, err) ||
	    iterate_run_round(ws, cfg, &w, &o2, &info->run[1], err) ||
	    wf_score_run(ws, info->run[1], NULL, err))
		goto out;
	iter_winners_clear(&w);
	/* round 3: from round 2's best scores */
	struct iter_next_opts o3 = { .per_winner = 2, .provider = "offline", .seed = 13,
	                             .feedback = "加一点紧迫感：限量、本周截止" };
	if (iterate_winners_by_score(ws, info->run[1], 2, NULL, &w, err) ||
	    iterate_run_round(ws, cfg, &w, &o3, &info->run[2], err) ||
	    wf_score_run(ws, info->run[2], NULL, err))
		goto out;
	if (ws_meta_set(ws, "demo", "1", err))
		goto out;
	rc = 0;
out:
	if (rc)
		cl_err_prefix(err, "demo");
	iter_winners_clear(&w);
	config_free(cfg);
	plugin_host_free(host);
	return rc;
}
