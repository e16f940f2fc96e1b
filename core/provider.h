/* provider.h — language-model providers: one vtable, a registry, named
 * instances, and the calls that run one completion.
 *
 * A provider *type* (struct provider_type) is code: "openai", "anthropic",
 * "offline", or one a plugin registers. Built-ins register exactly as a plugin
 * does, with provider_register on the registry the host hands out. A provider
 * *instance* (struct provider) is a named configuration of a type: base URL,
 * model, the NAME of the environment variable holding its key, prices,
 * concurrency (see core/config.h, which builds them).
 *
 * Network types describe the HTTP request (build) and decode the reply
 * (decoder_*); the requests themselves run on a struct http_client, so many
 * completions share one event loop. Local types (offline) implement complete.
 *
 * API keys are read from the environment when a request is built and are
 * never kept in any struct here.
 */
#ifndef CL_PROVIDER_H
#define CL_PROVIDER_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "core/http.h"
#include "core/util.h"

/* One completion request (n = 1 always: run several requests for several variants). */
struct provider_req {
	const char  *system;       /* system message, may be NULL */
	const char  *user;         /* the user message */
	const char  *model;        /* NULL: the instance's model */
	double       temperature;  /* < 0: not sent */
	double       top_p;        /* < 0: not sent */
	int          max_tokens;   /* <= 0: the type's default */
	long long    seed;         /* < 0: not sent */
	int          json;         /* ask for a JSON object (response_format where supported) */
	int          stream;       /* stream the reply (tokens reach on_token as they come) */
	/* Set by a type's adapt hook when the server refused a parameter (e.g.
	 * newer OpenAI models want max_completion_tokens and no temperature). */
	int          use_max_completion_tokens;
	int          omit_temperature;
	/* Structured context, used by local composers (offline) and plugins;
	 * network types may ignore it. All may be NULL / 0. */
	const char  *language;     /* "en", "zh" */
	const char  *channel;      /* email, sms, ... */
	const char  *tone;
	const char *const *fields; /* output field names */
	size_t       nfields;
	const cJSON *bind;         /* template_bind's object */
	int          variant;      /* 0-based variant index within the run */
	const char  *mutation;     /* iterate step: "shorten", "add_urgency", ... */
	const char  *parent_json;  /* the parent variant's fields (JSON object text) */
	const char  *feedback;     /* free text from the user */
};

/* The outcome of one completion. Strings are owned; release with provider_result_clear. */
struct provider_result {
	char  *text;           /* the reply text ("" when none) */
	char  *error;          /* NULL on success, else what went wrong (server message included) */
	char  *model;          /* the model the server named, or NULL */
	char  *finish_reason;  /* "stop", "length", ... or NULL */
	long   tokens_in;      /* -1 when unknown */
	long   tokens_out;     /* -1 when unknown */
	long   http_status;    /* 0 for local providers or no reply */
	int    attempts;
	int    cancelled;
	double latency_ms;
};
void provider_result_clear(struct provider_result *res);

struct provider;
struct provider_http;

/* The vtable. Network types set build + decoder_*; local types set complete. */
struct provider_type {
	const char *name;              /* "openai" */
	const char *summary;           /* one line for `copylab providers` */
	const char *default_base_url;  /* NULL for local types */
	const char *default_model;
	const char *default_key_env;   /* NULL when no key is used */
	int         local;             /* 1: no network, complete() runs the request */

	/* Network: the HTTP request for req. key may be NULL (no key set).
	 * Fill out (release with provider_http_clear). */
	int  (*build)(const struct provider *p, const struct provider_req *req, const char *key,
	              struct provider_http *out, struct cl_err *err);
	/* Network: per-request reply decoder. */
	void *(*decoder_new)(const struct provider_req *req);
	/* Feed 2xx reply bytes (any split); each piece of text goes to
	 * on_token(ud, text, n) as soon as it is complete UTF-8. */
	void (*decoder_feed)(void *dec, const char *data, size_t n,
	                     void (*on_token)(void *ud, const char *text, size_t n), void *ud);
	/* Forget everything fed (the request is being retried). */
	void (*decoder_reset)(void *dec);
	/* The reply ended: fill res->text, tokens, model, finish_reason, and
	 * res->error when the stream carried an error or held no answer. */
	void (*decoder_finish)(void *dec, struct provider_result *res);
	void (*decoder_free)(void *dec);
	/* Message for a non-2xx reply (JSON error shapes of the API); caller frees. */
	char *(*error_message)(long status, const char *body, size_t len);
	/* Optional: the server refused req with status/body; change req so a
	 * resend may succeed and return 1, or return 0 (the error stands). Each
	 * request is adapted at most twice. */
	int  (*adapt)(struct provider_req *req, long status, const char *body, size_t len);

	/* Local: run req now, filling res (res->error set, and 0 returned, for a
	 * failed completion; -1 only for a bad request). p is non-const so a type
	 * may keep loaded data in p->priv. */
	int  (*complete)(struct provider *p, const struct provider_req *req,
	                 struct provider_result *res, struct cl_err *err);
	/* Release p->priv (may be NULL). */
	void (*priv_free)(void *priv);
};

/* An HTTP request a network type describes; strings owned. */
struct provider_http {
	char  *url;
	char **headers;
	size_t nheaders;
	char  *body;
	char  *secret;    /* the key if it appears in a header (for log masking), else NULL */
};
void provider_http_add_header(struct provider_http *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void provider_http_clear(struct provider_http *h);

/* A named, configured instance of a type. */
struct provider {
	const struct provider_type *type;
	char   *name;          /* "openai", "local-llama" */
	char   *base_url;      /* NULL for local types */
	char   *model;
	char   *key_env;       /* the NAME of the environment variable with the key, or NULL */
	double  price_in;      /* per million input tokens */
	double  price_out;     /* per million output tokens */
	int     concurrency;   /* 0: the caller's default */
	double  rpm;           /* requests per minute, 0 = unlimited */
	long    timeout_ms;    /* 0: http default */
	long    idle_timeout_s;
	int     max_retries;   /* -1: http default */
	long    retry_base_ms; /* 0: http default */
	void   *priv;          /* type-private data, freed by type->priv_free */
};

/* New instance of t named name, with the type's defaults; free with provider_free. */
struct provider *provider_new(const struct provider_type *t, const char *name);
void provider_free(struct provider *p);
/* -1 with err naming the variable when p is a hosted endpoint (the type's
 * default base URL) whose key is not set, so nothing is sent in vain; else 0. */
int provider_check_key(const struct provider *p, struct cl_err *err);
/* The key from the environment at this moment (getenv: do not free or keep), or NULL. */
const char *provider_api_key(const struct provider *p);
/* Cost in the instance's currency units for a token count (unknown counts cost 0). */
double provider_cost(const struct provider *p, long tokens_in, long tokens_out);
/* HTTP options (timeouts, retries, rpm, concurrency) for p; concurrency 0 keeps def. */
void provider_http_opts(const struct provider *p, int concurrency, struct http_opts *out);

/* ---- registry ---- */

struct provider_registry;

/* A registry holding the built-in types (offline, openai, anthropic); free
 * with provider_registry_free. */
struct provider_registry *provider_registry_new(void);
void provider_registry_free(struct provider_registry *reg);
/* Add a type (static storage, not copied). A second type with the same name
 * is refused. */
int provider_register(struct provider_registry *reg, const struct provider_type *t,
                      struct cl_err *err);
/* A type by name, or NULL. */
const struct provider_type *provider_type_find(const struct provider_registry *reg,
                                               const char *name);
/* The i-th registered type, NULL past the end. */
const struct provider_type *provider_type_at(const struct provider_registry *reg, size_t i);

/* The built-in types, registered by provider_registry_new. */
extern const struct provider_type provider_openai;
extern const struct provider_type provider_anthropic;
extern const struct provider_type provider_offline;

/* ---- running completions ---- */

struct provider_callbacks {
	void (*on_token)(void *ud, const char *text, size_t n);   /* streamed text, may be NULL */
	void (*on_retry)(void *ud, int attempt, long delay_ms, const char *why); /* drop streamed text */
	void (*on_done)(void *ud, struct provider_result *res);   /* exactly once; res is the callee's
	                                                            until it returns (steal strings freely,
	                                                            set them NULL) */
};

/* Start a completion on http for a network provider; returns the http id (> 0)
 * for http_cancel (a request resent by the type's adapt hook gets a new id:
 * prefer http_cancel_all), or -1 with err set (nothing submitted). req must
 * stay valid until on_done. Local providers are refused here: call
 * provider_complete_local. */
int provider_submit(struct provider *p, struct http_client *http, const struct provider_req *req,
                    const struct provider_callbacks *cb, void *ud, struct cl_err *err);
/* Run a local provider's completion now. */
int provider_complete_local(struct provider *p, const struct provider_req *req,
                            struct provider_result *res, struct cl_err *err);
/* One completion, blocking until it ends (for scorers and checks): any type.
 * A failed completion returns 0 with res->error set; -1 only when it could
 * not be started. res released with provider_result_clear. */
int provider_complete_sync(struct provider *p, const struct provider_req *req,
                           struct provider_result *res, struct cl_err *err);
/* A request with everything unset (temperature/top_p/seed < 0). */
void provider_req_init(struct provider_req *req);

#endif
