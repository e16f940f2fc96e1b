/* cmd_generate.c — `copylab generate`, `runs`, `variants`, `providers`. */
#include "cli/cli.h"
#include "core/config.h"
#include "core/generate.h"
#include "core/iterate.h"
#include "core/plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct gen_ui {
	int json;
	int verbose;
	int ndone, nfail, n;
	int tty;
};

static void ui_log(void *ud, const char *line)
{
	struct gen_ui *ui = ud;
	if (ui->verbose)
		fprintf(stderr, "copylab: %s\n", line);
}

/* Print one variant in the human format. */
static void print_variant(const struct gen_variant *v)
{
	char label[16];
	iterate_label(v->idx, label, sizeof label);
	printf("%-3s #%lld  %.0f ms", label, v->id, v->latency_ms);
	if (v->tokens_in >= 0 || v->tokens_out >= 0)
		printf("  %ld->%ld tok", v->tokens_in, v->tokens_out);
	if (v->cost > 0)
		printf("  $%.5f", v->cost);
	if (v->cached)
		printf("  cached");
	putchar('\n');
	if (v->error) {
		printf("    FAILED: %s\n", v->error);
		if (v->text && *v->text)
			printf("    partial reply: %s\n", v->text);
		return;
	}
	cJSON *f = cJSON_Parse(v->fields);
	const cJSON *it;
	if (!v->parse_ok)
		printf("    (the reply was not the JSON object asked for; kept as text)\n    %s\n", v->text);
	cJSON_ArrayForEach(it, f) {
		if (cJSON_IsString(it)) {
			printf("    %s: %s\n", it->string, it->valuestring);
		} else {
			char *s = cJSON_PrintUnformatted(it);
			printf("    %s: %s\n", it->string, s ? s : "");
			free(s);
		}
	}
	cJSON_Delete(f);
}

static void on_variant(void *ud, int idx, const struct gen_variant *v)
{
	struct gen_ui *ui = ud;
	ui->ndone++;
	if (v->error)
		ui->nfail++;
	if (!ui->json) {
		print_variant(v);
		fflush(stdout);
	}
}

static void on_error(void *ud, int idx, const char *msg)
{
	if (idx < 0)
		fprintf(stderr, "copylab: %s\n", msg);
}

static void on_retry(void *ud, int idx, int attempt, long delay_ms, const char *why)
{
	(void)ud;
	fprintf(stderr, "copylab: variant %d: %s; retrying in %.1f s\n", idx + 1, why,
		        (double)delay_ms / 1000);
}

/* The --json object of one variant (the shape generate prints). */
static cJSON *variant_json(const struct gen_variant *v, int full)
{
	/* a failed variant has no fields, not an empty copy ({"text": ""}) */
	cJSON *o = cJSON_CreateObject(),
	      *f = cJSON_Parse(v->fields && !v->error ? v->fields : "{}");
	cJSON_AddNumberToObject(o, "id", (double)v->id);
	cJSON_AddItemToObject(o, "fields", f ? f : cJSON_CreateObject());
	cJSON_AddStringToObject(o, "text", v->text ? v->text : "");
	if (v->tokens_in >= 0)
		cJSON_AddNumberToObject(o, "tokens_in", (double)v->tokens_in);
	else
		cJSON_AddNullToObject(o, "tokens_in");
	if (v->tokens_out >= 0)
		cJSON_AddNumberToObject(o, "tokens_out", (double)v->tokens_out);
	else
		cJSON_AddNullToObject(o, "tokens_out");
	cJSON_AddNumberToObject(o, "latency_ms", (double)(long long)(v->latency_ms + 0.5));
	cJSON_AddBoolToObject(o, "cached", v->cached);
	if (v->error)
		cJSON_AddStringToObject(o, "error", v->error);
	else
		cJSON_AddNullToObject(o, "error");
	if (full) {
		char label[16];
		iterate_label(v->idx, label, sizeof label);
		cJSON_AddNumberToObject(o, "idx", v->idx);
		cJSON_AddStringToObject(o, "label", label);
		cJSON_AddNumberToObject(o, "round", v->round);
		if (v->parent_id)
			cJSON_AddNumberToObject(o, "parent_id", (double)v->parent_id);
		else
			cJSON_AddNullToObject(o, "parent_id");
		cJSON_AddBoolToObject(o, "parse_ok", v->parse_ok);
		cJSON_AddNumberToObject(o, "cost", v->cost);
		cJSON_AddBoolToObject(o, "starred", v->starred);
		cJSON_AddBoolToObject(o, "discarded", v->discarded);
		cJSON_AddStringToObject(o, "created_at", v->created_at ? v->created_at : "");
	}
	return o;
}

static const char *need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		cli_usage("generate", "%s needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int cmd_generate(struct cli *cli, int argc, char **argv)
{
	struct gen_spec spec;
	struct gen_ui ui = {0};
	struct cl_config *cfg = NULL;
	struct plugin_host *host = NULL;
	struct gen_job *job = NULL;
	struct cl_err err = {0};
	const char **vars = NULL;
	size_t nvars = 0;
	int rc = 0;
	const char *v;
	long lv = 0;

	memset(&spec, 0, sizeof spec);
	spec.temperature = -1;
	spec.top_p = -1;
	spec.seed = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
#define ARG() do { if (!(v = need_arg(argc, argv, &i))) { free(vars); return 2; } } while (0)
		if (strcmp(a, "--template") == 0) { ARG(); spec.template_name = v; }
		else if (strcmp(a, "--prompt-text") == 0) { ARG(); spec.prompt_text = v; }
		else if (strcmp(a, "--row") == 0) { ARG(); spec.row = v; }
		else if (strcmp(a, "--segment") == 0) { ARG(); spec.segment = v; }
		else if (strcmp(a, "--var") == 0) {
			ARG();
			if (!strchr(v, '=')) {
				free(vars);
				return cli_usage("generate", "--var wants KEY=VALUE, not '%s'", v);
			}
			vars = xreallocarray(vars, nvars + 1, sizeof *vars);
			vars[nvars++] = v;
		}
		else if (strcmp(a, "-n") == 0) {
			ARG();
			if (cli_parse_int("generate", "-n", v, &lv)) {
				free(vars);
				return 2;
			}
			if (lv < 1 || lv > 1000) {
				free(vars);
				return cli_usage("generate", "-n wants 1 to 1000");
			}
			spec.n = (int)lv;
		}
		else if (strcmp(a, "--provider") == 0) { ARG(); spec.provider = v; }
		else if (strcmp(a, "--model") == 0) { ARG(); spec.model = v; }
		else if (strcmp(a, "--temperature") == 0) {
			ARG();
			if (cli_parse_double("generate", a, v, &spec.temperature)) { free(vars); return 2; }
			if (spec.temperature < 0 || spec.temperature > 2) {
				free(vars);
				return cli_usage("generate", "--temperature wants 0 to 2");
			}
		}
		else if (strcmp(a, "--top-p") == 0) {
			ARG();
			if (cli_parse_double("generate", a, v, &spec.top_p)) { free(vars); return 2; }
		}
		else if (strcmp(a, "--max-tokens") == 0) {
			ARG();
			if (cli_parse_int("generate", a, v, &lv)) { free(vars); return 2; }
			spec.max_tokens = (int)lv;
		}
		else if (strcmp(a, "--seed") == 0) {
			ARG();
			if (cli_parse_int("generate", a, v, &lv)) { free(vars); return 2; }
			spec.seed = lv;
		}
		else if (strcmp(a, "--concurrency") == 0) {
			ARG();
			if (cli_parse_int("generate", a, v, &lv)) {
				free(vars);
				return 2;
			}
			if (lv < 1 || lv > 256) {
				free(vars);
				return cli_usage("generate", "--concurrency wants 1 to 256");
			}
			spec.concurrency = (int)lv;
		}
		else if (strcmp(a, "--no-cache") == 0) spec.no_cache = 1;
		else if (strcmp(a, "--no-redact") == 0) spec.no_redact = 1;
		else if (strcmp(a, "--no-stream") == 0) spec.no_stream = 1;
		else if (strcmp(a, "--json") == 0) ui.json = 1;
		else {
			free(vars);
			return cli_usage("generate", "unknown argument '%s'", a);
		}
#undef ARG
	}
	if (!!spec.template_name == !!spec.prompt_text) {
		free(vars);
		return cli_usage("generate", "give exactly one of --template and --prompt-text");
	}
	spec.vars = vars;
	spec.nvars = nvars;
	ui.verbose = cli->verbose;
	ui.tty = isatty(1);
	if (cli->verbose)
		spec.log = ui_log;
	struct workspace *ws = cli_workspace(cli, WS_CREATE);
	if (!ws) {
		free(vars);
		return 1;
	}
	if (cli_config_load(spec.provider, 0, &host, &cfg)) {
		free(vars);
		return 1;
	}
	struct gen_callbacks cb = { NULL, on_retry, on_error, on_variant, NULL };
	cli_catch_interrupt();
	if (gen_job_start(ws, cfg, &spec, &cb, &ui, &job, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	ui.n = gen_job_count(job);
	if (!ui.json) {
		printf("run %lld: %d variant%s from %s (%s)%s\n", gen_job_run_id(job), ui.n,
		       ui.n == 1 ? "" : "s", gen_job_provider(job), gen_job_model(job),
		       gen_job_local(job) ? ", no model called" : "");
		if (gen_job_redactions(job))
			printf("redacted %zu personal value%s before sending\n", gen_job_redactions(job),
			       gen_job_redactions(job) == 1 ? "" : "s");
		fflush(stdout);
	}
	volatile int *intr = cli_interrupt_flag();
	while (gen_job_in_flight(job)) {
		if (*intr) {
			gen_job_cancel(job);
			break;
		}
		if (gen_job_poll(job, NULL, 0, 100, &err) < 0) {
			cli_fail(&err);
			gen_job_cancel(job);
			break;
		}
	}
	const char *status = gen_job_status(job);
	if (ui.json) {
		cJSON *o = cJSON_CreateObject(), *arr;
		cJSON_AddNumberToObject(o, "run_id", (double)gen_job_run_id(job));
		cJSON_AddStringToObject(o, "provider", gen_job_provider(job));
		cJSON_AddStringToObject(o, "model", gen_job_model(job));
		arr = cJSON_AddArrayToObject(o, "variants");
		for (int i = 0; i < ui.n; i++) {
			const struct gen_variant *gv = gen_job_variant(job, i);
			if (gv)
				cJSON_AddItemToArray(arr, variant_json(gv, 0));
		}
		cli_print_json(o);
	} else {
		long tin, tout;
		double cost;
		gen_job_totals(job, &tin, &tout, &cost);
		printf("run %lld %s: %d of %d variants saved, %d failed; tokens %ld in / %ld out",
		       gen_job_run_id(job), status, ui.ndone, ui.n, ui.nfail, tin, tout);
		if (cost > 0)
			printf("; cost $%.5f", cost);
		putchar('\n');
	}
	if (strcmp(status, "cancelled") == 0) {
		fprintf(stderr, "copylab: cancelled; %d finished variant%s kept\n", ui.ndone,
		        ui.ndone == 1 ? "" : "s");
		rc = 130;
	} else if (strcmp(status, "failed") == 0) {
		fprintf(stderr, "copylab: every variant failed (see the errors above)\n");
		rc = 1;
	}
out:
	gen_job_free(job);
	cli_config_free(cfg, host);
	free(vars);
	return rc;
}

static cJSON *run_json(const struct gen_run_info *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "status", r->status);
	cJSON_AddStringToObject(o, "provider", r->provider ? r->provider : "");
	cJSON_AddStringToObject(o, "model", r->model ? r->model : "");
	if (r->prompt_name) {
		cJSON_AddStringToObject(o, "template", r->prompt_name);
		cJSON_AddNumberToObject(o, "template_version", r->prompt_version);
	} else {
		cJSON_AddNullToObject(o, "template");
		cJSON_AddNullToObject(o, "template_version");
	}
	if (r->segment)
		cJSON_AddStringToObject(o, "segment", r->segment);
	else
		cJSON_AddNullToObject(o, "segment");
	if (r->row_ref)
		cJSON_AddStringToObject(o, "row", r->row_ref);
	else
		cJSON_AddNullToObject(o, "row");
	cJSON_AddNumberToObject(o, "round", r->round);
	if (r->parent_run)
		cJSON_AddNumberToObject(o, "parent_run", (double)r->parent_run);
	else
		cJSON_AddNullToObject(o, "parent_run");
	cJSON_AddNumberToObject(o, "n_requested", r->n_requested);
	cJSON_AddNumberToObject(o, "n_variants", r->n_variants);
	cJSON_AddNumberToObject(o, "n_failed", r->n_failed);
	cJSON_AddNumberToObject(o, "tokens_in", (double)r->tokens_in);
	cJSON_AddNumberToObject(o, "tokens_out", (double)r->tokens_out);
	cJSON_AddNumberToObject(o, "cost", r->cost);
	cJSON_AddStringToObject(o, "created_at", r->created_at ? r->created_at : "");
	if (r->finished_at)
		cJSON_AddStringToObject(o, "finished_at", r->finished_at);
	else
		cJSON_AddNullToObject(o, "finished_at");
	return o;
}

int cmd_runs(struct cli *cli, int argc, char **argv)
{
	int json = 0;
	struct gen_run_info *runs;
	size_t n;
	struct cl_err err = {0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return cli_usage("runs", "unknown argument '%s'", argv[i]);
	}
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	if (gen_runs_list(ws, 0, &runs, &n, &err))
		return cli_fail(&err);
	if (json) {
		cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "runs");
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, run_json(&runs[i]));
		cli_print_json(o);
	} else if (!n) {
		printf("no runs yet (copylab generate makes one)\n");
	} else {
		printf("%5s  %-11s  %-10s  %-16s  %-18s  %9s  %13s  %9s  %s\n", "RUN", "STATUS", "PROVIDER",
		       "MODEL", "PROMPT", "OK/N", "TOKENS IN/OUT", "COST", "CREATED");
		for (size_t i = 0; i < n; i++) {
			const struct gen_run_info *r = &runs[i];
			char prompt[64], okn[32], tok[48];
			if (r->prompt_name)
				snprintf(prompt, sizeof prompt, "%s@%d", r->prompt_name, r->prompt_version);
			else
				snprintf(prompt, sizeof prompt, "(prompt text)");
			snprintf(okn, sizeof okn, "%d/%d", r->n_variants - r->n_failed, r->n_requested);
			snprintf(tok, sizeof tok, "%ld/%ld", r->tokens_in, r->tokens_out);
			printf("%5lld  %-11s  ", r->id, r->status);
			cli_put_cell(r->provider ? r->provider : "", 10);
			fputs("  ", stdout);
			cli_put_cell(r->model ? r->model : "", 16);
			fputs("  ", stdout);
			cli_put_cell(prompt, 18);
			printf("  %9s  %13s  %9.5f  %s\n", okn, tok, r->cost, r->created_at ? r->created_at : "");
		}
	}
	gen_runs_free(runs, n);
	return 0;
}

int cmd_variants(struct cli *cli, int argc, char **argv)
{
	int json = 0;
	long long run = 0;
	long lv;
	struct gen_run_info *r;
	struct gen_variant *v;
	size_t n;
	struct cl_err err = {0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (!run && argv[i][0] != '-') {
			if (cli_parse_int("variants", "RUN", argv[i], &lv))
				return 2;
			run = lv;
		} else
			return cli_usage("variants", "unknown argument '%s'", argv[i]);
	}
	if (!run)
		return cli_usage("variants", "which run? (copylab runs lists them)");
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	if (gen_run_get(ws, run, &r, &err))
		return cli_fail(&err);
	if (gen_variants_list(ws, run, &v, &n, &err)) {
		gen_runs_free(r, 1);
		return cli_fail(&err);
	}
	if (json) {
		cJSON *o = cJSON_CreateObject(), *arr;
		cJSON_AddNumberToObject(o, "run_id", (double)run);
		cJSON_AddStringToObject(o, "provider", r->provider ? r->provider : "");
		cJSON_AddStringToObject(o, "model", r->model ? r->model : "");
		cJSON_AddStringToObject(o, "status", r->status);
		arr = cJSON_AddArrayToObject(o, "variants");
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, variant_json(&v[i], 1));
		cli_print_json(o);
	} else {
		printf("run %lld  %s  %s (%s)  %zu variant%s\n", run, r->status, r->provider ? r->provider : "",
		       r->model ? r->model : "", n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			print_variant(&v[i]);
	}
	gen_variants_free(v, n);
	gen_runs_free(r, 1);
	return 0;
}

/* ---- providers ---- */

struct check {
	struct provider *p;
	int    started, done, skipped;
	char  *error;
	char  *skip_why;
	double latency_ms;
};

static void check_done(void *ud, struct provider_result *res)
{
	struct check *c = ud;
	c->done = 1;
	c->latency_ms = res->latency_ms;
	if (res->error)
		c->error = xstrdup(res->error);
}

int cmd_providers(struct cli *cli, int argc, char **argv)
{
	int json = 0, check = 0, rc = 0;
	struct cl_config *cfg = NULL;
	struct plugin_host *host = NULL;
	struct check *ck;
	struct cl_err err = {0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--check") == 0)
			check = 1;
		else
			return cli_usage("providers", "unknown argument '%s'", argv[i]);
	}
	if (cli_config_load(NULL, 1, &host, &cfg))
		return 1;
	ck = xcalloc(cfg->nproviders + 1, sizeof *ck);
	if (check) {
		/* One one-token completion per provider, all at once. Listing
		 * /v1/models is not enough: it may answer while completions say 401. */
		struct http_client *http = NULL;
		struct http_opts o;
		memset(&o, 0, sizeof o);
		o.concurrency = (int)cfg->nproviders;
		o.max_retries = 0;
		o.max_retries_5xx = 0;
		o.timeout_ms = 20000;
		if (cli->verbose) {
			o.log = ui_log;
			o.log_ud = &(struct gen_ui){ .verbose = 1 };
		}
		struct provider_req req;
		provider_req_init(&req);
		req.user = "Reply with the word OK.";
		req.max_tokens = 1;
		req.fields = (const char *const[]){ "text" };
		req.nfields = 1;
		for (size_t i = 0; i < cfg->nproviders; i++) {
			struct provider *p = cfg->providers[i];
			ck[i].p = p;
			if (p->type->local) {
				struct provider_result res;
				req.seed = 1;
				if (provider_complete_local(p, &req, &res, &err)) {
					ck[i].error = xstrdup(err.msg);
				} else {
					ck[i].error = res.error ? xstrdup(res.error) : NULL;
					ck[i].latency_ms = res.latency_ms;
					provider_result_clear(&res);
				}
				req.seed = -1;
				ck[i].done = 1;
				continue;
			}
			if (!provider_api_key(p) && p->key_env && p->type->default_base_url &&
			    p->base_url && strcmp(p->base_url, p->type->default_base_url) == 0) {
				ck[i].skipped = 1;
				ck[i].skip_why = xasprintf("%s is not set", p->key_env);
				continue;
			}
			if (!http && http_client_new(&o, &http, &err)) {
				rc = cli_fail(&err);
				break;
			}
			struct provider_callbacks pcb = { NULL, NULL, check_done };
			if (provider_submit(p, http, &req, &pcb, &ck[i], &err) < 0) {
				ck[i].error = xstrdup(err.msg);
				ck[i].done = 1;
			}
		}
		while (http && http_in_flight(http)) {
			if (http_poll(http, NULL, 0, 200, &err) < 0) {
				rc = cli_fail(&err);
				break;
			}
		}
		http_client_free(http);
	}
	if (json) {
		cJSON *o = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(o, "default", cfg->default_name);
		if (cfg->path)
			cJSON_AddStringToObject(o, "config", cfg->path);
		else
			cJSON_AddNullToObject(o, "config");
		arr = cJSON_AddArrayToObject(o, "providers");
		for (size_t i = 0; i < cfg->nproviders; i++) {
			const struct provider *p = cfg->providers[i];
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "name", p->name);
			cJSON_AddStringToObject(e, "type", p->type->name);
			if (p->base_url)
				cJSON_AddStringToObject(e, "base_url", p->base_url);
			else
				cJSON_AddNullToObject(e, "base_url");
			cJSON_AddStringToObject(e, "model", p->model ? p->model : "");
			if (p->key_env)
				cJSON_AddStringToObject(e, "api_key_env", p->key_env);
			else
				cJSON_AddNullToObject(e, "api_key_env");
			cJSON_AddBoolToObject(e, "key_set", provider_api_key(p) != NULL);
			cJSON_AddBoolToObject(e, "default", strcmp(p->name, cfg->default_name) == 0);
			cJSON_AddBoolToObject(e, "local", p->type->local);
			cJSON_AddNumberToObject(e, "price_in", p->price_in);
			cJSON_AddNumberToObject(e, "price_out", p->price_out);
			cJSON_AddNumberToObject(e, "concurrency", p->concurrency > 0 ? p->concurrency : 8);
			cJSON_AddNumberToObject(e, "rpm", p->rpm);
			if (check) {
				cJSON *c = cJSON_AddObjectToObject(e, "check");
				const char *st = ck[i].skipped ? "skipped" : ck[i].error ? "failed" : "ok";
				cJSON_AddStringToObject(c, "status", st);
				cJSON_AddBoolToObject(c, "ok", !ck[i].skipped && !ck[i].error);
				cJSON_AddNumberToObject(c, "latency_ms", (double)(long long)(ck[i].latency_ms + 0.5));
				if (ck[i].error || ck[i].skip_why)
					cJSON_AddStringToObject(c, "error", ck[i].error ? ck[i].error : ck[i].skip_why);
				else
					cJSON_AddNullToObject(c, "error");
			}
			cJSON_AddItemToArray(arr, e);
		}
		cli_print_json(o);
	} else {
		printf("config: %s\n", cfg->path ? cfg->path : "(no config.json; built-ins and environment)");
		for (size_t i = 0; i < cfg->nproviders; i++) {
			const struct provider *p = cfg->providers[i];
			const char *key = p->key_env ? (provider_api_key(p) ? "key set" : "no key") : "no key needed";
			printf("%c %-12s %-9s %-24s %s%s%s (%s%s%s)\n",
			       strcmp(p->name, cfg->default_name) == 0 ? '*' : ' ', p->name, p->type->name,
			       p->model ? p->model : "", p->base_url ? p->base_url : "",
			       p->base_url ? "" : "local", "", key, p->key_env ? ": " : "",
			       p->key_env ? p->key_env : "");
			if (check) {
				if (ck[i].skipped)
					printf("    check: skipped (%s)\n", ck[i].skip_why);
				else if (ck[i].error)
					printf("    check: FAILED: %s\n", ck[i].error);
				else
					printf("    check: ok, answered in %.0f ms\n", ck[i].latency_ms);
			}
		}
	}
	for (size_t i = 0; i < cfg->nproviders; i++) {
		if (check && !ck[i].skipped && ck[i].error)
			rc = 1;
		free(ck[i].error);
		free(ck[i].skip_why);
	}
	free(ck);
	cli_config_free(cfg, host);
	return rc;
}
