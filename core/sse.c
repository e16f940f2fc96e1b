/* sse.c — incremental text/event-stream decoder (WHATWG "event stream
 * interpretation"), buffering bytes until a whole line is present, so split
 * reads never cut a field or a UTF-8 sequence. */
#include "core/sse.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

struct sse_decoder {
	sse_event_fn fn;
	void        *ud;
	struct sbuf  line;       /* the current, unfinished line */
	struct sbuf  data;       /* data lines of the pending event */
	struct sbuf  event;      /* event type of the pending event */
	struct sbuf  id;         /* last event id */
	int          have_data;  /* a data: field was seen for the pending event */
	int          after_cr;   /* last byte ended a line with CR: skip one LF */
	int          started;    /* past the optional BOM */
};

struct sse_decoder *sse_decoder_new(sse_event_fn fn, void *ud)
{
	struct sse_decoder *d = xcalloc(1, sizeof *d);
	d->fn = fn;
	d->ud = ud;
	return d;
}

void sse_decoder_reset(struct sse_decoder *d)
{
	sbuf_reset(&d->line);
	sbuf_reset(&d->data);
	sbuf_reset(&d->event);
	sbuf_reset(&d->id);
	d->have_data = d->after_cr = d->started = 0;
}

void sse_decoder_free(struct sse_decoder *d)
{
	if (!d)
		return;
	sbuf_free(&d->line);
	sbuf_free(&d->data);
	sbuf_free(&d->event);
	sbuf_free(&d->id);
	free(d);
}

static int dispatch(struct sse_decoder *d)
{
	int rc = 0;
	if (d->have_data) {
		struct sse_event ev;
		/* The spec drops the one trailing LF added after the last data line. */
		if (d->data.len && d->data.buf[d->data.len - 1] == '\n')
			d->data.buf[--d->data.len] = '\0';
		ev.event = d->event.len ? sbuf_str(&d->event) : "message";
		ev.data = sbuf_str(&d->data);
		ev.data_len = d->data.len;
		ev.id = sbuf_str(&d->id);
		rc = d->fn(d->ud, &ev);
	}
	sbuf_reset(&d->data);
	sbuf_reset(&d->event);
	d->have_data = 0;
	return rc;
}

/* Handle one complete line (without its terminator). */
static int process_line(struct sse_decoder *d, const char *s, size_t n)
{
	const char *colon, *val;
	size_t flen, vlen;
	if (n == 0)
		return dispatch(d);
	if (s[0] == ':')
		return 0;                       /* comment */
	colon = memchr(s, ':', n);
	if (colon) {
		flen = (size_t)(colon - s);
		val = colon + 1;
		vlen = n - flen - 1;
		if (vlen && *val == ' ')
			val++, vlen--;
	} else {
		flen = n;
		val = "";
		vlen = 0;
	}
	if (flen == 4 && memcmp(s, "data", 4) == 0) {
		sbuf_add(&d->data, val, vlen);
		sbuf_addc(&d->data, '\n');
		d->have_data = 1;
	} else if (flen == 5 && memcmp(s, "event", 5) == 0) {
		sbuf_reset(&d->event);
		sbuf_add(&d->event, val, vlen);
	} else if (flen == 2 && memcmp(s, "id", 2) == 0) {
		if (!memchr(val, '\0', vlen)) {
			sbuf_reset(&d->id);
			sbuf_add(&d->id, val, vlen);
		}
	}
	/* "retry" and unknown fields are ignored. */
	return 0;
}

int sse_feed(struct sse_decoder *d, const char *data, size_t n)
{
	size_t i = 0, start;
	int rc;
	if (n == 0)
		return 0;
	if (!d->started) {
		/* Strip a UTF-8 BOM, even one split across reads. */
		static const char bom[] = "\xEF\xBB\xBF";
		while (i < n && d->line.len + i < 3 && data[i] == bom[d->line.len + i])
			i++;
		if (d->line.len + i < 3 && i == n) {
			sbuf_add(&d->line, data, n);    /* still maybe a BOM */
			return 0;
		}
		if (d->line.len + i == 3) {
			sbuf_reset(&d->line);
		} else {
			i = 0;                          /* not a BOM: keep what we held */
		}
		d->started = 1;
	}
	if (d->after_cr && i < n && data[i] == '\n')
		i++;
	d->after_cr = 0;
	start = i;
	for (; i < n; i++) {
		char c = data[i];
		if (c != '\n' && c != '\r')
			continue;
		if (d->line.len) {
			sbuf_add(&d->line, data + start, i - start);
			rc = process_line(d, d->line.buf, d->line.len);
			sbuf_reset(&d->line);
		} else {
			rc = process_line(d, data + start, i - start);
		}
		if (c == '\r') {
			if (i + 1 < n) {
				if (data[i + 1] == '\n')
					i++;
			} else {
				d->after_cr = 1;
			}
		}
		start = i + 1;
		if (rc)
			return rc;
	}
	if (start < n)
		sbuf_add(&d->line, data + start, n - start);
	return 0;
}

int sse_finish(struct sse_decoder *d)
{
	int rc = 0;
	if (d->line.len) {
		struct sbuf tmp = d->line;
		d->line = (struct sbuf)SBUF_INIT;
		rc = process_line(d, tmp.buf, tmp.len);
		sbuf_free(&tmp);
		if (rc)
			return rc;
	}
	return dispatch(d);
}
