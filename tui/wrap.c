/* wrap.c — display-width line wrapping with CJK rules (see wrap.h). */
#include "tui/wrap.h"
#include "core/textdiff.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int wrap_cp_width(unsigned cp)
{
	int w;
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 1;                       /* drawn as a one-column placeholder */
	w = wcwidth((wchar_t)cp);
	if (w >= 0)
		return w;
	return textdiff_is_cjk(cp) ? 2 : 1;
}

int wrap_width(const char *s, size_t n)
{
	int w = 0;
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		i += textdiff_utf8_decode(s + i, n - i, &cp);
		w += wrap_cp_width(cp);
	}
	return w;
}

size_t wrap_fit(const char *s, size_t n, int cols, int *width)
{
	int w = 0;
	size_t i = 0;
	while (i < n) {
		unsigned cp;
		size_t k = textdiff_utf8_decode(s + i, n - i, &cp);
		int cw = wrap_cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += k;
	}
	if (width)
		*width = w;
	return i;
}

/* Characters that should not begin a line. */
static int is_closing(unsigned cp)
{
	static const unsigned set[] = {
		0xFF0C, 0x3002, 0xFF01, 0xFF1F, 0x3001, 0xFF09, 0x300D, 0x300F, 0x300B, 0xFF1B,
		0xFF1A, 0x2026, 0x2014, 0x201D, 0x2019, 0x3009, 0x3011, 0x3015, 0x30FB, 0xFF05,
		0xFF0E, 0x3017, 0xFF3D, 0xFF5D,
		',', '.', '!', '?', ';', ':', ')', ']', '}', '%',
	};
	for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
		if (set[i] == cp)
			return 1;
	return 0;
}

/* Characters that should not end a line. */
static int is_opening(unsigned cp)
{
	static const unsigned set[] = {
		0xFF08, 0x300C, 0x300E, 0x300A, 0x201C, 0x2018, 0x3010, 0x3014, 0x3008, 0x3016,
		0xFF3B, 0xFF5B, '(', '[', '{',
	};
	for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
		if (set[i] == cp)
			return 1;
	return 0;
}

enum { AT_SPACE, AT_NL, AT_WORD, AT_CJK };

struct atom {
	size_t off, len;
	int    width, type;
	unsigned first, last;   /* first and last code point */
};

static int is_space(unsigned cp) { return cp == ' ' || cp == '\t' || cp == 0x3000; }

/* Cut s into atoms; words wider than cols become several atoms. */
static size_t atomize(const char *s, int cols, struct atom **out)
{
	size_t n = strlen(s), i = 0, na = 0, cap = 16;
	struct atom *a = xmalloc(cap * sizeof *a);
	while (i < n) {
		unsigned cp;
		size_t k = textdiff_utf8_decode(s + i, n - i, &cp);
		int type = cp == '\n' ? AT_NL : is_space(cp) ? AT_SPACE
		         : (textdiff_is_cjk(cp) || cp >= 0x1F000) ? AT_CJK : AT_WORD;
		int cw = type == AT_NL ? 0 : wrap_cp_width(cp);
		if (cp == '\r') {          /* CRLF: the LF does the work */
			i += k;
			continue;
		}
		int extend = na > 0 && a[na - 1].type == type && (type == AT_SPACE || type == AT_WORD) &&
		             a[na - 1].off + a[na - 1].len == i && a[na - 1].width + cw <= cols;
		if (extend) {
			a[na - 1].len += k;
			a[na - 1].width += cw;
			a[na - 1].last = cp;
		} else {
			if (na == cap)
				a = xreallocarray(a, cap *= 2, sizeof *a);
			a[na++] = (struct atom){ i, k, cw, type, cp, cp };
		}
		i += k;
	}
	*out = a;
	return na;
}

/* May a line break fall between atoms x and y? */
static int break_ok(const struct atom *x, const struct atom *y)
{
	if (y->type == AT_SPACE || x->type == AT_SPACE)
		return 1;
	if (is_closing(y->first) || is_opening(x->last))
		return 0;
	return 1;
}

static void push_line(struct wrap_line **v, size_t *n, size_t *cap, const char *s, size_t off, size_t end)
{
	while (end > off && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	if (*n == *cap)
		*v = xreallocarray(*v, *cap *= 2, sizeof **v);
	(*v)[*n].off = off;
	(*v)[*n].len = end - off;
	(*v)[*n].width = wrap_width(s + off, end - off);
	(*n)++;
}

size_t wrap_text(const char *s, int cols, struct wrap_line **lines)
{
	struct atom *a;
	size_t na, nl = 0, cap = 8;
	struct wrap_line *v = xmalloc(cap * sizeof *v);
	if (!s)
		s = "";
	if (cols < 2)
		cols = 2;
	na = atomize(s, cols, &a);

	size_t i = 0, first = 0, start = 0;  /* first atom and byte offset of the line */
	size_t brk = 0;                       /* atom index a break may precede; 0 = none */
	int w = 0, soft = 0;
	while (i < na) {
		struct atom *at = &a[i];
		if (at->type == AT_NL) {
			push_line(&v, &nl, &cap, s, start, at->off);
			i++;
			first = i, start = at->off + at->len, w = 0, brk = 0, soft = 0;
			continue;
		}
		if (w == 0 && soft && at->type == AT_SPACE) {   /* spaces after a soft break */
			i++;
			first = i, start = at->off + at->len;
			continue;
		}
		if (w + at->width <= cols) {
			w += at->width;
			i++;
			if (i < na && i > first && break_ok(at, &a[i]))
				brk = i;
			continue;
		}
		/* overflow */
		size_t cut;
		if (at->type == AT_SPACE)
			cut = i;
		else if (brk > first)
			cut = brk;
		else
			cut = i > first ? i : i + 1;   /* nothing better: break here */
		if (cut == i + 1 && i == first) {
			/* a single atom wider than the line (a glued chain): cut it */
			size_t k = wrap_fit(s + at->off, at->len, cols, NULL);
			if (k == 0)
				k = 1;
			push_line(&v, &nl, &cap, s, start, at->off + k);
			at->off += k;
			at->len -= k;
			at->width = wrap_width(s + at->off, at->len);
			start = at->off, w = 0, brk = 0, soft = 1;
			continue;
		}
		push_line(&v, &nl, &cap, s, start, a[cut].off);
		i = cut;
		first = cut, start = a[cut].off, w = 0, brk = 0, soft = 1;
	}
	if (start < strlen(s) || nl == 0 || (na && a[na - 1].type == AT_NL))
		push_line(&v, &nl, &cap, s, start, strlen(s));
	free(a);
	*lines = v;
	return nl;
}
