/* main.c — `copylab`: the TUI with no command, otherwise one headless command. */
#include "cli/cli.h"
#include "core/config.h"
#include "core/plugin.h"
#include "core/textstat.h"
#include "tui/tui.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPYLAB_VERSION "0.1.0"

struct command {
	const char *name, *usage, *summary;
	int (*fn)(struct cli *, int, char **);
};

static const struct command commands[] = {
#define CMD(n, u, s) { #n, u, s, cmd_##n },
#include "cli/commands.def"
#undef CMD
};
static const size_t ncommands = sizeof commands / sizeof commands[0];

struct workspace *cli_workspace(struct cli *cli, int flags)
{
	struct cl_err err = {0};
	if (cli->ws)
		return cli->ws;
	if (workspace_open(cli->db_path, flags, &cli->ws, &err)) {
		cli_fail(&err);
		return NULL;
	}
	return cli->ws;
}

int cli_fail(const struct cl_err *err)
{
	fprintf(stderr, "copylab: %s\n", err->msg[0] ? err->msg : "failed");
	return 1;
}

int cli_failf(const char *fmt, ...)
{
	va_list ap;
	fputs("copylab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	const struct command *c = find_command(cmd);
	va_list ap;
	fprintf(stderr, "copylab %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "usage: copylab %s\n", c->usage);
	return 2;
}

void cli_put_cell(const char *s, size_t w)
{
	size_t n = strlen(s), used = 0, i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = ts_decode(s + i, n - i, &cp);
		size_t cw = (size_t)ts_cp_width(cp);
		if (used + cw > w)
			break;
		if (cp < 0x20 || cp == 0x7f)
			putchar('?');
		else
			fwrite(s + i, 1, k, stdout);
		used += cw;
		i += k;
	}
	for (; used < w; used++)
		putchar(' ');
}

int cli_utf8_locale(void)
{
	const char *v = getenv("LC_ALL");
	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	return v && (strcasestr(v, "utf-8") || strcasestr(v, "utf8"));
}

void cli_print_json(cJSON *json)
{
	char *s = cJSON_PrintUnformatted(json);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	cJSON_Delete(json);
}

int cli_parse_int(const char *cmd, const char *opt, const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end) {
		cli_usage(cmd, "%s wants a whole number, not '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end) {
		cli_usage(cmd, "%s wants a number, not '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* After a command that used plugins: one stderr warning per plugin that was
 * refused, failed or disabled (the command went on without it). */
void cli_plugin_warnings(const struct plugin_host *host)
{
	char *why = host ? plugin_host_problems(host) : NULL;
	for (char *line = why, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		fprintf(stderr, "copylab: warning: %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
	}
	free(why);
}

/* 1 when cfg has an instance named name. */
static int has_instance(const struct cl_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nproviders; i++)
		if (strcmp(cfg->providers[i]->name, name) == 0)
			return 1;
	return 0;
}

/* Give each registered type whose name no instance has an instance of that
 * name with the type's defaults, so a plugin's provider type works as
 * `--provider NAME` without a config.json entry (the built-in types always
 * have theirs). cfg owns the instances. */
static void add_type_instances(struct cl_config *cfg)
{
	const struct provider_type *t;
	for (size_t i = 0; (t = provider_type_at(cfg->reg, i)); i++) {
		if (has_instance(cfg, t->name))
			continue;
		cfg->providers = xreallocarray(cfg->providers, cfg->nproviders + 1, sizeof *cfg->providers);
		cfg->providers[cfg->nproviders++] = provider_new(t, t->name);
	}
}

/* The provider configuration, with plugin provider types only when needed:
 * config.json names one (plugin_config_load), want (the --provider name) is
 * no configured instance, or all is set (`providers` lists everything).
 * *host is NULL when no plugin was loaded; free cfg first, then the host.
 * 0, or 1 after printing why. */
int cli_config_load(const char *want, int all, struct plugin_host **host, struct cl_config **cfg)
{
	struct cl_err err = {0};
	if (plugin_config_load(host, cfg, &err))
		return cli_fail(&err);
	if (!*host && (all || (want && *want && !has_instance(*cfg, want)))) {
		struct plugin_host *h = NULL;
		struct provider_registry *reg;
		struct cl_config *with = NULL;
		if (plugin_host_load_default(&h, &err))
			goto fail;
		if (plugin_host_disabled(h) || !plugin_count(h)) {
			plugin_host_free(h);     /* COPYLAB_NO_PLUGINS, or none found */
			return 0;
		}
		reg = provider_registry_new();
		if (plugin_attach_providers(h, reg, &err)) {
			provider_registry_free(reg);
			goto fail;
		}
		if (config_load(reg, &with, &err))   /* takes reg over */
			goto fail;
		config_free(*cfg);
		*cfg = with;
		*host = h;
		goto done;
fail:
		plugin_host_free(h);
		config_free(*cfg);
		*cfg = NULL;
		return cli_fail(&err);
	}
done:
	if (*host)
		add_type_instances(*cfg);
	return 0;
}

/* After a command: say on stderr which plugins were refused, failed or
 * crashed (the command went on), then free cfg and the host, in that order. */
void cli_config_free(struct cl_config *cfg, struct plugin_host *host)
{
	cli_plugin_warnings(host);
	config_free(cfg);
	plugin_host_free(host);
}

int cli_unknown_opt(const char *cmd, const char *a, const char *valued)
{
	size_t n = strlen(a);
	for (const char *p = valued ? strstr(valued, a) : NULL; a[0] == '-' && n > 1 && p;
	     p = strstr(p + 1, a))
		if (p > valued && p[-1] == ' ' && p[n] == ' ')
			return cli_usage(cmd, "%s needs a value", a);
	return cli_usage(cmd, a[0] == '-' && a[1] ? "unknown option '%s'" : "unknown argument '%s'", a);
}

static volatile int interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

void cli_catch_interrupt(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

volatile int *cli_interrupt_flag(void) { return &interrupted; }

static void print_help(FILE *f)
{
	fprintf(f, "copylab %s — a terminal workbench for marketing copy and campaigns\n\n"
	           "usage: copylab [--db PATH] [-v] [--demo]          open the workbench (TUI)\n"
	           "       copylab [--db PATH] [-v] COMMAND [ARGS]    run one command\n\n"
	           "The workspace is --db PATH, else $COPYLAB_DB, else ./copylab.db.\n\n"
	           "commands:\n", COPYLAB_VERSION);
	for (size_t i = 0; i < ncommands; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-12s %s\n", "help", "show this list, or `help COMMAND` for one command");
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	int demo = 0, explicit_db = 0, i = 1, rc;
	const char *env = getenv("COPYLAB_DB");

	cli.db_path = env && *env ? env : "copylab.db";
	explicit_db = env && *env;
	/* Global options come before the command name. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			cli.db_path = argv[++i], explicit_db = 1;
		else if (strncmp(argv[i], "--db=", 5) == 0)
			cli.db_path = argv[i] + 5, explicit_db = 1;
		else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
			cli.verbose++;
		else if (strcmp(argv[i], "--demo") == 0)
			demo = 1;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("copylab %s\n", COPYLAB_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_help(stdout);
			return 0;
		} else {
			fprintf(stderr, "copylab: unknown option '%s' (try copylab --help)\n", argv[i]);
			return 2;
		}
	}
	if (i == argc) {
		struct tui_opts opts = { .db_path = cli.db_path, .demo = demo,
		                         .db_explicit = explicit_db,
		                         .verbose = cli.verbose };
		return tui_main(&opts);
	}
	if (strcmp(argv[i], "help") == 0) {
		const struct command *c = i + 1 < argc ? find_command(argv[i + 1]) : NULL;
		if (c)
			printf("usage: copylab %s\n  %s\n", c->usage, c->summary);
		else
			print_help(stdout);
		return 0;
	}
	const struct command *cmd = find_command(argv[i]);
	if (!cmd) {
		fprintf(stderr, "copylab: unknown command '%s' (try copylab help)\n", argv[i]);
		return 2;
	}
	/* Commands see argv from their own name on, getopt-style. */
	rc = cmd->fn(&cli, argc - i, argv + i);
	workspace_close(cli.ws);
	return rc;
}
