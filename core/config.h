/* config.h — which providers exist and which one is the default.
 *
 * Sources, later ones winning:
 *  1. built-in instances: "offline"; "openai" (base URL $OPENAI_BASE_URL or
 *     https://api.openai.com/v1, key in $OPENAI_API_KEY); "anthropic" (key in
 *     $ANTHROPIC_API_KEY);
 *  2. $XDG_CONFIG_HOME/copylab/config.json (else ~/.config/copylab/config.json):
 *       {"default": "local",
 *        "providers": {"local": {"type": "openai", "base_url": "http://127.0.0.1:8080/v1",
 *                                "model": "llama", "api_key_env": "LOCAL_KEY",
 *                                "price_in": 0.15, "price_out": 0.6,
 *                                "concurrency": 4, "rpm": 0, "timeout_s": 120,
 *                                "idle_timeout_s": 30, "max_retries": 4}}}
 *     ("providers" may also be an array of objects with a "name"). A key
 *     itself in the file is refused: name the variable that holds it.
 *  3. $COPYLAB_PROVIDER (the default's name) and $COPYLAB_MODEL (its model).
 * With nothing configured the default is "openai" when $OPENAI_API_KEY is set,
 * else "anthropic" when $ANTHROPIC_API_KEY is set, else "offline".
 * Keys are never read here: provider_api_key reads them at use.
 */
#ifndef CL_CONFIG_H
#define CL_CONFIG_H

#include <stddef.h>
#include "core/provider.h"
#include "core/util.h"

struct cl_config {
	struct provider_registry *reg;       /* owned */
	struct provider         **providers; /* owned, in listing order */
	size_t                    nproviders;
	char                     *default_name;
	char                     *path;      /* the config.json read, or NULL when none */
};

/* Build the configuration from the environment and config.json. reg may be
 * NULL (a registry with the built-ins is made) or one the caller prepared
 * (plugins registered); the config takes it over either way. Errors name the
 * file and the member. *out freed with config_free. */
int config_load(struct provider_registry *reg, struct cl_config **out, struct cl_err *err);
/* Same, reading config from json_text instead of the file (tests). */
int config_load_text(struct provider_registry *reg, const char *json_text, const char *origin,
                     struct cl_config **out, struct cl_err *err);
void config_free(struct cl_config *cfg);

/* The instance named name, or the default when name is NULL/"". NULL with
 * err set when there is none. Owned by cfg. */
struct provider *config_provider(struct cl_config *cfg, const char *name, struct cl_err *err);

/* Path of config.json (whether or not it exists); caller frees. */
char *config_file_path(void);

#endif
