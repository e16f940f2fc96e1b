/* test_dataset.c — import (types, errors, all-or-nothing, lenient, append),
 * export round trips, clean, sample import. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/core/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dataset.h"
#include "core/query.h"

static char *write_file(const char *name, const char *data)
{
	char *p = tu_tmp_path(name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
	return p;
}

static struct workspace *fresh_ws(const char *name)
{
	struct workspace *ws;
	struct cl_err err = {0};
	char *p = tu_tmp_path(name);
	unlink(p);
	if (workspace_open(p, WS_CREATE, &ws, &err))
		fail_msg("open: %s", err.msg);
	free(p);
	return ws;
}

/* First column of the first row of sql as text (caller frees), NULL for NULL. */
static char *scalar(struct workspace *ws, const char *sql)
{
	sqlite3_stmt *st;
	char *out = NULL;
	if (sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(ws->db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		out = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

#define ASSERT_SCALAR(ws, sql, want) do { \
	char *v_ = scalar(ws, sql); \
	if (!(want)) assert_null(v_); \
	else { if (!v_) fail_msg("%s: NULL, want %s", sql, (const char *)(want)); \
	       assert_string_equal(v_, want); } \
	free(v_); \
} while (0)

/* A digest of everything in the workspace's user tables and registry. */
static char *ws_digest(struct workspace *ws)
{
	struct sbuf sb = SBUF_INIT;
	sqlite3_stmt *st;
	sqlite3_prepare_v2(ws->db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name",
	                   -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		char *q = ws_quote_ident(t);
		char *sql = xasprintf("SELECT * FROM %s ORDER BY rowid", q);
		sqlite3_stmt *s2;
		sbuf_addf(&sb, "[%s]", t);
		if (sqlite3_prepare_v2(ws->db, sql, -1, &s2, NULL) == SQLITE_OK) {
			while (sqlite3_step(s2) == SQLITE_ROW)
				for (int i = 0; i < sqlite3_column_count(s2); i++) {
					const char *v = (const char *)sqlite3_column_text(s2, i);
					if (strcmp(t, "cl_datasets") == 0 && i == 3)
						continue;   /* imported_at */
					sbuf_addf(&sb, "%d:%s|", sqlite3_column_type(s2, i), v ? v : "");
				}
			sqlite3_finalize(s2);
		}
		free(sql);
		free(q);
	}
	sqlite3_finalize(st);
	return sbuf_detach(&sb);
}

static void test_infer(void **state)
{
	assert_int_equal(ds_value_type("12", 2), DS_T_INTEGER);
	assert_int_equal(ds_value_type("-7", 2), DS_T_INTEGER);
	assert_int_equal(ds_value_type("007", 3), DS_T_TEXT);
	assert_int_equal(ds_value_type("-0", 2), DS_T_TEXT);
	assert_int_equal(ds_value_type("+1", 2), DS_T_TEXT);
	assert_int_equal(ds_value_type("9223372036854775807", 19), DS_T_INTEGER);
	assert_int_equal(ds_value_type("9223372036854775808", 19), DS_T_TEXT);
	assert_int_equal(ds_value_type("-9223372036854775808", 20), DS_T_INTEGER);
	assert_int_equal(ds_value_type("1.5", 3), DS_T_REAL);
	assert_int_equal(ds_value_type("1e10", 4), DS_T_REAL);
	assert_int_equal(ds_value_type("1e999", 5), DS_T_TEXT);
	assert_int_equal(ds_value_type("1.", 2), DS_T_TEXT);
	assert_int_equal(ds_value_type(".5", 2), DS_T_TEXT);
	assert_int_equal(ds_value_type("2024-02-29", 10), DS_T_DATE);
	assert_int_equal(ds_value_type("2023-02-29", 10), DS_T_TEXT);
	assert_int_equal(ds_value_type("2024-13-01", 10), DS_T_TEXT);
	assert_int_equal(ds_value_type("2024-01-05T10:20", 16), DS_T_DATE);
	assert_int_equal(ds_value_type("2024-01-05 10:20:30.123+08:00", 29), DS_T_DATE);
	assert_int_equal(ds_value_type("2024-01-05T25:00", 16), DS_T_TEXT);
	assert_int_equal(ds_value_type("", 0), DS_T_NULL);
	assert_int_equal(ds_value_type("NaN", 3), DS_T_TEXT);
}

static void test_import_types(void **state)
{
	struct workspace *ws = fresh_ws("types.db");
	char *p = write_file("people.csv",
		"\xEF\xBB\xBFid,name,Email,age,score,signup,zip,mixed,note,contact\r\n"
		"1,Ann,ann@x.com,34,4.5,2024-01-05,00123,1,\"\",+86 138-0013-8000\r\n"
		"2,\"Bo, Jr\",bo@x.com,,3,2024-02-11,02134,2.5,,13800138000\r\n"
		"3,\"Cy \"\"the\"\" 3rd\",cy@x.com,41,,2024-03-01T10:00:00Z,10001,x,\"multi\nline\",(415) 555-0100\r\n");
	struct ds_import_opts o = { .path = p };
	struct ds_import_report rep;
	struct cl_err err = {0};
	if (ds_import(ws, &o, &rep, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(rep.table, "people");
	assert_int_equal(rep.rows, 3);
	assert_int_equal(rep.ncols, 10);
	static const int want[] = { DS_T_INTEGER, DS_T_TEXT, DS_T_TEXT, DS_T_INTEGER, DS_T_REAL,
	                            DS_T_DATE, DS_T_TEXT, DS_T_TEXT, DS_T_TEXT, DS_T_TEXT };
	static const int personal[] = { 0, 1, 1, 0, 0, 0, 0, 0, 0, 1 };
	for (size_t i = 0; i < 10; i++) {
		if (rep.cols[i].type != want[i])
			fail_msg("column %s: %s", rep.cols[i].name, ds_type_name(rep.cols[i].type));
		if (rep.cols[i].personal != personal[i])
			fail_msg("column %s personal=%d", rep.cols[i].name, rep.cols[i].personal);
	}
	ds_import_report_clear(&rep);
	ASSERT_SCALAR(ws, "SELECT typeof(age) || typeof(score) FROM people WHERE id=1", "integerreal");
	ASSERT_SCALAR(ws, "SELECT sum(age) FROM people", "75");
	ASSERT_SCALAR(ws, "SELECT age FROM people WHERE id=2", NULL);
	ASSERT_SCALAR(ws, "SELECT typeof(note) FROM people WHERE id=1", "text");   /* "" */
	ASSERT_SCALAR(ws, "SELECT typeof(note) FROM people WHERE id=2", "null");   /* empty */
	ASSERT_SCALAR(ws, "SELECT name FROM people WHERE id=3", "Cy \"the\" 3rd");
	ASSERT_SCALAR(ws, "SELECT note FROM people WHERE id=3", "multi\nline");
	ASSERT_SCALAR(ws, "SELECT zip FROM people WHERE id=1", "00123");
	ASSERT_SCALAR(ws, "SELECT typeof(mixed) FROM people WHERE id=1", "text");
	ASSERT_SCALAR(ws, "SELECT group_concat(col, ',') FROM (SELECT col FROM cl_personal_columns "
	              "WHERE dataset='people' ORDER BY col)", "Email,contact,name");
	ASSERT_SCALAR(ws, "SELECT row_count FROM cl_datasets WHERE name='people'", "3");
	ASSERT_SCALAR(ws, "SELECT json_extract(columns, '$[5].type') FROM cl_datasets", "date");

	/* the same file again: refused without --replace, then replaced, then appended */
	assert_int_equal(ds_import(ws, &o, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "already exists"));
	o.mode = DS_REPLACE;
	assert_int_equal(ds_import(ws, &o, NULL, &err), 0);
	o.mode = DS_APPEND;
	assert_int_equal(ds_import(ws, &o, &rep, &err), 0);
	assert_int_equal(rep.table_rows, 6);
	ds_import_report_clear(&rep);
	ASSERT_SCALAR(ws, "SELECT row_count FROM cl_datasets WHERE name='people'", "6");

	/* append with a type that does not fit */
	char *p2 = write_file("people2.csv", "id,age\n9,1\n10,2\nx,1\n");
	struct ds_import_opts o2 = { .path = p2, .table = "people", .mode = DS_APPEND };
	assert_int_equal(ds_import(ws, &o2, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "people2.csv:4: column \"id\" holds text values (the first here) "
	                                "but table 'people' has it as integer"));
	char *p3 = write_file("people3.csv", "id,nope\n1,1\n");
	o2.path = p3;
	assert_int_equal(ds_import(ws, &o2, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "column \"nope\" is not in table"));
	/* flags about contacts are not contacts; "name" alone is personal only beside others */
	char *p4 = write_file("flags.csv", "consent_email,is_phone_verified,main_email,name\nyes,1,a@b.co,x\n");
	struct ds_import_opts o4 = { .path = p4 };
	assert_int_equal(ds_import(ws, &o4, &rep, &err), 0);
	assert_int_equal(rep.cols[0].personal, 0);
	assert_int_equal(rep.cols[1].personal, 0);
	assert_int_equal(rep.cols[2].personal, 1);
	assert_int_equal(rep.cols[3].personal, 1);
	ds_import_report_clear(&rep);
	char *p5 = write_file("products.csv", "id,name,price\n1,Tea,3.5\n");
	o4.path = p5;
	assert_int_equal(ds_import(ws, &o4, &rep, &err), 0);
	assert_int_equal(rep.cols[1].personal, 0);
	ds_import_report_clear(&rep);
	free(p4);
	free(p5);
	/* reserved names */
	o2.table = "cl_meta";
	o2.mode = DS_CREATE;
	assert_int_equal(ds_import(ws, &o2, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "reserved"));
	unlink(p);
	unlink(p2);
	unlink(p3);
	free(p);
	free(p2);
	free(p3);
	workspace_close(ws);
}

static void test_errors_leave_ws_unchanged(void **state)
{
	struct workspace *ws = fresh_ws("errors.db");
	struct cl_err err = {0};
	char *ok = write_file("t.csv", "a,b\n1,x\n2,y\n");
	struct ds_import_opts o = { .path = ok };
	assert_int_equal(ds_import(ws, &o, NULL, &err), 0);
	char *before = ws_digest(ws);

	static const struct { const char *data, *want; } bad[] = {
		{ "a,b\n1,x\n2\n", "t.csv:3:1: row 2 has 1 field, the header has 2; missing \"b\"" },
		{ "a,b\n1,x,extra\n", "t.csv:2:5: row 1 has 3 fields, the header has 2" },
		{ "a,b\n1,\"x\n", "t.csv:2:3: unterminated quoted field (the quote opened here is never closed) in field 2 (\"b\")" },
		{ "a,b\n1,\"x\"y\n", "t.csv:2:6: unexpected 'y'" },
		{ "a,b\n1,\xC3\x28\n", "t.csv:2:3: invalid UTF-8 (byte 0xc3) in field 2 (\"b\")" },
		{ "", "t.csv:1:1: empty file" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *p = write_file("t.csv", bad[i].data);
		o.mode = DS_REPLACE;
		assert_int_equal(ds_import(ws, &o, NULL, &err), -1);
		if (!strstr(err.msg, bad[i].want))
			fail_msg("case %zu: got '%s', want '%s'", i, err.msg, bad[i].want);
		char *after = ws_digest(ws);
		assert_string_equal(before, after);
		free(after);
		free(p);
	}

	/* lenient pads, truncates and replaces, and says how many rows it touched */
	char *p = write_file("t.csv", "a,b\n1\n2,y,z\n3,\xff\n4,ok\n");
	o.mode = DS_REPLACE;
	o.lenient = 1;
	struct ds_import_report rep;
	if (ds_import(ws, &o, &rep, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(rep.rows, 4);
	assert_int_equal(rep.rows_padded, 1);
	assert_int_equal(rep.rows_truncated, 1);
	assert_int_equal(rep.rows_utf8_fixed, 1);
	ds_import_report_clear(&rep);
	ASSERT_SCALAR(ws, "SELECT b FROM t WHERE a=3", "\xEF\xBF\xBD");
	ASSERT_SCALAR(ws, "SELECT count(*) FROM t WHERE b IS NULL", "1");
	free(p);
	free(before);
	free(ok);
	workspace_close(ws);
}

static int cancel_at(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
	int *calls = ctx;
	(*calls)++;
	return done * 4 > total * 3;   /* cancel three quarters through (in pass 2) */
}

/* The brief's case: 100,000 rows, a bad row at 50,000, nothing changes. */
static void test_error_at_row_50000(void **state)
{
	struct workspace *ws = fresh_ws("big.db");
	struct cl_err err = {0};
	char *p = tu_tmp_path("big.csv");
	FILE *f = fopen(p, "w");
	fputs("id,name,amount,day\n", f);
	for (int i = 1; i <= 100000; i++) {
		if (i == 50000)
			fprintf(f, "%d,\"broken, row\",%d.5\n", i, i);   /* one field short */
		else
			fprintf(f, "%d,\"name %d, \"\"q\"\"\",%d.5,2024-01-%02d\n", i, i, i, i % 28 + 1);
	}
	fclose(f);
	/* an existing table of the same name must survive the failed replace */
	char *small = write_file("small.csv", "id,name\n1,keep\n");
	struct ds_import_opts o0 = { .path = small, .table = "big" };
	assert_int_equal(ds_import(ws, &o0, NULL, &err), 0);
	char *before = ws_digest(ws);
	struct ds_import_opts o = { .path = p, .mode = DS_REPLACE };
	assert_int_equal(ds_import(ws, &o, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "big.csv:50001:"));
	assert_non_null(strstr(err.msg, "row 50000 has 3 fields, the header has 4"));
	char *after = ws_digest(ws);
	assert_string_equal(before, after);
	free(after);

	/* the same file, fixed, but cancelled late: still unchanged */
	f = fopen(p, "w");
	fputs("id,name,amount,day\n", f);
	for (int i = 1; i <= 100000; i++)
		fprintf(f, "%d,\"name %d\",%d.5,2024-01-%02d\n", i, i, i, i % 28 + 1);
	fclose(f);
	int calls = 0;
	o.progress = cancel_at;
	o.pctx = &calls;
	assert_int_equal(ds_import(ws, &o, NULL, &err), -1);
	assert_int_equal(err.code, CL_ECANCEL);
	assert_true(calls > 10);
	after = ws_digest(ws);
	assert_string_equal(before, after);
	free(after);

	/* and without cancel it lands, typed */
	o.progress = NULL;
	struct ds_import_report rep;
	assert_int_equal(ds_import(ws, &o, &rep, &err), 0);
	assert_int_equal(rep.rows, 100000);
	assert_int_equal(rep.cols[2].type, DS_T_REAL);
	assert_int_equal(rep.cols[3].type, DS_T_DATE);
	ds_import_report_clear(&rep);
	ASSERT_SCALAR(ws, "SELECT sum(id) FROM big", "5000050000");
	ASSERT_SCALAR(ws, "PRAGMA journal_mode", "wal");
	unlink(p);
	free(p);
	free(small);
	free(before);
	workspace_close(ws);
}

static void test_jsonl_import(void **state)
{
	struct workspace *ws = fresh_ws("jsonl.db");
	struct cl_err err = {0};
	char *p = write_file("events.jsonl",
		"{\"id\": 1, \"kind\": \"open\", \"at\": \"2024-05-01\", \"meta\": {\"ua\": \"x\"}, \"ok\": true}\n"
		"{\"id\": 2, \"kind\": \"click\", \"value\": 2.5, \"tags\": [\"a\", \"b\"], \"ok\": false}\n"
		"\n"
		"{\"id\": 3, \"value\": 4, \"kind\": null, \"email\": \"c@x.org\"}\n");
	struct ds_import_opts o = { .path = p };
	struct ds_import_report rep;
	if (ds_import(ws, &o, &rep, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(rep.table, "events");
	assert_int_equal(rep.ncols, 8);
	const char *names = "id kind at meta ok value tags email";
	struct sbuf sb = SBUF_INIT;
	for (size_t i = 0; i < rep.ncols; i++)
		sbuf_addf(&sb, "%s%s", i ? " " : "", rep.cols[i].name);
	assert_string_equal(sb.buf, names);
	sbuf_free(&sb);
	assert_int_equal(rep.cols[2].type, DS_T_DATE);
	assert_int_equal(rep.cols[4].type, DS_T_INTEGER);
	assert_int_equal(rep.cols[5].type, DS_T_REAL);
	assert_int_equal(rep.cols[7].personal, 1);
	ds_import_report_clear(&rep);
	ASSERT_SCALAR(ws, "SELECT meta FROM events WHERE id=1", "{\"ua\": \"x\"}");
	ASSERT_SCALAR(ws, "SELECT json_extract(tags, '$[1]') FROM events WHERE id=2", "b");
	ASSERT_SCALAR(ws, "SELECT typeof(value) FROM events WHERE id=3", "real");
	ASSERT_SCALAR(ws, "SELECT kind FROM events WHERE id=3", NULL);
	char *bad = write_file("bad.jsonl", "{\"a\": 1}\n{\"a\": }\n");
	struct ds_import_opts ob = { .path = bad };
	assert_int_equal(ds_import(ws, &ob, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "bad.jsonl:2:7: expected a value"));
	assert_false(ws_table_exists(ws, "bad"));
	free(bad);
	free(p);
	workspace_close(ws);
}

/* Export a table and import it back: same values, same types. */
static void round_trip(struct workspace *ws, const char *table, int format)
{
	struct cl_err err = {0};
	char *path = tu_tmp_path(format == DS_FMT_JSONL ? "rt.jsonl" : format == DS_FMT_TSV ? "rt.tsv" : "rt.csv");
	FILE *f = fopen(path, "w");
	struct ds_export_opts eo = { .table = table, .format = format, .out = f };
	int64_t rows;
	if (ds_export(ws, &eo, &rows, &err))
		fail_msg("export: %s", err.msg);
	fclose(f);
	struct ds_import_opts io = { .path = path, .table = "rt", .mode = DS_REPLACE };
	if (ds_import(ws, &io, NULL, &err))
		fail_msg("import: %s", err.msg);
	char *sql = xasprintf("SELECT count(*) FROM (SELECT * FROM %s EXCEPT SELECT * FROM rt)", table);
	ASSERT_SCALAR(ws, sql, "0");
	free(sql);
	sql = xasprintf("SELECT (SELECT count(*) FROM %s) - (SELECT count(*) FROM rt)", table);
	ASSERT_SCALAR(ws, sql, "0");
	free(sql);
	/* types per column, and row by row equality including typeof */
	sql = xasprintf("SELECT count(*) FROM %s a JOIN rt b ON a.rowid = b.rowid WHERE "
	                "a.i IS NOT b.i OR a.r IS NOT b.r OR a.t IS NOT b.t OR a.d IS NOT b.d OR "
	                "typeof(a.t) != typeof(b.t) OR typeof(a.r) != typeof(b.r)", table);
	ASSERT_SCALAR(ws, sql, "0");
	free(sql);
	ASSERT_SCALAR(ws, "SELECT json_extract(columns,'$[0].type') || json_extract(columns,'$[1].type') "
	              "|| json_extract(columns,'$[2].type') || json_extract(columns,'$[3].type') "
	              "FROM cl_datasets WHERE name='rt'", "integerrealtextdate");
	unlink(path);
	free(path);
}

static void test_round_trips(void **state)
{
	struct workspace *ws = fresh_ws("rt.db");
	struct cl_err err = {0};
	/* a random table written as CSV, imported, then round-tripped */
	char *p = tu_tmp_path("rand.csv");
	FILE *f = fopen(p, "w");
	unsigned seed = 12345;
	static const char *const words[] = { "tea", "茶", "a,b", "say \"hi\"", "line\nbreak",
	                                     " pad ", "🎉", "x\r\ny", "", "NULL", "0012" };
	fputs("i,r,t,d\n", f);
	for (int row = 0; row < 500; row++) {
		seed = seed * 1103515245u + 12345u;
		int k = (int)(seed >> 16);
		struct sbuf sb = SBUF_INIT;
		if (k % 11)
			sbuf_addf(&sb, "%d", (k % 2000) * 997 - 1000000);
		sbuf_addc(&sb, ',');
		if (k % 13)
			sbuf_addf(&sb, "%.6f", (double)(k % 100000) / 7.0 - 5000);
		sbuf_addc(&sb, ',');
		const char *w = words[k % 11];
		if (k % 17) {
				if (*w == 0)
					sbuf_adds(&sb, "\"\"");
				else {
					sbuf_addc(&sb, '"');
					for (const char *c = w; *c; c++) {
						if (*c == '"')
							sbuf_addc(&sb, '"');
						sbuf_addc(&sb, *c);
					}
					sbuf_addf(&sb, "%d\"", row);
				}
		}
		sbuf_addc(&sb, ',');
		if (k % 7)
			sbuf_addf(&sb, "2024-%02d-%02d", k % 12 + 1, k % 28 + 1);
		sbuf_addc(&sb, '\n');
		fputs(sb.buf, f);
		sbuf_free(&sb);
	}
	fclose(f);
	struct ds_import_opts o = { .path = p, .table = "rand" };
	if (ds_import(ws, &o, NULL, &err))
		fail_msg("%s", err.msg);
	/* empty strings ("") survive as text, distinct from NULL */
	char *ne = scalar(ws, "SELECT count(*) FROM rand WHERE t = ''");
	assert_true(atoi(ne) > 10);
	free(ne);
	ne = scalar(ws, "SELECT count(*) FROM rand WHERE t IS NULL");
	assert_true(atoi(ne) > 10);
	free(ne);
	round_trip(ws, "rand", DS_FMT_CSV);
	round_trip(ws, "rand", DS_FMT_TSV);
	round_trip(ws, "rand", DS_FMT_JSONL);

	/* export of a query */
	char *out = tu_tmp_path("q.csv");
	f = fopen(out, "w");
	struct ds_export_opts eo = { .sql = "SELECT i, t FROM rand WHERE i > 0 ORDER BY i LIMIT 3",
	                             .format = DS_FMT_CSV, .out = f };
	int64_t rows;
	assert_int_equal(ds_export(ws, &eo, &rows, &err), 0);
	fclose(f);
	assert_int_equal(rows, 3);
	eo.sql = "DELETE FROM rand";
	eo.out = stdout;
	assert_int_equal(ds_export(ws, &eo, &rows, &err), -1);
	assert_int_equal(err.code, CL_EDENIED);
	unlink(out);
	free(out);
	unlink(p);
	free(p);
	workspace_close(ws);
}

static void test_clean(void **state)
{
	struct workspace *ws = fresh_ws("clean.db");
	struct cl_err err = {0};
	char *p = write_file("c.csv",
		"id,name,city,score\n"
		"1,  Ann ,上海,5\n"
		"2,Bo,  ,\n"
		"1,Ann,上海,5\n"
		",,,\n"
		"3,Cy,杭州,\n"
		"4,Bo,杭州,7\n");
	struct ds_import_opts o = { .path = p };
	assert_int_equal(ds_import(ws, &o, NULL, &err), 0);
	struct ds_fill fills[] = { { "score", "0" }, { "city", "unknown" } };
	const char *keys[] = { "name" };
	struct ds_clean_opts co = { .table = "c", .into = "c2", .trim = 1, .drop_empty = 1,
	                            .dedupe = 1, .fills = fills, .nfills = 2 };
	struct ds_clean_report r;
	if (ds_clean(ws, &co, &r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.rows_in, 6);
	assert_int_equal(r.cells_trimmed, 2);     /* "  Ann " and "  " */
	assert_int_equal(r.cells_filled, 3);      /* 2 scores + 1 city; the empty row is dropped first */
	assert_int_equal(r.empty_rows, 1);
	assert_int_equal(r.duplicates, 1);
	assert_int_equal(r.rows_out, 4);
	ASSERT_SCALAR(ws, "SELECT typeof(score) || sum(score) FROM c2", "integer12");
	ASSERT_SCALAR(ws, "SELECT city FROM c2 WHERE id=2", "unknown");
	ASSERT_SCALAR(ws, "SELECT source FROM cl_datasets WHERE name='c2'", "clean:c");

	/* dedupe on a key */
	co.into = "c3";
	co.nfills = 0;
	co.keys = keys;
	co.nkeys = 1;
	assert_int_equal(ds_clean(ws, &co, &r, &err), 0);
	assert_int_equal(r.empty_rows, 1);
	assert_int_equal(r.duplicates, 2);         /* second Ann, second Bo */
	assert_int_equal(r.rows_out, 3);
	/* errors */
	assert_int_equal(ds_clean(ws, &co, &r, &err), -1);
	assert_non_null(strstr(err.msg, "already exists"));
	co.into = "c4";
	keys[0] = "nope";
	assert_int_equal(ds_clean(ws, &co, &r, &err), -1);
	assert_non_null(strstr(err.msg, "no column \"nope\""));
	assert_false(ws_table_exists(ws, "c4"));
	free(p);
	workspace_close(ws);
}

static int count_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
	uint64_t *last = ctx;
	assert_true(done <= total);
	assert_true(done >= *last);
	*last = done;
	return 0;
}

static void test_samples(void **state)
{
	struct workspace *ws = fresh_ws("samples.db");
	struct cl_err err = {0};
	char *root = tu_tmp_path("sample-data");
	char *data = tu_tmp_path("sample-data/data");
	mkdir(root, 0755);
	mkdir(data, 0755);
	char *zz = tu_tmp_path("sample-data/data/zz.csv");
	unlink(zz);
	free(zz);
	free(write_file("sample-data/data/products.csv", "id,name,price\n1,春茶礼盒,268\n2,Mug,35.5\n"));
	free(write_file("sample-data/data/reviews.jsonl", "{\"id\":1,\"text\":\"好喝\",\"stars\":5}\n"));
	free(write_file("sample-data/data/README.md", "not data\n"));
	free(write_file("sample-data/brand.json", "{\"name\":\"山岚茶舍\"}"));
	int n = 0;
	uint64_t last = 0;
	if (ds_import_samples(ws, data, count_progress, &last, &n, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(n, 2);
	assert_true(last > 0);
	assert_true(ws_table_exists(ws, "products"));
	assert_true(ws_table_exists(ws, "reviews"));
	char *brand = ws_meta_get(ws, "brand");
	assert_string_equal(brand, "{\"name\":\"山岚茶舍\"}");
	free(brand);
	struct ds_info *list;
	size_t nl;
	assert_int_equal(ds_list(ws, &list, &nl, &err), 0);
	assert_int_equal(nl, 2);
	assert_string_equal(list[0].name, "products");
	assert_int_equal(list[0].rows, 2);
	assert_int_equal(list[0].cols[2].type, DS_T_REAL);
	ds_list_free(list, nl);
	/* a bad file rolls the whole first-run import back */
	free(write_file("sample-data/data/zz.csv", "a,b\n1\n"));
	workspace_close(ws);
	ws = fresh_ws("samples2.db");
	assert_int_equal(ds_import_samples(ws, data, NULL, NULL, &n, &err), -1);
	assert_non_null(strstr(err.msg, "zz.csv:2:1"));
	assert_false(ws_table_exists(ws, "products"));
	assert_null(ws_meta_get(ws, "brand"));
	assert_int_equal(ds_drop(ws, "products", &err), -1);
	free(root);
	free(data);
	workspace_close(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_infer),
		cmocka_unit_test(test_import_types),
		cmocka_unit_test(test_errors_leave_ws_unchanged),
		cmocka_unit_test(test_error_at_row_50000),
		cmocka_unit_test(test_jsonl_import),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
