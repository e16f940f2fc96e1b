/* experiment.c — A/B results tables: CSV reading, storage, variant linking,
 * and the analysis bundle the Results pane draws. */
#include "core/experiment.h"
#include "core/csv.h"

#include <cjson/cJSON.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- in-memory table ---- */

struct exp_data *exp_data_new(void)
{
	return xcalloc(1, sizeof(struct exp_data));
}

void exp_data_free(struct exp_data *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->narms; i++) {
		free(d->arm[i]);
		free(d->text[i]);
	}
	for (int t = 0; t < d->ndays; t++)
		free(d->day[t]);
	free(d->day);
	free(d->n);
	free(d->conv);
	free(d->clicks);
	free(d->rev);
	free(d->rev_sq);
	free(d);
}

/* Move the five day x arm matrices to new ones with stride newk: new row t
 * takes old row rows[t] (row t when rows is NULL), columns 0..narms-1; cells
 * of arms beyond the old count start at zero. Frees the old matrices. */
static void remap_cells(struct exp_data *d, int newk, const int *rows)
{
	int oldk = d->narms;
	size_t cells = (size_t)(d->ndays ? d->ndays : 1) * (size_t)newk;
	int64_t *n = xcalloc(cells, sizeof *n), *c = xcalloc(cells, sizeof *c),
	        *k = xcalloc(cells, sizeof *k);
	double *r = xcalloc(cells, sizeof *r), *r2 = xcalloc(cells, sizeof *r2);
	for (int t = 0; t < d->ndays; t++) {
		int s = rows ? rows[t] : t;
		for (int i = 0; i < oldk; i++) {
			n[t * newk + i] = d->n[s * oldk + i];
			c[t * newk + i] = d->conv[s * oldk + i];
			k[t * newk + i] = d->clicks[s * oldk + i];
			r[t * newk + i] = d->rev[s * oldk + i];
			r2[t * newk + i] = d->rev_sq[s * oldk + i];
		}
	}
	free(d->n);
	free(d->conv);
	free(d->clicks);
	free(d->rev);
	free(d->rev_sq);
	d->n = n;
	d->conv = c;
	d->clicks = k;
	d->rev = r;
	d->rev_sq = r2;
}

static int find_arm(struct exp_data *d, const char *arm, struct cl_err *err)
{
	for (int i = 0; i < d->narms; i++)
		if (strcmp(d->arm[i], arm) == 0)
			return i;
	if (d->narms >= AB_MAX_ARMS)
		return cl_err_set(err, CL_EINVAL, "more than %d arms (arm '%s')", AB_MAX_ARMS, arm);
	remap_cells(d, d->narms + 1, NULL);   /* stride grows by one arm */
	d->arm[d->narms] = xstrdup(arm);
	d->variant_id[d->narms] = 0;
	d->text[d->narms] = NULL;
	return d->narms++;
}

static int find_day(struct exp_data *d, const char *day)
{
	int k = d->narms;
	for (int t = d->ndays - 1; t >= 0; t--)
		if (strcmp(d->day[t], day) == 0)
			return t;
	int t = d->ndays++;
	d->day = xreallocarray(d->day, (size_t)d->ndays, sizeof *d->day);
	d->day[t] = xstrdup(day);
	size_t cells = (size_t)d->ndays * (size_t)(k ? k : 1);
	d->n = xreallocarray(d->n, cells, sizeof *d->n);
	d->conv = xreallocarray(d->conv, cells, sizeof *d->conv);
	d->clicks = xreallocarray(d->clicks, cells, sizeof *d->clicks);
	d->rev = xreallocarray(d->rev, cells, sizeof *d->rev);
	d->rev_sq = xreallocarray(d->rev_sq, cells, sizeof *d->rev_sq);
	for (int i = 0; i < k; i++) {
		d->n[t * k + i] = d->conv[t * k + i] = d->clicks[t * k + i] = 0;
		d->rev[t * k + i] = d->rev_sq[t * k + i] = 0;
	}
	return t;
}

int exp_data_add(struct exp_data *d, const char *arm, const char *day, int64_t n,
                 int64_t conv, int64_t clicks, double rev, double rev_sq, struct cl_err *err)
{
	if (!arm || !*arm)
		return cl_err_set(err, CL_EINVAL, "an arm needs a name");
	if (n < 0 || conv < 0)
		return cl_err_set(err, CL_EINVAL, "arm '%s': visitors and conversions must not be negative",
		                  arm);
	if (conv > n)
		return cl_err_set(err, CL_EINVAL, "arm '%s': conversions (%lld) exceed visitors (%lld)",
		                  arm, (long long)conv, (long long)n);
	if (day && *day)
		d->has_days = 1;
	int i = find_arm(d, arm, err);
	if (i < 0)
		return -1;
	int t = find_day(d, day ? day : "");
	int k = d->narms;
	d->n[t * k + i] += n;
	d->conv[t * k + i] += conv;
	if (clicks >= 0) {
		d->clicks[t * k + i] += clicks;
		d->has_clicks = 1;
	}
	if (!isnan(rev)) {   /* revenue may be negative (refunds) */
		d->rev[t * k + i] += rev;
		d->has_revenue = 1;
	}
	if (!isnan(rev_sq)) {
		d->rev_sq[t * k + i] += rev_sq;
		d->has_revenue_sq = 1;
	}
	return 0;
}

/* ---- CSV ---- */

enum field { F_NONE = -1, F_ARM, F_N, F_CONV, F_DATE, F_CLICKS, F_REV, F_REVSQ, F_VID, F_TEXT,
             F_COUNT };

static const char *const field_names[F_COUNT] = {
	"arm", "n", "conversions", "date", "clicks", "revenue", "revenue_sq", "variant_id", "text"
};

/* Header synonyms for the exports of ad platforms and e-mail tools. */
static enum field guess_field(const char *h)
{
	static const struct { const char *name; enum field f; } syn[] = {
		{ "arm", F_ARM }, { "variant", F_ARM }, { "variation", F_ARM }, { "group", F_ARM },
		{ "name", F_ARM }, { "ad", F_ARM }, { "ad name", F_ARM }, { "version", F_ARM },
		{ "n", F_N }, { "visitors", F_N }, { "users", F_N }, { "sessions", F_N },
		{ "sends", F_N }, { "sent", F_N }, { "delivered", F_N }, { "recipients", F_N },
		{ "impressions", F_N }, { "participants", F_N }, { "exposures", F_N },
		{ "conversions", F_CONV }, { "conv", F_CONV }, { "orders", F_CONV },
		{ "purchases", F_CONV }, { "converted", F_CONV }, { "results", F_CONV },
		{ "date", F_DATE }, { "day", F_DATE }, { "reporting starts", F_DATE },
		{ "clicks", F_CLICKS }, { "link clicks", F_CLICKS }, { "unique clicks", F_CLICKS },
		{ "revenue", F_REV }, { "sales", F_REV }, { "value", F_REV },
		{ "revenue_sq", F_REVSQ },
		{ "variant_id", F_VID }, { "variant id", F_VID },
		{ "text", F_TEXT }, { "copy", F_TEXT }, { "subject", F_TEXT }, { "subject line", F_TEXT },
		{ "headline", F_TEXT }, { "body", F_TEXT },
	};
	for (size_t i = 0; i < sizeof syn / sizeof syn[0]; i++)
		if (strcasecmp(h, syn[i].name) == 0)
			return syn[i].f;
	return F_NONE;
}

static enum field field_by_name(const char *s)
{
	for (int f = 0; f < F_COUNT; f++)
		if (strcasecmp(s, field_names[f]) == 0)
			return (enum field)f;
	return F_NONE;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static int parse_count(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -1;
	/* "120.0" from spreadsheets is fine; "12.5" visitors is not */
	if (*end == '.') {
		char *p = end + 1;
		while (*p == '0')
			p++;
		end = p;
	}
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int parse_money(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || end == s || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* The year of a day label written day-first or month-first with the year
 * last (11/20/2026, 20.11.2026), else -1; *rest gets the length before it. */
static int year_last(const char *s, size_t *rest)
{
	size_t n = strlen(s);
	if (n < 8 || !strchr("/.-", s[n - 5]) || !isdigit((unsigned char)s[0]))
		return -1;
	for (size_t i = n - 4; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	*rest = n - 5;
	return atoi(s + n - 4);
}

/* Compare two strings with runs of digits compared as numbers ("day 2" <
 * "day 10", "2" < "10"); ISO dates compare as text does. */
static int natural_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	while (i < an && j < bn) {
		if (isdigit((unsigned char)a[i]) && isdigit((unsigned char)b[j])) {
			while (i < an && a[i] == '0' && i + 1 < an && isdigit((unsigned char)a[i + 1]))
				i++;
			while (j < bn && b[j] == '0' && j + 1 < bn && isdigit((unsigned char)b[j + 1]))
				j++;
			size_t si = i, sj = j;
			while (i < an && isdigit((unsigned char)a[i]))
				i++;
			while (j < bn && isdigit((unsigned char)b[j]))
				j++;
			if (i - si != j - sj)
				return i - si < j - sj ? -1 : 1;
			int c = memcmp(a + si, b + sj, i - si);
			if (c)
				return c;
		} else {
			if (a[i] != b[j])
				return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
			i++;
			j++;
		}
	}
	return (i < an) - (j < bn);
}

/* Day labels in time order: ISO dates and day numbers ("10" after "9"), and
 * dates with the year last ordered by year first. */
static int day_cmp(const char *a, const char *b)
{
	size_t ra, rb;
	int ya = year_last(a, &ra), yb = year_last(b, &rb);
	if (ya >= 0 && yb >= 0) {
		if (ya != yb)
			return ya < yb ? -1 : 1;
		return natural_cmp(a, ra, b, rb);
	}
	return natural_cmp(a, strlen(a), b, strlen(b));
}

/* Sort the rows by day label (day_cmp: ISO dates, day numbers, year-last dates). */
static void sort_days(struct exp_data *d)
{
	int k = d->narms, nd = d->ndays;
	if (nd < 2 || !d->has_days)
		return;
	int *ord = xcalloc((size_t)nd, sizeof *ord);
	for (int t = 0; t < nd; t++)
		ord[t] = t;
	for (int t = 1; t < nd; t++)   /* insertion sort: days arrive mostly in order */
		for (int j = t; j > 0 && day_cmp(d->day[ord[j - 1]], d->day[ord[j]]) > 0; j--) {
			int v = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = v;
		}
	char **day = xcalloc((size_t)nd, sizeof *day);
	for (int t = 0; t < nd; t++)
		day[t] = d->day[ord[t]];
	remap_cells(d, k, ord);
	free(ord);
	free(d->day);
	d->day = day;
}

int exp_data_read_csv(const char *path, char *const *map, int nmap, struct exp_data **out,
                      struct cl_err *err)
{
	struct csv_reader *r;
	const struct csv_field *f;
	size_t nf;
	int col[F_COUNT], rc;
	struct exp_data *d = NULL;

	*out = NULL;
	for (int i = 0; i < F_COUNT; i++)
		col[i] = -1;
	if (csv_open(path, NULL, &r, err))
		return -1;
	rc = csv_next(r, &f, &nf, err);
	if (rc <= 0) {
		if (rc == 0)
			cl_err_set(err, CL_EINVAL, "%s: empty file (want a header: arm,n,conversions)", path);
		csv_close(r);
		return -1;
	}
	size_t header_n = nf;
	/* header: explicit --map first, then names and synonyms */
	for (size_t c = 0; c < nf; c++) {
		char *h = trim_dup(f[c].s, f[c].len);
		enum field fld = F_NONE;
		int mapped = 0;
		for (int m = 0; m < nmap; m++) {
			const char *eq = strrchr(map[m], '=');
			if (!eq || eq == map[m])
				continue;
			if ((size_t)(eq - map[m]) == strlen(h) && strncasecmp(map[m], h, strlen(h)) == 0) {
				fld = field_by_name(eq + 1);
				mapped = 1;
			}
		}
		if (!mapped)
			fld = guess_field(h);
		if (fld != F_NONE && (col[fld] < 0 || mapped))
			col[fld] = (int)c;
		free(h);
	}
	for (int m = 0; m < nmap; m++) {
		const char *eq = strrchr(map[m], '=');
		if (!eq || eq == map[m] || field_by_name(eq + 1) == F_NONE) {
			csv_close(r);
			return cl_err_set(err, CL_EINVAL,
			                  "--map '%s': want COLUMN=FIELD, FIELD one of arm, n, conversions, "
			                  "date, clicks, revenue, revenue_sq, variant_id, text", map[m]);
		}
	}
	/* e-mail tools name the variant by its subject line: the copy is the arm */
	if (col[F_ARM] < 0 && col[F_TEXT] >= 0)
		col[F_ARM] = col[F_TEXT];
	static const enum field need[] = { F_ARM, F_N, F_CONV };
	for (size_t i = 0; i < 3; i++)
		if (col[need[i]] < 0) {
			csv_close(r);
			return cl_err_set(err, CL_EINVAL,
			                  "%s: no column for '%s' (the header needs arm, n and conversions, "
			                  "or use --map COLUMN=%s)", path, field_names[need[i]],
			                  field_names[need[i]]);
		}
	d = exp_data_new();
	while ((rc = csv_next(r, &f, &nf, err)) == 1) {
		long line = csv_record_line(r);
		char *v[F_COUNT] = {0};
		int64_t n = 0, conv = 0, clicks = -1;
		double rev = NAN, rev2 = NAN;
		int bad = -1;
		if (nf == 1 && f[0].len == 0)
			continue;   /* blank line */
		for (int i = 0; i < F_COUNT; i++)
			if (col[i] >= 0)
				v[i] = (size_t)col[i] < nf ? trim_dup(f[col[i]].s, f[col[i]].len) : xstrdup("");
		if (!*v[F_ARM])
			bad = F_ARM;
		else if (parse_count(v[F_N], &n))
			bad = F_N;
		else if (parse_count(v[F_CONV], &conv))
			bad = F_CONV;
		else if (v[F_CLICKS] && *v[F_CLICKS] && parse_count(v[F_CLICKS], &clicks))
			bad = F_CLICKS;
		else if (v[F_REV] && (*v[F_REV] ? parse_money(v[F_REV], &rev) : (rev = 0, 0)))
			bad = F_REV;
		else if (v[F_REVSQ] && (*v[F_REVSQ] ? parse_money(v[F_REVSQ], &rev2) : (rev2 = 0, 0)))
			bad = F_REVSQ;
		else if (v[F_DATE] && !*v[F_DATE])
			bad = F_DATE;
		if (bad >= 0 && (size_t)col[bad] >= nf) {
			cl_err_set(err, CL_EINVAL, "%s:%ld: the row has %zu field%s, the header has %zu; "
			           "column %d (%s) is missing", path, line, nf, nf == 1 ? "" : "s", header_n,
			           col[bad] + 1, field_names[bad]);
			rc = -1;
		} else if (bad >= 0) {
			cl_err_set(err, CL_EINVAL, "%s:%ld: column %d (%s): %s '%s'", path, line,
			           col[bad] + 1, field_names[bad],
			           bad == F_ARM || bad == F_DATE ? "empty" : "not a valid number:",
			           v[bad] ? v[bad] : "");
			rc = -1;
		} else if (exp_data_add(d, v[F_ARM], v[F_DATE], n, conv, clicks, rev, rev2, err)) {
			cl_err_prefix(err, "%s:%ld", path, line);
			rc = -1;
		} else {
			int a = -1;
			for (int i = 0; i < d->narms; i++)
				if (strcmp(d->arm[i], v[F_ARM]) == 0)
					a = i;
			if (v[F_VID] && *v[F_VID]) {
				int64_t id;
				if (parse_count(v[F_VID], &id) || id <= 0) {
					cl_err_set(err, CL_EINVAL, "%s:%ld: variant_id '%s' is not a positive whole number",
					           path, line, v[F_VID]);
					rc = -1;
				} else {
					d->variant_id[a] = id;
				}
			}
			if (v[F_TEXT] && *v[F_TEXT] && !d->text[a])
				d->text[a] = xstrdup(v[F_TEXT]);
		}
		for (int i = 0; i < F_COUNT; i++)
			free(v[i]);
		if (rc < 0)
			break;
	}
	csv_close(r);
	if (rc < 0) {
		exp_data_free(d);
		return -1;
	}
	if (d->narms == 0) {
		exp_data_free(d);
		return cl_err_set(err, CL_EINVAL, "%s: no result rows", path);
	}
	sort_days(d);
	*out = d;
	return 0;
}

int exp_parse_split(const char *s, int k, double *w, struct cl_err *err)
{
	int i = 0;
	const char *p = s;
	while (*p) {
		char *end;
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || errno || !(v > 0) || !isfinite(v))
			return cl_err_set(err, CL_EINVAL, "--split '%s': want positive numbers like 50,50", s);
		if (i >= k)
			return cl_err_set(err, CL_EINVAL, "--split '%s' has more parts than the %d arms", s, k);
		w[i++] = v;
		p = end;
		if (*p == ',' || *p == ':' || *p == '/')
			p++;
		else if (*p)
			return cl_err_set(err, CL_EINVAL, "--split '%s': want positive numbers like 50,50", s);
	}
	if (i != k)
		return cl_err_set(err, CL_EINVAL, "--split '%s' has %d parts for %d arms", s, i, k);
	return 0;
}

int exp_data_input(const struct exp_data *d, const char *control, const char *split,
                   struct ab_input *in, struct cl_err *err)
{
	int k = d->narms;
	memset(in, 0, sizeof *in);
	if (k < 2)
		return cl_err_set(err, CL_EINVAL, "an A/B test needs at least two arms (got %d)", k);
	in->narms = k;
	in->control = -1;
	for (int i = 0; i < k; i++) {
		in->name[i] = d->arm[i];
		if (control && strcmp(control, d->arm[i]) == 0)
			in->control = i;
	}
	if (!control)
		in->control = 0;
	if (in->control < 0)
		return cl_err_set(err, CL_ENOTFOUND, "control arm '%s' is not among the arms", control);
	if (split && strcmp(split, "adaptive") == 0)
		in->adaptive = 1;
	else if (split && *split && exp_parse_split(split, k, in->split, err))
		return -1;
	for (int t = 0; t < d->ndays; t++)
		for (int i = 0; i < k; i++) {
			in->n[i] += d->n[t * k + i];
			in->conv[i] += d->conv[t * k + i];
			in->revenue[i] += d->rev[t * k + i];
			in->revenue_sq[i] += d->rev_sq[t * k + i];
		}
	if (d->has_days && d->ndays > 0) {
		in->ndays = d->ndays;
		in->day_n = d->n;
		in->day_conv = d->conv;
		in->day_rev = d->has_revenue ? d->rev : NULL;
	}
	in->has_revenue = d->has_revenue;
	in->has_revenue_sq = d->has_revenue && d->has_revenue_sq;
	return 0;
}

/* ---- storage ---- */

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void exp_meta_clear(struct exp_meta *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->control);
	free(m->split);
	free(m->source);
	free(m->params);
	free(m->created_at);
	memset(m, 0, sizeof *m);
}

static void meta_copy(struct exp_meta *dst, const struct exp_meta *src)
{
	*dst = *src;
	dst->name = src->name ? xstrdup(src->name) : NULL;
	dst->control = src->control ? xstrdup(src->control) : NULL;
	dst->split = src->split ? xstrdup(src->split) : NULL;
	dst->source = src->source ? xstrdup(src->source) : NULL;
	dst->params = src->params ? xstrdup(src->params) : NULL;
	dst->created_at = src->created_at ? xstrdup(src->created_at) : NULL;
}

static int exp_id(struct workspace *ws, const char *name, long long *id, struct cl_err *err)
{
	sqlite3_stmt *st;
	*id = 0;
	if (ws_prepare(ws, "SELECT id FROM cl_experiments WHERE name = ?", &st, err))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int exp_delete(struct workspace *ws, const char *name, struct cl_err *err)
{
	sqlite3_stmt *st;
	long long id;
	if (exp_id(ws, name, &id, err))
		return -1;
	if (!id)
		return cl_err_set(err, CL_ENOTFOUND, "no experiment named '%s'", name);
	/* explicit deletes, so it works whether or not foreign keys cascade */
	static const char *const sql[] = {
		"DELETE FROM cl_results WHERE arm_id IN (SELECT id FROM cl_arms WHERE experiment_id = ?)",
		"DELETE FROM cl_arms WHERE experiment_id = ?",
		"DELETE FROM cl_experiments WHERE id = ?",
	};
	for (size_t i = 0; i < 3; i++) {
		if (ws_prepare(ws, sql[i], &st, err))
			return -1;
		sqlite3_bind_int64(st, 1, id);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return ws_dberr(ws, err, "deleting experiment");
	}
	return 0;
}

int exp_save(struct workspace *ws, struct exp_meta *meta, const struct exp_data *d,
             int replace, struct cl_err *err)
{
	sqlite3_stmt *st = NULL;
	long long id, arm_id[AB_MAX_ARMS];
	int k = d->narms;

	if (!meta->name || !*meta->name)
		return cl_err_set(err, CL_EINVAL, "an experiment needs a name");
	if (k < 1)
		return cl_err_set(err, CL_EINVAL, "experiment '%s' has no arms", meta->name);
	if (ws_begin(ws, err))
		return -1;
	if (exp_id(ws, meta->name, &id, err))
		goto fail;
	if (id) {
		if (!replace) {
			cl_err_set(err, CL_EINVAL, "experiment '%s' already exists (choose another name, "
			           "or replace it)", meta->name);
			goto fail;
		}
		if (exp_delete(ws, meta->name, err))
			goto fail;
	}
	char *now = ws_now_iso();
	if (ws_prepare(ws, "INSERT INTO cl_experiments(name, run_id, simulated, control_arm, "
	               "planned_split, planned_n, source, params, created_at) VALUES(?,?,?,?,?,?,?,?,?)",
	               &st, err))
		goto fail;
	sqlite3_bind_text(st, 1, meta->name, -1, SQLITE_TRANSIENT);
	if (meta->run_id > 0)
		sqlite3_bind_int64(st, 2, meta->run_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int(st, 3, meta->simulated ? 1 : 0);
	bind_text_or_null(st, 4, meta->control ? meta->control : d->arm[0]);
	bind_text_or_null(st, 5, meta->split);
	if (meta->planned_n > 0)
		sqlite3_bind_int64(st, 6, meta->planned_n);
	else
		sqlite3_bind_null(st, 6);
	bind_text_or_null(st, 7, meta->source);
	bind_text_or_null(st, 8, meta->params);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_TRANSIENT);
	free(now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		ws_dberr(ws, err, "saving experiment");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	meta->id = sqlite3_last_insert_rowid(ws->db);

	if (ws_prepare(ws, "INSERT INTO cl_arms(experiment_id, name, variant_id) VALUES(?,?,?)", &st, err))
		goto fail;
	for (int i = 0; i < k; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, meta->id);
		sqlite3_bind_text(st, 2, d->arm[i], -1, SQLITE_TRANSIENT);
		if (d->variant_id[i] > 0)
			sqlite3_bind_int64(st, 3, d->variant_id[i]);
		else
			sqlite3_bind_null(st, 3);
		if (sqlite3_step(st) != SQLITE_DONE) {
			ws_dberr(ws, err, "saving arm");
			cl_err_prefix(err, "arm '%s'", d->arm[i]);
			goto fail;
		}
		arm_id[i] = sqlite3_last_insert_rowid(ws->db);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (ws_prepare(ws, "INSERT INTO cl_results(arm_id, day, n, clicks, conversions, revenue, "
	               "revenue_sq) VALUES(?,?,?,?,?,?,?)", &st, err))
		goto fail;
	for (int t = 0; t < d->ndays; t++)
		for (int i = 0; i < k; i++) {
			size_t c = (size_t)t * (size_t)k + (size_t)i;
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, arm_id[i]);
			bind_text_or_null(st, 2, d->has_days ? d->day[t] : NULL);
			sqlite3_bind_int64(st, 3, d->n[c]);
			if (d->has_clicks)
				sqlite3_bind_int64(st, 4, d->clicks[c]);
			else
				sqlite3_bind_null(st, 4);
			sqlite3_bind_int64(st, 5, d->conv[c]);
			if (d->has_revenue)
				sqlite3_bind_double(st, 6, d->rev[c]);
			else
				sqlite3_bind_null(st, 6);
			if (d->has_revenue_sq)
				sqlite3_bind_double(st, 7, d->rev_sq[c]);
			else
				sqlite3_bind_null(st, 7);
			if (sqlite3_step(st) != SQLITE_DONE) {
				ws_dberr(ws, err, "saving results");
				goto fail;
			}
		}
	sqlite3_finalize(st);
	return ws_commit(ws, err);
fail:
	sqlite3_finalize(st);
	ws_rollback(ws);
	return -1;
}

static void meta_from_row(sqlite3_stmt *st, struct exp_meta *m)
{
	memset(m, 0, sizeof *m);
	m->id = sqlite3_column_int64(st, 0);
	m->name = ws_col_dup(st, 1);
	m->run_id = sqlite3_column_int64(st, 2);
	m->simulated = sqlite3_column_int(st, 3);
	m->control = ws_col_dup(st, 4);
	m->split = ws_col_dup(st, 5);
	m->planned_n = sqlite3_column_int64(st, 6);
	m->source = ws_col_dup(st, 7);
	m->params = ws_col_dup(st, 8);
	m->created_at = ws_col_dup(st, 9);
}

#define META_COLS "e.id, e.name, e.run_id, e.simulated, e.control_arm, e.planned_split, " \
                  "e.planned_n, e.source, e.params, e.created_at"

int exp_load(struct workspace *ws, const char *name, struct exp_meta *meta,
             struct exp_data **out, struct cl_err *err)
{
	sqlite3_stmt *st;
	struct exp_data *d;
	int rc;

	*out = NULL;
	memset(meta, 0, sizeof *meta);
	if (ws_prepare(ws, "SELECT " META_COLS " FROM cl_experiments e WHERE e.name = ?", &st, err))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return cl_err_set(err, CL_ENOTFOUND, "no experiment named '%s' (see `copylab experiments`)",
		                  name);
	}
	meta_from_row(st, meta);
	sqlite3_finalize(st);
	d = exp_data_new();
	if (ws_prepare(ws, "SELECT name, variant_id FROM cl_arms WHERE experiment_id = ? ORDER BY id",
	               &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, meta->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *an = (const char *)sqlite3_column_text(st, 0);
		int i = find_arm(d, an ? an : "?", err);
		if (i < 0) {
			sqlite3_finalize(st);
			goto fail;
		}
		d->variant_id[i] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (ws_prepare(ws, "SELECT a.name, r.day, r.n, r.conversions, r.clicks, r.revenue, r.revenue_sq "
	               "FROM cl_results r JOIN cl_arms a ON a.id = r.arm_id WHERE a.experiment_id = ? "
	               "ORDER BY r.day, a.id", &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, meta->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *an = (const char *)sqlite3_column_text(st, 0);
		const char *day = (const char *)sqlite3_column_text(st, 1);
		int64_t clicks = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
		double rev = ws_col_real(st, 5);
		double rev2 = ws_col_real(st, 6);
		if (exp_data_add(d, an ? an : "?", day, sqlite3_column_int64(st, 2),
		                 sqlite3_column_int64(st, 3), clicks, rev, rev2, err)) {
			sqlite3_finalize(st);
			cl_err_prefix(err, "experiment '%s'", name);
			goto fail;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ws_dberr(ws, err, "loading results");
		goto fail;
	}
	sort_days(d);
	*out = d;
	return 0;
fail:
	exp_data_free(d);
	exp_meta_clear(meta);
	return -1;
}

int exp_list(struct workspace *ws, struct exp_summary **out, size_t *n, struct cl_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (ws_prepare(ws, "SELECT " META_COLS ", "
	               " (SELECT count(*) FROM cl_arms a WHERE a.experiment_id = e.id),"
	               " (SELECT count(DISTINCT r.day) FROM cl_results r JOIN cl_arms a ON a.id = r.arm_id"
	               "   WHERE a.experiment_id = e.id),"
	               " (SELECT coalesce(sum(r.n), 0) FROM cl_results r JOIN cl_arms a ON a.id = r.arm_id"
	               "   WHERE a.experiment_id = e.id),"
	               " (SELECT coalesce(sum(r.conversions), 0) FROM cl_results r JOIN cl_arms a"
	               "   ON a.id = r.arm_id WHERE a.experiment_id = e.id)"
	               " FROM cl_experiments e ORDER BY e.id DESC", &st, err))
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		struct exp_summary *s = &(*out)[(*n)++];
		meta_from_row(st, &s->meta);
		s->narms = sqlite3_column_int(st, 10);
		s->ndays = sqlite3_column_int(st, 11);
		s->visitors = sqlite3_column_int64(st, 12);
		s->conversions = sqlite3_column_int64(st, 13);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		exp_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return ws_dberr(ws, err, "listing experiments");
	}
	return 0;
}

void exp_list_free(struct exp_summary *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		exp_meta_clear(&s[i].meta);
	free(s);
}

/* ---- linking arms to variants ---- */

static long long one_id(sqlite3_stmt *st)
{
	long long id = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return id;
}

/* "12", "#12", "v12", "V12" -> 12; otherwise 0 */
static long index_of_name(const char *s)
{
	if (*s == '#' || *s == 'v' || *s == 'V')
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	char *end;
	long v = strtol(s, &end, 10);
	return *end ? 0 : v;
}

int exp_link_variants(struct workspace *ws, struct exp_data *d, long long run_id,
                      struct cl_err *err)
{
	sqlite3_stmt *by_id = NULL, *by_text = NULL, *by_idx = NULL;
	int linked = 0;
	if (run_id > 0) {
		int found;
		if (ws_prepare(ws, "SELECT 1 FROM cl_runs WHERE id = ?", &by_id, err))
			return -1;
		sqlite3_bind_int64(by_id, 1, run_id);
		found = sqlite3_step(by_id) == SQLITE_ROW;
		sqlite3_finalize(by_id);
		by_id = NULL;
		if (!found)
			return cl_err_set(err, CL_ENOTFOUND, "no run %lld (see copylab runs)", run_id);
	}
	if (ws_prepare(ws, "SELECT id FROM cl_variants WHERE id = ?1 AND (?2 = 0 OR run_id = ?2)",
	               &by_id, err) ||
	    ws_prepare(ws, "SELECT v.id FROM cl_variants v WHERE (?2 = 0 OR v.run_id = ?2) AND "
	               " (v.text = ?1 OR EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(v.fields)"
	               "  THEN v.fields ELSE '{}' END) j WHERE j.type = 'text' AND j.value = ?1))"
	               " ORDER BY v.id DESC LIMIT 1", &by_text, err) ||
	    ws_prepare(ws, "SELECT id FROM cl_variants WHERE run_id = ?1 AND idx = ?2", &by_idx, err)) {
		sqlite3_finalize(by_id);
		sqlite3_finalize(by_text);
		return -1;
	}
	for (int i = 0; i < d->narms; i++) {
		long long id = 0;
		if (d->variant_id[i] > 0) {
			sqlite3_bind_int64(by_id, 1, d->variant_id[i]);
			sqlite3_bind_int64(by_id, 2, run_id);
			id = one_id(by_id);
		}
		for (int pass = 0; !id && pass < 2; pass++) {
			const char *t = pass == 0 ? d->text[i] : d->arm[i];
			if (!t || !*t)
				continue;
			sqlite3_bind_text(by_text, 1, t, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(by_text, 2, run_id);
			id = one_id(by_text);
		}
		if (!id && run_id > 0) {
			long idx = index_of_name(d->arm[i]);
			if (idx > 0) {
				sqlite3_bind_int64(by_idx, 1, run_id);
				sqlite3_bind_int64(by_idx, 2, idx);
				id = one_id(by_idx);
			}
		}
		d->variant_id[i] = id;
		linked += id > 0;
	}
	sqlite3_finalize(by_id);
	sqlite3_finalize(by_text);
	sqlite3_finalize(by_idx);
	return linked;
}

/* ---- the analysis bundle ---- */

void exp_analysis_free(struct exp_analysis *a)
{
	if (!a)
		return;
	exp_meta_clear(&a->meta);
	exp_data_free(a->data);
	free(a->cum_rate);
	free(a->cum_n);
	free(a->seq_p);
	free(a);
}

int exp_analyze_data(struct exp_data *d, const struct exp_meta *meta,
                     const struct exp_opts *opts, struct exp_analysis **out,
                     struct cl_err *err)
{
	static const struct exp_opts none;
	struct exp_analysis *a = xcalloc(1, sizeof *a);
	*out = NULL;
	a->data = d;
	if (!opts)
		opts = &none;
	if (meta)
		meta_copy(&a->meta, meta);
	if (opts->control) {
		free(a->meta.control);
		a->meta.control = xstrdup(opts->control);
	}
	if (opts->split) {
		free(a->meta.split);
		a->meta.split = xstrdup(opts->split);
	}
	if (exp_data_input(d, a->meta.control, a->meta.split, &a->in, err))
		goto fail;
	a->in.alpha = opts->alpha;
	a->in.prior_a = opts->prior_a;
	a->in.prior_b = opts->prior_b;
	a->in.seq_tau = opts->tau;
	int k = d->narms;
	a->ndays = d->has_days && d->ndays > 0 ? d->ndays : 1;
	size_t cells = (size_t)a->ndays * (size_t)k;
	a->seq_p = xcalloc(cells, sizeof *a->seq_p);
	a->cum_rate = xcalloc(cells, sizeof *a->cum_rate);
	a->cum_n = xcalloc(cells, sizeof *a->cum_n);
	if (ab_analyze(&a->in, &a->res, a->seq_p, err))
		goto fail;
	for (int i = 0; i < k; i++) {
		int64_t cn = 0, cc = 0;
		for (int t = 0; t < a->ndays; t++) {
			if (a->in.ndays > 0) {
				cn += d->n[t * k + i];
				cc += d->conv[t * k + i];
			} else {
				cn = a->in.n[i];
				cc = a->in.conv[i];
			}
			a->cum_n[t * k + i] = cn;
			a->cum_rate[t * k + i] = cn > 0 ? (double)cc / (double)cn : 0;
		}
		ab_beta_density(a->res.arm[i].post_a, a->res.arm[i].post_b, EXP_DENSITY_POINTS,
		                a->dens_x[i], a->dens_y[i]);
		a->visitors += a->in.n[i];
	}
	a->planned_total = a->meta.planned_n > 0 ? a->meta.planned_n * k : 0;
	a->progress = a->planned_total > 0 ? (double)a->visitors / (double)a->planned_total : 0;
	*out = a;
	return 0;
fail:
	if (a->meta.name)
		cl_err_prefix(err, "experiment '%s'", a->meta.name);
	exp_analysis_free(a);
	return -1;
}

int exp_analyze(struct workspace *ws, const char *name, const struct exp_opts *opts,
                struct exp_analysis **out, struct cl_err *err)
{
	struct exp_meta meta;
	struct exp_data *d;
	*out = NULL;
	if (exp_load(ws, name, &meta, &d, err))
		return -1;
	int rc = exp_analyze_data(d, &meta, opts, out, err);
	exp_meta_clear(&meta);
	return rc;
}

/* ---- JSON ---- */

static void add_num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

cJSON *exp_analysis_json(const struct exp_analysis *a)
{
	const struct ab_result *r = &a->res;
	const struct ab_input *in = &a->in;
	int k = r->narms, c = r->control;
	cJSON *o = cJSON_CreateObject(), *arms, *cmps, *seq, *scmp;

	cJSON_AddStringToObject(o, "control", in->name[c]);
	add_num(o, "alpha", r->alpha);
	arms = cJSON_AddArrayToObject(o, "arms");
	for (int i = 0; i < k; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", in->name[i]);
		add_num(x, "n", (double)in->n[i]);
		add_num(x, "conversions", (double)in->conv[i]);
		add_num(x, "rate", r->arm[i].rate);
		add_num(x, "ci_low", r->arm[i].ci_low);
		add_num(x, "ci_high", r->arm[i].ci_high);
		add_num(x, "prob_best", r->arm[i].prob_best);
		add_num(x, "expected_loss", r->arm[i].expected_loss);
		cJSON_AddItemToArray(arms, x);
	}
	cmps = cJSON_AddArrayToObject(o, "comparisons");
	for (int i = 0; i < k; i++) {
		const struct ab_cmp_stats *s = &r->cmp[i];
		if (i == c)
			continue;
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "arm", in->name[i]);
		cJSON_AddStringToObject(x, "vs", in->name[c]);
		add_num(x, "abs_lift", s->abs_lift);
		if (s->rel_lift_ok)
			add_num(x, "rel_lift", s->rel_lift);
		else
			cJSON_AddNullToObject(x, "rel_lift");
		add_num(x, "diff_ci_low", s->diff_ci_low);
		add_num(x, "diff_ci_high", s->diff_ci_high);
		add_num(x, "p_value", s->p_value);
		add_num(x, "p_value_adj", s->p_value_adj);
		add_num(x, "prob_beat_control", s->prob_beat);
		add_num(x, "expected_loss", s->expected_loss);
		cJSON_AddItemToArray(cmps, x);
	}
	if (r->srm_applicable)
		add_num(o, "srm_p_value", r->srm_p);
	else
		cJSON_AddNullToObject(o, "srm_p_value");   /* adaptive allocation */
	seq = cJSON_AddObjectToObject(o, "sequential");
	cJSON_AddStringToObject(seq, "method", "mSPRT, normal mixture (Johari et al. 2017)");
	add_num(seq, "tau", r->seq_tau);
	add_num(seq, "alpha_per_comparison", r->seq_alpha);
	add_num(seq, "looks", r->nlooks);
	scmp = cJSON_AddArrayToObject(seq, "comparisons");
	for (int i = 0; i < k; i++) {
		const struct ab_cmp_stats *s = &r->cmp[i];
		if (i == c)
			continue;
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "arm", in->name[i]);
		cJSON_AddStringToObject(x, "vs", in->name[c]);
		add_num(x, "p_value", s->seq_p);
		add_num(x, "ci_low", s->seq_ci_low);
		add_num(x, "ci_high", s->seq_ci_high);
		cJSON_AddBoolToObject(x, "significant", s->seq_p <= r->seq_alpha);
		if (s->seq_first_look > 0)
			add_num(x, "first_look", s->seq_first_look);
		else
			cJSON_AddNullToObject(x, "first_look");
		cJSON_AddItemToArray(scmp, x);
	}
	cJSON_AddStringToObject(seq, "verdict", r->seq_verdict_text);
	cJSON_AddStringToObject(o, "verdict", r->verdict_text);
	/* extras */
	cJSON_AddBoolToObject(o, "srm_warning", r->srm_warning);
	if (!r->srm_applicable)
		cJSON_AddStringToObject(o, "srm_note", "not applicable: adaptive allocation");
	add_num(o, "srm_chi2", r->srm_chi2);
	cJSON *prior = cJSON_AddArrayToObject(o, "prior");
	cJSON_AddItemToArray(prior, cJSON_CreateNumber(r->prior_a));
	cJSON_AddItemToArray(prior, cJSON_CreateNumber(r->prior_b));
	if (in->has_revenue) {
		cJSON *rv = cJSON_AddObjectToObject(o, "revenue"), *ra, *rc;
		int any = 0;
		for (int i = 0; i < k; i++)
			any |= r->cmp[i].welch_ok;
		cJSON_AddStringToObject(rv, "method", !any ? "none (needs revenue_sq or 2+ days)" :
		                        r->welch_per_visitor ? "Welch t-test, per visitor"
		                                             : "Welch t-test, per-day revenue per visitor");
		ra = cJSON_AddArrayToObject(rv, "arms");
		for (int i = 0; i < k; i++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "name", in->name[i]);
			add_num(x, "revenue", in->revenue[i]);
			add_num(x, "rpv", r->arm[i].rpv);
			cJSON_AddItemToArray(ra, x);
		}
		rc = cJSON_AddArrayToObject(rv, "comparisons");
		for (int i = 0; i < k; i++) {
			const struct ab_cmp_stats *s = &r->cmp[i];
			if (i == c || !s->welch_ok)
				continue;
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "arm", in->name[i]);
			cJSON_AddStringToObject(x, "vs", in->name[c]);
			add_num(x, "diff", s->rev_diff);
			add_num(x, "t", s->welch_t);
			add_num(x, "df", s->welch_df);
			add_num(x, "p_value", s->welch_p);
			cJSON_AddItemToArray(rc, x);
		}
	}
	if (a->data) {
		/* arm -> generated variant links (the arms objects keep their exact keys) */
		cJSON *lv = NULL;
		for (int i = 0; i < k; i++)
			if (a->data->variant_id[i] > 0) {
				if (!lv)
					lv = cJSON_AddObjectToObject(o, "arm_variants");
				add_num(lv, in->name[i], (double)a->data->variant_id[i]);
			}
	}
	if (a->meta.name)
		cJSON_AddStringToObject(o, "experiment", a->meta.name);
	if (a->meta.simulated) {
		cJSON_AddBoolToObject(o, "simulated", 1);
		cJSON_AddStringToObject(o, "label", "SIMULATED");
	}
	if (a->planned_total > 0) {
		add_num(o, "planned_visitors", (double)a->planned_total);
		add_num(o, "progress", a->progress);
	}
	return o;
}
