/* pane_prompt.c — pane placeholder: the Prompt pane is built by a later issue; until then it
 * says plainly what will be here. */
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/pane.h"

static const char *const lines[] = {
	"Not built yet: the prompt editor.",
	"",
	"Here you will edit a prompt template (front matter + {{variables}}) with its",
	"versions, and see it filled in for a product row and a segment, with a token",
	"and cost estimate, then generate variants (g).",
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
	tui_box_title(p->win, 0, 0, w, "Prompt", 1);
	for (int i = 0; lines[i] && 2 + i < h - 1; i++) {
		if (i == 0)
			wattr_on(p->win, tui_attr(TUI_TITLE), NULL);
		tui_put_label(p->win, 2 + i, 3, lines[i], w - 6);
		if (i == 0)
			wattr_off(p->win, tui_attr(TUI_TITLE), NULL);
	}
}

static const struct pane_key ph_keys[] = { PANE_KEYS_END };

const struct pane_type pane_prompt_type = {
	.name = "Prompt",
	.init = ph_init,
	.free = ph_free,
	.key = ph_key,
	.draw = ph_draw,
	.keys = ph_keys,
};
