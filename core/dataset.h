/* dataset.h — bring user data into the workspace and take it out again.
 *
 * Import reads CSV, TSV or JSONL in two streaming passes: the first checks
 * every record and infers each column's type (integer, real, ISO-8601 date,
 * text), the second inserts typed values with one prepared statement inside
 * one transaction. Memory stays flat whatever the file's size. The import is
 * all-or-nothing: an error or a cancel leaves the workspace exactly as before.
 * Every imported table is recorded in cl_datasets (columns JSON:
 * [{"name","type","personal"}]) and columns that look personal (names such as
 * email, phone, name, address, or values that look like e-mails or phone
 * numbers) are listed in cl_personal_columns for the redactor.
 */
#ifndef CL_DATASET_H
#define CL_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/progress.h"
#include "core/util.h"
#include "core/workspace.h"

enum ds_format { DS_FMT_AUTO = 0, DS_FMT_CSV, DS_FMT_TSV, DS_FMT_JSONL };
enum ds_mode { DS_CREATE = 0, DS_REPLACE, DS_APPEND };
/* Column types, narrowest first. */
enum ds_type { DS_T_NULL = 0, DS_T_INTEGER, DS_T_REAL, DS_T_DATE, DS_T_TEXT };

/* "integer", "real", "date", "text" ("text" for DS_T_NULL: a column with no values). */
const char *ds_type_name(int type);
/* The type a single value (n bytes) looks like; DS_T_NULL for n == 0. */
int ds_value_type(const char *s, size_t n);
/* Parse a format name ("csv", "tsv", "jsonl"/"json"); -1 if unknown. */
int ds_format_parse(const char *name);

struct ds_column {
	char *name;
	int   type;       /* enum ds_type */
	int   personal;
};

struct ds_import_opts {
	const char    *path;
	const char    *table;      /* NULL: the file's base name, made a valid name */
	int            format;     /* enum ds_format; AUTO goes by extension (.tsv/.tab, .jsonl/.ndjson/.json) */
	char           delimiter;  /* 0: ',' for CSV, '\t' for TSV */
	int            mode;       /* enum ds_mode */
	int            lenient;    /* pad/truncate ragged rows, replace bad UTF-8, count touched rows */
	cl_progress_fn progress;   /* may be NULL; done/total are bytes over both passes */
	void          *pctx;
};

struct ds_import_report {
	char   *table;
	int64_t rows;              /* rows this import added */
	int64_t table_rows;        /* rows in the table afterwards */
	size_t  ncols;
	struct ds_column *cols;
	int64_t rows_padded;       /* lenient: rows with too few fields */
	int64_t rows_truncated;    /* lenient: rows with too many fields */
	int64_t rows_utf8_fixed;   /* lenient: rows whose bad bytes were replaced */
	double  seconds;
	uint64_t bytes;
};

/* Import one file. Works inside or outside a transaction (it uses a savepoint
 * when one is open). rep (may be NULL) is cleared with ds_import_report_clear. */
int ds_import(struct workspace *ws, const struct ds_import_opts *opts,
              struct ds_import_report *rep, struct cl_err *err);
void ds_import_report_clear(struct ds_import_report *rep);

/* Import every *.csv, *.tsv and *.jsonl in folder dir (NULL: the bundled
 * cl_data_path("sample-data/data")) into tables named by base name, and
 * sample-data/brand.json (beside data/) into cl_meta 'brand'; all in one
 * transaction. *ntables (may be NULL) gets the tables made. progress sees
 * bytes over all files. */
int ds_import_samples(struct workspace *ws, const char *dir, cl_progress_fn progress, void *pctx,
                      int *ntables, struct cl_err *err);

/* One row of cl_datasets. */
struct ds_info {
	char   *name;
	char   *source;
	int64_t rows;         /* live count(*) */
	char   *imported_at;
	size_t  ncols;
	struct ds_column *cols;
};
/* Every imported table, by name; free with ds_list_free. */
int ds_list(struct workspace *ws, struct ds_info **out, size_t *n, struct cl_err *err);
void ds_list_free(struct ds_info *list, size_t n);
/* One table (any user table; those not in cl_datasets get types from their
 * declarations); clear with ds_info_clear. CL_ENOTFOUND when missing. */
int ds_get(struct workspace *ws, const char *name, struct ds_info *out, struct cl_err *err);
void ds_info_clear(struct ds_info *info);
/* Drop an imported table and its cl_datasets / cl_personal_columns rows. */
int ds_drop(struct workspace *ws, const char *name, struct cl_err *err);

/* Export a table, or the rows of a read-only query, to out. */
struct ds_export_opts {
	const char *table;     /* one of table / sql */
	const char *sql;
	int         format;    /* DS_FMT_CSV, DS_FMT_TSV or DS_FMT_JSONL */
	FILE       *out;
	cl_progress_fn progress;
	void       *pctx;
};
/* Writes a header (CSV/TSV), NULL as an empty field and "" for empty text, reals
 * with enough digits to read back exactly; *rows (may be NULL) gets the count. */
int ds_export(struct workspace *ws, const struct ds_export_opts *opts, int64_t *rows,
              struct cl_err *err);

/* Make a cleaned copy of a table. */
struct ds_fill {
	const char *column;
	const char *value;
};
struct ds_clean_opts {
	const char *table;
	const char *into;                 /* new table; must not exist */
	int         trim;                 /* trim spaces of text; all-space text becomes NULL */
	int         drop_empty;           /* drop rows whose every field is NULL or empty */
	int         dedupe;               /* keep the first of rows equal on keys */
	const char *const *keys;          /* dedupe key columns; NULL/0 = all columns */
	size_t      nkeys;
	const struct ds_fill *fills;      /* NULLs of column set to value */
	size_t      nfills;
};
struct ds_clean_report {
	int64_t rows_in, rows_out;
	int64_t cells_trimmed;            /* text values that changed when trimmed */
	int64_t empty_rows;               /* rows dropped as empty */
	int64_t duplicates;               /* rows dropped as duplicates */
	int64_t cells_filled;             /* NULLs filled */
};
/* Applies trim, then drop-empty (on the trimmed values), then fill, then dedupe,
 * in one transaction. */
int ds_clean(struct workspace *ws, const struct ds_clean_opts *opts, struct ds_clean_report *rep,
             struct cl_err *err);

#endif
