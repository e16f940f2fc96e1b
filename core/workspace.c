/* workspace.c — open, migrate and close the SQLite workspace. */
#include "core/workspace.h"
#include "core/schema.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int workspace_schema_version(void) { return schema_migration_count; }

int ws_dberr(struct workspace *ws, struct cl_err *err, const char *context)
{
	return cl_err_set(err, CL_EDB, "%s: %s", context,
	                  ws && ws->db ? sqlite3_errmsg(ws->db) : "no database");
}

int ws_exec(struct workspace *ws, const char *sql, struct cl_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(ws->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		cl_err_set(err, CL_EDB, "%s: %s", ws->path, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int ws_prepare(struct workspace *ws, const char *sql, sqlite3_stmt **stmt, struct cl_err *err)
{
	if (sqlite3_prepare_v2(ws->db, sql, -1, stmt, NULL) != SQLITE_OK) {
		*stmt = NULL;
		return ws_dberr(ws, err, "SQL");
	}
	return 0;
}

int ws_begin(struct workspace *ws, struct cl_err *err) { return ws_exec(ws, "BEGIN IMMEDIATE", err); }
int ws_commit(struct workspace *ws, struct cl_err *err) { return ws_exec(ws, "COMMIT", err); }

void ws_rollback(struct workspace *ws)
{
	if (!sqlite3_get_autocommit(ws->db))
		sqlite3_exec(ws->db, "ROLLBACK", NULL, NULL, NULL);
}

static int migrate(struct workspace *ws, struct cl_err *err)
{
	sqlite3_stmt *st;
	int version = 0;
	if (ws_prepare(ws, "PRAGMA user_version", &st, err))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > schema_migration_count)
		return cl_err_set(err, CL_EINVAL,
		                  "%s: workspace schema version %d is newer than this copylab (%d); "
		                  "upgrade copylab", ws->path, version, schema_migration_count);
	for (int v = version; v < schema_migration_count; v++) {
		char pragma[64];
		if (ws_begin(ws, err))
			return -1;
		snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
		if (ws_exec(ws, schema_migrations[v], err) || ws_exec(ws, pragma, err)) {
			ws_rollback(ws);
			return cl_err_prefix(err, "migration %d", v + 1);
		}
		if (ws_commit(ws, err))
			return -1;
	}
	return 0;
}

int workspace_open(const char *path, int flags, struct workspace **out, struct cl_err *err)
{
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	int oflags = (flags & WS_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	struct workspace *ws;

	*out = NULL;
	if (!exists && !(flags & WS_CREATE))
		return cl_err_set(err, CL_ENOTFOUND, "%s: no such workspace", path);
	if (!exists)
		oflags |= SQLITE_OPEN_CREATE;
	ws = xcalloc(1, sizeof *ws);
	ws->path = xstrdup(path);
	ws->created = !exists;
	if (sqlite3_open_v2(path, &ws->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		cl_err_set(err, CL_EDB, "%s: %s", path, ws->db ? sqlite3_errmsg(ws->db) : "cannot open");
		workspace_close(ws);
		return -1;
	}
	sqlite3_busy_timeout(ws->db, 5000);
	sqlite3_extended_result_codes(ws->db, 1);
	/* A file that is not SQLite fails here, with a clear message. */
	if (ws_exec(ws, "PRAGMA foreign_keys=ON", err))
		goto fail;
	if (!(flags & WS_READONLY)) {
		if (ws_exec(ws, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", err) ||
		    migrate(ws, err))
			goto fail;
	}
	*out = ws;
	return 0;
fail:
	if (!exists)
		cl_err_prefix(err, "creating workspace");
	workspace_close(ws);
	if (!exists)
		unlink(path);
	return -1;
}

void workspace_close(struct workspace *ws)
{
	if (!ws)
		return;
	if (ws->db)
		sqlite3_close_v2(ws->db);
	free(ws->path);
	free(ws);
}

char *ws_meta_get(struct workspace *ws, const char *key)
{
	sqlite3_stmt *st;
	char *val = NULL;
	if (sqlite3_prepare_v2(ws->db, "SELECT value FROM cl_meta WHERE key=?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		val = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return val;
}

int ws_meta_set(struct workspace *ws, const char *key, const char *value, struct cl_err *err)
{
	sqlite3_stmt *st;
	int rc;
	if (ws_prepare(ws, "INSERT INTO cl_meta(key,value) VALUES(?,?) "
	                   "ON CONFLICT(key) DO UPDATE SET value=excluded.value", &st, err))
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ws_dberr(ws, err, "saving setting");
}

int ws_table_exists(struct workspace *ws, const char *name)
{
	sqlite3_stmt *st;
	int found;
	if (sqlite3_prepare_v2(ws->db, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') "
	                       "AND name=? COLLATE NOCASE", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

char *ws_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

double ws_col_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

char *ws_quote_ident(const char *name)
{
	struct sbuf sb = SBUF_INIT;
	sbuf_addc(&sb, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			sbuf_addc(&sb, '"');
		sbuf_addc(&sb, *p);
	}
	sbuf_addc(&sb, '"');
	return sbuf_detach(&sb);
}

char *ws_now_iso(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}
