/* jsonl.c — JSON Lines reader: a line at a time through a 1 MiB window, a
 * small hand-written parser for the top-level object. */
#include "core/jsonl.h"
#include "core/csv.h"
#include "core/readwin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct moff {
	size_t key, key_len, val, val_len;
	int    kind;
};

struct jsonl_reader {
	struct read_window w; /* the input */
	int      lenient;
	long     line, rec_line;
	struct sbuf ln;       /* the current line */
	struct sbuf fixed_ln;
	struct sbuf dec;      /* decoded keys and values */
	struct moff *m;
	size_t   nm, mcap;
	struct jsonl_member *out;
	size_t   outcap;
	int      fixed;
	int      started;
};

static int fill(struct jsonl_reader *r, struct cl_err *err)
{
	return rwin_fill(&r->w, err);
}

int jsonl_open(const char *path, int lenient, struct jsonl_reader **out, struct cl_err *err)
{
	struct jsonl_reader *r = xcalloc(1, sizeof *r);
	*out = NULL;
	if (rwin_open(&r->w, path, 0, err)) {
		free(r);
		return -1;
	}
	r->lenient = lenient;
	*out = r;
	return 0;
}

struct jsonl_reader *jsonl_open_mem(const char *name, const char *data, size_t len, int lenient)
{
	struct jsonl_reader *r = xcalloc(1, sizeof *r);
	rwin_open_mem(&r->w, name, data, len, 0);
	r->lenient = lenient;
	return r;
}

void jsonl_close(struct jsonl_reader *r)
{
	if (!r)
		return;
	rwin_close(&r->w);
	sbuf_free(&r->ln);
	sbuf_free(&r->fixed_ln);
	sbuf_free(&r->dec);
	free(r->m);
	free(r->out);
	free(r);
}

int jsonl_rewind(struct jsonl_reader *r, struct cl_err *err)
{
	if (rwin_rewind(&r->w, err))
		return -1;
	r->line = 0;
	r->started = 0;
	return 0;
}

long jsonl_record_line(const struct jsonl_reader *r) { return r->rec_line; }
uint64_t jsonl_bytes_done(const struct jsonl_reader *r)
{
	return rwin_abs(&r->w, r->w.p);
}
uint64_t jsonl_bytes_total(const struct jsonl_reader *r) { return r->w.total; }
int jsonl_record_fixed(const struct jsonl_reader *r) { return r->fixed; }

/* Next physical line into r->ln (without its line end): 1, 0 at end, -1 error. */
static int read_line(struct jsonl_reader *r, struct cl_err *err)
{
	sbuf_reset(&r->ln);
	int any = 0;
	for (;;) {
		if (r->w.p == r->w.end) {
			int n = fill(r, err);
			if (n < 0)
				return -1;
			if (n == 0)
				break;
		}
		any = 1;
		char *nl = memchr(r->w.p, '\n', (size_t)(r->w.end - r->w.p));
		if (nl) {
			sbuf_add(&r->ln, r->w.p, (size_t)(nl - r->w.p));
			r->w.p = nl + 1;
			break;
		}
		sbuf_add(&r->ln, r->w.p, (size_t)(r->w.end - r->w.p));
		r->w.p = r->w.end;
	}
	if (!any)
		return 0;
	r->line++;
	if (r->ln.len && r->ln.buf[r->ln.len - 1] == '\r')
		r->ln.len--;
	sbuf_addc(&r->ln, '\0');
	r->ln.len--;
	return 1;
}

struct pstate {
	struct jsonl_reader *r;
	const char *s, *p, *end;
	struct cl_err *err;
};

static int perr(struct pstate *ps, const char *what)
{
	return cl_err_set(ps->err, CL_EINVAL, "%s:%ld:%zu: %s", ps->r->w.name, ps->r->line,
	                  (size_t)(ps->p - ps->s) + 1, what);
}

static void skip_ws(struct pstate *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n'))
		ps->p++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct sbuf *sb, unsigned cp)
{
	char b[4];
	if (cp < 0x80) { b[0] = (char)cp; sbuf_add(sb, b, 1); }
	else if (cp < 0x800) { b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F)); sbuf_add(sb, b, 2); }
	else if (cp < 0x10000) { b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[2] = (char)(0x80 | (cp & 0x3F)); sbuf_add(sb, b, 3); }
	else { b[0] = (char)(0xF0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); sbuf_add(sb, b, 4); }
}

/* Decode a string at ps->p (on the opening quote) into dec; NUL-terminated. */
static int parse_string(struct pstate *ps, size_t *off, size_t *len)
{
	struct sbuf *d = &ps->r->dec;
	const char *open = ps->p;
	ps->p++;
	*off = d->len;
	for (;;) {
		const char *q = ps->p;
		while (q < ps->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		sbuf_add(d, ps->p, (size_t)(q - ps->p));
		ps->p = q;
		if (q >= ps->end) {
			ps->p = open;
			return perr(ps, "unterminated string");
		}
		if (*q == '"') {
			ps->p++;
			break;
		}
		if ((unsigned char)*q < 0x20)
			return perr(ps, "control character in a string (write it as \\n, \\t or \\u00XX)");
		/* escape */
		if (q + 1 >= ps->end) {
			ps->p = open;
			return perr(ps, "unterminated string");
		}
		char e = q[1];
		ps->p = q + 2;
		switch (e) {
		case '"': sbuf_addc(d, '"'); break;
		case '\\': sbuf_addc(d, '\\'); break;
		case '/': sbuf_addc(d, '/'); break;
		case 'b': sbuf_addc(d, '\b'); break;
		case 'f': sbuf_addc(d, '\f'); break;
		case 'n': sbuf_addc(d, '\n'); break;
		case 'r': sbuf_addc(d, '\r'); break;
		case 't': sbuf_addc(d, '\t'); break;
		case 'u': {
			unsigned cp, lo;
			if (ps->end - ps->p < 4 || hex4(ps->p, &cp))
				return perr(ps, "bad \\u escape");
			ps->p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' &&
				    hex4(ps->p + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					ps->p += 6;
				} else
					cp = 0xFFFD;
			} else if (cp >= 0xDC00 && cp <= 0xDFFF)
				cp = 0xFFFD;
			put_utf8(d, cp);
			break;
		}
		default:
			ps->p = q;
			return perr(ps, "bad escape in a string");
		}
	}
	*len = d->len - *off;
	sbuf_addc(d, '\0');
	return 0;
}

static int parse_number(struct pstate *ps)
{
	const char *p = ps->p;
	if (p < ps->end && *p == '-')
		p++;
	if (p < ps->end && *p == '0')
		p++;
	else if (p < ps->end && *p >= '1' && *p <= '9')
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	else
		return perr(ps, "bad number");
	if (p < ps->end && *p == '.') {
		p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return perr(ps, "bad number");
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= ps->end || *p < '0' || *p > '9')
			return perr(ps, "bad number");
		while (p < ps->end && *p >= '0' && *p <= '9')
			p++;
	}
	ps->p = p;
	return 0;
}

/* Skip a nested object or array, string-aware. */
static int skip_nested(struct pstate *ps)
{
	int depth = 0;
	const char *start = ps->p;
	while (ps->p < ps->end) {
		char c = *ps->p;
		if (c == '"') {
			ps->p++;
			while (ps->p < ps->end && *ps->p != '"') {
				if (*ps->p == '\\')
					ps->p++;
				ps->p++;
			}
			if (ps->p >= ps->end)
				return perr(ps, "unterminated string");
		} else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (--depth == 0) {
				ps->p++;
				return 0;
			}
		}
		ps->p++;
	}
	ps->p = start;
	return perr(ps, "unterminated object or array");
}

static int parse_object(struct jsonl_reader *r, const char *s, size_t n, struct cl_err *err)
{
	struct pstate ps = { r, s, s, s + n, err };
	sbuf_reset(&r->dec);
	r->nm = 0;
	skip_ws(&ps);
	if (ps.p >= ps.end || *ps.p != '{')
		return perr(&ps, "expected a JSON object ('{') on each line");
	ps.p++;
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '}') {
		ps.p++;
		goto done;
	}
	for (;;) {
		struct moff m = {0};
		skip_ws(&ps);
		if (ps.p >= ps.end || *ps.p != '"')
			return perr(&ps, "expected a key in double quotes");
		if (parse_string(&ps, &m.key, &m.key_len))
			return -1;
		skip_ws(&ps);
		if (ps.p >= ps.end || *ps.p != ':')
			return perr(&ps, "expected ':' after the key");
		ps.p++;
		skip_ws(&ps);
		if (ps.p >= ps.end)
			return perr(&ps, "expected a value");
		char c = *ps.p;
		const char *v0 = ps.p;
		if (c == '"') {
			m.kind = JSONL_STRING;
			if (parse_string(&ps, &m.val, &m.val_len))
				return -1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			m.kind = JSONL_NUMBER;
			if (parse_number(&ps))
				return -1;
			m.val = r->dec.len;
			m.val_len = (size_t)(ps.p - v0);
			sbuf_add(&r->dec, v0, m.val_len);
			sbuf_addc(&r->dec, '\0');
		} else if (c == '{' || c == '[') {
			m.kind = JSONL_NESTED;
			if (skip_nested(&ps))
				return -1;
			m.val = r->dec.len;
			m.val_len = (size_t)(ps.p - v0);
			sbuf_add(&r->dec, v0, m.val_len);
			sbuf_addc(&r->dec, '\0');
		} else if (ps.end - ps.p >= 4 && memcmp(ps.p, "true", 4) == 0) {
			m.kind = JSONL_BOOL;
			ps.p += 4;
			m.val = r->dec.len;
			m.val_len = 1;
			sbuf_add(&r->dec, "1", 2);
		} else if (ps.end - ps.p >= 5 && memcmp(ps.p, "false", 5) == 0) {
			m.kind = JSONL_BOOL;
			ps.p += 5;
			m.val = r->dec.len;
			m.val_len = 1;
			sbuf_add(&r->dec, "0", 2);
		} else if (ps.end - ps.p >= 4 && memcmp(ps.p, "null", 4) == 0) {
			m.kind = JSONL_NULL;
			ps.p += 4;
		} else
			return perr(&ps, "expected a value (string, number, true, false, null, object or array)");
		if (r->nm == r->mcap) {
			r->mcap = r->mcap ? r->mcap * 2 : 32;
			r->m = xreallocarray(r->m, r->mcap, sizeof *r->m);
		}
		r->m[r->nm++] = m;
		skip_ws(&ps);
		if (ps.p < ps.end && *ps.p == ',') {
			ps.p++;
			continue;
		}
		if (ps.p < ps.end && *ps.p == '}') {
			ps.p++;
			break;
		}
		return perr(&ps, "expected ',' or '}'");
	}
done:
	skip_ws(&ps);
	if (ps.p < ps.end)
		return perr(&ps, "unexpected text after the object (one object per line)");
	return 0;
}

int jsonl_next(struct jsonl_reader *r, const struct jsonl_member **members, size_t *n,
               struct cl_err *err)
{
	for (;;) {
		int rc = read_line(r, err);
		if (rc <= 0)
			return rc;
		const char *s = r->ln.buf;
		size_t len = r->ln.len;
		if (!r->started) {
			r->started = 1;
			if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
				s += 3, len -= 3;
		}
		size_t k = 0;
		while (k < len && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k == len)
			continue;
		r->rec_line = r->line;
		r->fixed = 0;
		size_t bad = csv_utf8_bad(s, len);
		if (bad != len) {
			if (!r->lenient)
				return cl_err_set(err, CL_EINVAL, "%s:%ld:%zu: invalid UTF-8 (byte 0x%02x)",
				                  r->w.name, r->line, bad + 1, (unsigned char)s[bad]);
			sbuf_reset(&r->fixed_ln);
			csv_utf8_fix(&r->fixed_ln, s, len);
			s = r->fixed_ln.buf;
			len = r->fixed_ln.len;
			r->fixed = 1;
		}
		if (parse_object(r, s, len, err))
			return -1;
		if (r->nm > r->outcap) {
			r->outcap = r->nm * 2;
			r->out = xreallocarray(r->out, r->outcap, sizeof *r->out);
		}
		for (size_t i = 0; i < r->nm; i++) {
			struct moff *m = &r->m[i];
			r->out[i].key = r->dec.buf + m->key;
			r->out[i].key_len = m->key_len;
			r->out[i].val = m->kind == JSONL_NULL ? NULL : r->dec.buf + m->val;
			r->out[i].val_len = m->kind == JSONL_NULL ? 0 : m->val_len;
			r->out[i].kind = m->kind;
		}
		*members = r->out;
		*n = r->nm;
		return 1;
	}
}
