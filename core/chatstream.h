/* chatstream.h — the reply decoder the chat API provider types share
 * (openai, anthropic): the bytes of a 2xx reply arrive as Server-Sent Events
 * or, from a server that ignores "stream", as one JSON body. The shared part
 * buffers the body, picks the mode from its first non-blank byte, feeds SSE,
 * collects text/model/finish reason/token counts and turns the end of the
 * reply into a provider_result. The type supplies what one SSE event and
 * one whole JSON reply mean.
 */
#ifndef CL_CHATSTREAM_H
#define CL_CHATSTREAM_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "core/provider.h"
#include "core/sse.h"
#include "core/util.h"

struct chat_stream {
	struct sse_decoder *sse;
	struct sbuf text;          /* the reply text so far */
	struct sbuf raw;           /* the body as received (capped at 1 MiB), for plain JSON and errors */
	char  *error;              /* the first error the reply carried, or NULL */
	char  *model;
	char  *finish;             /* finish / stop reason */
	long   tin, tout;          /* -1 when unknown */
	int    mode;               /* 0 undecided, 1 SSE, 2 plain JSON */
	int    bad;                /* data that was not JSON */
	void (*on_token)(void *ud, const char *text, size_t n);
	void  *ud;
	void (*object)(void *owner, const cJSON *j);   /* one whole plain-JSON reply */
	void  *owner;
};

/* Set cs up empty: SSE events go to event(owner, ev), a plain JSON reply to
 * object(owner, j). Release with chat_stream_clear. */
void chat_stream_init(struct chat_stream *cs, sse_event_fn event,
                      void (*object)(void *owner, const cJSON *j), void *owner);
/* Forget everything fed (the request is being retried). */
void chat_stream_reset(struct chat_stream *cs);
/* Feed reply bytes (any split); text reaches on_token through chat_stream_text. */
void chat_stream_feed(struct chat_stream *cs, const char *data, size_t n,
                      void (*on_token)(void *, const char *, size_t), void *ud);
/* The reply ended: fill res (text, tokens, model, finish reason and error),
 * moving the owned strings into it. */
void chat_stream_finish(struct chat_stream *cs, struct provider_result *res);
/* Free what cs holds (not cs itself). */
void chat_stream_clear(struct chat_stream *cs);
/* Append a piece of reply text and hand it to on_token. */
void chat_stream_text(struct chat_stream *cs, const char *s, size_t n);
/* Replace *dst with a copy of v's string when v is a non-empty string. */
void chat_stream_setstr(char **dst, const cJSON *v);
/* "HTTP <status>: <msg>" for a non-2xx reply, taking msg over (freed here);
 * msg NULL: the body's first line (at most 200 bytes) or "no message".
 * Caller frees. */
char *chat_stream_http_error(long status, char *msg, const char *body, size_t len);

#endif
