/* dataset.c — import (two streaming passes: check + infer, then insert typed
 * values), the cl_datasets registry, export and clean. */
#include "core/dataset.h"
#include "core/csv.h"
#include "core/jsonl.h"
#include "core/paths.h"
#include "core/query.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRESS_EVERY 4096

const char *ds_type_name(int type)
{
	switch (type) {
	case DS_T_INTEGER: return "integer";
	case DS_T_REAL: return "real";
	case DS_T_DATE: return "date";
	default: return "text";
	}
}

static int type_from_name(const char *s)
{
	if (!s)
		return DS_T_TEXT;
	if (strcasecmp(s, "integer") == 0 || strcasecmp(s, "int") == 0)
		return DS_T_INTEGER;
	if (strcasecmp(s, "real") == 0 || strcasecmp(s, "float") == 0 ||
	    strcasecmp(s, "double") == 0 || strcasecmp(s, "numeric") == 0)
		return DS_T_REAL;
	if (strcasecmp(s, "date") == 0 || strcasecmp(s, "datetime") == 0)
		return DS_T_DATE;
	return DS_T_TEXT;
}

static const char *sql_decl(int type)
{
	switch (type) {
	case DS_T_INTEGER: return "INTEGER";
	case DS_T_REAL: return "REAL";
	default: return "TEXT";
	}
}

int ds_format_parse(const char *name)
{
	if (strcasecmp(name, "csv") == 0) return DS_FMT_CSV;
	if (strcasecmp(name, "tsv") == 0 || strcasecmp(name, "tab") == 0) return DS_FMT_TSV;
	if (strcasecmp(name, "jsonl") == 0 || strcasecmp(name, "json") == 0 ||
	    strcasecmp(name, "ndjson") == 0) return DS_FMT_JSONL;
	return -1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int ndigits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

static int num2(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

static int is_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (n < 10 || !ndigits(s, 4) || s[4] != '-' || !ndigits(s + 5, 2) || s[7] != '-' ||
	    !ndigits(s + 8, 2))
		return 0;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + num2(s + 2), m = num2(s + 5), d = num2(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	if (n == 10)
		return 1;
	if (s[10] != 'T' && s[10] != ' ')
		return 0;
	const char *p = s + 11, *e = s + n;
	if (e - p < 5 || !ndigits(p, 2) || p[2] != ':' || !ndigits(p + 3, 2) ||
	    num2(p) > 23 || num2(p + 3) > 59)
		return 0;
	p += 5;
	if (p < e && *p == ':') {
		if (e - p < 3 || !ndigits(p + 1, 2) || num2(p + 1) > 60)
			return 0;
		p += 3;
		if (p < e && *p == '.') {
			p++;
			const char *f = p;
			while (p < e && is_digit(*p))
				p++;
			if (p == f)
				return 0;
		}
	}
	if (p == e)
		return 1;
	if (*p == 'Z')
		return p + 1 == e;
	if (*p == '+' || *p == '-') {
		p++;
		if (e - p == 5 && ndigits(p, 2) && p[2] == ':' && ndigits(p + 3, 2))
			return 1;
		if (e - p == 4 && ndigits(p, 4))
			return 1;
		if (e - p == 2 && ndigits(p, 2))
			return 1;
	}
	return 0;
}

int ds_value_type(const char *s, size_t n)
{
	if (n == 0)
		return DS_T_NULL;
	const char *p = s, *e = s + n;
	int neg = 0;
	if (*p == '-')
		p++, neg = 1;
	if (p < e && is_digit(*p)) {
		const char *d0 = p;
		if (*p == '0')
			p++;
		else
			while (p < e && is_digit(*p))
				p++;
		size_t idig = (size_t)(p - d0);
		int frac = 0;
		if (p < e && *p == '.') {
			p++;
			const char *f = p;
			while (p < e && is_digit(*p))
				p++;
			if (p == f)
				goto not_number;
			frac = 1;
		}
		if (p < e && (*p == 'e' || *p == 'E')) {
			p++;
			if (p < e && (*p == '+' || *p == '-'))
				p++;
			const char *x = p;
			while (p < e && is_digit(*p))
				p++;
			if (p == x)
				goto not_number;
			frac = 1;
		}
		if (p == e) {
			if (frac) {
				if (!memchr(s, 'e', n) && !memchr(s, 'E', n))
					return DS_T_REAL;
				double v = strtod(s, NULL);
				return isfinite(v) ? DS_T_REAL : DS_T_TEXT;
			}
			if (neg && idig == 1 && *d0 == '0')
				return DS_T_TEXT;   /* "-0" would not read back the same */
			if (idig < 19)
				return DS_T_INTEGER;
			if (idig == 19) {
				/* compare against 9223372036854775807 / ...808 */
				int c = memcmp(d0, "9223372036854775807", 19);
				if (c < 0 || (c == 0) || (neg && memcmp(d0, "9223372036854775808", 19) <= 0))
					return DS_T_INTEGER;
			}
			return DS_T_TEXT;
		}
	}
not_number:
	if (n >= 10 && is_digit(s[0]) && is_date(s, n))
		return DS_T_DATE;
	return DS_T_TEXT;
}

static int merge_type(int a, int b)
{
	if (a == DS_T_NULL)
		return b;
	if (b == DS_T_NULL || a == b)
		return a;
	if ((a == DS_T_INTEGER && b == DS_T_REAL) || (a == DS_T_REAL && b == DS_T_INTEGER))
		return DS_T_REAL;
	return DS_T_TEXT;
}

/* ---- personal data ------------------------------------------------------ */

static void norm_name(const char *name, char *out, size_t cap)
{
	size_t j = 0;
	for (const char *p = name; *p && j + 1 < cap; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ' ' || c == '-' || c == '.')
			c = '_';
		out[j++] = (char)tolower(c);
	}
	out[j] = 0;
}

/* 2: always personal; 1: personal when the table holds other personal columns. */
static int personal_name(const char *name)
{
	static const char *const exact[] = {
		"first_name", "last_name", "firstname", "lastname", "full_name", "fullname",
		"surname", "given_name", "family_name", "customer_name", "contact_name",
		"tel", "telephone", "cell", "cellphone", "mail", "street", "birthday", "dob", "date_of_birth", "ip", "ip_address",
		"姓名", "名字", "电话", "手机", "手机号", "邮箱", "地址", "身份证",
	};
	static const char *const contains[] = { "email", "e_mail", "phone", "mobile", "address" };
	char n[128];
	norm_name(name, n, sizeof n);
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (strcmp(n, exact[i]) == 0)
			return 2;
	/* consent_email, has_phone, email_opt_in ... are flags about a contact, not the contact */
	static const char *const flags[] = { "consent", "opt_in", "optin", "opt_out", "optout",
	                                     "allow", "subscri", "verified", "valid", "bounce",
	                                     "count", "pref" };
	static const char *const flag_prefix[] = { "has_", "is_", "n_", "num_", "no_" };
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (strstr(n, flags[i]))
			return 0;
	for (size_t i = 0; i < sizeof flag_prefix / sizeof flag_prefix[0]; i++)
		if (strncmp(n, flag_prefix[i], strlen(flag_prefix[i])) == 0)
			return 0;
	for (size_t i = 0; i < sizeof contains / sizeof contains[0]; i++)
		if (strstr(n, contains[i]))
			return 2;
	if (strcmp(n, "name") == 0 || strcmp(n, "contact") == 0)
		return 1;
	return 0;
}

static int looks_email(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (!at || at == s || at == s + n - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == ',' || s[i] == ';' || (s[i] == '@' && s + i != at))
			return 0;
	const char *dot = memchr(at, '.', (size_t)(s + n - at));
	return dot && dot > at + 1 && dot < s + n - 1;
}

static int looks_phone(const char *s, size_t n)
{
	int digits = 0, seps = 0, plus = 0;
	int vt = ds_value_type(s, n);
	if (vt == DS_T_DATE || vt == DS_T_REAL)
		return 0;
	if (vt == DS_T_INTEGER)   /* a bare number is a phone only as a Chinese mobile */
		return n == 11 && s[0] == '1';
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (is_digit(c))
			digits++;
		else if (c == '+' && i == 0)
			plus = 1;
		else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.')
			seps++;
		else
			return 0;
	}
	if (digits < 7 || digits > 15)
		return 0;
	if (plus || seps)
		return 1;
	return digits == 11 && s[0] == '1';   /* a bare Chinese mobile number */
}

/* ---- importer ------------------------------------------------------------- */

#define PERSONAL_SAMPLE 1000

struct col {
	char   *name;
	int     type;
	int     ptype;       /* existing table's type (append) */
	int64_t sampled, email, phone;
	int     personal;
	int     map;         /* file column -> table column (append) */
	int     checked;     /* pass 1 saw every value fit ptype: bind without checking */
	long    first_line[DS_T_TEXT + 1];  /* pass 1: line of the first value of each type */
};

struct keyidx {          /* JSONL key -> column, open addressing */
	char  **keys;
	int    *idx;
	size_t  cap;
};

struct importer {
	struct workspace *ws;
	const struct ds_import_opts *o;
	int      format;
	struct csv_reader *csv;
	struct jsonl_reader *jl;
	char    *table;
	struct col *cols;
	size_t   ncols, colcap;
	struct keyidx kx;
	int64_t  rows, padded, truncated, fixed;
	uint64_t size;
	int      pass;
	uint64_t base_done;       /* bytes done before this file (samples) */
	uint64_t grand_total;     /* all bytes over both passes (samples) */
	int64_t  rows_before;
	int     *slot;            /* JSONL pass 2: member index per column */
	const char **names;       /* header names, for the reader's messages */
};

static uint64_t bytes_done(const struct importer *im)
{
	return im->csv ? csv_bytes_done(im->csv) : jsonl_bytes_done(im->jl);
}

static int report_progress(struct importer *im, struct cl_err *err)
{
	if (!im->o->progress)
		return 0;
	uint64_t done = im->base_done + (im->pass == 2 ? im->size : 0) + bytes_done(im);
	uint64_t total = im->grand_total ? im->grand_total : 2 * im->size;
	if (im->o->progress(im->o->pctx, done, total, (uint64_t)im->rows))
		return cl_err_set(err, CL_ECANCEL, "%s: import cancelled; the workspace is unchanged",
		                  im->o->path);
	return 0;
}

static void add_col(struct importer *im, const char *name, size_t len)
{
	if (im->ncols == im->colcap) {
		im->colcap = im->colcap ? im->colcap * 2 : 16;
		im->cols = xreallocarray(im->cols, im->colcap, sizeof *im->cols);
	}
	struct col *c = &im->cols[im->ncols];
	memset(c, 0, sizeof *c);
	/* trim spaces; empty -> col_N; duplicates -> name_2 ... */
	while (len && (*name == ' ' || *name == '\t'))
		name++, len--;
	while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	char *n = len ? xstrndup(name, len) : xasprintf("col_%zu", im->ncols + 1);
	for (int k = 2;; k++) {
		int dup = 0;
		for (size_t i = 0; i < im->ncols; i++)
			if (strcasecmp(im->cols[i].name, n) == 0)
				dup = 1;
		if (strcasecmp(n, "rowid") == 0 || strcasecmp(n, "_rowid_") == 0 || strcasecmp(n, "oid") == 0)
			dup = 1;
		if (!dup)
			break;
		char *m = len ? xasprintf("%.*s_%d", (int)len, name, k) : xasprintf("col_%zu_%d", im->ncols + 1, k);
		free(n);
		n = m;
	}
	c->name = n;
	c->type = DS_T_NULL;
	c->map = (int)im->ncols;
	im->ncols++;
}

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int kx_find(struct keyidx *kx, const char *key, size_t len)
{
	if (!kx->cap)
		return -1;
	size_t i = hash_str(key, len) & (kx->cap - 1);
	while (kx->keys[i]) {
		if (strlen(kx->keys[i]) == len && memcmp(kx->keys[i], key, len) == 0)
			return kx->idx[i];
		i = (i + 1) & (kx->cap - 1);
	}
	return -1;
}

static void kx_put(struct keyidx *kx, const char *key, size_t len, int idx, size_t count)
{
	if ((count + 1) * 2 > kx->cap) {
		struct keyidx nk = { NULL, NULL, kx->cap ? kx->cap * 2 : 64 };
		nk.keys = xcalloc(nk.cap, sizeof *nk.keys);
		nk.idx = xcalloc(nk.cap, sizeof *nk.idx);
		for (size_t i = 0; i < kx->cap; i++)
			if (kx->keys[i]) {
				size_t j = hash_str(kx->keys[i], strlen(kx->keys[i])) & (nk.cap - 1);
				while (nk.keys[j])
					j = (j + 1) & (nk.cap - 1);
				nk.keys[j] = kx->keys[i];
				nk.idx[j] = kx->idx[i];
			}
		free(kx->keys);
		free(kx->idx);
		*kx = nk;
	}
	size_t i = hash_str(key, len) & (kx->cap - 1);
	while (kx->keys[i])
		i = (i + 1) & (kx->cap - 1);
	kx->keys[i] = xstrndup(key, len);
	kx->idx[i] = idx;
}

static void importer_free(struct importer *im)
{
	csv_close(im->csv);
	jsonl_close(im->jl);
	for (size_t i = 0; i < im->ncols; i++)
		free(im->cols[i].name);
	free(im->cols);
	for (size_t i = 0; i < im->kx.cap; i++)
		free(im->kx.keys[i]);
	free(im->kx.keys);
	free(im->kx.idx);
	free(im->table);
	free(im->slot);
	free(im->names);
}

static void sample_value(struct col *c, const char *s, size_t n)
{
	if (c->sampled >= PERSONAL_SAMPLE || n == 0)
		return;
	c->sampled++;
	if (looks_email(s, n))
		c->email++;
	else if (looks_phone(s, n))
		c->phone++;
}

static int field_err(struct importer *im, struct cl_err *err, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int field_err(struct importer *im, struct cl_err *err, size_t i, const char *fmt, ...)
{
	long line = csv_record_line(im->csv), col = 1;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	csv_field_pos(im->csv, i, &line, &col);
	return cl_err_set(err, CL_EINVAL, "%s:%ld:%ld: %s", im->o->path, line, col, msg);
}

/* Pass 1 for CSV/TSV: header, shape checks, types. */
static int pass1_csv(struct importer *im, struct cl_err *err)
{
	const struct csv_field *f;
	size_t nf;
	int rc = csv_next(im->csv, &f, &nf, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return cl_err_set(err, CL_EINVAL, "%s:1:1: empty file (a header row is needed)", im->o->path);
	for (size_t i = 0; i < nf; i++)
		add_col(im, f[i].s, f[i].len);
	im->names = xcalloc(im->ncols + 1, sizeof *im->names);
	for (size_t i = 0; i < im->ncols; i++)
		im->names[i] = im->cols[i].name;
	csv_set_field_names(im->csv, im->names, im->ncols);
	while ((rc = csv_next(im->csv, &f, &nf, err)) > 0) {
		if (nf != im->ncols) {
			if (!im->o->lenient) {
				if (nf > im->ncols)
					return field_err(im, err, im->ncols,
					                 "row %lld has %zu fields, the header has %zu "
					                 "(a delimiter inside a field needs quotes; --lenient truncates)",
					                 (long long)im->rows + 1, nf, im->ncols);
				long line = csv_record_line(im->csv), col = 1;
				csv_field_pos(im->csv, nf - 1, &line, &col);
				return cl_err_set(err, CL_EINVAL, "%s:%ld:%ld: row %lld has %zu field%s, the header "
				                  "has %zu; missing \"%s\" (--lenient pads with NULL)",
				                  im->o->path, line, col, (long long)im->rows + 1, nf,
				                  nf == 1 ? "" : "s", im->ncols, im->cols[nf].name);
			}
			if (nf < im->ncols)
				im->padded++;
			else
				im->truncated++;
		}
		if (csv_record_fixed(im->csv))
			im->fixed++;
		size_t n = nf < im->ncols ? nf : im->ncols;
		for (size_t i = 0; i < n; i++) {
			struct col *c = &im->cols[i];
			if (f[i].len == 0)
				continue;
			if (c->sampled < PERSONAL_SAMPLE)
				sample_value(c, f[i].s, f[i].len);
			/* once a column is text nothing can change it (and any value that
			 * does not fit an appended-to column came no later than this one) */
			if (c->type != DS_T_TEXT) {
				int vt = ds_value_type(f[i].s, f[i].len);
				if (!c->first_line[vt])
					c->first_line[vt] = csv_record_line(im->csv);
				c->type = merge_type(c->type, vt);
			}
		}
		im->rows++;
		if ((im->rows & (PROGRESS_EVERY - 1)) == 0 && report_progress(im, err))
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

static int number_is_int(const char *s, size_t n)
{
	return ds_value_type(s, n) == DS_T_INTEGER;
}

static int member_type(const struct jsonl_member *m)
{
	switch (m->kind) {
	case JSONL_NULL: return DS_T_NULL;
	case JSONL_BOOL: return DS_T_INTEGER;
	case JSONL_NUMBER: return number_is_int(m->val, m->val_len) ? DS_T_INTEGER : DS_T_REAL;
	case JSONL_STRING:
		if (m->val_len == 0)
			return DS_T_NULL;
		return is_digit(m->val[0]) && is_date(m->val, m->val_len) ? DS_T_DATE : DS_T_TEXT;
	default: return DS_T_TEXT;
	}
}

static int pass1_jsonl(struct importer *im, struct cl_err *err)
{
	const struct jsonl_member *m;
	size_t n;
	int rc;
	while ((rc = jsonl_next(im->jl, &m, &n, err)) > 0) {
		for (size_t i = 0; i < n; i++) {
			int k = kx_find(&im->kx, m[i].key, m[i].key_len);
			if (k < 0) {
				kx_put(&im->kx, m[i].key, m[i].key_len, (int)im->ncols, im->ncols);
				add_col(im, m[i].key, m[i].key_len);
				k = (int)im->ncols - 1;
			}
			struct col *c = &im->cols[k];
			if (m[i].kind == JSONL_STRING)
				sample_value(c, m[i].val, m[i].val_len);
			int vt = member_type(&m[i]);
			if (!c->first_line[vt])
				c->first_line[vt] = jsonl_record_line(im->jl);
			c->type = merge_type(c->type, vt);
		}
		if (jsonl_record_fixed(im->jl))
			im->fixed++;
		im->rows++;
		if ((im->rows & (PROGRESS_EVERY - 1)) == 0 && report_progress(im, err))
			return -1;
	}
	if (rc == 0 && im->ncols == 0)
		return cl_err_set(err, CL_EINVAL, "%s: no objects with keys (nothing to import)", im->o->path);
	return rc < 0 ? -1 : 0;
}

static int64_t parse_i64(const char *s, size_t n)
{
	int neg = 0;
	size_t i = 0;
	uint64_t v = 0;
	if (n && s[0] == '-')
		neg = 1, i = 1;
	for (; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/* A decimal without exponent and with at most 15 significant digits is
 * mantissa / 10^k, exactly rounded (both are exact doubles); else strtod. */
static double parse_real(const char *s, size_t n)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	                              1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	                              1e20, 1e21, 1e22 };
	size_t i = 0;
	int neg = 0, digits = 0, frac = -1;
	uint64_t m = 0;
	if (n && s[0] == '-')
		neg = 1, i = 1;
	for (; i < n; i++) {
		char c = s[i];
		if (c == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (!is_digit(c) || digits >= 15)
			return strtod(s, NULL);
		m = m * 10 + (uint64_t)(c - '0');
		if (m)
			digits++;
		if (frac >= 0)
			frac++;
	}
	double v = (double)m;
	if (frac > 0) {
		if (frac > 22)
			return strtod(s, NULL);
		v /= p10[frac];
	}
	return neg ? -v : v;
}

/* Bind one value for a column of type t (the table's type). */
static int bind_value(sqlite3_stmt *st, int idx, int t, const char *s, size_t n,
                      int explicit_empty, int checked)
{
	if (!s || n == 0) {
		if (s && explicit_empty && t == DS_T_TEXT)
			return sqlite3_bind_text(st, idx, "", 0, SQLITE_STATIC);
		return sqlite3_bind_null(st, idx);
	}
	switch (t) {
	case DS_T_INTEGER:
		if (checked || ds_value_type(s, n) == DS_T_INTEGER)
			return sqlite3_bind_int64(st, idx, parse_i64(s, n));
		break;
	case DS_T_REAL: {
		int vt = checked ? DS_T_REAL : ds_value_type(s, n);
		if (vt == DS_T_INTEGER || vt == DS_T_REAL)
			return sqlite3_bind_double(st, idx, parse_real(s, n));
		break;
	}
	default:
		break;
	}
	return sqlite3_bind_text(st, idx, s, (int)n, SQLITE_STATIC);
}

static int valid_table_name(const char *name, struct cl_err *err)
{
	if (!*name)
		return cl_err_set(err, CL_EINVAL, "the table name is empty");
	if (strncasecmp(name, "cl_", 3) == 0 || strncasecmp(name, "sqlite_", 7) == 0)
		return cl_err_set(err, CL_EINVAL, "table name '%s' is reserved (cl_ and sqlite_ "
		                  "names belong to copylab and SQLite); choose another with --table", name);
	return 0;
}

/* A table name from a path: base name without extension, other bytes -> '_'. */
static char *table_from_path(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	struct sbuf sb = SBUF_INIT;
	if (n && is_digit(b[0]))
		sbuf_adds(&sb, "t_");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		sbuf_addc(&sb, (isalnum(c) || c == '_' || c >= 0x80) ? (char)c : '_');
	}
	if (!sb.len)
		sbuf_adds(&sb, "data");
	return sbuf_detach(&sb);
}

static int detect_format(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot && (strcasecmp(dot, ".tsv") == 0 || strcasecmp(dot, ".tab") == 0))
		return DS_FMT_TSV;
	if (dot && (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0 ||
	            strcasecmp(dot, ".json") == 0))
		return DS_FMT_JSONL;
	return DS_FMT_CSV;
}

static int64_t count_rows(struct workspace *ws, const char *table)
{
	char *q = ws_quote_ident(table);
	char *sql = xasprintf("SELECT count(*) FROM %s", q);
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	free(sql);
	free(q);
	return n;
}

/* Record the table in cl_datasets and cl_personal_columns. */
static int register_table(struct workspace *ws, const char *table, const char *source,
                          const struct ds_column *cols, size_t ncols, struct cl_err *err)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < ncols; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", cols[i].name);
		cJSON_AddStringToObject(o, "type", ds_type_name(cols[i].type));
		cJSON_AddBoolToObject(o, "personal", cols[i].personal);
		cJSON_AddItemToArray(arr, o);
	}
	char *json = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	char *now = ws_now_iso();
	int64_t rows = count_rows(ws, table);
	sqlite3_stmt *st = NULL;
	int rc = -1;
	/* table names are case-insensitive in SQL: one registry row per table */
	if (ws_prepare(ws, "DELETE FROM cl_datasets WHERE name=? COLLATE NOCASE", &st, err))
		goto out;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (ws_prepare(ws, "INSERT OR REPLACE INTO cl_datasets(name, source, row_count, imported_at, "
	                   "columns) VALUES(?,?,?,?,?)", &st, err))
		goto out;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rows);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, json, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ws_dberr(ws, err, "recording the table");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (ws_prepare(ws, "DELETE FROM cl_personal_columns WHERE dataset=? COLLATE NOCASE", &st, err))
		goto out;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (ws_prepare(ws, "INSERT OR IGNORE INTO cl_personal_columns(dataset, col) VALUES(?,?)", &st, err))
		goto out;
	for (size_t i = 0; i < ncols; i++) {
		if (!cols[i].personal)
			continue;
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cols[i].name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			ws_dberr(ws, err, "recording personal columns");
			goto out;
		}
		sqlite3_reset(st);
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(now);
	free(json);
	return rc;
}

/* Types of an existing table: from cl_datasets, else declarations. */
static int existing_columns(struct workspace *ws, const char *table, struct ds_column **cols,
                            size_t *n, struct cl_err *err)
{
	struct ds_info info;
	if (ds_get(ws, table, &info, err))
		return -1;
	*cols = info.cols;
	*n = info.ncols;
	info.cols = NULL;
	info.ncols = 0;
	ds_info_clear(&info);
	return 0;
}

static void free_columns(struct ds_column *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cols[i].name);
	free(cols);
}

static int open_input(struct importer *im, struct cl_err *err)
{
	if (im->format == DS_FMT_JSONL)
		return jsonl_open(im->o->path, im->o->lenient, &im->jl, err);
	struct csv_opts co = { 0, im->o->lenient, 0, 0 };
	co.delim = im->o->delimiter ? im->o->delimiter : (im->format == DS_FMT_TSV ? '\t' : ',');
	return csv_open(im->o->path, &co, &im->csv, err);
}

static int tx_begin(struct workspace *ws, int *own, struct cl_err *err)
{
	*own = sqlite3_get_autocommit(ws->db);
	return ws_exec(ws, *own ? "BEGIN IMMEDIATE" : "SAVEPOINT ds_tx", err);
}

static int tx_commit(struct workspace *ws, int own, struct cl_err *err)
{
	return ws_exec(ws, own ? "COMMIT" : "RELEASE ds_tx", err);
}

static void tx_rollback(struct workspace *ws, int own)
{
	if (own)
		ws_rollback(ws);
	else
		sqlite3_exec(ws->db, "ROLLBACK TO ds_tx; RELEASE ds_tx", NULL, NULL, NULL);
}

/* Pass 2: create or check the table, insert every row. Runs inside a transaction. */
/* Pass 2: run the bound INSERT for the current record and count it (with a
 * progress report every PROGRESS_EVERY rows); -1 with err naming the file
 * and record line when SQLite refuses the row or the import is cancelled. */
static int insert_record(struct importer *im, sqlite3_stmt *ins, struct cl_err *err)
{
	if (sqlite3_step(ins) != SQLITE_DONE) {
		long line = im->csv ? csv_record_line(im->csv) : jsonl_record_line(im->jl);
		return cl_err_set(err, CL_EDB, "%s:%ld: %s", im->o->path, line,
		                  sqlite3_errmsg(im->ws->db));
	}
	sqlite3_reset(ins);
	im->rows++;
	if ((im->rows & (PROGRESS_EVERY - 1)) == 0 && report_progress(im, err))
		return -1;
	return 0;
}

static int pass2(struct importer *im, struct cl_err *err)
{
	struct workspace *ws = im->ws;
	const struct ds_import_opts *o = im->o;
	char *qt = ws_quote_ident(im->table);
	struct sbuf sql = SBUF_INIT;
	sqlite3_stmt *ins = NULL;
	struct ds_column *ex = NULL;
	size_t nex = 0;
	size_t nbind;
	int rc = -1, exists = ws_table_exists(ws, im->table);

	if (exists && o->mode == DS_CREATE) {
		cl_err_set(err, CL_EINVAL, "table '%s' already exists; use --replace to overwrite it "
		           "or --append to add rows", im->table);
		goto out;
	}
	if (exists && o->mode == DS_APPEND) {
		if (existing_columns(ws, im->table, &ex, &nex, err))
			goto out;
		sbuf_addf(&sql, "INSERT INTO %s(", qt);
		for (size_t i = 0; i < im->ncols; i++) {
			struct col *c = &im->cols[i];
			size_t j;
			for (j = 0; j < nex; j++)
				if (strcasecmp(ex[j].name, c->name) == 0)
					break;
			if (j == nex) {
				cl_err_set(err, CL_EINVAL, "%s: column \"%s\" is not in table '%s'; "
				           "use --replace or import into a new table", o->path, c->name, im->table);
				goto out;
			}
			int t = ex[j].type;
			if (c->type != DS_T_NULL && merge_type(t, c->type) != t &&
			    !(t == DS_T_TEXT)) {
				/* the first value that does not fit */
				long at = 0;
				int bt = c->type;
				for (int vt = DS_T_INTEGER; vt <= DS_T_TEXT; vt++)
					if (c->first_line[vt] && merge_type(t, vt) != t &&
					    (!at || c->first_line[vt] < at))
						at = c->first_line[vt], bt = vt;
				if (at)
					cl_err_set(err, CL_EINVAL, "%s:%ld: column \"%s\" holds %s values (the first "
					           "here) but table '%s' has it as %s", o->path, at, c->name,
					           ds_type_name(bt), im->table, ds_type_name(t));
				else
					cl_err_set(err, CL_EINVAL, "%s: column \"%s\" holds %s values but table '%s' "
					           "has it as %s", o->path, c->name, ds_type_name(c->type), im->table,
					           ds_type_name(t));
				goto out;
			}
			c->ptype = t;
			c->personal = ex[j].personal;
			char *qc = ws_quote_ident(ex[j].name);
			sbuf_addf(&sql, "%s%s", i ? "," : "", qc);
			free(qc);
		}
	} else {
		if (exists) {
			char *drop = xasprintf("DROP TABLE %s", qt);
			int d = ws_exec(ws, drop, err);
			free(drop);
			if (d)
				goto out;
		}
		/* personal columns */
		int any = 0;
		for (size_t i = 0; i < im->ncols; i++) {
			struct col *c = &im->cols[i];
			int pn = personal_name(c->name);
			int pv = c->sampled > 0 && (c->email + c->phone) * 10 >= c->sampled * 8;
			c->personal = pn == 2 || pv;
			any |= c->personal;
		}
		for (size_t i = 0; i < im->ncols; i++)
			if (any && personal_name(im->cols[i].name) == 1)
				im->cols[i].personal = 1;
		struct sbuf ct = SBUF_INIT;
		sbuf_addf(&ct, "CREATE TABLE %s(", qt);
		for (size_t i = 0; i < im->ncols; i++) {
			struct col *c = &im->cols[i];
			char *qc = ws_quote_ident(c->name);
			if (c->type == DS_T_NULL)
				c->type = DS_T_TEXT;
			c->ptype = c->type;
			c->checked = im->csv != NULL;
			sbuf_addf(&ct, "%s%s %s", i ? ", " : "", qc, sql_decl(c->type));
			free(qc);
		}
		sbuf_adds(&ct, ")");
		int d = ws_exec(ws, ct.buf, err);
		sbuf_free(&ct);
		if (d)
			goto out;
		sbuf_addf(&sql, "INSERT INTO %s(", qt);
		for (size_t i = 0; i < im->ncols; i++) {
			char *qc = ws_quote_ident(im->cols[i].name);
			sbuf_addf(&sql, "%s%s", i ? "," : "", qc);
			free(qc);
		}
	}
	sbuf_adds(&sql, ") VALUES(");
	for (size_t i = 0; i < im->ncols; i++)
		sbuf_adds(&sql, i ? ",?" : "?");
	sbuf_adds(&sql, ")");
	if (ws_prepare(ws, sql.buf, &ins, err))
		goto out;
	nbind = im->ncols;

	im->pass = 2;
	im->rows = 0;
	if (im->csv) {
		const struct csv_field *f;
		size_t nf;
		int r;
		if (!o->lenient) {
			/* pass 1 checked the bytes: read them again without the UTF-8 check */
			struct csv_opts co = { 0, 0, 1, 0 };
			co.delim = o->delimiter ? o->delimiter : (im->format == DS_FMT_TSV ? '\t' : ',');
			csv_close(im->csv);
			im->csv = NULL;
			if (csv_open(o->path, &co, &im->csv, err))
				goto out;
			csv_set_field_names(im->csv, im->names, im->ncols);
		} else if (csv_rewind(im->csv, err))
			goto out;
		if (csv_next(im->csv, &f, &nf, err) < 0)
			goto out;
		while ((r = csv_next(im->csv, &f, &nf, err)) > 0) {
			size_t n = nf < nbind ? nf : nbind;
			for (size_t i = 0; i < n; i++)
				bind_value(ins, (int)i + 1, im->cols[i].ptype, f[i].s, f[i].len, f[i].quoted,
				           im->cols[i].checked);
			for (size_t i = n; i < nbind; i++)
				sqlite3_bind_null(ins, (int)i + 1);
			if (insert_record(im, ins, err))
				goto out;
		}
		if (r < 0)
			goto out;
	} else {
		const struct jsonl_member *m;
		size_t n;
		int r;
		im->slot = xreallocarray(NULL, nbind ? nbind : 1, sizeof *im->slot);
		if (jsonl_rewind(im->jl, err))
			goto out;
		while ((r = jsonl_next(im->jl, &m, &n, err)) > 0) {
			for (size_t i = 0; i < nbind; i++)
				im->slot[i] = -1;
			for (size_t i = 0; i < n; i++) {
				int k = kx_find(&im->kx, m[i].key, m[i].key_len);
				if (k >= 0)
					im->slot[k] = (int)i;
			}
			for (size_t i = 0; i < nbind; i++) {
				int s = im->slot[i];
				if (s < 0)
					sqlite3_bind_null(ins, (int)i + 1);
				else
					bind_value(ins, (int)i + 1, im->cols[i].ptype, m[s].val, m[s].val_len,
					           m[s].kind == JSONL_STRING, 0);
			}
			if (insert_record(im, ins, err))
				goto out;
		}
		if (r < 0)
			goto out;
	}
	sqlite3_finalize(ins);
	ins = NULL;
	{
		struct ds_column *cols = xcalloc(im->ncols ? im->ncols : 1, sizeof *cols);
		size_t n = im->ncols;
		if (ex) {
			/* keep the table's own column list */
			for (size_t j = 0; j < nex; j++)
				for (size_t i = 0; i < im->ncols; i++)
					if (strcasecmp(ex[j].name, im->cols[i].name) == 0 && im->cols[i].personal)
						ex[j].personal = 1;
			free(cols);
			rc = register_table(ws, im->table, o->path, ex, nex, err);
		} else {
			for (size_t i = 0; i < n; i++) {
				cols[i].name = im->cols[i].name;
				cols[i].type = im->cols[i].type;
				cols[i].personal = im->cols[i].personal;
			}
			rc = register_table(ws, im->table, o->path, cols, n, err);
			free(cols);
		}
	}
out:
	sqlite3_finalize(ins);
	free_columns(ex, nex);
	sbuf_free(&sql);
	free(qt);
	return rc;
}

static int import_one(struct workspace *ws, const struct ds_import_opts *o,
                      uint64_t base_done, uint64_t grand_total,
                      struct ds_import_report *rep, struct cl_err *err)
{
	struct importer im;
	double t0 = cl_now_ms();
	int rc = -1, own = 0, in_tx = 0;
	memset(&im, 0, sizeof im);
	im.ws = ws;
	im.o = o;
	im.base_done = base_done;
	im.grand_total = grand_total;
	im.format = o->format ? o->format : detect_format(o->path);
	im.table = o->table && *o->table ? xstrdup(o->table) : table_from_path(o->path);
	if (rep)
		memset(rep, 0, sizeof *rep);
	if (valid_table_name(im.table, err))
		goto out;
	if (o->mode == DS_CREATE && ws_table_exists(ws, im.table)) {
		cl_err_set(err, CL_EINVAL, "table '%s' already exists; use --replace to overwrite it "
		           "or --append to add rows", im.table);
		goto out;
	}
	if (open_input(&im, err))
		goto out;
	im.size = im.csv ? csv_bytes_total(im.csv) : jsonl_bytes_total(im.jl);
	im.pass = 1;
	if ((im.csv ? pass1_csv(&im, err) : pass1_jsonl(&im, err)))
		goto out;
	if (report_progress(&im, err))
		goto out;

	/* Bulk settings for this connection while we write. */
	sqlite3_stmt *st;
	long old_cache = -2000;
	if (sqlite3_prepare_v2(ws->db, "PRAGMA cache_size", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			old_cache = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	ws_exec(ws, "PRAGMA cache_size=-16384", NULL);
	/* A big import into WAL writes every page twice (log, then checkpoint).
	 * When no other connection has the file open, write through a rollback
	 * journal instead for the import and go back to WAL after; the import
	 * stays all-or-nothing either way. Never wait for others here. */
	int unwal = 0;
	if (sqlite3_get_autocommit(ws->db) && im.size > (8u << 20)) {
		sqlite3_busy_timeout(ws->db, 0);
		if (sqlite3_prepare_v2(ws->db, "PRAGMA journal_mode=DELETE", -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW &&
			    strcmp((const char *)sqlite3_column_text(st, 0), "delete") == 0)
				unwal = 1;
			sqlite3_finalize(st);
		}
		sqlite3_busy_timeout(ws->db, 5000);
	}
	if (tx_begin(ws, &own, err))
		goto restore;
	in_tx = 1;
	if (pass2(&im, err))
		goto restore;
	if (report_progress(&im, err))
		goto restore;
	if (tx_commit(ws, own, err))
		goto restore;
	in_tx = 0;
	rc = 0;
restore:
	if (in_tx)
		tx_rollback(ws, own);
	if (unwal)
		ws_exec(ws, "PRAGMA journal_mode=WAL", NULL);
	{
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA cache_size=%ld", old_cache);
		ws_exec(ws, pragma, NULL);
	}
	if (rc == 0 && rep) {
		rep->table = xstrdup(im.table);
		rep->rows = im.rows;
		rep->table_rows = count_rows(ws, im.table);
		rep->ncols = im.ncols;
		rep->cols = xcalloc(im.ncols ? im.ncols : 1, sizeof *rep->cols);
		for (size_t i = 0; i < im.ncols; i++) {
			rep->cols[i].name = xstrdup(im.cols[i].name);
			rep->cols[i].type = im.cols[i].ptype;
			rep->cols[i].personal = im.cols[i].personal;
		}
		rep->rows_padded = im.padded;
		rep->rows_truncated = im.truncated;
		rep->rows_utf8_fixed = im.fixed;
		rep->bytes = im.size;
		rep->seconds = (cl_now_ms() - t0) / 1000.0;
	}
out:
	importer_free(&im);
	return rc;
}

int ds_import(struct workspace *ws, const struct ds_import_opts *opts,
              struct ds_import_report *rep, struct cl_err *err)
{
	return import_one(ws, opts, 0, 0, rep, err);
}

void ds_import_report_clear(struct ds_import_report *rep)
{
	if (!rep)
		return;
	free(rep->table);
	free_columns(rep->cols, rep->ncols);
	memset(rep, 0, sizeof *rep);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ds_import_samples(struct workspace *ws, const char *dir, cl_progress_fn progress, void *pctx,
                      int *ntables, struct cl_err *err)
{
	char *found = dir ? xstrdup(dir) : cl_data_path("sample-data/data");
	char **names = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0, done = 0;
	int rc = -1, own = 0, count = 0;
	DIR *d;
	struct dirent *de;
	if (ntables)
		*ntables = 0;
	if (!found)
		return cl_err_set(err, CL_ENOTFOUND, "sample-data/data: not found (set COPYLAB_HOME "
		                  "to the folder holding sample-data)");
	if (!(d = opendir(found))) {
		cl_err_set(err, CL_EIO, "%s: %s", found, strerror(errno));
		free(found);
		return -1;
	}
	while ((de = readdir(d))) {
		const char *dot = strrchr(de->d_name, '.');
		if (de->d_name[0] == '.' || !dot)
			continue;
		if (strcasecmp(dot, ".csv") && strcasecmp(dot, ".jsonl") && strcasecmp(dot, ".tsv"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xasprintf("%s/%s", found, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (stat(names[i], &sb) == 0)
			total += 2 * (uint64_t)sb.st_size;
	}
	if (tx_begin(ws, &own, err))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct ds_import_opts o = { .path = names[i], .mode = DS_REPLACE,
		                            .progress = progress, .pctx = pctx };
		struct stat sb;
		if (import_one(ws, &o, done, total, NULL, err)) {
			tx_rollback(ws, own);
			goto out;
		}
		if (stat(names[i], &sb) == 0)
			done += 2 * (uint64_t)sb.st_size;
		count++;
	}
	/* brand.json beside data/ */
	{
		char *brand = xasprintf("%s/../brand.json", found);
		char *text = NULL;
		size_t len = 0;
		if (access(brand, R_OK) == 0) {
			if (cl_read_file(brand, &text, &len, err) || ws_meta_set(ws, "brand", text, err)) {
				free(text);
				free(brand);
				tx_rollback(ws, own);
				goto out;
			}
		}
		free(text);
		free(brand);
	}
	if (tx_commit(ws, own, err)) {
		tx_rollback(ws, own);
		goto out;
	}
	if (ntables)
		*ntables = count;
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(found);
	return rc;
}

/* ---- registry ------------------------------------------------------------ */

void ds_info_clear(struct ds_info *info)
{
	if (!info)
		return;
	free(info->name);
	free(info->source);
	free(info->imported_at);
	free_columns(info->cols, info->ncols);
	memset(info, 0, sizeof *info);
}

static void cols_from_json(const char *json, struct ds_info *info)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
	info->cols = xcalloc(n ? (size_t)n : 1, sizeof *info->cols);
	info->ncols = 0;
	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_GetArrayItem(arr, i);
		cJSON *nm = cJSON_GetObjectItem(o, "name"), *ty = cJSON_GetObjectItem(o, "type");
		if (!cJSON_IsString(nm))
			continue;
		struct ds_column *c = &info->cols[info->ncols++];
		c->name = xstrdup(nm->valuestring);
		c->type = type_from_name(cJSON_IsString(ty) ? ty->valuestring : NULL);
		c->personal = cJSON_IsTrue(cJSON_GetObjectItem(o, "personal"));
	}
	cJSON_Delete(arr);
}

int ds_get(struct workspace *ws, const char *name, struct ds_info *out, struct cl_err *err)
{
	sqlite3_stmt *st;
	memset(out, 0, sizeof *out);
	if (!ws_table_exists(ws, name))
		return cl_err_set(err, CL_ENOTFOUND, "no table named '%s' (copylab tables lists them)", name);
	if (ws_prepare(ws, "SELECT name, source, imported_at, columns FROM cl_datasets "
	                   "WHERE name=? COLLATE NOCASE", &st, err))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->name = xstrdup((const char *)sqlite3_column_text(st, 0));
		const char *src = (const char *)sqlite3_column_text(st, 1);
		const char *at = (const char *)sqlite3_column_text(st, 2);
		out->source = src ? xstrdup(src) : NULL;
		out->imported_at = at ? xstrdup(at) : NULL;
		cols_from_json((const char *)sqlite3_column_text(st, 3), out);
	}
	sqlite3_finalize(st);
	if (!out->name) {
		char **names, **types;
		size_t n;
		if (query_columns(ws, name, &names, &types, &n, err))
			return -1;
		out->name = xstrdup(name);
		out->cols = xcalloc(n ? n : 1, sizeof *out->cols);
		out->ncols = n;
		for (size_t i = 0; i < n; i++) {
			out->cols[i].name = xstrdup(names[i]);
			out->cols[i].type = type_from_name(types[i]);
		}
		query_columns_free(names, types, n);
	}
	out->rows = count_rows(ws, out->name);
	return 0;
}

int ds_list(struct workspace *ws, struct ds_info **out, size_t *n, struct cl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (ws_prepare(ws, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'cl\\_%' "
	                   "ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", &st, err))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		if (ds_get(ws, name, &(*out)[*n], err)) {
			sqlite3_finalize(st);
			ds_list_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		(*n)++;
	}
	sqlite3_finalize(st);
	return 0;
}

void ds_list_free(struct ds_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ds_info_clear(&list[i]);
	free(list);
}

int ds_drop(struct workspace *ws, const char *name, struct cl_err *err)
{
	int own;
	if (valid_table_name(name, err))
		return -1;
	if (!ws_table_exists(ws, name))
		return cl_err_set(err, CL_ENOTFOUND, "no table named '%s'", name);
	char *q = ws_quote_ident(name);
	char *sql = xasprintf("DROP TABLE %s", q);
	int rc = -1;
	sqlite3_stmt *st = NULL;
	if (tx_begin(ws, &own, err))
		goto out;
	if (ws_exec(ws, sql, err))
		goto fail;
	static const char *const cleanup[] = {
		"DELETE FROM cl_datasets WHERE name=? COLLATE NOCASE",
		"DELETE FROM cl_personal_columns WHERE dataset=? COLLATE NOCASE",
	};
	for (size_t i = 0; i < 2; i++) {
		if (ws_prepare(ws, cleanup[i], &st, err))
			goto fail;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
	}
	if (tx_commit(ws, own, err))
		goto fail;
	rc = 0;
	goto out;
fail:
	tx_rollback(ws, own);
out:
	free(sql);
	free(q);
	return rc;
}

/* ---- export -------------------------------------------------------------- */

/* Shortest text that reads back as exactly v, always with a '.' or exponent. */
static void put_real(struct sbuf *sb, double v)
{
	char buf[40];
	if (!isfinite(v)) {
		sbuf_adds(sb, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	sbuf_adds(sb, buf);
	if (!strpbrk(buf, ".eE"))
		sbuf_adds(sb, ".0");
}

static void put_json_string(struct sbuf *sb, const char *s, size_t n)
{
	sbuf_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': sbuf_adds(sb, "\\\""); break;
		case '\\': sbuf_adds(sb, "\\\\"); break;
		case '\n': sbuf_adds(sb, "\\n"); break;
		case '\r': sbuf_adds(sb, "\\r"); break;
		case '\t': sbuf_adds(sb, "\\t"); break;
		default:
			if (c < 0x20)
				sbuf_addf(sb, "\\u%04x", c);
			else
				sbuf_addc(sb, (char)c);
		}
	}
	sbuf_addc(sb, '"');
}

int ds_export(struct workspace *ws, const struct ds_export_opts *o, int64_t *rows,
              struct cl_err *err)
{
	sqlite3_stmt *st = NULL;
	struct sbuf sb = SBUF_INIT;
	int64_t n = 0, total = 0;
	int rc = -1, format = o->format ? o->format : DS_FMT_CSV;
	char delim = format == DS_FMT_TSV ? '\t' : ',';
	if (rows)
		*rows = 0;
	if (o->table) {
		if (!ws_table_exists(ws, o->table))
			return cl_err_set(err, CL_ENOTFOUND, "no table named '%s'", o->table);
		char *q = ws_quote_ident(o->table);
		char *sql = xasprintf("SELECT * FROM %s", q);
		int r = ws_prepare(ws, sql, &st, err);
		free(sql);
		free(q);
		if (r)
			return -1;
		if (o->progress)
			total = count_rows(ws, o->table);
	} else if (!o->sql) {
		return cl_err_set(err, CL_EINVAL, "export needs a table or a query");
	} else if (query_prepare(ws, o->sql, &st, err))
		return -1;
	int nc = sqlite3_column_count(st);
	if (format != DS_FMT_JSONL) {
		for (int i = 0; i < nc; i++) {
			const char *name = sqlite3_column_name(st, i);
			if (i)
				sbuf_addc(&sb, delim);
			csv_put_field(&sb, name, strlen(name), delim, 1);
		}
		sbuf_addc(&sb, '\n');
	}
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (format == DS_FMT_JSONL)
			sbuf_addc(&sb, '{');
		for (int i = 0; i < nc; i++) {
			int t = sqlite3_column_type(st, i);
			if (format == DS_FMT_JSONL) {
				const char *name = sqlite3_column_name(st, i);
				if (i)
					sbuf_addc(&sb, ',');
				put_json_string(&sb, name, strlen(name));
				sbuf_addc(&sb, ':');
			} else if (i)
				sbuf_addc(&sb, delim);
			switch (t) {
			case SQLITE_NULL:
				if (format == DS_FMT_JSONL)
					sbuf_adds(&sb, "null");
				break;
			case SQLITE_INTEGER:
				sbuf_addf(&sb, "%lld", (long long)sqlite3_column_int64(st, i));
				break;
			case SQLITE_FLOAT:
				put_real(&sb, sqlite3_column_double(st, i));
				break;
			default: {
				const char *s = (const char *)sqlite3_column_text(st, i);
				size_t len = (size_t)sqlite3_column_bytes(st, i);
				if (format == DS_FMT_JSONL)
					put_json_string(&sb, s ? s : "", len);
				else
					csv_put_field(&sb, s ? s : "", len, delim, 1);
			}
			}
		}
		sbuf_adds(&sb, format == DS_FMT_JSONL ? "}\n" : "\n");
		n++;
		if (sb.len >= (1u << 16)) {
			if (fwrite(sb.buf, 1, sb.len, o->out) != sb.len) {
				cl_err_set(err, CL_EIO, "writing the export: %s", strerror(errno));
				goto out;
			}
			sbuf_reset(&sb);
		}
		if (o->progress && (n & (PROGRESS_EVERY - 1)) == 0 &&
		    o->progress(o->pctx, (uint64_t)n, (uint64_t)total, (uint64_t)n)) {
			cl_err_set(err, CL_ECANCEL, "export cancelled");
			goto out;
		}
	}
	if (r != SQLITE_DONE) {
		ws_dberr(ws, err, "export");
		goto out;
	}
	if (sb.len && fwrite(sb.buf, 1, sb.len, o->out) != sb.len) {
		cl_err_set(err, CL_EIO, "writing the export: %s", strerror(errno));
		goto out;
	}
	if (fflush(o->out)) {
		cl_err_set(err, CL_EIO, "writing the export: %s", strerror(errno));
		goto out;
	}
	if (rows)
		*rows = n;
	rc = 0;
out:
	sqlite3_finalize(st);
	sbuf_free(&sb);
	return rc;
}

/* ---- clean --------------------------------------------------------------- */

static int exec_count(struct workspace *ws, const char *sql, int64_t *changes, struct cl_err *err)
{
	if (ws_exec(ws, sql, err))
		return -1;
	if (changes)
		*changes = sqlite3_changes64(ws->db);
	return 0;
}

static int scalar_i64(struct workspace *ws, const char *sql, int64_t *out, struct cl_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws, sql, &st, err))
		return -1;
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

static int col_index(const struct ds_info *info, const char *name)
{
	for (size_t i = 0; i < info->ncols; i++)
		if (strcasecmp(info->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

int ds_clean(struct workspace *ws, const struct ds_clean_opts *o, struct ds_clean_report *rep,
             struct cl_err *err)
{
	struct ds_info info;
	struct sbuf sql = SBUF_INIT;
	char *qt = NULL, *qn = NULL;
	int rc = -1, own = 0, in_tx = 0;
	memset(rep, 0, sizeof *rep);
	if (!o->into || valid_table_name(o->into, err))
		return o->into ? -1 : cl_err_set(err, CL_EINVAL, "clean needs --into NEW");
	if (ds_get(ws, o->table, &info, err))
		return -1;
	if (ws_table_exists(ws, o->into)) {
		cl_err_set(err, CL_EINVAL, "table '%s' already exists; choose another --into name", o->into);
		goto out;
	}
	for (size_t i = 0; i < o->nfills; i++) {
		int ci = col_index(&info, o->fills[i].column);
		if (ci < 0) {
			cl_err_set(err, CL_EINVAL, "--fill: table '%s' has no column \"%s\"", o->table,
			           o->fills[i].column);
			goto out;
		}
		/* A fill keeps the column's type: numbers stay numbers. */
		const char *v = o->fills[i].value;
		int ct = info.cols[ci].type, vt = ds_value_type(v, strlen(v));
		if ((ct == DS_T_INTEGER && vt != DS_T_INTEGER) ||
		    (ct == DS_T_REAL && vt != DS_T_INTEGER && vt != DS_T_REAL) ||
		    (ct == DS_T_DATE && vt != DS_T_DATE)) {
			cl_err_set(err, CL_EINVAL, "--fill %s=%s: column \"%s\" is %s and '%s' is not",
			           o->fills[i].column, v, info.cols[ci].name, ds_type_name(ct), v);
			goto out;
		}
	}
	for (size_t i = 0; i < o->nkeys; i++)
		if (col_index(&info, o->keys[i]) < 0) {
			cl_err_set(err, CL_EINVAL, "--key: table '%s' has no column \"%s\"", o->table, o->keys[i]);
			goto out;
		}
	qt = ws_quote_ident(info.name);
	qn = ws_quote_ident(o->into);
	if (tx_begin(ws, &own, err))
		goto out;
	in_tx = 1;
	if (scalar_i64(ws, (sbuf_reset(&sql), sbuf_addf(&sql, "SELECT count(*) FROM %s", qt), sql.buf),
	               &rep->rows_in, err))
		goto out;
	/* new table with the same declared types */
	sbuf_reset(&sql);
	sbuf_addf(&sql, "CREATE TABLE %s(", qn);
	for (size_t i = 0; i < info.ncols; i++) {
		char *qc = ws_quote_ident(info.cols[i].name);
		sbuf_addf(&sql, "%s%s %s", i ? ", " : "", qc, sql_decl(info.cols[i].type));
		free(qc);
	}
	sbuf_adds(&sql, ")");
	if (ws_exec(ws, sql.buf, err))
		goto out;
	if (o->trim) {
		struct sbuf cnt = SBUF_INIT;
		int any = 0;
		sbuf_adds(&cnt, "SELECT 0");
		for (size_t i = 0; i < info.ncols; i++) {
			char *qc = ws_quote_ident(info.cols[i].name);
			sbuf_addf(&cnt, " + (SELECT count(*) FROM %s WHERE typeof(%s)='text' AND "
			          "%s IS NOT NULLIF(trim(%s),''))", qt, qc, qc, qc);
			free(qc);
			any = 1;
		}
		int r = any ? scalar_i64(ws, cnt.buf, &rep->cells_trimmed, err) : 0;
		sbuf_free(&cnt);
		if (r)
			goto out;
	}
	/* the value of each column after trim, and which rows are kept (drop-empty
	 * looks at the trimmed values before any fill) */
	char **ex = xcalloc(info.ncols + 1, sizeof *ex);
	struct sbuf keep = SBUF_INIT;
	for (size_t i = 0; i < info.ncols; i++) {
		char *qc = ws_quote_ident(info.cols[i].name);
		ex[i] = o->trim ? xasprintf("(CASE WHEN typeof(%s)='text' THEN NULLIF(trim(%s),'') ELSE %s END)",
		                            qc, qc, qc) : xstrdup(qc);
		free(qc);
	}
	if (o->drop_empty && info.ncols) {
		sbuf_adds(&keep, " WHERE NOT (");
		for (size_t i = 0; i < info.ncols; i++)
			sbuf_addf(&keep, "%scoalesce(%s,'') = ''", i ? " AND " : "", ex[i]);
		sbuf_adds(&keep, ")");
	}
	/* copy with trim, drop-empty and fill */
	sbuf_reset(&sql);
	sbuf_addf(&sql, "INSERT INTO %s SELECT ", qn);
	for (size_t i = 0; i < info.ncols; i++) {
		const char *fill = NULL;
		for (size_t k = 0; k < o->nfills; k++)
			if (strcasecmp(o->fills[k].column, info.cols[i].name) == 0)
				fill = o->fills[k].value;
		sbuf_adds(&sql, i ? ", " : "");
		if (fill)   /* the fill value is bound, never pasted into the SQL */
			sbuf_addf(&sql, "coalesce(%s, ?%zu)", ex[i], i + 1);
		else
			sbuf_adds(&sql, ex[i]);
	}
	sbuf_addf(&sql, " FROM %s%s ORDER BY rowid", qt, sbuf_str(&keep));
	int cr = -1;
	{
		sqlite3_stmt *st;
		if (ws_prepare(ws, sql.buf, &st, err))
			goto clean_fail;
		for (size_t i = 0; i < info.ncols; i++)
			for (size_t k = 0; k < o->nfills; k++)
				if (strcasecmp(o->fills[k].column, info.cols[i].name) == 0) {
					const char *v = o->fills[k].value;
					int vt = ds_value_type(v, strlen(v));
					if (info.cols[i].type == DS_T_INTEGER && vt == DS_T_INTEGER)
						sqlite3_bind_int64(st, (int)i + 1, parse_i64(v, strlen(v)));
					else if (info.cols[i].type == DS_T_REAL && (vt == DS_T_INTEGER || vt == DS_T_REAL))
						sqlite3_bind_double(st, (int)i + 1, strtod(v, NULL));
					else
						sqlite3_bind_text(st, (int)i + 1, v, -1, SQLITE_TRANSIENT);
				}
		int r = sqlite3_step(st);
		sqlite3_finalize(st);
		if (r != SQLITE_DONE) {
			ws_dberr(ws, err, "clean");
			goto clean_fail;
		}
		rep->empty_rows = rep->rows_in - sqlite3_changes64(ws->db);
	}
	for (size_t k = 0; k < o->nfills; k++) {
		/* NULLs the fill replaced, among the rows kept */
		int i = col_index(&info, o->fills[k].column);
		int64_t c = 0;
		sbuf_reset(&sql);
		sbuf_addf(&sql, "SELECT count(*) FROM %s%s%s %s IS NULL", qt, sbuf_str(&keep),
		          keep.len ? " AND" : " WHERE", ex[i]);
		if (scalar_i64(ws, sql.buf, &c, err))
			goto clean_fail;
		rep->cells_filled += c;
	}
	cr = 0;
clean_fail:
	for (size_t i = 0; i < info.ncols; i++)
		free(ex[i]);
	free(ex);
	sbuf_free(&keep);
	if (cr)
		goto out;
	if (o->dedupe && info.ncols) {
		sbuf_reset(&sql);
		sbuf_addf(&sql, "DELETE FROM %s WHERE rowid NOT IN (SELECT min(rowid) FROM %s GROUP BY ", qn, qn);
		if (o->nkeys) {
			for (size_t i = 0; i < o->nkeys; i++) {
				char *qc = ws_quote_ident(info.cols[col_index(&info, o->keys[i])].name);
				sbuf_addf(&sql, "%s%s", i ? ", " : "", qc);
				free(qc);
			}
		} else
			for (size_t i = 0; i < info.ncols; i++) {
				char *qc = ws_quote_ident(info.cols[i].name);
				sbuf_addf(&sql, "%s%s", i ? ", " : "", qc);
				free(qc);
			}
		sbuf_adds(&sql, ")");
		if (exec_count(ws, sql.buf, &rep->duplicates, err))
			goto out;
	}
	sbuf_reset(&sql);
	sbuf_addf(&sql, "SELECT count(*) FROM %s", qn);
	if (scalar_i64(ws, sql.buf, &rep->rows_out, err))
		goto out;
	{
		char *src = xasprintf("clean:%s", info.name);
		int r = register_table(ws, o->into, src, info.cols, info.ncols, err);
		free(src);
		if (r)
			goto out;
	}
	if (tx_commit(ws, own, err))
		goto out;
	in_tx = 0;
	rc = 0;
out:
	if (in_tx)
		tx_rollback(ws, own);
	ds_info_clear(&info);
	sbuf_free(&sql);
	free(qt);
	free(qn);
	return rc;
}
