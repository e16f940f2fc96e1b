/* profile.c — one pass over a table's rows: counts, NULLs, min/max in SQLite's
 * order, Welford mean/variance for numbers, text lengths, and a hash table per
 * column for distinct values and the most frequent ones. */
#include "core/profile.h"
#include "core/dataset.h"
#include "core/query.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HLL_P 14
#define HLL_M (1u << HLL_P)

struct hent {
	uint64_t hash;      /* 0 = empty slot */
	uint32_t off, len;  /* key bytes in the arena: tag byte + value */
	int64_t  count;
};

struct acc {
	int64_t  count, nulls, nnum;
	double   mean, m2, min_num, max_num;
	/* min/max in SQLite order: rank 1 number, 2 text, 3 blob */
	int      min_rank, max_rank;
	double   min_d, max_d;
	int64_t  min_i, max_i;
	int      min_isint, max_isint;
	char    *min_s, *max_s;
	size_t   min_slen, max_slen;
	int64_t  min_len, max_len;
	struct hent *tab;
	size_t   cap, used;
	char    *arena;
	size_t   alen, acap;
	int      full;          /* stopped adding keys: approximate */
	uint8_t *hll;
};

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_bytes(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ mix64(w)) * 0x9E3779B97F4A7C15ull;
		h = (h << 27) | (h >> 37);
		p += 8;
		n -= 8;
	}
	uint64_t w = 0;
	memcpy(&w, p, n);
	h ^= mix64(w ^ n);
	h = mix64(h);
	return h ? h : 1;
}

static void hll_add(struct acc *a, uint64_t h)
{
	if (!a->hll)
		a->hll = xcalloc(HLL_M, 1);
	uint32_t idx = (uint32_t)(h >> (64 - HLL_P));
	uint64_t rest = (h << HLL_P) | (1ull << (HLL_P - 1));
	uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
	if (rank > a->hll[idx])
		a->hll[idx] = rank;
}

static double hll_estimate(const struct acc *a)
{
	double sum = 0;
	int zeros = 0;
	for (uint32_t i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -a->hll[i]);
		zeros += a->hll[i] == 0;
	}
	double m = HLL_M, est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (est <= 2.5 * m && zeros)
		est = m * log(m / zeros);
	return est;
}

static void tab_grow(struct acc *a)
{
	size_t ncap = a->cap ? a->cap * 2 : 256;
	struct hent *nt = xcalloc(ncap, sizeof *nt);
	for (size_t i = 0; i < a->cap; i++) {
		if (!a->tab[i].hash)
			continue;
		size_t j = a->tab[i].hash & (ncap - 1);
		while (nt[j].hash)
			j = (j + 1) & (ncap - 1);
		nt[j] = a->tab[i];
	}
	free(a->tab);
	a->tab = nt;
	a->cap = ncap;
}

static uint64_t key_hash(char tag, const void *v, size_t n)
{
	return hash_bytes(v, n, (uint64_t)(unsigned char)tag * 0x100000001B3ull);
}

/* Count one key (tag + bytes) whose hash is h. */
static void count_key(struct acc *a, char tag, const void *v, size_t n, uint64_t h)
{
	if (a->full)
		hll_add(a, h);
	if (a->used * 4 >= a->cap * 3 && !a->full)
		tab_grow(a);
	size_t i = h & (a->cap - 1);
	while (a->tab[i].hash) {
		struct hent *e = &a->tab[i];
		if (e->hash == h && e->len == n + 1 && a->arena[e->off] == tag &&
		    memcmp(a->arena + e->off + 1, v, n) == 0) {
			e->count++;
			return;
		}
		i = (i + 1) & (a->cap - 1);
	}
	if (a->full)
		return;
	if (a->alen + n + 1 > a->acap) {
		size_t c = a->acap ? a->acap : 4096;
		while (c < a->alen + n + 1)
			c *= 2;
		a->arena = xrealloc(a->arena, c);
		a->acap = c;
	}
	a->arena[a->alen] = tag;
	memcpy(a->arena + a->alen + 1, v, n);
	a->tab[i].hash = h;
	a->tab[i].off = (uint32_t)a->alen;
	a->tab[i].len = (uint32_t)(n + 1);
	a->tab[i].count = 1;
	a->alen += n + 1;
	a->used++;
	if (a->used >= PROFILE_EXACT_DISTINCT || a->alen > (1u << 30)) {
		/* from here on: HyperLogLog for distinct, known keys still counted;
		 * seed the sketch with every key seen so far */
		a->full = 1;
		for (size_t k = 0; k < a->cap; k++)
			if (a->tab[k].hash)
				hll_add(a, a->tab[k].hash);
	}
}

static int64_t utf8_chars(const unsigned char *s, size_t n)
{
	int64_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += (s[i] & 0xC0) != 0x80;
	return c;
}

static int cmp_num_vs(double d, int64_t i, int isint, double d2, int64_t i2, int isint2)
{
	if (isint && isint2)
		return i < i2 ? -1 : i > i2;
	double x = isint ? (double)i : d, y = isint2 ? (double)i2 : d2;
	return x < y ? -1 : x > y;
}

static void see_number(struct acc *a, double d, int64_t iv, int isint)
{
	a->nnum++;
	double x = isint ? (double)iv : d;
	double delta = x - a->mean;
	a->mean += delta / (double)a->nnum;
	a->m2 += delta * (x - a->mean);
	if (a->nnum == 1 || x < a->min_num)
		a->min_num = x;
	if (a->nnum == 1 || x > a->max_num)
		a->max_num = x;
	if (!a->min_rank || a->min_rank > 1 ||
	    (a->min_rank == 1 && cmp_num_vs(d, iv, isint, a->min_d, a->min_i, a->min_isint) < 0)) {
		a->min_rank = 1;
		a->min_d = d, a->min_i = iv, a->min_isint = isint;
	}
	if (!a->max_rank || (a->max_rank == 1 &&
	                     cmp_num_vs(d, iv, isint, a->max_d, a->max_i, a->max_isint) > 0)) {
		a->max_rank = 1;
		a->max_d = d, a->max_i = iv, a->max_isint = isint;
	}
}

static int memcmp_len(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static void see_text(struct acc *a, const char *s, size_t n, int rank)
{
	int64_t len = utf8_chars((const unsigned char *)s, n);
	if (rank == 2) {
		if (a->min_len < 0 || len < a->min_len)
			a->min_len = len;
		if (len > a->max_len)
			a->max_len = len;
	}
	if (!a->min_rank || rank < a->min_rank ||
	    (rank == a->min_rank && memcmp_len(s, n, a->min_s, a->min_slen) < 0)) {
		if (rank > 1 && a->min_rank == 1)
			; /* a number is smaller than any text */
		else {
			free(a->min_s);
			a->min_s = xstrndup(s, n);
			a->min_slen = n;
			a->min_rank = rank;
		}
	}
	if (!a->max_rank || rank > a->max_rank ||
	    (rank == a->max_rank && memcmp_len(s, n, a->max_s, a->max_slen) > 0)) {
		free(a->max_s);
		a->max_s = xstrndup(s, n);
		a->max_slen = n;
		a->max_rank = rank;
	}
}

/* Order of two keys as SQLite sorts values: numbers by value, then text, then blobs. */
static int key_cmp(const char *x, size_t xn, const char *y, size_t yn)
{
	int rx = x[0] == 't' ? 2 : x[0] == 'b' ? 3 : 1, ry = y[0] == 't' ? 2 : y[0] == 'b' ? 3 : 1;
	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (rx == 1) {
		double dx, dy;
		int64_t ix, iy;
		if (x[0] == 'i' && y[0] == 'i') {
			memcpy(&ix, x + 1, 8);
			memcpy(&iy, y + 1, 8);
			return ix < iy ? -1 : ix > iy;
		}
		if (x[0] == 'i') { memcpy(&ix, x + 1, 8); dx = (double)ix; } else memcpy(&dx, x + 1, 8);
		if (y[0] == 'i') { memcpy(&iy, y + 1, 8); dy = (double)iy; } else memcpy(&dy, y + 1, 8);
		return dx < dy ? -1 : dx > dy;
	}
	return memcmp_len(x + 1, xn - 1, y + 1, yn - 1);
}

static void fmt_real(char *buf, size_t cap, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (!strpbrk(buf, ".eEn"))
		strncat(buf, ".0", cap - strlen(buf) - 1);
}

static char *key_text(const char *key, size_t len)
{
	char buf[48];
	if (key[0] == 'i') {
		int64_t v;
		memcpy(&v, key + 1, 8);
		snprintf(buf, sizeof buf, "%lld", (long long)v);
		return xstrdup(buf);
	}
	if (key[0] == 'r') {
		double v;
		memcpy(&v, key + 1, 8);
		fmt_real(buf, sizeof buf, v);
		return xstrdup(buf);
	}
	return xstrndup(key + 1, len - 1);
}

static char *end_text(int rank, double d, int64_t i, int isint, const char *s)
{
	char buf[48];
	if (!rank)
		return NULL;
	if (rank == 1) {
		if (isint)
			snprintf(buf, sizeof buf, "%lld", (long long)i);
		else
			fmt_real(buf, sizeof buf, d);
		return xstrdup(buf);
	}
	return xstrdup(s ? s : "");
}

static void finish(struct acc *a, struct profile_col *c)
{
	c->count = a->count;
	c->nulls = a->nulls;
	c->approx = a->full;
	c->distinct = a->full ? (int64_t)llround(hll_estimate(a)) : (int64_t)a->used;
	if (a->full && c->distinct < (int64_t)a->used)
		c->distinct = (int64_t)a->used;
	c->numeric = a->nnum > 0;
	if (a->nnum) {
		c->min_num = a->min_num;
		c->max_num = a->max_num;
		c->mean = a->mean;
		c->stddev = a->nnum > 1 ? sqrt(a->m2 / (double)(a->nnum - 1)) : 0;
	}
	c->min = end_text(a->min_rank, a->min_d, a->min_i, a->min_isint, a->min_s);
	c->max = end_text(a->max_rank, a->max_d, a->max_i, a->max_isint, a->max_s);
	c->min_len = a->min_len;
	c->max_len = a->min_len < 0 ? -1 : a->max_len;
	/* top values: keep the PROFILE_TOP largest counts (ties: smaller key first) */
	struct hent *best[PROFILE_TOP];
	int nb = 0;
	for (size_t i = 0; i < a->cap; i++) {
		struct hent *e = &a->tab[i];
		if (!e->hash)
			continue;
		int pos = nb;
		while (pos > 0) {
			struct hent *b = best[pos - 1];
			int better = e->count > b->count ||
			             (e->count == b->count && key_cmp(a->arena + e->off, e->len,
			                                              a->arena + b->off, b->len) < 0);
			if (!better)
				break;
			pos--;
		}
		if (pos >= PROFILE_TOP)
			continue;
		if (nb < PROFILE_TOP)
			nb++;
		memmove(&best[pos + 1], &best[pos], (size_t)(nb - 1 - pos) * sizeof *best);
		best[pos] = e;
	}
	c->ntop = nb;
	for (int i = 0; i < nb; i++) {
		c->top[i].text = key_text(a->arena + best[i]->off, best[i]->len);
		c->top[i].count = best[i]->count;
	}
}

/* One key of the current row, waiting to be counted. */
struct pend {
	struct acc *a;
	const void *v;
	size_t      n;
	uint64_t    h;
	int64_t     ibuf;
	char        tag;
};

static void acc_free(struct acc *a)
{
	free(a->min_s);
	free(a->max_s);
	free(a->tab);
	free(a->arena);
	free(a->hll);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ncols; i++) {
		struct profile_col *c = &p->cols[i];
		free(c->name);
		free(c->type);
		free(c->min);
		free(c->max);
		for (int k = 0; k < c->ntop; k++)
			free(c->top[k].text);
	}
	free(p->cols);
	free(p->table);
	free(p->pred);
	free(p);
}

int profile_table(struct workspace *ws, const char *table, const char *pred,
                  cl_progress_fn progress, void *pctx, struct profile **out,
                  struct cl_err *err)
{
	struct ds_info info;
	sqlite3_stmt *st = NULL;
	struct acc *acc = NULL;
	struct profile *p = NULL;
	struct pend *pend = NULL;
	int with = pred && *pred;
	int64_t expected = 0;
	double t0 = cl_now_ms();
	int rc = -1;
	*out = NULL;
	if (ds_get(ws, table, &info, err))
		return -1;
	expected = info.rows;
	char *qt = ws_quote_ident(info.name);
	char *sql = with ? xasprintf("SELECT * FROM %s WHERE (%s)", qt, pred)
	                 : xasprintf("SELECT * FROM %s", qt);
	int r = with ? query_check_predicate(ws, info.name, pred, err) : 0;
	if (!r)
		r = with ? query_prepare(ws, sql, &st, err) : ws_prepare(ws, sql, &st, err);
	free(sql);
	free(qt);
	if (r)
		goto out;
	size_t nc = (size_t)sqlite3_column_count(st);
	p = xcalloc(1, sizeof *p);
	p->table = xstrdup(info.name);
	p->pred = with ? xstrdup(pred) : NULL;
	p->ncols = nc;
	p->cols = xcalloc(nc ? nc : 1, sizeof *p->cols);
	acc = xcalloc(nc ? nc : 1, sizeof *acc);
	for (size_t i = 0; i < nc; i++) {
		acc[i].min_len = -1;
		acc[i].max_len = -1;
		p->cols[i].name = xstrdup(sqlite3_column_name(st, (int)i));
		const char *t = NULL;
		for (size_t k = 0; k < info.ncols; k++)
			if (strcasecmp(info.cols[k].name, p->cols[i].name) == 0)
				t = ds_type_name(info.cols[k].type);
		p->cols[i].type = xstrdup(t ? t : "text");
	}
	int64_t rows = 0;
	/* Keys of one row are hashed first and their slots prefetched, then
	 * counted: the hash tables of high-cardinality columns miss the cache,
	 * and this lets those misses overlap. */
	pend = xcalloc(nc ? nc : 1, sizeof *pend);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		size_t np = 0;
		for (size_t i = 0; i < nc; i++) {
			struct acc *a = &acc[i];
			struct pend *pd = &pend[np];
			int ci = (int)i;
			switch (sqlite3_column_type(st, ci)) {
			case SQLITE_NULL:
				a->nulls++;
				continue;
			case SQLITE_INTEGER: {
				int64_t v = sqlite3_column_int64(st, ci);
				a->count++;
				see_number(a, 0, v, 1);
				pd->ibuf = v;
				pd->v = &pd->ibuf;
				pd->n = 8;
				pd->tag = 'i';
				break;
			}
			case SQLITE_FLOAT: {
				double v = sqlite3_column_double(st, ci);
				a->count++;
				see_number(a, v, 0, 0);
				/* 2.0 and 2 are one value to SQLite (count(DISTINCT), GROUP BY) */
				if (v == floor(v) && fabs(v) < 9.0e15) {
					pd->ibuf = (int64_t)v;
					pd->tag = 'i';
				} else {
					memcpy(&pd->ibuf, &v, 8);
					pd->tag = 'r';
				}
				pd->v = &pd->ibuf;
				pd->n = 8;
				break;
			}
			case SQLITE_TEXT: {
				const char *s = (const char *)sqlite3_column_text(st, ci);
				size_t n = (size_t)sqlite3_column_bytes(st, ci);
				a->count++;
				see_text(a, s ? s : "", n, 2);
				pd->v = s ? s : "";
				pd->n = n;
				pd->tag = 't';
				break;
			}
			default: {
				const void *b = sqlite3_column_blob(st, ci);
				size_t n = (size_t)sqlite3_column_bytes(st, ci);
				a->count++;
				see_text(a, b ? b : "", n, 3);
				pd->v = b ? b : "";
				pd->n = n;
				pd->tag = 'b';
			}
			}
			pd->a = a;
			pd->h = key_hash(pd->tag, pd->v, pd->n);
			if (a->cap)
				__builtin_prefetch(&a->tab[pd->h & (a->cap - 1)]);
			np++;
		}
		for (size_t k = 0; k < np; k++)
			count_key(pend[k].a, pend[k].tag, pend[k].v, pend[k].n, pend[k].h);
		rows++;
		if (progress && (rows & 16383) == 0 &&
		    progress(pctx, (uint64_t)rows, (uint64_t)expected, (uint64_t)rows)) {
			cl_err_set(err, CL_ECANCEL, "profile cancelled");
			goto out;
		}
	}
	if (r != SQLITE_DONE) {
		ws_dberr(ws, err, "profile");
		goto out;
	}
	p->rows = rows;
	for (size_t i = 0; i < nc; i++)
		finish(&acc[i], &p->cols[i]);
	p->seconds = (cl_now_ms() - t0) / 1000.0;
	if (progress)
		progress(pctx, (uint64_t)rows, (uint64_t)rows, (uint64_t)rows);
	*out = p;
	p = NULL;
	rc = 0;
out:
	free(pend);
	if (acc)
		for (size_t i = 0; i < (p ? p->ncols : (size_t)sqlite3_column_count(st)); i++)
			acc_free(&acc[i]);
	free(acc);
	profile_free(p);
	sqlite3_finalize(st);
	ds_info_clear(&info);
	return rc;
}

cJSON *profile_to_json(const struct profile *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "table", p->table);
	if (p->pred)
		cJSON_AddStringToObject(o, "where", p->pred);
	else
		cJSON_AddNullToObject(o, "where");
	cJSON_AddNumberToObject(o, "rows", (double)p->rows);
	cJSON_AddNumberToObject(o, "seconds", p->seconds);
	cJSON *cols = cJSON_AddArrayToObject(o, "columns");
	for (size_t i = 0; i < p->ncols; i++) {
		const struct profile_col *c = &p->cols[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", c->name);
		cJSON_AddStringToObject(j, "type", c->type);
		cJSON_AddNumberToObject(j, "count", (double)c->count);
		cJSON_AddNumberToObject(j, "nulls", (double)c->nulls);
		cJSON_AddNumberToObject(j, "distinct", (double)c->distinct);
		cJSON_AddBoolToObject(j, "approx", c->approx);
		if (c->min) cJSON_AddStringToObject(j, "min", c->min); else cJSON_AddNullToObject(j, "min");
		if (c->max) cJSON_AddStringToObject(j, "max", c->max); else cJSON_AddNullToObject(j, "max");
		if (c->numeric) {
			cJSON_AddNumberToObject(j, "mean", c->mean);
			cJSON_AddNumberToObject(j, "stddev", c->stddev);
		} else {
			cJSON_AddNullToObject(j, "mean");
			cJSON_AddNullToObject(j, "stddev");
		}
		if (c->min_len >= 0) {
			cJSON_AddNumberToObject(j, "min_len", (double)c->min_len);
			cJSON_AddNumberToObject(j, "max_len", (double)c->max_len);
		} else {
			cJSON_AddNullToObject(j, "min_len");
			cJSON_AddNullToObject(j, "max_len");
		}
		cJSON *top = cJSON_AddArrayToObject(j, "top");
		for (int k = 0; k < c->ntop; k++) {
			cJSON *t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "value", c->top[k].text);
			cJSON_AddNumberToObject(t, "count", (double)c->top[k].count);
			cJSON_AddItemToArray(top, t);
		}
		cJSON_AddItemToArray(cols, j);
	}
	return o;
}

int profile_frequency(struct workspace *ws, const char *table, const char *pred,
                      const char *column, int limit, struct profile_value **out, size_t *n,
                      struct cl_err *err)
{
	char **names = NULL, **types = NULL;
	size_t nn = 0, i, cap = 16;
	sqlite3_stmt *st = NULL;
	int rc = -1, with = pred && *pred;
	*out = NULL;
	*n = 0;
	if (query_columns(ws, table, &names, &types, &nn, err))
		return -1;
	for (i = 0; i < nn; i++)
		if (strcasecmp(names[i], column) == 0)
			break;
	if (i == nn) {
		cl_err_set(err, CL_ENOTFOUND, "table '%s' has no column \"%s\"", table, column);
		goto out;
	}
	if (with && query_check_predicate(ws, table, pred, err))
		goto out;
	char *qt = ws_quote_ident(table), *qc = ws_quote_ident(names[i]);
	char *sql = xasprintf("SELECT %s, count(*) AS n FROM %s%s%s%s GROUP BY 1 ORDER BY n DESC, 1 "
	                      "LIMIT %d", qc, qt, with ? " WHERE (" : "", with ? pred : "",
	                      with ? ")" : "", limit > 0 ? limit : 100);
	int r = query_prepare(ws, sql, &st, err);
	free(sql);
	free(qt);
	free(qc);
	if (r)
		goto out;
	*out = xcalloc(cap, sizeof **out);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap *= 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		const char *t = (const char *)sqlite3_column_text(st, 0);
		(*out)[*n].text = t ? xstrdup(t) : NULL;
		(*out)[*n].count = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	query_columns_free(names, types, nn);
	return rc;
}

void profile_values_free(struct profile_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}
