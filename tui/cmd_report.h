/* cmd_report.h — the `:report FILE [RUN]` command of the workbench. The app
 * adds the table with app_commands_add(a, tui_report_cmds). */
#ifndef CL_TUI_CMD_REPORT_H
#define CL_TUI_CMD_REPORT_H

#include "tui/app.h"

/* `:report FILE [RUN]`, ended by an entry whose name is NULL. */
extern const struct app_cmd tui_report_cmds[];

#endif
