/* provider.c — the registry, instances, and the plumbing that runs one
 * completion on an http client for any network type. */
#include "core/provider.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct provider_registry {
	const struct provider_type **t;
	size_t n, cap;
};

struct provider_registry *provider_registry_new(void)
{
	struct provider_registry *reg = xcalloc(1, sizeof *reg);
	/* Built-ins go through the same door as a plugin's types. */
	provider_register(reg, &provider_offline, NULL);
	provider_register(reg, &provider_openai, NULL);
	provider_register(reg, &provider_anthropic, NULL);
	return reg;
}

void provider_registry_free(struct provider_registry *reg)
{
	if (!reg)
		return;
	free(reg->t);
	free(reg);
}

int provider_register(struct provider_registry *reg, const struct provider_type *t,
                      struct cl_err *err)
{
	if (!t || !t->name || !*t->name)
		return cl_err_set(err, CL_EINVAL, "provider type without a name");
	if (t->local ? !t->complete
	             : !(t->build && t->decoder_new && t->decoder_feed && t->decoder_finish &&
	                 t->decoder_free))
		return cl_err_set(err, CL_EINVAL, "provider type '%s' lacks required functions", t->name);
	if (provider_type_find(reg, t->name))
		return cl_err_set(err, CL_EINVAL, "provider type '%s' is already registered", t->name);
	if (reg->n == reg->cap) {
		reg->cap = reg->cap ? reg->cap * 2 : 8;
		reg->t = xreallocarray(reg->t, reg->cap, sizeof *reg->t);
	}
	reg->t[reg->n++] = t;
	return 0;
}

const struct provider_type *provider_type_find(const struct provider_registry *reg,
                                               const char *name)
{
	for (size_t i = 0; reg && name && i < reg->n; i++)
		if (strcmp(reg->t[i]->name, name) == 0)
			return reg->t[i];
	return NULL;
}

const struct provider_type *provider_type_at(const struct provider_registry *reg, size_t i)
{
	return reg && i < reg->n ? reg->t[i] : NULL;
}

struct provider *provider_new(const struct provider_type *t, const char *name)
{
	struct provider *p = xcalloc(1, sizeof *p);
	p->type = t;
	p->name = xstrdup(name ? name : t->name);
	p->base_url = t->default_base_url ? xstrdup(t->default_base_url) : NULL;
	p->model = t->default_model ? xstrdup(t->default_model) : NULL;
	p->key_env = t->default_key_env ? xstrdup(t->default_key_env) : NULL;
	p->max_retries = -1;
	return p;
}

void provider_free(struct provider *p)
{
	if (!p)
		return;
	if (p->priv && p->type->priv_free)
		p->type->priv_free(p->priv);
	free(p->name);
	free(p->base_url);
	free(p->model);
	free(p->key_env);
	free(p);
}

const char *provider_api_key(const struct provider *p)
{
	const char *k = p->key_env && *p->key_env ? getenv(p->key_env) : NULL;
	return k && *k ? k : NULL;
}

double provider_cost(const struct provider *p, long tokens_in, long tokens_out)
{
	double c = 0;
	if (tokens_in > 0)
		c += (double)tokens_in * p->price_in / 1e6;
	if (tokens_out > 0)
		c += (double)tokens_out * p->price_out / 1e6;
	return c;
}

void provider_http_opts(const struct provider *p, int concurrency, struct http_opts *o)
{
	memset(o, 0, sizeof *o);
	o->concurrency = concurrency > 0 ? concurrency : p->concurrency > 0 ? p->concurrency : 8;
	o->max_retries = p->max_retries;
	o->max_retries_5xx = -1;
	o->timeout_ms = p->timeout_ms;
	o->idle_timeout_s = p->idle_timeout_s;
	o->retry_base_ms = p->retry_base_ms;
	o->rpm = p->rpm;
}

void provider_result_clear(struct provider_result *res)
{
	FREE(&res->text);
	FREE(&res->error);
	FREE(&res->model);
	FREE(&res->finish_reason);
}

void provider_req_init(struct provider_req *req)
{
	memset(req, 0, sizeof *req);
	req->temperature = -1;
	req->top_p = -1;
	req->seed = -1;
}

void provider_http_add_header(struct provider_http *h, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	h->headers = xreallocarray(h->headers, h->nheaders + 1, sizeof *h->headers);
	h->headers[h->nheaders++] = sbuf_detach(&sb);
}

void provider_http_clear(struct provider_http *h)
{
	for (size_t i = 0; i < h->nheaders; i++) {
		/* Header lines may hold the key: wipe before freeing. */
		memset(h->headers[i], 0, strlen(h->headers[i]));
		free(h->headers[i]);
	}
	free(h->headers);
	free(h->url);
	free(h->body);
	if (h->secret) {
		memset(h->secret, 0, strlen(h->secret));
		free(h->secret);
	}
	memset(h, 0, sizeof *h);
}

/* ---- one network completion ---- */

struct call {
	struct provider         *p;
	const struct provider_type *t;
	void                    *dec;
	struct provider_callbacks cb;
	void                    *ud;
	struct http_client      *http;
	struct provider_req      req;      /* shallow copy; adapt may change its flags */
	int                      adapted;
};

static int call_send(struct call *c, struct cl_err *err);

static void call_on_data(void *ud, const char *data, size_t n)
{
	struct call *c = ud;
	c->t->decoder_feed(c->dec, data, n, c->cb.on_token, c->ud);
}

static void call_on_retry(void *ud, int attempt, long delay_ms, const char *why)
{
	struct call *c = ud;
	if (c->t->decoder_reset)
		c->t->decoder_reset(c->dec);
	if (c->cb.on_retry)
		c->cb.on_retry(c->ud, attempt, delay_ms, why);
}

/* Replace every copy of key in *s by its masked form: a server may echo the
 * key in an error message, and that text is stored and shown. */
static void scrub_key(char **s, const char *key)
{
	char *at;
	if (!*s || !key || strlen(key) < 4 || !strstr(*s, key))
		return;
	char *mask = http_mask_secret(key);
	struct sbuf sb = SBUF_INIT;
	const char *p = *s;
	size_t klen = strlen(key);
	while ((at = strstr(p, key))) {
		sbuf_add(&sb, p, (size_t)(at - p));
		sbuf_adds(&sb, mask);
		p = at + klen;
	}
	sbuf_adds(&sb, p);
	free(mask);
	free(*s);
	*s = sbuf_detach(&sb);
}

static void call_on_done(void *ud, const struct http_result *hr)
{
	struct call *c = ud;
	struct provider_result res;
	memset(&res, 0, sizeof res);
	res.tokens_in = res.tokens_out = -1;
	res.http_status = hr->status;
	res.attempts = hr->attempts;
	res.latency_ms = hr->latency_ms;
	res.cancelled = hr->cancelled;
	if (!hr->ok && !hr->cancelled && hr->body && c->t->adapt && c->adapted < 2 &&
	    c->t->adapt(&c->req, hr->status, hr->body, hr->body_len)) {
		/* The server named a parameter it wants otherwise: resend. */
		struct cl_err err = {0};
		c->adapted++;
		if (c->t->decoder_reset)
			c->t->decoder_reset(c->dec);
		if (call_send(c, &err) > 0)
			return;
	}
	if (hr->ok) {
		c->t->decoder_finish(c->dec, &res);
	} else {
		char *msg = NULL;
		/* Keep whatever streamed before a drop: the user may still want it. */
		c->t->decoder_finish(c->dec, &res);
		FREE(&res.error);
		if (hr->body && hr->status && c->t->error_message)
			msg = c->t->error_message(hr->status, hr->body, hr->body_len);
		if (msg && hr->attempts > 1) {
			char *m2 = xasprintf("%s (after %d attempts)", msg, hr->attempts);
			free(msg);
			msg = m2;
		}
		res.error = msg ? msg : xstrdup(hr->error ? hr->error : "request failed");
	}
	if (!res.text)
		res.text = xstrdup("");
	scrub_key(&res.error, provider_api_key(c->p));
	scrub_key(&res.text, provider_api_key(c->p));
	if (c->cb.on_done)
		c->cb.on_done(c->ud, &res);
	provider_result_clear(&res);
	c->t->decoder_free(c->dec);
	free(c);
}

/* Build c->req's HTTP request and queue it; returns the http id or -1. */
static int call_send(struct call *c, struct cl_err *err)
{
	struct provider_http h;
	const char *secrets[2] = { NULL, NULL };
	int id;
	memset(&h, 0, sizeof h);
	if (c->t->build(c->p, &c->req, provider_api_key(c->p), &h, err)) {
		provider_http_clear(&h);
		return cl_err_prefix(err, "provider '%s'", c->p->name);
	}
	secrets[0] = h.secret;
	struct http_spec spec = { .url = h.url, .headers = (const char *const *)h.headers,
	                          .nheaders = h.nheaders, .body = h.body, .secrets = secrets };
	struct http_callbacks hcb = { call_on_data, call_on_retry, call_on_done };
	id = http_submit(c->http, &spec, &hcb, c);
	provider_http_clear(&h);
	return id;
}

int provider_submit(struct provider *p, struct http_client *http, const struct provider_req *req,
                    const struct provider_callbacks *cb, void *ud, struct cl_err *err)
{
	int id;
	if (p->type->local)
		return cl_err_set(err, CL_EINVAL, "provider '%s' runs locally, not over HTTP", p->name);
	struct call *c = xcalloc(1, sizeof *c);
	c->p = p;
	c->t = p->type;
	c->http = http;
	c->req = *req;
	if (cb)
		c->cb = *cb;
	c->ud = ud;
	c->dec = p->type->decoder_new(req);
	id = call_send(c, err);
	if (id < 0) {
		p->type->decoder_free(c->dec);
		free(c);
	}
	return id;
}

int provider_check_key(const struct provider *p, struct cl_err *err)
{
	/* A hosted endpoint without its key would only answer 401 after the
	 * retries. A base URL of your own (a local server) may need no key. */
	if (!p->type->local && p->key_env && !provider_api_key(p) && p->type->default_base_url &&
	    p->base_url && strcmp(p->base_url, p->type->default_base_url) == 0)
		return cl_err_set(err, CL_EDENIED, "provider '%s' needs a key: set %s (nothing was sent)",
		                  p->name, p->key_env);
	return 0;
}

int provider_complete_local(struct provider *p, const struct provider_req *req,
                            struct provider_result *res, struct cl_err *err)
{
	double t0 = cl_now_ms();
	memset(res, 0, sizeof *res);
	res->tokens_in = res->tokens_out = -1;
	if (!p->type->local)
		return cl_err_set(err, CL_EINVAL, "provider '%s' is not local", p->name);
	if (p->type->complete(p, req, res, err)) {
		provider_result_clear(res);
		return -1;
	}
	if (!res->text)
		res->text = xstrdup("");
	res->attempts = 1;
	res->latency_ms = cl_now_ms() - t0;
	return 0;
}

struct sync_state {
	struct provider_result *res;
	int done;
};

static void sync_done(void *ud, struct provider_result *r)
{
	struct sync_state *s = ud;
	*s->res = *r;                 /* steal every string */
	memset(r, 0, sizeof *r);
	s->done = 1;
}

int provider_complete_sync(struct provider *p, const struct provider_req *req,
                           struct provider_result *res, struct cl_err *err)
{
	struct http_client *http;
	struct http_opts o;
	struct sync_state s = { res, 0 };
	struct provider_callbacks cb = { NULL, NULL, sync_done };
	if (p->type->local)
		return provider_complete_local(p, req, res, err);
	memset(res, 0, sizeof *res);
	provider_http_opts(p, 1, &o);
	if (http_client_new(&o, &http, err))
		return -1;
	if (provider_submit(p, http, req, &cb, &s, err) < 0) {
		http_client_free(http);
		return -1;
	}
	while (!s.done) {
		if (http_poll(http, NULL, 0, 1000, err) < 0) {
			http_client_free(http);
			if (s.done)
				provider_result_clear(res);
			return -1;
		}
	}
	http_client_free(http);
	return 0;
}
