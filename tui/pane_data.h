/* pane_data.h — what the app asks of the Data pane beyond its pane_type. */
#ifndef CL_TUI_PANE_DATA_H
#define CL_TUI_PANE_DATA_H

#include "tui/pane.h"

/* Names for Tab completion: kind is APP_COMPLETE_TABLE, _COLUMN (of the open
 * table) or _SEGMENT. A NULL-terminated array; caller frees it and its strings. */
char **pane_data_names(struct pane *p, int kind);

#endif
