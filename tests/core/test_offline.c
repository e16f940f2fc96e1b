/* test_offline.c — the offline generator: determinism, variety, channel
 * limits, exact fields, mutation operators, token estimate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/offline.h"
#include "core/template.h"
#include "core/paths.h"
#include "core/textstat.h"

static const char *const channels[] = { "email", "sms", "push", "social", "search-ad", "landing" };
static const char *const tones[] = { "warm", "playful", "premium", "urgent", "plain", "luxury" };
static const char *const langs[] = { "en", "zh" };

static struct offline_phrasebook *pb;
static cJSON *bind;

static int setup(void **state)
{
	struct cl_err err = {0};
	if (offline_phrasebook_load(NULL, &pb, &err))
		fail_msg("phrasebook: %s", err.msg);
	bind = cJSON_Parse(
		"{\"row\":{\"table\":\"products\",\"id\":\"1\"},"
		"\"product\":{\"id\":1,\"name_en\":\"Pre-Qingming West Lake Longjing\",\"name_zh\":\"明前西湖龙井\","
		"\"category\":\"green\",\"price\":\"294.40\",\"discount_pct\":20,"
		"\"features_en\":\"Chestnut aroma; flat jade leaves; sweet finish\","
		"\"features_zh\":\"栗香浓郁；扁平翠绿；回甘清甜\","
		"\"benefits_en\":\"A calm, bright cup for slow mornings\",\"benefits_zh\":\"清亮安宁，适合慢慢的早晨\"},"
		"\"segment\":{\"name\":\"loyal\",\"profile\":\"120 customers\"},"
		"\"brand\":{\"name_en\":\"Shanlan Tea House\",\"name_zh\":\"山岚茶舍\",\"currency\":\"CNY\"},"
		"\"vars\":{}}");
	assert_non_null(bind);
	return 0;
}

static int teardown(void **state)
{
	offline_phrasebook_free(pb);
	cJSON_Delete(bind);
	return 0;
}

static char *compose(const char *lang, const char *chan, const char *tone, int variant, uint64_t seed)
{
	struct offline_req r = { .language = lang, .channel = chan, .tone = tone, .bind = bind,
	                         .seed = seed, .variant = variant, .pb = pb };
	struct cl_err err = {0};
	char *out = NULL;
	if (offline_compose(&r, &out, &err))
		fail_msg("compose %s/%s/%s/%d: %s", lang, chan, tone, variant, err.msg);
	return out;
}

static void check_limits(const char *lang, const char *chan, const char *json)
{
	cJSON *o = cJSON_Parse(json);
	assert_non_null(o);
	const cJSON *f;
	cJSON_ArrayForEach(f, o) {
		assert_true(cJSON_IsString(f));
		assert_true(strlen(f->valuestring) > 0);
		assert_true(cl_utf8_valid(f->valuestring, strlen(f->valuestring)));
		size_t lim = offline_field_limit(chan, f->string, lang);
		/* Measured as the channel-fit scorer measures. */
		struct text_stats ts;
		ts_init(&ts);
		ts_analyze(&ts, f->valuestring, strlen(f->valuestring));
		size_t len = ts.chars, width = ts.width, septets = ts.septets;
		int gsm = ts.gsm7;
		ts_free(&ts);
		if (lim && strcmp(chan, "sms") == 0) {
			if (gsm ? septets > 160 : len > 70)
				fail_msg("%s sms %s: %zu %s > %d: %s", lang, f->string, gsm ? septets : len,
				         gsm ? "septets" : "UCS-2 chars", gsm ? 160 : 70, f->valuestring);
		} else if (lim && (len > lim || width > lim)) {
			fail_msg("%s/%s field %s is %zu chars, %zu columns > %zu: %s", lang, chan, f->string,
			         len, width, lim, f->valuestring);
		}
		assert_null(strstr(f->valuestring, "{"));   /* no placeholder left */
	}
	cJSON_Delete(o);
}

static void test_determinism(void **state)
{
	for (size_t l = 0; l < 2; l++)
		for (size_t c = 0; c < 6; c++) {
			char *a = compose(langs[l], channels[c], "warm", 3, 7);
			char *b = compose(langs[l], channels[c], "warm", 3, 7);
			assert_string_equal(a, b);
			char *d = compose(langs[l], channels[c], "warm", 3, 8);
			assert_string_not_equal(a, d);   /* another seed, other copy */
			free(a);
			free(b);
			free(d);
		}
}

static void test_variety_and_limits(void **state)
{
	for (size_t l = 0; l < 2; l++)
		for (size_t c = 0; c < 6; c++)
			for (size_t t = 0; t < 6; t++) {
				char *v[10];
				for (int i = 0; i < 10; i++) {
					v[i] = compose(langs[l], channels[c], tones[t], i, 42);
					check_limits(langs[l], channels[c], v[i]);
					for (int j = 0; j < i; j++)
						if (strcmp(v[i], v[j]) == 0)
							fail_msg("%s/%s/%s: variants %d and %d are the same: %s", langs[l],
							         channels[c], tones[t], j, i, v[i]);
				}
				for (int i = 0; i < 10; i++)
					free(v[i]);
			}
}

static void test_language_and_fields(void **state)
{
	/* Chinese copy is Chinese; an SMS in Chinese keeps to 70 characters. */
	char *zh = compose("zh-CN", "sms", "plain", 0, 1);
	assert_non_null(strstr(zh, "明前西湖龙井"));
	assert_non_null(strstr(zh, "回T退订"));
	cJSON *o = cJSON_Parse(zh);
	assert_true(offline_utf8_len(cJSON_GetObjectItem(o, "text")->valuestring) <= 70);
	cJSON_Delete(o);
	free(zh);
	char *en = compose("en", "email", "plain", 0, 1);
	assert_non_null(strstr(en, "Longjing"));
	assert_null(strstr(en, "龙井"));
	free(en);

	/* Exactly the requested fields, unknown names included, in order. */
	const char *fields[] = { "headline", "tagline", "body", "hashtags", "fun_fact", "cta" };
	struct offline_req r = { .language = "en", .channel = "landing", .tone = "playful",
	                         .fields = fields, .nfields = 6, .bind = bind, .seed = 5, .pb = pb };
	struct cl_err err = {0};
	char *out;
	assert_int_equal(offline_compose(&r, &out, &err), 0);
	o = cJSON_Parse(out);
	assert_int_equal(cJSON_GetArraySize(o), 6);
	for (int i = 0; i < 6; i++) {
		const cJSON *f = cJSON_GetArrayItem(o, i);
		assert_string_equal(f->string, fields[i]);
		assert_true(strlen(f->valuestring) > 3);
	}
	assert_int_equal(cJSON_GetObjectItem(o, "hashtags")->valuestring[0], '#');
	cJSON_Delete(o);
	free(out);

	/* Prompt text only: the language and a quoted product come from the prompt. */
	const char *tf[] = { "text" };
	struct offline_req pt = { .prompt = "写一条关于「冬日暖茶礼盒」的朋友圈文案", .fields = tf,
	                          .nfields = 1, .seed = 3, .pb = pb };
	assert_int_equal(offline_compose(&pt, &out, &err), 0);
	assert_non_null(strstr(out, "冬日暖茶礼盒"));
	assert_non_null(strstr(out, "。"));
	free(out);
	pt.prompt = "Write a post about \"Winter Warmer Box\"";
	assert_int_equal(offline_compose(&pt, &out, &err), 0);
	assert_non_null(strstr(out, "Winter Warmer Box"));
	assert_null(strstr(out, "。"));
	free(out);

	/* Nothing bound at all still gives copy; the bundled phrasebook loads itself. */
	struct offline_req bare = { .language = "zh", .channel = "push", .seed = 1 };
	assert_int_equal(offline_compose(&bare, &out, &err), 0);
	o = cJSON_Parse(out);
	assert_non_null(cJSON_GetObjectItem(o, "title"));
	assert_non_null(cJSON_GetObjectItem(o, "body"));
	cJSON_Delete(o);
	free(out);
}

static char *field_of(const char *json, const char *name)
{
	cJSON *o = cJSON_Parse(json);
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, name));
	char *r = xstrdup(s ? s : "");
	cJSON_Delete(o);
	return r;
}

static size_t total_len(const char *json)
{
	cJSON *o = cJSON_Parse(json);
	const cJSON *f;
	size_t n = 0;
	cJSON_ArrayForEach(f, o)
		n += offline_utf8_len(f->valuestring);
	cJSON_Delete(o);
	return n;
}

static char *mutate(const char *lang, const char *chan, const char *parent, enum offline_mutation m,
                    int variant, const char *feedback, const char *new_tone)
{
	struct offline_req r = { .language = lang, .channel = chan, .tone = "warm", .bind = bind,
	                         .seed = 9, .variant = variant, .mutation = m, .parent_json = parent,
	                         .feedback = feedback, .new_tone = new_tone, .pb = pb };
	struct cl_err err = {0};
	char *out = NULL;
	if (offline_compose(&r, &out, &err))
		fail_msg("mutate %s: %s", offline_mutation_name(m), err.msg);
	check_limits(lang, chan, out);
	return out;
}

/* True if text holds any phrase of the phrasebook list lang.section. */
static int has_phrase(const char *lang, const char *section, const char *text)
{
	char *js = NULL;
	size_t len;
	struct cl_err err = {0};
	int found = 0;
	cJSON *root = NULL;
	char *p = cl_data_path("sample-data/phrasebook.json");
	if (p && cl_read_file(p, &js, &len, &err) == 0)
		root = cJSON_Parse(js);
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(cJSON_GetObjectItem(root, lang), section)) {
		char *ph = xstrdup(e->valuestring);
		char *brace = strchr(ph, '{');
		if (brace)
			*brace = 0;           /* match the part before any placeholder */
		if (strlen(ph) >= 3 && strstr(text, ph))
			found = 1;
		free(ph);
	}
	cJSON_Delete(root);
	free(js);
	free(p);
	return found;
}

static void test_mutations(void **state)
{
	for (size_t l = 0; l < 2; l++) {
		const char *lang = langs[l];
		for (size_t c = 0; c < 6; c++) {
			const char *chan = channels[c];
			for (int v = 0; v < 4; v++) {
				char *parent = compose(lang, chan, "warm", v, 11);
				/* shorten: strictly shorter in total */
				char *s = mutate(lang, chan, parent, OFFLINE_MUT_SHORTEN, v, NULL, NULL);
				if (total_len(s) >= total_len(parent))
					fail_msg("%s/%s shorten did not shorten:\n%s\n%s", lang, chan, parent, s);
				free(s);
				/* change_tone: different copy, same fields */
				s = mutate(lang, chan, parent, OFFLINE_MUT_CHANGE_TONE, v, NULL, "urgent");
				assert_string_not_equal(s, parent);
				assert_true(total_len(s) > 0);
				free(s);
				free(parent);
			}
		}
		/* Operators that add something, on an email (which has a body and a CTA field). */
		char *parent = compose(lang, "email", "plain", 2, 3);
		char *cta0 = field_of(parent, "cta");

		char *s = mutate(lang, "email", parent, OFFLINE_MUT_SHARPEN_CTA, 0, NULL, NULL);
		char *cta = field_of(s, "cta");
		assert_string_not_equal(cta, cta0);
		assert_true(has_phrase(lang, "sharp_cta", cta));
		free(cta);
		free(s);

		s = mutate(lang, "email", parent, OFFLINE_MUT_ADD_URGENCY, 0, NULL, NULL);
		char *body = field_of(s, "body"), *subject = field_of(s, "subject");
		assert_true(has_phrase(lang, "urgency", body));
		assert_true(has_phrase(lang, "urgency_prefix", subject));
		free(body);
		free(subject);
		free(s);

		s = mutate(lang, "email", parent, OFFLINE_MUT_ADD_PROOF, 0, NULL, NULL);
		body = field_of(s, "body");
		assert_true(has_phrase(lang, "proof", body));
		assert_true(total_len(s) > total_len(parent));
		free(body);
		free(s);

		s = mutate(lang, "email", parent, OFFLINE_MUT_PERSONALISE, 0, NULL, NULL);
		const char *aud = l ? "老朋友" : "our loyal regulars";
		body = field_of(s, "body");
		subject = field_of(s, "subject");
		assert_non_null(strstr(body, aud));
		assert_non_null(strstr(subject, aud));
		free(body);
		free(subject);
		free(s);

		/* Feedback alone picks the operators. */
		s = mutate(lang, "email", parent, OFFLINE_MUT_NONE, 0,
		           l ? "再紧迫一点，加点口碑" : "Make it more urgent and add some social proof", NULL);
		body = field_of(s, "body");
		assert_true(has_phrase(lang, "urgency", body));
		assert_true(has_phrase(lang, "proof", body));
		free(body);
		free(s);

		/* An SMS with no CTA field gets a sharper CTA sentence, within 70/160. */
		char *sms = compose(lang, "sms", "warm", 1, 3);
		s = mutate(lang, "sms", sms, OFFLINE_MUT_SHARPEN_CTA, 0, NULL, NULL);
		char *text = field_of(s, "text");
		assert_true(has_phrase(lang, "sharp_cta", text));
		free(text);
		free(s);
		free(sms);

		free(cta0);
		free(parent);
	}
}

/* A one-line field (subject, title, headline) is a whole line: not empty,
 * not ending in a separator or a full stop, naming the product (full or
 * short name), the brand, or a core word of the phrasebook. */
static void check_line(const char *lang, const char *what, const char *field, const char *line)
{
	static const char *const bad_end[] = { "：", "｜", "，", "、", "；", "。", ":", ",", "|", ";",
	                                       "-", " ", NULL };
	static const char *const core[2][8] = {
		{ "West Lake Longjing", "Longjing", "Shanlan", "tea", "Tea", "harvest", NULL },
		{ "明前西湖龙井", "西湖龙井", "山岚", "新茶", "好茶", "春茶", "明前", NULL },
	};
	int zh = strcmp(lang, "zh") == 0;
	size_t n = strlen(line);
	if (n == 0)
		fail_msg("%s: %s is empty", what, field);
	for (int i = 0; bad_end[i]; i++) {
		size_t bl = strlen(bad_end[i]);
		if (n >= bl && strcmp(line + n - bl, bad_end[i]) == 0 &&
		    !(bad_end[i][0] == '.' && n >= 3 && strcmp(line + n - 3, "...") == 0))
			fail_msg("%s: %s ends in '%s': %s", what, field, bad_end[i], line);
	}
	if (n && line[n - 1] == '.' && !(n >= 3 && strcmp(line + n - 3, "...") == 0))
		fail_msg("%s: %s ends in a full stop: %s", what, field, line);
	for (int i = 0; core[zh][i]; i++)
		if (strstr(line, core[zh][i]))
			return;
	fail_msg("%s: %s no longer names the product: %s", what, field, line);
}

/* Every line field of a variant passes check_line; the whole copy names the
 * brand (brand.json's required term) and makes no absolute claim. */
static void check_variant(const char *lang, const char *what, const char *json)
{
	cJSON *o = cJSON_Parse(json);
	assert_non_null(o);
	const cJSON *f;
	int brand = 0;
	cJSON_ArrayForEach(f, o) {
		const char *k = f->string, *v = f->valuestring;
		if (!strcmp(k, "subject") || !strcmp(k, "title") || !strncmp(k, "headline", 8))
			check_line(lang, what, k, v);
		if (strstr(v, strcmp(lang, "zh") == 0 ? "山岚" : "Shanlan"))
			brand = 1;
		static const char *const absolute[] = { "最", "第一", "best", "Best", "guarantee",
		                                        "Guarantee", "No.1", "#1", NULL };
		for (int i = 0; absolute[i]; i++)
			if (strstr(v, absolute[i]))
				fail_msg("%s: %s makes an absolute claim ('%s'): %s", what, k, absolute[i], v);
	}
	if (!brand)
		fail_msg("%s: the copy never names the brand: %s", what, json);
	cJSON_Delete(o);
}

/* Three rounds of every operator, as iterate runs them: each round's line
 * fields stay whole lines naming the product, the brand stays, limits hold,
 * and shorten still shortens. */
static void test_rounds_keep_product_and_brand(void **state)
{
	static const enum offline_mutation ops[] = {
		OFFLINE_MUT_SHORTEN, OFFLINE_MUT_ADD_URGENCY, OFFLINE_MUT_PERSONALISE,
		OFFLINE_MUT_SHARPEN_CTA, OFFLINE_MUT_ADD_PROOF, OFFLINE_MUT_CHANGE_TONE,
	};
	static const char *const feedback[] = {
		NULL, "更温暖一些，主题再短一点，突出明前的新鲜", "加一点紧迫感：限量、本周截止",
		"warmer, and a shorter subject", "more urgent: limited, ends this week",
	};
	char what[160];
	for (size_t l = 0; l < 2; l++)
		for (size_t c = 0; c < 6; c++)
			for (size_t t = 0; t < 5; t++)
				for (int v = 0; v < 4; v++) {
					char *cur = compose(langs[l], channels[c], tones[t], v, 5);
					snprintf(what, sizeof what, "%s/%s/%s/%d", langs[l], channels[c], tones[t], v);
					check_variant(langs[l], what, cur);
					for (int round = 0; round < 3; round++) {
						enum offline_mutation m = ops[(size_t)(v + round * 2 + (int)t) % 6];
						const char *fb = feedback[(size_t)(v + round) % 5];
						if (fb && (l == 0) != (fb[0] < 0x7f && fb[0] > 0))
							fb = NULL;   /* feedback in the copy's language */
						char *next = mutate(langs[l], channels[c], cur, m, v + round, fb, NULL);
						snprintf(what, sizeof what, "%s/%s/%s/%d round %d %s%s%s", langs[l],
						         channels[c], tones[t], v, round + 2, offline_mutation_name(m),
						         fb ? " + " : "", fb ? fb : "");
						check_variant(langs[l], what, next);
						if (m == OFFLINE_MUT_SHORTEN && !fb && total_len(next) >= total_len(cur))
							fail_msg("%s: shorten did not shorten:\n%s\n%s", what, cur, next);
						free(cur);
						cur = next;
					}
					free(cur);
				}
}

/* The demo's complaints, one by one: an urgent opener keeps the product
 * and one label; shorten keeps the product ("仅限今天｜", "本月推荐。" were
 * what was left of a subject); an SMS keeps its sender's name. */
static void test_lines_stay_whole(void **state)
{
	char *s = mutate("en", "email",
	                 "{\"subject\":\"From our team to you: West Lake Longjing\",\"body\":\"Hello.\"}",
	                 OFFLINE_MUT_ADD_URGENCY, 0, NULL, NULL);
	char *subj = field_of(s, "subject");
	const char *colon = strstr(subj, ": ");
	assert_non_null(colon);
	assert_null(strstr(colon + 1, ": "));          /* "Hurry: X", not "Hurry: From ...: X" */
	assert_non_null(strstr(subj, "West Lake Longjing"));
	free(subj);
	free(s);

	static const char *const zh_parents[] = {
		"{\"subject\":\"仅限今天｜明前西湖龙井\",\"body\":\"明前西湖龙井到了。\"}",
		"{\"subject\":\"本月推荐：明前西湖龙井\",\"body\":\"明前西湖龙井到了。\"}",
		"{\"subject\":\"注意！明前西湖龙井太好喝\",\"body\":\"明前西湖龙井到了。\"}",
		"{\"subject\":\"下一个惬意时刻：明前西湖龙井\",\"body\":\"明前西湖龙井到了。\"}",
	};
	for (size_t i = 0; i < sizeof zh_parents / sizeof zh_parents[0]; i++)
		for (int v = 0; v < 3; v++) {
			s = mutate("zh", "email", zh_parents[i], OFFLINE_MUT_SHORTEN, v, NULL, NULL);
			subj = field_of(s, "subject");
			check_line("zh", zh_parents[i], "subject", subj);
			assert_non_null(strstr(subj, "西湖龙井"));
			free(subj);
			free(s);
		}
}

static void test_mutation_errors_and_names(void **state)
{
	struct cl_err err = {0};
	char *out = NULL;
	struct offline_req r = { .language = "en", .channel = "email", .mutation = OFFLINE_MUT_SHORTEN,
	                         .pb = pb };
	assert_int_equal(offline_compose(&r, &out, &err), -1);
	assert_non_null(strstr(err.msg, "parent"));
	r.parent_json = "[1,2]";
	assert_int_equal(offline_compose(&r, &out, &err), -1);
	assert_null(out);

	for (int m = 1; m < OFFLINE_MUT_COUNT; m++)
		assert_int_equal(offline_mutation_parse(offline_mutation_name((enum offline_mutation)m)), m);
	assert_int_equal(offline_mutation_parse("personalize"), OFFLINE_MUT_PERSONALISE);
	assert_int_equal(offline_mutation_parse("add-urgency"), OFFLINE_MUT_ADD_URGENCY);
	assert_int_equal(offline_mutation_parse("explode"), OFFLINE_MUT_NONE);

	struct offline_phrasebook *bad = NULL;
	assert_int_equal(offline_phrasebook_load("/nonexistent/phrasebook.json", &bad, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/phrasebook.json"));
}

/* The brand guide's SMS sign-off and opt-out and its hashtag are used; a
 * semicolon list keeps the commas inside an item. */
static void test_brand_guide(void **state)
{
	(void)state;
	cJSON *b = cJSON_Parse(
		"{\"product\":{\"name_en\":\"Xinyang Maojian\",\"name_zh\":\"信阳毛尖\",\"price\":108.8,"
		"\"features_en\":\"fine, straight needles; from the Dabie mountains\"},"
		"\"segment\":{},\"vars\":{},"
		"\"brand\":{\"name_en\":\"Shanlan Tea House\",\"name_zh\":\"山岚茶舍\",\"currency\":\"CNY\","
		"\"channels\":{\"sms\":{\"prefix_en\":\"Shanlan Tea:\",\"prefix_zh\":\"【山岚】\","
		"\"opt_out_en\":\"Text STOP to quit\",\"opt_out_zh\":\"回TD退订\"},"
		"\"social\":{\"hashtags_en\":[\"#ShanlanTea\"],\"hashtags_zh\":[\"#山岚茶舍#\"]}}}}");
	assert_non_null(b);
	struct cl_err err = {0};
	for (int v = 0; v < 6; v++) {
		const char *f[] = { "text" };
		struct offline_req r = { .language = "en", .channel = "sms", .tone = "urgent", .bind = b,
		                         .seed = 3, .variant = v, .pb = pb, .fields = f, .nfields = 1 };
		char *out = NULL;
		assert_int_equal(offline_compose(&r, &out, &err), 0);
		cJSON *o = cJSON_Parse(out);
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(o, "text"));
		assert_non_null(t);
		assert_true(strncmp(t, "Shanlan Tea: ", 13) == 0);
		assert_null(strstr(t, "Tea House"));
		assert_non_null(strstr(t, "Text STOP to quit."));
		assert_null(strstr(t, "$"));
		cJSON_Delete(o);
		free(out);
		r.language = "zh";
		assert_int_equal(offline_compose(&r, &out, &err), 0);
		o = cJSON_Parse(out);
		t = cJSON_GetStringValue(cJSON_GetObjectItem(o, "text"));
		assert_true(strncmp(t, "【山岚】", strlen("【山岚】")) == 0);
		assert_non_null(strstr(t, "回TD退订"));
		cJSON_Delete(o);
		free(out);
	}
	int saw_tag = 0, saw_feature = 0;
	for (int v = 0; v < 10; v++) {
		const char *f[] = { "post", "hashtags" };
		struct offline_req r = { .language = "en", .channel = "social", .tone = "warm", .bind = b,
		                         .seed = 1, .variant = v, .pb = pb, .fields = f, .nfields = 2 };
		char *out = NULL;
		assert_int_equal(offline_compose(&r, &out, &err), 0);
		assert_null(strstr(out, "#ShanlanTeaHouse"));
		saw_tag |= strstr(out, "#ShanlanTea") != NULL;
		saw_feature |= strstr(out, "fine, straight needles") != NULL;
		assert_null(strstr(out, "for fine."));
		assert_null(strstr(out, "fine and straight"));
		free(out);
	}
	assert_true(saw_tag);
	assert_true(saw_feature);
	cJSON_Delete(b);
}

static void test_tokens_and_limits(void **state)
{
	assert_int_equal(offline_token_estimate(""), 0);
	assert_int_equal(offline_token_estimate("hello world!"), 3);
	assert_int_equal(offline_token_estimate("你好世界"), 4);
	assert_int_equal(offline_token_estimate("a"), 1);
	assert_int_equal(offline_field_limit("sms", "text", "zh"), 70);
	assert_int_equal(offline_field_limit("sms", "text", "en"), 160);
	assert_int_equal(offline_field_limit("email", "subject", "en"), 60);
	assert_int_equal(offline_field_limit("push", "title", "zh"), 40);
	assert_int_equal(offline_field_limit("search-ad", "headline", "en"), 30);
	assert_int_equal(offline_field_limit("search-ad", "description", "en"), 90);
	assert_int_equal(offline_field_limit("social", "text", "en"), 280);
	assert_int_equal(offline_field_limit("email", "body", "en"), 0);
	assert_int_equal(offline_utf8_len("龙井 tea"), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_variety_and_limits),
		cmocka_unit_test(test_language_and_fields),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_rounds_keep_product_and_brand),
		cmocka_unit_test(test_lines_stay_whole),
		cmocka_unit_test(test_mutation_errors_and_names),
		cmocka_unit_test(test_tokens_and_limits),
		cmocka_unit_test(test_brand_guide),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
