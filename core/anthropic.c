/* anthropic.c — the "anthropic" provider type: the Messages API, streamed
 * (message_start / content_block_delta / message_delta / message_stop /
 * ping / error events) or as one JSON body. */
#include "core/chatstream.h"

#include <stdlib.h>
#include <string.h>

struct an_dec {
	struct chat_stream cs;   /* the shared decoder */
};

static char *an_error_text(const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *type, *msg;
	if (cJSON_IsObject(e))
		j = e;
	type = cJSON_GetObjectItemCaseSensitive(j, "type");
	msg = cJSON_GetObjectItemCaseSensitive(j, "message");
	return xasprintf("%s%s%s", cJSON_IsString(type) ? type->valuestring : "error",
	                 cJSON_IsString(msg) ? ": " : "", cJSON_IsString(msg) ? msg->valuestring : "");
}

static void an_usage(struct an_dec *d, const cJSON *u)
{
	const cJSON *v;
	if (!cJSON_IsObject(u))
		return;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(u, "input_tokens")))
		d->cs.tin = (long)v->valuedouble;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(u, "output_tokens")))
		d->cs.tout = (long)v->valuedouble;
}

static void an_text(struct an_dec *d, const char *s)
{
	chat_stream_text(&d->cs, s, strlen(s));
}

/* One parsed object: a stream event's data, or the whole non-streamed message. */
static void an_object(struct an_dec *d, const cJSON *j)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
	const char *t = cJSON_IsString(type) ? type->valuestring : "";
	if (strcmp(t, "error") == 0 || cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "error"))) {
		if (!d->cs.error)
			d->cs.error = an_error_text(j);
	} else if (strcmp(t, "message_start") == 0) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
		chat_stream_setstr(&d->cs.model, cJSON_GetObjectItemCaseSensitive(m, "model"));
		an_usage(d, cJSON_GetObjectItemCaseSensitive(m, "usage"));
	} else if (strcmp(t, "content_block_start") == 0) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "content_block");
		const cJSON *tx = cJSON_GetObjectItemCaseSensitive(b, "text");
		if (cJSON_IsString(tx))
			an_text(d, tx->valuestring);
	} else if (strcmp(t, "content_block_delta") == 0) {
		const cJSON *delta = cJSON_GetObjectItemCaseSensitive(j, "delta");
		const cJSON *tx = cJSON_GetObjectItemCaseSensitive(delta, "text");
		if (cJSON_IsString(tx))
			an_text(d, tx->valuestring);
	} else if (strcmp(t, "message_delta") == 0) {
		const cJSON *delta = cJSON_GetObjectItemCaseSensitive(j, "delta");
		chat_stream_setstr(&d->cs.finish, cJSON_GetObjectItemCaseSensitive(delta, "stop_reason"));
		an_usage(d, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	} else if (strcmp(t, "message") == 0) {
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(j, "content"), *b;
		chat_stream_setstr(&d->cs.model, cJSON_GetObjectItemCaseSensitive(j, "model"));
		chat_stream_setstr(&d->cs.finish, cJSON_GetObjectItemCaseSensitive(j, "stop_reason"));
		an_usage(d, cJSON_GetObjectItemCaseSensitive(j, "usage"));
		cJSON_ArrayForEach(b, content) {
			const cJSON *tx = cJSON_GetObjectItemCaseSensitive(b, "text");
			if (cJSON_IsString(tx))
				an_text(d, tx->valuestring);
		}
	}
	/* ping, content_block_stop, message_stop and unknown events: nothing to do. */
}

static void an_whole(void *owner, const cJSON *j)
{
	an_object(owner, j);
}

static int an_event(void *ud, const struct sse_event *ev)
{
	struct an_dec *d = ud;
	cJSON *j = cJSON_ParseWithLength(ev->data, ev->data_len);
	if (!j) {
		d->cs.bad++;
		return 0;
	}
	an_object(d, j);
	cJSON_Delete(j);
	return 0;
}

static void *an_decoder_new(const struct provider_req *req)
{
	struct an_dec *d = xcalloc(1, sizeof *d);
	chat_stream_init(&d->cs, an_event, an_whole, d);
	return d;
}

static void an_decoder_reset(void *p)
{
	struct an_dec *d = p;
	chat_stream_reset(&d->cs);
}

static void an_decoder_feed(void *p, const char *data, size_t n,
                            void (*on_token)(void *, const char *, size_t), void *ud)
{
	struct an_dec *d = p;
	chat_stream_feed(&d->cs, data, n, on_token, ud);
}

static void an_decoder_finish(void *p, struct provider_result *res)
{
	struct an_dec *d = p;
	chat_stream_finish(&d->cs, res);
}

static void an_decoder_free(void *p)
{
	struct an_dec *d = p;
	chat_stream_clear(&d->cs);
	free(d);
}

static char *an_error_message(long status, const char *body, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	char *msg = NULL;
	if (j) {
		msg = an_error_text(j);
		cJSON_Delete(j);
	}
	return chat_stream_http_error(status, msg, body, len);
}

static int an_build(const struct provider *p, const struct provider_req *req, const char *key,
                    struct provider_http *out, struct cl_err *err)
{
	cJSON *b = cJSON_CreateObject(), *msgs, *m;
	const char *model = req->model && *req->model ? req->model : p->model;
	size_t n;
	if (!p->base_url || !*p->base_url) {
		cJSON_Delete(b);
		return cl_err_set(err, CL_EINVAL, "no base URL configured");
	}
	n = strlen(p->base_url);
	while (n && p->base_url[n - 1] == '/')
		n--;
	/* Accept a base URL given with or without the /v1 suffix. */
	if (n >= 3 && strncmp(p->base_url + n - 3, "/v1", 3) == 0)
		out->url = xasprintf("%.*s/messages", (int)n, p->base_url);
	else
		out->url = xasprintf("%.*s/v1/messages", (int)n, p->base_url);
	cJSON_AddStringToObject(b, "model", model ? model : "");
	cJSON_AddNumberToObject(b, "max_tokens", req->max_tokens > 0 ? req->max_tokens : 1024);
	if (req->system && *req->system)
		cJSON_AddStringToObject(b, "system", req->system);
	msgs = cJSON_AddArrayToObject(b, "messages");
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddStringToObject(m, "content", req->user ? req->user : "");
	cJSON_AddItemToArray(msgs, m);
	if (req->temperature >= 0)
		cJSON_AddNumberToObject(b, "temperature", req->temperature > 1 ? 1 : req->temperature);
	if (req->top_p >= 0)
		cJSON_AddNumberToObject(b, "top_p", req->top_p);
	if (req->stream)
		cJSON_AddBoolToObject(b, "stream", 1);
	out->body = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	if (!out->body)
		cl_fatal("out of memory (request body)");
	provider_http_add_header(out, "Content-Type: application/json");
	provider_http_add_header(out, "anthropic-version: 2023-06-01");
	if (key) {
		provider_http_add_header(out, "x-api-key: %s", key);
		out->secret = xstrdup(key);
	}
	return 0;
}

const struct provider_type provider_anthropic = {
	.name = "anthropic",
	.summary = "Anthropic Messages API",
	.default_base_url = "https://api.anthropic.com",
	.default_model = "claude-3-5-haiku-latest",
	.default_key_env = "ANTHROPIC_API_KEY",
	.build = an_build,
	.decoder_new = an_decoder_new,
	.decoder_feed = an_decoder_feed,
	.decoder_reset = an_decoder_reset,
	.decoder_finish = an_decoder_finish,
	.decoder_free = an_decoder_free,
	.error_message = an_error_message,
};
