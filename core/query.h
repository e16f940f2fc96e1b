/* query.h — the one guarded entry point for user SQL.
 *
 * Everything a person types (queries, segment predicates, export --query)
 * goes through here. While a statement is prepared an SQLite authorizer
 * refuses writes (INSERT, UPDATE, DELETE, CREATE, DROP, ALTER), ATTACH and
 * DETACH, transactions, and PRAGMAs that change state; only one statement is
 * accepted, and sqlite3_stmt_readonly must agree. Refusals fail with
 * CL_EDENIED and a message saying what was refused.
 */
#ifndef CL_QUERY_H
#define CL_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "core/util.h"
#include "core/workspace.h"

/* One result row handed to a query_row_fn. Arrays hold ncols entries and are
 * valid only during the call. text[i] is NULL for SQL NULL; numbers come as
 * SQLite's text form. type[i] is SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT,
 * SQLITE_BLOB or SQLITE_NULL. */
struct query_row {
	int                ncols;
	const char *const *names;
	const char *const *text;
	const size_t      *len;
	const int         *type;
	int64_t            rowno;    /* 0-based */
};

/* Row callback: return non-zero to stop early (not an error). */
typedef int (*query_row_fn)(void *ctx, const struct query_row *row);

/* Prepare one read-only statement from user text; *st is finalized by the
 * caller. Fails (CL_EDENIED) on anything that would write. */
int query_prepare(struct workspace *ws, const char *sql, sqlite3_stmt **st, struct cl_err *err);

/* Check that sql is one read-only statement, without running it. */
int query_check(struct workspace *ws, const char *sql, struct cl_err *err);

/* Run user SQL, calling fn for each row (fn may be NULL to only count);
 * *nrows (may be NULL) gets the rows delivered. */
int query_run(struct workspace *ws, const char *sql, query_row_fn fn, void *ctx,
              int64_t *nrows, struct cl_err *err);

/* Check that pred is a read-only boolean expression over table's columns
 * (as in SELECT ... FROM table WHERE pred). */
int query_check_predicate(struct workspace *ws, const char *table, const char *pred,
                          struct cl_err *err);

/* Rows of table matching pred (NULL or "" = all rows). */
int query_count(struct workspace *ws, const char *table, const char *pred, int64_t *n,
                struct cl_err *err);

/* A page of a table for a grid: rows [offset, offset+limit) of table, filtered
 * by pred (NULL = all), sorted by column order_by (NULL = insertion order),
 * descending when desc. The first column delivered is the rowid, named
 * "_rowid", then the table's columns. */
struct query_page {
	const char *table;
	const char *pred;
	const char *order_by;
	int         desc;
	int64_t     offset;
	int         limit;
};
int query_page(struct workspace *ws, const struct query_page *page, query_row_fn fn, void *ctx,
               struct cl_err *err);

/* The table's columns and declared types, in order. Free with query_columns_free. */
int query_columns(struct workspace *ws, const char *table, char ***names, char ***types,
                  size_t *n, struct cl_err *err);
void query_columns_free(char **names, char **types, size_t n);

#endif
