/* config.c — provider instances from the environment and config.json. */
#include "core/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *config_file_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (x && *x)
		return xasprintf("%s/copylab/config.json", x);
	return xasprintf("%s/.config/copylab/config.json", home && *home ? home : ".");
}

static void add_provider(struct cl_config *cfg, struct provider *p)
{
	for (size_t i = 0; i < cfg->nproviders; i++) {
		if (strcmp(cfg->providers[i]->name, p->name) == 0) {
			provider_free(cfg->providers[i]);
			cfg->providers[i] = p;
			return;
		}
	}
	cfg->providers = xreallocarray(cfg->providers, cfg->nproviders + 1, sizeof *cfg->providers);
	cfg->providers[cfg->nproviders++] = p;
}

static int get_str(const cJSON *o, const char *k, char **dst, const char *origin, const char *name,
                   struct cl_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return cl_err_set(err, CL_EINVAL, "%s: providers.%s.%s must be a string", origin, name, k);
	free(*dst);
	*dst = xstrdup(v->valuestring);
	return 0;
}

static int get_num(const cJSON *o, const char *k, double *dst, const char *origin, const char *name,
                   struct cl_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0)
		return cl_err_set(err, CL_EINVAL, "%s: providers.%s.%s must be a number >= 0", origin, name, k);
	*dst = v->valuedouble;
	return 0;
}

static int load_one(struct cl_config *cfg, const char *name, const cJSON *o, const char *origin,
                    struct cl_err *err)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	const struct provider_type *t;
	struct provider *p;
	double conc = 0, rpm = 0, tmo = 0, idle = 0, retries = -1, base = 0, pin = 0, pout = 0;
	if (!cJSON_IsObject(o))
		return cl_err_set(err, CL_EINVAL, "%s: providers.%s must be an object", origin, name);
	if (cJSON_GetObjectItemCaseSensitive(o, "api_key") || cJSON_GetObjectItemCaseSensitive(o, "key"))
		return cl_err_set(err, CL_EDENIED, "%s: providers.%s holds a key; put the key in an "
		                  "environment variable and name it with \"api_key_env\"", origin, name);
	if (!cJSON_IsString(type))
		return cl_err_set(err, CL_EINVAL, "%s: providers.%s.type is missing (openai, anthropic, "
		                  "offline or a plugin's type)", origin, name);
	t = provider_type_find(cfg->reg, type->valuestring);
	if (!t)
		return cl_err_set(err, CL_ENOTFOUND, "%s: providers.%s.type: unknown provider type '%s'",
		                  origin, name, type->valuestring);
	/* A misspelt key ("modle") would be ignored without a word: name it. */
	static const char *const known[] = { "type", "name", "base_url", "model", "api_key_env",
	                                     "price_in", "price_out", "concurrency", "rpm",
	                                     "timeout_s", "idle_timeout_s", "max_retries",
	                                     "retry_base_ms", NULL };
	const cJSON *k;
	cJSON_ArrayForEach(k, o) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], k->string))
			i++;
		if (!known[i] && k->string[0] != '_')
			return cl_err_set(err, CL_EINVAL, "%s: providers.%s: unknown key '%s' (keys: type, "
			                  "base_url, model, api_key_env, price_in, price_out, concurrency, rpm, "
			                  "timeout_s, idle_timeout_s, max_retries, retry_base_ms)",
			                  origin, name, k->string);
	}
	p = provider_new(t, name);
	if (get_str(o, "base_url", &p->base_url, origin, name, err) ||
	    get_str(o, "model", &p->model, origin, name, err) ||
	    get_str(o, "api_key_env", &p->key_env, origin, name, err) ||
	    get_num(o, "price_in", &pin, origin, name, err) ||
	    get_num(o, "price_out", &pout, origin, name, err) ||
	    get_num(o, "concurrency", &conc, origin, name, err) ||
	    get_num(o, "rpm", &rpm, origin, name, err) ||
	    get_num(o, "timeout_s", &tmo, origin, name, err) ||
	    get_num(o, "idle_timeout_s", &idle, origin, name, err) ||
	    get_num(o, "max_retries", &retries, origin, name, err) ||
	    get_num(o, "retry_base_ms", &base, origin, name, err)) {
		provider_free(p);
		return -1;
	}
	p->price_in = pin;
	p->price_out = pout;
	p->concurrency = (int)conc;
	p->rpm = rpm;
	p->timeout_ms = (long)(tmo * 1000);
	p->idle_timeout_s = (long)idle;
	p->max_retries = (int)retries;
	p->retry_base_ms = (long)base;
	add_provider(cfg, p);
	return 0;
}

static int load_json(struct cl_config *cfg, const char *text, const char *origin, struct cl_err *err)
{
	cJSON *j = cJSON_Parse(text), *ps, *d, *it;
	int rc = 0;
	if (!j) {
		const char *at = cJSON_GetErrorPtr();
		int line = 1;
		for (const char *s = text; at && s < at; s++)
			line += *s == '\n';
		return cl_err_set(err, CL_EINVAL, "%s:%d: not valid JSON", origin, line);
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return cl_err_set(err, CL_EINVAL, "%s: the top level must be an object", origin);
	}
	cJSON_ArrayForEach(it, j) {
		static const char *const top[] = { "default", "providers", "scoring", NULL };
		size_t i = 0;
		while (top[i] && strcmp(top[i], it->string))
			i++;
		if (!top[i] && it->string[0] != '_') {
			cl_err_set(err, CL_EINVAL, "%s: unknown key '%s' (keys: default, providers, scoring)",
			           origin, it->string);
			cJSON_Delete(j);
			return -1;
		}
	}
	ps = cJSON_GetObjectItemCaseSensitive(j, "providers");
	if (cJSON_IsObject(ps)) {
		cJSON_ArrayForEach(it, ps)
			if ((rc = load_one(cfg, it->string, it, origin, err)))
				break;
	} else if (cJSON_IsArray(ps)) {
		int i = 0;
		cJSON_ArrayForEach(it, ps) {
			const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
			if (!cJSON_IsString(nm) || !*nm->valuestring) {
				rc = cl_err_set(err, CL_EINVAL, "%s: providers[%d].name is missing", origin, i);
				break;
			}
			if ((rc = load_one(cfg, nm->valuestring, it, origin, err)))
				break;
			i++;
		}
	} else if (ps) {
		rc = cl_err_set(err, CL_EINVAL, "%s: \"providers\" must be an object or an array", origin);
	}
	d = cJSON_GetObjectItemCaseSensitive(j, "default");
	if (!rc && d) {
		if (!cJSON_IsString(d))
			rc = cl_err_set(err, CL_EINVAL, "%s: \"default\" must be a provider name", origin);
		else {
			free(cfg->default_name);
			cfg->default_name = xstrdup(d->valuestring);
		}
	}
	cJSON_Delete(j);
	return rc;
}

static int load(struct provider_registry *reg, const char *text, const char *origin,
                struct cl_config **out, struct cl_err *err)
{
	struct cl_config *cfg = xcalloc(1, sizeof *cfg);
	const char *e;
	struct provider *p;
	*out = NULL;
	cfg->reg = reg ? reg : provider_registry_new();
	add_provider(cfg, provider_new(&provider_offline, "offline"));
	p = provider_new(&provider_openai, "openai");
	if ((e = getenv("OPENAI_BASE_URL")) && *e) {
		free(p->base_url);
		p->base_url = xstrdup(e);
	}
	add_provider(cfg, p);
	add_provider(cfg, provider_new(&provider_anthropic, "anthropic"));
	if (text && load_json(cfg, text, origin, err)) {
		config_free(cfg);
		return -1;
	}
	if ((e = getenv("COPYLAB_PROVIDER")) && *e) {
		free(cfg->default_name);
		cfg->default_name = xstrdup(e);
	}
	if (!cfg->default_name) {
		const char *ok = getenv("OPENAI_API_KEY"), *ak = getenv("ANTHROPIC_API_KEY");
		cfg->default_name = xstrdup(ok && *ok ? "openai" : ak && *ak ? "anthropic" : "offline");
	}
	if ((e = getenv("COPYLAB_MODEL")) && *e) {
		struct provider *d = config_provider(cfg, NULL, NULL);
		if (d && !d->type->local) {
			free(d->model);
			d->model = xstrdup(e);
		}
	}
	if (!config_provider(cfg, NULL, err)) {
		if ((e = getenv("COPYLAB_PROVIDER")) && *e)
			cl_err_prefix(err, "COPYLAB_PROVIDER");
		else
			cl_err_prefix(err, "%s: default", origin);
		config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int config_load_text(struct provider_registry *reg, const char *json_text, const char *origin,
                     struct cl_config **out, struct cl_err *err)
{
	return load(reg, json_text, origin ? origin : "config", out, err);
}

int config_load(struct provider_registry *reg, struct cl_config **out, struct cl_err *err)
{
	char *path = config_file_path(), *text = NULL;
	int rc;
	if (access(path, F_OK) == 0) {
		if (cl_read_file(path, &text, NULL, err)) {
			free(path);
			provider_registry_free(reg);
			return -1;
		}
	}
	rc = load(reg, text, path, out, err);
	if (rc == 0 && text)
		(*out)->path = xstrdup(path);
	free(text);
	free(path);
	return rc;
}

void config_free(struct cl_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nproviders; i++)
		provider_free(cfg->providers[i]);
	free(cfg->providers);
	free(cfg->default_name);
	free(cfg->path);
	provider_registry_free(cfg->reg);
	free(cfg);
}

struct provider *config_provider(struct cl_config *cfg, const char *name, struct cl_err *err)
{
	if (!name || !*name)
		name = cfg->default_name;
	for (size_t i = 0; name && i < cfg->nproviders; i++)
		if (strcmp(cfg->providers[i]->name, name) == 0)
			return cfg->providers[i];
	struct sbuf sb = SBUF_INIT;
	for (size_t i = 0; i < cfg->nproviders; i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : "", cfg->providers[i]->name);
	cl_err_set(err, CL_ENOTFOUND, "no provider named '%s' (have: %s)", name ? name : "",
	           sbuf_str(&sb));
	sbuf_free(&sb);
	return NULL;
}
