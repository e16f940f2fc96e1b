/* draw.h — colours, glyphs and the one sanitizer every piece of data or model
 * text goes through on its way to the screen.
 *
 * tui_put_text decodes UTF-8 itself and draws each character by its display
 * width (wcwidth): Chinese takes two cells and is never split; text too long
 * for its room ends with an ellipsis. Control characters (C0, ESC, DEL), C1
 * controls, bidi overrides and isolates, line/paragraph separators and bytes
 * that are not UTF-8 are drawn as a one-cell visible placeholder (␛, ␇, �, …
 * under UTF-8; '?' otherwise) in the placeholder colour, so nothing in the data
 * can move the cursor, change the title or reorder text. Under a non-UTF-8
 * locale (LANG=C) everything outside ASCII is a '?' placeholder.
 *
 * Colours: 256, 16 or 8 as the terminal has; attributes only (bold, reverse,
 * underline) under TERM=vt100-like terminals or when NO_COLOR is set.
 */
#ifndef CL_TUI_DRAW_H
#define CL_TUI_DRAW_H

#include <curses.h>
#include <stddef.h>

enum tui_role {
	TUI_NORMAL = 0,
	TUI_BAR,           /* top bar and its plain text */
	TUI_TAB,           /* a pane name in the top bar */
	TUI_TAB_ACTIVE,    /* the focused pane's name */
	TUI_BORDER,        /* box lines */
	TUI_BORDER_FOCUS,  /* box lines of the focused part */
	TUI_TITLE,         /* titles in box borders */
	TUI_HEADER,        /* column headers */
	TUI_SELECT,        /* the cursor's row */
	TUI_CURSOR,        /* the cursor's cell / selected item */
	TUI_PLACEHOLDER,   /* a control character made visible */
	TUI_DIM,           /* NULL cells, hints, secondary text */
	TUI_ERROR,
	TUI_OK,
	TUI_WARN,
	TUI_FILL,          /* bars and charts */
	TUI_KEY,           /* key names in help and hints */
	TUI_ROLE_COUNT
};

/* The glyph set: Unicode under a UTF-8 locale, ASCII otherwise. */
struct tui_glyphs {
	const char *hl, *vl, *tl, *tr, *bl, *br, *lt, *rt;   /* box: ─ │ ┌ ┐ └ ┘ ├ ┤ */
	const char *ellipsis;   /* … */
	const char *sel;        /* ▸ (selected item marker) */
	const char *up, *down;  /* ▲ ▼ (sort direction) */
	const char *dot;        /* · (separator in titles) */
	const char *null;       /* ∅ (SQL NULL) */
	const char *full;       /* █ (bar) */
	const char *shade;      /* ░ (bar background) */
};

/* Set up colours and glyphs after initscr (reads NO_COLOR, TERM's colours, the locale). */
void tui_draw_init(void);
/* The curses attributes (colour pair included) of a role. */
attr_t tui_attr(int role);
/* 1 under a UTF-8 locale. */
int tui_utf8(void);
/* 0 when only attributes are used (NO_COLOR, vt100). */
int tui_has_colour(void);
/* The glyph set for this locale (static, never freed). */
const struct tui_glyphs *tui_glyphs(void);

/* Draw untrusted UTF-8 at (y, x) in at most max_cols cells, sanitized (see
 * above), with an ellipsis when cut; uses the window's current attributes.
 * Returns the cells drawn. */
int tui_put_text(WINDOW *w, int y, int x, const char *utf8, int max_cols);
/* The same for the n bytes at s. */
int tui_put_textn(WINDOW *w, int y, int x, const char *s, size_t n, int max_cols);
/* The same, skipping the first skip columns of the text (horizontal scroll),
 * without an ellipsis. */
int tui_put_text_skip(WINDOW *w, int y, int x, const char *s, size_t n, int skip, int max_cols);
/* Draw text in exactly cols cells: left or right aligned, padded with spaces. */
void tui_put_cell(WINDOW *w, int y, int x, const char *utf8, int cols, int right);
/* Display width of text as tui_put_text draws it (all of it, no limit). */
int tui_text_width(const char *utf8);
int tui_text_widthn(const char *s, size_t n);
/* Byte length of the longest prefix of s (n bytes) that fits in cols cells. */
size_t tui_text_fit(const char *s, size_t n, int cols);

/* Our own (trusted) UTF-8 text such as labels and glyphs: drawn as is when
 * the locale is UTF-8; non-ASCII turned into '?' otherwise. Returns cells. */
int tui_put_label(WINDOW *w, int y, int x, const char *s, int max_cols);

/* A box with corners at (y, x) and (y+h-1, x+wd-1), in the focus colour when focused. */
void tui_box(WINDOW *w, int y, int x, int h, int wd, int focused);
/* A title in a box's top border (sanitized), starting two cells in. */
void tui_box_title(WINDOW *w, int y, int x, int wd, const char *title, int focused);
/* Text at the right end of a box's bottom border. */
void tui_box_footer(WINDOW *w, int y, int x, int wd, const char *text);
/* Horizontal / vertical line of the box glyph. */
void tui_hline(WINDOW *w, int y, int x, int n);
void tui_vline(WINDOW *w, int y, int x, int n);
/* Blank a rectangle with the window's background. */
void tui_clear_rect(WINDOW *w, int y, int x, int h, int wd);
/* A bar of frac (0..1) of width cells: eighth blocks under UTF-8, '#' otherwise. */
void tui_bar(WINDOW *w, int y, int x, double frac, int width);
/* "1,234,567" into buf. */
char *tui_thousands(char *buf, size_t len, long long v);

#endif
