/* cmd_data.c — `copylab import | tables | query | profile | export | clean`. */
#include "cli/cli.h"
#include "core/csv.h"
#include "core/dataset.h"
#include "core/formats.h"
#include "core/plugin.h"
#include "core/profile.h"
#include "core/query.h"
#include "core/segment.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* This file's options that take a value (for cli_unknown_opt). */
static const char VALUED_OPTS[] = " --table --format --delimiter --where --query --out --into --key --fill ";

/* ---- output helpers ------------------------------------------------------ */

/* The mark for u when the terminal speaks UTF-8, else a for ASCII. */
static const char *mark(const char *u, const char *a)
{
	return cli_utf8_locale() ? u : a;
}

/* 1234567 -> "1,234,567" into buf. */
static const char *fmt_int(char *buf, size_t cap, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, "%lld", v < 0 ? -v : v), j = 0, k = 0;
	char out[48];
	if (v < 0)
		out[j++] = '-';
	for (int i = 0; i < n; i++) {
		out[j++] = tmp[i];
		k = n - i - 1;
		if (k && k % 3 == 0)
			out[j++] = ',';
	}
	out[j] = 0;
	snprintf(buf, cap, "%s", out);
	return buf;
}

/* A number for people: thousands separators, at most 2 decimals (more when small). */
static const char *fmt_num(char *buf, size_t cap, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return fmt_int(buf, cap, (long long)v);
	double a = fabs(v);
	if (a >= 1000) {
		char ip[40];
		fmt_int(ip, sizeof ip, (long long)trunc(v));
		double frac = fabs(v - trunc(v));
		char fp[16];
		snprintf(fp, sizeof fp, "%.2f", frac);
		if (fp[0] == '1')   /* rounded up to the next whole number */
			return fmt_int(buf, cap, (long long)llround(v));
		snprintf(buf, cap, "%s%s", ip, fp + 1);
		return buf;
	}
	snprintf(buf, cap, a >= 1 ? "%.2f" : a >= 0.01 ? "%.4f" : "%.4g", v);
	return buf;
}

static unsigned decode_utf8(const unsigned char *s, size_t n, size_t *adv)
{
	unsigned c = s[0];
	if (c < 0x80 || n < 2) { *adv = 1; return c; }
	if ((c & 0xE0) == 0xC0) { *adv = 2; return ((c & 0x1F) << 6) | (s[1] & 0x3F); }
	if ((c & 0xF0) == 0xE0 && n >= 3) { *adv = 3; return ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F); }
	if ((c & 0xF8) == 0xF0 && n >= 4) { *adv = 4; return ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F); }
	*adv = 1;
	return 0xFFFD;
}

static int cp_width(unsigned cp)
{
	if (cp == 0 || (cp >= 0x300 && cp <= 0x36F) || cp == 0x200B || (cp >= 0xFE00 && cp <= 0xFE0F))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
	    (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

/* Make a cell printable on one line and at most max columns wide; returns a new
 * string and its display width. Control characters become spaces. */
static char *cell_text(const char *s, size_t n, int max, int *width)
{
	struct sbuf sb = SBUF_INIT;
	int w = 0;
	size_t i = 0;
	while (i < n) {
		size_t adv;
		unsigned cp = decode_utf8((const unsigned char *)s + i, n - i, &adv);
		int cw = cp < 0x20 || cp == 0x7F ? 1 : cp_width(cp);
		if (w + cw > max - 1 && i + adv < n) {
			sbuf_adds(&sb, mark("…", "~"));
			w++;
			break;
		}
		if (w + cw > max)
			break;
		if (cp < 0x20 || cp == 0x7F)
			sbuf_addc(&sb, ' ');
		else if (cp == 0xFFFD && adv == 1)
			sbuf_adds(&sb, "\xEF\xBF\xBD");
		else
			sbuf_add(&sb, s + i, adv);
		w += cw;
		i += adv;
	}
	*width = w;
	return sbuf_detach(&sb);
}

static void pad(int n)
{
	for (int i = 0; i < n; i++)
		putchar(' ');
}

/* A grid printed with aligned columns; numbers right-aligned. */
struct grid {
	int     ncols;
	char  **cells;      /* row-major, (nrows+1) * ncols, row 0 = header */
	int    *widths;     /* display width per cell */
	int    *right;      /* per column: right-align */
	size_t  nrows, cap;
};

static void grid_init(struct grid *g, int ncols)
{
	memset(g, 0, sizeof *g);
	g->ncols = ncols;
	g->right = xcalloc((size_t)ncols + 1, sizeof *g->right);
}

static void grid_add(struct grid *g, const char *const *text, const size_t *len, int max)
{
	if (g->nrows == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->cells = xreallocarray(g->cells, g->cap * (size_t)g->ncols, sizeof *g->cells);
		g->widths = xreallocarray(g->widths, g->cap * (size_t)g->ncols, sizeof *g->widths);
	}
	for (int i = 0; i < g->ncols; i++) {
		size_t k = g->nrows * (size_t)g->ncols + (size_t)i;
		const char *t = text[i] ? text[i] : "";
		g->cells[k] = cell_text(t, len ? len[i] : strlen(t), max, &g->widths[k]);
	}
	g->nrows++;
}

static void grid_print(struct grid *g)
{
	int *colw = xcalloc((size_t)g->ncols + 1, sizeof *colw);
	struct sbuf line = SBUF_INIT;
	for (size_t r = 0; r < g->nrows; r++)
		for (int i = 0; i < g->ncols; i++) {
			int w = g->widths[r * (size_t)g->ncols + (size_t)i];
			if (w > colw[i])
				colw[i] = w;
		}
	for (size_t r = 0; r < g->nrows; r++) {
		sbuf_reset(&line);
		for (int i = 0; i < g->ncols; i++) {
			size_t k = r * (size_t)g->ncols + (size_t)i;
			int gap = colw[i] - g->widths[k];
			if (i)
				sbuf_adds(&line, "  ");
			if (g->right[i] && r > 0)
				for (int n = 0; n < gap; n++)
					sbuf_addc(&line, ' ');
			sbuf_adds(&line, g->cells[k]);
			if (!g->right[i] || r == 0)
				for (int n = 0; n < gap; n++)
					sbuf_addc(&line, ' ');
		}
		while (line.len && line.buf[line.len - 1] == ' ')
			line.len--;
		fwrite(line.buf, 1, line.len, stdout);
		putchar('\n');
		if (r == 0) {
			for (int i = 0; i < g->ncols; i++) {
				if (i)
					fputs("  ", stdout);
				for (int k = 0; k < colw[i]; k++)
					fputs(mark("─", "-"), stdout);
			}
			putchar('\n');
		}
	}
	sbuf_free(&line);
	free(colw);
}

static void grid_free(struct grid *g)
{
	for (size_t k = 0; k < g->nrows * (size_t)g->ncols; k++)
		free(g->cells[k]);
	free(g->cells);
	free(g->widths);
	free(g->right);
}

static void json_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* ---- progress ---------------------------------------------------------------- */

struct prog {
	int    tty;
	double last;
	const char *what;
};

static int on_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
	struct prog *p = ctx;
	if (*cli_interrupt_flag())
		return 1;
	if (!p->tty)
		return 0;
	double now = cl_now_ms();
	if (now - p->last < 100 && done < total)
		return 0;
	p->last = now;
	char r[32];
	if (total)
		fprintf(stderr, "\r%s… %3d%%  %s rows ", p->what, (int)(done * 100 / total),
		        fmt_int(r, sizeof r, (long long)rows));
	else
		fprintf(stderr, "\r%s… %s rows ", p->what, fmt_int(r, sizeof r, (long long)rows));
	return 0;
}

static void progress_end(struct prog *p)
{
	if (p->tty)
		fputs("\r\033[K", stderr);
}

/* ---- formats from plugins ------------------------------------------------ */

/* The csv, tsv and jsonl built-ins run without touching the registry; any
 * other --format is looked up in the format registry with the plugins'
 * importers and exporters attached (plugins are loaded only then, as
 * spawning executable ones costs time). */
struct plugin_formats {
	struct plugin_host  *host;
	struct fmt_registry *reg;
};

/* Load the plugins (none with COPYLAB_NO_PLUGINS=1) and a registry holding
 * the built-in formats and theirs. 0, or 1 after printing why. */
static int plugin_formats_load(struct plugin_formats *pf)
{
	struct cl_err err = {0};
	pf->host = NULL;
	pf->reg = fmt_registry_new();
	if (plugin_host_load_default(&pf->host, &err) ||
	    plugin_attach_formats(pf->host, pf->reg, &err)) {
		fmt_registry_free(pf->reg);
		plugin_host_free(pf->host);
		pf->reg = NULL;
		pf->host = NULL;
		return cli_fail(&err);
	}
	return 0;
}

/* Say which plugins failed during the command (stderr), then free pf: the
 * registry before the host that owns the plugins' formats. */
static void plugin_formats_free(struct plugin_formats *pf)
{
	char *why = pf->host ? plugin_host_problems(pf->host) : NULL;
	for (char *line = why, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		fprintf(stderr, "copylab: warning: %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
	}
	free(why);
	fmt_registry_free(pf->reg);
	plugin_host_free(pf->host);
}

/* Usage error for an unknown format, listing the known ones (exporters when
 * exp, else importers). Returns 2. */
static int unknown_format(const struct plugin_formats *pf, const char *cmd, int exp, const char *name)
{
	struct sbuf sb = SBUF_INIT;
	for (size_t i = 0;; i++) {
		const char *n = exp ? (fmt_exporter_at(pf->reg, i) ? fmt_exporter_at(pf->reg, i)->name : NULL)
		                    : (fmt_importer_at(pf->reg, i) ? fmt_importer_at(pf->reg, i)->name : NULL);
		if (!n)
			break;
		sbuf_addf(&sb, "%s%s", i ? ", " : "", n);
	}
	int rc = cli_usage(cmd, "unknown format '%s' (known %s: %s)%s", name,
	                   exp ? "exporters" : "importers", sbuf_str(&sb),
	                   pf->host && plugin_host_disabled(pf->host) ? "; plugins are off (COPYLAB_NO_PLUGINS)" : "");
	sbuf_free(&sb);
	return rc;
}

/* ---- import --------------------------------------------------------------- */

static cJSON *columns_json(const struct ds_column *cols, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", cols[i].name);
		cJSON_AddStringToObject(o, "type", ds_type_name(cols[i].type));
		cJSON_AddBoolToObject(o, "personal", cols[i].personal);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* `import --format F` for a format the built-ins do not know: a plugin's importer. */
static int import_plugin(struct cli *cli, const struct ds_import_opts *o, const char *format, int json)
{
	struct plugin_formats pf;
	if (plugin_formats_load(&pf))
		return 1;
	const struct fmt_importer *im = fmt_importer_find(pf.reg, format);
	int rc = 0;
	if (!im) {
		rc = unknown_format(&pf, "import", 0, format);
	} else {
		struct workspace *ws = cli_workspace(cli, WS_CREATE);
		struct cl_err err = {0};
		int64_t rows = 0;
		if (!ws)
			rc = 1;
		else if (im->import(im, ws, o->path, o->table, o->mode == DS_REPLACE, &rows, &err))
			rc = cli_fail(&err);
		else if (json) {
			cJSON *j = cJSON_CreateObject();
			if (o->table)
				cJSON_AddStringToObject(j, "table", o->table);
			cJSON_AddStringToObject(j, "file", o->path);
			cJSON_AddStringToObject(j, "format", im->name);
			cJSON_AddNumberToObject(j, "rows", (double)rows);
			cli_print_json(j);
		} else {
			char a[32];
			printf("imported %s into %s%s: %s row%s (%s)\n", o->path, o->table ? "table " : "a table",
			       o->table ? o->table : "", fmt_int(a, sizeof a, rows), rows == 1 ? "" : "s", im->name);
		}
	}
	plugin_formats_free(&pf);
	return rc;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct ds_import_opts o = { 0 };
	const char *plugin_fmt = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--table") == 0 && i + 1 < argc) {
			o.table = argv[++i];
			if (!*o.table)
				return cli_usage("import", "--table needs a name");
		}
		else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			o.format = ds_format_parse(argv[++i]);
			if (o.format < 0) {
				o.format = 0;
				plugin_fmt = argv[i];   /* a plugin's importer, maybe */
			}
		} else if (strcmp(a, "--delimiter") == 0 && i + 1 < argc) {
			const char *d = argv[++i];
			if (strcmp(d, "\\t") == 0 || strcmp(d, "tab") == 0)
				o.delimiter = '\t';
			else if (strlen(d) == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r')
				o.delimiter = d[0];
			else
				return cli_usage("import", "--delimiter is one character (or \\t), not '%s'", d);
		} else if (strcmp(a, "--replace") == 0 || strcmp(a, "--append") == 0) {
			int m = a[2] == 'r' ? DS_REPLACE : DS_APPEND;
			if (o.mode && o.mode != m)
				return cli_usage("import", "--replace and --append exclude each other");
			o.mode = m;
		}
		else if (strcmp(a, "--lenient") == 0)
			o.lenient = 1;
		else if (strcmp(a, "--json") == 0)
			json = 1;
		else if (a[0] == '-' && a[1])
			return cli_unknown_opt("import", a, VALUED_OPTS);
		else if (!o.path)
			o.path = a;
		else
			return cli_usage("import", "one file at a time ('%s' is extra)", a);
	}
	if (!o.path)
		return cli_usage("import", "which file?");
	if (access(o.path, R_OK) != 0)
		return cli_failf("%s: %s", o.path, strerror(errno));
	if (plugin_fmt)
		return import_plugin(cli, &o, plugin_fmt, json);
	struct workspace *ws = cli_workspace(cli, WS_CREATE);
	if (!ws)
		return 1;
	struct prog pr = { isatty(2), 0, "importing" };
	struct ds_import_report rep;
	struct cl_err err = {0};
	o.progress = on_progress;
	o.pctx = &pr;
	cli_catch_interrupt();
	int rc = ds_import(ws, &o, &rep, &err);
	progress_end(&pr);
	if (rc)
		return cli_fail(&err);
	if (json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "table", rep.table);
		cJSON_AddStringToObject(j, "file", o.path);
		cJSON_AddNumberToObject(j, "rows", (double)rep.rows);
		cJSON_AddNumberToObject(j, "table_rows", (double)rep.table_rows);
		cJSON_AddItemToObject(j, "columns", columns_json(rep.cols, rep.ncols));
		cJSON_AddNumberToObject(j, "padded", (double)rep.rows_padded);
		cJSON_AddNumberToObject(j, "truncated", (double)rep.rows_truncated);
		cJSON_AddNumberToObject(j, "utf8_fixed", (double)rep.rows_utf8_fixed);
		cJSON_AddNumberToObject(j, "bytes", (double)rep.bytes);
		cJSON_AddNumberToObject(j, "seconds", rep.seconds);
		cJSON_AddNumberToObject(j, "peak_rss_kib", (double)cl_peak_rss_kib());
		cli_print_json(j);
	} else {
		char a[32], b[32];
		printf("imported %s into table %s: %s row%s, %zu column%s in %.2f s\n", o.path, rep.table,
		       fmt_int(a, sizeof a, rep.rows), rep.rows == 1 ? "" : "s", rep.ncols,
		       rep.ncols == 1 ? "" : "s", rep.seconds);
		if (o.mode == DS_APPEND)
			printf("table %s now has %s rows\n", rep.table, fmt_int(b, sizeof b, rep.table_rows));
		int w = 4;
		for (size_t i = 0; i < rep.ncols; i++) {
			int cw;
			char *t = cell_text(rep.cols[i].name, strlen(rep.cols[i].name), 40, &cw);
			if (cw > w)
				w = cw;
			free(t);
		}
		for (size_t i = 0; i < rep.ncols; i++) {
			int cw;
			char *t = cell_text(rep.cols[i].name, strlen(rep.cols[i].name), 40, &cw);
			printf("  %s", t);
			pad(w - cw);
			if (rep.cols[i].personal)
				printf("  %-7s  personal\n", ds_type_name(rep.cols[i].type));
			else
				printf("  %s\n", ds_type_name(rep.cols[i].type));
			free(t);
		}
		if (rep.rows_padded || rep.rows_truncated || rep.rows_utf8_fixed)
			printf("lenient: %s row%s padded, %s truncated, %lld with bad UTF-8 replaced\n",
			       fmt_int(a, sizeof a, rep.rows_padded), rep.rows_padded == 1 ? "" : "s",
			       fmt_int(b, sizeof b, rep.rows_truncated), (long long)rep.rows_utf8_fixed);
	}
	ds_import_report_clear(&rep);
	return 0;
}

/* ---- tables ------------------------------------------------------------------ */

/* For a listing command whose one option is --json (argv[first] on): set
 * *json and open the workspace. NULL after saying why, with *rc the exit
 * status (2 for a usage error, else 1). */
static struct workspace *listing_ws(struct cli *cli, const char *cmd, int argc, char **argv,
                                    int first, int *json, int *rc)
{
	struct workspace *ws;
	*json = 0;
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--json") != 0) {
			*rc = cli_unknown_opt(cmd, argv[i], VALUED_OPTS);
			return NULL;
		}
		*json = 1;
	}
	if (!(ws = cli_workspace(cli, 0)))
		*rc = 1;
	return ws;
}

int cmd_tables(struct cli *cli, int argc, char **argv)
{
	int json, rc;
	struct workspace *ws = listing_ws(cli, "tables", argc, argv, 1, &json, &rc);
	if (!ws)
		return rc;
	struct ds_info *list;
	size_t n;
	struct cl_err err = {0};
	if (ds_list(ws, &list, &n, &err))
		return cli_fail(&err);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", list[i].name);
			cJSON_AddNumberToObject(o, "rows", (double)list[i].rows);
			if (list[i].source)
				cJSON_AddStringToObject(o, "source", list[i].source);
			else
				cJSON_AddNullToObject(o, "source");
			if (list[i].imported_at)
				cJSON_AddStringToObject(o, "imported_at", list[i].imported_at);
			else
				cJSON_AddNullToObject(o, "imported_at");
			cJSON_AddItemToObject(o, "columns", columns_json(list[i].cols, list[i].ncols));
			cJSON_AddItemToArray(arr, o);
		}
		cli_print_json(arr);
	} else if (n == 0) {
		printf("no tables yet: copylab import FILE brings one in\n");
	} else {
		struct grid g;
		grid_init(&g, 3);
		g.right[1] = 1;
		const char *hdr[] = { "table", "rows", "columns" };
		grid_add(&g, hdr, NULL, 60);
		for (size_t i = 0; i < n; i++) {
			char rows[32];
			struct sbuf cols = SBUF_INIT;
			for (size_t k = 0; k < list[i].ncols; k++)
				sbuf_addf(&cols, "%s%s %s%s", k ? ", " : "", list[i].cols[k].name,
				          ds_type_name(list[i].cols[k].type), list[i].cols[k].personal ? "*" : "");
			const char *row[] = { list[i].name, fmt_int(rows, sizeof rows, list[i].rows),
			                      sbuf_str(&cols) };
			grid_add(&g, row, NULL, 100);
			sbuf_free(&cols);
		}
		grid_print(&g);
		grid_free(&g);
		int any = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < list[i].ncols; k++)
				any |= list[i].cols[k].personal;
		if (any)
			printf("(* personal: redacted before text leaves the machine)\n");
	}
	ds_list_free(list, n);
	return 0;
}

/* ---- query ------------------------------------------------------------------- */

#define HUMAN_ROWS 1000

struct qout {
	int    mode;    /* 0 human, 1 json, 2 csv */
	int    first;
	struct grid g;
	int64_t more;
	struct sbuf sb;
	unsigned char *frac;   /* human: per column, some real value has decimals */
	size_t *whole;         /* human: grid cells holding a whole real ("368") */
	size_t  nwhole;
};

/* A real column reads alike all the way down: when some value has decimals,
 * whole ones get ".00" too (368.00 beside 241.20, not 368). */
static void even_reals(struct qout *q)
{
	for (size_t k = 0; k < q->nwhole; k++) {
		size_t cell = q->whole[k];
		int col = (int)(cell % (size_t)q->g.ncols);
		if (!q->frac[col])
			continue;
		char *t = xasprintf("%s.00", q->g.cells[cell]);
		free(q->g.cells[cell]);
		q->g.cells[cell] = t;
		q->g.widths[cell] += 3;
	}
}

static int on_row(void *ctx, const struct query_row *row)
{
	struct qout *q = ctx;
	if (q->mode == 1) {
		fputs(q->first ? "[" : ",", stdout);
		q->first = 0;
		putchar('{');
		for (int i = 0; i < row->ncols; i++) {
			if (i)
				putchar(',');
			json_str(stdout, row->names[i], strlen(row->names[i]));
			putchar(':');
			if (!row->text[i])
				fputs("null", stdout);
			else if (row->type[i] == SQLITE_INTEGER)
				fputs(row->text[i], stdout);
			else if (row->type[i] == SQLITE_FLOAT) {
				if (strpbrk(row->text[i], "nN") || strpbrk(row->text[i], "iI"))
					fputs("null", stdout);
				else
					fputs(row->text[i], stdout);
			} else
				json_str(stdout, row->text[i], row->len[i]);
		}
		putchar('}');
		putchar('\n');
	} else if (q->mode == 2) {
		if (q->first) {
			for (int i = 0; i < row->ncols; i++) {
				if (i)
					sbuf_addc(&q->sb, ',');
				csv_put_field(&q->sb, row->names[i], strlen(row->names[i]), ',', 1);
			}
			sbuf_addc(&q->sb, '\n');
			q->first = 0;
		}
		for (int i = 0; i < row->ncols; i++) {
			if (i)
				sbuf_addc(&q->sb, ',');
			if (row->text[i])
				csv_put_field(&q->sb, row->text[i], row->len[i], ',', row->type[i] == SQLITE_TEXT);
		}
		sbuf_addc(&q->sb, '\n');
		if (q->sb.len > 65536) {
			fwrite(q->sb.buf, 1, q->sb.len, stdout);
			sbuf_reset(&q->sb);
		}
	} else {
		if (q->first) {
			grid_init(&q->g, row->ncols);
			grid_add(&q->g, row->names, NULL, 40);
			q->frac = xcalloc((size_t)row->ncols + 1, 1);
			q->first = 0;
		}
		if (q->g.nrows > HUMAN_ROWS) {
			q->more++;
			return 0;
		}
		const char **cells = xcalloc((size_t)row->ncols + 1, sizeof *cells);
		size_t *lens = xcalloc((size_t)row->ncols + 1, sizeof *lens);
		char **owned = xcalloc((size_t)row->ncols + 1, sizeof *owned);
		for (int i = 0; i < row->ncols; i++) {
			if (!row->text[i]) {
				cells[i] = "NULL";
				lens[i] = 4;
			} else if (row->type[i] == SQLITE_INTEGER || row->type[i] == SQLITE_FLOAT) {
				char b[64];
				double dv = strtod(row->text[i], NULL);
				fmt_num(b, sizeof b, dv);
				if (row->type[i] == SQLITE_FLOAT && isfinite(dv)) {
					if (dv != floor(dv))
						q->frac[i] = 1;
					else if (fabs(dv) < 1e15) {
						q->whole = xreallocarray(q->whole, q->nwhole + 1, sizeof *q->whole);
						q->whole[q->nwhole++] = q->g.nrows * (size_t)q->g.ncols + (size_t)i;
					}
				}
				owned[i] = xstrdup(row->type[i] == SQLITE_INTEGER && strlen(row->text[i]) > 15 ?
				                   row->text[i] : b);
				cells[i] = owned[i];
				lens[i] = strlen(owned[i]);
				q->g.right[i] = 1;
			} else {
				cells[i] = row->text[i];
				lens[i] = row->len[i];
			}
		}
		grid_add(&q->g, cells, lens, 40);
		for (int i = 0; i < row->ncols; i++)
			free(owned[i]);
		free(owned);
		free(cells);
		free(lens);
	}
	return 0;
}

int cmd_query(struct cli *cli, int argc, char **argv)
{
	struct qout q;
	const char *sql = NULL;
	memset(&q, 0, sizeof q);
	q.first = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			q.mode = 1;
		else if (strcmp(argv[i], "--csv") == 0)
			q.mode = 2;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return cli_unknown_opt("query", argv[i], VALUED_OPTS);
		else if (!sql)
			sql = argv[i];
		else
			return cli_usage("query", "put the whole query in one quoted argument");
	}
	if (!sql)
		return cli_usage("query", "which query?");
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct cl_err err = {0};
	int64_t n = 0;
	int rc = query_run(ws, sql, on_row, &q, &n, &err);
	if (rc) {
		if (q.mode == 1 && !q.first)
			puts("]");
		if (q.mode == 0 && !q.first)
			grid_free(&q.g);
		sbuf_free(&q.sb);
		free(q.frac);
		free(q.whole);
		return cli_fail(&err);
	}
	if (q.mode == 1)
		puts(q.first ? "[]" : "]");
	else if (q.mode == 2) {
		if (q.first) {
			/* no rows: still print the header */
			sqlite3_stmt *st;
			if (query_prepare(ws, sql, &st, &err) == 0) {
				for (int i = 0; i < sqlite3_column_count(st); i++) {
					const char *nm = sqlite3_column_name(st, i);
					if (i)
						sbuf_addc(&q.sb, ',');
					csv_put_field(&q.sb, nm, strlen(nm), ',', 1);
				}
				sbuf_addc(&q.sb, '\n');
				sqlite3_finalize(st);
			}
		}
		fwrite(sbuf_str(&q.sb), 1, q.sb.len, stdout);
	} else {
		char a[32];
		if (!q.first) {
			even_reals(&q);
			grid_print(&q.g);
			grid_free(&q.g);
		}
		if (q.more)
			printf("%s %s more rows not shown (use --csv or --json for all)\n", mark("…", "..."),
			       fmt_int(a, sizeof a, q.more));
		printf("(%s row%s)\n", fmt_int(a, sizeof a, n), n == 1 ? "" : "s");
	}
	sbuf_free(&q.sb);
	free(q.frac);
	free(q.whole);
	return 0;
}

/* ---- profile ------------------------------------------------------------------ */

/* n of total as "37%", "<1%" for a sliver. */
static const char *pct(char *buf, size_t cap, int64_t n, int64_t total)
{
	double v = total ? 100.0 * (double)n / (double)total : 0;
	if (v > 0 && v < 0.5)
		snprintf(buf, cap, "<1%%");
	else
		snprintf(buf, cap, "%.0f%%", v);
	return buf;
}

/* Print one profile as a readable table; cmd_segment uses the two-profile form. */
static void print_profile_cols(const struct profile *p, const struct profile *base)
{
	struct grid g;
	int nc = base ? 10 : 9;
	grid_init(&g, nc);
	g.right[2] = g.right[3] = g.right[6] = 1;
	if (base)
		g.right[7] = 1;
	const char *hdr10[] = { "column", "type", "nulls", "distinct", "min", "max", "mean",
	                        "table mean", "length", "top values: share (in table)" };
	const char *hdr9[] = { "column", "type", "nulls", "distinct", "min", "max", mark("mean ± sd", "mean +/- sd"),
	                       "length", "top values" };
	grid_add(&g, base ? hdr10 : hdr9, NULL, 40);
	for (size_t i = 0; i < p->ncols; i++) {
		const struct profile_col *c = &p->cols[i];
		const struct profile_col *b = NULL;
		if (base)
			for (size_t k = 0; k < base->ncols; k++)
				if (strcmp(base->cols[k].name, c->name) == 0)
					b = &base->cols[k];
		char nulls[32], dist[40], mn[64], mx[64], mean[96], bmean[64], len[48];
		struct sbuf top = SBUF_INIT;
		fmt_int(nulls, sizeof nulls, c->nulls);
		fmt_int(dist, sizeof dist, c->distinct);
		if (c->approx)
			strncat(dist, "~", sizeof dist - strlen(dist) - 1);
		if (c->numeric && c->min_len < 0) {
			fmt_num(mn, sizeof mn, c->min_num);
			fmt_num(mx, sizeof mx, c->max_num);
		} else {
			/* long text ends are cut to 24 columns here; the top values get more room */
			int w;
			char *t1 = cell_text(c->min ? c->min : "", c->min ? strlen(c->min) : 0, 24, &w);
			char *t2 = cell_text(c->max ? c->max : "", c->max ? strlen(c->max) : 0, 24, &w);
			snprintf(mn, sizeof mn, "%s", t1);
			snprintf(mx, sizeof mx, "%s", t2);
			free(t1);
			free(t2);
		}
		len[0] = mean[0] = bmean[0] = 0;
		if (c->min_len >= 0)
			snprintf(len, sizeof len, c->min_len == c->max_len ? "%lld" : "%lld–%lld",
			         (long long)c->min_len, (long long)c->max_len);
		if (c->numeric) {
			char m1[40], s1[40];
			fmt_num(m1, sizeof m1, c->mean);
			fmt_num(s1, sizeof s1, c->stddev);
			if (base)
				snprintf(mean, sizeof mean, "%s", m1);
			else
				snprintf(mean, sizeof mean, "%s %s %s", m1, mark("±", "+/-"), s1);
		}
		if (b && b->numeric)
			fmt_num(bmean, sizeof bmean, b->mean);
		if (c->ntop && c->top[0].count == 1 && c->count > 1)
			sbuf_adds(&top, c->approx ? "(almost all distinct)" : "(all distinct)");
		for (int k = 0; k < c->ntop && k < 3 && c->top[0].count > 1; k++) {
			char cnt[32];
			int w;
			char *t = cell_text(c->top[k].text, strlen(c->top[k].text), 16, &w);
			if (b && p->rows > 0) {
				/* beside the table: the value's share of the segment and of the table */
				const struct profile_value *bv = NULL;
				for (int q = 0; q < b->ntop; q++)
					if (strcmp(b->top[q].text, c->top[k].text) == 0)
						bv = &b->top[q];
				char s1[16], s2[16];
				sbuf_addf(&top, "%s%s %s", k ? ", " : "", t,
				          pct(s1, sizeof s1, c->top[k].count, p->rows));
				if (bv && base->rows > 0)
					sbuf_addf(&top, " (%s)", pct(s2, sizeof s2, bv->count, base->rows));
			} else
				sbuf_addf(&top, "%s%s (%s)", k ? ", " : "", t,
				          fmt_int(cnt, sizeof cnt, c->top[k].count));
			free(t);
		}
		const char *row10[] = { c->name, c->type, nulls, dist, mn, mx, mean, bmean, len, sbuf_str(&top) };
		const char *row9[] = { c->name, c->type, nulls, dist, mn, mx, mean, len, sbuf_str(&top) };
		grid_add(&g, base ? row10 : row9, NULL, 48);
		sbuf_free(&top);
	}
	grid_print(&g);
	grid_free(&g);
}

int cmd_profile(struct cli *cli, int argc, char **argv)
{
	const char *table = NULL, *where = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--where") == 0 && i + 1 < argc)
			where = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return cli_unknown_opt("profile", argv[i], VALUED_OPTS);
		else if (!table)
			table = argv[i];
		else
			return cli_usage("profile", "one table at a time");
	}
	if (!table)
		return cli_usage("profile", "which table?");
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct cl_err err = {0};
	struct profile *p;
	struct prog pr = { isatty(2), 0, "profiling" };
	cli_catch_interrupt();
	int rc = profile_table(ws, table, where, on_progress, &pr, &p, &err);
	progress_end(&pr);
	if (rc)
		return cli_fail(&err);
	if (json)
		cli_print_json(profile_to_json(p));
	else {
		char a[32];
		printf("%s%s%s %s %s rows %s profiled in %.2f s\n\n", p->table, where ? " where " : "",
		       where ? where : "", mark("·", "-"), fmt_int(a, sizeof a, p->rows), mark("·", "-"),
		       p->seconds);
		print_profile_cols(p, NULL);
	}
	profile_free(p);
	return 0;
}

/* ---- export ------------------------------------------------------------------- */

/* `export --format F` for a format the built-ins do not know: a plugin's exporter. */
static int export_plugin(struct cli *cli, const struct ds_export_opts *o, const char *format,
                         const char *outpath)
{
	struct plugin_formats pf;
	if (plugin_formats_load(&pf))
		return 1;
	const struct fmt_exporter *e = fmt_exporter_find(pf.reg, format);
	int rc = 0;
	if (!e) {
		rc = unknown_format(&pf, "export", 1, format);
	} else {
		struct workspace *ws = cli_workspace(cli, 0);
		struct fmt_source src = { o->table, o->sql };
		struct cl_err err = {0};
		int64_t rows = 0;
		if (!ws)
			rc = 1;
		else if (fmt_export_file(e, ws, &src, outpath ? outpath : "-", &rows, &err))
			rc = cli_fail(&err);
		else if (outpath) {
			char a[32];
			fprintf(stderr, "exported %s rows to %s (%s)\n", fmt_int(a, sizeof a, rows), outpath, e->name);
		}
	}
	plugin_formats_free(&pf);
	return rc;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	struct ds_export_opts o = { 0 };
	const char *outpath = NULL, *plugin_fmt = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--query") == 0 && i + 1 < argc)
			o.sql = argv[++i];
		else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			o.format = ds_format_parse(argv[++i]);
			if (o.format < 0) {
				o.format = 0;
				plugin_fmt = argv[i];   /* a plugin's exporter, maybe */
			}
		} else if (strcmp(a, "--out") == 0 && i + 1 < argc)
			outpath = argv[++i];
		else if (a[0] == '-' && a[1] == '-')
			return cli_unknown_opt("export", a, VALUED_OPTS);
		else if (!o.table)
			o.table = a;
		else
			return cli_usage("export", "one table at a time");
	}
	if (!o.table == !o.sql)
		return cli_usage("export", "give a TABLE or --query SQL (one of them)");
	if (plugin_fmt)
		return export_plugin(cli, &o, plugin_fmt, outpath);
	if (!o.format)
		o.format = outpath ? ds_format_parse(strrchr(outpath, '.') ? strrchr(outpath, '.') + 1 : "csv")
		                   : DS_FMT_CSV;
	if (o.format <= 0)
		o.format = DS_FMT_CSV;
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct cl_err err = {0};
	FILE *f = stdout;
	char *tmp = NULL;
	if (outpath) {
		/* write beside the target, then rename: a failed export leaves no half file */
		tmp = xasprintf("%s.tmp%ld", outpath, (long)getpid());
		if (!(f = fopen(tmp, "w"))) {
			int e = errno;
			free(tmp);
			return cli_failf("%s: %s", outpath, strerror(e));
		}
	}
	o.out = f;
	int64_t rows = 0;
	int rc = ds_export(ws, &o, &rows, &err);
	if (outpath) {
		if (fclose(f) && !rc)
			rc = cl_err_set(&err, CL_EIO, "%s: %s", outpath, strerror(errno));
		if (!rc && rename(tmp, outpath))
			rc = cl_err_set(&err, CL_EIO, "%s: %s", outpath, strerror(errno));
		if (rc)
			unlink(tmp);
		free(tmp);
	}
	if (rc)
		return cli_fail(&err);
	if (outpath) {
		char a[32];
		fprintf(stderr, "exported %s rows to %s\n", fmt_int(a, sizeof a, rows), outpath);
	}
	return 0;
}

/* ---- clean -------------------------------------------------------------------- */

int cmd_clean(struct cli *cli, int argc, char **argv)
{
	struct ds_clean_opts o = { 0 };
	struct ds_fill *fills = xcalloc((size_t)argc + 1, sizeof *fills);
	char **keys = xcalloc((size_t)argc + 1, sizeof *keys);
	char **owned = xcalloc((size_t)argc * 2 + 1, sizeof *owned);
	size_t nowned = 0;
	int json = 0, rc = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--into") == 0 && i + 1 < argc)
			o.into = argv[++i];
		else if (strcmp(a, "--trim") == 0)
			o.trim = 1;
		else if (strcmp(a, "--dedupe") == 0)
			o.dedupe = 1;
		else if (strcmp(a, "--drop-empty") == 0)
			o.drop_empty = 1;
		else if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--key") == 0 && i + 1 < argc) {
			char *list = xstrdup(argv[++i]), *save = NULL;
			owned[nowned++] = list;
			for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
				keys[o.nkeys++] = t;
		} else if (strcmp(a, "--fill") == 0 && i + 1 < argc) {
			const char *eq = strchr(argv[++i], '=');
			if (!eq || eq == argv[i]) {
				cli_usage("clean", "--fill wants COL=VALUE, not '%s'", argv[i]);
				goto out;
			}
			char *col = xstrndup(argv[i], (size_t)(eq - argv[i]));
			owned[nowned++] = col;
			fills[o.nfills].column = col;
			fills[o.nfills].value = eq + 1;
			o.nfills++;
		} else if (a[0] == '-' && a[1] == '-') {
			cli_unknown_opt("clean", a, VALUED_OPTS);
			goto out;
		} else if (!o.table)
			o.table = a;
		else {
			cli_usage("clean", "one table at a time");
			goto out;
		}
	}
	if (!o.table || !o.into) {
		cli_usage("clean", "give a TABLE and --into NEW");
		goto out;
	}
	if (o.nkeys && !o.dedupe) {
		cli_usage("clean", "--key goes with --dedupe");
		goto out;
	}
	o.keys = (const char *const *)keys;
	o.fills = fills;
	struct workspace *ws = cli_workspace(cli, 0);
	rc = 1;
	if (!ws)
		goto out;
	struct cl_err err = {0};
	struct ds_clean_report r;
	if (ds_clean(ws, &o, &r, &err)) {
		cli_fail(&err);
		goto out;
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "table", o.table);
		cJSON_AddStringToObject(j, "into", o.into);
		cJSON_AddNumberToObject(j, "rows_in", (double)r.rows_in);
		cJSON_AddNumberToObject(j, "rows_out", (double)r.rows_out);
		cJSON_AddNumberToObject(j, "cells_trimmed", (double)r.cells_trimmed);
		cJSON_AddNumberToObject(j, "cells_filled", (double)r.cells_filled);
		cJSON_AddNumberToObject(j, "empty_rows", (double)r.empty_rows);
		cJSON_AddNumberToObject(j, "duplicates", (double)r.duplicates);
		cli_print_json(j);
	} else {
		char a[32], b[32];
		printf("cleaned %s into %s: %s rows in, %s rows out\n", o.table, o.into,
		       fmt_int(a, sizeof a, r.rows_in), fmt_int(b, sizeof b, r.rows_out));
		if (o.trim)
			printf("  trimmed      %s values\n", fmt_int(a, sizeof a, r.cells_trimmed));
		if (o.nfills)
			printf("  filled       %s empty values\n", fmt_int(a, sizeof a, r.cells_filled));
		if (o.drop_empty)
			printf("  empty rows   %s dropped\n", fmt_int(a, sizeof a, r.empty_rows));
		if (o.dedupe)
			printf("  duplicates   %s dropped\n", fmt_int(a, sizeof a, r.duplicates));
	}
	rc = 0;
out:
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	free(keys);
	free(fills);
	return rc;
}

/* ---- segment ------------------------------------------------------------------ */

static cJSON *segment_json(const struct segment *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddStringToObject(o, "table", s->dataset);
	cJSON_AddStringToObject(o, "where", s->predicate);
	cJSON_AddNumberToObject(o, "rows", (double)s->rows);
	cJSON_AddNumberToObject(o, "table_rows", (double)s->table_rows);
	cJSON_AddNumberToObject(o, "share", s->share);
	if (s->created_at)
		cJSON_AddStringToObject(o, "created_at", s->created_at);
	else
		cJSON_AddNullToObject(o, "created_at");
	return o;
}

static int segment_add_cmd(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL, *table = NULL, *where = NULL;
	int replace = 0, json = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--table") == 0 && i + 1 < argc)
			table = argv[++i];
		else if (strcmp(argv[i], "--where") == 0 && i + 1 < argc)
			where = argv[++i];
		else if (strcmp(argv[i], "--replace") == 0)
			replace = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return cli_unknown_opt("segment", argv[i], VALUED_OPTS);
		else if (!name)
			name = argv[i];
		else
			return cli_usage("segment", "put the predicate in one quoted --where argument");
	}
	if (!name || !table || !where)
		return cli_usage("segment", "segment add NAME --table T --where PREDICATE");
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct segment s;
	struct cl_err err = {0};
	if (segment_add(ws, name, table, where, replace, &s, &err))
		return cli_fail(&err);
	if (json)
		cli_print_json(segment_json(&s));
	else {
		char a[32], b[32];
		printf("segment %s: %s where %s %s %s of %s rows (%.1f%%)\n", s.name, s.dataset, s.predicate,
		       mark("·", "-"),
		       fmt_int(a, sizeof a, s.rows), fmt_int(b, sizeof b, s.table_rows), s.share * 100);
	}
	segment_clear(&s);
	return 0;
}

static int segment_list_cmd(struct cli *cli, int argc, char **argv)
{
	int json, rc;
	struct workspace *ws = listing_ws(cli, "segment", argc, argv, 2, &json, &rc);
	if (!ws)
		return rc;
	struct segment *list;
	size_t n;
	struct cl_err err = {0};
	if (segment_list(ws, &list, &n, &err))
		return cli_fail(&err);
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, segment_json(&list[i]));
		cli_print_json(arr);
	} else if (!n) {
		printf("no segments yet: copylab segment add NAME --table T --where PREDICATE\n");
	} else {
		struct grid g;
		grid_init(&g, 5);
		g.right[2] = g.right[3] = 1;
		const char *hdr[] = { "segment", "table", "rows", "share", "where" };
		grid_add(&g, hdr, NULL, 60);
		for (size_t i = 0; i < n; i++) {
			char rows[32], share[32];
			if (list[i].rows < 0) {
				snprintf(rows, sizeof rows, "?");
				snprintf(share, sizeof share, "table gone");
			} else {
				fmt_int(rows, sizeof rows, list[i].rows);
				snprintf(share, sizeof share, "%.1f%%", list[i].share * 100);
			}
			const char *row[] = { list[i].name, list[i].dataset, rows, share, list[i].predicate };
			grid_add(&g, row, NULL, 60);
		}
		grid_print(&g);
		grid_free(&g);
	}
	segment_list_free(list, n);
	return 0;
}

static int segment_show_cmd(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL;
	int json = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			return cli_unknown_opt("segment", argv[i], VALUED_OPTS);
		else if (!name)
			name = argv[i];
		else
			return cli_usage("segment", "one segment at a time");
	}
	if (!name)
		return cli_usage("segment", "which segment?");
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct segment s;
	struct profile *seg, *whole;
	struct cl_err err = {0};
	struct prog pr = { isatty(2), 0, "profiling" };
	cli_catch_interrupt();
	if (segment_get(ws, name, &s, &err))
		return cli_fail(&err);
	if (segment_profile(ws, name, on_progress, &pr, &seg, &whole, &err)) {
		progress_end(&pr);
		segment_clear(&s);
		return cli_fail(&err);
	}
	progress_end(&pr);
	if (json) {
		cJSON *o = segment_json(&s);
		cJSON_AddItemToObject(o, "profile", profile_to_json(seg));
		cJSON_AddItemToObject(o, "table_profile", profile_to_json(whole));
		cli_print_json(o);
	} else {
		char a[32], b[32];
		printf("segment %s %s %s where %s\n%s of %s rows (%.1f%%)\n\n", s.name, mark("·", "-"), s.dataset,
		       s.predicate, fmt_int(a, sizeof a, s.rows), fmt_int(b, sizeof b, s.table_rows),
		       s.share * 100);
		print_profile_cols(seg, whole);
	}
	profile_free(seg);
	profile_free(whole);
	segment_clear(&s);
	return 0;
}

int cmd_segment(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("segment", "add, list, show or rm?");
	if (strcmp(argv[1], "add") == 0)
		return segment_add_cmd(cli, argc, argv);
	if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "ls") == 0)
		return segment_list_cmd(cli, argc, argv);
	if (strcmp(argv[1], "show") == 0)
		return segment_show_cmd(cli, argc, argv);
	if (strcmp(argv[1], "rm") == 0 || strcmp(argv[1], "remove") == 0) {
		if (argc != 3)
			return cli_usage("segment", "segment rm NAME");
		struct workspace *ws = cli_workspace(cli, 0);
		struct cl_err err = {0};
		if (!ws)
			return 1;
		if (segment_remove(ws, argv[2], &err))
			return cli_fail(&err);
		printf("removed segment %s\n", argv[2]);
		return 0;
	}
	return cli_usage("segment", "unknown subcommand '%s' (add, list, show, rm)", argv[1]);
}
