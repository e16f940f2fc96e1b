/* offline_provider.c — the "offline" provider type: wraps the offline
 * composer (core/offline.h) in the provider vtable. No network, no key,
 * deterministic for a seed; labelled "offline" wherever it is shown. */
#include "core/provider.h"
#include "core/offline.h"

#include <stdlib.h>
#include <string.h>

static void off_priv_free(void *priv) { offline_phrasebook_free(priv); }

static int off_complete(struct provider *p, const struct provider_req *req,
                        struct provider_result *res, struct cl_err *err)
{
	struct offline_req o;
	char *json = NULL;
	if (!p->priv) {
		struct offline_phrasebook *pb = NULL;
		if (offline_phrasebook_load(NULL, &pb, err))
			return cl_err_prefix(err, "offline provider");
		p->priv = pb;
	}
	memset(&o, 0, sizeof o);
	o.language = req->language;
	o.channel = req->channel;
	o.tone = req->tone;
	o.fields = req->fields;
	o.nfields = req->nfields;
	o.bind = req->bind;
	o.prompt = req->user;
	o.seed = req->seed >= 0 ? (uint64_t)req->seed : 1;
	o.variant = req->variant;
	o.mutation = req->mutation ? offline_mutation_parse(req->mutation) : OFFLINE_MUT_NONE;
	if (req->mutation && *req->mutation && o.mutation == OFFLINE_MUT_NONE)
		return cl_err_set(err, CL_EINVAL, "offline provider: unknown mutation '%s'", req->mutation);
	o.parent_json = req->parent_json;
	o.feedback = req->feedback;
	o.pb = p->priv;
	if (offline_compose(&o, &json, err)) {
		/* A composition that fails is a failed variant, not a failed run. */
		res->error = xstrdup(err->msg[0] ? err->msg : "offline composer failed");
		cl_err_clear(err);
		res->text = xstrdup("");
		return 0;
	}
	res->text = json;
	res->model = xstrdup("offline");
	res->finish_reason = xstrdup("stop");
	res->tokens_in = (long)offline_token_estimate(req->user ? req->user : "") +
	                 (long)offline_token_estimate(req->system ? req->system : "");
	res->tokens_out = (long)offline_token_estimate(json);
	return 0;
}

const struct provider_type provider_offline = {
	.name = "offline",
	.summary = "built-in offline generator (no network, deterministic)",
	.default_model = "offline",
	.local = 1,
	.complete = off_complete,
	.priv_free = off_priv_free,
};
