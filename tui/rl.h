/* rl.h — GNU readline on one curses line, through readline's callback
 * interface, fed by the app's own input loop (STYLE.md "GNU readline inside
 * curses"). readline keeps global state, so there is one line editor per
 * process and these functions act on it. */
#ifndef CL_TUI_RL_H
#define CL_TUI_RL_H

#include <curses.h>
#include <stddef.h>

struct rl_hooks {
	void *ctx;
	/* The line was accepted (line) or cancelled (NULL). Runs after readline
	 * returned, so it may open another prompt. */
	void (*done)(void *ctx, const char *line);
	/* Tab: candidates for the word text (bytes start..end of line), a
	 * NULL-terminated malloc'd array of malloc'd strings (the bridge filters
	 * them by prefix and frees them), or NULL; set *files to complete file names. */
	char **(*complete)(void *ctx, const char *line, int start, int end, int *files);
	/* More than one match: matches[0..n) to show (valid during the call). */
	void (*matches)(void *ctx, char **matches, int n);
};

/* Set readline up for curses (once, after initscr). */
void tui_rl_init(void);
/* Free readline's state at exit. */
void tui_rl_end(void);
/* Open the line editor in w (one line) with a prompt, pre-filled text and a
 * history (oldest first, copied). */
void tui_rl_open(WINDOW *w, const char *prompt, const char *initial, char *const *hist,
                 size_t nhist, const struct rl_hooks *hooks);
/* True while a line is being edited. */
int tui_rl_active(void);
/* One key as wgetch returned it with keypad on (KEY_LEFT, 'a', UTF-8 bytes…). */
void tui_rl_key(int ch);
/* Close the editor as cancelled (hooks.done gets NULL). */
void tui_rl_cancel(void);
/* Draw the line again (after a resize or when other windows were refreshed
 * after it, so the cursor ends on the line); w may be a new window. */
void tui_rl_redraw(WINDOW *w);

#endif
