/* pane.h — a pane of the workbench is a const table of functions.
 *
 * Each pane file exports one `const struct pane_type` (see pane_data.c). The
 * app owns the struct pane, creates p->win covering the area between the top
 * bar and the bottom line, and calls, in this order:
 *
 *   init once (allocate p->data; p->win already exists),
 *   resize after the window got a new size (also once right after init),
 *   draw whenever p->dirty is set (paint all of p->win; the app does the
 *        wnoutrefresh and one doupdate per loop turn, never call refresh),
 *   key for each key found in the pane's key table while it has focus,
 *   free once at exit (free p->data; the app deletes p->win).
 *
 * Keys: the dispatcher looks the key up in type->keys (first match wins) and
 * calls type->key with the entry's action; if the key is not in the table or
 * key() returns PANE_IGNORED, the app's global keys get it. The `?` help
 * overlay prints the same table, so a key is documented by binding it.
 * An entry with key PANE_KEY_ANY matches every key not matched before it.
 */
#ifndef CL_TUI_PANE_H
#define CL_TUI_PANE_H

#include <curses.h>

struct app;
struct app_cmd;
struct pane;

/* What a key handler did (htop's Panel results). */
enum pane_result {
	PANE_IGNORED = 0,  /* not mine: try the app's global keys */
	PANE_HANDLED,      /* done (the pane called pane_dirty if it needs a repaint) */
	PANE_REDRAW,       /* done; repaint this pane */
	PANE_QUIT,         /* leave the app */
};

/* Mouse events passed to pane_type.mouse, coordinates relative to p->win. */
enum pane_mouse {
	PANE_MOUSE_CLICK = 1,
	PANE_MOUSE_DOUBLE,
	PANE_MOUSE_WHEEL_UP,
	PANE_MOUSE_WHEEL_DOWN,
};

/* Why pane_type.changed is called (a bit set). */
enum pane_change {
	PANE_CHANGED_TABLES   = 1 << 0,   /* tables imported, dropped or indexed */
	PANE_CHANGED_SEGMENTS = 1 << 1,   /* segments added or removed */
	PANE_CHANGED_PROMPTS  = 1 << 2,   /* prompt templates */
	PANE_CHANGED_RUNS     = 1 << 3,   /* runs, variants, scores */
	PANE_CHANGED_RESULTS  = 1 << 4,   /* experiments and results */
};

#define PANE_KEY_ANY (-2)
#define PANE_CTRL(c) ((c) & 0x1f)

/* One key binding; the dispatcher and the help overlay read the same table. */
struct pane_key {
	int         key;     /* a character ('j'), PANE_CTRL('l'), a KEY_* code, or PANE_KEY_ANY */
	int         action;  /* the pane's own action number, passed to pane_type.key */
	const char *label;   /* how help names the key ("j ↓"); NULL: an alias, not listed */
	const char *help;    /* what it does, a few words */
};
#define PANE_KEYS_END { 0, 0, NULL, NULL }

struct pane_type {
	const char *name;                         /* tab label, also `:pane NAME` */
	/* The pane's main keys for the bottom line ("* star  x discard"), items
	 * two spaces apart, most useful first (cut from the end); may be NULL. */
	const char *hints;
	int  (*init)(struct pane *p);             /* 0, or -1 after app_error */
	void (*free)(struct pane *p);
	void (*resize)(struct pane *p);           /* may be NULL */
	int  (*key)(struct pane *p, int action, int ch);   /* enum pane_result */
	void (*draw)(struct pane *p);
	const struct pane_key *keys;              /* ends with PANE_KEYS_END */
	/* Optional (NULL when not wanted): */
	void (*focus)(struct pane *p, int gained);
	/* A mouse event at (y, x) in p->win; enum pane_result. */
	int  (*mouse)(struct pane *p, int y, int x, int event);
	/* `/` text then n/N: find the next (dir 1) or previous (dir -1) match from
	 * the cursor and move there; 1 found, 0 not found, -1 after app_error.
	 * When that finds nothing the app wraps around with dir 2 (the first
	 * match from the top) or -2 (the last match from the bottom). */
	int  (*search)(struct pane *p, const char *text, int dir);
	/* Where the terminal cursor belongs in p->win (an editor's insertion
	 * point, so input methods place their window there): 1 with *y, *x set,
	 * or 0 to keep it hidden. Asked after every paint. */
	int  (*cursor)(struct pane *p, int *y, int *x);
	/* Something in the workspace changed (enum pane_change bits). */
	void (*changed)(struct pane *p, unsigned what);
	/* ':' commands this pane adds (ends with an entry whose name is NULL);
	 * they run whichever pane has focus. */
	const struct app_cmd *cmds;
};

struct pane {
	const struct pane_type *type;
	struct app *app;
	WINDOW     *win;     /* the pane's area; its size is getmaxy/getmaxx(win) */
	int         dirty;   /* repaint at the end of this loop turn */
	void       *data;    /* the pane's own state */
};

/* Ask for a repaint of p at the end of the loop turn. */
void pane_dirty(struct pane *p);

/* The pane types, in tab order 1..5 (each defined in its own pane_*.c). */
extern const struct pane_type pane_data_type;
extern const struct pane_type pane_prompt_type;
extern const struct pane_type pane_variants_type;
extern const struct pane_type pane_results_type;
extern const struct pane_type pane_history_type;

#endif
