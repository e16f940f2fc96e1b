/* chatstream.c — the reply decoder shared by the chat API provider types. */
#include "core/chatstream.h"

#include <stdlib.h>
#include <string.h>

void chat_stream_init(struct chat_stream *cs, sse_event_fn event,
                      void (*object)(void *owner, const cJSON *j), void *owner)
{
	memset(cs, 0, sizeof *cs);
	cs->sse = sse_decoder_new(event, owner);
	cs->object = object;
	cs->owner = owner;
	cs->tin = cs->tout = -1;
}

void chat_stream_reset(struct chat_stream *cs)
{
	sse_decoder_reset(cs->sse);
	sbuf_reset(&cs->text);
	sbuf_reset(&cs->raw);
	FREE(&cs->error);
	FREE(&cs->model);
	FREE(&cs->finish);
	cs->tin = cs->tout = -1;
	cs->mode = cs->bad = 0;
}

void chat_stream_feed(struct chat_stream *cs, const char *data, size_t n,
                      void (*on_token)(void *, const char *, size_t), void *ud)
{
	cs->on_token = on_token;
	cs->ud = ud;
	if (cs->raw.len < (1u << 20))
		sbuf_add(&cs->raw, data, n);
	if (cs->mode == 0) {
		size_t i = 0;
		while (i < cs->raw.len && strchr(" \t\r\n", cs->raw.buf[i]))
			i++;
		if (i == cs->raw.len)
			return;                 /* only whitespace so far */
		cs->mode = cs->raw.buf[i] == '{' ? 2 : 1;
		if (cs->mode == 1)
			sse_feed(cs->sse, cs->raw.buf, cs->raw.len);
		return;
	}
	if (cs->mode == 1)
		sse_feed(cs->sse, data, n);
}

void chat_stream_finish(struct chat_stream *cs, struct provider_result *res)
{
	if (cs->mode == 1) {
		sse_finish(cs->sse);
	} else if (cs->mode == 2) {
		cJSON *j = cJSON_ParseWithLength(cs->raw.buf, cs->raw.len);
		if (j) {
			cs->object(cs->owner, j);
			cJSON_Delete(j);
		} else {
			cs->bad++;
		}
	}
	res->text = xstrdup(sbuf_str(&cs->text));
	res->tokens_in = cs->tin;
	res->tokens_out = cs->tout;
	res->model = cs->model;
	cs->model = NULL;
	res->finish_reason = cs->finish;
	cs->finish = NULL;
	if (cs->error) {
		res->error = cs->error;
		cs->error = NULL;
	} else if (!cs->text.len && cs->bad) {
		res->error = xasprintf("the server's reply could not be read as JSON: %.200s",
		                       sbuf_str(&cs->raw));
	} else if (!cs->text.len && !cs->raw.len) {
		res->error = xstrdup("the server sent an empty reply");
	}
}

void chat_stream_clear(struct chat_stream *cs)
{
	sse_decoder_free(cs->sse);
	cs->sse = NULL;
	sbuf_free(&cs->text);
	sbuf_free(&cs->raw);
	FREE(&cs->error);
	FREE(&cs->model);
	FREE(&cs->finish);
}

void chat_stream_text(struct chat_stream *cs, const char *s, size_t n)
{
	if (!n)
		return;
	sbuf_add(&cs->text, s, n);
	if (cs->on_token)
		cs->on_token(cs->ud, s, n);
}

void chat_stream_setstr(char **dst, const cJSON *v)
{
	if (cJSON_IsString(v) && *v->valuestring) {
		free(*dst);
		*dst = xstrdup(v->valuestring);
	}
}

char *chat_stream_http_error(long status, char *msg, const char *body, size_t len)
{
	char *out;
	if (!msg) {
		size_t n = 0;
		while (n < len && n < 200 && body[n] != '\n')
			n++;
		msg = n ? xstrndup(body, n) : xstrdup("no message");
	}
	out = xasprintf("HTTP %ld: %s", status, msg);
	free(msg);
	return out;
}
