/* cmd_template.c — `copylab template import|list|show|history|render`. */
#include "cli/cli.h"
#include "core/textstat.h"
#include "core/redact.h"
#include "core/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static cJSON *fields_json(const struct template *t)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < t->nfields; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(t->fields[i]));
	return a;
}

static int tpl_import(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL;
	int json = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage("template", "unknown option '%s'", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return cli_usage("template", "import takes one FILE");
	}
	if (!file)
		return cli_usage("template", "import needs a FILE");
	struct workspace *ws = cli_workspace(cli, WS_CREATE);
	struct cl_err err = {0};
	long long id;
	int version, created;
	struct template *t = NULL;
	if (!ws)
		return 1;
	if (template_import(ws, file, &id, &version, &created, &err) ||
	    template_load_id(ws, id, &t, &err))
		return cli_fail(&err);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)id);
		cJSON_AddStringToObject(o, "name", t->name);
		cJSON_AddNumberToObject(o, "version", version);
		if (t->parent_id)
			cJSON_AddNumberToObject(o, "parent_id", (double)t->parent_id);
		else
			cJSON_AddNullToObject(o, "parent_id");
		cJSON_AddBoolToObject(o, "created", created);
		cJSON_AddStringToObject(o, "channel", t->channel);
		cJSON_AddStringToObject(o, "language", t->language);
		cJSON_AddItemToObject(o, "fields", fields_json(t));
		cli_print_json(o);
	} else if (created) {
		printf("imported %s version %d (id %lld): %s, %s, fields %zu\n", t->name, version, id,
		       t->channel, t->language, t->nfields);
	} else {
		printf("%s unchanged: same text as version %d (id %lld)\n", t->name, version, id);
	}
	template_free(t);
	return 0;
}

static int print_infos(struct tpl_info *v, size_t n, int json, int list)
{
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON *a = cJSON_AddArrayToObject(o, list ? "templates" : "versions");
		for (size_t i = 0; i < n; i++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "id", (double)v[i].id);
			cJSON_AddStringToObject(e, "name", v[i].name);
			cJSON_AddNumberToObject(e, "version", v[i].version);
			if (list)
				cJSON_AddNumberToObject(e, "versions", v[i].nversions);
			if (v[i].parent_id)
				cJSON_AddNumberToObject(e, "parent_id", (double)v[i].parent_id);
			else
				cJSON_AddNullToObject(e, "parent_id");
			cJSON_AddStringToObject(e, "channel", v[i].channel);
			cJSON_AddStringToObject(e, "language", v[i].language);
			cJSON_AddStringToObject(e, "created_at", v[i].created_at);
			cJSON_AddItemToArray(a, e);
		}
		cli_print_json(o);
		return 0;
	}
	if (!n) {
		printf("no templates yet (copylab template import FILE)\n");
		return 0;
	}
	size_t nw = 24;
	for (size_t i = 0; i < n; i++)
		if (ts_width(v[i].name, strlen(v[i].name)) > nw)
			nw = ts_width(v[i].name, strlen(v[i].name));
	cli_put_cell("NAME", nw);
	printf(" %7s %8s %-10s %-5s %s\n", "VERSION", list ? "VERSIONS" : "PARENT", "CHANNEL", "LANG",
	       "CREATED");
	for (size_t i = 0; i < n; i++) {
		char extra[32];
		if (list)
			snprintf(extra, sizeof extra, "%d", v[i].nversions);
		else if (v[i].parent_id)
			snprintf(extra, sizeof extra, "%lld", v[i].parent_id);
		else
			snprintf(extra, sizeof extra, "-");
		cli_put_cell(v[i].name, nw);
		printf(" %7d %8s %-10s %-5s %s\n", v[i].version, extra, v[i].channel, v[i].language,
		       v[i].created_at);
	}
	return 0;
}

static int tpl_list(struct cli *cli, int argc, char **argv, int history)
{
	int json = 0;
	const char *name = NULL;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (history && !name && argv[i][0] != '-')
			name = argv[i];
		else
			return cli_usage("template", "unknown argument '%s'", argv[i]);
	}
	if (history && !name)
		return cli_usage("template", "history needs a NAME");
	struct workspace *ws = cli_workspace(cli, 0);
	struct cl_err err = {0};
	struct tpl_info *v;
	size_t n;
	if (!ws)
		return 1;
	if (history ? template_history(ws, name, &v, &n, &err) : template_list(ws, &v, &n, &err))
		return cli_fail(&err);
	int rc = print_infos(v, n, json, !history);
	tpl_info_free(v, n);
	return rc;
}

static int tpl_show(struct cli *cli, int argc, char **argv)
{
	const char *spec = NULL;
	int json = 0, diff = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--diff") == 0)
			diff = 1;
		else if (argv[i][0] == '-')
			return cli_usage("template", "unknown option '%s'", argv[i]);
		else if (!spec)
			spec = argv[i];
		else
			return cli_usage("template", "show takes one NAME[@VERSION]");
	}
	if (!spec)
		return cli_usage("template", "show needs NAME[@VERSION]");
	struct workspace *ws = cli_workspace(cli, 0);
	struct cl_err err = {0};
	struct template *t = NULL, *parent = NULL;
	if (!ws)
		return 1;
	if (template_load(ws, spec, &t, &err))
		return cli_fail(&err);
	if (diff && t->parent_id && template_load_id(ws, t->parent_id, &parent, &err)) {
		template_free(t);
		return cli_fail(&err);
	}
	char *d = diff ? template_diff(parent ? parent->text : "", t->text) : NULL;
	if (json) {
		struct tpl_var *vars = NULL;
		size_t nv = 0;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)t->id);
		cJSON_AddStringToObject(o, "name", t->name);
		cJSON_AddNumberToObject(o, "version", t->version);
		if (t->parent_id)
			cJSON_AddNumberToObject(o, "parent_id", (double)t->parent_id);
		else
			cJSON_AddNullToObject(o, "parent_id");
		cJSON_AddStringToObject(o, "channel", t->channel);
		cJSON_AddStringToObject(o, "language", t->language);
		if (t->tone)
			cJSON_AddStringToObject(o, "tone", t->tone);
		else
			cJSON_AddNullToObject(o, "tone");
		cJSON_AddItemToObject(o, "fields", fields_json(t));
		if (t->variants)
			cJSON_AddNumberToObject(o, "variants", t->variants);
		else
			cJSON_AddNullToObject(o, "variants");
		if (t->temperature >= 0)
			cJSON_AddNumberToObject(o, "temperature", t->temperature);
		else
			cJSON_AddNullToObject(o, "temperature");
		if (t->max_tokens)
			cJSON_AddNumberToObject(o, "max_tokens", t->max_tokens);
		else
			cJSON_AddNullToObject(o, "max_tokens");
		if (t->system)
			cJSON_AddStringToObject(o, "system", t->system);
		else
			cJSON_AddNullToObject(o, "system");
		cJSON_AddStringToObject(o, "body", t->body);
		cJSON_AddItemToObject(o, "extra", cJSON_Duplicate(t->extra, 1));
		cJSON *va = cJSON_AddArrayToObject(o, "variables");
		if (template_vars(t, &vars, &nv, &err) == 0) {
			for (size_t i = 0; i < nv; i++) {
				cJSON *e = cJSON_CreateObject();
				cJSON_AddStringToObject(e, "name", vars[i].path);
				cJSON_AddNumberToObject(e, "line", vars[i].line);
				cJSON_AddBoolToObject(e, "has_default", vars[i].has_default);
				cJSON_AddItemToArray(va, e);
			}
			tpl_vars_free(vars, nv);
		}
		cJSON_AddStringToObject(o, "text", t->text);
		if (d)
			cJSON_AddStringToObject(o, "diff", d);
		cli_print_json(o);
	} else if (d) {
		fputs(d, stdout);
	} else {
		fputs(t->text, stdout);
		if (*t->text && t->text[strlen(t->text) - 1] != '\n')
			fputc('\n', stdout);
	}
	free(d);
	template_free(parent);
	template_free(t);
	return 0;
}

static int tpl_render(struct cli *cli, int argc, char **argv)
{
	const char *spec = NULL, *row = NULL, *segment = NULL;
	const char **vars = xcalloc((size_t)argc + 1, sizeof *vars);
	size_t nvars = 0;
	int json = 0, no_redact = 0, bare = 0, rc = 1;
	struct cl_err err = {0};
	struct template *t = NULL;
	struct redactor *r = NULL;
	cJSON *bind = NULL;
	struct tpl_messages m = { 0 };
	struct workspace *ws = NULL;
	struct stat sb;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--no-redact") == 0)
			no_redact = 1;
		else if (strcmp(a, "--bare") == 0)
			bare = 1;
		else if ((strcmp(a, "--row") == 0 || strcmp(a, "--segment") == 0 ||
		          strcmp(a, "--var") == 0) && i + 1 < argc) {
			const char *v = argv[++i];
			if (a[2] == 'r')
				row = v;
			else if (a[2] == 's')
				segment = v;
			else
				vars[nvars++] = v;
		} else if (strncmp(a, "--row=", 6) == 0) {
			row = a + 6;
		} else if (strncmp(a, "--segment=", 10) == 0) {
			segment = a + 10;
		} else if (strncmp(a, "--var=", 6) == 0) {
			vars[nvars++] = a + 6;
		} else if (a[0] == '-') {
			free(vars);
			return cli_usage("template", "unknown option or missing value: '%s'", a);
		} else if (!spec) {
			spec = a;
		} else {
			free(vars);
			return cli_usage("template", "render takes one NAME[@VERSION] or FILE");
		}
	}
	if (!spec) {
		free(vars);
		return cli_usage("template", "render needs NAME[@VERSION] or FILE");
	}
	/* A file renders as it is, without being stored. */
	int is_file = stat(spec, &sb) == 0 && S_ISREG(sb.st_mode);
	if (!is_file || row || segment) {
		ws = cli_workspace(cli, 0);
		if (!ws)
			goto out;
	}
	if (is_file) {
		char *text = NULL;
		size_t len;
		if (cl_read_file(spec, &text, &len, &err) || template_parse(text, spec, &t, &err)) {
			free(text);
			rc = cli_fail(&err);
			goto out;
		}
		free(text);
	} else if (template_load(ws, spec, &t, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	struct tpl_bind_opts bo = { .row = row, .segment = segment, .vars = vars, .nvars = nvars };
	if (template_bind(ws, &bo, &bind, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (!no_redact) {
		r = redactor_new(REDACT_ALL);
		if (ws && redactor_load_personal(r, ws, &err)) {
			rc = cli_fail(&err);
			goto out;
		}
	}
	if (template_render(t, bind, r, bare ? TPL_RENDER_BARE : 0, &m, &err)) {
		rc = cli_fail(&err);
		goto out;
	}
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "template", t->name);
		if (t->version)
			cJSON_AddNumberToObject(o, "version", t->version);
		else
			cJSON_AddNullToObject(o, "version");
		cJSON_AddStringToObject(o, "channel", t->channel);
		cJSON_AddStringToObject(o, "language", t->language);
		cJSON_AddItemToObject(o, "fields", fields_json(t));
		if (m.system)
			cJSON_AddStringToObject(o, "system", m.system);
		else
			cJSON_AddNullToObject(o, "system");
		cJSON_AddStringToObject(o, "user", m.user);
		cJSON_AddBoolToObject(o, "redaction", !no_redact);
		cJSON_AddNumberToObject(o, "redacted", (double)m.redacted);
		cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
		if (m.system) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "role", "system");
			cJSON_AddStringToObject(e, "content", m.system);
			cJSON_AddItemToArray(msgs, e);
		}
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "role", "user");
		cJSON_AddStringToObject(e, "content", m.user);
		cJSON_AddItemToArray(msgs, e);
		cli_print_json(o);
	} else {
		if (m.system)
			printf("--- system ---\n%s\n", m.system);
		printf("--- user ---\n%s\n", m.user);
		if (no_redact)
			fprintf(stderr, "copylab: redaction is off (--no-redact)\n");
		else if (m.redacted)
			fprintf(stderr, "copylab: %zu value%s redacted\n", m.redacted,
			        m.redacted == 1 ? "" : "s");
	}
	rc = 0;
out:
	tpl_messages_clear(&m);
	cJSON_Delete(bind);
	redactor_free(r);
	template_free(t);
	free(vars);
	return rc;
}

int cmd_template(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("template", "import, list, show, history or render?");
	const char *sub = argv[1];
	if (strcmp(sub, "import") == 0)
		return tpl_import(cli, argc, argv);
	if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0)
		return tpl_list(cli, argc, argv, 0);
	if (strcmp(sub, "history") == 0)
		return tpl_list(cli, argc, argv, 1);
	if (strcmp(sub, "show") == 0)
		return tpl_show(cli, argc, argv);
	if (strcmp(sub, "render") == 0)
		return tpl_render(cli, argc, argv);
	return cli_usage("template", "unknown subcommand '%s' (import, list, show, history, render)",
	                 sub);
}
