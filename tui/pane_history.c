/* pane_history.c — pane placeholder: the History pane is built by a later issue; until then it
 * says plainly what will be here. */
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/pane.h"

static const char *const lines[] = {
	"Not built yet: rounds and lineage.",
	"",
	"Here the rounds of a prompt will show as a tree of variants and their parents,",
	"with the best score by round and the feedback that led to each round.",
	NULL,
};

static int ph_init(struct pane *p) { (void)p; return 0; }
static void ph_free(struct pane *p) { (void)p; }
static int ph_key(struct pane *p, int action, int ch) { (void)p, (void)action, (void)ch; return PANE_IGNORED; }

static void ph_draw(struct pane *p)
{
	int h = getmaxy(p->win), w = getmaxx(p->win);
	werase(p->win);
	tui_box(p->win, 0, 0, h, w, 1);
	tui_box_title(p->win, 0, 0, w, "History", 1);
	for (int i = 0; lines[i] && 2 + i < h - 1; i++) {
		if (i == 0)
			wattr_on(p->win, tui_attr(TUI_TITLE), NULL);
		tui_put_label(p->win, 2 + i, 3, lines[i], w - 6);
		if (i == 0)
			wattr_off(p->win, tui_attr(TUI_TITLE), NULL);
	}
}

static const struct pane_key ph_keys[] = { PANE_KEYS_END };

const struct pane_type pane_history_type = {
	.name = "History",
	.init = ph_init,
	.free = ph_free,
	.key = ph_key,
	.draw = ph_draw,
	.keys = ph_keys,
};
