/* browse.c — keyset paging, sort, filters and frequency tables over one table.
 *
 * The keyset walk. The view's order is (c, rowid) ascending or descending, or
 * plain rowid. To fetch the rows after the key (v, r) of a window edge we ask
 * in at most three indexed steps, each a simple range SQLite can seek:
 *
 *   moving "up" the values (ascending forward, descending backward):
 *     1. c IS v AND rowid > r          ORDER BY rowid
 *     2. c > v  (c IS NOT NULL if v is NULL)  ORDER BY c, rowid
 *   moving "down" the values:
 *     1. c IS v AND rowid < r          ORDER BY rowid DESC
 *     2. c < v                         ORDER BY c DESC, rowid DESC  (v not NULL)
 *     3. c IS NULL                     ORDER BY rowid DESC          (v not NULL)
 *
 * NULLs sort first in SQLite, so they are the last step when going down and the
 * "greater than NULL" case going up. The key value is kept as a copy of the
 * stored sqlite3_value, so comparisons use the same storage class and collation
 * as ORDER BY. Each step stops as soon as the rows wanted are there.
 */
#include "core/browse.h"
#include "core/query.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct brow {
	int64_t        rowid;
	sqlite3_value *key;      /* the sort column's value (NULL pointer when unsorted) */
	char         **cells;    /* ncols strings, NULL for SQL NULL */
	unsigned char *types;
};

enum { POS_UNKNOWN, POS_START, POS_END };

struct browse {
	struct workspace *ws;
	char   *table, *qtable;
	int     ncols;
	char  **cols, **qcols, **decl;
	int     sort_col, sort_desc;
	char  **filters;
	size_t  nfilters;
	char   *filter;          /* joined, or NULL */
	struct brow *rows;
	int     nrows, cap;
	int     pos_kind;
	int64_t pos;             /* POS_START: index of rows[0]; POS_END: rows after the last */
	int64_t count;           /* -1 unknown */
};

/* ---- tables ---- */

int browse_tables(struct workspace *ws, struct browse_table **out, size_t *n, struct cl_err *err)
{
	sqlite3_stmt *st;
	struct browse_table *t = NULL;
	size_t cnt = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (ws_prepare(ws, "SELECT name FROM sqlite_master WHERE type = 'table'"
	                   " AND name NOT LIKE 'cl\\_%' ESCAPE '\\'"
	                   " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", &st, err))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			t = xreallocarray(t, cap, sizeof *t);
		}
		t[cnt].name = xstrdup((const char *)sqlite3_column_text(st, 0));
		t[cnt].rows = -1;
		cnt++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		browse_tables_free(t, cnt);
		return ws_dberr(ws, err, "listing tables");
	}
	for (size_t i = 0; i < cnt; i++) {
		char *q = ws_quote_ident(t[i].name);
		char *sql = xasprintf("SELECT count(*) FROM %s", q);
		free(q);
		if (ws_prepare(ws, sql, &st, err) == 0) {
			if (sqlite3_step(st) == SQLITE_ROW)
				t[i].rows = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		free(sql);
	}
	cl_err_clear(err);
	*out = t;
	*n = cnt;
	return 0;
}

void browse_tables_free(struct browse_table *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].name);
	free(t);
}

/* ---- open / free ---- */

int browse_open(struct workspace *ws, const char *table, struct browse **out, struct cl_err *err)
{
	char **names, **types;
	size_t n;
	struct browse *b;

	*out = NULL;
	if (!ws_table_exists(ws, table))
		return cl_err_set(err, CL_ENOTFOUND, "no table named '%s'", table);
	if (query_columns(ws, table, &names, &types, &n, err))
		return -1;
	b = xcalloc(1, sizeof *b);
	b->ws = ws;
	b->table = xstrdup(table);
	b->qtable = ws_quote_ident(table);
	b->ncols = (int)n;
	b->cols = names;
	b->decl = types;
	b->qcols = xcalloc(n ? n : 1, sizeof *b->qcols);
	for (size_t i = 0; i < n; i++)
		b->qcols[i] = ws_quote_ident(names[i]);
	b->sort_col = -1;
	b->count = -1;
	b->pos_kind = POS_START;
	*out = b;
	return 0;
}

static void brow_clear(struct browse *b, struct brow *r)
{
	for (int i = 0; i < b->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	free(r->types);
	sqlite3_value_free(r->key);
	memset(r, 0, sizeof *r);
}

static void window_clear(struct browse *b)
{
	for (int i = 0; i < b->nrows; i++)
		brow_clear(b, &b->rows[i]);
	b->nrows = 0;
}

void browse_free(struct browse *b)
{
	if (!b)
		return;
	window_clear(b);
	free(b->rows);
	for (int i = 0; i < b->ncols; i++)
		free(b->qcols[i]);
	free(b->qcols);
	query_columns_free(b->cols, b->decl, (size_t)b->ncols);
	for (size_t i = 0; i < b->nfilters; i++)
		free(b->filters[i]);
	free(b->filters);
	free(b->filter);
	free(b->table);
	free(b->qtable);
	free(b);
}

const char *browse_table_name(const struct browse *b) { return b->table; }
int browse_ncols(const struct browse *b) { return b->ncols; }

const char *browse_col_name(const struct browse *b, int col)
{
	return col >= 0 && col < b->ncols ? b->cols[col] : "";
}

const char *browse_col_decltype(const struct browse *b, int col)
{
	return col >= 0 && col < b->ncols && b->decl[col] ? b->decl[col] : "";
}

int browse_col_find(const struct browse *b, const char *name)
{
	for (int i = 0; i < b->ncols; i++)
		if (strcmp(b->cols[i], name) == 0)
			return i;
	for (int i = 0; i < b->ncols; i++)
		if (strcasecmp(b->cols[i], name) == 0)
			return i;
	return -1;
}

int browse_nrows(const struct browse *b) { return b->nrows; }

const char *browse_cell(const struct browse *b, int row, int col)
{
	if (row < 0 || row >= b->nrows || col < 0 || col >= b->ncols)
		return NULL;
	return b->rows[row].cells[col];
}

int browse_cell_type(const struct browse *b, int row, int col)
{
	if (row < 0 || row >= b->nrows || col < 0 || col >= b->ncols)
		return SQLITE_NULL;
	return b->rows[row].types[col];
}

int64_t browse_rowid(const struct browse *b, int row)
{
	return row >= 0 && row < b->nrows ? b->rows[row].rowid : -1;
}

int64_t browse_pos(const struct browse *b)
{
	if (b->pos_kind == POS_START)
		return b->pos;
	if (b->pos_kind == POS_END && b->count >= 0) {
		int64_t p = b->count - b->pos - b->nrows;
		return p < 0 ? 0 : p;
	}
	return -1;
}

void browse_set_count(struct browse *b, int64_t n)
{
	b->count = n;
	if (n >= 0 && b->pos_kind == POS_END) {
		b->pos = browse_pos(b);
		b->pos_kind = POS_START;
	}
}

int64_t browse_get_count(const struct browse *b) { return b->count; }

/* ---- fetching ---- */

/* A list of fetched rows in fetch order. */
struct rowlist {
	struct brow *r;
	int n, cap;
};

static void rowlist_free(struct browse *b, struct rowlist *l)
{
	for (int i = 0; i < l->n; i++)
		brow_clear(b, &l->r[i]);
	free(l->r);
	l->r = NULL;
	l->n = l->cap = 0;
}

/* Run "SELECT rowid, * FROM t WHERE <where> [AND filter] ORDER BY <order> LIMIT n"
 * with ?1 = key value, ?2 = rowid when the where text uses them; append rows. */
static int fetch_sql(struct browse *b, const char *where, const char *order,
                     sqlite3_value *v, int64_t rid, int limit, struct rowlist *l,
                     struct cl_err *err)
{
	struct sbuf sql = SBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if (limit <= 0)
		return 0;
	sbuf_addf(&sql, "SELECT rowid, * FROM %s", b->qtable);
	if (where || b->filter) {
		sbuf_adds(&sql, " WHERE ");
		if (where)
			sbuf_addf(&sql, "(%s)", where);
		if (where && b->filter)
			sbuf_adds(&sql, " AND ");
		if (b->filter)
			sbuf_addf(&sql, "(%s)", b->filter);
	}
	sbuf_addf(&sql, " ORDER BY %s LIMIT %d", order, limit);
	rc = ws_prepare(b->ws, sbuf_str(&sql), &st, err);
	sbuf_free(&sql);
	if (rc)
		return -1;
	if (sqlite3_bind_parameter_count(st) >= 1) {
		if (v)
			sqlite3_bind_value(st, 1, v);
		else
			sqlite3_bind_null(st, 1);
	}
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, rid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct brow *r;
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->r = xreallocarray(l->r, (size_t)l->cap, sizeof *l->r);
		}
		r = &l->r[l->n++];
		memset(r, 0, sizeof *r);
		r->rowid = sqlite3_column_int64(st, 0);
		r->cells = xcalloc((size_t)(b->ncols ? b->ncols : 1), sizeof *r->cells);
		r->types = xcalloc((size_t)(b->ncols ? b->ncols : 1), 1);
		for (int i = 0; i < b->ncols; i++) {
			int t = sqlite3_column_type(st, i + 1);
			r->types[i] = (unsigned char)t;
			if (t == SQLITE_BLOB) {
				r->cells[i] = xasprintf("<blob %d bytes>", sqlite3_column_bytes(st, i + 1));
			} else if (t != SQLITE_NULL) {
				const char *s = (const char *)sqlite3_column_text(st, i + 1);
				r->cells[i] = xstrndup(s ? s : "", (size_t)sqlite3_column_bytes(st, i + 1));
			}
		}
		if (b->sort_col >= 0)
			r->key = sqlite3_value_dup(sqlite3_column_value(st, b->sort_col + 1));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_dberr(b->ws, err, b->table);
	return 0;
}

/* The view's whole order, forward (fwd) or reversed. */
static char *order_text(const struct browse *b, int fwd)
{
	int asc = b->sort_desc ? !fwd : fwd;
	if (b->sort_col < 0)
		return xstrdup(fwd ? "rowid ASC" : "rowid DESC");
	return xasprintf("%s %s, rowid %s", b->qcols[b->sort_col], asc ? "ASC" : "DESC",
	                 asc ? "ASC" : "DESC");
}

/* Rows strictly after (fwd) or before (!fwd) the row `edge`, nearest first. */
static int fetch_rel(struct browse *b, const struct brow *edge, int fwd, int limit,
                     struct rowlist *l, struct cl_err *err)
{
	const char *c;
	int up;
	char *w = NULL, *o = NULL;
	int rc = 0;

	if (b->sort_col < 0)
		return fetch_sql(b, fwd ? "rowid > ?2" : "rowid < ?2", fwd ? "rowid ASC" : "rowid DESC",
		                 NULL, edge->rowid, limit, l, err);
	c = b->qcols[b->sort_col];
	up = b->sort_desc ? !fwd : fwd;
	int vnull = !edge->key || sqlite3_value_type(edge->key) == SQLITE_NULL;
	/* 1. the same value, the rest of its rowids */
	w = xasprintf("%s IS ?1 AND rowid %s ?2", c, up ? ">" : "<");
	rc = fetch_sql(b, w, up ? "rowid ASC" : "rowid DESC", edge->key, edge->rowid,
	               limit, l, err);
	FREE(&w);
	if (rc || l->n >= limit)
		return rc;
	if (up) {
		/* 2. greater values */
		w = vnull ? xasprintf("%s IS NOT NULL", c) : xasprintf("%s > ?1", c);
		o = xasprintf("%s ASC, rowid ASC", c);
		rc = fetch_sql(b, w, o, edge->key, 0, limit - l->n, l, err);
	} else if (!vnull) {
		w = xasprintf("%s < ?1", c);
		o = xasprintf("%s DESC, rowid DESC", c);
		rc = fetch_sql(b, w, o, edge->key, 0, limit - l->n, l, err);
		FREE(&w);
		if (rc == 0 && l->n < limit) {
			w = xasprintf("%s IS NULL", c);
			rc = fetch_sql(b, w, "rowid DESC", NULL, 0, limit - l->n, l, err);
		}
	}
	free(w);
	free(o);
	return rc;
}

static void window_reserve(struct browse *b, int n)
{
	if (n > b->cap) {
		b->cap = n;
		b->rows = xreallocarray(b->rows, (size_t)n, sizeof *b->rows);
	}
}

/* Fill the window with the first page of the order (start) or the last one
 * (rows still in display order), positioned at that end. */
static int load_edge(struct browse *b, int page, int start, struct cl_err *err)
{
	struct rowlist l = {0};
	char *o = order_text(b, start);
	int rc = fetch_sql(b, NULL, o, NULL, 0, page, &l, err);
	free(o);
	if (rc) {
		rowlist_free(b, &l);
		return -1;
	}
	window_clear(b);
	window_reserve(b, l.n);
	for (int i = 0; i < l.n; i++)
		b->rows[i] = l.r[start ? i : l.n - 1 - i];   /* the last page is fetched in reverse order */
	b->nrows = l.n;
	free(l.r);
	b->pos_kind = start ? POS_START : POS_END;
	b->pos = 0;
	return 0;
}

int browse_first(struct browse *b, int page, struct cl_err *err)
{
	return load_edge(b, page, 1, err);
}

int browse_last(struct browse *b, int page, struct cl_err *err)
{
	if (load_edge(b, page, 0, err))
		return -1;
	if (b->count >= 0)
		browse_set_count(b, b->count);
	return 0;
}

int browse_move(struct browse *b, int delta, int page, int *moved, struct cl_err *err)
{
	struct rowlist l = {0};
	int fwd = delta > 0, want = fwd ? delta : -delta;

	if (moved)
		*moved = 0;
	if (b->nrows == 0 || delta == 0)
		return 0;
	if (fetch_rel(b, fwd ? &b->rows[b->nrows - 1] : &b->rows[0], fwd, want, &l, err)) {
		rowlist_free(b, &l);
		return -1;
	}
	window_reserve(b, b->nrows + l.n);
	if (fwd) {
		int drop;
		if (l.n)
			memcpy(b->rows + b->nrows, l.r, (size_t)l.n * sizeof *l.r);
		b->nrows += l.n;
		drop = b->nrows > page ? b->nrows - page : 0;
		for (int i = 0; i < drop; i++)
			brow_clear(b, &b->rows[i]);
		memmove(b->rows, b->rows + drop, (size_t)(b->nrows - drop) * sizeof *b->rows);
		b->nrows -= drop;
		if (b->pos_kind == POS_START)
			b->pos += drop;
		else if (b->pos_kind == POS_END)
			b->pos -= l.n;
		if (moved)
			*moved = drop;
	} else {
		int drop;
		memmove(b->rows + l.n, b->rows, (size_t)b->nrows * sizeof *b->rows);
		for (int i = 0; i < l.n; i++)
			b->rows[i] = l.r[l.n - 1 - i];
		b->nrows += l.n;
		drop = b->nrows > page ? b->nrows - page : 0;
		for (int i = b->nrows - drop; i < b->nrows; i++)
			brow_clear(b, &b->rows[i]);
		b->nrows -= drop;
		if (b->pos_kind == POS_START)
			b->pos -= l.n;
		else if (b->pos_kind == POS_END)
			b->pos += drop;
		if (moved)
			*moved = l.n;
	}
	if (b->pos_kind == POS_START && b->pos < 0)
		b->pos = 0;
	if (b->pos_kind == POS_END && b->pos < 0)
		b->pos = 0;
	free(l.r);
	return 0;
}

/* Make the window = row r (taken over) followed by up to page-1 rows after it. */
static int window_from(struct browse *b, struct brow *r, int page, struct cl_err *err)
{
	struct rowlist l = {0};
	if (page > 1 && fetch_rel(b, r, 1, page - 1, &l, err)) {
		rowlist_free(b, &l);
		brow_clear(b, r);
		return -1;
	}
	window_clear(b);
	window_reserve(b, l.n + 1);
	b->rows[0] = *r;
	if (l.n)
		memcpy(b->rows + 1, l.r, (size_t)l.n * sizeof *l.r);
	b->nrows = l.n + 1;
	free(l.r);
	return 0;
}

int browse_reload(struct browse *b, int page, struct cl_err *err)
{
	struct rowlist l = {0};
	struct brow first;
	int64_t pos = browse_pos(b);

	if (b->nrows == 0)
		return browse_first(b, page, err);
	/* Re-read the first row itself: its values may have changed. */
	if (fetch_sql(b, "rowid = ?2", "rowid", NULL, b->rows[0].rowid, 1, &l, err)) {
		rowlist_free(b, &l);
		return -1;
	}
	if (l.n == 0) {
		free(l.r);
		return browse_first(b, page, err);
	}
	first = l.r[0];
	free(l.r);
	if (window_from(b, &first, page, err))
		return -1;
	b->pos_kind = pos >= 0 ? POS_START : POS_UNKNOWN;
	b->pos = pos >= 0 ? pos : 0;
	return 0;
}

/* ---- sort ---- */

int browse_set_sort(struct browse *b, int col, int desc, struct cl_err *err)
{
	if (col >= b->ncols)
		return cl_err_set(err, CL_EINVAL, "no column %d in %s", col, b->table);
	window_clear(b);
	b->sort_col = col < 0 ? -1 : col;
	b->sort_desc = col >= 0 && desc;
	return 0;
}

int browse_sort_col(const struct browse *b) { return b->sort_col; }
int browse_sort_desc(const struct browse *b) { return b->sort_desc; }

/* True when an index of table starts with column. */
static int has_index_on(struct workspace *ws, const char *table, const char *column)
{
	sqlite3_stmt *st;
	struct cl_err err = {0};
	int found = 0;
	/* pragma_index_list / pragma_index_info as table-valued functions. */
	if (ws_prepare(ws, "SELECT 1 FROM pragma_index_list(?1) AS il"
	                   " JOIN pragma_index_info(il.name) AS ii"
	                   " WHERE ii.seqno = 0 AND ii.name = ?2 AND il.partial = 0 LIMIT 1",
	               &st, &err))
		return 0;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_TRANSIENT);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int browse_sort_wants_index(struct browse *b, int col, int64_t table_rows)
{
	if (col < 0 || col >= b->ncols || table_rows < BROWSE_INDEX_MIN_ROWS)
		return 0;
	return !has_index_on(b->ws, b->table, b->cols[col]);
}

struct prog_state {
	cl_progress_fn fn;
	void          *ctx;
	uint64_t       ticks, per_tick, total;
	int            cancelled;
};

/* CREATE INDEX runs about 9 VM steps per row (scan and sorter insert, then the
 * b-tree fill); the handler runs every 1000 steps, so the row estimate is
 * ticks * 1000 / 9.5. It stalls while the sorter sorts, which is one step. */
static int index_progress(void *ctx)
{
	struct prog_state *ps = ctx;
	uint64_t done;
	ps->ticks++;
	done = ps->ticks * 1000 * 2 / 19;
	if (ps->total && done > ps->total - ps->total / 100)
		done = ps->total - ps->total / 100;
	if (ps->fn && ps->fn(ps->ctx, done, ps->total, done)) {
		ps->cancelled = 1;
		return 1;
	}
	return 0;
}

static char *index_name(const char *table, const char *column)
{
	struct sbuf sb = SBUF_INIT;
	sbuf_adds(&sb, "cl_idx_");
	for (const char *s = table; *s; s++)
		sbuf_addc(&sb, isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80 ? *s : '_');
	sbuf_addc(&sb, '_');
	for (const char *s = column; *s; s++)
		sbuf_addc(&sb, isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80 ? *s : '_');
	return sbuf_detach(&sb);
}

int browse_index_build(struct workspace *ws, const char *table, const char *column,
                       int64_t table_rows, cl_progress_fn progress, void *pctx,
                       struct cl_err *err)
{
	struct prog_state ps = { progress, pctx, 0, 1000, table_rows > 0 ? (uint64_t)table_rows : 0, 0 };
	char *name = index_name(table, column);
	char *qn = ws_quote_ident(name), *qt = ws_quote_ident(table), *qc = ws_quote_ident(column);
	char *sql = xasprintf("CREATE INDEX IF NOT EXISTS %s ON %s(%s)", qn, qt, qc);
	int rc;

	sqlite3_progress_handler(ws->db, 1000, index_progress, &ps);
	rc = ws_exec(ws, sql, err);
	sqlite3_progress_handler(ws->db, 0, NULL, NULL);
	if (rc && ps.cancelled)
		cl_err_set(err, CL_ECANCEL, "index on %s.%s cancelled; nothing was changed", table, column);
	else if (rc)
		cl_err_prefix(err, "building an index on %s.%s", table, column);
	else if (progress)
		progress(pctx, ps.total, ps.total, ps.total);
	free(sql);
	free(qn);
	free(qt);
	free(qc);
	free(name);
	return rc;
}

/* ---- filters ---- */

static void filter_rejoin(struct browse *b)
{
	struct sbuf sb = SBUF_INIT;
	FREE(&b->filter);
	for (size_t i = 0; i < b->nfilters; i++) {
		if (i)
			sbuf_adds(&sb, " AND ");
		if (b->nfilters > 1)
			sbuf_addf(&sb, "(%s)", b->filters[i]);
		else
			sbuf_adds(&sb, b->filters[i]);
	}
	if (b->nfilters)
		b->filter = sbuf_detach(&sb);
	window_clear(b);
	b->count = -1;
}

int browse_filter_add(struct browse *b, const char *pred, struct cl_err *err)
{
	const char *s = pred;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return cl_err_set(err, CL_EINVAL, "an empty filter; type a condition such as age > 30");
	if (query_check_predicate(b->ws, b->table, s, err))
		return -1;
	b->filters = xreallocarray(b->filters, b->nfilters + 1, sizeof *b->filters);
	b->filters[b->nfilters++] = xstrdup(s);
	filter_rejoin(b);
	return 0;
}

char *browse_sql_literal(const char *text, int type)
{
	struct sbuf sb = SBUF_INIT;
	if (!text || type == SQLITE_NULL)
		return xstrdup("NULL");
	if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
		/* SQLite's own text of a number reads back as the same number. */
		int ok = *text != 0;
		for (const char *s = text; *s; s++)
			if (!strchr("0123456789+-.eE", *s))
				ok = 0;
		if (ok)
			return xstrdup(text);
	}
	sbuf_addc(&sb, '\'');
	for (const char *s = text; *s; s++) {
		if (*s == '\'')
			sbuf_addc(&sb, '\'');
		sbuf_addc(&sb, *s);
	}
	sbuf_addc(&sb, '\'');
	return sbuf_detach(&sb);
}

int browse_filter_value(struct browse *b, int col, const char *text, int type,
                        struct cl_err *err)
{
	char *pred, *lit;
	int rc;
	if (col < 0 || col >= b->ncols)
		return cl_err_set(err, CL_EINVAL, "no such column");
	if (!text || type == SQLITE_NULL) {
		pred = xasprintf("%s IS NULL", b->qcols[col]);
	} else {
		lit = browse_sql_literal(text, type);
		pred = xasprintf("%s = %s", b->qcols[col], lit);
		free(lit);
	}
	rc = browse_filter_add(b, pred, err);
	free(pred);
	return rc;
}

int browse_filter_eq(struct browse *b, int col, int row, struct cl_err *err)
{
	if (row < 0 || row >= b->nrows)
		return cl_err_set(err, CL_EINVAL, "no row under the cursor");
	if (b->rows[row].types[col] == SQLITE_BLOB)
		return cl_err_set(err, CL_EINVAL, "cannot filter on a blob value");
	return browse_filter_value(b, col, b->rows[row].cells[col], b->rows[row].types[col], err);
}

void browse_filter_clear(struct browse *b)
{
	for (size_t i = 0; i < b->nfilters; i++)
		free(b->filters[i]);
	FREE(&b->filters);
	b->nfilters = 0;
	filter_rejoin(b);
}

const char *browse_filter(const struct browse *b) { return b->filter; }

/* ---- counting and frequency, with a per-row tick for progress ---- */

struct tick_state {
	cl_progress_fn fn;
	void          *ctx;
	uint64_t       rows, total;
	int            cancelled;
};

/* cl_tick(): counts the rows a scan visits; every 16384 rows it reports
 * progress, and a cancel turns into an interrupt of the statement. */
static void tick_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct tick_state *ts = sqlite3_user_data(cx);
	(void)argc;
	(void)argv;
	if ((++ts->rows & 16383) == 0 && ts->fn && !ts->cancelled) {
		uint64_t d = ts->total && ts->rows > ts->total ? ts->total : ts->rows;
		if (ts->fn(ts->ctx, d, ts->total, ts->rows)) {
			ts->cancelled = 1;
			sqlite3_interrupt(sqlite3_context_db_handle(cx));
		}
	}
	sqlite3_result_int(cx, 1);
}

static int tick_begin(struct workspace *ws, struct tick_state *ts)
{
	return sqlite3_create_function(ws->db, "cl_tick", 0, SQLITE_UTF8, ts, tick_fn, NULL, NULL);
}

static void tick_end(struct workspace *ws)
{
	sqlite3_create_function(ws->db, "cl_tick", 0, SQLITE_UTF8, NULL, NULL, NULL, NULL);
}

static int check_pred(struct workspace *ws, const char *table, const char *pred,
                      struct cl_err *err)
{
	if (!pred || !*pred)
		return 0;
	return query_check_predicate(ws, table, pred, err);
}

int browse_count(struct workspace *ws, const char *table, const char *pred, int64_t table_rows,
                 cl_progress_fn progress, void *pctx, int64_t *out, struct cl_err *err)
{
	struct tick_state ts = { progress, pctx, 0, table_rows > 0 ? (uint64_t)table_rows : 0, 0 };
	char *qt = ws_quote_ident(table), *sql;
	sqlite3_stmt *st;
	int rc;

	*out = 0;
	if (check_pred(ws, table, pred, err)) {
		free(qt);
		return -1;
	}
	if (pred && *pred)
		sql = xasprintf("SELECT count(*) FROM %s WHERE cl_tick() AND (%s)", qt, pred);
	else
		sql = xasprintf("SELECT count(*) FROM %s", qt);
	free(qt);
	tick_begin(ws, &ts);
	rc = ws_prepare(ws, sql, &st, err);
	free(sql);
	if (rc == 0) {
		if (sqlite3_step(st) == SQLITE_ROW)
			*out = sqlite3_column_int64(st, 0);
		else
			rc = ts.cancelled ? cl_err_set(err, CL_ECANCEL, "count cancelled")
			                  : ws_dberr(ws, err, "counting rows");
		sqlite3_finalize(st);
	}
	tick_end(ws);
	return rc;
}

int browse_frequency(struct workspace *ws, const char *table, const char *column,
                     const char *pred, int limit, int64_t table_rows,
                     cl_progress_fn progress, void *pctx, struct browse_freq **out,
                     size_t *n, int64_t *total, struct cl_err *err)
{
	struct tick_state ts = { progress, pctx, 0, table_rows > 0 ? (uint64_t)table_rows : 0, 0 };
	char *qt = ws_quote_ident(table), *qc = ws_quote_ident(column), *sql;
	struct browse_freq *f = NULL;
	size_t cnt = 0;
	int64_t sum = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (check_pred(ws, table, pred, err)) {
		free(qt);
		free(qc);
		return -1;
	}
	/* The window function gives the total in the same pass. */
	sql = xasprintf("SELECT %s, count(*) AS n, sum(count(*)) OVER () FROM %s"
	                " WHERE cl_tick()%s%s%s GROUP BY 1 ORDER BY n DESC, 1 LIMIT %d",
	                qc, qt, pred && *pred ? " AND (" : "", pred && *pred ? pred : "",
	                pred && *pred ? ")" : "", limit > 0 ? limit : 1000);
	free(qt);
	free(qc);
	tick_begin(ws, &ts);
	rc = ws_prepare(ws, sql, &st, err);
	free(sql);
	if (rc == 0) {
		f = xcalloc((size_t)(limit > 0 ? limit : 1000), sizeof *f);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int t = sqlite3_column_type(st, 0);
			f[cnt].type = t;
			if (t == SQLITE_BLOB)
				f[cnt].text = xasprintf("<blob %d bytes>", sqlite3_column_bytes(st, 0));
			else if (t != SQLITE_NULL)
				f[cnt].text = xstrndup((const char *)sqlite3_column_text(st, 0),
				                       (size_t)sqlite3_column_bytes(st, 0));
			f[cnt].count = sqlite3_column_int64(st, 1);
			sum = sqlite3_column_int64(st, 2);
			cnt++;
		}
		if (rc != SQLITE_DONE) {
			if (ts.cancelled)
				cl_err_set(err, CL_ECANCEL, "frequency of %s cancelled", column);
			else
				ws_dberr(ws, err, "frequency table");
			browse_freq_free(f, cnt);
			f = NULL;
			cnt = 0;
			rc = -1;
		} else {
			rc = 0;
		}
		sqlite3_finalize(st);
	}
	tick_end(ws);
	if (rc == 0 && progress)
		progress(pctx, ts.total, ts.total, ts.rows);
	*out = f;
	*n = cnt;
	*total = sum;
	return rc;
}

void browse_freq_free(struct browse_freq *f, size_t n)
{
	if (!f)
		return;
	for (size_t i = 0; i < n; i++)
		free(f[i].text);
	free(f);
}

char *browse_view_sql(const struct browse *b)
{
	char *o = order_text(b, 1);
	char *sql = xasprintf("SELECT * FROM %s%s%s%s ORDER BY %s", b->qtable,
	                      b->filter ? " WHERE (" : "", b->filter ? b->filter : "",
	                      b->filter ? ")" : "", o);
	free(o);
	return sql;
}

/* ---- search ---- */

int browse_find(struct browse *b, int row, int col, const char *text, int dir, int page,
                int *found, struct cl_err *err)
{
	struct sbuf pat = SBUF_INIT;
	char **saved;
	size_t nsaved;
	char *saved_join, *cond;
	struct rowlist l = {0};
	int rc;

	*found = 0;
	if (row < 0 || row >= b->nrows || col < 0 || col >= b->ncols || !*text)
		return 0;
	sbuf_addc(&pat, '%');
	for (const char *s = text; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			sbuf_addc(&pat, '\\');
		sbuf_addc(&pat, *s);
	}
	sbuf_addc(&pat, '%');
	/* The pattern is a literal in the extra filter: quote it. */
	{
		char *lit = browse_sql_literal(sbuf_str(&pat), SQLITE_TEXT);
		cond = xasprintf("%s LIKE %s ESCAPE '\\'", b->qcols[col], lit);
		free(lit);
	}
	sbuf_free(&pat);
	/* Temporarily add the search condition as one more filter. */
	saved = b->filters;
	nsaved = b->nfilters;
	saved_join = b->filter;
	b->filter = saved_join ? xasprintf("(%s) AND %s", saved_join, cond) : xstrdup(cond);
	if (dir == 2 || dir == -2) {
		char *o = order_text(b, dir > 0);
		rc = fetch_sql(b, NULL, o, NULL, 0, 1, &l, err);
		free(o);
	} else {
		rc = fetch_rel(b, &b->rows[row], dir >= 0, 1, &l, err);
	}
	free(b->filter);
	b->filter = saved_join;
	b->filters = saved;
	b->nfilters = nsaved;
	free(cond);
	if (rc) {
		rowlist_free(b, &l);
		return -1;
	}
	if (l.n == 0) {
		free(l.r);
		return 0;
	}
	struct brow hit = l.r[0];
	for (int i = 1; i < l.n; i++)
		brow_clear(b, &l.r[i]);
	free(l.r);
	if (window_from(b, &hit, page, err))
		return -1;
	b->pos_kind = POS_UNKNOWN;
	*found = 1;
	return 0;
}
