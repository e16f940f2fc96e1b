/* textdiff.c — word-level LCS diff (see textdiff.h). */
#include "core/textdiff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Above this many LCS cells the middle is reported as one change (16 MiB of
 * uint32 is the most a variant diff should ever cost). */
#define TD_MAX_CELLS (4u * 1024u * 1024u)

size_t textdiff_utf8_decode(const char *str, size_t len, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c, need, min;
	if (len == 0) {
		*cp = 0;
		return 0;
	}
	c = s[0];
	if (c < 0x80) { *cp = c; return 1; }
	if (c >= 0xC2 && c <= 0xDF) { need = 1; c &= 0x1F; min = 0x80; }
	else if (c >= 0xE0 && c <= 0xEF) { need = 2; c &= 0x0F; min = 0x800; }
	else if (c >= 0xF0 && c <= 0xF4) { need = 3; c &= 0x07; min = 0x10000; }
	else { *cp = 0xFFFD; return 1; }
	if (len < need + 1) { *cp = 0xFFFD; return 1; }
	for (unsigned i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80) { *cp = 0xFFFD; return 1; }
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return need + 1;
}

int textdiff_is_cjk(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) ||     /* hangul jamo */
	       (cp >= 0x2E80 && cp <= 0x303F) ||     /* radicals, CJK symbols and punctuation */
	       (cp >= 0x3040 && cp <= 0x33FF) ||     /* kana, bopomofo, compat */
	       (cp >= 0x3400 && cp <= 0x4DBF) ||     /* ext A */
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||     /* unified ideographs */
	       (cp >= 0xA000 && cp <= 0xA4CF) ||     /* yi */
	       (cp >= 0xAC00 && cp <= 0xD7A3) ||     /* hangul syllables */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||     /* compat ideographs */
	       (cp >= 0xFE30 && cp <= 0xFE4F) ||     /* compat forms */
	       (cp >= 0xFF00 && cp <= 0xFF60) ||     /* fullwidth forms */
	       (cp >= 0xFFE0 && cp <= 0xFFE6) ||
	       (cp >= 0x20000 && cp <= 0x3FFFD);     /* planes 2 and 3 */
}

enum { TK_SPACE, TK_WORD, TK_SINGLE };

static int tok_class(unsigned cp)
{
	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
	    cp == 0x3000 || cp == 0xA0)
		return TK_SPACE;
	if (textdiff_is_cjk(cp))
		return TK_SINGLE;
	if (cp < 0x80 && !((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') ||
	                   (cp >= 'a' && cp <= 'z') || cp == '_'))
		return TK_SINGLE;                     /* ASCII punctuation and controls */
	if (cp >= 0x2000 && cp <= 0x2BFF)         /* general punctuation, arrows, symbols */
		return TK_SINGLE;
	if (cp >= 0x1F000 || cp == 0xFFFD)        /* emoji, invalid bytes */
		return TK_SINGLE;
	return TK_WORD;
}

size_t textdiff_tokenize(const char *s, size_t **offs)
{
	size_t len = s ? strlen(s) : 0, n = 0, cap = 16, i = 0;
	size_t *o = xmalloc(cap * sizeof *o);
	int prev = -1;
	while (i < len) {
		unsigned cp;
		size_t k = textdiff_utf8_decode(s + i, len - i, &cp);
		int cls = tok_class(cp);
		/* a new token starts unless this continues a word or space run */
		if (!(cls == prev && cls != TK_SINGLE)) {
			if (n + 2 > cap)
				o = xreallocarray(o, cap *= 2, sizeof *o);
			o[n++] = i;
		}
		prev = cls;
		i += k;
	}
	o[n] = len;
	*offs = o;
	return n;
}

static int tok_eq(const char *a, const size_t *ao, size_t i, const char *b, const size_t *bo, size_t j)
{
	size_t la = ao[i + 1] - ao[i], lb = bo[j + 1] - bo[j];
	return la == lb && memcmp(a + ao[i], b + bo[j], la) == 0;
}

/* Append a span, merging with the previous one when the mark is the same. */
static void span_push(struct textdiff_span **v, size_t *n, size_t *cap, size_t off, size_t len, int changed)
{
	if (len == 0)
		return;
	if (*n && (*v)[*n - 1].changed == changed && (*v)[*n - 1].off + (*v)[*n - 1].len == off) {
		(*v)[*n - 1].len += len;
		return;
	}
	if (*n == *cap)
		*v = xreallocarray(*v, *cap = *cap ? *cap * 2 : 8, sizeof **v);
	(*v)[(*n)++] = (struct textdiff_span){ off, len, changed };
}

struct textdiff *textdiff_words(const char *a, const char *b)
{
	struct textdiff *d = xcalloc(1, sizeof *d);
	size_t *ao, *bo, capa = 0, capb = 0;
	if (!a) a = "";
	if (!b) b = "";
	size_t na = textdiff_tokenize(a, &ao), nb = textdiff_tokenize(b, &bo);
	size_t pre = 0, suf = 0;
	while (pre < na && pre < nb && tok_eq(a, ao, pre, b, bo, pre))
		pre++;
	while (suf < na - pre && suf < nb - pre && tok_eq(a, ao, na - 1 - suf, b, bo, nb - 1 - suf))
		suf++;
	size_t ma = na - pre - suf, mb = nb - pre - suf;   /* the differing middle */

	span_push(&d->a, &d->na, &capa, 0, ao[pre], 0);
	span_push(&d->b, &d->nb, &capb, 0, bo[pre], 0);
	d->same = pre + suf;
	if (ma && mb && (uint64_t)(ma + 1) * (mb + 1) <= TD_MAX_CELLS) {
		/* L[i][j] = LCS length of a-middle[i..] and b-middle[j..] */
		size_t w = mb + 1;
		uint32_t *L = xcalloc((ma + 1) * w, sizeof *L);
		for (size_t i = ma; i-- > 0;)
			for (size_t j = mb; j-- > 0;)
				L[i * w + j] = tok_eq(a, ao, pre + i, b, bo, pre + j)
				    ? L[(i + 1) * w + j + 1] + 1
				    : (L[(i + 1) * w + j] >= L[i * w + j + 1] ? L[(i + 1) * w + j] : L[i * w + j + 1]);
		size_t i = 0, j = 0;
		while (i < ma || j < mb) {
			size_t ti = pre + i, tj = pre + j;
			if (i < ma && j < mb && tok_eq(a, ao, ti, b, bo, tj)) {
				span_push(&d->a, &d->na, &capa, ao[ti], ao[ti + 1] - ao[ti], 0);
				span_push(&d->b, &d->nb, &capb, bo[tj], bo[tj + 1] - bo[tj], 0);
				d->same++;
				i++, j++;
			} else if (j < mb && (i == ma || L[i * w + j + 1] >= L[(i + 1) * w + j])) {
				span_push(&d->b, &d->nb, &capb, bo[tj], bo[tj + 1] - bo[tj], 1);
				d->inserted++;
				j++;
			} else {
				span_push(&d->a, &d->na, &capa, ao[ti], ao[ti + 1] - ao[ti], 1);
				d->deleted++;
				i++;
			}
		}
		free(L);
	} else {
		span_push(&d->a, &d->na, &capa, ao[pre], ao[na - suf] - ao[pre], 1);
		span_push(&d->b, &d->nb, &capb, bo[pre], bo[nb - suf] - bo[pre], 1);
		d->deleted += ma;
		d->inserted += mb;
	}
	span_push(&d->a, &d->na, &capa, ao[na - suf], ao[na] - ao[na - suf], 0);
	span_push(&d->b, &d->nb, &capb, bo[nb - suf], bo[nb] - bo[nb - suf], 0);
	free(ao);
	free(bo);
	return d;
}

void textdiff_free(struct textdiff *d)
{
	if (!d)
		return;
	free(d->a);
	free(d->b);
	free(d);
}
