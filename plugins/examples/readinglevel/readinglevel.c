/* readinglevel.c — an example copylab plugin: a reading-level scorer tuned
 * for one audience, busy shoppers reading on a phone (US school grade 5 to 8,
 * the band mass-market e-mail aims at).
 *
 * English: Flesch-Kincaid grade = 0.39 * words/sentence
 *                                + 11.8 * syllables/word - 15.59,
 * syllables counted as vowel groups (a silent final "e" dropped).
 * Chinese: characters per sentence, aiming at 10 to 22.
 * The value is 1 inside the band and falls linearly to 0 four grades (or
 * twelve characters) outside it.
 *
 * Build: cc -fPIC -shared -I.. -o readinglevel.so readinglevel.c
 */
#include <stdio.h>
#include <string.h>

#include "copylab_plugin.h"

COPYLAB_PLUGIN("readinglevel", "1.0", "reading level for busy shoppers on a phone (grade 5-8)");

static const struct copylab_host *host;

#define GRADE_LO 5.0
#define GRADE_HI 8.0

static int is_vowel(int c)
{
	c |= 0x20;
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'';
}

static int syllables(const char *w, size_t n)
{
	int count = 0, prev = 0;
	for (size_t i = 0; i < n; i++) {
		int v = is_vowel((unsigned char)w[i]);
		if (v && !prev)
			count++;
		prev = v;
	}
	if (n > 2 && (w[n - 1] | 0x20) == 'e' && !is_vowel((unsigned char)w[n - 2]) && count > 1)
		count--;
	return count ? count : 1;
}

static double band(double x, double lo, double hi, double slope)
{
	if (x >= lo && x <= hi)
		return 1.0;
	double d = x < lo ? lo - x : x - hi;
	double v = 1.0 - d / slope;
	return v < 0 ? 0 : v;
}

static int score_en(const char *t, double *value, struct copylab_buf *detail)
{
	long words = 0, sents = 0, syl = 0;
	int in_sentence = 0;
	for (const char *p = t; *p;) {
		unsigned char c = (unsigned char)*p;
		if (is_alpha(c)) {
			const char *s = p;
			while (is_alpha((unsigned char)*p))
				p++;
			words++;
			syl += syllables(s, (size_t)(p - s));
			in_sentence = 1;
			continue;
		}
		if ((c == '.' || c == '!' || c == '?' || c == '\n') && in_sentence) {
			sents++;
			in_sentence = 0;
		}
		p++;
	}
	if (in_sentence)
		sents++;
	if (words < 3)
		return 0;   /* too short to have a reading level */
	double grade = 0.39 * (double)words / (double)sents + 11.8 * (double)syl / (double)words - 15.59;
	*value = band(grade, GRADE_LO, GRADE_HI, 4.0);
	char buf[256];
	snprintf(buf, sizeof buf, "{\"audience\":\"busy shoppers on a phone\",\"target\":\"grade 5-8\","
	         "\"grade\":%.1f,\"words\":%ld,\"sentences\":%ld,\"why\":", grade, words, sents);
	host->buf_puts(detail, buf);
	host->buf_json_string(detail, grade > GRADE_HI ? "long sentences or long words: simplify"
	                              : grade < GRADE_LO ? "very choppy: join a few sentences"
	                                                 : "right for the audience");
	host->buf_puts(detail, "}");
	return 1;
}

static int score_zh(const char *t, double *value, struct copylab_buf *detail)
{
	long chars = 0, sents = 0;
	int in_sentence = 0;
	for (const unsigned char *p = (const unsigned char *)t; *p;) {
		if (*p >= 0xe0) {     /* a 3-byte character: CJK text or punctuation */
			int stop = (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x82) ||          /* 。 */
			           (p[0] == 0xef && p[1] == 0xbc && (p[2] == 0x81 || p[2] == 0x9f)); /* ！？ */
			if (stop && in_sentence) {
				sents++;
				in_sentence = 0;
			} else if (!stop) {
				chars++;
				in_sentence = 1;
			}
			p += 3;
			continue;
		}
		if (*p == '\n' && in_sentence) {
			sents++;
			in_sentence = 0;
		}
		p++;
	}
	if (in_sentence)
		sents++;
	if (chars < 4)
		return 0;
	double per = (double)chars / (double)sents;
	*value = band(per, 10, 22, 12);
	char buf[256];
	snprintf(buf, sizeof buf, "{\"audience\":\"busy shoppers on a phone\",\"target\":\"10-22 "
	         "characters a sentence\",\"chars_per_sentence\":%.1f,\"sentences\":%ld}", per, sents);
	host->buf_puts(detail, buf);
	return 1;
}

static int reading_level(void *data, const struct copylab_score_input *in, double *value,
                         struct copylab_buf *detail)
{
	(void)data;
	if (!in->text || !*in->text)
		return 0;
	if (in->lang && strcmp(in->lang, "zh") == 0)
		return score_zh(in->text, value, detail);
	return score_en(in->text, value, detail);
}

int copylab_plugin_init(const struct copylab_host *h, int abi_version)
{
	static const struct copylab_scorer s = {
		.name = "reading_level",
		.summary = "reading level for busy shoppers on a phone (grade 5-8)",
		.weight = 1.0,
		.score = reading_level,
	};
	if (abi_version != COPYLAB_PLUGIN_ABI_VERSION)
		return -1;
	host = h;
	return h->register_scorer(h->ctx, &s);
}
