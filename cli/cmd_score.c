/* cmd_score.c — `copylab score`, `eval`, `predictor`, `calibrate`: the
 * scorers, the click-rate model, the LLM judge and their calibration. */
#include "cli/cli.h"
#include "core/claims.h"
#include "core/score.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_stream(FILE *f)
{
	struct sbuf sb = SBUF_INIT;
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&sb, buf, n);
	return sbuf_detach(&sb);
}

/* Weights from config.json's "scoring": {"weights": {...}} when present. */
static int config_weights(struct scoreset *set, struct cl_err *err)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *path = x && *x ? xasprintf("%s/copylab/config.json", x)
	           : xasprintf("%s/.config/copylab/config.json", home ? home : ".");
	char *text = NULL;
	size_t len;
	struct cl_err e2 = {0};
	int rc = 0;
	if (access(path, R_OK) == 0 && cl_read_file(path, &text, &len, &e2) == 0) {
		cJSON *j = cJSON_ParseWithLength(text, len);
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(j, "scoring"), "weights");
		if (w && scoreset_set_weights(set, w, err)) {
			cl_err_prefix(err, "%s: scoring", path);
			rc = -1;
		}
		cJSON_Delete(j);
	}
	free(text);
	free(path);
	return rc;
}

/* What a scoring command borrows from the workspace (brand, products). */
struct score_env {
	struct brand *brand;
	struct claims_catalog *cat;
};

static void env_free(struct score_env *env)
{
	brand_free(env->brand);
	claims_catalog_free(env->cat);
}

static int env_from_ws(struct workspace *ws, struct scoreset *set, struct score_env *env,
                       struct cl_err *err)
{
	if (!env->brand && brand_load_ws(ws, &env->brand, err))
		return -1;
	if (claims_catalog_load(ws, NULL, &env->cat, err))
		return -1;
	if (env->cat && env->brand)
		claims_catalog_set_brand(env->cat, env->brand->name);
	scoreset_set_brand(set, env->brand);
	scoreset_set_catalog(set, env->cat);
	return 0;
}

static void print_table(const struct score_result *r)
{
	printf("composite  %.3f   (lang %s%s%s)\n", r->composite, r->lang,
	       r->channel[0] ? ", channel " : "", r->channel);
	for (size_t i = 0; i < r->n; i++) {
		const struct score_item *it = &r->items[i];
		char note[200] = "";
		const cJSON *d = it->detail;
		if (strcmp(it->scorer, "compliance") == 0 || strcmp(it->scorer, "claims") == 0) {
			const cJSON *h = cJSON_GetObjectItemCaseSensitive(d, strcmp(it->scorer, "claims") == 0
			                                                  ? "claims" : "hits");
			const cJSON *x;
			size_t off = 0;
			cJSON_ArrayForEach(x, h) {
				const cJSON *q = cJSON_GetObjectItemCaseSensitive(x, "quote");
				const cJSON *b = cJSON_GetObjectItemCaseSensitive(x, "backed");
				const cJSON *p = cJSON_GetObjectItemCaseSensitive(x, "pos");
				if (cJSON_IsTrue(b) || cJSON_IsNull(b) || !cJSON_IsString(q))
					continue;
				off += (size_t)snprintf(note + off, off < sizeof note ? sizeof note - off : 0,
				                        "%s\"%s\"@%d", off ? ", " : "", q->valuestring,
				                        p ? p->valueint : 0);
				if (off >= sizeof note)
					break;
			}
		} else if (strcmp(it->scorer, "channel_fit") == 0 &&
		           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "hard_violation")))
			snprintf(note, sizeof note, "HARD VIOLATION of the channel limit");
		else if (strcmp(it->scorer, "readability") == 0) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(d, "flesch");
			if (f)
				snprintf(note, sizeof note, "Flesch %.1f", f->valuedouble);
		}
		printf("  %-16s %.3f  w%-4g %s\n", it->scorer, it->value, it->weight, note);
	}
}

int cmd_score(struct cli *cli, int argc, char **argv)
{
	const char *text_arg = NULL, *channel = NULL, *lang = NULL, *fields_arg = NULL;
	const char *brand_file = NULL, *weights = NULL, *batch = NULL, *segment = NULL;
	int json = 0, summary = 0, no_detail = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--summary") == 0)
			summary = 1;
		else if (strcmp(a, "--no-detail") == 0)
			no_detail = 1;
		else if (strcmp(a, "--channel") == 0 && v)
			channel = v, i++;
		else if (strcmp(a, "--lang") == 0 && v)
			lang = v, i++;
		else if (strcmp(a, "--fields") == 0 && v)
			fields_arg = v, i++;
		else if (strcmp(a, "--brand") == 0 && v)
			brand_file = v, i++;
		else if (strcmp(a, "--weights") == 0 && v)
			weights = v, i++;
		else if (strcmp(a, "--segment") == 0 && v)
			segment = v, i++;
		else if (strcmp(a, "--batch") == 0 && v)
			batch = v, i++;
		else if (a[0] == '-' && a[1])
			return cli_usage("score", "unknown option '%s'", a);
		else if (!text_arg)
			text_arg = a;
		else
			return cli_usage("score", "one TEXT only (quote it), got '%s' too", a);
	}
	if (channel && !score_channel_name(channel))
		return cli_usage("score", "unknown channel '%s' (email, sms, push, social, search-ad, landing)",
		                 channel);
	struct cl_err err = {0};
	struct scoreset *set;
	if (scoreset_new(NULL, &set, &err))
		return cli_fail(&err);
	struct score_env env = {0};
	int rc = 1;
	cJSON *fields = NULL;
	char *text = NULL;
	if (config_weights(set, &err) || (weights && scoreset_set_weights_text(set, weights, &err)))
		goto out;
	if (brand_file && brand_load_file(brand_file, &env.brand, &err))
		goto out;
	/* The workspace is optional: use its brand and products when it exists. */
	if (access(cli->db_path, F_OK) == 0) {
		struct workspace *ws = cli_workspace(cli, 0);
		if (!ws)
			goto out;
		if (env_from_ws(ws, set, &env, &err))
			goto out;
	} else
		scoreset_set_brand(set, env.brand);
	if (no_detail)
		scoreset_want_detail(set, 0);
	if (batch) {
		/* One text a line (\n inside a text written as the two characters \n). */
		FILE *f = strcmp(batch, "-") == 0 ? stdin : fopen(batch, "r");
		if (!f) {
			cli_failf("%s: cannot open", batch);
			goto out;
		}
		char *all = read_stream(f);
		if (f != stdin)
			fclose(f);
		size_t count = 0;
		double sum = 0, t0 = cl_now_ms();
		for (char *line = all, *next; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			for (char *p = line, *q = line;; p++) {
				if (p[0] == '\\' && p[1] == 'n')
					*q++ = '\n', p++;
				else if (!(*q++ = *p))
					break;
			}
			struct score_input in = { .text = line, .channel = channel, .lang = lang,
			                          .segment = segment };
			struct score_result r;
			if (score_text(set, &in, &r, &err)) {
				free(all);
				goto out;
			}
			count++;
			sum += r.composite;
			if (!summary) {
				if (json)
					cli_print_json(score_result_json(&r));
				else
					printf("%.4f\t%s\n", r.composite, line);
			}
			score_result_free(&r);
		}
		double ms = cl_now_ms() - t0;
		free(all);
		if (summary) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "count", (double)count);
			cJSON_AddNumberToObject(o, "seconds", ms / 1000.0);
			cJSON_AddNumberToObject(o, "per_second", ms > 0 ? count / (ms / 1000.0) : 0);
			cJSON_AddNumberToObject(o, "mean_composite", count ? sum / count : 0);
			if (json)
				cli_print_json(o);
			else {
				printf("%zu texts in %.3f s (%.0f/s), mean composite %.4f\n", count, ms / 1000.0,
				       ms > 0 ? count / (ms / 1000.0) : 0.0, count ? sum / count : 0.0);
				cJSON_Delete(o);
			}
		}
		rc = 0;
		goto out;
	}
	if (fields_arg) {
		fields = cJSON_Parse(fields_arg);
		if (!cJSON_IsObject(fields)) {
			rc = cli_usage("score", "--fields wants a JSON object of strings");
			goto out;
		}
	}
	if (!fields && (!text_arg || strcmp(text_arg, "-") == 0)) {
		if (!text_arg && isatty(0)) {
			rc = cli_usage("score", "give TEXT, or - to read it from standard input");
			goto out;
		}
		text = read_stream(stdin);
		size_t l = strlen(text);
		while (l && (text[l - 1] == '\n' || text[l - 1] == '\r'))
			text[--l] = '\0';
	} else if (text_arg)
		text = xstrdup(text_arg);
	if (text && !cl_utf8_valid(text, strlen(text))) {
		cli_failf("the text is not valid UTF-8");
		goto out;
	}
	struct score_input in = { .text = text, .fields = fields, .channel = channel, .lang = lang,
	                          .segment = segment };
	struct score_result r;
	if (score_text(set, &in, &r, &err))
		goto out;
	if (json)
		cli_print_json(score_result_json(&r));
	else
		print_table(&r);
	score_result_free(&r);
	rc = 0;
out:
	if (rc && err.msg[0])
		cli_fail(&err);
	cJSON_Delete(fields);
	free(text);
	env_free(&env);
	scoreset_free(set);
	return rc;
}
