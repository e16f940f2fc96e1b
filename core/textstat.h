/* textstat.h — one pass over UTF-8 copy: characters, display width, GSM-7,
 * language, sentences, syllables, tokens.
 *
 * Core cannot rely on the C locale, so display width comes from our own
 * East-Asian-width table (wide: CJK, Hangul, fullwidth forms, most emoji;
 * zero: combining marks, variation selectors, ZWJ). A `struct text_stats` is
 * meant to be reused: ts_analyze keeps its buffers between calls, so scoring
 * many texts allocates nothing per word once the buffers have grown.
 */
#ifndef CL_TEXTSTAT_H
#define CL_TEXTSTAT_H

#include <stddef.h>
#include <stdint.h>

enum ts_kind {
	TS_WORD = 1,    /* ASCII letters (apostrophes inside); norm is lowercased */
	TS_NUM,         /* digits with . or , inside; optional leading $ £ € ¥ ￥ #, trailing % */
	TS_HAN,         /* a run of Han characters (matched against lexicons by the caller) */
};

struct ts_token {
	uint32_t byte, len;   /* span in the original text */
	uint32_t ch;          /* character offset of the first character */
	uint32_t nchars;      /* characters in the span */
	uint32_t norm, nlen;  /* span in ts->norm (WORD/NUM: lowercased; HAN: a copy) */
	uint32_t unit;        /* position in units (clause breaks add a gap), for windows */
	uint8_t  kind;
	uint8_t  caps;        /* WORD: all upper-case and at least 2 letters */
	uint8_t  syllables;   /* WORD: estimated English syllables */
};

struct text_stats {
	/* counts over the whole text */
	size_t bytes, chars;      /* chars = Unicode scalar values */
	size_t width;             /* display columns (East Asian width) */
	size_t han;               /* Han characters */
	size_t letters, upper;    /* ASCII letters, of which upper-case */
	size_t words;             /* TS_WORD tokens */
	size_t caps_words;        /* all-caps words of 2+ letters */
	size_t numbers;           /* TS_NUM tokens */
	size_t syllables;         /* over TS_WORD tokens */
	size_t sentences;         /* sentences holding at least one word or Han char */
	size_t emoji;             /* emoji (a ZWJ sequence counts once) */
	size_t questions;         /* ? and ？ */
	size_t exclaims;          /* ! and ！ */
	size_t repeated_punct;    /* runs of 2+ of !?$ (ASCII or fullwidth), e.g. "!!!" */
	size_t max_sentence_chars;/* longest sentence in characters */
	int    gsm7;              /* 1 if every character is in the GSM 03.38 alphabet */
	size_t septets;           /* GSM-7 length (extension characters count 2) */
	int    invalid;           /* 1 if invalid UTF-8 was met (replaced, width 1) */
	char   lang[3];           /* "en" or "zh" from the text (see ts_detect_lang) */
	/* tokens and their normalised text; reused between calls */
	struct ts_token *tok;
	size_t ntok, captok;
	char  *norm;
	size_t normlen, normcap;
	/* the text with ASCII lower-cased, same byte offsets (NUL-terminated) */
	char  *lower;
	size_t lowercap;
};

/* Start with empty buffers. */
void ts_init(struct text_stats *ts);
/* Free the buffers (the struct itself is the caller's). */
void ts_free(struct text_stats *ts);
/* Analyse n bytes of UTF-8 (invalid bytes count as one narrow character each). */
void ts_analyze(struct text_stats *ts, const char *s, size_t n);

/* Decode one scalar at s (n bytes left); returns bytes used (>= 1) and the
 * code point in *cp (U+FFFD for an invalid sequence). */
size_t ts_decode(const char *s, size_t n, uint32_t *cp);
/* Display columns of one code point: 0, 1 or 2. */
int ts_cp_width(uint32_t cp);
/* 1 if cp is a Han (CJK ideograph) character. */
int ts_is_han(uint32_t cp);
/* 1 if cp is an emoji code point (pictographs, dingbats, symbols, flags). */
int ts_is_emoji(uint32_t cp);
/* GSM-7 septets for cp: 1 basic, 2 extension table, 0 not representable. */
int ts_gsm7_septets(uint32_t cp);
/* Character count, display width of n bytes of UTF-8. */
size_t ts_chars(const char *s, size_t n);
size_t ts_width(const char *s, size_t n);
/* Byte offset of character index ch in s (n bytes); n if past the end. */
size_t ts_char_to_byte(const char *s, size_t n, size_t ch);
/* Estimated English syllables of a lower-case ASCII word. */
int ts_syllables(const char *w, size_t n);

#endif
