/* rl.c — the readline bridge (see rl.h).
 *
 * readline never touches the terminal here: prep/deprep are off, it reads
 * bytes from a queue this file fills (rl_getc_function and
 * rl_input_available_hook), draws through rl_redisplay_function into a curses
 * window, and lists completions through rl_completion_display_matches_hook.
 * Keys arrive from wgetch with keypad on, so cursor keys are turned back into
 * the escape sequences readline binds; values over 255 are never passed on.
 * Readline's globals force one editor per process: the state lives in R.
 */
#include "tui/rl.h"
#include "tui/draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/history.h>
#include <readline/readline.h>

static struct {
	WINDOW          *w;
	struct rl_hooks  hooks;
	int              active;
	int              finished;   /* line ready in `line`, or cancelled */
	char            *line;
	unsigned char    q[64];
	int              qh, qt;
	char           **cands;      /* completion candidates of the current Tab */
	size_t           ci;
	FILE            *null;
} R;

static int q_empty(void) { return R.qh == R.qt; }

static void q_push(const char *bytes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int next = (R.qt + 1) % (int)sizeof R.q;
		if (next == R.qh)
			return;
		R.q[R.qt] = (unsigned char)bytes[i];
		R.qt = next;
	}
}

static int rl_getc_queue(FILE *f)
{
	(void)f;
	if (q_empty())
		return 0;   /* never happens: readline is only called with bytes queued */
	int c = R.q[R.qh];
	R.qh = (R.qh + 1) % (int)sizeof R.q;
	return c;
}

static int rl_avail(void) { return !q_empty(); }

static void redisplay(void)
{
	int width, pw, cur, room, skip = 0;
	const char *pr = rl_display_prompt ? rl_display_prompt : "";
	if (!R.w || !R.active)
		return;
	width = getmaxx(R.w);
	werase(R.w);
	wattr_on(R.w, tui_attr(TUI_KEY), NULL);
	pw = tui_put_label(R.w, 0, 0, pr, width / 2);
	wattr_off(R.w, tui_attr(TUI_KEY), NULL);
	cur = tui_text_widthn(rl_line_buffer, (size_t)rl_point);
	room = width - pw - 1;
	if (room < 1)
		room = 1;
	if (cur >= room)
		skip = cur - room + 1;
	tui_put_text_skip(R.w, 0, pw, rl_line_buffer, (size_t)rl_end, skip, room);
	wmove(R.w, 0, pw + cur - skip);
	wnoutrefresh(R.w);
}

static void line_handler(char *line)
{
	/* readline is done with this line: take it and stop the handler. */
	R.line = line ? strdup(line) : NULL;
	free(line);
	R.finished = 1;
	rl_callback_handler_remove();
}

static char *cand_gen(const char *text, int state)
{
	size_t len = strlen(text);
	if (!state)
		R.ci = 0;
	while (R.cands && R.cands[R.ci]) {
		const char *c = R.cands[R.ci++];
		if (strncmp(c, text, len) == 0)
			return strdup(c);
	}
	return NULL;
}

static void free_cands(void)
{
	if (R.cands) {
		for (size_t i = 0; R.cands[i]; i++)
			free(R.cands[i]);
		free(R.cands);
		R.cands = NULL;
	}
}

static char **attempt(const char *text, int start, int end)
{
	int files = 0;
	char **m = NULL;
	rl_attempted_completion_over = 1;
	free_cands();
	if (!R.hooks.complete)
		return NULL;
	R.cands = R.hooks.complete(R.hooks.ctx, rl_line_buffer, start, end, &files);
	if (files) {
		free_cands();
		rl_filename_completion_desired = 1;
		return rl_completion_matches(text, rl_filename_completion_function);
	}
	if (R.cands)
		m = rl_completion_matches(text, cand_gen);
	free_cands();
	return m;
}

static void show_matches(char **matches, int num, int max)
{
	(void)max;
	if (R.hooks.matches)
		R.hooks.matches(R.hooks.ctx, matches + 1, num);
}

/* Ctrl-G: cancel the line. */
static int cancel_key(int count, int key)
{
	(void)count;
	(void)key;
	R.finished = 1;
	R.line = NULL;
	rl_callback_handler_remove();
	return 0;
}

void tui_rl_init(void)
{
	R.null = fopen("/dev/null", "r+");
	rl_readline_name = "copylab";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = NULL;
	rl_deprep_term_function = NULL;
	rl_instream = R.null;
	rl_outstream = R.null;
	rl_getc_function = rl_getc_queue;
	rl_input_available_hook = rl_avail;
	rl_redisplay_function = redisplay;
	rl_attempted_completion_function = attempt;
	rl_completion_display_matches_hook = show_matches;
	rl_completion_query_items = 100000;
	rl_initialize();
	rl_bind_key(7, cancel_key);   /* Ctrl-G */
	using_history();
}

void tui_rl_end(void)
{
	if (R.active) {
		rl_callback_handler_remove();
		R.active = 0;
	}
	clear_history();
	rl_free_line_state();
	free_cands();
	free(R.line);
	R.line = NULL;
	if (R.null)
		fclose(R.null);
	R.null = NULL;
}

void tui_rl_open(WINDOW *w, const char *prompt, const char *initial, char *const *hist,
                 size_t nhist, const struct rl_hooks *hooks)
{
	if (R.active)
		tui_rl_cancel();
	R.w = w;
	R.hooks = *hooks;
	R.active = 1;
	R.finished = 0;
	R.qh = R.qt = 0;
	clear_history();
	for (size_t i = 0; i < nhist; i++)
		add_history(hist[i]);
	using_history();
	rl_callback_handler_install(prompt, line_handler);
	if (initial && *initial) {
		rl_insert_text(initial);
		rl_point = rl_end;
	}
	curs_set(1);
	redisplay();
}

int tui_rl_active(void) { return R.active; }

static void finish(void)
{
	char *line = R.line;
	struct rl_hooks h = R.hooks;
	R.line = NULL;
	R.active = 0;
	R.finished = 0;
	R.qh = R.qt = 0;
	curs_set(0);
	if (R.w) {
		werase(R.w);
		wnoutrefresh(R.w);
	}
	if (h.done)
		h.done(h.ctx, line);
	free(line);
}

void tui_rl_key(int ch)
{
	const char *seq = NULL;
	char one[2];

	if (!R.active || ch < 0)
		return;
	switch (ch) {
	case KEY_LEFT:      seq = "\033[D"; break;
	case KEY_RIGHT:     seq = "\033[C"; break;
	case KEY_UP:        seq = "\033[A"; break;
	case KEY_DOWN:      seq = "\033[B"; break;
	case KEY_HOME:      seq = "\033[H"; break;
	case KEY_END:       seq = "\033[F"; break;
	case KEY_DC:        seq = "\033[3~"; break;
	case KEY_BACKSPACE: seq = "\177"; break;
	case KEY_ENTER:     seq = "\r"; break;
	default:
		if (ch > 255)
			return;   /* function keys readline has no binding for */
		one[0] = (char)ch;
		one[1] = 0;
		q_push(one, 1);
		break;
	}
	if (seq)
		q_push(seq, strlen(seq));
	while (!q_empty() && R.active && !R.finished)
		rl_callback_read_char();
	R.qh = R.qt = 0;
	if (R.finished)
		finish();
}

void tui_rl_cancel(void)
{
	if (!R.active)
		return;
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_callback_handler_remove();
	free(R.line);
	R.line = NULL;
	finish();
}

void tui_rl_redraw(WINDOW *w)
{
	R.w = w;
	if (R.active)
		redisplay();
}
