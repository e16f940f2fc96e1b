/* test_score.c — text statistics, the lexicon, every heuristic scorer on
 * English and Chinese examples (values worked out by hand in the comments),
 * compliance positions, claims, composite, ranking and cl_scores storage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/claims.h"
#include "core/lexicon.h"
#include "core/score.h"
#include "core/textstat.h"

static struct scoreset *new_set(void)
{
	struct cl_err err = {0};
	struct scoreset *set = NULL;
	char *dir = xasprintf("%s/sample-data/lexicons", getenv("COPYLAB_TOP") ? getenv("COPYLAB_TOP") : ".");
	if (access(dir, F_OK) != 0) {
		free(dir);
		dir = NULL;   /* cl_data_path finds it beside the test binary */
	}
	if (scoreset_new(dir, &set, &err))
		fail_msg("scoreset_new: %s", err.msg);
	free(dir);
	return set;
}

/* Score and return the value of one scorer (-1 when it does not apply);
 * *detail (if given) receives a copy of its detail. */
static double val(struct scoreset *set, const char *text, const char *channel, const char *scorer,
                  cJSON **detail)
{
	struct cl_err err = {0};
	struct score_input in = { .text = text, .channel = channel };
	struct score_result r;
	if (score_text(set, &in, &r, &err))
		fail_msg("score_text: %s", err.msg);
	const struct score_item *it = score_result_get(&r, scorer);
	double v = it ? it->value : -1;
	if (detail)
		*detail = it && it->detail ? cJSON_Duplicate(it->detail, 1) : NULL;
	score_result_free(&r);
	return v;
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-4)

static void test_textstat(void **state)
{
	struct text_stats ts;
	ts_init(&ts);
	ts_analyze(&ts, "Hello world 世界", strlen("Hello world 世界"));
	assert_int_equal(ts.chars, 14);
	assert_int_equal(ts.width, 16);           /* two wide characters */
	assert_int_equal(ts.han, 2);
	assert_string_equal(ts.lang, "en");       /* 2*4 < 10 letters */
	assert_false(ts.gsm7);
	ts_analyze(&ts, "春季新品上市 new", strlen("春季新品上市 new"));
	assert_string_equal(ts.lang, "zh");
	/* GSM-7: € [ ] take two septets each */
	ts_analyze(&ts, "Price: €5 [now]", strlen("Price: €5 [now]"));
	assert_true(ts.gsm7);
	assert_int_equal(ts.septets, 15 + 3);
	/* emoji: a skin tone and a ZWJ family count once each; width 2 + 0 */
	const char *e = "Hi \xF0\x9F\x91\x8B\xF0\x9F\x8F\xBD \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9";
	ts_analyze(&ts, e, strlen(e));
	assert_int_equal(ts.emoji, 2);
	assert_int_equal(ts_width("\xF0\x9F\x91\x8B\xF0\x9F\x8F\xBD", 8), 2);
	/* sentences: a decimal point does not end one; 。！ do */
	ts_analyze(&ts, "Only 4.5 left. Buy now! 好。好！", strlen("Only 4.5 left. Buy now! 好。好！"));
	assert_int_equal(ts.sentences, 4);
	assert_int_equal(ts.numbers, 1);
	assert_int_equal(ts.exclaims, 2);
	/* repeated punctuation runs and caps words */
	ts_analyze(&ts, "WOW!!! Really?? ok!", strlen("WOW!!! Really?? ok!"));
	assert_int_equal(ts.repeated_punct, 2);
	assert_int_equal(ts.caps_words, 1);
	/* don’t with a curly apostrophe stays one word */
	ts_analyze(&ts, "don\xE2\x80\x99t", 7);
	assert_int_equal(ts.ntok, 1);
	assert_memory_equal(ts.norm + ts.tok[0].norm, "don't", 5);
	assert_int_equal(ts.chars, 5);
	ts_free(&ts);
	assert_int_equal(ts_syllables("make", 4), 1);
	assert_int_equal(ts_syllables("table", 5), 2);
	assert_int_equal(ts_syllables("wanted", 6), 2);
	assert_int_equal(ts_syllables("jumped", 6), 1);
	assert_int_equal(ts_syllables("comprehensive", 13), 4);
	assert_int_equal(ts_syllables("tea", 3), 1);
	assert_int_equal(ts_cp_width(0x4E00), 2);
	assert_int_equal(ts_cp_width(0x0301), 0);
	assert_int_equal(ts_cp_width('a'), 1);
	assert_int_equal(ts_gsm7_septets('`'), 0);
}

static void test_lexicon_matching(void **state)
{
	struct cl_err err = {0};
	struct lexicon *lx;
	assert_int_equal(lex_load_text("最\tabsolute\n最近\texempt\nbuy now\tcta\t1\nbuy\tcta\t0.8\n"
	                               "Limited  Time\turgency\n", "t", &lx, &err), 0);
	assert_non_null(lex_find(lx, "limited time", 12));   /* normalised */
	struct text_stats ts;
	struct lex_hits h = {0};
	ts_init(&ts);
	const char *s = "最近最火, buy now, buy. limited time";
	ts_analyze(&ts, s, strlen(s));
	lex_scan(lx, &ts, s, &h);
	/* 最近 is exempt (not reported); 最 of 最火 is; "buy now" beats "buy" */
	assert_int_equal(h.n, 4);
	assert_string_equal(h.v[0].e->term, "最");
	assert_int_equal(h.v[0].ch, 2);
	assert_string_equal(h.v[1].e->term, "buy now");
	assert_string_equal(h.v[2].e->term, "buy");
	assert_string_equal(h.v[3].e->term, "limited time");
	lex_hits_free(&h);
	ts_free(&ts);
	lex_free(lx);
	assert_int_equal(lex_load_text("x\tnonsense\n", "t.tsv", &lx, &err), -1);
	assert_non_null(strstr(err.msg, "t.tsv:1: unknown category"));
}

static void test_readability(void **state)
{
	struct scoreset *set = new_set();
	cJSON *d;
	/* 6 words, 1 sentence, 6 syllables: 206.835 - 6.09 - 84.6 = 116.145 -> 1 */
	NEAR(val(set, "The cat sat on the mat.", NULL, "readability", &d), 1.0);
	NEAR(cJSON_GetObjectItem(d, "flesch")->valuedouble, 116.145);
	cJSON_Delete(d);
	/* 7 words, 22 syllables: 206.835 - 7.105 - 265.886 = -66.156 -> 0 */
	NEAR(val(set, "Our comprehensive subscription delivers extraordinary organic refreshment.",
	         NULL, "readability", &d), 0.0);
	assert_true(fabs(cJSON_GetObjectItem(d, "flesch")->valuedouble - (-66.156)) < 0.01);
	cJSON_Delete(d);
	/* Chinese: 4 Han in 2 sentences (avg 2 -> 1), all common (share 1 -> 1) */
	NEAR(val(set, "好茶。好水。", NULL, "readability", NULL), 1.0);
	/* 48 rare characters in one sentence: length part 0, frequency part 0 */
	NEAR(val(set, "魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉魑魅魍魉",
	         NULL, "readability", NULL), 0.0);
	scoreset_free(set);
}

static void test_sentiment(void **state)
{
	struct scoreset *set = new_set();
	/* value = (s/sqrt(s^2+15) + 1)/2 */
	NEAR(val(set, "good", NULL, "sentiment", NULL), 0.7294);        /* s = 2 */
	NEAR(val(set, "not good", NULL, "sentiment", NULL), 0.3215);    /* s = 2*-0.74 */
	NEAR(val(set, "very good", NULL, "sentiment", NULL), 0.7787);   /* s = 2*1.3 */
	NEAR(val(set, "Tea.", NULL, "sentiment", NULL), 0.5);           /* nothing: neutral */
	NEAR(val(set, "很好", NULL, "sentiment", NULL), 0.7294);         /* 很好 = 2 */
	NEAR(val(set, "不好", NULL, "sentiment", NULL), 0.3215);         /* 不 + 好 */
	NEAR(val(set, "非常好", NULL, "sentiment", NULL), 0.8062);       /* 1.5*2 = 3 */
	NEAR(val(set, "糟糕", NULL, "sentiment", NULL), 0.1938);         /* -3: (-0.6124+1)/2 */
	/* a negator does not reach past a clause break */
	NEAR(val(set, "not bad. good", NULL, "sentiment", NULL),
	     (((-3 * -0.74) + 2) / sqrt(pow(-3 * -0.74 + 2, 2) + 15) + 1) / 2);
	scoreset_free(set);
}

static void test_cta_urgency_personal(void **state)
{
	struct scoreset *set = new_set();
	NEAR(val(set, "Shop now", NULL, "cta", NULL), 1.0);
	NEAR(val(set, "Learn more about tea", NULL, "cta", NULL), 0.5);
	NEAR(val(set, "Tea.", NULL, "cta", NULL), 0.0);
	NEAR(val(set, "立即购买", NULL, "cta", NULL), 1.0);
	{
		struct cl_err err = {0};
		cJSON *f = cJSON_Parse("{\"subject\":\"Tea\",\"cta\":\"Go\"}");
		struct score_input in = { .fields = f, .channel = "email" };
		struct score_result r;
		assert_int_equal(score_text(set, &in, &r, &err), 0);
		NEAR(score_result_get(&r, "cta")->value, 0.6);   /* a cta field without a known verb */
		score_result_free(&r);
		cJSON_Delete(f);
	}
	NEAR(val(set, "Tea for mornings", NULL, "urgency", NULL), 0.3);
	NEAR(val(set, "Hurry, ends tonight", NULL, "urgency", NULL), 1.0);   /* two cues */
	NEAR(val(set, "限时特惠", NULL, "urgency", NULL), 0.8);
	NEAR(val(set, "Made for you", NULL, "personalisation", NULL), 0.7);
	NEAR(val(set, "Hi {{first_name}}, tea", NULL, "personalisation", NULL), 1.0);
	NEAR(val(set, "您好", NULL, "personalisation", NULL), 0.7);
	NEAR(val(set, "Tea", NULL, "personalisation", NULL), 0.2);
	NEAR(val(set, "Save 20 today", NULL, "numbers", NULL), 1.0);
	NEAR(val(set, "Save today", NULL, "numbers", NULL), 0.5);
	NEAR(val(set, "限时8折", NULL, "numbers", NULL), 1.0);
	NEAR(val(set, "春茶上新", NULL, "numbers", NULL), 0.5);
	NEAR(val(set, "春茶\xF0\x9F\x8D\xB5", "push", "emoji", NULL), 1.0);
	NEAR(val(set, "春茶\xF0\x9F\x8D\xB5", "sms", "emoji", NULL), 0.5);
	NEAR(val(set, "Thirsty?", NULL, "question", NULL), 1.0);
	NEAR(val(set, "口渴吗？", NULL, "question", NULL), 1.0);
	NEAR(val(set, "Tea", "search-ad", "emoji", NULL), 1.0);
	NEAR(val(set, "Tea \xF0\x9F\x8D\xB5", "search-ad", "emoji", NULL), 0.0);
	NEAR(val(set, "Tea \xF0\x9F\x8D\xB5", "email", "emoji", NULL), 1.0);
	scoreset_free(set);
}

static void test_channel_fit(void **state)
{
	struct scoreset *set = new_set();
	cJSON *d;
	char buf[400];
	memset(buf, 'a', 161);
	buf[161] = '\0';
	/* 161 septets > 160: hard, 0.5*(1 - 1/160) */
	NEAR(val(set, buf, "sms", "channel_fit", &d), 0.4969);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(d, "hard_violation")));
	cJSON_Delete(d);
	buf[160] = '\0';
	NEAR(val(set, buf, "sms", "channel_fit", NULL), 1.0);
	/* Chinese SMS: UCS-2, 70 characters */
	struct sbuf sb = SBUF_INIT;
	for (int i = 0; i < 70; i++)
		sbuf_adds(&sb, "好");
	NEAR(val(set, sbuf_str(&sb), "sms", "channel_fit", NULL), 1.0);
	sbuf_adds(&sb, "好");
	NEAR(val(set, sbuf_str(&sb), "sms", "channel_fit", &d), 0.4929);   /* 0.5*(1-1/70) */
	const cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "fields"), 0);
	assert_string_equal(cJSON_GetObjectItem(f0, "unit")->valuestring, "UCS-2 characters");
	assert_int_equal(cJSON_GetObjectItem(f0, "sms_parts")->valueint, 2);
	cJSON_Delete(d);
	sbuf_free(&sb);
	/* search-ad headline: 18 Chinese characters = 36 columns > 30: 0.5*(1-6/30) */
	NEAR(val(set, "春季新品上市，限时八折优惠，欢迎选购", "search-ad", "channel_fit", &d), 0.4);
	f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "fields"), 0);
	assert_int_equal(cJSON_GetObjectItem(f0, "chars")->valueint, 18);
	assert_int_equal(cJSON_GetObjectItem(f0, "width")->valueint, 36);
	cJSON_Delete(d);
	/* email subject of 75 columns: 1 - 0.4*15/30 = 0.8 */
	memset(buf, 'b', 75);
	buf[75] = '\0';
	NEAR(val(set, buf, "email", "channel_fit", NULL), 0.8);
	/* no channel: does not apply */
	NEAR(val(set, buf, NULL, "channel_fit", NULL), -1);
	/* fields: the worst field counts (description 91 > 90) */
	memset(buf, 'c', 91);
	buf[91] = '\0';
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "headline", "Tea");
	cJSON_AddStringToObject(f, "description", buf);
	struct cl_err err = {0};
	struct score_input in = { .fields = f, .channel = "search" };
	struct score_result r;
	assert_int_equal(score_text(set, &in, &r, &err), 0);
	NEAR(score_result_get(&r, "channel_fit")->value, 0.5 * (1 - 1.0 / 90));
	assert_string_equal(r.channel, "search-ad");
	score_result_free(&r);
	cJSON_Delete(f);
	in = (struct score_input){ .text = "x", .channel = "fax" };
	assert_int_equal(score_text(set, &in, &r, &err), -1);
	assert_non_null(strstr(err.msg, "unknown channel"));
	scoreset_free(set);
}

static void test_deliverability_brand(void **state)
{
	struct scoreset *set = new_set();
	/* spam 2 + 1, caps 10/18, one "!!!": 1 - 0.45 - 0.458 - 0.15 < 0 */
	NEAR(val(set, "FREE MONEY!!! Click here", NULL, "deliverability", NULL), 0.0);
	/* 8 letters (< 10, caps not counted), one "!!": 0.85 */
	NEAR(val(set, "Great tea!!", NULL, "deliverability", NULL), 0.85);
	NEAR(val(set, "Fresh spring tea for your mornings", NULL, "deliverability", NULL), 1.0);
	NEAR(val(set, "恭喜你中奖了", NULL, "deliverability", NULL), 1 - 0.15 * 3);
	/* brand: not applicable without one */
	NEAR(val(set, "tea", NULL, "brand", NULL), -1);
	struct cl_err err = {0};
	cJSON *bj = cJSON_Parse("{\"name\":\"Shanlan\",\"required_terms\":[\"Shanlan\"],"
	                        "\"banned_terms\":[\"cheap\",\"便宜\"],\"tone_words\":[\"calm\"]}");
	struct brand *b;
	assert_int_equal(brand_from_json(bj, &b, &err), 0);
	cJSON_Delete(bj);
	scoreset_set_brand(set, b);
	NEAR(val(set, "Shanlan tea: calm mornings", NULL, "brand", NULL), 1.0);
	NEAR(val(set, "cheap tea", NULL, "brand", NULL), 0.0);
	NEAR(val(set, "Shanlan tea, cheap", NULL, "brand", NULL), 0.3);
	NEAR(val(set, "Shanlan 好茶不便宜", NULL, "brand", NULL), 0.3);
	/* word boundaries: "cheapest"... is not "cheap" */
	NEAR(val(set, "Shanlan, never the cheapest", NULL, "brand", NULL), 0.6);
	cJSON *d;
	val(set, "Shanlan tea, cheap", NULL, "brand", &d);
	const cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "banned_found"), 0);
	assert_int_equal(cJSON_GetObjectItem(h, "pos")->valueint, 13);
	cJSON_Delete(d);
	scoreset_set_brand(set, NULL);
	brand_free(b);
	/* language-specific required terms */
	bj = cJSON_Parse("{\"required_terms\":[\"Shanlan\",\"山岚\"],\"required_terms_en\":[\"Shanlan\"],"
	                 "\"required_terms_zh\":[\"山岚\"]}");
	assert_int_equal(brand_from_json(bj, &b, &err), 0);
	cJSON_Delete(bj);
	scoreset_set_brand(set, b);
	NEAR(val(set, "Shanlan spring tea", NULL, "brand", NULL), 1.0);
	NEAR(val(set, "山岚春茶上新", NULL, "brand", NULL), 1.0);
	NEAR(val(set, "春茶上新", NULL, "brand", NULL), 0.4);
	scoreset_set_brand(set, NULL);
	brand_free(b);
	scoreset_free(set);
}

static void test_compliance(void **state)
{
	struct scoreset *set = new_set();
	cJSON *d;
	/* 最低价 at character 2, 第一品牌 at 6: 1 - 0.4 - 0.4 */
	NEAR(val(set, "全网最低价，第一品牌", NULL, "compliance", &d), 0.2);
	const cJSON *hits = cJSON_GetObjectItem(d, "hits");
	assert_int_equal(cJSON_GetArraySize(hits), 2);
	const cJSON *h0 = cJSON_GetArrayItem(hits, 0), *h1 = cJSON_GetArrayItem(hits, 1);
	assert_string_equal(cJSON_GetObjectItem(h0, "quote")->valuestring, "最低价");
	assert_int_equal(cJSON_GetObjectItem(h0, "pos")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(h0, "byte")->valueint, 6);
	assert_string_equal(cJSON_GetObjectItem(h1, "quote")->valuestring, "第一品牌");
	assert_int_equal(cJSON_GetObjectItem(h1, "pos")->valueint, 6);
	assert_string_equal(cJSON_GetObjectItem(h1, "kind")->valuestring, "absolute");
	cJSON_Delete(d);
	/* "The best" at 0, "guaranteed" at 14 (absolute), "cure" at 28 (health) */
	NEAR(val(set, "The best tea, guaranteed to cure colds.", NULL, "compliance", &d), 0.0);
	hits = cJSON_GetObjectItem(d, "hits");
	assert_int_equal(cJSON_GetArraySize(hits), 3);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 0), "pos")->valueint, 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 0), "quote")->valuestring, "The best");
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 1), "pos")->valueint, 14);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 2), "pos")->valueint, 28);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 2), "kind")->valuestring, "health");
	cJSON_Delete(d);
	/* exempt: 最近, 第一次 are not claims */
	NEAR(val(set, "最近上新，第一次尝试", NULL, "compliance", NULL), 1.0);
	NEAR(val(set, "100% organic, #1 in taste", NULL, "compliance", NULL), 0.2);
	NEAR(val(set, "本品可降血压", NULL, "compliance", NULL), 0.5);
	NEAR(val(set, "仅限男性", NULL, "compliance", NULL), 0.4);
	scoreset_free(set);
}

static void test_claims(void **state)
{
	cJSON *row = cJSON_Parse("{\"id\":7,\"name_en\":\"Lumi Mug\",\"name_zh\":\"鹿米杯\",\"price\":20,"
	                         "\"discount_pct\":20,\"offer_ends\":\"2026-12-15\"}");
	struct claims_product p;
	assert_int_equal(claims_product_from_json(row, &p), 0);
	cJSON *d;
	/* 30% off is not the data's 20%; $16 is the sale price */
	assert_int_equal(claims_check("Lumi Mug now 30% off, only $16!", &p, NULL, &d), 1);
	const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "claims"), 0);
	assert_string_equal(cJSON_GetObjectItem(c0, "kind")->valuestring, "discount");
	assert_string_equal(cJSON_GetObjectItem(c0, "quote")->valuestring, "30%");
	assert_int_equal(cJSON_GetObjectItem(c0, "pos")->valueint, 13);
	NEAR(cJSON_GetObjectItem(c0, "expected")->valuedouble, 20);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(c0, "backed")));
	assert_non_null(strstr(cJSON_GetObjectItem(c0, "why")->valuestring, "discount_pct 20"));
	const cJSON *c1 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "claims"), 1);
	assert_string_equal(cJSON_GetObjectItem(c1, "quote")->valuestring, "$16");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c1, "backed")));
	cJSON_Delete(d);
	/* Chinese: 8折 = 20% off (backed), 7折 = 30% (not), 八折, 半价 */
	assert_int_equal(claims_check("鹿米杯8折，只要16元", &p, NULL, &d), 0);
	cJSON_Delete(d);
	assert_int_equal(claims_check("鹿米杯7折", &p, NULL, &d), 1);
	c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "claims"), 0);
	NEAR(cJSON_GetObjectItem(c0, "claimed")->valuedouble, 30);
	cJSON_Delete(d);
	assert_int_equal(claims_check("八折优惠", &p, NULL, &d), 0);
	cJSON_Delete(d);
	assert_int_equal(claims_check("今日半价", &p, NULL, &d), 1);
	cJSON_Delete(d);
	/* prices: $25 is neither 20 nor 16; saving $4 is right */
	assert_int_equal(claims_check("Only $25", &p, NULL, &d), 1);
	cJSON_Delete(d);
	assert_int_equal(claims_check("Save $4 today", &p, NULL, &d), 0);
	cJSON_Delete(d);
	/* dates: no 30 February; past the offer's end; within it */
	assert_int_equal(claims_check("2月30日前下单", &p, NULL, &d), 1);
	cJSON_Delete(d);
	assert_int_equal(claims_check("Offer ends 2026-12-31", &p, NULL, &d), 1);
	cJSON_Delete(d);
	assert_int_equal(claims_check("Ends Dec 10", &p, NULL, &d), 0);
	cJSON_Delete(d);
	/* spend thresholds and coupons are not prices */
	assert_int_equal(claims_check("满199元立减20元", &p, NULL, &d), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "claims"), 0),
	                                        "kind")->valuestring, "threshold");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "claims"), 1),
	                                        "kind")->valuestring, "coupon");
	cJSON_Delete(d);
	assert_int_equal(claims_check("¥20 off over ¥199", &p, NULL, &d), 0);
	cJSON_Delete(d);
	/* 100% cotton is not a discount claim */
	assert_int_equal(claims_check("100% cotton sleeve", &p, NULL, &d), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d, "claims")), 0);
	cJSON_Delete(d);
	claims_product_clear(&p);
	cJSON_Delete(row);

	/* a row with list_price: price is the sale price */
	row = cJSON_Parse("{\"id\":2,\"name_en\":\"Dongting Biluochun\",\"price\":241.2,"
	                  "\"list_price\":268,\"discount_pct\":10}");
	assert_int_equal(claims_product_from_json(row, &p), 0);
	assert_int_equal(claims_check("Biluochun, 10% off: ¥241.20 (was ¥268)", &p, NULL, &d), 0);
	cJSON_Delete(d);
	assert_int_equal(claims_check("Biluochun now ¥217", &p, NULL, &d), 1);
	cJSON_Delete(d);
	claims_product_clear(&p);
	cJSON_Delete(row);

	/* the catalogue: the copy names a product; a brand product it lacks */
	cJSON *rows = cJSON_Parse("[{\"id\":1,\"name_en\":\"Lumi Mug\",\"price\":20,\"discount_pct\":0},"
	                          "{\"id\":2,\"name_en\":\"Lumi Teapot\",\"price\":60,\"discount_pct\":25}]");
	struct claims_catalog *cat = claims_catalog_from_json(rows);
	cJSON_Delete(rows);
	claims_catalog_set_brand(cat, "Lumi");
	assert_int_equal(cat->n, 2);
	assert_int_equal(claims_check("The Lumi Teapot, 25% off: $45", NULL, cat, &d), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d, "products_named")), 1);
	cJSON_Delete(d);
	assert_int_equal(claims_check("Meet the new Lumi Kettle", NULL, cat, &d), 1);
	c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "claims"), 0);
	assert_string_equal(cJSON_GetObjectItem(c0, "kind")->valuestring, "product");
	assert_string_equal(cJSON_GetObjectItem(c0, "quote")->valuestring, "Lumi Kettle");
	cJSON_Delete(d);

	/* a catalogue whose names do not carry the brand: "<Brand> <product>" is
	 * backed, "<Brand> Spring Sale" is no product claim, "<Brand> Golden Dragon
	 * Oolong" (a product word, no such product) is named */
	{
		cJSON *tea = cJSON_Parse("[{\"id\":1,\"name_en\":\"Dongting Biluochun\",\"price\":241.2},"
		                         "{\"id\":2,\"name_en\":\"Alishan High Mountain Oolong\",\"price\":300}]");
		struct claims_catalog *tc = claims_catalog_from_json(tea);
		cJSON_Delete(tea);
		claims_catalog_set_brand(tc, "Shanlan Tea House");
		assert_int_equal(claims_check("New from Shanlan Tea House Dongting Biluochun", NULL, tc, &d), 0);
		cJSON_Delete(d);
		assert_int_equal(claims_check("Shanlan Tea House Spring Sale starts now", NULL, tc, &d), 0);
		cJSON_Delete(d);
		assert_int_equal(claims_check("Try Shanlan Tea House Golden Dragon Oolong", NULL, tc, &d), 1);
		c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "claims"), 0);
		assert_string_equal(cJSON_GetObjectItem(c0, "quote")->valuestring,
		                    "Shanlan Tea House Golden Dragon Oolong");
		cJSON_Delete(d);
		claims_catalog_free(tc);
	}

	/* the scorer: bound product through the input, 1 - 0.5 per unbacked claim */
	struct scoreset *set = new_set();
	struct cl_err err = {0};
	cJSON *prod = cJSON_Parse("{\"id\":7,\"name_en\":\"Lumi Mug\",\"price\":20,\"discount_pct\":20}");
	struct score_input in = { .text = "Lumi Mug: 30% off, now $16", .product = prod };
	struct score_result r;
	assert_int_equal(score_text(set, &in, &r, &err), 0);
	NEAR(score_result_get(&r, "claims")->value, 0.5);
	score_result_free(&r);
	NEAR(val(set, "Lumi Mug 30% off", NULL, "claims", NULL), -1);   /* nothing to check against */
	scoreset_set_catalog(set, cat);
	NEAR(val(set, "Lumi Teapot 30% off", NULL, "claims", NULL), 0.5);
	scoreset_free(set);
	cJSON_Delete(prod);
	claims_catalog_free(cat);
}

static void test_composite_rank_weights(void **state)
{
	struct scoreset *set = new_set();
	struct cl_err err = {0};
	size_t n;
	const struct scorer_type *const *t = scoreset_scorers(set, &n);
	assert_true(n >= 13);
	/* weights: everything 0 but cta and emoji -> the composite is their mean */
	struct sbuf sb = SBUF_INIT;
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s=0", i ? ", " : "", t[i]->name);
	assert_int_equal(scoreset_set_weights_text(set, sbuf_str(&sb), &err), 0);
	sbuf_free(&sb);
	assert_int_equal(scoreset_set_weights_text(set, "cta=1, emoji=1", &err), 0);
	struct score_input in = { .text = "Learn more", .channel = "email" };
	struct score_result r;
	assert_int_equal(score_text(set, &in, &r, &err), 0);
	NEAR(r.composite, (0.5 + 0.8) / 2);
	cJSON *j = score_result_json(&r);
	assert_non_null(cJSON_GetObjectItem(j, "scores"));
	NEAR(cJSON_GetObjectItem(j, "composite")->valuedouble, 0.65);
	cJSON_Delete(j);
	/* the judge joins with weight 3 by default... here weight as given by the set */
	score_result_put(&r, set, "judge", 1.0, 1.0, NULL);
	assert_non_null(score_result_get(&r, "judge"));
	score_result_free(&r);
	assert_int_equal(scoreset_set_weights_text(set, "nosuch=1", &err), -1);
	assert_non_null(strstr(err.msg, "unknown scorer 'nosuch'"));
	assert_int_equal(scoreset_set_weights_text(set, "cta=abc", &err), -1);
	cJSON *w = cJSON_Parse("{\"cta\": -1}");
	assert_int_equal(scoreset_set_weights(set, w, &err), -1);
	cJSON_Delete(w);
	/* a plugin-style scorer registers like a built-in; a duplicate is refused */
	assert_int_equal(scoreset_register(set, t[0], &err), -1);
	scoreset_free(set);

	struct score_result rs[3] = { { .composite = 0.2 }, { .composite = 0.9 }, { .composite = 0.5 } };
	size_t *order = score_rank(rs, 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	free(order);
}

static void test_store_load(void **state)
{
	const char *dir = getenv("TEST_TMP");
	char *path = xasprintf("%s/score.db", dir ? dir : "/tmp");
	unlink(path);
	struct workspace *ws;
	struct cl_err err = {0};
	assert_int_equal(workspace_open(path, WS_CREATE, &ws, &err), 0);
	assert_int_equal(ws_exec(ws, "INSERT INTO cl_runs(id, provider) VALUES(1, 'offline');"
	                         "INSERT INTO cl_variants(id, run_id, idx, text) VALUES(5, 1, 0, 'x');", &err), 0);
	struct scoreset *set = new_set();
	struct score_input in = { .text = "全网最低价，立即购买！", .channel = "sms" };
	struct score_result r, back;
	assert_int_equal(score_text(set, &in, &r, &err), 0);
	assert_int_equal(score_store(ws, 5, &r, &err), 0);
	assert_int_equal(score_store(ws, 5, &r, &err), 0);   /* replaces, no duplicates */
	assert_int_equal(score_load(ws, 5, &back, &err), 0);
	assert_int_equal(back.n, r.n);
	NEAR(back.composite, r.composite);
	assert_string_equal(back.lang, "zh");
	assert_string_equal(back.channel, "sms");
	const struct score_item *c = score_result_get(&back, "compliance");
	assert_non_null(c);
	NEAR(c->value, score_result_get(&r, "compliance")->value);
	NEAR(c->weight, 2.0);
	const cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItem(c->detail, "hits"), 0);
	assert_string_equal(cJSON_GetObjectItem(h, "quote")->valuestring, "最低价");
	score_result_free(&back);
	score_result_free(&r);
	/* a plugin scorer's row reads back under its own name */
	assert_int_equal(ws_exec(ws, "INSERT INTO cl_scores(variant_id, scorer, value, detail)"
	                         " VALUES(5, 'reading_level', 0.25, '{\"grade\":9}')", &err), 0);
	assert_int_equal(score_load(ws, 5, &back, &err), 0);
	assert_non_null(score_result_get(&back, "reading_level"));
	NEAR(score_result_get(&back, "reading_level")->value, 0.25);
	score_result_free(&back);
	assert_int_equal(score_load(ws, 99, &back, &err), 0);
	assert_int_equal(back.n, 0);
	score_result_free(&back);
	scoreset_free(set);
	workspace_close(ws);
	free(path);
}

/* Random bytes, broken UTF-8, stray digits, currency and Han fragments: every
 * value stays in [0,1] and nothing reads out of bounds (ASan watches). */
static void test_random_input(void **state)
{
	static const char *const frags[] = { "$", "¥", "％", "%", "8", ".", ",", "折", "八", "半价", "月",
		"日", "2026-02-", "Dec ", "off", "save ", "满", "最", "不", "很", "!", "?", "\xE4\xB8", "\xF0\x9F",
		"\xFF", "\n", " ", "a", "Z", "'", "\xE2\x80\x99", "\xE2\x80\x8D", "#1", "100%", "Lumi " };
	struct scoreset *set = new_set();
	cJSON *prod = cJSON_Parse("{\"id\":1,\"name_en\":\"Lumi Mug\",\"price\":20,\"discount_pct\":20,"
	                          "\"offer_ends\":\"2026-12-15\"}");
	const char *chans[] = { NULL, "sms", "email", "push", "search-ad", "social", "landing" };
	uint64_t st = 12345;
	char buf[512];
	for (int it = 0; it < 3000; it++) {
		size_t n = 0;
		int parts = (int)((st >> 40) % 24);
		for (int k = 0; k < parts; k++) {
			st = st * 6364136223846793005ull + 1442695040888963407ull;
			const char *f = frags[(st >> 33) % (sizeof frags / sizeof frags[0])];
			size_t l = strlen(f);
			if (n + l >= sizeof buf)
				break;
			memcpy(buf + n, f, l);
			n += l;
		}
		if (it % 3 == 0) {   /* plain random bytes, no NUL */
			st = st * 6364136223846793005ull + 1442695040888963407ull;
			n = (size_t)((st >> 33) % 300);
			for (size_t k = 0; k < n; k++) {
				st = st * 6364136223846793005ull + 1442695040888963407ull;
				buf[k] = (char)(1 + (st >> 33) % 255);
			}
		}
		buf[n] = '\0';
		struct cl_err err = {0};
		struct score_input in = { .text = buf, .channel = chans[it % 7], .product = it % 2 ? prod : NULL };
		struct score_result r;
		assert_int_equal(score_text(set, &in, &r, &err), 0);
		assert_true(r.composite >= 0 && r.composite <= 1);
		for (size_t i = 0; i < r.n; i++)
			assert_true(r.items[i].value >= 0 && r.items[i].value <= 1);
		score_result_free(&r);
	}
	cJSON_Delete(prod);
	scoreset_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textstat),
		cmocka_unit_test(test_lexicon_matching),
		cmocka_unit_test(test_readability),
		cmocka_unit_test(test_sentiment),
		cmocka_unit_test(test_cta_urgency_personal),
		cmocka_unit_test(test_channel_fit),
		cmocka_unit_test(test_deliverability_brand),
		cmocka_unit_test(test_compliance),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_composite_rank_weights),
		cmocka_unit_test(test_store_load),
		cmocka_unit_test(test_random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
