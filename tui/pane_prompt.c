/* pane_prompt.c — 2 Prompt: the template editor with a live preview.
 *
 * Normal mode: keys are commands (i edits, s saves a new version, d shows
 * the diff against the previous version, g generates, r/S pick the product
 * row and segment, P/M/T/V set provider, model, temperature and variants).
 * Edit mode (i or Enter; Esc leaves it): printable keys insert, with undo,
 * word moves, {{variable}} highlighting and Tab completion of variable names.
 * Keys arrive from wgetch as bytes, so UTF-8 is assembled here.
 */
#include "tui/workflow.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/pane.h"
#include "tui/wrap.h"
#include "core/config.h"
#include "core/demo.h"
#include "core/offline.h"
#include "core/redact.h"
#include "core/segment.h"
#include "core/template.h"
#include "core/textdiff.h"
#include "core/workflow.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	P_ANY = 1, P_EDIT, P_LEFT, P_RIGHT, P_UP, P_DOWN, P_HOME, P_END, P_PGUP, P_PGDN,
	P_WORDL, P_WORDR, P_UNDO, P_REDO, P_SAVE, P_DIFF, P_GEN, P_EXTERNAL, P_TEMPLATES,
	P_PREVVER, P_NEXTVER, P_ROW, P_SEGMENT, P_PROVIDER, P_MODEL, P_TEMP, P_NVAR, P_PREVIEW,
	P_ESC, P_COMPLETE,
};

static const struct pane_key prompt_keys[] = {
	{ 'i',            P_EDIT,      "i Enter", "edit the template (Esc leaves editing)" },
	{ '\r',           P_EDIT,      NULL, NULL },
	{ '\n',           P_EDIT,      NULL, NULL },
	{ KEY_ENTER,      P_EDIT,      NULL, NULL },
	{ KEY_LEFT,       P_LEFT,      "arrows h j k l", "move the cursor (arrows also while editing)" },
	{ KEY_RIGHT,      P_RIGHT,     NULL, NULL },
	{ KEY_UP,         P_UP,        NULL, NULL },
	{ KEY_DOWN,       P_DOWN,      NULL, NULL },
	{ KEY_HOME,       P_HOME,      "Home End", "start / end of the line" },
	{ KEY_END,        P_END,       NULL, NULL },
	{ KEY_PPAGE,      P_PGUP,      "PgUp PgDn", "page up / down" },
	{ KEY_NPAGE,      P_PGDN,      NULL, NULL },
	{ 'b',            P_WORDL,     "b w Ctrl-←→", "word left / right" },
	{ 'w',            P_WORDR,     NULL, NULL },
	{ 'u',            P_UNDO,      "u Ctrl-_", "undo" },
	{ PANE_CTRL('_'), P_UNDO,      NULL, NULL },
	{ PANE_CTRL('r'), P_REDO,      "Ctrl-R", "redo" },
	{ 's',            P_SAVE,      "s", "save as a new version" },
	{ 'd',            P_DIFF,      "d", "diff against the previous version" },
	{ 'g',            P_GEN,       "g", "generate variants (Esc cancels)" },
	{ PANE_CTRL('e'), P_EXTERNAL,  "Ctrl-E", "edit in $EDITOR" },
	{ 't',            P_TEMPLATES, "t", "templates and versions" },
	{ '[',            P_PREVVER,   "[ ]", "previous / next version" },
	{ ']',            P_NEXTVER,   NULL, NULL },
	{ 'r',            P_ROW,       "r", "choose the product row" },
	{ 'S',            P_SEGMENT,   "S", "choose the segment" },
	{ 'P',            P_PROVIDER,  "P", "choose the provider" },
	{ 'M',            P_MODEL,     "M", "set the model" },
	{ 'T',            P_TEMP,      "T", "set the temperature" },
	{ 'V',            P_NVAR,      "V", "set the number of variants" },
	{ 'v',            P_PREVIEW,   "v", "show the preview (narrow screens)" },
	{ '\t',           P_COMPLETE,  "Tab", "complete a {{variable}} (while editing)" },
	{ 27,             P_ESC,       "Esc", "leave editing / close the list" },
	{ PANE_KEY_ANY,   P_ANY,       NULL, NULL },
	PANE_KEYS_END
};

enum { OV_NONE, OV_TEMPLATES, OV_ROWS, OV_SEGMENTS, OV_PROVIDERS, OV_DIFF };

struct snap {
	char  *text;
	size_t cur;
};

struct vrow {
	size_t off, len;
};

struct tag {
	size_t off, len;   /* the whole {{…}} */
	int    known;
};

struct pstate {
	/* the loaded version */
	char     *name;
	int       version, parent_version;
	long long tpl_id, parent_id;
	char     *saved;          /* its text */
	/* the buffer */
	char     *text;
	size_t    len, cur;
	int       editing, top, want_col;
	struct snap *undo, *redo;
	int       nundo, nredo;
	int       last_typed;     /* the last change was a typed character (coalesce) */
	char      ub[4];          /* UTF-8 bytes waiting for the rest of their character */
	int       nub, need;
	/* layout of the last draw */
	struct vrow *rows;
	int       nrows, edit_h, edit_w;
	/* binding and preview */
	char     *row, *segment;
	cJSON    *bind;
	char     *bind_err;
	char     *preview;         /* rendered messages, "" when none */
	char     *preview_err;
	size_t    redacted;
	long      tokens_in;
	int       preview_stale, show_preview, preview_scroll;
	int       cur_y, cur_x, cur_shown;   /* where the editor drew its cursor */
	double    tpl_temp;        /* the template's temperature (< 0 none), from the last parse */
	int       tpl_nvar;        /* the template's variants (0 none) */
	/* settings */
	struct cl_config *cfg;
	char     *provider, *model;
	double    temperature;     /* < 0: the template's */
	int       nvariants;       /* 0: the template's */
	/* overlay list */
	int       ov, ov_sel, ov_top;
	char    **ov_label, **ov_key;
	int       ov_n;
	char     *diff;
	int       diff_scroll;
	int       key_cleft, key_cright;
	int       repaint;         /* repaint the whole screen at the next draw */
};

#define ST(p) ((struct pstate *)(p)->data)

static const char *starter =
	"---\nname: my-template\nchannel: email\nlanguage: en\nfields: subject, body, cta\nvariants: 4\n---\n"
	"Write an email about {{product.name_en}} for {{segment.name}}.\n";

/* ---- buffer and undo ---- */

static void set_text(struct pstate *s, const char *t)
{
	free(s->text);
	s->text = xstrdup(t ? t : "");
	s->len = strlen(s->text);
	if (s->cur > s->len)
		s->cur = s->len;
	s->preview_stale = 1;
}

static void snaps_free(struct snap *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].text);
	free(v);
}

static void undo_reset(struct pstate *s)
{
	snaps_free(s->undo, s->nundo);
	snaps_free(s->redo, s->nredo);
	s->undo = s->redo = NULL;
	s->nundo = s->nredo = 0;
	s->last_typed = 0;
}

static void push_snap(struct snap **v, int *n, const char *text, size_t cur)
{
	if (*n >= 500) {
		free((*v)[0].text);
		memmove(*v, *v + 1, (size_t)(*n - 1) * sizeof **v);
		(*n)--;
	}
	*v = xreallocarray(*v, (size_t)*n + 1, sizeof **v);
	(*v)[*n].text = xstrdup(text);
	(*v)[*n].cur = cur;
	(*n)++;
}

/* Record the state before a change; typed characters coalesce into one step
 * until a space, a move or another kind of change. */
static void before_change(struct pstate *s, int typed, int is_space)
{
	if (!(typed && s->last_typed && !is_space))
		push_snap(&s->undo, &s->nundo, s->text, s->cur);
	snaps_free(s->redo, s->nredo);
	s->redo = NULL;
	s->nredo = 0;
	s->last_typed = typed;
}

static int undo_step(struct pstate *s, int redo)
{
	struct snap **from = redo ? &s->redo : &s->undo, **to = redo ? &s->undo : &s->redo;
	int *nfrom = redo ? &s->nredo : &s->nundo, *nto = redo ? &s->nundo : &s->nredo;
	if (*nfrom == 0)
		return 0;
	push_snap(to, nto, s->text, s->cur);
	struct snap sn = (*from)[--*nfrom];
	free(s->text);
	s->text = sn.text;
	s->len = strlen(s->text);
	s->cur = sn.cur <= s->len ? sn.cur : s->len;
	s->last_typed = 0;
	s->preview_stale = 1;
	return 1;
}

static void buf_insert(struct pstate *s, const char *b, size_t n)
{
	s->text = xrealloc(s->text, s->len + n + 1);
	memmove(s->text + s->cur + n, s->text + s->cur, s->len - s->cur + 1);
	memcpy(s->text + s->cur, b, n);
	s->len += n;
	s->cur += n;
	s->preview_stale = 1;
}

static void buf_erase(struct pstate *s, size_t a, size_t b)
{
	if (b <= a)
		return;
	memmove(s->text + a, s->text + b, s->len - b + 1);
	s->len -= b - a;
	if (s->cur > b)
		s->cur -= b - a;
	else if (s->cur > a)
		s->cur = a;
	s->preview_stale = 1;
}

static size_t prev_char(const struct pstate *s, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)s->text[i] & 0xC0) == 0x80)
		i--;
	return i;
}

static size_t next_char(const struct pstate *s, size_t i)
{
	unsigned cp;
	if (i >= s->len)
		return s->len;
	return i + textdiff_utf8_decode(s->text + i, s->len - i, &cp);
}

static size_t line_start(const struct pstate *s, size_t i)
{
	while (i > 0 && s->text[i - 1] != '\n')
		i--;
	return i;
}

static size_t line_end(const struct pstate *s, size_t i)
{
	while (i < s->len && s->text[i] != '\n')
		i++;
	return i;
}

/* Next / previous start of a word (a token that is not white space). */
static size_t word_move(const struct pstate *s, int dir)
{
	size_t *o, n = textdiff_tokenize(s->text, &o), res = dir > 0 ? s->len : 0;
	if (dir > 0) {
		for (size_t i = 0; i < n; i++)
			if (o[i] > s->cur && !(s->text[o[i]] == ' ' || s->text[o[i]] == '\n' || s->text[o[i]] == '\t')) {
				res = o[i];
				break;
			}
	} else {
		for (size_t i = n; i-- > 0;)
			if (o[i] < s->cur && !(s->text[o[i]] == ' ' || s->text[o[i]] == '\n' || s->text[o[i]] == '\t')) {
				res = o[i];
				break;
			}
	}
	free(o);
	return res;
}

/* ---- layout: logical lines cut by display width ---- */

static void layout(struct pstate *s, int width)
{
	int cap = 64;
	free(s->rows);
	s->rows = xmalloc((size_t)cap * sizeof *s->rows);
	s->nrows = 0;
	if (width < 4)
		width = 4;
	size_t i = 0;
	for (;;) {
		size_t e = line_end(s, i);
		size_t a = i;
		do {
			size_t k = wrap_fit(s->text + a, e - a, width, NULL);
			if (k == 0 && a < e)
				k = next_char(s, a) - a;
			if (s->nrows == cap)
				s->rows = xreallocarray(s->rows, (size_t)(cap *= 2), sizeof *s->rows);
			s->rows[s->nrows++] = (struct vrow){ a, k };
			a += k;
		} while (a < e);
		if (e >= s->len)
			break;
		i = e + 1;
	}
	s->edit_w = width;
}

static int cursor_row(const struct pstate *s)
{
	for (int r = 0; r < s->nrows; r++) {
		size_t a = s->rows[r].off, b = a + s->rows[r].len;
		int last_of_line = r + 1 == s->nrows || s->rows[r + 1].off != b;
		if (s->cur >= a && (s->cur < b || (s->cur == b && last_of_line)))
			return r;
	}
	return s->nrows ? s->nrows - 1 : 0;
}

static int cursor_col(const struct pstate *s, int r)
{
	return wrap_width(s->text + s->rows[r].off, s->cur - s->rows[r].off);
}

static void move_rows(struct pstate *s, int delta)
{
	if (!s->nrows)
		return;
	int r = cursor_row(s), t = r + delta;
	if (t < 0) t = 0;
	if (t >= s->nrows) t = s->nrows - 1;
	if (t == r) {
		s->cur = delta < 0 ? 0 : s->len;
		return;
	}
	s->cur = s->rows[t].off + wrap_fit(s->text + s->rows[t].off, s->rows[t].len, s->want_col, NULL);
}

/* ---- tags, binding, preview ---- */

static const cJSON *json_path(const cJSON *obj, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	const cJSON *cur = obj;
	for (char *k = strtok_r(copy, ".", &save); k && cur; k = strtok_r(NULL, ".", &save))
		cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, k) : NULL;
	free(copy);
	return cur;
}

/* Is the variable path bound (row, segment, brand, vars)? */
static int var_known(const struct pstate *s, const char *path, int has_default)
{
	if (has_default)
		return 1;
	if (!s->bind)
		return 0;
	const char *dot = strchr(path, '.');
	if (!dot)
		return json_path(cJSON_GetObjectItemCaseSensitive(s->bind, "vars"), path) != NULL;
	size_t rl = (size_t)(dot - path);
	const cJSON *row = cJSON_GetObjectItemCaseSensitive(s->bind, "row");
	const cJSON *table = row ? cJSON_GetObjectItemCaseSensitive(row, "table") : NULL;
	if ((rl == 7 && strncmp(path, "product", 7) == 0) || (rl == 3 && strncmp(path, "row", 3) == 0) ||
	    (cJSON_IsString(table) && strlen(table->valuestring) == rl && strncmp(path, table->valuestring, rl) == 0))
		return json_path(cJSON_GetObjectItemCaseSensitive(s->bind, "product"), dot + 1) != NULL;
	if (rl == 7 && strncmp(path, "segment", 7) == 0) {
		const cJSON *seg = cJSON_GetObjectItemCaseSensitive(s->bind, "segment");
		return seg && seg->child && (strcmp(dot + 1, "name") == 0 || strcmp(dot + 1, "profile") == 0 ||
		                             strcmp(dot + 1, "dataset") == 0 || strcmp(dot + 1, "rows") == 0);
	}
	if (rl == 5 && strncmp(path, "brand", 5) == 0)
		return json_path(cJSON_GetObjectItemCaseSensitive(s->bind, "brand"), dot + 1) != NULL;
	return 0;
}

/* Every {{…}} in the buffer with whether it is bound; caller frees. */
static size_t find_tags(const struct pstate *s, struct tag **out)
{
	size_t n = 0, cap = 0;
	const char *t = s->text, *p = t;
	*out = NULL;
	while ((p = strstr(p, "{{"))) {
		const char *e = strstr(p + 2, "}}");
		const char *nl = strchr(p + 2, '\n');
		if (!e || (nl && nl < e))
			break;
		const char *a = p + 2, *b = e;
		while (a < b && *a == ' ') a++;
		size_t inner = b > a ? (size_t)(b - a) : 0;
		const char *bar = inner ? memchr(a, '|', inner) : NULL;
		const char *pe = bar ? bar : b;
		while (pe > a && pe[-1] == ' ') pe--;
		char *path = xstrndup(a, (size_t)(pe - a));
		int has_def = bar && strstr(bar, "default") && strstr(bar, "default") < b;
		if (n == cap)
			*out = xreallocarray(*out, cap = cap ? cap * 2 : 16, sizeof **out);
		(*out)[n].off = (size_t)(p - t);
		(*out)[n].len = (size_t)(e + 2 - p);
		(*out)[n].known = var_known(s, path, has_def);
		n++;
		free(path);
		p = e + 2;
	}
	return n;
}

static void rebind(struct pane *p)
{
	struct pstate *s = ST(p);
	struct cl_err err = {0};
	struct tpl_bind_opts bo = { .row = s->row, .segment = s->segment };
	cJSON_Delete(s->bind);
	s->bind = NULL;
	FREE(&s->bind_err);
	if (template_bind(app_workspace(p->app), &bo, &s->bind, &err))
		s->bind_err = xstrdup(err.msg);
	s->preview_stale = 1;
}

static int provider_local(struct pstate *s)
{
	struct cl_err err = {0};
	struct provider *pr = s->cfg ? config_provider(s->cfg, s->provider, &err) : NULL;
	return !pr || pr->type->local;
}

static void render_preview(struct pane *p)
{
	struct pstate *s = ST(p);
	struct cl_err err = {0};
	struct template *t = NULL;
	struct tpl_messages m = {0};
	struct redactor *red = NULL;
	s->preview_stale = 0;
	FREE(&s->preview);
	FREE(&s->preview_err);
	s->redacted = 0;
	s->tokens_in = 0;
	if (s->bind_err) {
		s->preview_err = xstrdup(s->bind_err);
		return;
	}
	if (template_parse(s->text, s->name ? s->name : "template", &t, &err)) {
		s->preview_err = xstrdup(err.msg);
		return;
	}
	s->tpl_temp = t->temperature;
	s->tpl_nvar = t->variants;
	if (!provider_local(s)) {
		red = redactor_new(REDACT_ALL);
		redactor_load_personal(red, app_workspace(p->app), &err);
	}
	if (template_render(t, s->bind, red, 0, &m, &err)) {
		s->preview_err = xstrdup(err.msg);
	} else {
		struct sbuf sb = SBUF_INIT;
		if (m.system)
			sbuf_addf(&sb, "%s\n\n", m.system);
		sbuf_adds(&sb, m.user ? m.user : "");
		s->preview = sbuf_detach(&sb);
		s->redacted = m.redacted;
		s->tokens_in = (long)offline_token_estimate(s->preview);
	}
	tpl_messages_clear(&m);
	redactor_free(red);
	template_free(t);
}

/* ---- loading versions ---- */

static void load_version(struct pane *p, const char *spec)
{
	struct pstate *s = ST(p);
	struct cl_err err = {0};
	struct template *t = NULL;
	if (template_load(app_workspace(p->app), spec, &t, &err)) {
		app_error(p->app, &err);
		return;
	}
	free(s->name);
	s->name = xstrdup(t->name);
	s->version = t->version;
	s->tpl_id = t->id;
	s->parent_id = t->parent_id;
	s->parent_version = 0;
	if (t->parent_id) {
		struct template *pt = NULL;
		if (template_load_id(app_workspace(p->app), t->parent_id, &pt, &err) == 0) {
			s->parent_version = pt->version;
			template_free(pt);
		}
	}
	free(s->saved);
	s->saved = xstrdup(t->text);
	s->cur = 0;
	s->top = 0;
	set_text(s, t->text);
	undo_reset(s);
	s->editing = 0;
	template_free(t);
	pane_dirty(p);
}

static int modified(const struct pstate *s)
{
	return !s->saved || strcmp(s->saved, s->text) != 0;
}

static int do_save(struct pane *p)
{
	struct pstate *s = ST(p);
	struct cl_err err = {0};
	long long id;
	int version, created;
	if (template_save(app_workspace(p->app), s->text, s->name, &id, &version, &created, &err)) {
		app_error(p->app, &err);
		return -1;
	}
	struct template *t = NULL;
	if (template_load_id(app_workspace(p->app), id, &t, &err)) {
		app_error(p->app, &err);
		return -1;
	}
	char *spec = xasprintf("%s@%d", t->name, t->version);
	template_free(t);
	size_t cur = s->cur;
	/* keep the undo history across a save */
	struct snap *u = s->undo, *r = s->redo;
	int nu = s->nundo, nr = s->nredo;
	s->undo = s->redo = NULL;
	s->nundo = s->nredo = 0;
	load_version(p, spec);
	undo_reset(s);
	s->undo = u, s->redo = r, s->nundo = nu, s->nredo = nr;
	s->cur = cur <= s->len ? cur : s->len;
	free(spec);
	if (created)
		app_msg(p->app, "saved %s v%d%s", s->name, s->version, s->parent_version ? "" : " (first version)");
	else
		app_msg(p->app, "no change: %s v%d is the same text", s->name, s->version);
	app_changed(p->app, PANE_CHANGED_PROMPTS);
	return 0;
}

/* ---- overlay lists ---- */

static void ov_clear(struct pstate *s)
{
	for (int i = 0; i < s->ov_n; i++) {
		free(s->ov_label[i]);
		free(s->ov_key[i]);
	}
	free(s->ov_label);
	free(s->ov_key);
	s->ov_label = s->ov_key = NULL;
	s->ov_n = 0;
	if (s->ov != OV_NONE)
		s->repaint = 1;   /* the box may have cut wide characters in half */
	s->ov = OV_NONE;
	FREE(&s->diff);
}

static void ov_add(struct pstate *s, const char *label, const char *key)
{
	s->ov_label = xreallocarray(s->ov_label, (size_t)s->ov_n + 1, sizeof *s->ov_label);
	s->ov_key = xreallocarray(s->ov_key, (size_t)s->ov_n + 1, sizeof *s->ov_key);
	s->ov_label[s->ov_n] = xstrdup(label);
	s->ov_key[s->ov_n] = xstrdup(key);
	s->ov_n++;
}

static void open_list(struct pane *p, int which)
{
	struct pstate *s = ST(p);
	struct cl_err err = {0};
	struct workspace *ws = app_workspace(p->app);
	ov_clear(s);
	s->ov_sel = s->ov_top = 0;
	if (which == OV_TEMPLATES) {
		struct tpl_info *v;
		size_t n;
		if (template_list(ws, &v, &n, &err)) {
			app_error(p->app, &err);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			char *l = xasprintf("%-20s v%d · %d version%s · %s · %s", v[i].name, v[i].version,
			                    v[i].nversions, v[i].nversions == 1 ? "" : "s",
			                    v[i].channel ? v[i].channel : "?", v[i].language ? v[i].language : "?");
			ov_add(s, l, v[i].name);
			if (s->name && strcmp(v[i].name, s->name) == 0)
				s->ov_sel = (int)i;
			free(l);
		}
		tpl_info_free(v, n);
		ov_add(s, "(new template)", "");
	} else if (which == OV_ROWS) {
		struct wf_row *v;
		size_t n;
		char *table = xstrdup(s->row ? s->row : "products:1");
		char *colon = strchr(table, ':');
		if (colon)
			*colon = 0;
		if (wf_rows_list(ws, table, 500, &v, &n, &err)) {
			app_error(p->app, &err);
			free(table);
			return;
		}
		ov_add(s, "(no row)", "");
		for (size_t i = 0; i < n; i++) {
			ov_add(s, v[i].label, v[i].ref);
			if (s->row && strcmp(v[i].ref, s->row) == 0)
				s->ov_sel = (int)i + 1;
		}
		wf_rows_free(v, n);
		free(table);
	} else if (which == OV_SEGMENTS) {
		struct segment *v;
		size_t n;
		if (segment_list(ws, &v, &n, &err)) {
			app_error(p->app, &err);
			return;
		}
		ov_add(s, "(no segment)", "");
		for (size_t i = 0; i < n; i++) {
			char *l = xasprintf("%-16s %lld rows · %s", v[i].name, (long long)v[i].rows, v[i].predicate);
			ov_add(s, l, v[i].name);
			if (s->segment && strcmp(v[i].name, s->segment) == 0)
				s->ov_sel = (int)i + 1;
			free(l);
		}
		segment_list_free(v, n);
	} else if (which == OV_PROVIDERS) {
		for (size_t i = 0; s->cfg && i < s->cfg->nproviders; i++) {
			struct provider *pr = s->cfg->providers[i];
			char *l = xasprintf("%-12s %s%s%s%s", pr->name, pr->type->name, pr->model ? " · " : "",
			                    pr->model ? pr->model : "", pr->type->local ? " · no network" : "");
			ov_add(s, l, pr->name);
			if (s->provider && strcmp(pr->name, s->provider) == 0)
				s->ov_sel = (int)i;
			free(l);
		}
	}
	s->ov = which;
	pane_dirty(p);
}

static void ov_choose(struct pane *p)
{
	struct pstate *s = ST(p);
	int which = s->ov;
	char *key = s->ov_n ? xstrdup(s->ov_key[s->ov_sel]) : NULL;
	ov_clear(s);
	if (!key)
		return;
	switch (which) {
	case OV_TEMPLATES:
		if (*key) {
			load_version(p, key);
		} else {
			free(s->name);
			s->name = NULL;
			FREE(&s->saved);
			s->version = 0;
			s->parent_version = 0;
			s->cur = 0;
			set_text(s, starter);
			undo_reset(s);
			s->editing = 1;
		}
		break;
	case OV_ROWS:
		free(s->row);
		s->row = *key ? xstrdup(key) : NULL;
		rebind(p);
		break;
	case OV_SEGMENTS:
		free(s->segment);
		s->segment = *key ? xstrdup(key) : NULL;
		rebind(p);
		break;
	case OV_PROVIDERS:
		free(s->provider);
		s->provider = xstrdup(key);
		FREE(&s->model);
		s->preview_stale = 1;
		app_set_provider(p->app, s->provider);
		break;
	}
	free(key);
	pane_dirty(p);
}

static void open_diff(struct pane *p)
{
	struct pstate *s = ST(p);
	struct cl_err err = {0};
	const char *old = NULL;
	struct template *pt = NULL;
	char *title_from = NULL;
	if (modified(s) && s->saved) {
		old = s->saved;
		title_from = xasprintf("v%d → unsaved", s->version);
	} else if (s->parent_id && template_load_id(app_workspace(p->app), s->parent_id, &pt, &err) == 0) {
		old = pt->text;
		title_from = xasprintf("v%d → v%d", pt->version, s->version);
	}
	if (!old) {
		app_msg(p->app, "nothing to compare: this is the first version and it is unchanged");
		template_free(pt);
		return;
	}
	ov_clear(s);
	char *d = template_diff(old, s->text);
	s->diff = xasprintf("%s\n%s", title_from, d);
	free(d);
	free(title_from);
	template_free(pt);
	s->ov = OV_DIFF;
	s->diff_scroll = 0;
	pane_dirty(p);
}

/* ---- prompts for settings ---- */

static void on_model(struct app *a, void *ctx, const char *line)
{
	struct pane *p = ctx;
	struct pstate *s = ST(p);
	if (!line)
		return;
	free(s->model);
	s->model = *line ? xstrdup(line) : NULL;
	pane_dirty(p);
}

static void on_temp(struct app *a, void *ctx, const char *line)
{
	struct pane *p = ctx;
	struct pstate *s = ST(p);
	char *end;
	if (!line)
		return;
	if (!*line) {
		s->temperature = -1;
		pane_dirty(p);
		return;
	}
	double v = strtod(line, &end);
	if (*end || !(v >= 0 && v <= 2)) {
		app_errorf(a, "temperature: a number from 0 to 2, not '%s'", line);
		return;
	}
	s->temperature = v;
	pane_dirty(p);
}

static void on_nvar(struct app *a, void *ctx, const char *line)
{
	struct pane *p = ctx;
	struct pstate *s = ST(p);
	char *end;
	if (!line)
		return;
	long v = strtol(line, &end, 10);
	if (*line && (*end || v < 1 || v > 32)) {
		app_errorf(a, "variants: a whole number from 1 to 32, not '%s'", line);
		return;
	}
	s->nvariants = *line ? (int)v : 0;
	pane_dirty(p);
}

/* ---- generate ---- */

static int do_generate(struct pane *p)
{
	struct pstate *s = ST(p);
	if (wf_generating(p->app)) {
		app_msg(p->app, "a generation is running; Esc cancels it");
		return PANE_HANDLED;
	}
	if (modified(s) && do_save(p))
		return PANE_REDRAW;
	if (!s->name) {
		app_errorf(p->app, "save the template first (s)");
		return PANE_REDRAW;
	}
	char *spec_name = xasprintf("%s@%d", s->name, s->version);
	struct gen_spec spec = {
		.template_name = spec_name, .row = s->row, .segment = s->segment,
		.n = s->nvariants, .provider = s->provider, .model = s->model,
		.temperature = s->temperature, .top_p = -1, .seed = -1,
	};
	wf_generate(p->app, &spec, NULL);
	free(spec_name);
	s->editing = 0;
	return PANE_REDRAW;
}

/* ---- completion ---- */

static void add_keys(char ***v, int *n, const char *prefix, const cJSON *obj, int depth)
{
	for (const cJSON *c = obj ? obj->child : NULL; c; c = c->next) {
		if (!c->string)
			continue;
		char *path = xasprintf("%s.%s", prefix, c->string);
		if (cJSON_IsObject(c) && depth > 0) {
			add_keys(v, n, path, c, depth - 1);
			free(path);
		} else {
			*v = xreallocarray(*v, (size_t)*n + 1, sizeof **v);
			(*v)[(*n)++] = path;
		}
	}
}

static void do_complete(struct pane *p)
{
	struct pstate *s = ST(p);
	size_t a = s->cur;
	while (a > 0 && (strchr("._", s->text[a - 1]) || (s->text[a - 1] >= 'a' && s->text[a - 1] <= 'z') ||
	                 (s->text[a - 1] >= 'A' && s->text[a - 1] <= 'Z') ||
	                 (s->text[a - 1] >= '0' && s->text[a - 1] <= '9')))
		a--;
	size_t b = a;
	while (b > 0 && s->text[b - 1] == ' ')
		b--;
	if (b < 2 || s->text[b - 1] != '{' || s->text[b - 2] != '{') {
		before_change(s, 0, 0);
		buf_insert(s, "  ", 2);
		return;
	}
	char *partial = xstrndup(s->text + a, s->cur - a);
	char **cand = NULL, **match = NULL;
	int nc = 0, nm = 0;
	static const char *segk[] = { "segment.name", "segment.profile", "segment.dataset", "segment.rows" };
	if (s->bind) {
		add_keys(&cand, &nc, "product", cJSON_GetObjectItemCaseSensitive(s->bind, "product"), 0);
		add_keys(&cand, &nc, "brand", cJSON_GetObjectItemCaseSensitive(s->bind, "brand"), 1);
		const cJSON *vars = cJSON_GetObjectItemCaseSensitive(s->bind, "vars");
		for (const cJSON *c = vars ? vars->child : NULL; c; c = c->next) {
			cand = xreallocarray(cand, (size_t)nc + 1, sizeof *cand);
			cand[nc++] = xstrdup(c->string);
		}
	}
	for (int i = 0; i < 4; i++) {
		cand = xreallocarray(cand, (size_t)nc + 1, sizeof *cand);
		cand[nc++] = xstrdup(segk[i]);
	}
	for (int i = 0; i < nc; i++)
		if (strncmp(cand[i], partial, strlen(partial)) == 0) {
			match = xreallocarray(match, (size_t)nm + 1, sizeof *match);
			match[nm++] = cand[i];
		}
	if (nm == 0) {
		app_msg(p->app, "no variable starts with '%s'", partial);
	} else {
		/* the common prefix of the matches */
		size_t common = strlen(match[0]);
		for (int i = 1; i < nm; i++) {
			size_t k = 0;
			while (k < common && match[i][k] == match[0][k])
				k++;
			common = k;
		}
		if (common > strlen(partial) || nm == 1)
			before_change(s, 0, 0);
		buf_insert(s, match[0] + strlen(partial), common - strlen(partial));
		if (nm == 1) {
			if (!(s->cur + 1 < s->len && s->text[s->cur] == '}' && s->text[s->cur + 1] == '}'))
				buf_insert(s, "}}", 2);
		} else {
			struct sbuf sb = SBUF_INIT;
			for (int i = 0; i < nm && i < 12; i++)
				sbuf_addf(&sb, "%s%s", i ? "  " : "", match[i]);
			if (nm > 12)
				sbuf_addf(&sb, "  … %d more", nm - 12);
			app_msg(p->app, "%s", sbuf_str(&sb));
			sbuf_free(&sb);
		}
	}
	for (int i = 0; i < nc; i++)
		free(cand[i]);
	free(cand);
	free(match);
	free(partial);
}

/* ---- keys ---- */

static void type_byte(struct pstate *s, int ch)
{
	unsigned char c = (unsigned char)ch;
	if (s->nub == 0) {
		if (c < 0x80) {
			char b = (char)c;
			before_change(s, 1, c == ' ' || c == '\n');
			buf_insert(s, &b, 1);
			return;
		}
		s->need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	}
	s->ub[s->nub++] = (char)c;
	if (s->nub >= s->need || s->nub == 4) {
		before_change(s, 1, 0);
		buf_insert(s, s->ub, (size_t)s->nub);
		s->nub = 0;
	}
}

static int list_key(struct pane *p, int action, int ch)
{
	struct pstate *s = ST(p);
	/* Keys the list does not use go on to the app (1-5, Tab, ?, :, /). */
	if (s->ov == OV_DIFF) {
		if (action == P_DOWN || ch == 'j') s->diff_scroll++;
		else if (action == P_UP || ch == 'k') { if (s->diff_scroll) s->diff_scroll--; }
		else if (action == P_PGDN) s->diff_scroll += 10;
		else if (action == P_PGUP) s->diff_scroll = s->diff_scroll > 10 ? s->diff_scroll - 10 : 0;
		else if (ch == 'g') s->diff_scroll = 0;
		else if (action == P_ESC || ch == 'q' || action == P_EDIT || ch == 'd') ov_clear(s);
		else return PANE_IGNORED;
		return PANE_REDRAW;
	}
	if (action == P_DOWN || ch == 'j') {
		if (s->ov_sel + 1 < s->ov_n) s->ov_sel++;
	} else if (action == P_UP || ch == 'k') {
		if (s->ov_sel > 0) s->ov_sel--;
	} else if (action == P_PGDN) {
		s->ov_sel = s->ov_sel + 10 < s->ov_n ? s->ov_sel + 10 : s->ov_n - 1;
	} else if (action == P_PGUP) {
		s->ov_sel = s->ov_sel > 10 ? s->ov_sel - 10 : 0;
	} else if (ch == 'g' || action == P_HOME) {
		s->ov_sel = 0;
	} else if (ch == 'G' || action == P_END) {
		s->ov_sel = s->ov_n > 0 ? s->ov_n - 1 : 0;
	} else if (action == P_EDIT) {
		ov_choose(p);
	} else if (action == P_ESC || ch == 'q') {
		ov_clear(s);
	} else {
		return PANE_IGNORED;
	}
	return PANE_REDRAW;
}

static void step_version(struct pane *p, int dir)
{
	struct pstate *s = ST(p);
	struct cl_err err = {0};
	struct tpl_info *v;
	size_t n;
	if (!s->name)
		return;
	if (template_history(app_workspace(p->app), s->name, &v, &n, &err)) {
		app_error(p->app, &err);
		return;
	}
	int target = 0;
	for (size_t i = 0; i < n; i++) {
		if (dir < 0 && v[i].version < s->version)
			target = v[i].version;
		if (dir > 0 && v[i].version > s->version && !target)
			target = v[i].version;
	}
	tpl_info_free(v, n);
	if (!target) {
		app_msg(p->app, dir < 0 ? "no older version" : "no newer version");
		return;
	}
	if (modified(s)) {
		app_msg(p->app, "unsaved changes: save them (s) or undo them (u) before changing version");
		return;
	}
	char *spec = xasprintf("%s@%d", s->name, target);
	load_version(p, spec);
	free(spec);
}

/* The editor's geometry as the next draw will make it (keys may come before
 * the pane was ever drawn, or after the text changed). */
static void ensure_layout(struct pane *p)
{
	struct pstate *s = ST(p);
	int h = getmaxy(p->win), wd = getmaxx(p->win);
	int ew = wd >= 100 ? wd * 55 / 100 : wd;
	layout(s, ew - 2);
	s->edit_h = h - 2;
}

static int prompt_key(struct pane *p, int action, int ch)
{
	struct pstate *s = ST(p);
	ensure_layout(p);
	if (s->ov)
		return list_key(p, action, ch);
	/* Out of edit mode h j k l move as everywhere else. */
	if (!s->editing && action == P_ANY) {
		if (ch == 'h') action = P_LEFT;
		else if (ch == 'j') action = P_DOWN;
		else if (ch == 'k') action = P_UP;
		else if (ch == 'l') action = P_RIGHT;
	}
	/* moves work in both modes */
	int moved = 1;
	switch (action) {
	case P_LEFT: s->cur = prev_char(s, s->cur); break;
	case P_RIGHT: s->cur = next_char(s, s->cur); break;
	case P_HOME: s->cur = line_start(s, s->cur); break;
	case P_END: s->cur = line_end(s, s->cur); break;
	case P_UP: move_rows(s, -1); break;
	case P_DOWN: move_rows(s, 1); break;
	case P_PGUP: move_rows(s, -(s->edit_h > 2 ? s->edit_h - 1 : 1)); break;
	case P_PGDN: move_rows(s, s->edit_h > 2 ? s->edit_h - 1 : 1); break;
	default:
		moved = 0;
		if (ch == s->key_cleft) { s->cur = word_move(s, -1); moved = 1; }
		else if (ch == s->key_cright) { s->cur = word_move(s, 1); moved = 1; }
	}
	if (moved) {
		s->nub = 0;
		s->last_typed = 0;
		if (action != P_UP && action != P_DOWN && action != P_PGUP && action != P_PGDN && s->nrows) {
			int r = cursor_row(s);
			s->want_col = cursor_col(s, r);
		}
		return PANE_REDRAW;
	}
	if (action == P_UNDO && (s->editing ? ch == PANE_CTRL('_') : 1)) {
		if (!undo_step(s, 0))
			app_msg(p->app, "nothing to undo");
		return PANE_REDRAW;
	}
	if (action == P_REDO) {
		if (!undo_step(s, 1))
			app_msg(p->app, "nothing to redo");
		return PANE_REDRAW;
	}
	if (action == P_EXTERNAL) {
		char *out = NULL;
		if (wf_edit_external(p->app, s->text, ".tmpl", &out) == 0 && out) {
			before_change(s, 0, 0);
			set_text(s, out);
			free(out);
			app_msg(p->app, "edited in $EDITOR (u undoes it)");
		}
		return PANE_REDRAW;
	}
	if (s->editing) {
		if (action == P_ESC) {
			s->editing = 0;
			s->nub = 0;
			return PANE_REDRAW;
		}
		if (ch == PANE_CTRL('l'))
			return PANE_IGNORED;
		if (action == P_COMPLETE) {
			do_complete(p);
			return PANE_REDRAW;
		}
		if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (s->cur > 0) {
				before_change(s, 0, 0);
				buf_erase(s, prev_char(s, s->cur), s->cur);
			}
			return PANE_REDRAW;
		}
		if (ch == KEY_DC) {
			if (s->cur < s->len) {
				before_change(s, 0, 0);
				buf_erase(s, s->cur, next_char(s, s->cur));
			}
			return PANE_REDRAW;
		}
		if (ch == PANE_CTRL('k')) {
			size_t e = line_end(s, s->cur);
			before_change(s, 0, 0);
			buf_erase(s, s->cur, e == s->cur && e < s->len ? e + 1 : e);
			return PANE_REDRAW;
		}
		if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
			type_byte(s, '\n');
			return PANE_REDRAW;
		}
		if ((ch >= 32 && ch < 127) || (ch >= 128 && ch < 256)) {
			type_byte(s, ch);
			return PANE_REDRAW;
		}
		return PANE_HANDLED;
	}
	switch (action) {
	case P_EDIT:
		s->editing = 1;
		app_msg(p->app, "editing: type to insert, Tab completes {{variables}}, Esc stops editing");
		return PANE_REDRAW;
	case P_WORDL: s->cur = word_move(s, -1); return PANE_REDRAW;
	case P_WORDR: s->cur = word_move(s, 1); return PANE_REDRAW;
	case P_SAVE: do_save(p); return PANE_REDRAW;
	case P_DIFF: open_diff(p); return PANE_REDRAW;
	case P_GEN: return do_generate(p);
	case P_TEMPLATES: open_list(p, OV_TEMPLATES); return PANE_REDRAW;
	case P_PREVVER: step_version(p, -1); return PANE_REDRAW;
	case P_NEXTVER: step_version(p, 1); return PANE_REDRAW;
	case P_ROW: open_list(p, OV_ROWS); return PANE_REDRAW;
	case P_SEGMENT: open_list(p, OV_SEGMENTS); return PANE_REDRAW;
	case P_PROVIDER: open_list(p, OV_PROVIDERS); return PANE_REDRAW;
	case P_MODEL:
		app_prompt(p->app, "model", "model (empty: the provider's): ", s->model, APP_COMPLETE_NONE, on_model, p);
		return PANE_HANDLED;
	case P_TEMP: {
		char buf[32] = "";
		if (s->temperature >= 0)
			snprintf(buf, sizeof buf, "%g", s->temperature);
		app_prompt(p->app, "temperature", "temperature (empty: the template's): ", buf,
		           APP_COMPLETE_NONE, on_temp, p);
		return PANE_HANDLED;
	}
	case P_NVAR: {
		char buf[16] = "";
		if (s->nvariants)
			snprintf(buf, sizeof buf, "%d", s->nvariants);
		app_prompt(p->app, "variants", "variants (empty: the template's): ", buf, APP_COMPLETE_NONE,
		           on_nvar, p);
		return PANE_HANDLED;
	}
	case P_PREVIEW:
		s->show_preview = !s->show_preview;
		return PANE_REDRAW;
	}
	return PANE_IGNORED;
}

/* ---- drawing ---- */

static void draw_list(struct pane *p, int y, int x, int h, int wd)
{
	struct pstate *s = ST(p);
	WINDOW *w = p->win;
	static const char *titles[] = { "", "Templates · Enter opens the latest version",
	                                "Product row · Enter binds it", "Segment · Enter binds it",
	                                "Provider · Enter uses it", "" };
	tui_clear_rect(w, y, x, h, wd);
	tui_box(w, y, x, h, wd, 1);
	if (s->ov == OV_DIFF) {
		const char *t = s->diff, *nl = strchr(t, '\n');
		char *title = xasprintf("diff %.*s · Esc closes", (int)(nl ? nl - t : (long)strlen(t)), t);
		tui_box_title(w, y, x, wd, wf_fold(title), 1);
		free(title);
		const char *line = nl ? nl + 1 : "";
		int row = 0, skip = s->diff_scroll;
		while (*line && row < h - 2) {
			const char *e = strchr(line, '\n');
			size_t n = e ? (size_t)(e - line) : strlen(line);
			if (skip > 0) {
				skip--;
			} else {
				wattrset(w, tui_attr(line[0] == '+' ? TUI_OK : line[0] == '-' ? TUI_ERROR : TUI_NORMAL));
				tui_put_textn(w, y + 1 + row, x + 2, line, n, wd - 4);
				row++;
			}
			line = e ? e + 1 : line + n;
		}
		wattrset(w, tui_attr(TUI_NORMAL));
		return;
	}
	char tb[96];
	snprintf(tb, sizeof tb, "%s", titles[s->ov]);
	tui_box_title(w, y, x, wd, wf_fold(tb), 1);
	int rows = h - 2;
	if (s->ov_sel < s->ov_top)
		s->ov_top = s->ov_sel;
	if (s->ov_sel >= s->ov_top + rows)
		s->ov_top = s->ov_sel - rows + 1;
	for (int i = 0; i < rows && s->ov_top + i < s->ov_n; i++) {
		int k = s->ov_top + i;
		wattrset(w, tui_attr(k == s->ov_sel ? TUI_SELECT : TUI_NORMAL));
		tui_clear_rect(w, y + 1 + i, x + 1, 1, wd - 2);
		tui_put_text(w, y + 1 + i, x + 2, s->ov_label[k], wd - 4);
	}
	wattrset(w, tui_attr(TUI_NORMAL));
}

static void draw_editor(struct pane *p, int y, int x, int h, int wd)
{
	struct pstate *s = ST(p);
	WINDOW *w = p->win;
	char title[256];
	tui_box(w, y, x, h, wd, 1);
	if (!s->name)
		snprintf(title, sizeof title, "new template%s", s->editing ? " · EDIT" : "");
	else if (s->parent_version)
		snprintf(title, sizeof title, "%s v%d (from v%d)%s%s", s->name, s->version, s->parent_version,
		         modified(s) ? " · modified" : "", s->editing ? " · EDIT" : "");
	else
		snprintf(title, sizeof title, "%s v%d%s%s", s->name, s->version,
		         modified(s) ? " · modified" : "", s->editing ? " · EDIT" : "");
	tui_box_title(w, y, x, wd, wf_fold(title), 1);
	int iw = wd - 2, ih = h - 2;
	layout(s, iw);
	s->edit_h = ih;
	int cr = cursor_row(s);
	if (cr < s->top)
		s->top = cr;
	if (cr >= s->top + ih)
		s->top = cr - ih + 1;
	struct tag *tags;
	size_t ntags = find_tags(s, &tags);
	for (int r = 0; r < ih && s->top + r < s->nrows; r++) {
		const struct vrow *vr = &s->rows[s->top + r];
		struct wf_span sp[64];
		size_t nsp = 0;
		for (size_t k = 0; k < ntags && nsp < 64; k++) {
			size_t a = tags[k].off, b = a + tags[k].len;
			if (b <= vr->off || a >= vr->off + vr->len)
				continue;
			size_t sa = a > vr->off ? a - vr->off : 0, sb = (b < vr->off + vr->len ? b : vr->off + vr->len) - vr->off;
			sp[nsp++] = (struct wf_span){ sa, sb - sa, tags[k].known ? TUI_KEY : TUI_ERROR };
		}
		wf_put_spans(w, y + 1 + r, x + 1, s->text + vr->off, vr->len, iw, TUI_NORMAL, sp, nsp);
		if (s->top + r == cr) {
			int cx = cursor_col(s, cr);
			size_t n = s->cur < s->len && s->text[s->cur] != '\n' ? next_char(s, s->cur) - s->cur : 0;
			s->cur_y = y + 1 + r;
			s->cur_x = x + 1 + (cx < iw ? cx : iw - 1);
			s->cur_shown = 1;
			wattrset(w, tui_attr(TUI_CURSOR) | (s->editing ? A_REVERSE : A_UNDERLINE));
			if (n)
				tui_put_textn(w, y + 1 + r, x + 1 + cx, s->text + s->cur, n, iw - cx);
			else if (cx < iw)
				mvwaddch(w, y + 1 + r, x + 1 + cx, ' ');
			wattrset(w, tui_attr(TUI_NORMAL));
		}
	}
	free(tags);
	/* settings in the bottom border */
	/* What g will use: the value set here (T, V), else the template's, else the provider's. */
	if (s->preview_stale)
		render_preview(p);
	char foot[256], tbuf[16] = "default", nbuf[16] = "default";
	if (s->temperature >= 0)
		snprintf(tbuf, sizeof tbuf, "%g", s->temperature);
	else if (s->tpl_temp >= 0)
		snprintf(tbuf, sizeof tbuf, "%g", s->tpl_temp);
	if (s->nvariants)
		snprintf(nbuf, sizeof nbuf, "%d", s->nvariants);
	else if (s->tpl_nvar)
		snprintf(nbuf, sizeof nbuf, "%d", s->tpl_nvar);
	snprintf(foot, sizeof foot, " %s%s%s · T %s · variants %s · %d:%d ", s->provider ? s->provider : "default",
	         s->model ? " · " : "", s->model ? s->model : "", tbuf, nbuf, cr + 1, cursor_col(s, cr) + 1);
	tui_box_footer(w, y + h - 1, x, wd, wf_fold(foot));
}

static void draw_preview(struct pane *p, int y, int x, int h, int wd)
{
	struct pstate *s = ST(p);
	WINDOW *w = p->win;
	if (s->preview_stale)
		render_preview(p);
	tui_box(w, y, x, h, wd, 0);
	char *title = xasprintf("Preview · %s · %s%s", s->row ? s->row : "no row",
	                        s->segment ? s->segment : "no segment",
	                        provider_local(s) ? " · not redacted" : "");
	tui_box_title(w, y, x, wd, wf_fold(title), 0);
	free(title);
	int iw = wd - 2, ih = h - 2;
	const char *text = s->preview_err ? s->preview_err : s->preview ? s->preview : "";
	struct wrap_line *wl;
	size_t n = wrap_text(text, iw, &wl);
	if (s->preview_scroll > (int)n - ih)
		s->preview_scroll = (int)n - ih > 0 ? (int)n - ih : 0;
	wattrset(w, tui_attr(s->preview_err ? TUI_ERROR : TUI_NORMAL));
	for (int r = 0; r < ih && s->preview_scroll + r < (int)n; r++) {
		const struct wrap_line *l = &wl[s->preview_scroll + r];
		/* [redacted …] labels stand out */
		struct wf_span sp[16];
		size_t nsp = 0;
		const char *q = text + l->off, *e = q + l->len;
		while (!s->preview_err && nsp < 16 && (q = memmem(q, (size_t)(e - q), "[redacted", 9))) {
			const char *c = memchr(q, ']', (size_t)(e - q));
			size_t len = c ? (size_t)(c - q + 1) : (size_t)(e - q);
			sp[nsp++] = (struct wf_span){ (size_t)(q - (text + l->off)), len, TUI_WARN };
			q += len;
		}
		wf_put_spans(w, y + 1 + r, x + 1, text + l->off, l->len, iw,
		             s->preview_err ? TUI_ERROR : TUI_NORMAL, sp, nsp);
	}
	wattrset(w, tui_attr(TUI_NORMAL));
	free(wl);
	char foot[128];
	struct cl_err err = {0};
	struct provider *pr = s->cfg ? config_provider(s->cfg, s->provider, &err) : NULL;
	double cost = pr ? provider_cost(pr, s->tokens_in, 400) : 0;
	snprintf(foot, sizeof foot, " ~%ld tokens in%s%s · est. $%.4f per variant ", s->tokens_in,
	         s->redacted ? " · redacted " : "", s->redacted ? "" : "", cost);
	if (s->redacted)
		snprintf(foot, sizeof foot, " ~%ld tokens in · %zu redacted · est. $%.4f per variant ",
		         s->tokens_in, s->redacted, cost);
	tui_box_footer(w, y + h - 1, x, wd, wf_fold(foot));
}

static void prompt_draw(struct pane *p)
{
	struct pstate *s = ST(p);
	WINDOW *w = p->win;
	int h = getmaxy(w), wd = getmaxx(w);
	werase(w);
	s->cur_shown = 0;
	if (s->repaint) {
		/* a closed overlay may have split double-width characters: let curses
		 * repaint the screen from scratch instead of diffing against it */
		clearok(w, TRUE);
		s->repaint = 0;
	}
	if (s->ov) {
		/* A list takes the whole pane: drawn over the editor, its edges would
		 * cut the double-width characters under them in two. */
		draw_list(p, 0, 0, h, wd);
		return;
	}
	if (wd >= 100) {
		int ew = wd * 55 / 100;
		draw_editor(p, 0, 0, h, ew);
		draw_preview(p, 0, ew, h, wd - ew);
	} else if (s->show_preview) {
		draw_preview(p, 0, 0, h, wd);
	} else {
		draw_editor(p, 0, 0, h, wd);
	}
}

/* ---- life cycle ---- */

/* Open where the latest run left off: its template version, row and segment. */
static void start_state(struct pane *p)
{
	struct pstate *s = ST(p);
	struct cl_err err = {0};
	struct workspace *ws = app_workspace(p->app);
	long long run = wf_latest_run(ws);
	struct wf_run *r = NULL;
	if (run && wf_run_load(ws, run, &r, &err) == 0 && r->prompt_name) {
		char *spec = xasprintf("%s@%d", r->prompt_name, r->prompt_version);
		load_version(p, spec);
		free(spec);
		s->row = r->row_ref ? xstrdup(r->row_ref) : NULL;
		s->segment = r->segment ? xstrdup(r->segment) : NULL;
	} else {
		struct tpl_info *v;
		size_t n;
		if (template_list(ws, &v, &n, &err) == 0 && n) {
			load_version(p, v[0].name);
			tpl_info_free(v, n);
		} else {
			if (!err.code)
				tpl_info_free(v, n);
			set_text(s, starter);
		}
		if (ws_table_exists(ws, "products"))
			s->row = xstrdup("products:1");
		struct segment *sv;
		size_t ns;
		if (segment_list(ws, &sv, &ns, &err) == 0) {
			if (ns)
				s->segment = xstrdup(sv[0].name);
			segment_list_free(sv, ns);
		}
	}
	wf_run_free(r);
	rebind(p);
}

/* Once the sample data is there (the app imports it on first run): add the
 * bundled templates to a workspace that has none, and under --demo prepare
 * the demo workspace (well under a second). Returns 1 when it changed anything. */
static int maybe_prepare_demo(struct pane *p)
{
	struct workspace *ws = app_workspace(p->app);
	struct cl_err err = {0};
	int imported = 0;
	if (!app_demo(p->app) && ws_table_exists(ws, "products")) {
		/* the sample workspace comes with the bundled templates and a segment */
		if (demo_sample_extras(ws, &imported, &err))
			app_error(p->app, &err);
		return imported;   /* quietly: the app's own first-run message stays */
	}
	if (!app_demo(p->app) || demo_is_prepared(ws) || !ws_table_exists(ws, "products"))
		return 0;
	if (demo_prepare(ws, NULL, NULL, NULL, &err)) {
		app_error(p->app, &err);
		return 0;
	}
	app_msg(p->app, "demo workspace ready: 3 rounds of spring-email, scores and the A/B test "
	                "(4 Results, B for big type)");
	return 1;
}

static int prompt_init(struct pane *p)
{
	struct pstate *s = xcalloc(1, sizeof *s);
	struct cl_err err = {0};
	p->data = s;
	s->temperature = -1;
	s->tpl_temp = -1;
	s->key_cleft = key_defined("kLFT5");
	s->key_cright = key_defined("kRIT5");
	if (s->key_cleft <= 0) s->key_cleft = -100;
	if (s->key_cright <= 0) s->key_cright = -100;
	if (wf_config_load(p->app, &s->cfg, &err))
		app_log(p->app, 0, "prompt: %s", err.msg);
	else
		s->provider = xstrdup(s->cfg->default_name ? s->cfg->default_name : "offline");
	maybe_prepare_demo(p);
	start_state(p);
	return 0;
}

static void prompt_free(struct pane *p)
{
	struct pstate *s = ST(p);
	ov_clear(s);
	undo_reset(s);
	free(s->name); free(s->saved); free(s->text); free(s->rows);
	free(s->row); free(s->segment); free(s->bind_err); free(s->preview); free(s->preview_err);
	free(s->provider); free(s->model);
	cJSON_Delete(s->bind);
	config_free(s->cfg);
	free(s);
	p->data = NULL;
}

static void prompt_changed(struct pane *p, unsigned what)
{
	struct pstate *s = ST(p);
	if ((what & PANE_CHANGED_TABLES) && maybe_prepare_demo(p)) {
		FREE(&s->row);
		FREE(&s->segment);
		start_state(p);
		app_changed(p->app, PANE_CHANGED_RUNS | PANE_CHANGED_RESULTS | PANE_CHANGED_PROMPTS |
		                    PANE_CHANGED_SEGMENTS);
		pane_dirty(p);
		return;
	}
	if (what & (PANE_CHANGED_TABLES | PANE_CHANGED_SEGMENTS)) {
		if (!s->row && ws_table_exists(app_workspace(p->app), "products"))
			s->row = xstrdup("products:1");
		if (!s->name && strcmp(s->text, starter) == 0) {
			struct tpl_info *v;
			size_t n;
			struct cl_err err = {0};
			if (template_list(app_workspace(p->app), &v, &n, &err) == 0) {
				if (n)
					load_version(p, v[0].name);
				tpl_info_free(v, n);
			}
		}
		rebind(p);
		pane_dirty(p);
	}
	if (what & PANE_CHANGED_PROMPTS)
		pane_dirty(p);
}

static int prompt_search(struct pane *p, const char *text, int dir)
{
	struct pstate *s = ST(p);
	const char *hit = NULL;
	if (dir == 2) {
		return 0;   /* forward search already went round */
	} else if (dir > 0) {
		hit = strstr(s->text + (s->cur < s->len ? s->cur + 1 : s->len), text);
		if (!hit)
			hit = strstr(s->text, text);
	} else {
		/* dir -2 (the app wrapping round): the last match of the whole text */
		size_t before = dir == -2 ? s->len + 1 : s->cur;
		for (const char *q = s->text; (q = strstr(q, text)) && (size_t)(q - s->text) < before; q++)
			hit = q;
	}
	if (!hit)
		return 0;
	s->cur = (size_t)(hit - s->text);
	pane_dirty(p);
	return 1;
}

static int cmd_template(struct app *a, int argc, char **argv, const char *rest)
{
	struct pane *p = app_pane(a, "Prompt");
	if (argc != 2) {
		app_errorf(a, "usage: template NAME[@VERSION]");
		return -1;
	}
	load_version(p, argv[1]);
	app_focus(a, p);
	return 0;
}

static const struct app_cmd prompt_cmds[] = {
	{ "template", "template NAME[@VERSION]", "open a template version in the Prompt pane", "any", cmd_template },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* While editing, the terminal cursor sits on the insertion point (input
 * methods put their candidate window there). */
static int prompt_cursor(struct pane *p, int *y, int *x)
{
	struct pstate *s = ST(p);
	if (!s->editing || !s->cur_shown || s->ov)
		return 0;
	*y = s->cur_y;
	*x = s->cur_x;
	return 1;
}

const struct pane_type pane_prompt_type = {
	.name = "Prompt",
	.hints = "i edit  g generate  s save  d diff  ^E $EDITOR  t templates  r row  S segment  P provider",
	.init = prompt_init,
	.free = prompt_free,
	.key = prompt_key,
	.draw = prompt_draw,
	.keys = prompt_keys,
	.search = prompt_search,
	.cursor = prompt_cursor,
	.changed = prompt_changed,
	.cmds = prompt_cmds,
};
