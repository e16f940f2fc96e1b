/* cmd_score.c — `copylab score`, `eval`, `predictor`, `calibrate`: the
 * scorers, the click-rate model, the LLM judge and their calibration. */
#include "cli/cli.h"
#include "core/claims.h"
#include "core/config.h"
#include "core/eval.h"
#include "core/judge.h"
#include "core/plugin.h"
#include "core/predict.h"
#include "core/score.h"
#include "core/generate.h"
#include "core/textstat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <math.h>

/* This file's options that take a value (for cli_unknown_opt). */
static const char VALUED_OPTS[] = " --channel --lang --fields --segment --brand --weights --batch --provider --table --lambda --rubric ";

static char *read_stream(FILE *f, size_t *len)
{
	struct sbuf sb = SBUF_INIT;
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&sb, buf, n);
	*len = sb.len;
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
	struct predictor *pred;
};

static void env_free(struct score_env *env)
{
	brand_free(env->brand);
	claims_catalog_free(env->cat);
	predictor_free(env->pred);
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
	if (predictor_load(ws, scoreset_lexicon(set), &env->pred, err))
		return -1;
	scoreset_set_brand(set, env->brand);
	scoreset_set_catalog(set, env->cat);
	scoreset_set_predictor(set, env->pred);
	return 0;
}

/* Append "a", "b" (the "quote" members of arr's objects, or arr's strings) to
 * note, at most max of them. */
static void add_quotes(struct sbuf *note, const char *label, const cJSON *arr, int max)
{
	const cJSON *x;
	int k = 0, n = cJSON_GetArraySize(arr);
	if (!n)
		return;
	sbuf_addf(note, "%s%s ", note->len ? "; " : "", label);
	cJSON_ArrayForEach(x, arr) {
		const cJSON *q = cJSON_IsString(x) ? x : cJSON_GetObjectItemCaseSensitive(x, "quote");
		if (!cJSON_IsString(q))
			continue;
		if (k == max) {
			sbuf_addf(note, " +%d more", n - k);
			break;
		}
		sbuf_addf(note, "%s\"%s\"", k ? ", " : "", q->valuestring);
		k++;
	}
}

/* Offset of the first byte that does not start a valid UTF-8 sequence. */
static size_t utf8_bad_at(const char *s)
{
	size_t i = 0, n = strlen(s);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (!k || i + k > n || !cl_utf8_valid(s + i, k))
			return i;
		i += k;
	}
	return n;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* One short line saying why a scorer gave its value, from its detail. */
static void score_note(const struct score_item *it, struct sbuf *note)
{
	const cJSON *d = it->detail;
	const char *sc = it->scorer;
	const cJSON *x;
	if (strcmp(sc, "compliance") == 0 || strcmp(sc, "claims") == 0) {
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(d, strcmp(sc, "claims") == 0 ? "claims" : "hits");
		cJSON_ArrayForEach(x, h) {
			const cJSON *q = cJSON_GetObjectItemCaseSensitive(x, "quote");
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(x, "backed");
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(x, "pos");
			if (cJSON_IsTrue(b) || cJSON_IsNull(b) || !cJSON_IsString(q))
				continue;
			sbuf_addf(note, "%s\"%s\"@%d", note->len ? ", " : "", q->valuestring,
			          cJSON_IsNumber(p) ? p->valueint : 0);
		}
	} else if (strcmp(sc, "channel_fit") == 0) {
		const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "fields"), 0);
		const cJSON *len = cJSON_GetObjectItemCaseSensitive(f, "length");
		const cJSON *lim = cJSON_GetObjectItemCaseSensitive(f, "limit");
		const char *unit = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "unit"));
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "hard_violation")))
			sbuf_adds(note, "HARD VIOLATION of the channel limit: ");
		if (cJSON_IsNumber(len) && unit)
			sbuf_addf(note, "%s %d %s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "field"))
			          ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "field")) : "text",
			          len->valueint, unit);
		if (cJSON_IsNumber(lim))
			sbuf_addf(note, " (limit %d)", lim->valueint);
	} else if (strcmp(sc, "readability") == 0) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(d, "flesch");
		if (cJSON_IsNumber(f))
			sbuf_addf(note, "Flesch %.1f", f->valuedouble);
	} else if (strcmp(sc, "sentiment") == 0) {
		add_quotes(note, "terms", cJSON_GetObjectItemCaseSensitive(d, "terms"), 3);
	} else if (strcmp(sc, "cta") == 0 || strcmp(sc, "urgency") == 0 ||
	           strcmp(sc, "personalisation") == 0) {
		add_quotes(note, "found", cJSON_GetObjectItemCaseSensitive(d, "found"), 3);
		if (!note->len)
			sbuf_adds(note, "none found");
	} else if (strcmp(sc, "numbers") == 0) {
		add_quotes(note, "numbers", cJSON_GetObjectItemCaseSensitive(d, "numbers"), 4);
	} else if (strcmp(sc, "deliverability") == 0) {
		const cJSON *caps = cJSON_GetObjectItemCaseSensitive(d, "caps_share");
		const cJSON *rp = cJSON_GetObjectItemCaseSensitive(d, "repeated_punctuation");
		add_quotes(note, "spam words", cJSON_GetObjectItemCaseSensitive(d, "spam_triggers"), 3);
		if (cJSON_IsNumber(caps) && caps->valuedouble >= 0.05)
			sbuf_addf(note, "%scapitals %.0f%%", note->len ? "; " : "", caps->valuedouble * 100);
		if (cJSON_IsNumber(rp) && rp->valuedouble > 0)
			sbuf_addf(note, "%srepeated punctuation", note->len ? "; " : "");
	} else if (strcmp(sc, "brand") == 0) {
		add_quotes(note, "missing", cJSON_GetObjectItemCaseSensitive(d, "required_missing"), 3);
		add_quotes(note, "banned", cJSON_GetObjectItemCaseSensitive(d, "banned_found"), 3);
	} else if (strcmp(sc, "predicted") == 0) {
		const cJSON *ctr = cJSON_GetObjectItemCaseSensitive(d, "predicted_ctr");
		const cJSON *rho = cJSON_GetObjectItemCaseSensitive(d, "cv_spearman");
		if (cJSON_IsNumber(ctr))
			sbuf_addf(note, "click rate %.2f%%", ctr->valuedouble * 100);
		if (cJSON_IsNumber(rho))
			sbuf_addf(note, "%scross-validated rho %.2f", note->len ? ", " : "", rho->valuedouble);
		if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(d, "counted")))
			sbuf_adds(note, " (not counted)");
	}
	if (!note->len) {
		const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "why"));
		if (why)
			sbuf_adds(note, why);
	}
}

static void print_table(const struct score_result *r)
{
	printf("composite  %.3f   (lang %s%s%s)\n", r->composite, r->lang,
	       r->channel[0] ? ", channel " : "", r->channel);
	for (size_t i = 0; i < r->n; i++) {
		const struct score_item *it = &r->items[i];
		struct sbuf note = SBUF_INIT;
		char w[16];
		score_note(it, &note);
		snprintf(w, sizeof w, "w%g", it->weight);
		if (note.len)
			printf("  %-16s %.3f  %-5s %s\n", it->scorer, it->value, w, sbuf_str(&note));
		else
			printf("  %-16s %.3f  %s\n", it->scorer, it->value, w);
		sbuf_free(&note);
	}
}

int cmd_score(struct cli *cli, int argc, char **argv)
{
	const char *text_arg = NULL, *channel = NULL, *lang = NULL, *fields_arg = NULL;
	const char *brand_file = NULL, *weights = NULL, *batch = NULL, *segment = NULL;
	int json = 0, summary = 0, no_detail = 0, plugins = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--plugins") == 0)
			plugins = 1;
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
			return cli_unknown_opt("score", a, VALUED_OPTS);
		else if (!text_arg)
			text_arg = a;
		else
			return cli_usage("score", "one TEXT only (quote it), got '%s' too", a);
	}
	if (channel && !score_channel_name(channel))
		return cli_usage("score", "unknown channel '%s' (email, sms, push, social, search-ad, landing)",
		                 channel);
	if (lang && strncasecmp(lang, "en", 2) != 0 && strncasecmp(lang, "zh", 2) != 0)
		return cli_usage("score", "--lang is en or zh, not '%s'", lang);
	struct cl_err err = {0};
	struct scoreset *set;
	if (scoreset_new(NULL, &set, &err))
		return cli_fail(&err);
	struct score_env env = {0};
	struct plugin_host *host = NULL;
	int rc = 1;
	cJSON *fields = NULL;
	char *text = NULL;
	if (plugins && (plugin_host_load_default(&host, &err) || plugin_attach_scorers(host, set, &err)))
		goto out;
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
			cli_failf("%s: %s", batch, strerror(errno));
			goto out;
		}
		size_t alen;
		char *all = read_stream(f, &alen);
		if (f != stdin)
			fclose(f);
		if (strlen(all) != alen) {
			/* a NUL would end the texts here without a word */
			size_t at = strlen(all), ln = 1;
			for (size_t i = 0; i < at; i++)
				ln += all[i] == '\n';
			cli_failf("%s:%zu: a NUL byte (0x00), which is not text", batch, ln);
			free(all);
			goto out;
		}
		size_t count = 0, empty = 0, lineno = 0;
		double sum = 0, t0 = cl_now_ms();
		for (char *line = all, *next; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			lineno++;
			size_t ll = strlen(line);
			if (ll && line[ll - 1] == '\r')
				line[--ll] = '\0';
			if (!cl_utf8_valid(line, ll)) {
				size_t at = utf8_bad_at(line);
				cli_failf("%s:%zu: invalid UTF-8 at byte %zu (0x%02x)", batch, lineno, at + 1,
				          (unsigned char)line[at]);
				free(all);
				goto out;
			}
			if (!*skip_space(line)) {
				empty++;
				continue;
			}
			/* \n is a line break inside a text, \\ a backslash. */
			for (char *p = line, *q = line;; p++) {
				if (p[0] == '\\' && p[1] == 'n')
					*q++ = '\n', p++;
				else if (p[0] == '\\' && p[1] == '\\')
					*q++ = '\\', p++;
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
				else {
					/* one line per text, written back as it was read */
					printf("%.4f\t", r.composite);
					for (const char *c = line; *c; c++)
						if (*c == '\n')
							fputs("\\n", stdout);
						else if (*c == '\\')
							fputs("\\\\", stdout);
						else
							putchar(*c);
					putchar('\n');
				}
			}
			score_result_free(&r);
		}
		double ms = cl_now_ms() - t0;
		free(all);
		if (empty)
			fprintf(stderr, "copylab: %s: %zu empty line%s skipped\n", batch, empty,
			        empty == 1 ? "" : "s");
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
		const cJSON *fv;
		int any_text = 0;
		cJSON_ArrayForEach(fv, fields) {
			if (!cJSON_IsString(fv)) {
				rc = cli_usage("score", "--fields: \"%s\" is not a string", fv->string);
				goto out;
			}
			if (!cl_utf8_valid(fv->valuestring, strlen(fv->valuestring))) {
				cli_failf("--fields: \"%s\": invalid UTF-8", fv->string);
				goto out;
			}
			any_text |= *skip_space(fv->valuestring) != 0;
		}
		if (!any_text) {
			cli_failf("nothing to score: every field in --fields is empty");
			goto out;
		}
	}
	if (!fields && (!text_arg || strcmp(text_arg, "-") == 0)) {
		if (!text_arg && isatty(0)) {
			rc = cli_usage("score", "give TEXT, or - to read it from standard input");
			goto out;
		}
		size_t tlen;
		text = read_stream(stdin, &tlen);
		if (strlen(text) != tlen) {
			cli_failf("standard input: a NUL byte (0x00) at byte %zu, which is not text",
			          strlen(text) + 1);
			goto out;
		}
		size_t l = strlen(text);
		while (l && (text[l - 1] == '\n' || text[l - 1] == '\r'))
			text[--l] = '\0';
	} else if (text_arg)
		text = xstrdup(text_arg);
	if (text && !cl_utf8_valid(text, strlen(text))) {
		size_t at = utf8_bad_at(text);
		cli_failf("%s: invalid UTF-8 at byte %zu (0x%02x)", text_arg && strcmp(text_arg, "-")
		          ? "the text" : "standard input", at + 1, (unsigned char)text[at]);
		goto out;
	}
	if (text && !fields && !*skip_space(text)) {
		cli_failf("nothing to score: the text is empty");
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
	cli_plugin_warnings(host);
	plugin_host_free(host);
	return rc;
}

/* ---- eval ---- */

/* "B  Spring Longjing is here: …" — the variant's letter and the start of its
 * copy (the first text field of a JSON reply), cut to max display columns,
 * one line. Caller frees. */
static char *eval_snippet(const char *text, int idx, size_t max)
{
	struct sbuf sb = SBUF_INIT;
	cJSON *j = text ? cJSON_Parse(text) : NULL;
	const char *s = text ? text : "";
	const cJSON *f;
	cJSON_ArrayForEach(f, j)
		if (cJSON_IsString(f) && *f->valuestring) {
			s = f->valuestring;
			break;
		}
	if (idx >= 0 && idx < 26)
		sbuf_addf(&sb, "%c  ", 'A' + idx);
	size_t w = 0, n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = ts_decode(s + i, n - i, &cp);
		int cw = cp == '\n' || cp == '\r' || cp == '\t' ? 1 : ts_cp_width(cp);
		if (w + (size_t)cw > max - 1 && i + k < n) {
			sbuf_adds(&sb, cli_utf8_locale() ? "…" : "...");
			break;
		}
		if (cp == '\n' || cp == '\r' || cp == '\t')
			sbuf_addc(&sb, ' ');
		else if (cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0))
			sbuf_add(&sb, s + i, k);
		w += (size_t)cw;
		i += k;
	}
	cJSON_Delete(j);
	return sbuf_detach(&sb);
}

struct eval_collect {
	cJSON *arr;
	double *comp;
	long long *ids;
	size_t n;
	int json;
};

static void on_variant(void *ud, long long vid, int idx, const struct score_result *r,
                       const char *judge_error)
{
	struct eval_collect *c = ud;
	cJSON *o = score_result_json(r);
	cJSON_AddNumberToObject(o, "id", (double)vid);
	cJSON_AddNumberToObject(o, "idx", idx);
	if (judge_error)
		cJSON_AddStringToObject(o, "judge_error", judge_error);
	cJSON_AddItemToArray(c->arr, o);
	c->comp = xreallocarray(c->comp, c->n + 1, sizeof *c->comp);
	c->ids = xreallocarray(c->ids, c->n + 1, sizeof *c->ids);
	c->comp[c->n] = r->composite;
	c->ids[c->n] = vid;
	c->n++;
	if (!c->json && judge_error)
		fprintf(stderr, "copylab eval: variant %lld: %s\n", vid, judge_error);
}

int cmd_eval(struct cli *cli, int argc, char **argv)
{
	const char *run_arg = NULL, *provider = NULL;
	int json = 0, judge = 0, plugins = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--plugins") == 0)
			plugins = 1;
		else if (strcmp(argv[i], "--judge") == 0)
			judge = 1;
		else if (strcmp(argv[i], "--provider") == 0 && i + 1 < argc)
			provider = argv[++i], judge = 1;
		else if (argv[i][0] == '-')
			return cli_unknown_opt("eval", argv[i], VALUED_OPTS);
		else if (!run_arg)
			run_arg = argv[i];
		else
			return cli_usage("eval", "one RUN only");
	}
	long run;
	if (!run_arg)
		return cli_usage("eval", "which run? (see copylab runs)");
	if (cli_parse_int("eval", "RUN", run_arg, &run))
		return 2;
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct cl_err err = {0};
	struct scoreset *set;
	if (scoreset_new(NULL, &set, &err))
		return cli_fail(&err);
	struct score_env env = {0};
	struct cl_config *cfg = NULL;
	struct provider *p = NULL;
	int rc = 1;
	struct eval_collect col = { cJSON_CreateArray(), NULL, NULL, 0, json };
	struct plugin_host *host = NULL, *cfg_host = NULL;
	if (plugins && (plugin_host_load_default(&host, &err) || plugin_attach_scorers(host, set, &err)))
		goto out;
	if (config_weights(set, &err) || env_from_ws(ws, set, &env, &err))
		goto out;
	if (judge) {
		if (cli_config_load(provider, 0, &cfg_host, &cfg))
			goto out;   /* already said */
		if (!(p = config_provider(cfg, provider, &err)) || provider_check_key(p, &err))
			goto out;
	}
	cli_catch_interrupt();
	struct eval_opts o = { .judge = judge, .provider = p, .on_variant = on_variant, .ud = &col,
	                       .cancel = cli_interrupt_flag() };
	struct eval_summary sum;
	if (eval_run(ws, set, run, &o, &sum, &err))
		goto out;
	/* ranking by composite, best first */
	struct score_result *tmp = xcalloc(col.n ? col.n : 1, sizeof *tmp);
	for (size_t i = 0; i < col.n; i++)
		tmp[i].composite = col.comp[i];
	size_t *order = score_rank(tmp, col.n);
	free(tmp);
	if (json) {
		cJSON *out = cJSON_CreateObject();
		cJSON_AddNumberToObject(out, "run_id", (double)run);
		cJSON_AddStringToObject(out, "channel", sum.channel);
		cJSON_AddStringToObject(out, "lang", sum.lang);
		if (sum.row_ref[0])
			cJSON_AddStringToObject(out, "row", sum.row_ref);
		if (judge) {
			cJSON *j = cJSON_AddObjectToObject(out, "judge");
			cJSON_AddStringToObject(j, "provider", p->name);
			cJSON_AddBoolToObject(j, "fallback", sum.judge_fallback);
			if (sum.judge_fallback)
				cJSON_AddStringToObject(j, "note", "offline provider: the judge fell back to the "
				                        "heuristic scorers' composite");
			cJSON_AddNumberToObject(j, "judged", (double)sum.judged);
			cJSON_AddNumberToObject(j, "errors", (double)sum.judge_errors);
		}
		if (env.pred) {
			cJSON *m = predictor_metrics_json(env.pred);
			cJSON_AddItemToObject(out, "predictor", m);
		}
		cJSON *rk = cJSON_AddArrayToObject(out, "ranking");
		for (size_t i = 0; i < col.n; i++)
			cJSON_AddItemToArray(rk, cJSON_CreateNumber((double)col.ids[order[i]]));
		cJSON_AddBoolToObject(out, "cancelled", sum.cancelled);
		cJSON_AddItemToObject(out, "variants", col.arr);
		col.arr = NULL;
		cli_print_json(out);
	} else {
		printf("run %ld: %zu variants scored%s%s%s\n", run, sum.scored,
		       sum.channel[0] ? " for " : "", sum.channel, sum.cancelled ? " (cancelled)" : "");
		if (judge)
			printf("judge: %s%s\n", p->name, sum.judge_fallback
			       ? " (offline: fell back to the heuristic scorers' composite)" : "");
		if (env.pred) {
			const struct predict_metrics *m = predictor_metrics(env.pred);
			printf("predicted: click-rate model, cross-validated Spearman %.2f [%.2f, %.2f] on %zu campaigns\n",
			       m->spearman, m->spearman_lo, m->spearman_hi, m->n);
		}
		struct gen_variant *vs = NULL;
		size_t nv = 0;
		struct cl_err e2 = {0};
		if (gen_variants_list(ws, run, &vs, &nv, &e2))
			nv = 0;
		printf("rank  variant  composite  copy\n");
		for (size_t i = 0; i < col.n; i++) {
			const char *txt = NULL;
			int idx = -1;
			for (size_t k = 0; k < nv; k++)
				if (vs[k].id == col.ids[order[i]]) {
					txt = vs[k].text;
					idx = vs[k].idx;
				}
			char *snip = eval_snippet(vs && txt ? txt : NULL, idx, 60);
			printf("%4zu  %7lld  %9.3f  %s\n", i + 1, col.ids[order[i]], col.comp[order[i]], snip);
			free(snip);
		}
		gen_variants_free(vs, nv);
	}
	free(order);
	rc = 0;
out:
	if (rc && err.msg[0])
		cli_fail(&err);
	cJSON_Delete(col.arr);
	free(col.comp);
	free(col.ids);
	cli_config_free(cfg, cfg_host);
	env_free(&env);
	scoreset_free(set);
	cli_plugin_warnings(host);
	plugin_host_free(host);
	return rc;
}

/* ---- predictor ---- */

int cmd_predictor(struct cli *cli, int argc, char **argv)
{
	const char *table = NULL, *channel = NULL, *segment = NULL, *text = NULL;
	int json = 0;
	struct predict_opts popts = {0};
	if (argc < 2)
		return cli_usage("predictor", "train, show or predict?");
	const char *sub = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--table") == 0 && i + 1 < argc)
			table = argv[++i];
		else if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc)
			channel = argv[++i];
		else if (strcmp(argv[i], "--segment") == 0 && i + 1 < argc)
			segment = argv[++i];
		else if (strcmp(argv[i], "--lambda") == 0 && i + 1 < argc) {
			if (cli_parse_double("predictor", "--lambda", argv[++i], &popts.lambda))
				return 2;
			if (!(popts.lambda > 0))
				return cli_usage("predictor", "--lambda wants a number > 0");
		} else if (argv[i][0] == '-')
			return cli_unknown_opt("predictor", argv[i], VALUED_OPTS);
		else if (!text && strcmp(sub, "predict") == 0)
			text = argv[i];
		else
			return cli_usage("predictor", "unexpected '%s'", argv[i]);
	}
	if (strcmp(sub, "train") && strcmp(sub, "show") && strcmp(sub, "predict"))
		return cli_usage("predictor", "unknown subcommand '%s' (train, show, predict)", sub);
	if (strcmp(sub, "predict") == 0 && !text)
		return cli_usage("predictor", "predict wants the TEXT of the copy");
	if (text && !*skip_space(text))
		return cli_failf("nothing to predict: the text is empty");
	if (text && !cl_utf8_valid(text, strlen(text)))
		return cli_failf("the text is not valid UTF-8");
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct cl_err err = {0};
	struct lexicon *lx = NULL;
	struct predictor *p = NULL;
	int rc = 1;
	if (lex_load(NULL, &lx, &err))
		goto out;
	if (strcmp(sub, "train") == 0) {
		if (predictor_train_table(ws, table, lx, &popts, &p, &err) || predictor_save(ws, p, &err))
			goto out;
	} else {
		if (predictor_load(ws, lx, &p, &err))
			goto out;
		if (!p) {
			cli_failf("no click-rate model yet: run `copylab predictor train` first");
			goto out;
		}
	}
	cJSON *m = predictor_metrics_json(p);
	if (strcmp(sub, "predict") == 0) {
		double ctr = predictor_predict(p, text, channel, segment);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "predicted_ctr", ctr);
		cJSON_AddNumberToObject(o, "percentile", predictor_percentile(p, ctr));
		cJSON_AddItemToObject(o, "validation", m);
		if (json)
			cli_print_json(o);
		else {
			printf("predicted click rate %.3f%% (better than %.0f%% of past campaigns)\n", ctr * 100,
			       predictor_percentile(p, ctr) * 100);
			printf("validation: cross-validated Spearman %.2f [95%% CI %.2f, %.2f], %s %.3f, n %zu: %s\n",
			       predictor_metrics(p)->spearman, predictor_metrics(p)->spearman_lo,
			       predictor_metrics(p)->spearman_hi, cli_utf8_locale() ? "R²" : "R2",
			       predictor_metrics(p)->r2, predictor_metrics(p)->n,
			       cJSON_GetObjectItem(m, "verdict")->valuestring);
			cJSON_Delete(o);
		}
	} else if (json)
		cli_print_json(m);
	else {
		const struct predict_metrics *x = predictor_metrics(p);
		printf("click-rate model on table '%s' (%zu campaigns, %d-fold cross-validation)\n",
		       predictor_source(p), x->n, x->folds);
		printf("  Spearman rho  %.3f  [95%% CI %.3f, %.3f]\n", x->spearman, x->spearman_lo, x->spearman_hi);
		printf("  %s            %.3f\n", cli_utf8_locale() ? "R²" : "R2", x->r2);
		printf("  MSE           %.3g  (constant baseline %.3g)\n", x->mse, x->baseline_mse);
		printf("  verdict       %s\n", cJSON_GetObjectItem(m, "verdict")->valuestring);
		cJSON_Delete(m);
	}
	rc = 0;
out:
	if (rc && err.msg[0])
		cli_fail(&err);
	predictor_free(p);
	lex_free(lx);
	return rc;
}

/* ---- calibrate ---- */

int cmd_calibrate(struct cli *cli, int argc, char **argv)
{
	int json = 0, sim = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--include-simulated") == 0)
			sim = 1;
		else
			return cli_unknown_opt("calibrate", argv[i], VALUED_OPTS);
	}
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct cl_err err = {0};
	struct calib_report r;
	if (calibrate_run(ws, sim, &r, &err))
		return cli_fail(&err);
	if (json)
		cli_print_json(calibrate_json(&r));
	else {
		printf("calibration against %zu A/B arm%s in %zu experiment%s%s\n", r.arms,
		       r.arms == 1 ? "" : "s", r.experiments, r.experiments == 1 ? "" : "s",
		       sim ? " (SIMULATED experiments included)" : "");
		if (!r.n)
			printf("no A/B arms are linked to scored variants yet: run `copylab eval RUN`, then "
			       "import results with `copylab abimport FILE --experiment NAME --run RUN`\n");
		for (size_t i = 0; i < r.n; i++) {
			const struct calib_row *c = &r.v[i];
			char rho[16] = "-", ci[40] = "";
			if (!isnan(c->rho))
				snprintf(rho, sizeof rho, "%+.2f", c->rho);
			if (!isnan(c->lo) && !isnan(c->hi))
				snprintf(ci, sizeof ci, "[%+.2f, %+.2f]", c->lo, c->hi);
			printf("  %-16s n %-4zu rho %-5s %-14s  %s\n", c->scorer, c->n, rho, ci, c->verdict);
		}
	}
	calibrate_report_free(&r);
	return 0;
}

/* ---- judge ---- */

int cmd_judge(struct cli *cli, int argc, char **argv)
{
	const char *a = NULL, *b = NULL, *provider = NULL, *channel = NULL, *lang = NULL;
	const char *rubric_arg = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--provider") == 0 && v)
			provider = v, i++;
		else if (strcmp(argv[i], "--channel") == 0 && v)
			channel = v, i++;
		else if (strcmp(argv[i], "--lang") == 0 && v)
			lang = v, i++;
		else if (strcmp(argv[i], "--rubric") == 0 && v)
			rubric_arg = v, i++;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_unknown_opt("judge", argv[i], VALUED_OPTS);
		else if (!a)
			a = argv[i];
		else if (!b)
			b = argv[i];
		else
			return cli_usage("judge", "one or two texts");
	}
	if (!a)
		return cli_usage("judge", "give the copy to grade, or two copies to compare");
	if (!*skip_space(a) || (b && !*skip_space(b)))
		return cli_failf("nothing to judge: a text is empty");
	if (!cl_utf8_valid(a, strlen(a)) || (b && !cl_utf8_valid(b, strlen(b))))
		return cli_failf("the text is not valid UTF-8");
	if (channel && !score_channel_name(channel))
		return cli_usage("judge", "unknown channel '%s'", channel);
	struct cl_err err = {0};
	struct scoreset *set = NULL;
	struct cl_config *cfg = NULL;
	struct provider *p = NULL;
	struct judge_rubric rub = {0};
	struct plugin_host *cfg_host = NULL;
	int rc = 1;
	if (scoreset_new(NULL, &set, &err) || config_weights(set, &err))
		goto out;
	if (rubric_arg ? judge_rubric_from_text(rubric_arg, &rub, &err) : (judge_rubric_default(&rub), 0))
		goto out;
	if (cli_config_load(provider, 0, &cfg_host, &cfg))
		goto out;
	if (!(p = config_provider(cfg, provider, &err)) || provider_check_key(p, &err))
		goto out;
	struct judge_ctx jc = { score_channel_name(channel), lang, NULL, NULL };
	if (!b) {
		double v;
		cJSON *d = NULL;
		if (judge_grade(p, &rub, &jc, a, set, &v, &d, &err))
			goto out;
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "value", round(v * 10000) / 10000);
			cJSON_AddItemToObject(o, "detail", d);
			cli_print_json(o);
		} else {
			printf("judge (%s): %.3f\n", p->name, v);
			const cJSON *note = cJSON_GetObjectItem(d, "note");
			const cJSON *why = cJSON_GetObjectItem(d, "rationale");
			const cJSON *c;
			cJSON_ArrayForEach(c, cJSON_GetObjectItem(d, "criteria"))
				printf("  %-14s %g/10\n", c->string, c->valuedouble);
			if (cJSON_IsString(why))
				printf("  %s\n", why->valuestring);
			if (cJSON_IsString(note))
				printf("  note: %s\n", note->valuestring);
			cJSON_Delete(d);
		}
	} else {
		struct judge_pair jp;
		if (judge_pairwise(p, &rub, &jc, a, b, set, &jp, &err))
			goto out;
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "score_a", jp.score_a);
			cJSON_AddStringToObject(o, "winner", jp.score_a > 0.5 ? "A" : jp.score_a < 0.5 ? "B" : "tie");
			cJSON_AddBoolToObject(o, "consistent", jp.consistent);
			cJSON_AddBoolToObject(o, "fallback", jp.fallback);
			cJSON_AddItemToObject(o, "detail", jp.detail);
			jp.detail = NULL;
			cli_print_json(o);
		} else {
			printf("judge (%s): %s%s\n", p->name,
			       jp.score_a > 0.5 ? "A wins" : jp.score_a < 0.5 ? "B wins" : "tie",
			       jp.consistent ? " (same verdict with the order swapped)"
			                     : " (the verdict flipped with the order: position bias)");
			if (jp.fallback)
				printf("  note: offline provider: compared the heuristic composites instead\n");
		}
		judge_pair_clear(&jp);
	}
	rc = 0;
out:
	if (rc && err.msg[0])
		cli_fail(&err);
	judge_rubric_free(&rub);
	cli_config_free(cfg, cfg_host);
	scoreset_free(set);
	return rc;
}
