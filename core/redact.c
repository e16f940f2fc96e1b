/* redact.c — find and replace personal data in text (see redact.h).
 *
 * One left-to-right pass over the bytes. Every trigger (a local-part
 * character before '@', a digit, '+' or '(' before a digit) is ASCII, so a
 * multi-byte UTF-8 character is always copied whole and never split.
 *
 * Numbers: from a digit, a "span" is a run of digit groups joined by short
 * separators (space, '-', '(' and ')'), as phone and card numbers are written.
 * The span is then classified as a phone number, a long number or nothing; a
 * span that fails as a whole is retried from each of its groups so "save 20
 * 13800138000" still finds the mobile number while "2024-05-01 10:30" stays.
 */
#include "core/redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pcol {
	char *dataset, *col;
};

struct literal {
	char  *value, *label;
	size_t len;
};

struct redactor {
	unsigned        flags;
	struct pcol    *cols;
	size_t          ncols;
	struct literal *lits;
	size_t          nlits;
};

struct redactor *redactor_new(unsigned flags)
{
	struct redactor *r = xcalloc(1, sizeof *r);
	r->flags = flags;
	return r;
}

void redactor_free(struct redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncols; i++) {
		free(r->cols[i].dataset);
		free(r->cols[i].col);
	}
	for (size_t i = 0; i < r->nlits; i++) {
		free(r->lits[i].value);
		free(r->lits[i].label);
	}
	free(r->cols);
	free(r->lits);
	free(r);
}

void redactor_mark_personal(struct redactor *r, const char *dataset, const char *col)
{
	if (!dataset || !col || redactor_is_personal(r, dataset, col))
		return;
	r->cols = xreallocarray(r->cols, r->ncols + 1, sizeof *r->cols);
	r->cols[r->ncols].dataset = xstrdup(dataset);
	r->cols[r->ncols].col = xstrdup(col);
	r->ncols++;
}

int redactor_is_personal(const struct redactor *r, const char *dataset, const char *col)
{
	if (!r || !dataset || !col)
		return 0;
	for (size_t i = 0; i < r->ncols; i++)
		if (strcasecmp(r->cols[i].dataset, dataset) == 0 &&
		    strcasecmp(r->cols[i].col, col) == 0)
			return 1;
	return 0;
}

int redactor_load_personal(struct redactor *r, struct workspace *ws, struct cl_err *err)
{
	sqlite3_stmt *st;
	int rc;
	if (ws_prepare(ws, "SELECT dataset, col FROM cl_personal_columns", &st, err))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		redactor_mark_personal(r, (const char *)sqlite3_column_text(st, 0),
		                       (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_dberr(ws, err, "reading personal columns");
	return 0;
}

void redactor_add_literal(struct redactor *r, const char *value, const char *label)
{
	size_t n = value ? strlen(value) : 0;
	if (n < 3)
		return;
	for (size_t i = 0; i < r->nlits; i++)
		if (strcmp(r->lits[i].value, value) == 0)
			return;
	r->lits = xreallocarray(r->lits, r->nlits + 1, sizeof *r->lits);
	r->lits[r->nlits].value = xstrdup(value);
	r->lits[r->nlits].label = xstrdup(label && *label ? label : "personal");
	r->lits[r->nlits].len = n;
	r->nlits++;
}

/* ---- e-mail ---- */

static int is_local(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static int is_dom(unsigned char c)
{
	return isalnum(c) || c == '-';
}

/* If an address starts at s[i] (a local-part run start), return its end, else 0. */
static size_t match_email(const char *s, size_t i, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t j = i, last_dot = 0, labels = 0, tld_alpha = 1, k;
	while (j < n && is_local(u[j]))
		j++;
	if (j == i || j >= n || u[j] != '@' || u[i] == '.')
		return 0;
	k = j + 1;
	for (;;) {
		size_t ls = k;
		while (k < n && is_dom(u[k]))
			k++;
		if (k == ls)
			return 0;
		labels++;
		tld_alpha = 1;
		for (size_t q = ls; q < k; q++)
			if (!isalpha(u[q]))
				tld_alpha = 0;
		last_dot = ls;
		if (k + 1 < n && u[k] == '.' && is_dom(u[k + 1])) {
			k++;
			continue;
		}
		break;
	}
	if (labels < 2 || !tld_alpha || k - last_dot < 2)
		return 0;
	return k;
}

/* ---- numbers ---- */

enum { NUM_NONE, NUM_PHONE, NUM_LONG };

#define MAXG 12

struct group {
	size_t start, end;   /* the digits' bytes s[start..end) */
	size_t nd;           /* digits in the group */
	char   first[2];     /* its first two digits as ASCII */
};

/* Bytes of the digit at u[i]: 1 for 0-9, 3 for fullwidth ０-９ (U+FF10..FF19,
 * common in Chinese text), 0 when it is not a digit. */
static size_t digit_len(const unsigned char *u, size_t i, size_t n)
{
	if (i < n && u[i] >= '0' && u[i] <= '9')
		return 1;
	if (i + 2 < n && u[i] == 0xEF && u[i + 1] == 0xBC && u[i + 2] >= 0x90 && u[i + 2] <= 0x99)
		return 3;
	return 0;
}

static char digit_val(const unsigned char *u, size_t i)
{
	return u[i] < 0x80 ? (char)u[i] : (char)('0' + (u[i + 2] - 0x90));
}

enum { SEP_NONE, SEP_SPACE, SEP_DASH, SEP_PAREN, SEP_PLUS };

/* The separator or prefix character at u[i]: kind and byte length. ASCII
 * space, '-', '(', ')', '+' and their fullwidth forms. */
static int sep_at(const unsigned char *u, size_t i, size_t n, size_t *len)
{
	*len = 1;
	switch (i < n ? u[i] : 0) {
	case ' ': return SEP_SPACE;
	case '-': return SEP_DASH;
	case '(': case ')': return SEP_PAREN;
	case '+': return SEP_PLUS;
	case 0xEF:
		if (i + 2 < n && u[i + 1] == 0xBC) {
			*len = 3;
			if (u[i + 2] == 0x8D) return SEP_DASH;      /* － */
			if (u[i + 2] == 0x88 || u[i + 2] == 0x89) return SEP_PAREN;   /* （ ） */
			if (u[i + 2] == 0x8B) return SEP_PLUS;      /* ＋ */
		}
		return SEP_NONE;
	default:
		return SEP_NONE;
	}
}

/* Collect the digit groups of a span starting at digit position i; *paren_at
 * gets a bit per gap (k-1..k) holding a parenthesis. Returns the count. */
static int scan_groups(const char *s, size_t i, size_t n, struct group *g, unsigned *paren_at)
{
	const unsigned char *u = (const unsigned char *)s;
	int ng = 0;
	size_t p = i, total = 0, dl;
	*paren_at = 0;
	while (ng < MAXG) {
		struct group *gr = &g[ng];
		gr->start = p;
		gr->nd = 0;
		gr->first[0] = gr->first[1] = 0;
		while ((dl = digit_len(u, p, n)) != 0) {
			if (gr->nd < 2)
				gr->first[gr->nd] = digit_val(u, p);
			gr->nd++;
			p += dl;
		}
		gr->end = p;
		total += gr->nd;
		ng++;
		if (total > 20)
			break;
		/* Up to three separator characters, at most one space. */
		size_t q = p, seps = 0, spaces = 0, sl;
		int paren = 0, kind;
		while (seps < 3 && (kind = sep_at(u, q, n, &sl)) != SEP_NONE && kind != SEP_PLUS) {
			spaces += kind == SEP_SPACE;
			paren |= kind == SEP_PAREN;
			q += sl;
			seps++;
		}
		if (!seps || spaces > 1 || !digit_len(u, q, n))
			break;
		if (paren)
			*paren_at |= 1u << ng;
		p = q;
	}
	return ng;
}

static int classify(const struct group *g, int a, int b, int plus, int paren)
{
	size_t d = 0;
	int all3 = 1;
	char first[2] = { 0, 0 };
	for (int k = a; k <= b; k++) {
		for (size_t q = 0; q < g[k].nd && q < 2 && d + q < 2; q++)
			first[d + q] = g[k].first[q];
		d += g[k].nd;
		if (g[k].nd < 3)
			all3 = 0;
	}
	int ng = b - a + 1;
	size_t g0 = g[a].nd;
	if (plus && d >= 8 && d <= 15)
		return NUM_PHONE;
	if (paren && d >= 10 && d <= 12)
		return NUM_PHONE;
	if (d == 11 && first[0] == '1' && first[1] >= '3' && first[1] <= '9')
		return NUM_PHONE;
	if (first[0] == '0' && ng >= 2 && g0 >= 3 && g0 <= 4 && d >= 10 && d <= 12)
		return NUM_PHONE;
	if (ng == 3 && g0 == 3 && g[a + 1].nd == 3 && g[a + 2].nd == 4)
		return NUM_PHONE;
	if (ng == 1 && d >= 9)
		return NUM_LONG;
	if (ng >= 2 && all3 && d >= 12)
		return NUM_LONG;
	return NUM_NONE;
}

static void add_label(struct sbuf *out, const char *what)
{
	sbuf_adds(out, "[redacted ");
	sbuf_adds(out, what);
	sbuf_addc(out, ']');
}

/* Length of a number span's prefix at s[i] ('+', '(', one space, in ASCII or
 * fullwidth), when a digit follows it; 0 when none does. */
static size_t number_prefix(const unsigned char *u, size_t i, size_t n, int *plus, int *paren)
{
	size_t p = i, sl;
	int k, count = 0;
	*plus = *paren = 0;
	while (count < 3 && !digit_len(u, p, n) &&
	       ((k = sep_at(u, p, n, &sl)) == SEP_PLUS || k == SEP_PAREN || k == SEP_SPACE)) {
		*plus |= k == SEP_PLUS;
		*paren |= k == SEP_PAREN;
		p += sl;
		count++;
	}
	return digit_len(u, p, n) ? p - i : 0;
}

/* Handle a number span at s[i] (a digit, or '+'/'(' before one). Appends to
 * out and returns the position after what it consumed. */
static size_t do_number(const struct redactor *r, const char *s, size_t i, size_t n,
                        struct sbuf *out, size_t *hits)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned flags = r ? r->flags : REDACT_ALL;
	struct group g[MAXG];
	unsigned paren_at;
	int plus, paren;
	size_t pre = number_prefix(u, i, n, &plus, &paren);
	int ng = scan_groups(s, i + pre, n, g, &paren_at);
	size_t pos = i;   /* bytes before pos are already emitted */
	int a = 0;
	while (a < ng) {
		int kind = NUM_NONE, b;
		for (b = ng - 1; b >= a; b--) {
			int pr = a == 0 && paren;
			for (int k = a + 1; k <= b; k++)
				if (paren_at & (1u << k))
					pr = 1;
			kind = classify(g, a, b, a == 0 && plus, pr);
			if (kind == NUM_PHONE && !(flags & REDACT_PHONE))
				kind = NUM_NONE;
			if (kind == NUM_LONG && !(flags & REDACT_DIGITS))
				kind = NUM_NONE;
			if (kind != NUM_NONE)
				break;
		}
		if (kind == NUM_NONE) {
			sbuf_add(out, s + pos, g[a].end - pos);
			pos = g[a].end;
			a++;
			continue;
		}
		size_t from = a == 0 ? i : g[a].start, to = g[b].end;
		/* A Chinese ID number: 17 digits and a check character X. */
		if (kind == NUM_LONG && g[b].nd == 17 && to < n && (s[to] == 'X' || s[to] == 'x'))
			to++;
		sbuf_add(out, s + pos, from - pos);
		add_label(out, kind == NUM_PHONE ? "phone" : "number");
		if (hits)
			(*hits)++;
		pos = to;
		a = b + 1;
	}
	return pos;
}

/* Pattern pass (e-mail, phone, digits) over s[0..n). Unchanged bytes are
 * copied in runs; only the triggers stop the scan. */
static void scan_patterns(const struct redactor *r, const char *s, size_t n, struct sbuf *out,
                          size_t *hits)
{
	unsigned flags = r ? r->flags : REDACT_ALL;
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, done = 0;   /* s[done..i) is pending, copied as it is */
	int emails = (flags & REDACT_EMAIL) && memchr(s, '@', n) != NULL;
	int numbers = (flags & (REDACT_PHONE | REDACT_DIGITS)) != 0;
	int prev_digit = 0;
	sbuf_reserve(out, n + 1);
	while (i < n) {
		unsigned char c = u[i];
		/* E-mail first: QQ addresses have all-digit local parts. */
		if (emails && c < 0x80 && is_local(c) && (i == 0 || !is_local(u[i - 1]))) {
			size_t e = match_email(s, i, n);
			if (e) {
				sbuf_add(out, s + done, i - done);
				add_label(out, "email");
				if (hits)
					(*hits)++;
				i = done = e;
				prev_digit = 0;
				continue;
			}
		}
		size_t dl = numbers ? digit_len(u, i, n) : 0;
		if (numbers && !prev_digit) {
			int plus, paren;
			if (dl || ((c == '+' || c == '(' || c == 0xEF) && number_prefix(u, i, n, &plus, &paren))) {
				/* Letters before digits don't stop it: "ID123456789"
				 * still hides the run. */
				sbuf_add(out, s + done, i - done);
				i = done = do_number(r, s, i, n, out, hits);
				prev_digit = 0;   /* a span ends before a non-digit */
				continue;
			}
		}
		prev_digit = dl != 0;
		if (c >= 0x80) {
			/* Skip a whole multi-byte character (or a stray byte). */
			size_t k = 1;
			if ((c & 0xE0) == 0xC0) k = 2;
			else if ((c & 0xF0) == 0xE0) k = 3;
			else if ((c & 0xF8) == 0xF0) k = 4;
			i += i + k > n ? n - i : k;
			continue;
		}
		i++;
	}
	sbuf_add(out, s + done, n - done);
}

char *redactor_text(const struct redactor *r, const char *text, size_t *hits)
{
	struct sbuf out = SBUF_INIT;
	size_t n = text ? strlen(text) : 0;
	unsigned flags = r ? r->flags : REDACT_ALL;
	if (hits)
		*hits = 0;
	if (!n)
		return xstrdup("");
	if (r && r->nlits && (flags & REDACT_PERSONAL)) {
		/* Literal pass first; labels hold no digits or '@', so the
		 * pattern pass leaves them alone. */
		struct sbuf tmp = SBUF_INIT;
		size_t i = 0;
		while (i < n) {
			size_t best = 0, bl = 0;
			for (size_t k = 0; k < r->nlits; k++)
				if (r->lits[k].len > bl && n - i >= r->lits[k].len &&
				    memcmp(text + i, r->lits[k].value, r->lits[k].len) == 0) {
					best = k;
					bl = r->lits[k].len;
				}
			if (bl) {
				add_label(&tmp, r->lits[best].label);
				if (hits)
					(*hits)++;
				i += bl;
			} else {
				sbuf_addc(&tmp, text[i]);
				i++;
			}
		}
		scan_patterns(r, sbuf_str(&tmp), tmp.len, &out, hits);
		sbuf_free(&tmp);
	} else {
		scan_patterns(r, text, n, &out, hits);
	}
	return sbuf_detach(&out);
}

char *redactor_value(const struct redactor *r, const char *dataset, const char *col,
                     const char *value, size_t *hits)
{
	unsigned flags = r ? r->flags : REDACT_ALL;
	if (hits)
		*hits = 0;
	if (!value)
		return xstrdup("");
	if ((flags & REDACT_PERSONAL) && *value && redactor_is_personal(r, dataset, col)) {
		if (hits)
			*hits = 1;
		return xasprintf("[redacted %s]", col);
	}
	return redactor_text(r, value, hits);
}

static size_t json_walk(const struct redactor *r, const char *dataset, cJSON *parent)
{
	size_t total = 0;
	unsigned flags = r ? r->flags : REDACT_ALL;
	cJSON *it = parent->child;
	while (it) {
		cJSON *next = it->next;
		const char *key = cJSON_IsObject(parent) ? it->string : NULL;
		int personal = (flags & REDACT_PERSONAL) && dataset && key &&
		               redactor_is_personal(r, dataset, key);
		if (cJSON_IsString(it)) {
			size_t h = 0;
			char *v = personal ? redactor_value(r, dataset, key, it->valuestring, &h)
			                   : redactor_text(r, it->valuestring, &h);
			if (h) {
				cJSON_SetValuestring(it, v);
				total += h;
			}
			free(v);
		} else if (cJSON_IsNumber(it)) {
			double a = it->valuedouble < 0 ? -it->valuedouble : it->valuedouble;
			char *label = NULL;
			if (personal)
				label = xasprintf("[redacted %s]", key);
			else if ((flags & REDACT_DIGITS) && a >= 1e8 && a == (double)(long long)a)
				label = xstrdup("[redacted number]");
			if (label) {
				if (key)
					cJSON_ReplaceItemInObjectCaseSensitive(parent, key,
					                                       cJSON_CreateString(label));
				else
					cJSON_ReplaceItemViaPointer(parent, it, cJSON_CreateString(label));
				free(label);
				total++;
			}
		} else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
			total += json_walk(r, dataset, it);
		}
		it = next;
	}
	return total;
}

size_t redactor_json(const struct redactor *r, const char *dataset, cJSON *tree)
{
	if (!tree)
		return 0;
	if (cJSON_IsString(tree)) {
		size_t h = 0;
		char *v = redactor_text(r, tree->valuestring, &h);
		if (h)
			cJSON_SetValuestring(tree, v);
		free(v);
		return h;
	}
	if (cJSON_IsObject(tree) || cJSON_IsArray(tree))
		return json_walk(r, dataset, tree);
	return 0;
}
