/* scorers_form.c — form of the copy: channel fit, readability, numbers,
 * questions, emoji. Every rule and constant is written into the detail. */
#include "core/scorers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- channel fit ---- */

enum unit { U_COLUMNS, U_SMS };

struct field_limit {
	const char *field;      /* canonical field name */
	const char *aliases;    /* other names, comma-separated, with commas around */
	enum unit unit;
	size_t ideal, hard;     /* ideal <= hard; 0 = no limit */
};

struct channel_spec {
	const char *channel;
	struct field_limit f[3];
};

/* Limits: SMS single message (GSM-7 160 septets, UCS-2 70 characters); email
 * subject ~60 columns before inboxes cut it; push title/body as lock screens
 * show them; search ads 30/90 with double-width characters counted twice (as
 * the ad platforms do); social 280 weighted (CJK counts two); landing headline. */
static const struct channel_spec specs[] = {
	{ "sms", { { "body", ",text,message,sms,copy,", U_SMS, 160, 160 } } },
	{ "email", { { "subject", ",subject_line,title,headline,", U_COLUMNS, 60, 90 },
	             { "preheader", ",preview,preview_text,", U_COLUMNS, 90, 140 },
	             { "cta", ",button,call_to_action,", U_COLUMNS, 25, 40 } } },
	{ "push", { { "title", ",headline,subject,", U_COLUMNS, 40, 50 },
	            { "body", ",text,message,copy,", U_COLUMNS, 120, 178 } } },
	{ "search-ad", { { "headline", ",title,", U_COLUMNS, 30, 30 },
	                 { "description", ",body,text,desc,", U_COLUMNS, 90, 90 } } },
	{ "social", { { "body", ",text,post,copy,caption,", U_COLUMNS, 280, 280 } } },
	{ "landing", { { "headline", ",title,", U_COLUMNS, 60, 120 },
	               { "subheadline", ",subtitle,subhead,", U_COLUMNS, 120, 200 } } },
};

static const struct channel_spec *spec_for(const char *ch)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
		if (strcmp(specs[i].channel, ch) == 0)
			return &specs[i];
	return NULL;
}

static const struct field_limit *limit_for(const struct channel_spec *sp, const char *name)
{
	char key[80];
	snprintf(key, sizeof key, ",%s,", name);
	for (int i = 0; i < 3 && sp->f[i].field; i++)
		if (strcasecmp(sp->f[i].field, name) == 0 || strcasestr(sp->f[i].aliases, key))
			return &sp->f[i];
	return NULL;
}

/* Check one field's text; returns its value and adds a detail entry. */
static double fit_field(const struct field_limit *fl, const char *field, const char *s, size_t n,
                        cJSON *arr, int *hard_out)
{
	size_t chars = 0, width = 0, septets = 0;
	int gsm = 1;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += ts_decode(s + i, n - i, &cp);
		chars++;
		width += (size_t)ts_cp_width(cp);
		int sp = ts_gsm7_septets(cp);
		if (!sp)
			gsm = 0;
		septets += (size_t)sp;
	}
	size_t len, ideal = fl->ideal, hard = fl->hard, parts = 1;
	const char *unit;
	if (fl->unit == U_SMS) {
		if (gsm) {
			len = septets, unit = "GSM-7 septets";
			ideal = hard = 160;
			parts = len <= 160 ? 1 : (len + 152) / 153;
		} else {
			len = chars, unit = "UCS-2 characters";
			ideal = hard = 70;
			parts = len <= 70 ? 1 : (len + 66) / 67;
		}
	} else
		len = width, unit = "display columns";
	double v;
	int hard_hit = 0;
	if (n == 0)
		v = 0;
	else if (len <= ideal)
		v = 1;
	else if (len <= hard)
		v = 1 - 0.4 * (double)(len - ideal) / (double)(hard - ideal);
	else {
		hard_hit = 1;
		v = 0.5 * scorer_clamp01(1 - (double)(len - hard) / (double)hard);
	}
	if (arr) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "field", field);
		cJSON_AddNumberToObject(o, "chars", (double)chars);
		cJSON_AddNumberToObject(o, "width", (double)width);
		if (fl->unit == U_SMS) {
			cJSON_AddBoolToObject(o, "gsm7", gsm);
			cJSON_AddNumberToObject(o, "septets", (double)septets);
			cJSON_AddNumberToObject(o, "sms_parts", (double)parts);
		}
		cJSON_AddNumberToObject(o, "length", (double)len);
		cJSON_AddStringToObject(o, "unit", unit);
		cJSON_AddNumberToObject(o, "ideal", (double)ideal);
		cJSON_AddNumberToObject(o, "limit", (double)hard);
		cJSON_AddBoolToObject(o, "hard_violation", hard_hit);
		if (n == 0)
			cJSON_AddStringToObject(o, "note", "empty");
		cJSON_AddNumberToObject(o, "value", scorer_round4(v));
		cJSON_AddItemToArray(arr, o);
	}
	*hard_out |= hard_hit;
	return v;
}

static int score_channel_fit(const struct scorer_type *self, const struct score_ctx *ctx,
                             double *value, cJSON **detail, struct cl_err *err)
{
	const struct channel_spec *sp = spec_for(ctx->channel);
	if (!sp)
		return 0;
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	cJSON *arr = d ? cJSON_AddArrayToObject(d, "fields") : NULL;
	double v = 1;
	int hard = 0, checked = 0;
	const cJSON *fields = ctx->in->fields;
	if (cJSON_IsObject(fields)) {
		const cJSON *f;
		cJSON_ArrayForEach(f, fields) {
			const struct field_limit *fl;
			if (!cJSON_IsString(f) || !(fl = limit_for(sp, f->string)))
				continue;
			double x = fit_field(fl, f->string, f->valuestring, strlen(f->valuestring), arr, &hard);
			v = x < v ? x : v;
			checked++;
		}
	}
	if (!checked) {
		/* Plain text: the first line is the channel's first field; for two-part
		 * channels the rest is the second field, otherwise everything is the one field. */
		const char *s = ctx->text;
		size_t n = ctx->len;
		const char *nl = memchr(s, '\n', n);
		if (sp->f[1].field && nl && strcmp(sp->channel, "email") != 0) {
			double a = fit_field(&sp->f[0], sp->f[0].field, s, (size_t)(nl - s), arr, &hard);
			const char *r = nl + 1;
			double b = fit_field(&sp->f[1], sp->f[1].field, r, n - (size_t)(r - s), arr, &hard);
			v = a < b ? a : b;
		} else if (nl && strcmp(sp->channel, "email") == 0) {
			v = fit_field(&sp->f[0], sp->f[0].field, s, (size_t)(nl - s), arr, &hard);
		} else
			v = fit_field(&sp->f[0], sp->f[0].field, s, n, arr, &hard);
	}
	if (d) {
		cJSON_AddStringToObject(d, "channel", sp->channel);
		cJSON_AddBoolToObject(d, "hard_violation", hard);
		cJSON_AddStringToObject(d, "rule", "1 within the ideal; down to 0.6 at the limit; "
		                        "past the limit 0.5*(1-over/limit) and a hard violation; the worst field counts");
	}
	*value = v;
	*detail = d;
	return 1;
}

const struct scorer_type scorer_channel_fit = {
	"channel_fit", "length against the channel's limits (characters, display width, GSM-7)",
	2.0, score_channel_fit, NULL,
};

/* ---- readability ---- */

static int score_readability(const struct scorer_type *self, const struct score_ctx *ctx,
                             double *value, cJSON **detail, struct cl_err *err)
{
	const struct text_stats *ts = ctx->ts;
	cJSON *d = ctx->want_detail ? cJSON_CreateObject() : NULL;
	size_t sent = ts->sentences ? ts->sentences : 1;
	if (strcmp(ctx->lang, "zh") == 0) {
		if (!ts->han) {
			cJSON_Delete(d);
			return 0;
		}
		size_t common = 0;
		for (size_t i = 0; i < ts->ntok; i++) {
			const struct ts_token *t = &ts->tok[i];
			if (t->kind != TS_HAN)
				continue;
			const char *p = ts->norm + t->norm;
			for (size_t k = 0; k < t->nlen;) {
				uint32_t cp;
				k += ts_decode(p + k, t->nlen - k, &cp);
				common += (size_t)lex_common_han(ctx->lex, cp);
			}
		}
		double avg = (double)ts->han / (double)sent;
		double s_len = scorer_clamp01((45.0 - avg) / 30.0);
		double share = (double)common / (double)ts->han;
		double s_freq = scorer_clamp01((share - 0.5) / 0.4);
		*value = 0.5 * s_len + 0.5 * s_freq;
		if (d) {
			cJSON_AddStringToObject(d, "method", "Chinese: sentence length and character frequency");
			cJSON_AddNumberToObject(d, "sentences", (double)ts->sentences);
			cJSON_AddNumberToObject(d, "han_chars", (double)ts->han);
			cJSON_AddNumberToObject(d, "avg_sentence_chars", scorer_round4(avg));
			cJSON_AddNumberToObject(d, "common_char_share", scorer_round4(share));
			cJSON_AddNumberToObject(d, "common_list_size", (double)lex_common_count(ctx->lex));
			cJSON_AddNumberToObject(d, "length_part", scorer_round4(s_len));
			cJSON_AddNumberToObject(d, "frequency_part", scorer_round4(s_freq));
			cJSON_AddStringToObject(d, "rule", "0.5*clamp((45-avg)/30) + 0.5*clamp((share-0.5)/0.4)");
		}
	} else {
		if (!ts->words) {
			cJSON_Delete(d);
			return 0;
		}
		double wps = (double)ts->words / (double)sent;
		double spw = (double)ts->syllables / (double)ts->words;
		double fre = 206.835 - 1.015 * wps - 84.6 * spw;
		*value = scorer_clamp01(fre / 100.0);
		if (d) {
			cJSON_AddStringToObject(d, "method", "Flesch reading ease");
			cJSON_AddNumberToObject(d, "flesch", scorer_round4(fre));
			cJSON_AddNumberToObject(d, "words", (double)ts->words);
			cJSON_AddNumberToObject(d, "sentences", (double)ts->sentences);
			cJSON_AddNumberToObject(d, "syllables", (double)ts->syllables);
			cJSON_AddStringToObject(d, "rule", "206.835 - 1.015*words/sentences - 84.6*syllables/words, "
			                        "value = clamp(flesch/100)");
		}
	}
	*detail = d;
	return 1;
}

const struct scorer_type scorer_readability = {
	"readability", "Flesch reading ease (English); sentence length and character frequency (Chinese)",
	1.0, score_readability, NULL,
};

/* ---- numbers, questions, emoji ---- */

static int score_numbers(const struct scorer_type *self, const struct score_ctx *ctx,
                         double *value, cJSON **detail, struct cl_err *err)
{
	const struct text_stats *ts = ctx->ts;
	*value = ts->numbers ? 1.0 : 0.5;
	if (ctx->want_detail) {
		cJSON *d = cJSON_CreateObject();
		cJSON *a = cJSON_AddArrayToObject(d, "numbers");
		for (size_t i = 0, k = 0; i < ts->ntok && k < 10; i++)
			if (ts->tok[i].kind == TS_NUM) {
				char buf[64];
				size_t l = ts->tok[i].len < 63 ? ts->tok[i].len : 63;
				memcpy(buf, ctx->text + ts->tok[i].byte, l);
				buf[l] = '\0';
				cJSON_AddItemToArray(a, cJSON_CreateString(buf));
				k++;
			}
		cJSON_AddNumberToObject(d, "count", (double)ts->numbers);
		cJSON_AddStringToObject(d, "rule", "a concrete number: 1; none: 0.5");
		*detail = d;
	}
	return 1;
}

const struct scorer_type scorer_numbers = {
	"numbers", "concrete numbers (prices, percentages, counts)", 0.5, score_numbers, NULL,
};

static int score_question(const struct scorer_type *self, const struct score_ctx *ctx,
                          double *value, cJSON **detail, struct cl_err *err)
{
	size_t q = ctx->ts->questions;
	*value = q == 0 ? 0.6 : q == 1 ? 1.0 : 0.7;
	if (ctx->want_detail) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "questions", (double)q);
		cJSON_AddStringToObject(d, "rule", "none: 0.6; one question: 1; more: 0.7");
		*detail = d;
	}
	return 1;
}

const struct scorer_type scorer_question = {
	"question", "a question that engages the reader", 0.25, score_question, NULL,
};

static int score_emoji(const struct scorer_type *self, const struct score_ctx *ctx,
                       double *value, cJSON **detail, struct cl_err *err)
{
	size_t e = ctx->ts->emoji;
	const char *rule;
	if (strcmp(ctx->channel, "search-ad") == 0) {
		*value = e ? 0 : 1;
		rule = "search ads refuse emoji: none 1, any 0";
	} else if (strcmp(ctx->channel, "sms") == 0) {
		*value = e ? 0.5 : 1;
		rule = "SMS: an emoji forces UCS-2 (70 characters): none 1, any 0.5";
	} else if (strcmp(ctx->channel, "landing") == 0) {
		*value = e == 0 ? 1 : e <= 1 ? 0.8 : 0.5;
		rule = "landing: none 1, one 0.8, more 0.5";
	} else {
		*value = e == 0 ? 0.8 : e <= 2 ? 1 : 0.5;
		rule = "none 0.8, one or two 1, three or more 0.5";
	}
	if (ctx->want_detail) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "emoji", (double)e);
		cJSON_AddStringToObject(d, "rule", rule);
		*detail = d;
	}
	return 1;
}

const struct scorer_type scorer_emoji = {
	"emoji", "emoji count for the channel", 0.25, score_emoji, NULL,
};
