/* query.c — user SQL through an authorizer that only lets reads through. */
#include "core/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct guard {
	char why[256];   /* first refusal */
	int  weak;       /* why names SQLite's own schema table: a later reason says more */
};

static const char *const pragma_read_noarg[] = {
	"application_id", "auto_vacuum", "cache_size", "collation_list", "compile_options",
	"data_version", "database_list", "encoding", "foreign_keys", "freelist_count",
	"function_list", "journal_mode", "module_list", "page_count", "page_size",
	"pragma_list", "schema_version", "table_list", "user_version", "busy_timeout",
	"max_page_count", "synchronous", "wal_autocheckpoint",
};
static const char *const pragma_read_arg[] = {
	"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
	"foreign_key_list", "table_list", "integrity_check", "quick_check", "foreign_key_check",
};

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static int deny(struct guard *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int deny(struct guard *g, const char *fmt, ...)
{
	va_list ap;
	if (!g->why[0] || g->weak) {
		va_start(ap, fmt);
		vsnprintf(g->why, sizeof g->why, fmt, ap);
		va_end(ap);
		g->weak = 0;
	}
	return SQLITE_DENY;
}

static int authorizer(void *ctx, int action, const char *a1, const char *a2, const char *db,
                      const char *trigger)
{
	struct guard *g = ctx;
	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		if (a2 && (strcasecmp(a2, "load_extension") == 0 || strcasecmp(a2, "writefile") == 0 ||
		           strcasecmp(a2, "readfile") == 0 || strcasecmp(a2, "edit") == 0))
			return deny(g, "the function %s() is not allowed", a2 ? a2 : "?");
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		if (!a1)
			return deny(g, "this PRAGMA is not allowed");
		if (!a2 && in_list(a1, pragma_read_noarg, sizeof pragma_read_noarg / sizeof *pragma_read_noarg))
			return SQLITE_OK;
		if (in_list(a1, pragma_read_arg, sizeof pragma_read_arg / sizeof *pragma_read_arg))
			return SQLITE_OK;
		return a2 ? deny(g, "PRAGMA %s=%s", a1, a2) : deny(g, "PRAGMA %s", a1);
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE: {
		int was_empty = !g->why[0];
		/* table-valued pragmas (pragma_table_info) announce an UPDATE of the
		 * schema table while they load; SQLite never lets that write happen
		 * (writable_schema is refused) and stmt_readonly checks again */
		if (action == SQLITE_UPDATE && a1 && strcmp(a1, "sqlite_master") == 0)
			return SQLITE_OK;
		if (a1 && strncmp(a1, "sqlite_", 7) == 0) {
			/* DROP and friends edit the schema table before they say who they are */
			deny(g, "changing the schema (CREATE, DROP, ALTER)");
			g->weak = was_empty;
			return SQLITE_DENY;
		}
		return deny(g, action == SQLITE_INSERT ? "INSERT into %s" : action == SQLITE_UPDATE ?
		            "UPDATE of %s" : "DELETE from %s", a1 ? a1 : "?");
	}
	case SQLITE_ATTACH: return deny(g, "ATTACH");
	case SQLITE_DETACH: return deny(g, "DETACH");
	case SQLITE_TRANSACTION: return deny(g, "transactions (%s)", a1 ? a1 : "?");
	case SQLITE_SAVEPOINT: return deny(g, "SAVEPOINT");
	case SQLITE_ALTER_TABLE: return deny(g, "ALTER TABLE %s", a2 ? a2 : "?");
	case SQLITE_REINDEX: return deny(g, "REINDEX");
	case SQLITE_ANALYZE: return deny(g, "ANALYZE");
	case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TEMP_INDEX:
	case SQLITE_CREATE_TEMP_TABLE: case SQLITE_CREATE_TEMP_TRIGGER: case SQLITE_CREATE_TEMP_VIEW:
	case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_VIEW: case SQLITE_CREATE_VTABLE:
		return deny(g, "CREATE %s", a1 ? a1 : "?");
	case SQLITE_DROP_INDEX: case SQLITE_DROP_TABLE: case SQLITE_DROP_TEMP_INDEX:
	case SQLITE_DROP_TEMP_TABLE: case SQLITE_DROP_TEMP_TRIGGER: case SQLITE_DROP_TEMP_VIEW:
	case SQLITE_DROP_TRIGGER: case SQLITE_DROP_VIEW: case SQLITE_DROP_VTABLE:
		return deny(g, "DROP %s", a1 ? a1 : "?");
	default:
		return deny(g, "this kind of statement");
	}
}

static int only_space(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != ';')
			return 0;
	return 1;
}

int query_prepare(struct workspace *ws, const char *sql, sqlite3_stmt **out, struct cl_err *err)
{
	struct guard g = { "", 0 };
	sqlite3_stmt *st = NULL, *st2 = NULL;
	const char *tail = NULL;
	int rc;
	*out = NULL;
	if (!sql || only_space(sql))
		return cl_err_set(err, CL_EINVAL, "the query is empty");
	sqlite3_set_authorizer(ws->db, authorizer, &g);
	rc = sqlite3_prepare_v2(ws->db, sql, -1, &st, &tail);
	if (rc == SQLITE_OK && tail && !only_space(tail)) {
		/* a second statement (not just a comment)? */
		if (sqlite3_prepare_v2(ws->db, tail, -1, &st2, NULL) != SQLITE_OK || st2) {
			sqlite3_finalize(st2);
			sqlite3_finalize(st);
			sqlite3_set_authorizer(ws->db, NULL, NULL);
			return cl_err_set(err, CL_EINVAL, "one statement at a time, please (found more "
			                  "after the first ';')");
		}
	}
	sqlite3_set_authorizer(ws->db, NULL, NULL);
	if (g.why[0]) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_EDENIED, "refused: queries are read-only and %s is not "
		                  "allowed (import, clean and segment change data)", g.why);
	}
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_EINVAL, "SQL error: %s", sqlite3_errmsg(ws->db));
	}
	if (!st)
		return cl_err_set(err, CL_EINVAL, "the query is empty");
	if (!sqlite3_stmt_readonly(st)) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_EDENIED, "refused: queries are read-only and this statement "
		                  "would change the workspace");
	}
	*out = st;
	return 0;
}

int query_check(struct workspace *ws, const char *sql, struct cl_err *err)
{
	sqlite3_stmt *st;
	if (query_prepare(ws, sql, &st, err))
		return -1;
	sqlite3_finalize(st);
	return 0;
}

/* Step st, calling fn per row. */
static int run_stmt(struct workspace *ws, sqlite3_stmt *st, query_row_fn fn, void *ctx,
                    int64_t *nrows, struct cl_err *err)
{
	int nc = sqlite3_column_count(st), rc;
	const char **names = xcalloc((size_t)nc + 1, sizeof *names);
	const char **text = xcalloc((size_t)nc + 1, sizeof *text);
	size_t *len = xcalloc((size_t)nc + 1, sizeof *len);
	int *type = xcalloc((size_t)nc + 1, sizeof *type);
	int64_t n = 0;
	int ret = -1;
	for (int i = 0; i < nc; i++)
		names[i] = sqlite3_column_name(st, i);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn) {
			for (int i = 0; i < nc; i++) {
				type[i] = sqlite3_column_type(st, i);
				text[i] = type[i] == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(st, i);
				len[i] = text[i] ? (size_t)sqlite3_column_bytes(st, i) : 0;
			}
			struct query_row row = { nc, names, text, len, type, n };
			n++;
			if (fn(ctx, &row))
				break;
		} else
			n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		cl_err_set(err, CL_EDB, "SQL error: %s", sqlite3_errmsg(ws->db));
		goto out;
	}
	if (nrows)
		*nrows = n;
	ret = 0;
out:
	free(names);
	free(text);
	free(len);
	free(type);
	return ret;
}

int query_run(struct workspace *ws, const char *sql, query_row_fn fn, void *ctx,
              int64_t *nrows, struct cl_err *err)
{
	sqlite3_stmt *st;
	if (nrows)
		*nrows = 0;
	if (query_prepare(ws, sql, &st, err))
		return -1;
	int rc = run_stmt(ws, st, fn, ctx, nrows, err);
	sqlite3_finalize(st);
	return rc;
}

/* Parentheses balance outside quotes, so a predicate cannot close the WHERE. */
static int balanced(const char *s)
{
	int depth = 0;
	char q = 0;
	for (; *s; s++) {
		if (q) {
			if (*s == q)
				q = 0;
		} else if (*s == '\'' || *s == '"' || *s == '`' || *s == '[')
			q = *s == '[' ? ']' : *s;
		else if (*s == '(')
			depth++;
		else if (*s == ')' && --depth < 0)
			return 0;
		else if (*s == ';')
			return 0;
		else if (s[0] == '-' && s[1] == '-')
			return 0;
	}
	return depth == 0 && !q;
}

static char *pred_sql(const char *select, const char *qt, const char *pred)
{
	if (pred && !only_space(pred))
		return xasprintf("SELECT %s FROM %s WHERE (%s)", select, qt, pred);
	return xasprintf("SELECT %s FROM %s", select, qt);
}

int query_check_predicate(struct workspace *ws, const char *table, const char *pred,
                          struct cl_err *err)
{
	if (!ws_table_exists(ws, table))
		return cl_err_set(err, CL_ENOTFOUND, "no table named '%s'", table);
	if (!pred || only_space(pred))
		return cl_err_set(err, CL_EINVAL, "the predicate is empty");
	if (!balanced(pred))
		return cl_err_set(err, CL_EINVAL, "the predicate must be one expression: unbalanced "
		                  "parentheses or quotes, ';' or a comment in \"%s\"", pred);
	char *qt = ws_quote_ident(table);
	char *sql = pred_sql("count(*)", qt, pred);
	int rc = query_check(ws, sql, err);
	if (rc)
		cl_err_prefix(err, "predicate \"%s\"", pred);
	free(sql);
	free(qt);
	return rc;
}

int query_count(struct workspace *ws, const char *table, const char *pred, int64_t *n,
                struct cl_err *err)
{
	sqlite3_stmt *st;
	*n = 0;
	if (!ws_table_exists(ws, table))
		return cl_err_set(err, CL_ENOTFOUND, "no table named '%s'", table);
	int with = pred && !only_space(pred);
	if (with && !balanced(pred))
		return query_check_predicate(ws, table, pred, err);
	char *qt = ws_quote_ident(table);
	char *sql = pred_sql("count(*)", qt, pred);
	int rc = with ? query_prepare(ws, sql, &st, err) : ws_prepare(ws, sql, &st, err);
	free(sql);
	free(qt);
	if (rc)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		ws_dberr(ws, err, "count");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int query_columns(struct workspace *ws, const char *table, char ***names, char ***types,
                  size_t *n, struct cl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 8;
	*n = 0;
	*names = xcalloc(cap, sizeof **names);
	*types = xcalloc(cap, sizeof **types);
	if (ws_prepare(ws, "SELECT name, type FROM pragma_table_info(?)", &st, err)) {
		query_columns_free(*names, *types, 0);
		return -1;
	}
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap *= 2;
			*names = xreallocarray(*names, cap, sizeof **names);
			*types = xreallocarray(*types, cap, sizeof **types);
		}
		const char *t = (const char *)sqlite3_column_text(st, 1);
		(*names)[*n] = xstrdup((const char *)sqlite3_column_text(st, 0));
		(*types)[*n] = xstrdup(t ? t : "");
		(*n)++;
	}
	sqlite3_finalize(st);
	if (*n == 0) {
		query_columns_free(*names, *types, 0);
		*names = *types = NULL;
		return cl_err_set(err, CL_ENOTFOUND, "no table named '%s'", table);
	}
	return 0;
}

void query_columns_free(char **names, char **types, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		free(types[i]);
	}
	free(names);
	free(types);
}

int query_page(struct workspace *ws, const struct query_page *pg, query_row_fn fn, void *ctx,
               struct cl_err *err)
{
	char **names = NULL, **types = NULL;
	size_t n = 0;
	sqlite3_stmt *st = NULL;
	struct sbuf sql = SBUF_INIT;
	char *qt = NULL;
	int rc = -1;
	int with = pg->pred && !only_space(pg->pred);
	if (query_columns(ws, pg->table, &names, &types, &n, err))
		return -1;
	if (with && query_check_predicate(ws, pg->table, pg->pred, err))
		goto out;
	qt = ws_quote_ident(pg->table);
	sbuf_addf(&sql, "SELECT rowid AS _rowid, * FROM %s", qt);
	if (with)
		sbuf_addf(&sql, " WHERE (%s)", pg->pred);
	if (pg->order_by && *pg->order_by) {
		size_t i;
		for (i = 0; i < n; i++)
			if (strcasecmp(names[i], pg->order_by) == 0)
				break;
		if (i == n) {
			cl_err_set(err, CL_EINVAL, "table '%s' has no column \"%s\"", pg->table, pg->order_by);
			goto out;
		}
		char *qc = ws_quote_ident(names[i]);
		sbuf_addf(&sql, " ORDER BY %s %s, rowid", qc, pg->desc ? "DESC" : "ASC");
		free(qc);
	} else
		sbuf_addf(&sql, " ORDER BY rowid %s", pg->desc ? "DESC" : "ASC");
	sbuf_addf(&sql, " LIMIT %d OFFSET %lld", pg->limit > 0 ? pg->limit : 100,
	          (long long)(pg->offset > 0 ? pg->offset : 0));
	if (query_prepare(ws, sql.buf, &st, err))
		goto out;
	rc = run_stmt(ws, st, fn, ctx, NULL, err);
out:
	sqlite3_finalize(st);
	sbuf_free(&sql);
	free(qt);
	query_columns_free(names, types, n);
	return rc;
}
