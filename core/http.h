/* http.h — concurrent HTTP requests on one libcurl multi handle.
 *
 * Requests are queued with http_submit and run up to opts.concurrency at a
 * time, reusing connections. Nothing blocks: the owner calls http_poll from
 * its event loop (it waits on curl's sockets and any extra descriptors, e.g.
 * stdin) and callbacks fire from inside http_poll, or from http_cancel*.
 *
 * Retries: 429, 408 and connection failures (refused, reset, dropped
 * mid-reply, timed out) are retried up to max_retries times; 5xx up to
 * max_retries_5xx times (a server that answers a client mistake with 500
 * should not be asked forever), with exponential backoff and jitter, or
 * exactly the server's Retry-After when it sent one (capped). Each request has
 * a whole-request timeout and an idle (trickle) timeout. An optional
 * requests-per-minute limit spaces out request starts, retries included.
 *
 * Callback order for one request: on_data* (2xx body bytes, as they arrive),
 * then either on_retry (the attempt failed; forget any data seen so far) and
 * again from the top, or on_done exactly once. Never call http_cancel* from
 * on_data, nor http_client_free from any callback; http_submit and
 * http_cancel* may be called from on_retry and on_done.
 */
#ifndef CL_HTTP_H
#define CL_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include "core/util.h"

struct http_client;

struct http_opts {
	int    concurrency;        /* requests at once; <= 0 means 8 */
	int    max_retries;        /* after the first attempt: 429 / connection errors; < 0 means 4 */
	int    max_retries_5xx;    /* for 5xx replies; < 0 means 2 */
	long   timeout_ms;         /* whole request, streaming included; <= 0 means 120 s */
	long   connect_timeout_ms; /* <= 0 means 10 s */
	long   idle_timeout_s;     /* abort when under 1 byte/s for this long; <= 0 means 30 s */
	long   retry_base_ms;      /* first backoff, doubled per attempt, +-50% jitter; <= 0 means 500 */
	long   retry_max_ms;       /* cap on any wait, Retry-After included; <= 0 means 60 s */
	double rpm;                /* request starts per minute; 0 = unlimited */
	uint64_t seed;             /* jitter seed; 0 = from the clock */
	/* Verbose log lines (secrets already masked); NULL for none. */
	void (*log)(void *ud, const char *line);
	void  *log_ud;
};

/* What to send. http_submit copies all of it. */
struct http_spec {
	const char        *url;
	const char *const *headers;    /* "Name: value" lines */
	size_t             nheaders;
	const char        *body;       /* POST body; NULL for GET */
	/* Header values that are secrets: any header containing one is logged
	 * masked. NULL-terminated list, may be NULL. */
	const char *const *secrets;
};

struct http_result {
	long        status;        /* last HTTP status, 0 when no reply arrived */
	int         ok;            /* 1: a 2xx reply arrived complete */
	int         cancelled;     /* 1: stopped by http_cancel* */
	int         transport;     /* 1: failed below HTTP (connect, timeout, dropped) */
	const char *error;         /* a sentence saying what failed, NULL when ok */
	const char *body;          /* non-2xx: the reply body ("" if none); NULL when ok */
	size_t      body_len;
	int         attempts;      /* 1 + retries made */
	double      latency_ms;    /* first attempt start to done */
};

struct http_callbacks {
	/* 2xx reply bytes as they arrive (any split). */
	void (*on_data)(void *ud, const char *data, size_t n);
	/* The attempt failed and will be retried after delay_ms. */
	void (*on_retry)(void *ud, int attempt, long delay_ms, const char *why);
	/* Final outcome; res and its strings live only during the call. */
	void (*on_done)(void *ud, const struct http_result *res);
};

/* New client; free with http_client_free (which cancels what is left, firing on_done). */
int http_client_new(const struct http_opts *opts, struct http_client **out, struct cl_err *err);
void http_client_free(struct http_client *c);

/* Queue a request; returns its id (> 0), which http_cancel takes. */
int http_submit(struct http_client *c, const struct http_spec *spec,
                const struct http_callbacks *cb, void *ud);

/* Run transfers, waiting up to timeout_ms for network activity, a due retry
 * or one of fds (their revents are filled in, as poll(2) does). Returns the
 * number of fds with events, or -1 with err set when curl itself failed. */
int http_poll(struct http_client *c, struct pollfd *fds, int nfds, int timeout_ms,
              struct cl_err *err);

/* Stop one request / all requests; on_done fires with cancelled = 1. */
void http_cancel(struct http_client *c, int id);
void http_cancel_all(struct http_client *c);

/* Requests queued, running or waiting to retry. */
int http_in_flight(const struct http_client *c);
/* Highest number of requests that ran at once so far. */
int http_peak_active(const struct http_client *c);

/* A key shown safely: "sk-…" plus its length, never the secret part; caller frees. */
char *http_mask_secret(const char *secret);

#endif
