/* cli.h — shared plumbing for `copylab <command>`: global options, the lazily
 * opened workspace, and output helpers. Each command lives in cli/cmd_*.c and
 * is listed once in cli/commands.def. */
#ifndef CL_CLI_H
#define CL_CLI_H

#include <cjson/cJSON.h>
#include "core/util.h"
#include "core/workspace.h"

struct cli {
	const char       *db_path;   /* --db, $COPYLAB_DB, or ./copylab.db */
	int               verbose;   /* -v */
	struct workspace *ws;        /* opened on first cli_workspace() call */
};

/* Open the workspace (creating it when flags has WS_CREATE); NULL after
 * printing the error. Owned by cli; closed by main. */
struct workspace *cli_workspace(struct cli *cli, int flags);

/* Print "copylab: <err->msg>" to stderr; returns 1 (the exit status). */
int cli_fail(const struct cl_err *err);
/* Print "copylab: <fmt>" to stderr; returns 1. */
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print a usage error for cmd and return 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A usage error for an argument no branch of cmd's parser took: when a is
 * one of valued (the command's options that take a value, as
 * " --table --out ", spaces around each) it got none ("--table needs a
 * value"), else "unknown option 'a'" (or "unknown argument" when a is not an
 * option). Returns 2. */
int cli_unknown_opt(const char *cmd, const char *a, const char *valued);

/* Print s to stdout in a column w display columns wide: cut at a character
 * boundary (never inside a UTF-8 sequence), control characters shown as
 * '?', padded with spaces. */
void cli_put_cell(const char *s, size_t w);

/* True when the locale ($LC_ALL, $LC_CTYPE, $LANG) speaks UTF-8; our own
 * marks fall back to ASCII otherwise. */
int cli_utf8_locale(void);

/* Print a cJSON value compactly on one line to stdout and free it. */
void cli_print_json(cJSON *json);

/* Parse helpers: return 0 on success, print a usage error and return -1 otherwise. */
int cli_parse_int(const char *cmd, const char *opt, const char *s, long *out);
int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out);

/* Install SIGINT/SIGTERM handlers that only set a flag; cli_interrupted() reads it. */
void cli_catch_interrupt(void);
volatile int *cli_interrupt_flag(void);

struct cl_config;
struct plugin_host;
/* The provider configuration, with plugin provider types when needed:
 * config.json names one (plugin_config_load), want (a --provider name, may be
 * NULL) is no configured instance, or all is set (list everything). A plugin
 * provider type then also gets an instance of its own name. Respects
 * $COPYLAB_NO_PLUGINS. *host is NULL when no plugin was loaded. 0, or 1 after
 * printing why. Free both with cli_config_free. */
int cli_config_load(const char *want, int all, struct plugin_host **host, struct cl_config **cfg);
/* cli_plugin_warnings(host), then config_free(cfg), then plugin_host_free(host). */
void cli_config_free(struct cl_config *cfg, struct plugin_host *host);
/* "copylab: warning: plugin 'x' is disabled: ..." on stderr for each plugin
 * that was refused, failed or disabled (plugin_host_problems); host may be NULL. */
void cli_plugin_warnings(const struct plugin_host *host);

#define CMD(name, usage, summary) int cmd_##name(struct cli *cli, int argc, char **argv);
#include "cli/commands.def"
#undef CMD

#endif
