/* copylab_plugin.h — the C ABI for copylab plugins. Self-contained: a plugin
 * includes this header only, never copylab's own headers.
 *
 * A plugin is a shared object (built with -fPIC -shared) that exports two
 * symbols, both made by the macros below:
 *
 *   COPYLAB_PLUGIN("readinglevel", "1.0", "reading level for a young audience");
 *
 *   int copylab_plugin_init(const struct copylab_host *host, int abi_version)
 *   {
 *       static const struct copylab_scorer s = { .name = "reading_level", ... };
 *       return host->register_scorer(host->ctx, &s);
 *   }
 *
 * copylab reads `copylab_plugin_info` first. A plugin whose info.abi differs
 * from the host's COPYLAB_PLUGIN_ABI_VERSION is refused before any of its
 * functions runs ("built for ABI 2, this copylab speaks ABI 1"). Then
 * copylab_plugin_init is called once; it registers scorers, providers,
 * importers and exporters through the host's functions and returns 0. If it
 * returns anything else, or any registration fails, every registration it
 * made is dropped and the shared object is closed (nothing half-loaded stays).
 *
 * Everything registered is copied by the host (names, summaries); the
 * function pointers and `data` must stay valid while the plugin is loaded
 * (static storage is the usual choice). The host pointer handed to
 * copylab_plugin_init stays valid while the plugin is loaded, so keep it.
 * Functions may be called from several threads at once for different
 * inputs: keep no unguarded mutable state.
 *
 * Strings are UTF-8 and NUL-terminated. Output text goes into a host buffer
 * through host->buf_append / host->buf_json_string, so no memory crosses
 * the boundary.
 *
 * Loading a plugin runs its code with your permissions. Only install
 * plugins you trust.
 */
#ifndef COPYLAB_PLUGIN_H
#define COPYLAB_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct below changes shape or meaning. */
#define COPYLAB_PLUGIN_ABI_VERSION 1

/* A growable output buffer owned by the host; write with host->buf_append. */
struct copylab_buf;

/* ---- scorers ---- */

/* What is scored. Members may be NULL except text. */
struct copylab_score_input {
	const char *text;         /* the whole copy, fields joined by newlines */
	const char *fields_json;  /* the copy's fields as a JSON object, or NULL */
	const char *channel;      /* email, sms, push, social, search-ad, landing, or "" */
	const char *lang;         /* "en" or "zh" */
	const char *segment;      /* segment name, or NULL */
};

/* A scorer: score() returns 1 and sets *value in [0,1] (higher is better),
 * 0 when it does not apply to this input, -1 on error (write the reason to
 * detail as plain text). On 1 it may write a JSON object explaining the value
 * to detail (e.g. {"grade": 5.2, "why": "short words"}); nothing = {}. */
struct copylab_scorer {
	const char *name;         /* [a-z0-9_]+, unique among scorers */
	const char *summary;      /* one line */
	double      weight;       /* default weight in the composite (e.g. 1.0) */
	int       (*score)(void *data, const struct copylab_score_input *in, double *value,
	                   struct copylab_buf *detail);
	void       *data;
};

/* ---- providers (copy generation) ---- */

struct copylab_gen_request {
	const char *system;       /* may be NULL */
	const char *user;
	const char *model;        /* may be NULL */
	double      temperature;  /* < 0: not given */
	int         max_tokens;   /* <= 0: not given */
	long long   seed;         /* < 0: not given */
	int         json;         /* a JSON object with the fields below is wanted */
	const char *language, *channel, *tone;   /* may be NULL */
	const char *const *fields;
	size_t      nfields;
	int         variant;      /* 0-based index within the run */
	const char *bind_json;    /* the bound product/segment/vars as JSON, or NULL */
};

/* A provider: generate() writes the reply text to text and returns 0, or
 * writes the reason to error and returns -1. */
struct copylab_provider {
	const char *name;         /* the provider type's name */
	const char *summary;
	const char *default_model;
	int       (*generate)(void *data, const struct copylab_gen_request *req,
	                      struct copylab_buf *text, struct copylab_buf *error);
	void       *data;
};

/* ---- importers ---- */

/* Where an importer sends what it reads: first columns() once, then row()
 * for each row (n values, NULL for a missing value). Both return 0, or -1
 * when the host wants the import to stop (return -1 then). */
struct copylab_row_sink {
	void *ctx;
	int (*columns)(void *ctx, const char *const *names, size_t n);
	int (*row)(void *ctx, const char *const *values, size_t n);
};

struct copylab_importer {
	const char *name;         /* format name, e.g. "xlsx-lite" */
	const char *summary;
	const char *extensions;   /* comma-separated, e.g. "vcf,vcard" */
	int       (*import)(void *data, const char *path, const struct copylab_row_sink *sink,
	                    struct copylab_buf *error);
	void       *data;
};

/* ---- exporters ---- */

/* An exporter writes a table: begin() with the column names, row() per row
 * (NULL values are SQL NULL), end(). Each writes output to out (the host
 * flushes it to the file between calls) and returns 0, or -1 with the reason
 * in out. *state is the exporter's own per-export pointer (starts NULL). */
struct copylab_exporter {
	const char *name;         /* format name, e.g. "markdown" */
	const char *summary;
	const char *extension;    /* file extension without the dot, e.g. "md" */
	int       (*begin)(void *data, void **state, const char *const *columns, size_t n,
	                   struct copylab_buf *out);
	int       (*row)(void *data, void *state, const char *const *values, size_t n,
	                 struct copylab_buf *out);
	int       (*end)(void *data, void *state, struct copylab_buf *out);
	void       *data;
};

/* ---- the host API, handed to copylab_plugin_init ---- */

enum { COPYLAB_LOG_ERROR = 0, COPYLAB_LOG_WARN = 1, COPYLAB_LOG_INFO = 2 };

struct copylab_host {
	int         abi_version;  /* COPYLAB_PLUGIN_ABI_VERSION of the host */
	size_t      size;         /* sizeof(struct copylab_host) in the host */
	const char *host_version; /* copylab's version text */
	void       *ctx;          /* pass back as the first argument below */
	/* Register one thing; 0 ok, -1 refused (bad or duplicate name). The
	 * struct is copied; its functions and data must outlive the plugin. */
	int  (*register_scorer)(void *ctx, const struct copylab_scorer *s);
	int  (*register_provider)(void *ctx, const struct copylab_provider *p);
	int  (*register_importer)(void *ctx, const struct copylab_importer *i);
	int  (*register_exporter)(void *ctx, const struct copylab_exporter *e);
	/* Say something; copylab shows it in `copylab plugins` / its log. */
	void (*log)(void *ctx, int level, const char *msg);
	/* Output buffers. */
	void (*buf_append)(struct copylab_buf *b, const char *s, size_t n);
	void (*buf_puts)(struct copylab_buf *b, const char *s);
	/* Append s as a JSON string literal (quoted and escaped). */
	void (*buf_json_string)(struct copylab_buf *b, const char *s);
	/* Append a number as JSON (finite; NaN/inf become null). */
	void (*buf_json_number)(struct copylab_buf *b, double v);
};

/* What a plugin says about itself, read before any of its code runs. */
struct copylab_plugin_info {
	int         abi;          /* COPYLAB_PLUGIN_ABI_VERSION it was built with */
	const char *name;
	const char *version;
	const char *summary;
};

/* Declare the plugin (once, at file scope). */
#define COPYLAB_PLUGIN(name_, version_, summary_)                                   \
	__attribute__((visibility("default")))                                      \
	const struct copylab_plugin_info copylab_plugin_info = {                    \
		COPYLAB_PLUGIN_ABI_VERSION, (name_), (version_), (summary_) }

/* The entry point every plugin defines. Return 0 on success. abi_version is
 * the host's; it equals COPYLAB_PLUGIN_ABI_VERSION when this is called. */
__attribute__((visibility("default")))
int copylab_plugin_init(const struct copylab_host *host, int abi_version);

#define COPYLAB_PLUGIN_INFO_SYMBOL "copylab_plugin_info"
#define COPYLAB_PLUGIN_INIT_SYMBOL "copylab_plugin_init"

#ifdef __cplusplus
}
#endif

#endif
