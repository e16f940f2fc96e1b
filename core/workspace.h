/* workspace.h — the one SQLite file that holds a copylab session.
 *
 * Opening runs the schema migrations (PRAGMA user_version), so a workspace
 * made by an older copylab opens in a newer one. WAL mode and foreign keys are
 * on. copylab's own tables are prefixed `cl_`; imported user tables live in
 * the same file under their own names.
 */
#ifndef CL_WORKSPACE_H
#define CL_WORKSPACE_H

#include <sqlite3.h>
#include "core/util.h"

struct workspace {
	sqlite3 *db;
	char    *path;     /* as given to workspace_open */
	int      created;  /* 1 if this open created the file */
};

enum {
	WS_CREATE   = 1 << 0,   /* create the file when missing */
	WS_READONLY = 1 << 1,   /* open read-only (no migrations run) */
};

/* Schema version this build writes. */
int workspace_schema_version(void);

/* Open (and migrate) the workspace at path; *out is freed with workspace_close. */
int workspace_open(const char *path, int flags, struct workspace **out, struct cl_err *err);
void workspace_close(struct workspace *ws);

/* Run one or more statements that return no rows. */
int ws_exec(struct workspace *ws, const char *sql, struct cl_err *err);
/* Prepare one statement; *stmt is finalized by the caller. */
int ws_prepare(struct workspace *ws, const char *sql, sqlite3_stmt **stmt, struct cl_err *err);
/* Fill err from the connection's last error, with a context prefix; returns -1. */
int ws_dberr(struct workspace *ws, struct cl_err *err, const char *context);

int ws_begin(struct workspace *ws, struct cl_err *err);      /* BEGIN IMMEDIATE */
int ws_commit(struct workspace *ws, struct cl_err *err);
void ws_rollback(struct workspace *ws);                     /* never fails loudly */

/* Key/value settings in cl_meta. ws_meta_get returns a new string or NULL. */
char *ws_meta_get(struct workspace *ws, const char *key);
int ws_meta_set(struct workspace *ws, const char *key, const char *value, struct cl_err *err);

/* True if a user or internal table of that name exists. */
int ws_table_exists(struct workspace *ws, const char *name);

/* Column i of the current row as a new string (NULL for SQL NULL); caller frees. */
char *ws_col_dup(sqlite3_stmt *st, int i);

/* Column i of the current row as a double, NAN for SQL NULL. */
double ws_col_real(sqlite3_stmt *st, int i);

/* Quote an SQL identifier ("a""b"); caller frees. */
char *ws_quote_ident(const char *name);

/* Current UTC time as ISO-8601 text, for created_at columns; caller frees. */
char *ws_now_iso(void);

#endif
