/* openai.c — the "openai" provider type: any OpenAI-compatible Chat
 * Completions endpoint (OpenAI, vLLM, llama.cpp's server, Ollama /v1, LM
 * Studio). Tolerates what docs/PROVIDERS.md lists: no delta.role, usage in
 * the last chunk or in a separate chunk with no choices, extra members,
 * streams without [DONE], int or string error codes, and a server that
 * answers a streamed request with one plain JSON body. */
#include "core/chatstream.h"

#include <stdlib.h>
#include <string.h>

struct oa_dec {
	struct chat_stream cs;    /* the shared decoder */
	int    done;              /* [DONE] seen */
};

/* "type (code): message" from the API's error object; caller frees. */
static char *oa_error_text(const cJSON *e)
{
	const cJSON *msg, *code, *type;
	struct sbuf sb = SBUF_INIT;
	if (cJSON_IsString(e))
		return xstrdup(e->valuestring);
	msg = cJSON_GetObjectItemCaseSensitive(e, "message");
	code = cJSON_GetObjectItemCaseSensitive(e, "code");
	type = cJSON_GetObjectItemCaseSensitive(e, "type");
	if (cJSON_IsString(type) && *type->valuestring)
		sbuf_adds(&sb, type->valuestring);
	if (cJSON_IsNumber(code))
		sbuf_addf(&sb, "%s%d", sb.len ? " " : "", code->valueint);
	else if (cJSON_IsString(code) && *code->valuestring &&
	         !(cJSON_IsString(type) && strcmp(type->valuestring, code->valuestring) == 0))
		sbuf_addf(&sb, "%s%s", sb.len ? " " : "", code->valuestring);
	if (cJSON_IsString(msg))
		sbuf_addf(&sb, "%s%s", sb.len ? ": " : "", msg->valuestring);
	if (!sb.len)
		sbuf_adds(&sb, "error");
	return sbuf_detach(&sb);
}

static void read_usage(struct oa_dec *d, const cJSON *j)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage"), *v;
	if (!cJSON_IsObject(u))
		return;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens")))
		d->cs.tin = (long)v->valuedouble;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(u, "completion_tokens")))
		d->cs.tout = (long)v->valuedouble;
}

/* One JSON object: a stream chunk (delta) or a whole reply (message). */
static void oa_object(struct oa_dec *d, const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *choices, *c0, *part, *content;
	if (e && !cJSON_IsNull(e)) {
		if (!d->cs.error)
			d->cs.error = oa_error_text(e);
		return;
	}
	chat_stream_setstr(&d->cs.model, cJSON_GetObjectItemCaseSensitive(j, "model"));
	read_usage(d, j);
	choices = cJSON_GetObjectItemCaseSensitive(j, "choices");
	c0 = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
	if (!c0)
		return;
	chat_stream_setstr(&d->cs.finish, cJSON_GetObjectItemCaseSensitive(c0, "finish_reason"));
	part = cJSON_GetObjectItemCaseSensitive(c0, "delta");
	if (!part)
		part = cJSON_GetObjectItemCaseSensitive(c0, "message");
	content = part ? cJSON_GetObjectItemCaseSensitive(part, "content") : NULL;
	if (!content)
		content = cJSON_GetObjectItemCaseSensitive(c0, "text");   /* legacy completions */
	if (cJSON_IsString(content))
		chat_stream_text(&d->cs, content->valuestring, strlen(content->valuestring));
}

static int oa_event(void *ud, const struct sse_event *ev)
{
	struct oa_dec *d = ud;
	cJSON *j;
	if (d->done)
		return 0;
	if (strcmp(ev->data, "[DONE]") == 0) {
		d->done = 1;
		return 0;
	}
	j = cJSON_ParseWithLength(ev->data, ev->data_len);
	if (!j) {
		d->cs.bad++;
		return 0;
	}
	if (strcmp(ev->event, "error") == 0 && !cJSON_GetObjectItemCaseSensitive(j, "error")) {
		if (!d->cs.error)
			d->cs.error = oa_error_text(j);
	} else {
		oa_object(d, j);
	}
	cJSON_Delete(j);
	return 0;
}

static void oa_whole(void *owner, const cJSON *j)
{
	oa_object(owner, j);
}

static void *oa_decoder_new(const struct provider_req *req)
{
	struct oa_dec *d = xcalloc(1, sizeof *d);
	chat_stream_init(&d->cs, oa_event, oa_whole, d);
	return d;
}

static void oa_decoder_reset(void *p)
{
	struct oa_dec *d = p;
	chat_stream_reset(&d->cs);
	d->done = 0;
}

static void oa_decoder_feed(void *p, const char *data, size_t n,
                            void (*on_token)(void *, const char *, size_t), void *ud)
{
	struct oa_dec *d = p;
	chat_stream_feed(&d->cs, data, n, on_token, ud);
}

static void oa_decoder_finish(void *p, struct provider_result *res)
{
	struct oa_dec *d = p;
	chat_stream_finish(&d->cs, res);
}

static void oa_decoder_free(void *p)
{
	struct oa_dec *d = p;
	chat_stream_clear(&d->cs);
	free(d);
}

static char *oa_error_message(long status, const char *body, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	char *msg = NULL;
	if (j) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
		if (e && !cJSON_IsNull(e))
			msg = oa_error_text(e);
		else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "message")))
			msg = oa_error_text(j);
		cJSON_Delete(j);
	}
	return chat_stream_http_error(status, msg, body, len);
}

/* max_tokens is what llama.cpp and most servers honour, but OpenAI's newer
 * (reasoning) models refuse it with a 400 naming max_completion_tokens, and
 * some refuse any temperature but the default. Switch and resend. */
static int oa_adapt(struct provider_req *req, long status, const char *body, size_t len)
{
	char *b;
	int changed = 0;
	if (status != 400 || !body)
		return 0;
	b = xstrndup(body, len);
	if (!req->use_max_completion_tokens && req->max_tokens > 0 &&
	    strstr(b, "max_tokens") && strstr(b, "max_completion_tokens")) {
		req->use_max_completion_tokens = 1;
		changed = 1;
	} else if (!req->omit_temperature && req->temperature >= 0 && strstr(b, "temperature") &&
	           (strstr(b, "Unsupported") || strstr(b, "unsupported") || strstr(b, "does not support"))) {
		req->omit_temperature = 1;
		changed = 1;
	}
	free(b);
	return changed;
}

/* base_url + path without doubling the slash; caller frees. */
static char *join_url(const char *base, const char *path)
{
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s%s", (int)n, base, path);
}

static int oa_build(const struct provider *p, const struct provider_req *req, const char *key,
                    struct provider_http *out, struct cl_err *err)
{
	cJSON *b = cJSON_CreateObject(), *msgs, *m;
	const char *model = req->model && *req->model ? req->model : p->model;
	if (!p->base_url || !*p->base_url)
		return cl_err_set(err, CL_EINVAL, "no base URL configured");
	out->url = join_url(p->base_url, "/chat/completions");
	if (model && *model)
		cJSON_AddStringToObject(b, "model", model);
	msgs = cJSON_AddArrayToObject(b, "messages");
	if (req->system && *req->system) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "role", "system");
		cJSON_AddStringToObject(m, "content", req->system);
		cJSON_AddItemToArray(msgs, m);
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddStringToObject(m, "content", req->user ? req->user : "");
	cJSON_AddItemToArray(msgs, m);
	cJSON_AddNumberToObject(b, "n", 1);
	if (req->max_tokens > 0)
		cJSON_AddNumberToObject(b, req->use_max_completion_tokens ? "max_completion_tokens"
		                                                          : "max_tokens", req->max_tokens);
	if (req->temperature >= 0 && !req->omit_temperature)
		cJSON_AddNumberToObject(b, "temperature", req->temperature);
	if (req->top_p >= 0)
		cJSON_AddNumberToObject(b, "top_p", req->top_p);
	if (req->seed >= 0)
		cJSON_AddNumberToObject(b, "seed", (double)req->seed);
	if (req->json) {
		cJSON *rf = cJSON_AddObjectToObject(b, "response_format");
		cJSON_AddStringToObject(rf, "type", "json_object");
	}
	if (req->stream) {
		cJSON_AddBoolToObject(b, "stream", 1);
		cJSON *so = cJSON_AddObjectToObject(b, "stream_options");
		cJSON_AddBoolToObject(so, "include_usage", 1);
	}
	out->body = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	if (!out->body)
		cl_fatal("out of memory (request body)");
	provider_http_add_header(out, "Content-Type: application/json");
	provider_http_add_header(out, "Accept: %s", req->stream ? "text/event-stream" : "application/json");
	if (key) {
		provider_http_add_header(out, "Authorization: Bearer %s", key);
		out->secret = xstrdup(key);
	}
	return 0;
}

const struct provider_type provider_openai = {
	.name = "openai",
	.summary = "OpenAI-compatible Chat Completions (OpenAI, vLLM, llama.cpp, Ollama, LM Studio)",
	.default_base_url = "https://api.openai.com/v1",
	.default_model = "gpt-4o-mini",
	.default_key_env = "OPENAI_API_KEY",
	.build = oa_build,
	.decoder_new = oa_decoder_new,
	.decoder_feed = oa_decoder_feed,
	.decoder_reset = oa_decoder_reset,
	.decoder_finish = oa_decoder_finish,
	.decoder_free = oa_decoder_free,
	.error_message = oa_error_message,
	.adapt = oa_adapt,
};
