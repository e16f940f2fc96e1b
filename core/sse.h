/* sse.h — a Server-Sent Events decoder (text/event-stream) that is correct
 * whatever the byte boundaries of the reads: a line, a field or a UTF-8
 * character may be split across calls to sse_feed. Line ends may be LF, CRLF
 * or CR (a CR at the end of one read followed by LF at the start of the next
 * counts once). Comment lines (starting with ':') are skipped; several data:
 * lines join with '\n'. Interpretation of the data ([DONE], error payloads)
 * belongs to the provider. */
#ifndef CL_SSE_H
#define CL_SSE_H

#include <stddef.h>

struct sse_event {
	const char *event;     /* "message" when the stream named none */
	const char *data;      /* joined data lines, NUL-terminated */
	size_t      data_len;
	const char *id;        /* last id seen, "" if none */
};

/* Called once per complete event; the pointers live only during the call.
 * Return non-zero to stop decoding (sse_feed then returns that value). */
typedef int (*sse_event_fn)(void *ud, const struct sse_event *ev);

struct sse_decoder;

/* New decoder that delivers events to fn(ud, …); free with sse_decoder_free. */
struct sse_decoder *sse_decoder_new(sse_event_fn fn, void *ud);
/* Feed n bytes; calls fn for each event completed. Returns 0, or what fn returned. */
int sse_feed(struct sse_decoder *d, const char *data, size_t n);
/* End of stream: a last event not followed by a blank line is still delivered
 * (servers that close right after the final data line). Returns as sse_feed. */
int sse_finish(struct sse_decoder *d);
/* Forget any partial state, as if new (a retried request starts over). */
void sse_decoder_reset(struct sse_decoder *d);
void sse_decoder_free(struct sse_decoder *d);

#endif
