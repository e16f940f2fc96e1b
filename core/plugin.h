/* plugin.h — loading plugins: shared objects speaking the C ABI of
 * plugins/copylab_plugin.h, and executables speaking JSON lines on
 * stdin/stdout (the contract is plugins/README.md).
 *
 * A plugin host finds and loads plugins and keeps what they registered
 * (scorers, provider types, importers, exporters). Registration is staged:
 * a plugin's registrations only become the host's when its init (or its
 * `describe` reply) succeeded as a whole; otherwise everything it registered
 * is dropped and the shared object closed (redis moduleLoad does the same).
 * The host then attaches them to the registries the built-ins use
 * (plugin_attach_*), so a plugin's scorer is scored like any other.
 *
 * An executable plugin that crashes, hangs past the timeout or writes
 * something that is not a JSON reply is killed and marked disabled with the
 * reason; its scorers then stop applying, its providers return an error and
 * its exporters fail, and copylab carries on.
 *
 * Loading a plugin runs its code with the user's permissions.
 *
 * The host owns every registered wrapper: free the registries that hold them
 * (scoreset, provider registry, format registry) before the host.
 */
#ifndef CL_PLUGIN_H
#define CL_PLUGIN_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "core/formats.h"
#include "core/provider.h"
#include "core/score.h"
#include "core/util.h"

enum plugin_kind { PLUGIN_SHARED = 1, PLUGIN_EXEC = 2 };

enum plugin_state {
	PLUGIN_LOADED = 0,
	PLUGIN_REFUSED,    /* not loaded: ABI mismatch, not a copylab plugin */
	PLUGIN_FAILED,     /* not loaded: dlopen failed, init failed, bad registration */
	PLUGIN_DISABLED,   /* executable that crashed, hung or wrote garbage */
	PLUGIN_SHADOWED,   /* a plugin of the same name was found earlier in the path */
};

/* What `copylab plugins` shows about one plugin. Everything is borrowed from
 * the host and valid until the next call that loads or runs a plugin. */
struct plugin_info {
	const char *path;
	const char *name;       /* the plugin's own name (file name until it says) */
	const char *version;    /* may be "" */
	const char *summary;    /* may be "" */
	int         kind;       /* enum plugin_kind */
	int         state;      /* enum plugin_state */
	const char *message;    /* why it is not loaded / was disabled; "" when fine */
	const char *log;        /* what the plugin logged and attach notes; "" when none */
	size_t      nscorers, nproviders, nimporters, nexporters;
};

struct plugin_opts {
	long timeout_ms;        /* per executable request; 0 = $COPYLAB_PLUGIN_TIMEOUT_MS or 10000 */
};

struct plugin_host;

/* An empty host (opts may be NULL); free with plugin_host_free. */
struct plugin_host *plugin_host_new(const struct plugin_opts *opts);
/* Stop executables (close stdin, then kill after a short grace), close
 * shared objects, free everything. */
void plugin_host_free(struct plugin_host *h);

/* Load one plugin file (a *.so, or an executable). Returns 0 when loaded,
 * -1 when refused, failed or disabled (err says why; the plugin is still
 * listed with that state). */
int plugin_load(struct plugin_host *h, const char *path, struct cl_err *err);
/* Load every plugin in dir: *.so files and executable files (hidden files
 * and folders are skipped), in name order. A missing dir is not an error.
 * Per-plugin failures are recorded, not returned. */
int plugin_load_dir(struct plugin_host *h, const char *dir, struct cl_err *err);
/* The folders searched, in order: each of $COPYLAB_PLUGIN_PATH (':'
 * separated), cl_data_path("plugins"), $XDG_DATA_HOME/copylab/plugins
 * (~/.local/share/copylab/plugins). Duplicates removed. Caller frees each
 * string and the array. */
char **plugin_search_dirs(size_t *n);
/* Load from every search dir, unless $COPYLAB_NO_PLUGINS is set to a
 * non-empty value other than 0 (then nothing is loaded and
 * plugin_host_disabled returns 1). */
int plugin_host_discover(struct plugin_host *h, struct cl_err *err);
/* plugin_host_new + plugin_host_discover; *out freed with plugin_host_free. */
int plugin_host_load_default(struct plugin_host **out, struct cl_err *err);
/* 1 when discovery was switched off by $COPYLAB_NO_PLUGINS. */
int plugin_host_disabled(const struct plugin_host *h);

/* The plugins seen, in load order. */
size_t plugin_count(const struct plugin_host *h);
/* Fill *out for plugin i (0 <= i < plugin_count). */
void plugin_get(const struct plugin_host *h, size_t i, struct plugin_info *out);
/* Names registered by plugin i: kind is "scorer", "provider", "importer" or
 * "exporter"; returns the j-th name or NULL past the end. Borrowed. */
const char *plugin_registered(const struct plugin_host *h, size_t i, const char *kind, size_t j);
/* State name: "loaded", "refused", "failed", "disabled", "shadowed". */
const char *plugin_state_name(int state);
/* What went wrong with plugins, for a front end to show after a command:
 * one line per plugin that is refused, failed or disabled (shadowed ones are
 * fine), "plugin 'NAME' is STATE: WHY", lines joined by '\n'. NULL when every
 * plugin is loaded. Caller frees. */
char *plugin_host_problems(const struct plugin_host *h);
/* The `copylab plugins --json` array; caller frees. */
cJSON *plugin_host_json(const struct plugin_host *h);

struct cl_config;
/* config_load for a front end that wants plugin provider types usable in
 * config.json ({"type": "plainspeak"}): the config is loaded without plugins
 * first, and only when that fails (e.g. an unknown provider type) are the
 * plugins discovered, their provider types registered beside the built-ins
 * and the config loaded again. *host is NULL when no plugin was needed, else
 * the host the config's plugin providers live in. Free with config_free(*cfg)
 * first, then plugin_host_free(*host). On -1 both are NULL and err says why
 * (the first error when plugins did not help). */
int plugin_config_load(struct plugin_host **host, struct cl_config **cfg, struct cl_err *err);

/* Add every loaded plugin's scorers / provider types / formats to a
 * registry. A name the registry already holds is skipped and noted in the
 * plugin's log; only a registry error of another kind returns -1. */
int plugin_attach_scorers(struct plugin_host *h, struct scoreset *set, struct cl_err *err);
int plugin_attach_providers(struct plugin_host *h, struct provider_registry *reg,
                            struct cl_err *err);
int plugin_attach_formats(struct plugin_host *h, struct fmt_registry *reg, struct cl_err *err);

#endif
