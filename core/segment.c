/* segment.c — named segments in cl_segments. */
#include "core/segment.h"
#include "core/query.h"

#include <stdlib.h>
#include <string.h>

void segment_clear(struct segment *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->dataset);
	free(s->predicate);
	free(s->created_at);
	memset(s, 0, sizeof *s);
}

void segment_list_free(struct segment *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		segment_clear(&s[i]);
	free(s);
}

static int valid_name(const char *name, struct cl_err *err)
{
	if (!name || !*name)
		return cl_err_set(err, CL_EINVAL, "a segment needs a name");
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '\'' || *p == '"')
			return cl_err_set(err, CL_EINVAL, "segment name \"%s\": no quotes or control "
			                  "characters, please", name);
	return 0;
}

/* Fill live counts for s. */
static int live_counts(struct workspace *ws, struct segment *s, struct cl_err *err)
{
	if (query_count(ws, s->dataset, s->predicate, &s->rows, err) ||
	    query_count(ws, s->dataset, NULL, &s->table_rows, err))
		return cl_err_prefix(err, "segment %s", s->name);
	s->share = s->table_rows ? (double)s->rows / (double)s->table_rows : 0;
	return 0;
}

static void from_row(sqlite3_stmt *st, struct segment *s)
{
	const char *c;
	memset(s, 0, sizeof *s);
	s->name = xstrdup((const char *)sqlite3_column_text(st, 0));
	s->dataset = xstrdup((const char *)sqlite3_column_text(st, 1));
	s->predicate = xstrdup((const char *)sqlite3_column_text(st, 2));
	c = (const char *)sqlite3_column_text(st, 3);
	s->created_at = c ? xstrdup(c) : NULL;
	s->rows = sqlite3_column_int64(st, 4);
}

int segment_add(struct workspace *ws, const char *name, const char *table, const char *pred,
                int replace, struct segment *out, struct cl_err *err)
{
	struct segment s;
	sqlite3_stmt *st;
	if (out)
		memset(out, 0, sizeof *out);
	if (valid_name(name, err))
		return -1;
	if (!table || !ws_table_exists(ws, table))
		return cl_err_set(err, CL_ENOTFOUND, "no table named '%s' (copylab tables lists them)",
		                  table ? table : "");
	if (query_check_predicate(ws, table, pred, err))
		return -1;
	memset(&s, 0, sizeof s);
	s.name = xstrdup(name);
	s.dataset = xstrdup(table);
	s.predicate = xstrdup(pred);
	s.created_at = ws_now_iso();
	if (live_counts(ws, &s, err))
		goto fail;
	if (ws_prepare(ws, replace ?
	               "INSERT OR REPLACE INTO cl_segments(name, dataset, predicate, row_count, created_at) "
	               "VALUES(?,?,?,?,?)" :
	               "INSERT INTO cl_segments(name, dataset, predicate, row_count, created_at) "
	               "VALUES(?,?,?,?,?)", &st, err))
		goto fail;
	sqlite3_bind_text(st, 1, s.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s.dataset, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s.predicate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, s.rows);
	sqlite3_bind_text(st, 5, s.created_at, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT) {
		cl_err_set(err, CL_EINVAL, "a segment named '%s' already exists (segment add --replace "
		           "overwrites it)", name);
		goto fail;
	}
	if (rc != SQLITE_DONE) {
		ws_dberr(ws, err, "saving the segment");
		goto fail;
	}
	if (out)
		*out = s;
	else
		segment_clear(&s);
	return 0;
fail:
	segment_clear(&s);
	return -1;
}

int segment_get(struct workspace *ws, const char *name, struct segment *out, struct cl_err *err)
{
	sqlite3_stmt *st;
	memset(out, 0, sizeof *out);
	if (ws_prepare(ws, "SELECT name, dataset, predicate, created_at, row_count FROM cl_segments "
	                   "WHERE name=?", &st, err))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no segment named '%s' (copylab segment list)", name);
	}
	from_row(st, out);
	sqlite3_finalize(st);
	if (live_counts(ws, out, err)) {
		segment_clear(out);
		return -1;
	}
	return 0;
}

int segment_list(struct workspace *ws, struct segment **out, size_t *n, struct cl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 8;
	*n = 0;
	*out = NULL;
	if (ws_prepare(ws, "SELECT name, dataset, predicate, created_at, row_count FROM cl_segments "
	                   "ORDER BY name", &st, err))
		return -1;
	*out = xcalloc(cap, sizeof **out);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap *= 2;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		from_row(st, &(*out)[*n]);
		(*n)++;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < *n; i++) {
		struct cl_err e2 = {0};
		/* a segment whose table was dropped still lists, with -1 counts */
		if (live_counts(ws, &(*out)[i], &e2)) {
			(*out)[i].rows = -1;
			(*out)[i].table_rows = -1;
			(*out)[i].share = 0;
		}
	}
	return 0;
}

int segment_remove(struct workspace *ws, const char *name, struct cl_err *err)
{
	sqlite3_stmt *st;
	if (ws_prepare(ws, "DELETE FROM cl_segments WHERE name=?", &st, err))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ws_dberr(ws, err, "removing the segment");
	if (sqlite3_changes(ws->db) == 0)
		return cl_err_set(err, CL_ENOTFOUND, "no segment named '%s'", name);
	return 0;
}

int segment_profile(struct workspace *ws, const char *name, cl_progress_fn progress, void *pctx,
                    struct profile **seg, struct profile **whole, struct cl_err *err)
{
	struct segment s;
	*seg = *whole = NULL;
	if (segment_get(ws, name, &s, err))
		return -1;
	if (profile_table(ws, s.dataset, s.predicate, progress, pctx, seg, err) ||
	    profile_table(ws, s.dataset, NULL, progress, pctx, whole, err)) {
		profile_free(*seg);
		*seg = NULL;
		segment_clear(&s);
		return -1;
	}
	/* cache the segment's profile */
	cJSON *j = profile_to_json(*seg);
	char *json = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	sqlite3_stmt *st;
	if (ws_prepare(ws, "UPDATE cl_segments SET profile=?, row_count=? WHERE name=?", &st, NULL) == 0) {
		sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (*seg)->rows);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	free(json);
	segment_clear(&s);
	return 0;
}
