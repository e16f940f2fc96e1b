/* history.c — per-kind line history in cl_history. */
#include "core/history.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

int history_load(struct workspace *ws, const char *kind, int max, char ***lines, size_t *n,
                 struct cl_err *err)
{
	sqlite3_stmt *st;
	char **v = NULL;
	size_t cnt = 0;
	int rc;

	*lines = NULL;
	*n = 0;
	if (ws_prepare(ws, "SELECT line FROM (SELECT id, line FROM cl_history WHERE kind = ?1"
	                   " ORDER BY id DESC LIMIT ?2) ORDER BY id", &st, err))
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, max > 0 ? max : HISTORY_MAX);
	v = xcalloc((size_t)(max > 0 ? max : HISTORY_MAX), sizeof *v);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v[cnt++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		history_lines_free(v, cnt);
		return ws_dberr(ws, err, "reading input history");
	}
	*lines = v;
	*n = cnt;
	return 0;
}

void history_lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int history_add(struct workspace *ws, const char *kind, const char *line, struct cl_err *err)
{
	sqlite3_stmt *st;
	char *now;
	int rc, same = 0;

	if (ws_prepare(ws, "SELECT line FROM cl_history WHERE kind = ?1 ORDER BY id DESC LIMIT 1",
	               &st, err))
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		same = strcmp((const char *)sqlite3_column_text(st, 0), line) == 0;
	sqlite3_finalize(st);
	if (same)
		return 0;
	if (ws_prepare(ws, "INSERT INTO cl_history(kind, line, at) VALUES (?1, ?2, ?3)", &st, err))
		return -1;
	now = ws_now_iso();
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, line, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(now);
	if (rc != SQLITE_DONE)
		return ws_dberr(ws, err, "saving input history");
	/* Keep the newest HISTORY_MAX of this kind. */
	if (ws_prepare(ws, "DELETE FROM cl_history WHERE kind = ?1 AND id <= (SELECT id FROM"
	                   " cl_history WHERE kind = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
	               &st, err))
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, HISTORY_MAX);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : ws_dberr(ws, err, "trimming input history");
}
