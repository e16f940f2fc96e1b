/* textstat.c — single-pass UTF-8 text statistics and tokens (see textstat.h). */
#include "core/textstat.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

void ts_init(struct text_stats *ts)
{
	memset(ts, 0, sizeof *ts);
}

void ts_free(struct text_stats *ts)
{
	free(ts->tok);
	free(ts->norm);
	free(ts->lower);
	memset(ts, 0, sizeof *ts);
}

size_t ts_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t need;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2, v = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		need = 3, v = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		need = 4, v = c & 0x07, min = 0x10000;
	else {
		*cp = 0xFFFD;
		return 1;
	}
	if (n < need) {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = v;
	return need;
}

struct range { uint32_t lo, hi; };

/* East Asian Wide and Fullwidth blocks (UAX #11, condensed), plus the emoji
 * blocks terminals draw two columns wide. */
static const struct range wide[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
	{ 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE },
	{ 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
	{ 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
	{ 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x303E },
	{ 0x3041, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
	{ 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 },
	{ 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x18AFF },
	{ 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E },
	{ 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 }, { 0x1F300, 0x1F320 }, { 0x1F32D, 0x1F335 },
	{ 0x1F337, 0x1F37C }, { 0x1F37E, 0x1F393 }, { 0x1F3A0, 0x1F3CA }, { 0x1F3CF, 0x1F3D3 },
	{ 0x1F3E0, 0x1F3F0 }, { 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E }, { 0x1F440, 0x1F440 },
	{ 0x1F442, 0x1F4FC }, { 0x1F4FF, 0x1F53D }, { 0x1F54B, 0x1F54E }, { 0x1F550, 0x1F567 },
	{ 0x1F57A, 0x1F57A }, { 0x1F595, 0x1F596 }, { 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F },
	{ 0x1F680, 0x1F6C5 }, { 0x1F6CC, 0x1F6CC }, { 0x1F6D0, 0x1F6D2 }, { 0x1F6D5, 0x1F6D7 },
	{ 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC }, { 0x1F7E0, 0x1F7EB }, { 0x1F90C, 0x1F93A },
	{ 0x1F93C, 0x1F945 }, { 0x1F947, 0x1F9FF }, { 0x1FA70, 0x1FAFF }, { 0x20000, 0x2FFFD },
	{ 0x30000, 0x3FFFD },
};

/* Zero-width: combining marks, joiners, variation selectors. */
static const struct range zero[] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x0610, 0x061A },
	{ 0x064B, 0x065F }, { 0x200B, 0x200F }, { 0x2028, 0x202E }, { 0x2060, 0x2064 },
	{ 0x20D0, 0x20FF }, { 0x302A, 0x302D }, { 0x3099, 0x309A }, { 0xFE00, 0xFE0F },
	{ 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0x1F3FB, 0x1F3FF }, { 0xE0000, 0xE01EF },
};

static int in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int ts_cp_width(uint32_t cp)
{
	if (cp < 0x300)
		return cp >= 0x20 && (cp < 0x7F || cp >= 0xA0) ? 1 : 0;
	if (in_ranges(cp, zero, sizeof zero / sizeof zero[0]))
		return 0;
	if (cp < 0x1100)
		return 1;
	return in_ranges(cp, wide, sizeof wide / sizeof wide[0]) ? 2 : 1;
}

int ts_is_han(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

int ts_is_emoji(uint32_t cp)
{
	if (cp >= 0x1F3FB && cp <= 0x1F3FF)   /* skin-tone modifiers belong to the emoji before */
		return 0;
	return (cp >= 0x1F300 && cp <= 0x1F5FF) || (cp >= 0x1F600 && cp <= 0x1F64F) ||
	       (cp >= 0x1F680 && cp <= 0x1F6FF) || (cp >= 0x1F900 && cp <= 0x1F9FF) ||
	       (cp >= 0x1FA70 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) ||
	       (cp >= 0x1F1E6 && cp <= 0x1F1FF) || cp == 0x2B50 || cp == 0x2B55 ||
	       cp == 0x231A || cp == 0x231B || (cp >= 0x23E9 && cp <= 0x23FA) ||
	       cp == 0x1F004 || cp == 0x1F0CF;
}

/* GSM 03.38 basic alphabet beyond printable ASCII, and the extension table. */
static const uint32_t gsm_basic_extra[] = {
	0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x00D8, 0x00F8,
	0x00C5, 0x00E5, 0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3,
	0x0398, 0x039E, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x00A4, 0x00A1, 0x00C4, 0x00D6,
	0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

int ts_gsm7_septets(uint32_t cp)
{
	if (cp < 0x80) {
		if (cp == '\n' || cp == '\r')
			return 1;
		if (cp < 0x20 || cp == 0x7F || cp == '`')
			return 0;
		if (strchr("^{}\\[~]|", (int)cp))
			return 2;
		return 1;
	}
	if (cp == 0x20AC || cp == 0x000C)
		return 2;
	if (cp >= 0x400)   /* the basic table's extras are all Latin-1 or Greek */
		return 0;
	for (size_t i = 0; i < sizeof gsm_basic_extra / sizeof gsm_basic_extra[0]; i++)
		if (gsm_basic_extra[i] == cp)
			return 1;
	return 0;
}

size_t ts_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; c++) {
		uint32_t cp;
		i += ts_decode(s + i, n - i, &cp);
	}
	return c;
}

size_t ts_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += ts_decode(s + i, n - i, &cp);
		w += (size_t)ts_cp_width(cp);
	}
	return w;
}

size_t ts_char_to_byte(const char *s, size_t n, size_t ch)
{
	size_t i = 0;
	while (ch-- > 0 && i < n) {
		uint32_t cp;
		i += ts_decode(s + i, n - i, &cp);
	}
	return i < n ? i : n;
}

static int is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

int ts_syllables(const char *w, size_t n)
{
	int groups = 0, prev = 0;
	size_t letters = 0;
	for (size_t i = 0; i < n; i++) {
		char c = w[i];
		if (c < 'a' || c > 'z')
			continue;
		letters++;
		int v = is_vowel(c);
		if (v && !prev)
			groups++;
		prev = v;
	}
	/* A silent final e ("make"), but not "-le" after a consonant ("table") or "-ee". */
	if (n > 2 && w[n - 1] == 'e' && !is_vowel(w[n - 2]) &&
	    !(w[n - 2] == 'l' && !is_vowel(w[n - 3])) && groups > 1)
		groups--;
	/* "-ed" is silent unless after t or d ("wanted"). */
	if (n > 3 && w[n - 2] == 'e' && w[n - 1] == 'd' && w[n - 3] != 't' && w[n - 3] != 'd' &&
	    !is_vowel(w[n - 3]) && groups > 1)
		groups--;
	if (groups < 1)
		groups = letters ? 1 : 0;
	return groups;
}

static struct ts_token *push_tok(struct text_stats *ts)
{
	if (ts->ntok == ts->captok) {
		ts->captok = ts->captok ? ts->captok * 2 : 64;
		ts->tok = xreallocarray(ts->tok, ts->captok, sizeof *ts->tok);
	}
	struct ts_token *t = &ts->tok[ts->ntok++];
	memset(t, 0, sizeof *t);
	return t;
}

static void norm_reserve(struct text_stats *ts, size_t extra)
{
	if (ts->normlen + extra + 1 > ts->normcap) {
		size_t c = ts->normcap ? ts->normcap : 256;
		while (c < ts->normlen + extra + 1)
			c *= 2;
		ts->norm = xrealloc(ts->norm, c);
		ts->normcap = c;
	}
}

static int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Characters ending a sentence; a clause break (comma...) only widens the unit gap. */
static int is_sentence_end(uint32_t cp)
{
	return cp == '.' || cp == '!' || cp == '?' || cp == '\n' || cp == 0x3002 ||
	       cp == 0xFF01 || cp == 0xFF1F || cp == 0x2026 || cp == 0xFF0E;
}

static int is_clause_break(uint32_t cp)
{
	return cp == ',' || cp == ';' || cp == ':' || cp == 0xFF0C || cp == 0x3001 ||
	       cp == 0xFF1B || cp == 0xFF1A || cp == '(' || cp == ')' || cp == '"' ||
	       cp == 0x201C || cp == 0x201D || cp == 0xFF08 || cp == 0xFF09;
}

static int is_repeat_punct(uint32_t cp)
{
	return cp == '!' || cp == '?' || cp == '$' || cp == 0xFF01 || cp == 0xFF1F;
}

void ts_analyze(struct text_stats *ts, const char *s, size_t n)
{
	ts->bytes = n;
	ts->chars = ts->width = ts->han = ts->letters = ts->upper = ts->words = 0;
	ts->caps_words = ts->numbers = ts->syllables = ts->sentences = ts->emoji = 0;
	ts->questions = ts->exclaims = ts->repeated_punct = ts->max_sentence_chars = 0;
	ts->septets = 0;
	ts->gsm7 = 1;
	ts->invalid = 0;
	ts->ntok = 0;
	ts->normlen = 0;
	if (n + 1 > ts->lowercap) {
		ts->lowercap = n + 64;
		ts->lower = xrealloc(ts->lower, ts->lowercap);
	}
	norm_reserve(ts, 2 * n + 8);

	size_t i = 0, ch = 0;
	uint32_t unit = 0, prev_cp = 0;
	size_t punct_run = 0;
	size_t sent_chars = 0, sent_content = 0;
	int after_zwj = 0;
	struct ts_token *han = NULL;   /* open Han run */

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		/* ASCII word or number token: consume it whole. */
		if (is_alpha(c) || is_digit(c) ||
		    ((c == '$' || c == '#') && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
			han = NULL;
			size_t st = i, curly = 0;
			struct ts_token *t = push_tok(ts);
			t->byte = (uint32_t)i;
			t->ch = (uint32_t)ch;
			t->unit = unit++;
			t->norm = (uint32_t)ts->normlen;
			if (is_alpha(c)) {
				size_t up = 0, nl = 0;
				while (i < n) {
					unsigned char d = (unsigned char)s[i];
					if (is_alpha(d)) {
						nl++;
						if (d <= 'Z')
							up++;
						ts->norm[ts->normlen++] = (char)(d | 0x20);
						i++;
					} else if (d == '\'' && i + 1 < n && is_alpha((unsigned char)s[i + 1]) && nl) {
						ts->norm[ts->normlen++] = '\'';
						i++;
					} else if (d == 0xE2 && i + 3 < n && (unsigned char)s[i + 1] == 0x80 &&
					           (unsigned char)s[i + 2] == 0x99 && is_alpha((unsigned char)s[i + 3]) && nl) {
						ts->norm[ts->normlen++] = '\'';   /* ’ as in don’t */
						i += 3;
						curly++;
					} else if (is_digit(d)) {   /* "mp3", "4k" stay one word */
						ts->norm[ts->normlen++] = (char)d;
						i++;
					} else
						break;
				}
				t->kind = TS_WORD;
				ts->letters += nl;
				ts->upper += up;
				t->caps = nl >= 2 && up == nl;
				ts->caps_words += t->caps;
				ts->words++;
			} else {
				if (c == '$' || c == '#')
					ts->norm[ts->normlen++] = (char)c, i++;
				while (i < n) {
					unsigned char d = (unsigned char)s[i];
					if (is_digit(d))
						ts->norm[ts->normlen++] = (char)d, i++;
					else if ((d == '.' || d == ',') && i + 1 < n && is_digit((unsigned char)s[i + 1]) &&
					         i > st && is_digit((unsigned char)s[i - 1]))
						ts->norm[ts->normlen++] = d == ',' ? ',' : '.', i++;
					else
						break;
				}
				if (i < n && s[i] == '%')
					ts->norm[ts->normlen++] = '%', i++;
				else if (i + 2 < n && (unsigned char)s[i] == 0xEF &&
				         (unsigned char)s[i + 1] == 0xBC && (unsigned char)s[i + 2] == 0x85)
					ts->norm[ts->normlen++] = '%', i += 3;   /* fullwidth ％ */
				t->kind = TS_NUM;
				ts->numbers++;
			}
			t->len = (uint32_t)(i - st);
			t->nlen = (uint32_t)(ts->normlen - t->norm);
			ts->norm[ts->normlen++] = ' ';
			size_t nch = i - st - 2 * curly;
			t->nchars = (uint32_t)nch;
			if (t->kind == TS_WORD) {
				t->syllables = (uint8_t)ts_syllables(ts->norm + t->norm, t->nlen);
				ts->syllables += t->syllables;
			}
			for (size_t k = st; k < i; k++) {
				unsigned char d = (unsigned char)s[k];
				ts->lower[k] = (char)(d >= 'A' && d <= 'Z' ? d | 0x20 : d);
			}
			ts->septets += i - st - 3 * curly;
			if (curly)
				ts->gsm7 = 0;
			/* the leading '#' is GSM basic; '%' too; digits and letters all basic */
			ch += nch;
			ts->chars += nch;
			ts->width += nch;
			sent_chars += nch;
			sent_content = 1;
			punct_run = 0;
			prev_cp = (uint32_t)(unsigned char)s[i - 1];
			after_zwj = 0;
			continue;
		}

		uint32_t cp;
		size_t len = ts_decode(s + i, n - i, &cp);
		if (cp == 0xFFFD && len == 1 && c >= 0x80)
			ts->invalid = 1;
		for (size_t k = 0; k < len; k++)
			ts->lower[i + k] = s[i + k];
		ts->chars++;
		int w = ts_cp_width(cp);
		ts->width += cp == 0xFFFD ? 1 : (size_t)w;
		int sep = ts_gsm7_septets(cp);
		if (!sep)
			ts->gsm7 = 0;
		ts->septets += (size_t)sep;

		if (ts_is_han(cp)) {
			ts->han++;
			sent_content = 1;
			if (!han) {
				han = push_tok(ts);
				han->kind = TS_HAN;
				han->byte = (uint32_t)i;
				han->ch = (uint32_t)ch;
				han->unit = unit;
				han->norm = (uint32_t)ts->normlen;
			}
			memcpy(ts->norm + ts->normlen, s + i, len);
			ts->normlen += len;
			han->len += (uint32_t)len;
			han->nlen += (uint32_t)len;
			han->nchars++;
			unit++;
		} else {
			if (han) {
				ts->norm[ts->normlen++] = ' ';
				han = NULL;
			}
			if (ts_is_emoji(cp) && !after_zwj && !(cp >= 0x1F1E6 && cp <= 0x1F1FF &&
			                                     prev_cp >= 0x1F1E6 && prev_cp <= 0x1F1FF))
				ts->emoji++;
			if (cp == '?' || cp == 0xFF1F)
				ts->questions++;
			if (cp == '!' || cp == 0xFF01)
				ts->exclaims++;
			if (is_repeat_punct(cp)) {
				if (++punct_run == 2)
					ts->repeated_punct++;
			} else
				punct_run = 0;
			if (is_clause_break(cp))
				unit += 4;
		}
		after_zwj = cp == 0x200D;
		if (is_sentence_end(cp) && !(cp == '.' && i + 1 < n && is_digit((unsigned char)s[i + 1]))) {
			if (sent_content) {
				ts->sentences++;
				if (sent_chars > ts->max_sentence_chars)
					ts->max_sentence_chars = sent_chars;
			}
			sent_chars = 0;
			sent_content = 0;
			unit += 8;
		} else if (cp != ' ' || sent_chars)
			sent_chars++;
		prev_cp = cp;
		ch++;
		i += len;
	}
	if (sent_content) {
		ts->sentences++;
		if (sent_chars > ts->max_sentence_chars)
			ts->max_sentence_chars = sent_chars;
	}
	ts->lower[n] = '\0';
	ts->norm[ts->normlen] = '\0';
	/* A Chinese character carries about a word; an English word about five letters. */
	if (ts->han > 0 && ts->han * 4 >= ts->letters)
		memcpy(ts->lang, "zh", 3);
	else
		memcpy(ts->lang, "en", 3);
}
