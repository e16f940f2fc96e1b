/* tui.h — the full-screen workbench's one entry point. */
#ifndef CL_TUI_H
#define CL_TUI_H

struct tui_opts {
	const char *db_path;
	int         db_explicit;  /* the user named the workspace (--db or $COPYLAB_DB) */
	int         demo;         /* --demo: open a prepared sample workspace */
	int         verbose;
};

/* Run the TUI until the user quits; returns the process exit status. */
int tui_main(const struct tui_opts *opts);

#endif
