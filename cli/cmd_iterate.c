/* cmd_iterate.c — `copylab iterate` (the next round from winners and
 * feedback) and `copylab history` (the rounds of a lineage). */
#include "cli/cli.h"
#include "core/config.h"
#include "core/iterate.h"
#include "core/workflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_iterate(struct cli *cli, int argc, char **argv)
{
	struct cl_err err = {0};
	struct iter_winners w;
	struct iter_next_opts o = { .per_winner = 2 };
	struct cl_config *cfg = NULL;
	const char *experiment = NULL, *scorer = NULL;
	long long run = 0, *ids = NULL;
	size_t nids = 0;
	long k = 2, per = 2, seed = 0;
	int json = 0, rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--ab") == 0 && v) {
			experiment = v, i++;
		} else if (strcmp(a, "--by") == 0 && v) {
			scorer = v, i++;
		} else if (strcmp(a, "--feedback") == 0 && v) {
			o.feedback = v, i++;
		} else if (strcmp(a, "--provider") == 0 && v) {
			o.provider = v, i++;
		} else if (strcmp(a, "--model") == 0 && v) {
			o.model = v, i++;
		} else if (strcmp(a, "--mutations") == 0 && v) {
			o.mutations = v, i++;
		} else if (strcmp(a, "--top") == 0 && v) {
			if (cli_parse_int("iterate", "--top", v, &k) || k < 1)
				return k < 1 ? cli_usage("iterate", "--top wants 1 or more") : 2;
			i++;
		} else if (strcmp(a, "--per-winner") == 0 && v) {
			if (cli_parse_int("iterate", "--per-winner", v, &per) || per < 1 || per > 16)
				return per < 1 || per > 16 ? cli_usage("iterate", "--per-winner wants 1 to 16") : 2;
			i++;
		} else if (strcmp(a, "--seed") == 0 && v) {
			if (cli_parse_int("iterate", "--seed", v, &seed))
				return 2;
			i++;
		} else if (strcmp(a, "--variant") == 0 && v) {
			long id;
			if (cli_parse_int("iterate", "--variant", v, &id))
				return 2;
			ids = xreallocarray(ids, nids + 1, sizeof *ids);
			ids[nids++] = id;
			i++;
		} else if (a[0] != '-' && !run) {
			long r;
			if (cli_parse_int("iterate", "RUN", a, &r)) {
				free(ids);
				return 2;
			}
			run = r;
		} else {
			free(ids);
			return cli_usage("iterate", "unknown or incomplete argument '%s'", a);
		}
	}
	if (!run && !experiment && !nids) {
		free(ids);
		return cli_usage("iterate", "name a RUN, --ab EXPERIMENT or --variant ID");
	}
	o.per_winner = (size_t)per;
	o.seed = seed;
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws) {
		free(ids);
		return 1;
	}
	if (nids)
		rc = iterate_winners_from_ids(ws, ids, nids, &w, &err);
	else if (experiment)
		rc = iterate_winners_by_experiment(ws, experiment, (size_t)k, &w, &err);
	else
		rc = iterate_winners_by_score(ws, run, (size_t)k, scorer, &w, &err);
	free(ids);
	if (rc)
		return cli_fail(&err);
	long long new_run = 0;
	size_t scored = 0;
	struct plugin_host *host = NULL;
	if (cli_config_load(o.provider, 0, &host, &cfg)) {
		iter_winners_clear(&w);
		return 1;
	}
	if (iterate_run_round(ws, cfg, &w, &o, &new_run, &err) ||
	    wf_score_run(ws, new_run, &scored, &err)) {
		cli_config_free(cfg, host);
		iter_winners_clear(&w);
		return cli_fail(&err);
	}
	cli_config_free(cfg, host);
	if (json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "run_id", (double)new_run);
		cJSON_AddNumberToObject(j, "round", w.round + 1);
		cJSON_AddNumberToObject(j, "parent_run", (double)w.run_id);
		cJSON_AddStringToObject(j, "basis", w.basis ? w.basis : "");
		if (o.feedback)
			cJSON_AddStringToObject(j, "feedback", o.feedback);
		else
			cJSON_AddNullToObject(j, "feedback");
		cJSON *wa = cJSON_AddArrayToObject(j, "winners");
		for (size_t i = 0; i < w.n; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "variant_id", (double)w.v[i].variant_id);
			if (isfinite(w.v[i].rank_value))
				cJSON_AddNumberToObject(e, "value", w.v[i].rank_value);
			else
				cJSON_AddNullToObject(e, "value");
			cJSON_AddItemToArray(wa, e);
		}
		cJSON_AddNumberToObject(j, "variants", (double)scored);
		cli_print_json(j);
	} else {
		printf("round %d: run %lld from %zu winner%s of run %lld (%s), %zu variants scored\n",
		       w.round + 1, new_run, w.n, w.n == 1 ? "" : "s", w.run_id, w.basis, scored);
		printf("see them with: copylab variants %lld\n", new_run);
	}
	iter_winners_clear(&w);
	return 0;
}

int cmd_history(struct cli *cli, int argc, char **argv)
{
	struct cl_err err = {0};
	struct iter_history *h;
	long long run = 0;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] != '-' && !run) {
			long r;
			if (cli_parse_int("history", "RUN", argv[i], &r))
				return 2;
			run = r;
		} else {
			return cli_usage("history", "unknown argument '%s'", argv[i]);
		}
	}
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	if (iterate_history(ws, run, &h, &err))
		return cli_fail(&err);
	if (json) {
		cJSON *j = cJSON_CreateObject(), *ra = cJSON_AddArrayToObject(j, "rounds");
		for (size_t i = 0; i < h->nrounds; i++) {
			const struct iter_round *r = &h->rounds[i];
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "run_id", (double)r->run_id);
			cJSON_AddNumberToObject(e, "round", r->round);
			if (r->parent_run)
				cJSON_AddNumberToObject(e, "parent_run", (double)r->parent_run);
			else
				cJSON_AddNullToObject(e, "parent_run");
			if (r->feedback)
				cJSON_AddStringToObject(e, "feedback", r->feedback);
			else
				cJSON_AddNullToObject(e, "feedback");
			if (isfinite(r->best))
				cJSON_AddNumberToObject(e, "best_composite", r->best);
			else
				cJSON_AddNullToObject(e, "best_composite");
			if (isfinite(r->best_rate))
				cJSON_AddNumberToObject(e, "best_rate", r->best_rate);
			else
				cJSON_AddNullToObject(e, "best_rate");
			cJSON_AddNumberToObject(e, "variants", (double)r->nvariants);
			cJSON_AddItemToArray(ra, e);
		}
		cJSON *va = cJSON_AddArrayToObject(j, "variants");
		for (size_t i = 0; i < h->nnodes; i++) {
			const struct iter_node *v = &h->nodes[i];
			cJSON *e = cJSON_CreateObject(), *pa;
			cJSON_AddNumberToObject(e, "id", (double)v->variant_id);
			cJSON_AddNumberToObject(e, "run_id", (double)v->run_id);
			cJSON_AddNumberToObject(e, "round", v->round);
			pa = cJSON_AddArrayToObject(e, "parents");
			for (size_t k = 0; k < v->nparents; k++)
				cJSON_AddItemToArray(pa, cJSON_CreateNumber((double)v->parents[k]));
			if (isfinite(v->composite))
				cJSON_AddNumberToObject(e, "composite", v->composite);
			else
				cJSON_AddNullToObject(e, "composite");
			cJSON_AddBoolToObject(e, "starred", v->starred);
			cJSON_AddStringToObject(e, "summary", v->summary);
			cJSON_AddItemToArray(va, e);
		}
		cli_print_json(j);
	} else if (h->nrounds == 0) {
		printf("no runs yet\n");
	} else {
		for (size_t i = 0; i < h->nrounds; i++) {
			const struct iter_round *r = &h->rounds[i];
			printf("round %d  run %lld", r->round, r->run_id);
			if (r->parent_run)
				printf("  from run %lld", r->parent_run);
			if (isfinite(r->best))
				printf("  best %.3f", r->best);
			if (isfinite(r->best_rate))
				printf("  best rate %.2f%%", r->best_rate * 100);
			printf("  %zu variants", r->nvariants);
			if (r->feedback)
				printf("  feedback: \"%s\"", r->feedback);
			putchar('\n');
			for (size_t k = 0; k < h->nnodes; k++) {
				const struct iter_node *v = &h->nodes[k];
				char label[8];
				if (v->run_id != r->run_id)
					continue;
				iterate_label(v->idx, label, sizeof label);
				printf("  %-2s #%-5lld", label, v->variant_id);
				if (isfinite(v->composite))
					printf(" %.3f", v->composite);
				else
					printf("   -  ");
				printf("%s", v->starred ? " *" : "  ");
				if (v->nparents) {
					printf(" <-");
					for (size_t p = 0; p < v->nparents; p++)
						printf(" #%lld", v->parents[p]);
				}
				printf("  %.60s\n", v->summary);
			}
		}
	}
	iterate_history_free(h);
	return 0;
}
