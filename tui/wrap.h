/* wrap.h — wrap UTF-8 text to a width in terminal columns.
 *
 * No curses here: pure functions, unit-tested. Widths come from wcwidth()
 * (set the locale first); code points it does not know count as two columns
 * in the CJK ranges and one elsewhere, control characters as one (the
 * sanitizer draws them as a one-column placeholder).
 *
 * Line breaking: at spaces (the spaces at a soft break are not drawn), at
 * '\n' (always), and between CJK characters. Where possible no line starts
 * with closing punctuation (，。！？、）」』》；：…) and no line ends with
 * opening punctuation (（「『《“): the neighbouring character moves down
 * with it. A word wider than the line is cut between characters.
 */
#ifndef CL_TUI_WRAP_H
#define CL_TUI_WRAP_H

#include <stddef.h>

struct wrap_line {
	size_t off, len;   /* byte range of the line in the text (no '\n', no break spaces) */
	int    width;      /* display columns */
};

/* Display width of one code point, never negative. */
int wrap_cp_width(unsigned cp);

/* Display width of the first n bytes of s. */
int wrap_width(const char *s, size_t n);

/* Byte length of the longest prefix of s (n bytes) that fits in cols columns,
 * never splitting a character; *width gets its width when not NULL. */
size_t wrap_fit(const char *s, size_t n, int cols, int *width);

/* Wrap s into lines of at most cols columns (cols < 2 is taken as 2).
 * Returns the line count (at least 1, an empty text gives one empty line);
 * *lines is a new array the caller frees. */
size_t wrap_text(const char *s, int cols, struct wrap_line **lines);

#endif
