/* generate.h — generation jobs: N variants of one prompt from one provider.
 *
 * A job renders the prompt (a template bound to a row, a segment and --var
 * values, or a literal prompt text), passes data values through the redactor
 * for every provider but a local one (unless no_redact), creates a cl_runs row
 * (status 'running', this pid), then runs one request per variant through the
 * provider, concurrently. Each variant is written to cl_variants in its own
 * transaction the moment it completes, so killing the process loses only the
 * requests in flight; a run left 'running' whose process is gone is reported
 * as 'interrupted' (gen_runs_list marks it so).
 *
 * Replies are cached in cl_cache under a SHA-256 of provider, base URL,
 * model, parameters, messages and the variant's index; a hit is written at
 * once and marked cached (cost 0). Local providers (offline) are not cached.
 *
 * The job never blocks: the front end calls gen_job_poll from its loop with
 * its own descriptors (stdin, a self-pipe) and the callbacks fire from there.
 *
 *   gen_job_start(ws, cfg, &spec, &cb, ud, &job, &err);
 *   while (gen_job_in_flight(job))
 *       gen_job_poll(job, fds, nfds, 100, &err);     // on_token/on_variant/... fire here
 *   gen_job_free(job);                                // after on_done
 */
#ifndef CL_GENERATE_H
#define CL_GENERATE_H

#include <poll.h>
#include <stddef.h>
#include "core/config.h"
#include "core/util.h"
#include "core/workspace.h"

struct gen_spec {
	/* What to send: exactly one of template and prompt_text. */
	const char        *template_name;  /* NAME[@VERSION] or a FILE (imported when new) */
	const char        *prompt_text;    /* literal user message; the only output field is "text" */
	const char        *row;            /* "TABLE:ID" bound as {{product.*}}, may be NULL */
	const char        *segment;        /* segment name, may be NULL */
	const char *const *vars;           /* "K=V" strings */
	size_t             nvars;
	const char        *extra_prompt;   /* appended to the user message (iterate's winners section) */
	int                n;              /* variants; <= 0: the template's, else 3 (1 for prompt_text) */
	const char        *provider;       /* instance name; NULL = the configured default */
	const char        *model;          /* NULL = the instance's */
	double             temperature;    /* < 0: the template's, else not sent */
	double             top_p;          /* < 0: not sent */
	int                max_tokens;     /* <= 0: the template's, else 1024 */
	long long          seed;           /* < 0: none (offline then uses 1); variant i gets seed + i */
	int                concurrency;    /* <= 0: the instance's, else 8 */
	int                no_cache;
	int                no_redact;
	int                no_stream;
	/* Iterate step. */
	int                round;          /* <= 0 means 1 */
	long long          parent_run;     /* 0 = none */
	const char        *feedback;
	const long long   *parent_ids;     /* variant i's parent is parent_ids[i % nparents] */
	size_t             nparents;
	const char        *mutation;       /* offline operator(s), comma-separated, cycled over variants */
	/* Verbose log lines (keys masked); NULL for none. */
	void             (*log)(void *ud, const char *line);
};

/* One finished variant, as stored. */
struct gen_variant {
	long long id;
	long long run_id;
	int       idx;          /* 0-based position in the run */
	int       round;
	long long parent_id;    /* 0 = none */
	char     *fields;       /* JSON object text ("{}" when none) */
	char     *text;         /* the whole reply text */
	int       parse_ok;     /* fields came out as asked */
	long      tokens_in;    /* -1 unknown */
	long      tokens_out;
	double    latency_ms;
	double    cost;
	int       cached;
	char     *error;        /* NULL when it succeeded */
	int       starred, discarded;
	char     *created_at;
};

/* Callbacks; any may be NULL. idx is the variant's 0-based index. They fire
 * from inside gen_job_poll (and gen_job_cancel); gen_job_cancel may be called
 * from on_variant/on_error/on_retry, gen_job_free from none of them. */
struct gen_callbacks {
	/* Streamed text of variant idx as it arrives (complete UTF-8 pieces). */
	void (*on_token)(void *ud, int idx, const char *text, size_t n);
	/* Variant idx's attempt failed and is retried after delay_ms: drop its streamed text. */
	void (*on_retry)(void *ud, int idx, int attempt, long delay_ms, const char *why);
	/* Variant idx failed (it is still saved, with its error, and on_variant
	 * follows); idx -1 for a failure of the job itself (e.g. a write error). */
	void (*on_error)(void *ud, int idx, const char *msg);
	/* Variant idx is saved as v->id; v is the job's (valid until gen_job_free). */
	void (*on_variant)(void *ud, int idx, const struct gen_variant *v);
	/* Everything finished; status is "done", "failed" or "cancelled". */
	void (*on_done)(void *ud, long long run_id, const char *status);
};

struct gen_job;

/* Render, create the run and start the requests. cfg names the providers
 * (core/config.h); ws and cfg must outlive the job. Errors before anything
 * started (bad template, unknown provider, missing row) return -1 with err
 * naming the cause, and create no run. *out freed with gen_job_free. */
int gen_job_start(struct workspace *ws, struct cl_config *cfg, const struct gen_spec *spec,
                  const struct gen_callbacks *cb, void *ud, struct gen_job **out,
                  struct cl_err *err);
/* Make progress: wait up to timeout_ms for the network or fds (revents filled
 * in as poll(2) does; at most 16), fire callbacks. Returns the number of fds
 * with events, or -1 with err set. Safe to call after the job finished (it
 * then only waits on fds). */
int gen_job_poll(struct gen_job *job, struct pollfd *fds, int nfds, int timeout_ms,
                 struct cl_err *err);
/* Stop: in-flight requests are dropped, finished variants stay, the run is
 * marked 'cancelled'; on_done fires before this returns. */
void gen_job_cancel(struct gen_job *job);
/* Variants not yet finished (0 once on_done has fired). */
int gen_job_in_flight(const struct gen_job *job);
/* Free the job; cancels first when still running. */
void gen_job_free(struct gen_job *job);

/* About the job (valid until gen_job_free). */
long long gen_job_run_id(const struct gen_job *job);
int gen_job_count(const struct gen_job *job);                       /* variants requested */
const struct gen_variant *gen_job_variant(const struct gen_job *job, int idx); /* NULL until done */
const char *gen_job_provider(const struct gen_job *job);            /* instance name */
const char *gen_job_model(const struct gen_job *job);
const char *gen_job_status(const struct gen_job *job);              /* "running" until done */
int gen_job_local(const struct gen_job *job);                       /* 1: offline/local provider */
size_t gen_job_redactions(const struct gen_job *job);               /* spans the redactor replaced */
/* The messages sent (after redaction); system may be NULL. */
const char *gen_job_system(const struct gen_job *job);
const char *gen_job_user(const struct gen_job *job);
/* Totals over finished variants. */
void gen_job_totals(const struct gen_job *job, long *tokens_in, long *tokens_out, double *cost);

/* ---- reading runs back ---- */

struct gen_run_info {
	long long id;
	char     *status;        /* 'running' whose process is gone reads 'interrupted' */
	char     *provider, *model;
	char     *prompt_name;   /* NULL for prompt text */
	int       prompt_version;
	char     *segment, *row_ref, *feedback;
	int       round;
	long long parent_run;
	int       n_requested, n_variants, n_failed;
	long      tokens_in, tokens_out;
	double    cost;
	char     *created_at, *finished_at;
};

/* Every run, newest first (limit 0 = all); marks dead 'running' runs
 * 'interrupted' in the workspace when it can. Free with gen_runs_free. */
int gen_runs_list(struct workspace *ws, size_t limit, struct gen_run_info **out, size_t *n,
                  struct cl_err *err);
/* One run by id (CL_ENOTFOUND when missing); free with gen_runs_free(out, 1). */
int gen_run_get(struct workspace *ws, long long run_id, struct gen_run_info **out,
                struct cl_err *err);
void gen_runs_free(struct gen_run_info *v, size_t n);

/* The variants of a run in index order; free with gen_variants_free. */
int gen_variants_list(struct workspace *ws, long long run_id, struct gen_variant **out, size_t *n,
                      struct cl_err *err);
void gen_variants_free(struct gen_variant *v, size_t n);

/* The cache key of one request (64 hex digits + NUL). */
void gen_cache_key(const struct provider *p, const struct provider_req *req, char out[65]);

#endif
