/* cmd_plugins.c — `copylab plugins`: list plugins with their state, and try
 * what they registered (score, generate, export, import) through the same
 * registries the built-ins use. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/formats.h"
#include "core/plugin.h"
#include "core/provider.h"
#include "core/score.h"

/* An option of opts given last, without its value: a usage error. */
static int missing_value(const char *a, const char *v, const char *const *opts)
{
	if (v)
		return 0;
	for (; *opts; opts++)
		if (strcmp(a, *opts) == 0)
			return cli_usage("plugins", "%s needs a value", a);
	return 0;
}

static int list(struct plugin_host *h, int json)
{
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "disabled", plugin_host_disabled(h));
		cJSON *dirs = cJSON_AddArrayToObject(o, "search_path");
		size_t nd;
		char **d = plugin_search_dirs(&nd);
		for (size_t i = 0; i < nd; i++) {
			cJSON_AddItemToArray(dirs, cJSON_CreateString(d[i]));
			free(d[i]);
		}
		free(d);
		cJSON_AddItemToObject(o, "plugins", plugin_host_json(h));
		cli_print_json(o);
		return 0;
	}
	if (plugin_host_disabled(h)) {
		printf("plugins are switched off (COPYLAB_NO_PLUGINS is set)\n");
		return 0;
	}
	if (!plugin_count(h)) {
		size_t nd;
		char **d = plugin_search_dirs(&nd);
		printf("no plugins found; searched:\n");
		for (size_t i = 0; i < nd; i++) {
			printf("  %s\n", d[i]);
			free(d[i]);
		}
		free(d);
		return 0;
	}
	static const char *const kinds[] = { "scorer", "provider", "importer", "exporter" };
	for (size_t i = 0; i < plugin_count(h); i++) {
		struct plugin_info in;
		plugin_get(h, i, &in);
		printf("%-16s %-9s %-10s %s%s%s\n", in.name, plugin_state_name(in.state),
		       in.kind == PLUGIN_SHARED ? "shared" : "executable", in.version,
		       *in.summary ? "  " : "", in.summary);
		printf("  %s\n", in.path);
		for (size_t k = 0; k < 4; k++) {
			const char *nm = plugin_registered(h, i, kinds[k], 0);
			if (!nm)
				continue;
			printf("  %ss:", kinds[k]);
			for (size_t j = 0; (nm = plugin_registered(h, i, kinds[k], j)); j++)
				printf(" %s", nm);
			printf("\n");
		}
		if (*in.message)
			printf("  %s\n", in.message);
		if (*in.log)
			printf("  log: %s\n", in.log);
	}
	return 0;
}

/* --batch FILE: one text a line; prints {"texts", "ms", "ms_per_text", "composite_mean"}. */
static int score_batch(struct scoreset *set, const char *path, const char *channel,
                       const char *lang)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f)
		return cli_failf("%s: cannot open", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	double sum = 0, t0 = cl_now_ms();
	struct cl_err err = {0};
	int rc = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len)
			continue;
		struct score_input in = { .text = line, .channel = channel, .lang = lang };
		struct score_result r;
		if (score_text(set, &in, &r, &err)) {
			rc = cli_fail(&err);
			break;
		}
		sum += r.composite;
		n++;
		score_result_free(&r);
	}
	double ms = cl_now_ms() - t0;
	free(line);
	if (f != stdin)
		fclose(f);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "texts", (double)n);
	cJSON_AddNumberToObject(o, "ms", ms);
	cJSON_AddNumberToObject(o, "ms_per_text", n ? ms / (double)n : 0);
	cJSON_AddNumberToObject(o, "composite_mean", n ? sum / (double)n : 0);
	cli_print_json(o);
	return 0;
}

static int try_score(struct plugin_host *h, int argc, char **argv)
{
	const char *text = NULL, *channel = NULL, *lang = NULL, *batch = NULL;
	int json = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		static const char *const valued[] = { "--channel", "--lang", "--batch", NULL };
		if (missing_value(a, v, valued))
			return 2;
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--channel") == 0 && v)
			channel = v, i++;
		else if (strcmp(a, "--lang") == 0 && v)
			lang = v, i++;
		else if (strcmp(a, "--batch") == 0 && v)
			batch = v, i++;
		else if (a[0] == '-' && a[1])
			return cli_usage("plugins", "unknown option '%s'", a);
		else if (!text)
			text = a;
		else
			return cli_usage("plugins", "one TEXT only (quote it)");
	}
	if (!text == !batch)
		return cli_usage("plugins", "plugins score needs a TEXT or --batch FILE");
	if (channel && !score_channel_name(channel))
		return cli_usage("plugins", "unknown channel '%s'", channel);
	struct cl_err err = {0};
	struct scoreset *set;
	if (scoreset_new(NULL, &set, &err))
		return cli_fail(&err);
	plugin_attach_scorers(h, set, &err);
	if (batch) {
		int brc = score_batch(set, batch, channel, lang);
		scoreset_free(set);
		return brc;
	}
	struct score_input in = { .text = text, .channel = channel, .lang = lang };
	struct score_result r;
	if (score_text(set, &in, &r, &err)) {
		scoreset_free(set);
		return cli_fail(&err);
	}
	if (json)
		cli_print_json(score_result_json(&r));
	else {
		printf("composite  %.3f\n", r.composite);
		for (size_t i = 0; i < r.n; i++) {
			char *d = r.items[i].detail ? cJSON_PrintUnformatted(r.items[i].detail) : NULL;
			printf("%-16s %.3f  %s\n", r.items[i].scorer, r.items[i].value, d ? d : "");
			free(d);
		}
	}
	score_result_free(&r);
	scoreset_free(set);
	return 0;
}

static int try_generate(struct plugin_host *h, int argc, char **argv)
{
	const char *name = NULL, *text = NULL, *channel = NULL, *lang = NULL;
	long n = 1;
	int json = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		static const char *const valued[] = { "--prompt-text", "--channel", "--lang", "-n", NULL };
		if (missing_value(a, v, valued))
			return 2;
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--prompt-text") == 0 && v)
			text = v, i++;
		else if (strcmp(a, "--channel") == 0 && v)
			channel = v, i++;
		else if (strcmp(a, "--lang") == 0 && v)
			lang = v, i++;
		else if (strcmp(a, "-n") == 0 && v) {
			if (cli_parse_int("plugins", "-n", v, &n))
				return 2;
			i++;
		} else if (a[0] == '-' && a[1])
			return cli_usage("plugins", "unknown option '%s'", a);
		else if (!name)
			name = a;
		else
			return cli_usage("plugins", "one PROVIDER only");
	}
	if (!name || !text)
		return cli_usage("plugins", "plugins generate needs PROVIDER and --prompt-text TEXT");
	if (n < 1 || n > 100)
		return cli_usage("plugins", "-n must be between 1 and 100");
	struct cl_err err = {0};
	struct provider_registry *reg = provider_registry_new();
	plugin_attach_providers(h, reg, &err);
	const struct provider_type *t = provider_type_find(reg, name);
	if (!t) {
		provider_registry_free(reg);
		return cli_failf("no provider type '%s' (see `copylab plugins`)", name);
	}
	struct provider *p = provider_new(t, name);
	cJSON *arr = cJSON_CreateArray();
	int rc = 0;
	for (long i = 0; i < n; i++) {
		struct provider_req req;
		provider_req_init(&req);
		req.user = text;
		req.variant = (int)i;
		req.channel = channel;
		req.language = lang;
		struct provider_result res = {0};
		if (provider_complete_sync(p, &req, &res, &err)) {
			rc = cli_fail(&err);
			break;
		}
		if (res.error) {
			fprintf(stderr, "copylab: variant %ld: %s\n", i + 1, res.error);
			rc = 1;
		}
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "variant", (double)(i + 1));
			cJSON_AddStringToObject(o, "text", res.text ? res.text : "");
			if (res.error)
				cJSON_AddStringToObject(o, "error", res.error);
			if (res.model)
				cJSON_AddStringToObject(o, "model", res.model);
			cJSON_AddItemToArray(arr, o);
		} else if (!res.error)
			printf("%ld. %s\n", i + 1, res.text ? res.text : "");
		provider_result_clear(&res);
	}
	if (json)
		cli_print_json(arr);
	else
		cJSON_Delete(arr);
	provider_free(p);
	provider_registry_free(reg);
	return rc;
}

static int try_export(struct cli *cli, struct plugin_host *h, int argc, char **argv)
{
	const char *format = NULL, *table = NULL, *sql = NULL, *out = "-";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		static const char *const valued[] = { "--query", "--out", NULL };
		if (missing_value(a, v, valued))
			return 2;
		if (strcmp(a, "--query") == 0 && v)
			sql = v, i++;
		else if (strcmp(a, "--out") == 0 && v)
			out = v, i++;
		else if (a[0] == '-' && a[1])
			return cli_usage("plugins", "unknown option '%s'", a);
		else if (!format)
			format = a;
		else if (!table)
			table = a;
		else
			return cli_usage("plugins", "unexpected argument '%s'", a);
	}
	if (!format || (!table == !sql))
		return cli_usage("plugins", "plugins export needs FORMAT and a TABLE or --query SQL");
	struct fmt_registry *reg = fmt_registry_new();
	struct cl_err err = {0};
	plugin_attach_formats(h, reg, &err);
	const struct fmt_exporter *e = fmt_exporter_find(reg, format);
	int rc = 0;
	if (!e) {
		struct sbuf sb = SBUF_INIT;
		for (size_t i = 0; fmt_exporter_at(reg, i); i++)
			sbuf_addf(&sb, "%s%s", i ? ", " : "", fmt_exporter_at(reg, i)->name);
		rc = cli_failf("no exporter '%s' (have: %s)", format, sbuf_str(&sb));
		sbuf_free(&sb);
	} else {
		struct workspace *ws = cli_workspace(cli, 0);
		struct fmt_source src = { table, sql };
		int64_t rows = 0;
		if (!ws)
			rc = 1;
		else if (fmt_export_file(e, ws, &src, out, &rows, &err))
			rc = cli_fail(&err);
		else if (strcmp(out, "-") != 0)
			fprintf(stderr, "wrote %lld rows to %s (%s)\n", (long long)rows, out, e->name);
	}
	fmt_registry_free(reg);
	return rc;
}

static int try_import(struct cli *cli, struct plugin_host *h, int argc, char **argv)
{
	const char *path = NULL, *format = NULL, *table = NULL;
	int replace = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		static const char *const valued[] = { "--format", "--table", NULL };
		if (missing_value(a, v, valued))
			return 2;
		if (strcmp(a, "--format") == 0 && v)
			format = v, i++;
		else if (strcmp(a, "--table") == 0 && v)
			table = v, i++;
		else if (strcmp(a, "--replace") == 0)
			replace = 1;
		else if (a[0] == '-' && a[1])
			return cli_usage("plugins", "unknown option '%s'", a);
		else if (!path)
			path = a;
		else
			return cli_usage("plugins", "one FILE only");
	}
	if (!path)
		return cli_usage("plugins", "plugins import needs a FILE");
	struct fmt_registry *reg = fmt_registry_new();
	struct cl_err err = {0};
	plugin_attach_formats(h, reg, &err);
	const struct fmt_importer *im = format ? fmt_importer_find(reg, format)
	                                       : fmt_importer_for_path(reg, path);
	int rc = 0;
	if (!im)
		rc = cli_failf("no importer for %s (name one with --format)", format ? format : path);
	else {
		struct workspace *ws = cli_workspace(cli, WS_CREATE);
		int64_t rows = 0;
		if (!ws)
			rc = 1;
		else if (im->import(im, ws, path, table, replace, &rows, &err))
			rc = cli_fail(&err);
		else
			printf("imported %lld rows from %s (%s)\n", (long long)rows, path, im->name);
	}
	fmt_registry_free(reg);
	return rc;
}

int cmd_plugins(struct cli *cli, int argc, char **argv)
{
	const char *sub = argc > 1 && argv[1][0] != '-' ? argv[1] : "list";
	int first = argc > 1 && argv[1][0] != '-' ? 2 : 1;
	int json = 0;
	if (strcmp(sub, "list") == 0)
		for (int i = first; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0)
				json = 1;
			else
				return cli_usage("plugins", "unknown argument '%s'", argv[i]);
		}
	else if (strcmp(sub, "score") && strcmp(sub, "generate") && strcmp(sub, "export") &&
	         strcmp(sub, "import"))
		return cli_usage("plugins", "unknown subcommand '%s' (list, score, generate, export, "
		                 "import)", sub);
	struct cl_err err = {0};
	struct plugin_host *h;
	if (plugin_host_load_default(&h, &err))
		return cli_fail(&err);
	int rc;
	if (strcmp(sub, "list") == 0)
		rc = list(h, json);
	else if (strcmp(sub, "score") == 0)
		rc = try_score(h, argc - first, argv + first);
	else if (strcmp(sub, "generate") == 0)
		rc = try_generate(h, argc - first, argv + first);
	else if (strcmp(sub, "export") == 0)
		rc = try_export(cli, h, argc - first, argv + first);
	else
		rc = try_import(cli, h, argc - first, argv + first);
	if (strcmp(sub, "list") != 0) {
		/* A plugin that was refused, or crashed, hung or wrote garbage
		 * during the command, is said so on stderr; the command went on. */
		char *why = plugin_host_problems(h);
		for (char *line = why, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			fprintf(stderr, "copylab: warning: %s\n", line);
		}
		free(why);
	}
	plugin_host_free(h);
	return rc;
}
