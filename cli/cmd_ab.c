/* cmd_ab.c — A/B testing commands: abtest, plan, abimport, experiments,
 * simulate. The statistics live in core/abstats.c; storage in
 * core/experiment.c; the simulator in core/simulate.c. */
#include "cli/cli.h"
#include "core/abstats.h"
#include "core/experiment.h"
#include "core/simulate.h"
#include "core/textstat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* v with thousands separators ("150,671"), in buf. */
static const char *thou(char *buf, size_t n, long long v)
{
	char t[32];
	int len = snprintf(t, sizeof t, "%lld", v < 0 ? -v : v), j = 0;
	if (v < 0 && (size_t)j + 1 < n)
		buf[j++] = '-';
	for (int i = 0; i < len && (size_t)j + 1 < n; i++) {
		if (i && (len - i) % 3 == 0 && (size_t)j + 2 < n)
			buf[j++] = ',';
		buf[j++] = t[i];
	}
	buf[j] = 0;
	return buf;
}

/* This file's options that take a value (for cli_unknown_opt). */
static const char VALUED_OPTS[] = " --arm --control --split --alpha --prior --tau --experiment --planned --repeat --baseline --mde --power --arms --daily --days --map --run --policy --seed --effect ";

/* Print s padded with spaces to display width w (CJK-aware). */
static void put_pad(const char *s, int w)
{
	int sw = (int)ts_width(s, strlen(s));
	fputs(s, stdout);
	for (; sw < w; sw++)
		fputc(' ', stdout);
}

static int name_width(const struct ab_input *in, int min)
{
	int w = min;
	for (int i = 0; i < in->narms; i++) {
		int x = (int)ts_width(in->name[i], strlen(in->name[i])) + (i == in->control ? 10 : 0);
		if (x > w)
			w = x;
	}
	return w;
}

static const char *pval(double p, char *buf, size_t n)
{
	if (p < 0.0001)
		snprintf(buf, n, "<0.0001");
	else
		snprintf(buf, n, "%.4f", p);
	return buf;
}

/* Parse "NAME:N:CONVERSIONS" (the name may itself hold colons). */
static int parse_arm(const char *s, char **name, int64_t *n, int64_t *c)
{
	const char *c2 = strrchr(s, ':');
	if (!c2 || c2 == s)
		return -1;
	const char *c1 = c2 - 1;
	while (c1 > s && *c1 != ':')
		c1--;
	if (c1 == s || *c1 != ':')
		return -1;
	char *end;
	errno = 0;
	long long nv = strtoll(c1 + 1, &end, 10);
	if (errno || end != c2)
		return -1;
	long long cv = strtoll(c2 + 1, &end, 10);
	if (errno || *end || end == c2 + 1)
		return -1;
	*name = xstrndup(s, (size_t)(c1 - s));
	*n = nv;
	*c = cv;
	return 0;
}

static void print_analysis(const struct exp_analysis *a)
{
	const struct ab_result *r = &a->res;
	const struct ab_input *in = &a->in;
	int k = r->narms, c = r->control, w = name_width(in, 8);
	char b1[32], b2[32];
	double lvl = 100 * (1 - r->alpha);

	if (a->meta.simulated)
		printf("SIMULATED: these results come from copylab's audience simulator, not real traffic\n");
	if (a->meta.name)
		printf("experiment  %s%s\n", a->meta.name, a->meta.simulated ? "  [SIMULATED]" : "");
	if (a->planned_total > 0)
		printf("progress    %lld of %lld planned visitors (%.0f%%)\n", (long long)a->visitors,
		       (long long)a->planned_total, 100 * a->progress);
	printf("\n");
	put_pad("arm", w);
	printf("  %12s %11s %8s  %-19s %8s %10s\n", "visitors", "conversions", "rate",
	       lvl == 95 ? "95% CI (Wilson)" : "CI (Wilson)", "P(best)", "E[loss]");
	for (int i = 0; i < k; i++) {
		char nm[256];
		snprintf(nm, sizeof nm, "%s%s", in->name[i], i == c ? " (control)" : "");
		put_pad(nm, w);
		snprintf(b1, sizeof b1, "[%.2f%%, %.2f%%]", 100 * r->arm[i].ci_low, 100 * r->arm[i].ci_high);
		char tn[32], tc[32];
		printf("  %12s %11s %7.2f%%  %-19s %7.1f%% %10.6f\n", thou(tn, sizeof tn, (long long)in->n[i]),
		       thou(tc, sizeof tc, (long long)in->conv[i]), 100 * r->arm[i].rate, b1, 100 * r->arm[i].prob_best,
		       r->arm[i].expected_loss);
	}
	printf("\n");
	snprintf(b1, sizeof b1, "vs %s", in->name[c]);
	put_pad(b1, w);
	printf("  %11s %9s  %-22s %8s %9s %8s %10s\n", "abs lift", "rel lift",
	       "CI of diff (Newcombe)", "p", "p (Holm)", "P(beat)", "E[loss]");
	for (int i = 0; i < k; i++) {
		const struct ab_cmp_stats *s = &r->cmp[i];
		char rel[32], ci[48], p1[16], p2[16];
		if (i == c)
			continue;
		put_pad(in->name[i], w);
		if (s->rel_lift_ok)
			snprintf(rel, sizeof rel, "%+.2f%%", 100 * s->rel_lift);
		else
			snprintf(rel, sizeof rel, "n/a");
		snprintf(ci, sizeof ci, "[%+.2f, %+.2f] pp", 100 * s->diff_ci_low, 100 * s->diff_ci_high);
		printf("  %+8.2f pp %9s  %-22s %8s %9s %7.1f%% %10.6f\n", 100 * s->abs_lift, rel, ci,
		       pval(s->p_value, p1, sizeof p1), pval(s->p_value_adj, p2, sizeof p2),
		       100 * s->prob_beat, s->expected_loss);
	}
	if (!r->srm_applicable)
		printf("\nsample ratio  not applicable: a bandit allocated the traffic adaptively "
		       "(rates from adaptive allocation can be biased)\n");
	else
		printf("\nsample ratio  chi-square %.3f, p = %s against the %s split%s\n", r->srm_chi2,
		       pval(r->srm_p, b1, sizeof b1), a->meta.split ? "planned" : "equal",
		       r->srm_warning ? "  WARNING: sample ratio mismatch (p < 0.001)" : "");
	printf("sequential    mSPRT (normal mixture, tau = %.4g), %d look%s, alpha per comparison %.4g\n",
	       r->seq_tau, r->nlooks, r->nlooks == 1 ? "" : "s", r->seq_alpha);
	for (int i = 0; i < k; i++) {
		const struct ab_cmp_stats *s = &r->cmp[i];
		if (i == c)
			continue;
		printf("  ");
		put_pad(in->name[i], w);
		printf("  always-valid p = %s  confidence sequence [%+.2f, %+.2f] pp", pval(s->seq_p, b2, sizeof b2),
		       100 * s->seq_ci_low, 100 * s->seq_ci_high);
		if (s->seq_first_look)
			printf("  significant from look %d", s->seq_first_look);
		printf("\n");
	}
	if (in->has_revenue) {
		printf("revenue       per visitor:");
		for (int i = 0; i < k; i++)
			printf(" %s %.4f", in->name[i], r->arm[i].rpv);
		printf("\n");
		for (int i = 0; i < k; i++) {
			const struct ab_cmp_stats *s = &r->cmp[i];
			if (i == c || !s->welch_ok)
				continue;
			printf("  ");
			put_pad(in->name[i], w);
			printf("  Welch t = %.3f, df = %.1f, p = %s (%s)\n", s->welch_t, s->welch_df,
			       pval(s->welch_p, b2, sizeof b2),
			       r->welch_per_visitor ? "per visitor" : "per-day revenue per visitor");
		}
	}
	printf("\nverdict       %s%s\n", a->meta.simulated ? "[SIMULATED] " : "", r->verdict_text);
	printf("sequential    %s%s\n", a->meta.simulated ? "[SIMULATED] " : "", r->seq_verdict_text);
}

static int parse_prior(const char *s, double *a, double *b)
{
	char *end;
	*a = strtod(s, &end);
	if (end == s || (*end != ',' && *end != ':'))
		return -1;
	const char *p = end + 1;
	*b = strtod(p, &end);
	return end == p || *end ? -1 : 0;
}

int cmd_abtest(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *exp_name = NULL;
	struct exp_opts opts = {0};
	int json = 0, replace = 0, rc = 1;
	long repeat = 0, planned = 0;
	struct exp_data *d = NULL;
	struct exp_analysis *a = NULL;
	struct cl_err err = {0};
	char **arm_args = xcalloc((size_t)argc + 1, sizeof *arm_args);
	int narm_args = 0;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		int more = i + 1 < argc;
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--replace") == 0)
			replace = 1;
		else if (strcmp(o, "--arm") == 0 && more)
			arm_args[narm_args++] = argv[++i];
		else if (strcmp(o, "--control") == 0 && more)
			opts.control = argv[++i];
		else if (strcmp(o, "--split") == 0 && more)
			opts.split = argv[++i];
		else if (strcmp(o, "--experiment") == 0 && more)
			exp_name = argv[++i];
		else if (strcmp(o, "--alpha") == 0 && more) {
			if (cli_parse_double("abtest", o, argv[++i], &opts.alpha))
				goto usage;
			if (!(opts.alpha > 0 && opts.alpha < 1)) {
				cli_usage("abtest", "--alpha must be between 0 and 1");
				goto usage;
			}
		} else if (strcmp(o, "--prior") == 0 && more) {
			if (parse_prior(argv[++i], &opts.prior_a, &opts.prior_b)) {
				cli_usage("abtest", "--prior wants A,B (Beta prior parameters >= 1)");
				goto usage;
			}
		} else if (strcmp(o, "--tau") == 0 && more) {
			if (cli_parse_double("abtest", o, argv[++i], &opts.tau))
				goto usage;
		} else if (strcmp(o, "--planned") == 0 && more) {
			if (cli_parse_int("abtest", o, argv[++i], &planned) || planned < 0) {
				if (planned < 0)
					cli_usage("abtest", "--planned must not be negative");
				goto usage;
			}
		} else if (strcmp(o, "--repeat") == 0 && more) {
			if (cli_parse_int("abtest", o, argv[++i], &repeat))
				goto usage;
		} else if (o[0] == '-' && o[1]) {
			cli_unknown_opt("abtest", o, VALUED_OPTS);
			goto usage;
		} else if (!file) {
			file = o;
		} else {
			cli_usage("abtest", "one results file at most ('%s')", o);
			goto usage;
		}
	}
	if (file && narm_args) {
		cli_usage("abtest", "give a FILE or --arm options, not both");
		goto usage;
	}
	if (file) {
		if (exp_data_read_csv(file, NULL, 0, &d, &err))
			goto fail;
	} else if (narm_args) {
		d = exp_data_new();
		for (int i = 0; i < narm_args; i++) {
			char *nm;
			int64_t n, c;
			if (parse_arm(arm_args[i], &nm, &n, &c)) {
				cli_usage("abtest", "--arm wants NAME:VISITORS:CONVERSIONS, not '%s'", arm_args[i]);
				goto usage;
			}
			int dup = 0;
			for (int j = 0; j < d->narms; j++)
				dup |= strcmp(d->arm[j], nm) == 0;
			if (dup) {
				cli_usage("abtest", "arm '%s' is given twice (one --arm per arm)", nm);
				free(nm);
				goto usage;
			}
			int r = exp_data_add(d, nm, NULL, n, c, -1, NAN, NAN, &err);
			free(nm);
			if (r)
				goto fail;
		}
	} else if (!exp_name) {
		cli_usage("abtest", "give a results FILE, --arm NAME:N:CONVERSIONS twice or more, "
		          "or --experiment NAME");
		goto usage;
	}

	struct exp_meta meta = {0};
	if (d) {
		/* analyse first: bad data is never stored */
		meta.name = (char *)(uintptr_t)exp_name;
		meta.control = (char *)(uintptr_t)opts.control;
		meta.split = (char *)(uintptr_t)opts.split;
		meta.source = (char *)(uintptr_t)(file ? file : "manual");
		meta.planned_n = planned;
		struct exp_data *keep = d;
		d = NULL;
		if (exp_analyze_data(keep, exp_name ? &meta : NULL, &opts, &a, &err)) {
			if (file && strncmp(err.msg, file, strlen(file)) != 0)
				cl_err_prefix(&err, "%s", file);
			goto fail;
		}
		if (exp_name) {
			struct workspace *ws = cli_workspace(cli, WS_CREATE);
			struct exp_meta sm = { .name = (char *)(uintptr_t)exp_name,
			                       .control = (char *)(uintptr_t)a->in.name[a->in.control],
			                       .split = (char *)(uintptr_t)opts.split,
			                       .source = (char *)(uintptr_t)(file ? file : "manual") };
			if (!ws)
				goto out;
			sm.planned_n = planned;
			if (exp_link_variants(ws, a->data, 0, &err) < 0 ||
			    exp_save(ws, &sm, a->data, replace, &err))
				goto fail;
		}
	} else {
		struct workspace *ws = cli_workspace(cli, 0);
		if (!ws)
			goto out;
		if (exp_analyze(ws, exp_name, &opts, &a, &err))
			goto fail;
	}
	if (repeat > 0) {
		/* hidden, for bench/bench_ab.sh: time the full analysis in-process */
		struct ab_result res;
		double t0 = cl_now_ms();
		for (long i = 0; i < repeat; i++)
			if (ab_analyze(&a->in, &res, NULL, &err))
				goto fail;
		fprintf(stderr, "repeat: %ld calls, %.6f ms per call\n", repeat,
		        (cl_now_ms() - t0) / (double)repeat);
	}
	if (json)
		cli_print_json(exp_analysis_json(a));
	else
		print_analysis(a);
	rc = 0;
	goto out;
usage:
	rc = 2;
	goto out;
fail:
	rc = cli_fail(&err);
out:
	exp_analysis_free(a);
	exp_data_free(d);
	free(arm_args);
	return rc;
}

/* "5%" -> 0.05, "0.05" -> 0.05 */
static int parse_rate(const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s)
		return cli_usage("plan", "%s wants a number, not '%s'", opt, s), -1;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end)
		return cli_usage("plan", "%s wants a number, not '%s'", opt, s), -1;
	*out = v;
	return 0;
}

int cmd_plan(struct cli *cli, int argc, char **argv)
{
	struct ab_plan_in in = {0};
	struct ab_plan_out out;
	struct cl_err err = {0};
	int json = 0, have_b = 0, have_m = 0;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		int more = i + 1 < argc;
		long v;
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--baseline") == 0 && more) {
			if (parse_rate(o, argv[++i], &in.baseline))
				return 2;
			have_b = 1;
		} else if (strcmp(o, "--mde") == 0 && more) {
			if (parse_rate(o, argv[++i], &in.mde))
				return 2;
			have_m = 1;
		} else if (strcmp(o, "--alpha") == 0 && more) {
			if (parse_rate(o, argv[++i], &in.alpha))
				return 2;
		} else if (strcmp(o, "--power") == 0 && more) {
			if (parse_rate(o, argv[++i], &in.power))
				return 2;
		} else if (strcmp(o, "--arms") == 0 && more) {
			if (cli_parse_int("plan", o, argv[++i], &v))
				return 2;
			if (v < 2 || v > 1000)
				return cli_usage("plan", "--arms counts the control too: 2 to 1000");
			in.arms = (int)v;
		} else if (strcmp(o, "--daily") == 0 && more) {
			if (cli_parse_int("plan", o, argv[++i], &v))
				return 2;
			if (v <= 0)
				return cli_usage("plan", "--daily must be positive");
			in.daily = v;
		} else if (strcmp(o, "--days") == 0 && more) {
			if (cli_parse_int("plan", o, argv[++i], &v))
				return 2;
			if (v <= 0 || v > 100000)
				return cli_usage("plan", "--days must be positive");
			in.days = (int)v;
		} else
			return cli_unknown_opt("plan", o, VALUED_OPTS);
	}
	if (!have_b || !have_m)
		return cli_usage("plan", "--baseline and --mde are required");
	if (ab_plan(&in, &out, &err))
		return cli_fail(&err);
	int arms = in.arms ? in.arms : 2;
	double alpha = in.alpha ? in.alpha : 0.05, power = in.power ? in.power : 0.8;
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "baseline", in.baseline);
		cJSON_AddNumberToObject(o, "mde", in.mde);
		cJSON_AddNumberToObject(o, "target_rate", in.baseline * (1 + in.mde));
		cJSON_AddNumberToObject(o, "alpha", alpha);
		cJSON_AddNumberToObject(o, "alpha_per_test", out.alpha_per_test);
		cJSON_AddNumberToObject(o, "power", power);
		cJSON_AddNumberToObject(o, "arms", arms);
		cJSON_AddNumberToObject(o, "variants", arms - 1);
		cJSON_AddNumberToObject(o, "n_per_arm", (double)out.n_per_arm);
		cJSON_AddNumberToObject(o, "n_total", (double)out.n_total);
		if (in.daily > 0) {
			cJSON_AddNumberToObject(o, "daily", (double)in.daily);
			cJSON_AddNumberToObject(o, "days_needed", ceil(out.days_needed));
		}
		if (in.daily > 0 && in.days > 0) {
			cJSON_AddNumberToObject(o, "days", in.days);
			cJSON_AddNumberToObject(o, "max_arms", out.max_arms);
			cJSON_AddNumberToObject(o, "max_variants", out.max_arms > 0 ? out.max_arms - 1 : 0);
			if (out.mde_affordable > 0)
				cJSON_AddNumberToObject(o, "mde_affordable", out.mde_affordable);
			else
				cJSON_AddNullToObject(o, "mde_affordable");
		}
		cJSON_AddStringToObject(o, "method", "Fleiss two-proportion sample size, two-sided, "
		                        "Bonferroni over the variants");
		cli_print_json(o);
		return 0;
	}
	printf("baseline %.4g%% -> %.4g%% (relative effect %+.4g%%), alpha %.4g", 100 * in.baseline,
	       100 * in.baseline * (1 + in.mde), 100 * in.mde, alpha);
	if (arms > 2)
		printf(" (%.4g per test: Bonferroni over %d variants)", out.alpha_per_test, arms - 1);
	printf(", power %.0f%%\n", 100 * power);
	char t1[32], t2[32];
	printf("sample size   %s visitors per arm, %s in total over %d arms\n",
	       thou(t1, sizeof t1, (long long)out.n_per_arm), thou(t2, sizeof t2, (long long)out.n_total), arms);
	if (in.daily > 0)
		printf("duration      %.0f day%s at %s visitors a day\n", ceil(out.days_needed),
		       ceil(out.days_needed) == 1 ? "" : "s", thou(t1, sizeof t1, (long long)in.daily));
	if (in.daily > 0 && in.days > 0) {
		if (out.max_arms >= 2)
			printf("affordable    %d variant%s plus the control in %d days\n", out.max_arms - 1,
			       out.max_arms == 2 ? "" : "s", in.days);
		else
			printf("affordable    not even one variant in %d days at this effect size\n", in.days);
		if (out.mde_affordable > 0)
			printf("smallest lift %d arms in %d days can detect: %+.2f%% relative\n", arms,
			       in.days, 100 * out.mde_affordable);
	}
	return 0;
}

int cmd_abimport(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL, *exp_name = NULL, *control = NULL, *split = NULL;
	char **maps = xcalloc((size_t)argc + 1, sizeof *maps);
	int nmap = 0, json = 0, replace = 0, rc = 1;
	long run = 0, planned = 0;
	struct exp_data *d = NULL;
	struct exp_analysis *a = NULL;
	struct cl_err err = {0};
	struct exp_meta meta = {0};

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		int more = i + 1 < argc;
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--replace") == 0)
			replace = 1;
		else if (strcmp(o, "--experiment") == 0 && more)
			exp_name = argv[++i];
		else if (strcmp(o, "--map") == 0 && more)
			maps[nmap++] = argv[++i];
		else if (strcmp(o, "--control") == 0 && more)
			control = argv[++i];
		else if (strcmp(o, "--split") == 0 && more)
			split = argv[++i];
		else if (strcmp(o, "--planned") == 0 && more) {
			if (cli_parse_int("abimport", o, argv[++i], &planned) || planned < 0) {
				rc = planned < 0 ? cli_usage("abimport", "--planned must not be negative") : 2;
				goto out;
			}
		} else if (strcmp(o, "--run") == 0 && more) {
			if (cli_parse_int("abimport", o, argv[++i], &run) || run <= 0) {
				rc = run <= 0 ? cli_usage("abimport", "--run wants a run id") : 2;
				goto out;
			}
		} else if (o[0] == '-' && o[1]) {
			rc = cli_unknown_opt("abimport", o, VALUED_OPTS);
			goto out;
		} else if (!file)
			file = o;
		else {
			rc = cli_usage("abimport", "one file at most ('%s')", o);
			goto out;
		}
	}
	if (!file || !exp_name) {
		rc = cli_usage("abimport", "FILE and --experiment NAME are required");
		goto out;
	}
	if (exp_data_read_csv(file, maps, nmap, &d, &err))
		goto fail;
	struct workspace *ws = cli_workspace(cli, WS_CREATE);
	if (!ws)
		goto out;
	int linked = exp_link_variants(ws, d, run, &err);
	if (linked < 0)
		goto fail;
	meta.name = xstrdup(exp_name);
	meta.run_id = run;
	meta.control = xstrdup(control ? control : d->arm[0]);
	meta.split = split ? xstrdup(split) : NULL;
	meta.source = xstrdup(file);
	meta.planned_n = planned;
	/* validate by analysing before storing (bad numbers are never stored) */
	{
		struct exp_opts opts = { .control = control, .split = split };
		struct exp_data *copy = NULL;
		if (exp_data_read_csv(file, maps, nmap, &copy, &err))
			goto fail;
		if (exp_analyze_data(copy, NULL, &opts, &a, &err))
			goto fail;
	}
	if (exp_save(ws, &meta, d, replace, &err))
		goto fail;
	if (json) {
		cJSON *o = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(o, "experiment", exp_name);
		cJSON_AddNumberToObject(o, "id", (double)meta.id);
		if (run > 0)
			cJSON_AddNumberToObject(o, "run", (double)run);
		else
			cJSON_AddNullToObject(o, "run");   /* the documented shape always has it */
		cJSON_AddNumberToObject(o, "days", d->has_days ? d->ndays : 0);
		cJSON_AddNumberToObject(o, "linked", linked);
		arr = cJSON_AddArrayToObject(o, "arms");
		for (int i = 0; i < d->narms; i++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "name", d->arm[i]);
			if (d->variant_id[i] > 0)
				cJSON_AddNumberToObject(x, "variant_id", (double)d->variant_id[i]);
			else
				cJSON_AddNullToObject(x, "variant_id");
			cJSON_AddNumberToObject(x, "n", (double)a->in.n[i]);
			cJSON_AddNumberToObject(x, "conversions", (double)a->in.conv[i]);
			cJSON_AddItemToArray(arr, x);
		}
		cJSON_AddStringToObject(o, "verdict", a->res.verdict_text);
		cli_print_json(o);
	} else {
		printf("imported %s as experiment '%s': %d arms, %d day%s, %d linked to variants\n",
		       file, exp_name, d->narms, d->has_days ? d->ndays : 0,
		       d->has_days && d->ndays == 1 ? "" : "s", linked);
		for (int i = 0; i < d->narms; i++) {
			printf("  ");
			put_pad(d->arm[i], 16);
			if (d->variant_id[i] > 0)
				printf("  variant %lld\n", d->variant_id[i]);
			else
				printf("  (no matching variant)\n");
		}
		printf("verdict  %s\nsee      copylab abtest --experiment %s\n", a->res.verdict_text, exp_name);
	}
	rc = 0;
	goto out;
fail:
	rc = cli_fail(&err);
out:
	exp_meta_clear(&meta);
	exp_analysis_free(a);
	exp_data_free(d);
	free(maps);
	return rc;
}

int cmd_experiments(struct cli *cli, int argc, char **argv)
{
	int json = 0;
	const char *del = NULL;
	struct cl_err err = {0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--delete") == 0 && i + 1 < argc)
			del = argv[++i];
		else
			return cli_unknown_opt("experiments", argv[i], VALUED_OPTS);
	}
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	if (del) {
		if (exp_delete(ws, del, &err))
			return cli_fail(&err);
		if (!json)
			printf("deleted experiment '%s'\n", del);
		return 0;
	}
	struct exp_summary *s;
	size_t n;
	if (exp_list(ws, &s, &n, &err))
		return cli_fail(&err);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "name", s[i].meta.name ? s[i].meta.name : "");
			cJSON_AddBoolToObject(x, "simulated", s[i].meta.simulated);
			if (s[i].meta.simulated)
				cJSON_AddStringToObject(x, "label", "SIMULATED");
			if (s[i].meta.run_id)
				cJSON_AddNumberToObject(x, "run", (double)s[i].meta.run_id);
			else
				cJSON_AddNullToObject(x, "run");
			cJSON_AddNumberToObject(x, "arms", s[i].narms);
			cJSON_AddNumberToObject(x, "days", s[i].ndays);
			cJSON_AddNumberToObject(x, "visitors", (double)s[i].visitors);
			cJSON_AddNumberToObject(x, "conversions", (double)s[i].conversions);
			cJSON_AddStringToObject(x, "control", s[i].meta.control ? s[i].meta.control : "");
			cJSON_AddStringToObject(x, "source", s[i].meta.source ? s[i].meta.source : "");
			cJSON_AddStringToObject(x, "created_at", s[i].meta.created_at ? s[i].meta.created_at : "");
			cJSON_AddItemToArray(arr, x);
		}
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "experiments", arr);
		cli_print_json(o);
	} else if (n == 0) {
		printf("no experiments yet (copylab abimport FILE --experiment NAME, or copylab simulate --run RUN)\n");
	} else {
		printf("%-24s %-10s %5s %5s %12s %11s  %s\n", "experiment", "kind", "arms", "days",
		       "visitors", "conversions", "source");
		for (size_t i = 0; i < n; i++) {
			put_pad(s[i].meta.name ? s[i].meta.name : "", 24);
			char tv[32], tc[32];
			printf(" %-10s %5d %5d %12s %11s  %s\n",
			       s[i].meta.simulated ? "SIMULATED" : "real", s[i].narms, s[i].ndays,
			       thou(tv, sizeof tv, (long long)s[i].visitors),
			       thou(tc, sizeof tc, (long long)s[i].conversions),
			       s[i].meta.source ? s[i].meta.source : "");
		}
	}
	exp_list_free(s, n);
	return 0;
}

/* Parse "NAME:RATE" ("5%" allowed). */
static int parse_sim_arm(const char *s, char **name, double *rate)
{
	const char *c = strrchr(s, ':');
	char *end;
	if (!c || c == s)
		return -1;
	errno = 0;
	*rate = strtod(c + 1, &end);
	if (errno || end == c + 1)
		return -1;
	if (*end == '%') {
		*rate /= 100;
		end++;
	}
	if (*end)
		return -1;
	*name = xstrndup(s, (size_t)(c - s));
	return 0;
}

int cmd_simulate(struct cli *cli, int argc, char **argv)
{
	long run = 0, days = 0, daily = 0, seed = 1;
	double effect = 0;
	int json = 0, replace = 0, rc = 1, nnames = 0, have_seed = 0;
	enum sim_policy policy = SIM_FIXED;
	const char *exp_name = NULL;
	char *names[AB_MAX_ARMS];
	double rates[AB_MAX_ARMS];
	struct sim_setup setup = {0};
	struct sim_result res = {0};
	struct exp_analysis *a = NULL;
	struct exp_meta meta = {0};
	struct cl_err err = {0};
	struct workspace *ws = NULL;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		int more = i + 1 < argc;
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--replace") == 0)
			replace = 1;
		else if (strcmp(o, "--run") == 0 && more) {
			if (cli_parse_int("simulate", o, argv[++i], &run))
				goto usage;
		} else if (strcmp(o, "--days") == 0 && more) {
			if (cli_parse_int("simulate", o, argv[++i], &days))
				goto usage;
		} else if (strcmp(o, "--daily") == 0 && more) {
			if (cli_parse_int("simulate", o, argv[++i], &daily))
				goto usage;
		} else if (strcmp(o, "--seed") == 0 && more) {
			if (cli_parse_int("simulate", o, argv[++i], &seed))
				goto usage;
			have_seed = 1;
		} else if (strcmp(o, "--effect") == 0 && more) {
			if (cli_parse_double("simulate", o, argv[++i], &effect))
				goto usage;
			if (!(effect > 0)) {
				cli_usage("simulate", "--effect must be positive");
				goto usage;
			}
		} else if (strcmp(o, "--experiment") == 0 && more)
			exp_name = argv[++i];
		else if (strcmp(o, "--policy") == 0 && more) {
			const char *p = argv[++i];
			if (strcmp(p, "fixed") == 0)
				policy = SIM_FIXED;
			else if (strcmp(p, "thompson") == 0)
				policy = SIM_THOMPSON;
			else {
				cli_usage("simulate", "--policy is fixed or thompson, not '%s'", p);
				goto usage;
			}
		} else if (strcmp(o, "--arm") == 0 && more) {
			if (nnames == AB_MAX_ARMS) {
				cli_usage("simulate", "at most %d arms", AB_MAX_ARMS);
				goto usage;
			}
			if (parse_sim_arm(argv[++i], &names[nnames], &rates[nnames])) {
				cli_usage("simulate", "--arm wants NAME:RATE (e.g. B:0.055 or B:5.5%%), not '%s'",
				          argv[i]);
				goto usage;
			}
			nnames++;
		} else {
			cli_unknown_opt("simulate", o, VALUED_OPTS);
			goto usage;
		}
	}
	if ((run > 0) == (nnames > 0)) {
		cli_usage("simulate", "give either --run RUN or two or more --arm NAME:RATE");
		goto usage;
	}
	if (days <= 0 || daily <= 0) {
		cli_usage("simulate", "--days D and --daily N are required and positive");
		goto usage;
	}
	if (run > 0) {
		if (!(ws = cli_workspace(cli, 0)))
			goto out;
		if (sim_setup_run(ws, run, effect, &setup, &err))
			goto fail;
	} else if (sim_setup_direct(&setup, nnames, names, rates, &err)) {
		goto fail;
	}
	if (sim_run(&setup, policy, (int)days, daily, (uint64_t)seed, &res, &err))
		goto fail;
	if (run > 0 || exp_name) {
		if (!ws && !(ws = cli_workspace(cli, WS_CREATE)))
			goto out;
		meta.name = exp_name ? xstrdup(exp_name)
		                     : xasprintf("sim-run%ld-%s-seed%ld", run,
		                                 policy == SIM_THOMPSON ? "thompson" : "fixed", seed);
		if (sim_save(ws, &meta, &setup, &res, policy, (int)days, daily, (uint64_t)seed,
		             replace || !exp_name, &err))
			goto fail;
	}
	{
		struct exp_data *d = res.data;
		res.data = NULL;
		struct exp_meta am = { .name = meta.name, .simulated = 1, .run_id = run,
		                       .split = policy == SIM_THOMPSON ? (char *)(uintptr_t)"adaptive" : NULL };
		if (exp_analyze_data(d, &am, NULL, &a, &err))
			goto fail;
	}
	const char *pname = policy == SIM_THOMPSON ? "thompson" : "fixed";
	if (json) {
		cJSON *o = cJSON_CreateObject(), *arr, *aud, *segs;
		cJSON_AddStringToObject(o, "label", "SIMULATED");
		cJSON_AddBoolToObject(o, "simulated", 1);
		cJSON_AddStringToObject(o, "policy", pname);
		cJSON_AddNumberToObject(o, "seed", (double)seed);
		cJSON_AddNumberToObject(o, "days", (double)days);
		cJSON_AddNumberToObject(o, "daily", (double)daily);
		if (run > 0) {
			cJSON_AddNumberToObject(o, "run", (double)run);
			cJSON_AddNumberToObject(o, "effect", setup.effect);
		}
		aud = cJSON_AddObjectToObject(o, "audience");
		cJSON_AddStringToObject(aud, "note", setup.note);
		if (!setup.direct) {
			cJSON_AddNumberToObject(aud, "customers", (double)setup.ncust);
			segs = cJSON_AddArrayToObject(aud, "segments");
			for (int g = 0; g < setup.nseg; g++) {
				cJSON *x = cJSON_CreateObject();
				cJSON_AddStringToObject(x, "name", setup.seg[g].name);
				cJSON_AddNumberToObject(x, "share", setup.seg[g].share);
				cJSON_AddNumberToObject(x, "base_rate", setup.seg[g].base_rate);
				cJSON_AddStringToObject(x, "source", setup.seg[g].source);
				cJSON_AddItemToArray(segs, x);
			}
		}
		arr = cJSON_AddArrayToObject(o, "arms");
		for (int i = 0; i < setup.narms; i++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "name", setup.name[i]);
			if (setup.variant_id[i] > 0)
				cJSON_AddNumberToObject(x, "variant_id", (double)setup.variant_id[i]);
			else
				cJSON_AddNullToObject(x, "variant_id");
			if (isnan(setup.score[i]))
				cJSON_AddNullToObject(x, "score");
			else
				cJSON_AddNumberToObject(x, "score", setup.score[i]);
			cJSON_AddNumberToObject(x, "multiplier", setup.mult[i]);
			cJSON_AddNumberToObject(x, "true_rate", res.true_rate[i]);
			cJSON_AddNumberToObject(x, "n", (double)a->in.n[i]);
			cJSON_AddNumberToObject(x, "conversions", (double)a->in.conv[i]);
			cJSON_AddNumberToObject(x, "rate", a->res.arm[i].rate);
			cJSON_AddItemToArray(arr, x);
		}
		cJSON_AddStringToObject(o, "best_arm", setup.name[res.best]);
		cJSON *rg = cJSON_AddObjectToObject(o, "regret");
		cJSON_AddNumberToObject(rg, "expected_conversions_lost", res.regret);
		cJSON_AddNumberToObject(rg, "fixed_split_expected", res.regret_fixed);
		if (meta.name)
			cJSON_AddStringToObject(o, "experiment", meta.name);
		else
			cJSON_AddNullToObject(o, "experiment");
		cJSON_AddItemToObject(o, "analysis", exp_analysis_json(a));
		cli_print_json(o);
	} else {
		printf("SIMULATED: %ld days x %ld visitors, policy %s, seed %ld%s\n", days, daily, pname,
		       seed, have_seed ? "" : " (default)");
		printf("audience    %s\n", setup.note);
		if (!setup.direct)
			for (int g = 0; g < setup.nseg; g++)
				printf("  %-16s %5.1f%% of customers, base rate %.3f%% (%s)\n", setup.seg[g].name,
				       100 * setup.seg[g].share, 100 * setup.seg[g].base_rate, setup.seg[g].source);
		printf("arms        ");
		for (int i = 0; i < setup.narms; i++)
			printf("%s%s true %.3f%%", i ? ", " : "", setup.name[i], 100 * res.true_rate[i]);
		printf("\nregret      %.1f expected conversions lost vs always showing %s "
		       "(an equal fixed split would lose %.1f)\n", res.regret, setup.name[res.best],
		       res.regret_fixed);
		if (meta.name)
			printf("stored      experiment '%s' (marked SIMULATED)\n", meta.name);
		print_analysis(a);
	}
	rc = 0;
	goto out;
usage:
	rc = 2;
	goto out;
fail:
	rc = cli_fail(&err);
out:
	for (int i = 0; i < nnames; i++)
		free(names[i]);
	exp_meta_clear(&meta);
	exp_analysis_free(a);
	sim_result_clear(&res);
	sim_setup_clear(&setup);
	return rc;
}
