/* chart.h — text charts rendered into a grid of cells (no curses here).
 *
 * A chart is drawn into a struct chart_grid (a code point and a colour slot
 * per cell); the pane then draws each row with the colour of its cells. Every
 * function takes `utf8`: 1 draws with block, box and braille characters; 0
 * draws the same shapes in ASCII (for LANG=C).
 *
 * Braille: a cell holds 2x4 dots, so a canvas of w x h cells has 2w x 4h
 * pixels, pixel (0,0) at the top left. Where series overlap in one cell, the
 * cell takes the colour of the last one drawn.
 */
#ifndef CL_TUI_CHART_H
#define CL_TUI_CHART_H

struct chart_grid {
	int            w, h;
	unsigned      *cp;      /* w*h code points, ' ' when empty */
	unsigned char *color;   /* w*h colour slots, 0 = default */
};

/* A w x h grid of spaces; freed with chart_grid_free. */
struct chart_grid *chart_grid_new(int w, int h);
void chart_grid_free(struct chart_grid *g);
/* Put one code point (clipped to the grid). */
void chart_grid_put(struct chart_grid *g, int x, int y, unsigned cp, int color);
/* Put ASCII/UTF-8 text from (x, y), one cell per code point; returns cells used. */
int chart_grid_text(struct chart_grid *g, int x, int y, const char *s, int color);
/* Row y as UTF-8 (all w cells); caller frees. */
char *chart_grid_row(const struct chart_grid *g, int y);

/* Draw an interval bar in row y over cells [x0, x0+w): whiskers at lo and hi,
 * a mark at point, all on the axis [amin, amax]. */
void chart_interval(struct chart_grid *g, int x0, int y, int w, double lo, double hi,
                    double point, double amin, double amax, int color, int utf8);

struct chart_canvas {
	int            w, h;      /* in cells */
	unsigned char *dots;      /* per cell: braille bit mask */
	unsigned char *owner;     /* per cell: colour of the last dot set */
};

/* A blank braille canvas of w x h cells; freed with chart_canvas_free. */
struct chart_canvas *chart_canvas_new(int w, int h);
void chart_canvas_free(struct chart_canvas *c);
/* Set pixel (px, py) (clipped). */
void chart_canvas_dot(struct chart_canvas *c, int px, int py, int color);
/* A straight line between two pixels. */
void chart_canvas_line(struct chart_canvas *c, int x0, int y0, int x1, int y1, int color);
/* Plot n values as a polyline spread over the canvas width, the y axis from
 * ymin (bottom) to ymax (top); NaN values leave a gap. */
void chart_canvas_series(struct chart_canvas *c, const double *v, int n, double ymin,
                         double ymax, int color);
/* Copy the canvas into the grid at (x, y), braille or ASCII ('.', '\'', ':'). */
void chart_canvas_blit(const struct chart_canvas *c, struct chart_grid *g, int x, int y, int utf8);

/* Sparkline of n values (one cell each, ▁..█ or " .:-=+*#"); caller frees. */
char *chart_sparkline(const double *v, int n, int utf8);

/* Progress bar of exactly w cells for frac in [0,1], with eighth blocks
 * (█▉…▏ then ░) or '#' and '.'; caller frees. */
char *chart_progress(double frac, int w, int utf8);

/* Height of big text in rows. */
#define CHART_BIG_ROWS 5
/* Render s in big type (digits, A-Z, a-z as upper case, + - . , % / : space,
 * anything else as a blank): CHART_BIG_ROWS strings into rows[], each a
 * new string the caller frees. Returns the width in cells. */
int chart_big_text(const char *s, int utf8, char *rows[CHART_BIG_ROWS]);
/* 1 when big type has a glyph for every character of s (ASCII letters,
 * digits and the signs above), 0 when some would come out blank (Chinese). */
int chart_big_can(const char *s);
/* Width in cells chart_big_text would use for s. */
int chart_big_width(const char *s);

#endif
