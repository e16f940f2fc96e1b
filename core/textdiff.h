/* textdiff.h — word-level diff of two texts, for highlighting what changed.
 *
 * Texts are cut into tokens: a run of letters/digits (Latin, Cyrillic, …) is
 * one token, a whitespace run is one token, and every CJK character, fullwidth
 * form or punctuation mark is a token of its own (Chinese has no spaces, so
 * per-character is the useful granularity). The diff is a longest common
 * subsequence over tokens after trimming the common prefix and suffix. The
 * result covers each text completely with spans marked same or changed.
 */
#ifndef CL_TEXTDIFF_H
#define CL_TEXTDIFF_H

#include <stddef.h>
#include "core/util.h"

struct textdiff_span {
	size_t off, len;   /* byte range in its own text */
	int    changed;    /* 1: deleted (in a) or inserted (in b); 0: common */
};

struct textdiff {
	struct textdiff_span *a;   /* spans covering text a, in order */
	size_t                na;
	struct textdiff_span *b;   /* spans covering text b, in order */
	size_t                nb;
	size_t same, deleted, inserted;   /* token counts */
};

/* Diff a against b by words (NULL counts as ""); the result is freed with
 * textdiff_free. Never fails: inputs too large for the LCS table get their
 * differing middle marked changed as a whole. */
struct textdiff *textdiff_words(const char *a, const char *b);
void textdiff_free(struct textdiff *d);

/* Split s into tokens as the diff does; *offs gets n+1 offsets (token i is
 * s[offs[i], offs[i+1])), caller frees. Returns the token count. */
size_t textdiff_tokenize(const char *s, size_t **offs);

/* Decode one UTF-8 code point at s (len bytes left); invalid bytes decode as
 * U+FFFD with length 1. Returns the byte length (0 only when len is 0). */
size_t textdiff_utf8_decode(const char *s, size_t len, unsigned *cp);

/* True for code points that stand alone as tokens and allow a line break
 * on either side: CJK ideographs, kana, hangul, fullwidth forms, CJK punctuation. */
int textdiff_is_cjk(unsigned cp);

#endif
