/* progress.h — the progress callback long core operations (import, profile,
 * export, segment profiles) call so a front end can show a bar and cancel. */
#ifndef CL_PROGRESS_H
#define CL_PROGRESS_H

#include <stdint.h>

/* Called every few thousand rows and once at the end: done/total are bytes of
 * input (for imports) or rows (for profiles; total 0 when unknown), rows is
 * the rows handled so far. Return non-zero to cancel: the operation then
 * stops, rolls back whatever it wrote, and fails with code CL_ECANCEL. */
typedef int (*cl_progress_fn)(void *ctx, uint64_t done, uint64_t total, uint64_t rows);

#endif
