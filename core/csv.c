/* csv.c — streaming RFC 4180 reader: one pass over a 1 MiB buffer, fields
 * copied once into a per-record buffer (quotes undoubled), UTF-8 checked per
 * field with an ASCII fast path. */
#include "core/csv.h"
#include "core/readwin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fld {
	size_t   off, len;
	uint64_t start_abs;   /* absolute offset of the field's first raw byte */
	long     line;        /* line of that byte */
	uint64_t line_abs;    /* absolute offset where that line starts */
	int      quoted;
};

struct csv_reader {
	struct read_window w; /* the input */

	char     delim;
	int      lenient;
	int      no_utf8;
	unsigned char cls[256];   /* 1 for delim, CR, LF */

	long     line;        /* current physical line, 1-based */
	uint64_t line_abs;    /* absolute offset of the current line's start */
	int      prev_cr;     /* inside quotes: last byte was CR */
	long     rec_line;

	char    *rec;         /* decoded record, fields NUL-separated */
	size_t   rec_len, rec_cap;
	struct fld *f;
	size_t   nf, fcap;
	struct csv_field *out;
	size_t   outcap;
	struct sbuf fix;      /* lenient replacements */
	int      fixed;
	int      started;     /* BOM checked */
	const char *const *names;   /* header names for messages (not owned) */
	size_t   nnames;
};

#define ABS(r, q) rwin_abs(&(r)->w, (q))

static void rec_add(struct csv_reader *r, const char *s, size_t n)
{
	if (r->rec_len + n + 1 > r->rec_cap) {
		size_t cap = r->rec_cap ? r->rec_cap : 4096;
		while (cap < r->rec_len + n + 1)
			cap *= 2;
		r->rec = xrealloc(r->rec, cap);
		r->rec_cap = cap;
	}
	memcpy(r->rec + r->rec_len, s, n);
	r->rec_len += n;
}

/* Refill the window; 1 more bytes, 0 end of input, -1 error. */
static int fill(struct csv_reader *r, struct cl_err *err)
{
	return rwin_fill(&r->w, err);
}

static void init_common(struct csv_reader *r, const struct csv_opts *opts)
{
	r->delim = opts && opts->delim ? opts->delim : ',';
	r->lenient = opts ? opts->lenient : 0;
	r->no_utf8 = opts ? opts->no_utf8_check : 0;
	r->cls[(unsigned char)r->delim] = 1;
	r->cls['\r'] = 1;
	r->cls['\n'] = 1;
	r->line = 1;
}

int csv_open(const char *path, const struct csv_opts *opts, struct csv_reader **out,
             struct cl_err *err)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);
	*out = NULL;
	if (rwin_open(&r->w, path, 1, err)) {
		free(r);
		return -1;
	}
	init_common(r, opts);
	*out = r;
	return 0;
}

struct csv_reader *csv_open_mem(const char *name, const char *data, size_t len,
                                const struct csv_opts *opts)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);
	rwin_open_mem(&r->w, name, data, len, opts ? opts->mem_chunk : 0);
	init_common(r, opts);
	return r;
}

void csv_close(struct csv_reader *r)
{
	if (!r)
		return;
	rwin_close(&r->w);
	free(r->rec);
	free(r->f);
	free(r->out);
	sbuf_free(&r->fix);
	free(r);
}

int csv_rewind(struct csv_reader *r, struct cl_err *err)
{
	if (rwin_rewind(&r->w, err))
		return -1;
	r->line = 1;
	r->line_abs = 0;
	r->prev_cr = 0;
	r->started = 0;
	return 0;
}

long csv_record_line(const struct csv_reader *r) { return r->rec_line; }
uint64_t csv_bytes_done(const struct csv_reader *r) { return ABS(r, r->w.p); }
uint64_t csv_bytes_total(const struct csv_reader *r) { return r->w.total; }
int csv_record_fixed(const struct csv_reader *r) { return r->fixed; }
const char *csv_name(const struct csv_reader *r) { return r->w.name; }

size_t csv_utf8_bad(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		/* ASCII fast path, 8 bytes at a time (stops at a high bit or a NUL) */
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if ((w | ((w - 0x0101010101010101ull) & ~w)) & 0x8080808080808080ull)
				break;
			p += 8;
		}
		if (p >= end)
			break;
		unsigned c = *p;
		size_t k;
		uint32_t cp;
		/* A NUL is no text: SQLite and every C string would cut the value there. */
		if (c == 0) return (size_t)(p - (const unsigned char *)s);
		if (c < 0x80) { p++; continue; }
		else if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; }
		else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
		else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; }
		else return (size_t)(p - (const unsigned char *)s);
		if ((size_t)(end - p) <= k)
			return (size_t)(p - (const unsigned char *)s);
		for (size_t i = 1; i <= k; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return (size_t)(p - (const unsigned char *)s);
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return (size_t)(p - (const unsigned char *)s);
		p += k + 1;
	}
	return n;
}

void csv_utf8_fix(struct sbuf *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t bad = csv_utf8_bad(s + i, n - i);
		sbuf_add(out, s + i, bad);
		i += bad;
		if (i < n) {
			sbuf_add(out, "\xEF\xBF\xBD", 3);
			i++;
		}
	}
}

static int err_at(struct csv_reader *r, struct cl_err *err, long line, uint64_t line_abs,
                  uint64_t abs, size_t fi, const char *what)
{
	char field[160] = "";
	if (fi != (size_t)-1) {
		if (fi < r->nnames)
			snprintf(field, sizeof field, " in field %zu (\"%.120s\")", fi + 1, r->names[fi]);
		else
			snprintf(field, sizeof field, " in field %zu", fi + 1);
	}
	return cl_err_set(err, CL_EINVAL, "%s:%ld:%llu: %s%s", r->w.name, line,
	                  (unsigned long long)(abs - line_abs + 1), what, field);
}

void csv_set_field_names(struct csv_reader *r, const char *const *names, size_t n)
{
	r->names = names;
	r->nnames = n;
}

static void push_field(struct csv_reader *r, size_t off, uint64_t start_abs, long line,
                       uint64_t line_abs, int quoted)
{
	if (r->nf == r->fcap) {
		r->fcap = r->fcap ? r->fcap * 2 : 32;
		r->f = xreallocarray(r->f, r->fcap, sizeof *r->f);
	}
	struct fld *f = &r->f[r->nf++];
	f->off = off;
	f->len = r->rec_len - off;
	f->start_abs = start_abs;
	f->line = line;
	f->line_abs = line_abs;
	f->quoted = quoted;
	rec_add(r, "", 1);   /* NUL terminator */
}

/* Where decoded byte k of field f sits in the file, for messages. */
static void locate(const struct csv_reader *r, const struct fld *f, size_t k, long *line,
                   uint64_t *line_abs, uint64_t *abs)
{
	const char *s = r->rec + f->off;
	uint64_t a = f->start_abs + (f->quoted ? 1 : 0);
	long ln = f->line;
	uint64_t la = f->line_abs;
	for (size_t i = 0; i < k; i++) {
		a++;
		if (f->quoted && s[i] == '"')
			a++;
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= f->len || s[i + 1] != '\n'))) {
			ln++;
			la = a;
		}
	}
	*line = ln;
	*line_abs = la;
	*abs = a;
}

/* Parse one record into r->rec / r->f: 1 record, 0 end, -1 error. */
static int parse_record(struct csv_reader *r, struct cl_err *err)
{
	const unsigned char *cls = r->cls;
	const char delim = r->delim;
	r->rec_len = 0;
	r->nf = 0;
	if (!r->started) {
		r->started = 1;
		if (r->w.p == r->w.end && fill(r, err) < 0)
			return -1;
		/* nothing is consumed yet: widen the first window to three bytes */
		while (r->w.end - r->w.p < 3 && !r->w.eof && r->w.p < r->w.end) {
			if (r->w.fd < 0) {
				char *memend = r->w.mem + r->w.memlen;
				if (r->w.end >= memend)
					break;
				r->w.end = r->w.end + 3 > memend ? memend : r->w.end + 3;
			} else {
				ssize_t n;
				do
					n = read(r->w.fd, r->w.end, RWIN_BUF - (size_t)(r->w.end - r->w.buf));
				while (n < 0 && errno == EINTR);
				if (n < 0)
					return cl_err_set(err, CL_EIO, "%s: %s", r->w.name, strerror(errno));
				if (n == 0) {
					r->w.eof = 1;
					break;
				}
				r->w.end += n;
			}
		}
		if (r->w.end - r->w.p >= 3 && memcmp(r->w.p, "\xEF\xBB\xBF", 3) == 0) {
			r->w.p += 3;
			r->line_abs = 3;
		}
	}
	/* skip blank lines between records */
	for (;;) {
		if (r->w.p == r->w.end) {
			int n = fill(r, err);
			if (n < 0)
				return -1;
			if (n == 0)
				return 0;
		}
		if (*r->w.p == '\n') {
			r->w.p++;
			r->line++;
			r->line_abs = ABS(r, r->w.p);
		} else if (*r->w.p == '\r') {
			r->w.p++;
			r->line++;
			if (r->w.p == r->w.end && fill(r, err) < 0)
				return -1;
			if (r->w.p < r->w.end && *r->w.p == '\n')
				r->w.p++;
			r->line_abs = ABS(r, r->w.p);
		} else
			break;
	}
	r->rec_line = r->line;
	for (;;) {   /* one field per turn */
		size_t off = r->rec_len;
		uint64_t start_abs = ABS(r, r->w.p);
		long fline = r->line;
		uint64_t fline_abs = r->line_abs;
		int quoted = 0;
		if (r->w.p == r->w.end && fill(r, err) < 0)
			return -1;
		if (r->w.p < r->w.end && *r->w.p == '"') {
			quoted = 1;
			r->w.p++;
			r->prev_cr = 0;
			for (;;) {
				if (r->w.p == r->w.end) {
					int n = fill(r, err);
					if (n < 0)
						return -1;
					if (n == 0) {
						if (r->lenient)
							break;
						return err_at(r, err, fline, fline_abs, start_abs, r->nf,
						              "unterminated quoted field (the quote opened here is never closed)");
					}
				}
				char *q = r->w.p, *e = r->w.end;
				while (q < e) {
					char ch = *q;
					if (ch == '"')
						break;
					if (ch == '\n') {
						if (!r->prev_cr)
							r->line++;
						r->prev_cr = 0;
						r->line_abs = ABS(r, q + 1);
					} else if (ch == '\r') {
						r->line++;
						r->prev_cr = 1;
						r->line_abs = ABS(r, q + 1);
					} else
						r->prev_cr = 0;
					q++;
				}
				rec_add(r, r->w.p, (size_t)(q - r->w.p));
				r->w.p = q;
				if (q == e)
					continue;
				/* at a quote: doubled, or the end of the field */
				r->w.p++;
				if (r->w.p == r->w.end && fill(r, err) < 0)
					return -1;
				if (r->w.p < r->w.end && *r->w.p == '"') {
					rec_add(r, "\"", 1);
					r->w.p++;
					r->prev_cr = 0;
					continue;
				}
				break;
			}
			if (r->w.p < r->w.end && !cls[(unsigned char)*r->w.p]) {
				if (!r->lenient) {
					char msg[128];
					unsigned char ch = (unsigned char)*r->w.p;
					if (ch >= 0x20 && ch < 0x7f)
						snprintf(msg, sizeof msg, "unexpected '%c' after a closing quote "
						         "(a quote inside a quoted field must be doubled)", ch);
					else
						snprintf(msg, sizeof msg, "unexpected byte 0x%02x after a closing quote", ch);
					return err_at(r, err, r->line, r->line_abs, ABS(r, r->w.p), r->nf, msg);
				}
				/* lenient: the rest up to the delimiter is kept as text */
				goto unquoted;
			}
		} else {
unquoted:
			for (;;) {
				char *q = r->w.p, *e = r->w.end;
				while (q < e && !cls[(unsigned char)*q])
					q++;
				rec_add(r, r->w.p, (size_t)(q - r->w.p));
				r->w.p = q;
				if (q < e)
					break;
				int n = fill(r, err);
				if (n < 0)
					return -1;
				if (n == 0)
					break;
			}
		}
		push_field(r, off, start_abs, fline, fline_abs, quoted);
		/* after a field: delimiter, line end or end of input */
		if (r->w.p == r->w.end) {
			int n = fill(r, err);
			if (n < 0)
				return -1;
			if (n == 0)
				return 1;
		}
		char ch = *r->w.p;
		if (ch == delim) {
			r->w.p++;
			continue;
		}
		r->w.p++;
		r->line++;
		if (ch == '\r') {
			if (r->w.p == r->w.end && fill(r, err) < 0)
				return -1;
			if (r->w.p < r->w.end && *r->w.p == '\n')
				r->w.p++;
		}
		r->line_abs = ABS(r, r->w.p);
		return 1;
	}
}

int csv_next(struct csv_reader *r, const struct csv_field **fields, size_t *nfields,
             struct cl_err *err)
{
	int rc = parse_record(r, err);
	if (rc <= 0)
		return rc;
	if (r->nf > r->outcap) {
		r->outcap = r->nf * 2;
		r->out = xreallocarray(r->out, r->outcap, sizeof *r->out);
	}
	r->fixed = 0;
	sbuf_reset(&r->fix);
	/* check UTF-8; lenient mode rewrites bad fields into r->fix */
	size_t nbad = 0;
	for (size_t i = 0; i < r->nf && !r->no_utf8; i++) {
		struct fld *f = &r->f[i];
		size_t bad = csv_utf8_bad(r->rec + f->off, f->len);
		if (bad == f->len)
			continue;
		if (!r->lenient) {
			long line;
			uint64_t la, abs;
			char msg[96];
			locate(r, f, bad, &line, &la, &abs);
			if (r->rec[f->off + bad] == '\0')
				snprintf(msg, sizeof msg, "a NUL byte (0x00), which is not text");
			else
				snprintf(msg, sizeof msg, "invalid UTF-8 (byte 0x%02x)",
				         (unsigned char)r->rec[f->off + bad]);
			return err_at(r, err, line, la, abs, i, msg);
		}
		nbad++;
	}
	if (nbad) {
		/* offsets into fix, as it may move while growing */
		size_t *fixoff = xcalloc(r->nf, sizeof *fixoff);
		for (size_t i = 0; i < r->nf; i++) {
			struct fld *f = &r->f[i];
			if (csv_utf8_bad(r->rec + f->off, f->len) == f->len) {
				fixoff[i] = (size_t)-1;
				continue;
			}
			fixoff[i] = r->fix.len;
			size_t before = r->fix.len;
			csv_utf8_fix(&r->fix, r->rec + f->off, f->len);
			f->len = r->fix.len - before;
			sbuf_addc(&r->fix, '\0');
		}
		for (size_t i = 0; i < r->nf; i++) {
			struct fld *f = &r->f[i];
			r->out[i].s = fixoff[i] == (size_t)-1 ? r->rec + f->off : r->fix.buf + fixoff[i];
			r->out[i].len = f->len;
			r->out[i].quoted = f->quoted;
		}
		free(fixoff);
		r->fixed = 1;
	} else {
		for (size_t i = 0; i < r->nf; i++) {
			r->out[i].s = r->rec + r->f[i].off;
			r->out[i].len = r->f[i].len;
			r->out[i].quoted = r->f[i].quoted;
		}
	}
	*fields = r->out;
	*nfields = r->nf;
	return 1;
}

int csv_field_pos(const struct csv_reader *r, size_t i, long *line, long *col)
{
	if (i >= r->nf)
		return -1;
	*line = r->f[i].line;
	*col = (long)(r->f[i].start_abs - r->f[i].line_abs + 1);
	return 0;
}

void csv_put_field(struct sbuf *out, const char *s, size_t n, char delim, int quote_empty)
{
	int need = n == 0 ? quote_empty : (s[0] == ' ' || s[n - 1] == ' ');
	for (size_t i = 0; i < n && !need; i++) {
		char c = s[i];
		if (c == delim || c == '"' || c == '\n' || c == '\r')
			need = 1;
	}
	if (!need) {
		sbuf_add(out, s, n);
		return;
	}
	sbuf_addc(out, '"');
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (!q) {
			sbuf_add(out, p, (size_t)(end - p));
			break;
		}
		sbuf_add(out, p, (size_t)(q - p) + 1);
		sbuf_addc(out, '"');
		p = q + 1;
	}
	sbuf_addc(out, '"');
}
