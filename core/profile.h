/* profile.h — per-column statistics of a table or of a filtered part of it,
 * computed in one pass over the rows.
 *
 * Exact while a column has at most PROFILE_EXACT_DISTINCT distinct values;
 * past that the distinct count is a HyperLogLog estimate and the top values
 * are counted among the values seen first (the column says approx = 1).
 */
#ifndef CL_PROFILE_H
#define CL_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "core/progress.h"
#include "core/util.h"
#include "core/workspace.h"

#define PROFILE_TOP 5
#define PROFILE_EXACT_DISTINCT 200000

struct profile_value {
	char   *text;     /* the value as text (NULL for SQL NULL) */
	int64_t count;
};

struct profile_col {
	char   *name;
	char   *type;        /* "integer", "real", "date", "text" (from cl_datasets, else
	                        the declared type, else what the values hold) */
	int64_t count;       /* non-NULL values */
	int64_t nulls;
	int64_t distinct;    /* distinct non-NULL values */
	int     approx;      /* distinct / top are estimates (see above) */
	int     numeric;     /* 1 when mean/stddev/min_num/max_num are set (numbers seen) */
	double  min_num, max_num, mean, stddev;   /* stddev: sample (n-1) */
	char   *min, *max;   /* smallest / largest value as text (SQLite order); NULL if none */
	int64_t min_len, max_len;  /* in characters, over text values; -1 if none */
	int     ntop;
	struct profile_value top[PROFILE_TOP];    /* most frequent, count descending */
};

struct profile {
	char   *table;
	char   *pred;        /* NULL for the whole table */
	int64_t rows;
	size_t  ncols;
	struct profile_col *cols;
	double  seconds;
};

/* Profile table (rows matching pred, NULL = all; pred is checked read-only).
 * progress gets done = rows read, total = rows expected. *out is freed with
 * profile_free. */
int profile_table(struct workspace *ws, const char *table, const char *pred,
                  cl_progress_fn progress, void *pctx, struct profile **out,
                  struct cl_err *err);
void profile_free(struct profile *p);

/* The profile as JSON: {"table","where","rows","seconds","columns":[{"name","type",
 * "count","nulls","distinct","approx","min","max","mean","stddev","min_len",
 * "max_len","top":[{"value","count"}]}]}; caller deletes. */
cJSON *profile_to_json(const struct profile *p);

/* Frequency table of one column (NULLs included as text NULL), most frequent
 * first, at most limit entries; free with profile_values_free. */
int profile_frequency(struct workspace *ws, const char *table, const char *pred,
                      const char *column, int limit, struct profile_value **out, size_t *n,
                      struct cl_err *err);
void profile_values_free(struct profile_value *v, size_t n);

#endif
