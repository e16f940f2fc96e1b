/* segment.h — named segments: a table and a read-only SQL predicate
 * (e.g. customers where region = 'East' and frequency >= 5), stored in
 * cl_segments, with row count, share of the table and a profile. */
#ifndef CL_SEGMENT_H
#define CL_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include "core/profile.h"
#include "core/progress.h"
#include "core/util.h"
#include "core/workspace.h"

struct segment {
	char   *name;
	char   *dataset;     /* the table */
	char   *predicate;
	int64_t rows;        /* rows matching now */
	int64_t table_rows;  /* rows in the table now */
	double  share;       /* rows / table_rows (0 when the table is empty) */
	char   *created_at;
};

/* Create segment name over table with predicate pred (validated read-only);
 * --replace semantics when replace is set, else an existing name fails.
 * out (may be NULL) receives the new segment; clear it with segment_clear. */
int segment_add(struct workspace *ws, const char *name, const char *table, const char *pred,
                int replace, struct segment *out, struct cl_err *err);
/* Fetch one segment with live counts; CL_ENOTFOUND if there is none. */
int segment_get(struct workspace *ws, const char *name, struct segment *out, struct cl_err *err);
/* All segments with live counts, by name; free with segment_list_free. */
int segment_list(struct workspace *ws, struct segment **out, size_t *n, struct cl_err *err);
int segment_remove(struct workspace *ws, const char *name, struct cl_err *err);
void segment_clear(struct segment *s);
void segment_list_free(struct segment *s, size_t n);

/* Profiles of the segment's rows and of the whole table, for showing side by
 * side; also caches the segment's profile JSON in cl_segments. Free both with
 * profile_free. */
int segment_profile(struct workspace *ws, const char *name, cl_progress_fn progress, void *pctx,
                    struct profile **seg, struct profile **whole, struct cl_err *err);

#endif
