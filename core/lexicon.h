/* lexicon.h — the scorers' word lists, compiled once into one hash table.
 *
 * Lists live in sample-data/lexicons/ (files NAME.tsv), one entry a line:
 *     term <TAB> category <TAB> weight   (a line starting # without a tab is a comment)
 * Categories: sentiment (weight -4..4), negator, intensifier (multiplier),
 * cta (strength 0..1), urgency, personal, spam, absolute, health, discrim,
 * exempt (a longer term that shields a shorter one, e.g. 最近 shields 最).
 * English terms are lower case and may hold up to four words separated by
 * single spaces; Chinese terms are matched by forward maximum matching inside
 * runs of Han characters. common_zh.txt lists frequent Chinese characters for
 * the readability measure.
 *
 * A loaded lexicon is read-only and can be shared; lex_scan writes its hits to
 * a caller-owned, reusable struct lex_hits (no allocation per word).
 */
#ifndef CL_LEXICON_H
#define CL_LEXICON_H

#include <stddef.h>
#include <stdint.h>
#include "core/textstat.h"
#include "core/util.h"

enum lex_cat {
	LX_SENTIMENT, LX_NEGATOR, LX_INTENSIFIER, LX_CTA, LX_URGENCY, LX_PERSONAL,
	LX_SPAM, LX_ABSOLUTE, LX_HEALTH, LX_DISCRIM, LX_EXEMPT, LX_NCAT
};

struct lex_entry {
	uint32_t flags;            /* 1u << enum lex_cat */
	double   w[LX_NCAT];       /* weight per category */
	const char *term;          /* NUL-terminated, owned by the lexicon */
	uint32_t tlen;
};

struct lex_hit {
	const struct lex_entry *e;
	uint32_t byte, len;        /* span in the original text */
	uint32_t ch, nchars;       /* character offset and length */
	uint32_t unit, unit_end;   /* first and last token position (see struct ts_token) */
};

struct lex_hits {
	struct lex_hit *v;
	size_t n, cap;
};

struct lexicon;

/* Load every *.tsv and common_zh.txt from dir (NULL = the bundled
 * sample-data/lexicons); *out freed with lex_free. Errors name file:line. */
int lex_load(const char *dir, struct lexicon **out, struct cl_err *err);
/* Build from in-memory TSV text (tests, plugins); *out freed with lex_free. */
int lex_load_text(const char *tsv, const char *origin, struct lexicon **out, struct cl_err *err);
void lex_free(struct lexicon *lx);
/* Number of entries. */
size_t lex_size(const struct lexicon *lx);
/* Entry for an exact (lower-case) term, or NULL. */
const struct lex_entry *lex_find(const struct lexicon *lx, const char *term, size_t n);
/* 1 if the Han character cp is in the frequent-character list. */
int lex_common_han(const struct lexicon *lx, uint32_t cp);
/* Number of frequent characters loaded (0 when common_zh.txt was absent). */
size_t lex_common_count(const struct lexicon *lx);

/* Match the analysed text (ts_analyze'd from s) against the lexicon; hits go
 * to out (reset first), in text order. Longest match wins; exempt entries
 * are matched but not reported. */
void lex_scan(const struct lexicon *lx, const struct text_stats *ts, const char *s,
              struct lex_hits *out);
void lex_hits_free(struct lex_hits *h);

/* Category name ("sentiment", ...) and back (-1 if unknown). */
const char *lex_cat_name(enum lex_cat c);
int lex_cat_from_name(const char *name);

#endif
