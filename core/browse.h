/* browse.h — a scrolling view over one table for the TUI grid: keyset paging,
 * sort, filters and frequency tables, with all the SQL kept here.
 *
 * A browse holds a window of at most `page` rows in the current order. Moving
 * fetches only the rows that enter the window, by keyset (the sort value and
 * the rowid of the row at the edge), never with OFFSET and never holding more
 * than the window, so every move costs one or two indexed lookups whatever the
 * table's size. The order is the rowid, or one column ascending or descending
 * with the rowid breaking ties; NULLs come first ascending and last descending,
 * as SQLite sorts them. Filters are read-only predicates (checked by
 * query_check_predicate) joined with AND.
 *
 * Sorting a big table wants an index on the column: browse_sort_wants_index
 * says when, and browse_index_build makes one (on its own connection if the
 * caller runs it on a worker thread), reporting progress and honouring cancel.
 */
#ifndef CL_BROWSE_H
#define CL_BROWSE_H

#include <stddef.h>
#include <stdint.h>
#include "core/progress.h"
#include "core/util.h"
#include "core/workspace.h"

/* Tables at least this big get an index before they are sorted. */
#define BROWSE_INDEX_MIN_ROWS 50000

struct browse;

/* One user table (not cl_*, not sqlite_*) and its row count. */
struct browse_table {
	char   *name;
	int64_t rows;
};
/* The workspace's user tables by name with live counts; free with browse_tables_free. */
int browse_tables(struct workspace *ws, struct browse_table **out, size_t *n, struct cl_err *err);
/* Free a list from browse_tables. */
void browse_tables_free(struct browse_table *t, size_t n);

/* Open a view of table (rowid order, no filter, empty window); free with browse_free.
 * The browse keeps ws borrowed: close the browse before the workspace. */
int browse_open(struct workspace *ws, const char *table, struct browse **out, struct cl_err *err);
/* Free a browse and its window (NULL is fine). */
void browse_free(struct browse *b);

/* The table's name (owned by the browse). */
const char *browse_table_name(const struct browse *b);
/* Number of columns, and the name of column col (owned by the browse; "" when out of range). */
int browse_ncols(const struct browse *b);
const char *browse_col_name(const struct browse *b, int col);
/* The column's declared type as written in the schema ("" when none). */
const char *browse_col_decltype(const struct browse *b, int col);
/* Column index by name (exact, then case-insensitive), or -1. */
int browse_col_find(const struct browse *b, const char *name);

/* ---- the window ---- */

/* Rows in the window now. */
int browse_nrows(const struct browse *b);
/* Cell text (SQLite's text form for numbers), NULL for SQL NULL; valid until the window moves. */
const char *browse_cell(const struct browse *b, int row, int col);
/* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL. */
int browse_cell_type(const struct browse *b, int row, int col);
/* The rowid of window row `row` (-1 when out of range). */
int64_t browse_rowid(const struct browse *b, int row);

/* Fill the window with the first / last `page` rows of the view. */
int browse_first(struct browse *b, int page, struct cl_err *err);
int browse_last(struct browse *b, int page, struct cl_err *err);
/* Slide the window by delta rows (down when positive), keeping `page` rows;
 * *moved (may be NULL) gets how far it went (less at either end). */
int browse_move(struct browse *b, int delta, int page, int *moved, struct cl_err *err);
/* Refill the window with `page` rows starting at its first row (after a
 * resize); falls back to browse_first when the window is empty. */
int browse_reload(struct browse *b, int page, struct cl_err *err);

/* Index of the window's first row in the whole view (0-based), or -1 when not
 * known (after a search jump, or browse_last before the count is known). */
int64_t browse_pos(const struct browse *b);
/* Tell the browse how many rows the view holds (from browse_count, maybe run on
 * another connection); -1 = unknown. Positions taken from the end resolve then. */
void browse_set_count(struct browse *b, int64_t n);
/* The count given to browse_set_count, -1 while unknown (reset by filter changes). */
int64_t browse_get_count(const struct browse *b);

/* ---- order ---- */

/* Sort by column col (-1: rowid order), descending when desc. Takes effect
 * at the next browse_first. */
int browse_set_sort(struct browse *b, int col, int desc, struct cl_err *err);
/* The sort column (-1 for rowid order) and whether it is descending. */
int browse_sort_col(const struct browse *b);
int browse_sort_desc(const struct browse *b);
/* True when sorting by col should wait for browse_index_build: the table is
 * big (BROWSE_INDEX_MIN_ROWS) and no index starts with that column. */
int browse_sort_wants_index(struct browse *b, int col, int64_t table_rows);
/* Build the index "cl_idx_<table>_<column>" (IF NOT EXISTS). progress gets
 * done/total as an estimate of rows processed (total = table_rows); returning
 * non-zero cancels, and the workspace stays as it was (CL_ECANCEL). */
int browse_index_build(struct workspace *ws, const char *table, const char *column,
                       int64_t table_rows, cl_progress_fn progress, void *pctx,
                       struct cl_err *err);

/* ---- filters ---- */

/* Add a read-only predicate (ANDed with those before); refused predicates leave
 * the view as it was. Takes effect at the next browse_first. */
int browse_filter_add(struct browse *b, const char *pred, struct cl_err *err);
/* Add "column equal to the value in the window's row" (IS NULL for NULL). */
int browse_filter_eq(struct browse *b, int col, int row, struct cl_err *err);
/* Add "column = value" from a value's text and SQLite type (for frequency rows). */
int browse_filter_value(struct browse *b, int col, const char *text, int type,
                        struct cl_err *err);
/* Drop every filter. */
void browse_filter_clear(struct browse *b);
/* The filters joined as one predicate, e.g. ("region" = 'East') AND (age > 30);
 * NULL when there is none. Owned by the browse. */
const char *browse_filter(const struct browse *b);

/* Rows of table matching pred (NULL = all); progress gets rows scanned out of
 * table_rows (0 = unknown) and may cancel. */
int browse_count(struct workspace *ws, const char *table, const char *pred, int64_t table_rows,
                 cl_progress_fn progress, void *pctx, int64_t *out, struct cl_err *err);

/* ---- search ---- */

/* Find the next row (dir 1) or previous row (dir -1) after the window's row
 * `row` whose column col contains text (ASCII case-insensitive); dir 2 / -2
 * finds the first / last such row of the whole view instead (search wrapping
 * around). On success the window starts at that row and *found is 1,
 * otherwise nothing moves. */
int browse_find(struct browse *b, int row, int col, const char *text, int dir, int page,
                int *found, struct cl_err *err);

/* ---- frequency ---- */

struct browse_freq {
	char   *text;      /* NULL for SQL NULL */
	int     type;      /* SQLite type of the value */
	int64_t count;
};
/* The limit most frequent values of column over the rows matching pred
 * (NULL = all), count descending then value; *total gets the rows counted.
 * progress gets rows scanned out of table_rows and may cancel. Free with
 * browse_freq_free. */
int browse_frequency(struct workspace *ws, const char *table, const char *column,
                     const char *pred, int limit, int64_t table_rows,
                     cl_progress_fn progress, void *pctx, struct browse_freq **out,
                     size_t *n, int64_t *total, struct cl_err *err);
/* Free a list from browse_frequency (NULL is fine). */
void browse_freq_free(struct browse_freq *f, size_t n);

/* The whole view (its filters and order) as one read-only SELECT of the
 * table's columns, for export; caller frees. */
char *browse_view_sql(const struct browse *b);

/* SQL literal of a value ('text' quoted, numbers as is, NULL); caller frees. */
char *browse_sql_literal(const char *text, int type);

#endif
