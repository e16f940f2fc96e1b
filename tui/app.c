/* app.c — scaffold entry point; replaced by the TUI shell (issue 3). */
#include "tui/tui.h"
#include <stdio.h>

int tui_main(const struct tui_opts *opts)
{
	fprintf(stderr, "copylab: the workbench is not built yet (workspace %s)\n", opts->db_path);
	return 1;
}
