/* history.h — line-input history per kind ("command", "search", "filter", …),
 * kept in the workspace table cl_history so it survives across sessions. */
#ifndef CL_HISTORY_H
#define CL_HISTORY_H

#include <stddef.h>
#include "core/util.h"
#include "core/workspace.h"

/* Lines kept per kind; older ones are dropped by history_add. */
#define HISTORY_MAX 500

/* The last max lines of kind, oldest first; free with history_lines_free. */
int history_load(struct workspace *ws, const char *kind, int max, char ***lines, size_t *n,
                 struct cl_err *err);
void history_lines_free(char **lines, size_t n);

/* Append line to kind's history (a repeat of the newest line is skipped). */
int history_add(struct workspace *ws, const char *kind, const char *line, struct cl_err *err);

#endif
