/* http.c — libcurl multi driver: queue, concurrency cap, retries with
 * backoff and Retry-After, timeouts, requests-per-minute spacing, cancel. */
#include "core/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum xstate { X_QUEUED, X_ACTIVE, X_WAITING };

struct xfer {
	struct http_client   *c;
	int                   id;
	enum xstate           state;
	CURL                 *easy;
	struct curl_slist    *hdrs;
	char                 *url, *body;
	char                **log_headers;   /* masked copies for the verbose log */
	size_t                nlog_headers;
	struct http_callbacks cb;
	void                 *ud;
	int                   attempt;       /* attempts started so far */
	int                   retries_5xx;
	uint64_t              due_ns;        /* X_WAITING: when to start again */
	uint64_t              t0_ns;         /* first attempt start */
	uint64_t              ta_ns;         /* this attempt's start */
	long                  status;
	struct sbuf           errbody;
	char                  errbuf[CURL_ERROR_SIZE];
};

struct http_client {
	struct http_opts opts;
	CURLM           *multi;
	struct xfer    **x;           /* every request not yet done, in submit order */
	size_t           nx, capx;
	int              active, peak, next_id;
	uint64_t         next_start_ns;  /* rpm spacing */
	uint64_t         rng;
	int              in_perform;
};

static void logf_(struct http_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct http_client *c, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	if (!c->opts.log)
		return;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	c->opts.log(c->opts.log_ud, sbuf_str(&sb));
	sbuf_free(&sb);
}

char *http_mask_secret(const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n == 0)
		return xstrdup("(none)");
	/* Only a well-known prefix like "sk-" survives; never any secret bytes. */
	return xasprintf("%.*s…(%zu chars)", n > 8 && secret[2] == '-' ? 3 : 0, secret, n);
}

static char *mask_header(const char *h, const char *const *secrets)
{
	for (size_t i = 0; secrets && secrets[i]; i++) {
		const char *s = secrets[i];
		const char *at;
		if (!*s || !(at = strstr(h, s)))
			continue;
		char *m = http_mask_secret(s);
		char *out = xasprintf("%.*s%s%s", (int)(at - h), h, m, at + strlen(s));
		free(m);
		/* The masked text may hold another secret: mask again. */
		char *again = mask_header(out, secrets);
		free(out);
		return again;
	}
	return xstrdup(h);
}

static uint64_t rnd(struct http_client *c)
{
	uint64_t x = c->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return c->rng = x;
}

int http_client_new(const struct http_opts *opts, struct http_client **out, struct cl_err *err)
{
	struct http_client *c;
	*out = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return cl_err_set(err, CL_EIO, "libcurl failed to initialise");
	c = xcalloc(1, sizeof *c);
	if (opts)
		c->opts = *opts;
	else
		c->opts.max_retries = c->opts.max_retries_5xx = -1;
	if (c->opts.concurrency <= 0)
		c->opts.concurrency = 8;
	if (c->opts.max_retries < 0)
		c->opts.max_retries = 4;
	if (c->opts.max_retries_5xx < 0)
		c->opts.max_retries_5xx = 2;
	if (c->opts.timeout_ms <= 0)
		c->opts.timeout_ms = 120000;
	if (c->opts.connect_timeout_ms <= 0)
		c->opts.connect_timeout_ms = 10000;
	if (c->opts.idle_timeout_s <= 0)
		c->opts.idle_timeout_s = 30;
	if (c->opts.retry_base_ms <= 0)
		c->opts.retry_base_ms = 500;
	if (c->opts.retry_max_ms <= 0)
		c->opts.retry_max_ms = 60000;
	c->rng = c->opts.seed ? c->opts.seed : (cl_now_ns() ^ ((uint64_t)getpid() << 32)) | 1;
	c->multi = curl_multi_init();
	if (!c->multi) {
		free(c);
		curl_global_cleanup();
		return cl_err_set(err, CL_EIO, "libcurl: cannot create a multi handle");
	}
	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c->opts.concurrency);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->opts.concurrency + 4);
	*out = c;
	return 0;
}

static void xfer_free(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hdrs);
	free(x->url);
	free(x->body);
	for (size_t i = 0; i < x->nlog_headers; i++)
		free(x->log_headers[i]);
	free(x->log_headers);
	sbuf_free(&x->errbody);
	free(x);
}

static void detach(struct http_client *c, struct xfer *x)
{
	for (size_t i = 0; i < c->nx; i++) {
		if (c->x[i] == x) {
			memmove(c->x + i, c->x + i + 1, (c->nx - i - 1) * sizeof *c->x);
			c->nx--;
			break;
		}
	}
	if (x->state == X_ACTIVE) {
		curl_multi_remove_handle(c->multi, x->easy);
		c->active--;
	}
}

/* Finish x: take it out, report, free. */
static void finish(struct http_client *c, struct xfer *x, struct http_result *res)
{
	detach(c, x);
	res->attempts = x->attempt;
	res->latency_ms = (double)(cl_now_ns() - x->t0_ns) / 1e6;
	logf_(c, "http #%d: %s after %d attempt(s), %.0f ms%s%s", x->id,
	      res->cancelled ? "cancelled" : res->ok ? "done" : "failed", res->attempts,
	      res->latency_ms, res->error ? ": " : "", res->error ? res->error : "");
	if (x->cb.on_done)
		x->cb.on_done(x->ud, res);
	xfer_free(x);
}

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
	struct xfer *x = ud;
	size_t n = sz * nm;
	if (!x->status)
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->status >= 200 && x->status < 300) {
		if (x->cb.on_data)
			x->cb.on_data(x->ud, p, n);
	} else if (x->errbody.len < 65536) {
		sbuf_add(&x->errbody, p, n);
	}
	return n;
}

int http_submit(struct http_client *c, const struct http_spec *spec,
                const struct http_callbacks *cb, void *ud)
{
	struct xfer *x = xcalloc(1, sizeof *x);
	x->c = c;
	x->id = ++c->next_id;
	x->state = X_QUEUED;
	x->url = xstrdup(spec->url);
	x->body = spec->body ? xstrdup(spec->body) : NULL;
	if (cb)
		x->cb = *cb;
	x->ud = ud;
	x->log_headers = xcalloc(spec->nheaders + 1, sizeof *x->log_headers);
	for (size_t i = 0; i < spec->nheaders; i++) {
		x->hdrs = curl_slist_append(x->hdrs, spec->headers[i]);
		if (c->opts.log)
			x->log_headers[x->nlog_headers++] = mask_header(spec->headers[i], spec->secrets);
	}
	/* No "Expect: 100-continue" round trip on larger bodies. */
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	if (!x->hdrs)
		cl_fatal("out of memory (curl header list)");
	x->easy = curl_easy_init();
	if (!x->easy)
		cl_fatal("libcurl: cannot create a handle");
	CURL *e = x->easy;
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	if (x->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(x->body));
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->opts.timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->opts.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->opts.idle_timeout_s);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "copylab/0.1");
	/* A local model server is never reached through a proxy, unless the
	 * user's own no_proxy says otherwise. */
	if (!getenv("no_proxy") && !getenv("NO_PROXY"))
		curl_easy_setopt(e, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	if (c->nx == c->capx) {
		c->capx = c->capx ? c->capx * 2 : 16;
		c->x = xreallocarray(c->x, c->capx, sizeof *c->x);
	}
	c->x[c->nx++] = x;
	return x->id;
}

static int start(struct http_client *c, struct xfer *x)
{
	x->status = 0;
	x->errbuf[0] = '\0';
	sbuf_reset(&x->errbody);
	x->ta_ns = cl_now_ns();
	if (!x->attempt)
		x->t0_ns = x->ta_ns;
	x->attempt++;
	if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK)
		return -1;
	x->state = X_ACTIVE;
	c->active++;
	if (c->active > c->peak)
		c->peak = c->active;
	if (c->opts.log) {
		logf_(c, "http #%d: %s %s (attempt %d)", x->id, x->body ? "POST" : "GET", x->url, x->attempt);
		for (size_t i = 0; i < x->nlog_headers; i++)
			logf_(c, "http #%d:   %s", x->id, x->log_headers[i]);
	}
	return 0;
}

/* Start what may start now; returns ms until the next thing becomes due
 * (-1 when nothing waits on time). */
static long start_due(struct http_client *c)
{
	uint64_t now = cl_now_ns();
	long wait = -1;
	uint64_t gap = c->opts.rpm > 0 ? (uint64_t)(60e9 / c->opts.rpm) : 0;
	/* Two passes: due retries first, then new requests in order. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->nx && c->active < c->opts.concurrency; i++) {
			struct xfer *x = c->x[i];
			if (pass == 0 ? x->state != X_WAITING : x->state != X_QUEUED)
				continue;
			if (x->state == X_WAITING && x->due_ns > now) {
				long ms = (long)((x->due_ns - now) / 1000000) + 1;
				if (wait < 0 || ms < wait)
					wait = ms;
				continue;
			}
			if (gap && c->next_start_ns > now) {
				long ms = (long)((c->next_start_ns - now) / 1000000) + 1;
				if (wait < 0 || ms < wait)
					wait = ms;
				return wait;
			}
			if (start(c, x)) {
				struct http_result res = { .transport = 1, .error = "libcurl refused the request" };
				finish(c, x, &res);
				i--;
				continue;
			}
			if (gap)
				c->next_start_ns = (c->next_start_ns > now ? c->next_start_ns : now) + gap;
		}
	}
	return wait;
}

static int retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT: case CURLE_OPERATION_TIMEDOUT: case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR: case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
	case CURLE_COULDNT_RESOLVE_HOST:
		return 1;
	default:
		return 0;
	}
}

/* A short reason from an error body: the JSON "message" when present. */
static void body_snippet(const char *body, char *out, size_t outsz)
{
	const char *m = strstr(body, "\"message\"");
	size_t n = 0;
	if (m && (m = strchr(m + 9, '"'))) {
		m++;
		while (m[n] && m[n] != '"' && n < 200)
			n++;
	} else {
		m = body;
		while (m[n] && m[n] != '\n' && n < 200)
			n++;
	}
	snprintf(out, outsz, "%.*s", (int)n, m);
}

static void completed(struct http_client *c, struct xfer *x, CURLcode rc)
{
	char why[512];
	long delay = -1;
	int retry = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (rc == CURLE_OK && x->status >= 200 && x->status < 300) {
		struct http_result res = { .status = x->status, .ok = 1 };
		finish(c, x, &res);
		return;
	}
	if (rc != CURLE_OK) {
		/* curl's error buffer is the most specific sentence; its generic
		 * text only when the buffer is empty. */
		if (rc == CURLE_OPERATION_TIMEDOUT)
			snprintf(why, sizeof why, "timed out (%s)", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		else
			snprintf(why, sizeof why, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
		retry = retryable_curl(rc) && x->attempt <= c->opts.max_retries;
	} else {
		char snip[256];
		body_snippet(sbuf_str(&x->errbody), snip, sizeof snip);
		snprintf(why, sizeof why, "HTTP %ld%s%s", x->status, snip[0] ? ": " : "", snip);
		if (x->status == 429 || x->status == 408)
			retry = x->attempt <= c->opts.max_retries;
		else if (x->status >= 500 && x->status <= 599)
			retry = x->retries_5xx < c->opts.max_retries_5xx && x->attempt <= c->opts.max_retries;
		if (retry) {
			curl_off_t ra = -1;
			if (curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra >= 0 &&
			    (x->status == 429 || x->status == 503))
				delay = (long)ra * 1000;
		}
	}
	if (!retry) {
		struct http_result res = { .status = rc == CURLE_OK ? x->status : 0,
		                           .transport = rc != CURLE_OK, .error = why,
		                           .body = rc == CURLE_OK ? sbuf_str(&x->errbody) : NULL,
		                           .body_len = x->errbody.len };
		if (x->attempt > 1)
			snprintf(why + strlen(why), sizeof why - strlen(why), " (after %d attempts)", x->attempt);
		finish(c, x, &res);
		return;
	}
	if (x->status >= 500)
		x->retries_5xx++;
	if (delay < 0) {
		long base = c->opts.retry_base_ms << (x->attempt - 1 < 16 ? x->attempt - 1 : 16);
		if (base > c->opts.retry_max_ms || base <= 0)
			base = c->opts.retry_max_ms;
		/* Full range +-50% jitter, so N clients that failed together spread out. */
		delay = base / 2 + (long)(rnd(c) % (uint64_t)(base + 1));
	}
	if (delay > c->opts.retry_max_ms)
		delay = c->opts.retry_max_ms;
	curl_multi_remove_handle(c->multi, x->easy);
	c->active--;
	x->state = X_WAITING;
	x->due_ns = cl_now_ns() + (uint64_t)delay * 1000000u;
	logf_(c, "http #%d: %s; retry %d in %ld ms", x->id, why, x->attempt, delay);
	if (x->cb.on_retry)
		x->cb.on_retry(x->ud, x->attempt, delay, why);
}

int http_poll(struct http_client *c, struct pollfd *fds, int nfds, int timeout_ms,
              struct cl_err *err)
{
	struct curl_waitfd wfd[16];
	int running = 0, numfds = 0, nready = 0;
	long wait;
	CURLMsg *msg;
	int left;

	if (nfds > 16)
		nfds = 16;
	wait = start_due(c);
	if (wait >= 0 && (timeout_ms < 0 || wait < timeout_ms))
		timeout_ms = (int)wait;
	if (timeout_ms < 0)
		timeout_ms = 1000;
	for (int i = 0; i < nfds; i++) {
		wfd[i].fd = fds[i].fd;
		wfd[i].events = (short)fds[i].events;
		wfd[i].revents = 0;
	}
	if (curl_multi_poll(c->multi, wfd, (unsigned)nfds, timeout_ms, &numfds) != CURLM_OK)
		return cl_err_set(err, CL_EIO, "libcurl: waiting on the network failed");
	for (int i = 0; i < nfds; i++) {
		fds[i].revents = wfd[i].revents;
		if (fds[i].revents)
			nready++;
	}
	c->in_perform = 1;
	CURLMcode mc = curl_multi_perform(c->multi, &running);
	c->in_perform = 0;
	if (mc != CURLM_OK)
		return cl_err_set(err, CL_EIO, "libcurl: %s", curl_multi_strerror(mc));
	while ((msg = curl_multi_info_read(c->multi, &left))) {
		struct xfer *x = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x)
			completed(c, x, msg->data.result);
	}
	start_due(c);
	return nready;
}

void http_cancel(struct http_client *c, int id)
{
	for (size_t i = 0; i < c->nx; i++) {
		if (c->x[i]->id == id) {
			struct http_result res = { .cancelled = 1, .error = "cancelled" };
			finish(c, c->x[i], &res);
			return;
		}
	}
}

void http_cancel_all(struct http_client *c)
{
	while (c->nx) {
		struct http_result res = { .cancelled = 1, .error = "cancelled" };
		finish(c, c->x[c->nx - 1], &res);
	}
}

int http_in_flight(const struct http_client *c) { return (int)c->nx; }

int http_peak_active(const struct http_client *c) { return c->peak; }

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	http_cancel_all(c);
	free(c->x);
	curl_multi_cleanup(c->multi);
	free(c);
	curl_global_cleanup();
}
