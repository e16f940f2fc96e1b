/* plugin.c — the plugin host: shared objects through the C ABI of
 * plugins/copylab_plugin.h, executables through JSON lines (plugins/README.md).
 *
 * Shared objects: dlopen(RTLD_NOW|RTLD_LOCAL), read `copylab_plugin_info`
 * and refuse another ABI before running anything of the plugin's, then call
 * `copylab_plugin_init` with the host API. Registrations go to the plugin's
 * own lists first; if init fails or any registration was refused, the lists
 * are freed and the object closed, so nothing half-loaded remains.
 *
 * Executables: fork/exec with three pipes, one request line out, one reply
 * line back, each bounded by a deadline. SIGPIPE is blocked in the calling
 * thread around writes (and a pending one consumed), so a plugin that died
 * cannot kill copylab. Any protocol failure kills the plugin's process group,
 * reaps it and marks the plugin disabled with the reason.
 */
#include "core/plugin.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/paths.h"
#include "core/query.h"
#include "core/dataset.h"
#include "plugins/copylab_plugin.h"

extern char **environ;

#define HOST_VERSION     "copylab 0.1.0"
#define LINE_MAX_BYTES   (16u << 20)   /* longest reply line accepted */
#define ERR_TAIL         1024          /* stderr bytes kept from an executable */
#define EXPORT_CHUNK     500           /* rows per export request to an executable */

struct copylab_buf {
	struct sbuf sb;
};

struct plugin;

struct preg_scorer {
	struct scorer_type     t;      /* t.data = this */
	struct plugin         *pl;
	char                  *name, *summary;
	struct copylab_scorer  c;      /* shared objects only */
};

struct preg_provider {
	struct provider_type    t;     /* first: the provider's type points here */
	struct plugin          *pl;
	char                   *name, *summary, *model;
	struct copylab_provider c;
};

struct preg_importer {
	struct fmt_importer     t;
	struct plugin          *pl;
	char                   *name, *summary, *ext;
	struct copylab_importer c;
};

struct preg_exporter {
	struct fmt_exporter     t;
	struct plugin          *pl;
	char                   *name, *summary, *ext;
	struct copylab_exporter c;
};

struct plugin {
	struct plugin_host *host;
	char  *path, *name, *version, *summary;
	struct sbuf message, log;
	int    kind, state;
	int    reg_failed;             /* a registration was refused during init */
	void  *dl;
	struct copylab_host api;       /* handed to the plugin, which may keep the pointer */
	/* executables */
	pid_t  pid;
	int    in_fd, out_fd, err_fd;
	struct sbuf rbuf;              /* bytes read from stdout not yet a whole line */
	char   errtail[ERR_TAIL + 1];
	size_t errlen;
	long   next_id;
	pthread_mutex_t mu;
	int    mu_ok;
	/* registrations */
	struct preg_scorer   **sc;  size_t nsc;
	struct preg_provider **pv;  size_t npv;
	struct preg_importer **im;  size_t nim;
	struct preg_exporter **ex;  size_t nex;
};

struct plugin_host {
	struct plugin **p;
	size_t n, cap;
	long   timeout_ms;
	int    disabled;
};

/* ---------------------------------------------------------------- basics */

static int env_on(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}

struct plugin_host *plugin_host_new(const struct plugin_opts *opts)
{
	struct plugin_host *h = xcalloc(1, sizeof *h);
	h->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 0;
	if (!h->timeout_ms) {
		const char *v = getenv("COPYLAB_PLUGIN_TIMEOUT_MS");
		long t = v ? strtol(v, NULL, 10) : 0;
		h->timeout_ms = t > 0 ? t : 10000;
	}
	return h;
}

static int valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			return 0;
	return 1;
}

static void free_regs(struct plugin *pl)
{
	for (size_t i = 0; i < pl->nsc; i++) {
		free(pl->sc[i]->name);
		free(pl->sc[i]->summary);
		free(pl->sc[i]);
	}
	for (size_t i = 0; i < pl->npv; i++) {
		free(pl->pv[i]->name);
		free(pl->pv[i]->summary);
		free(pl->pv[i]->model);
		free(pl->pv[i]);
	}
	for (size_t i = 0; i < pl->nim; i++) {
		free(pl->im[i]->name);
		free(pl->im[i]->summary);
		free(pl->im[i]->ext);
		free(pl->im[i]);
	}
	for (size_t i = 0; i < pl->nex; i++) {
		free(pl->ex[i]->name);
		free(pl->ex[i]->summary);
		free(pl->ex[i]->ext);
		free(pl->ex[i]);
	}
	FREE(&pl->sc);
	FREE(&pl->pv);
	FREE(&pl->im);
	FREE(&pl->ex);
	pl->nsc = pl->npv = pl->nim = pl->nex = 0;
}

static void plugin_log(struct plugin *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void plugin_log(struct plugin *pl, const char *fmt, ...)
{
	if (pl->log.len > 8192)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (pl->log.len)
		sbuf_addc(&pl->log, '\n');
	sbuf_vaddf(&pl->log, fmt, ap);
	va_end(ap);
}

static void set_state(struct plugin *pl, int state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_state(struct plugin *pl, int state, const char *fmt, ...)
{
	va_list ap;
	pl->state = state;
	sbuf_reset(&pl->message);
	va_start(ap, fmt);
	sbuf_vaddf(&pl->message, fmt, ap);
	va_end(ap);
}

/* Is another loaded plugin (or this one) already registering name as kind? */
static int name_taken(const struct plugin_host *h, const struct plugin *self, const char *kind,
                      const char *name)
{
	for (size_t i = 0; i <= h->n; i++) {
		const struct plugin *pl = i < h->n ? h->p[i] : self;
		if (!pl || (i < h->n && (pl == self || pl->state != PLUGIN_LOADED)))
			continue;
		if (strcmp(kind, "scorer") == 0)
			for (size_t j = 0; j < pl->nsc; j++)
				if (strcmp(pl->sc[j]->name, name) == 0)
					return 1;
		if (strcmp(kind, "provider") == 0)
			for (size_t j = 0; j < pl->npv; j++)
				if (strcmp(pl->pv[j]->name, name) == 0)
					return 1;
		if (strcmp(kind, "importer") == 0)
			for (size_t j = 0; j < pl->nim; j++)
				if (strcmp(pl->im[j]->name, name) == 0)
					return 1;
		if (strcmp(kind, "exporter") == 0)
			for (size_t j = 0; j < pl->nex; j++)
				if (strcmp(pl->ex[j]->name, name) == 0)
					return 1;
	}
	return 0;
}

static int check_reg(struct plugin *pl, const char *kind, const char *name)
{
	if (!valid_name(name)) {
		plugin_log(pl, "%s name '%s' refused: use a-z, 0-9, '_', '-', '.' (at most 64)", kind,
		           name ? name : "(null)");
		pl->reg_failed = 1;
		return -1;
	}
	if (name_taken(pl->host, pl, kind, name)) {
		plugin_log(pl, "%s '%s' refused: already registered by a plugin", kind, name);
		pl->reg_failed = 1;
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- buffers */

static void hb_append(struct copylab_buf *b, const char *s, size_t n)
{
	if (b && s && n)
		sbuf_add(&b->sb, s, n);
}

static void hb_puts(struct copylab_buf *b, const char *s)
{
	if (b && s)
		sbuf_adds(&b->sb, s);
}

static void hb_json_string(struct copylab_buf *b, const char *s)
{
	if (!b)
		return;
	cJSON *item = cJSON_CreateString(s ? s : "");
	char *txt = cJSON_PrintUnformatted(item);
	sbuf_adds(&b->sb, txt ? txt : "\"\"");
	free(txt);
	cJSON_Delete(item);
}

static void hb_json_number(struct copylab_buf *b, double v)
{
	if (!b)
		return;
	if (!isfinite(v))
		sbuf_adds(&b->sb, "null");
	else
		sbuf_addf(&b->sb, "%.17g", v);
}

/* ---------------------------------------------------------------- shared-object wrappers */

static int so_score(const struct scorer_type *self, const struct score_ctx *ctx, double *value,
                    cJSON **detail, struct cl_err *err)
{
	struct preg_scorer *ps = self->data;
	char *fields = ctx->in && ctx->in->fields ? cJSON_PrintUnformatted(ctx->in->fields) : NULL;
	struct copylab_score_input in = {
		.text = ctx->text ? ctx->text : "", .fields_json = fields,
		.channel = ctx->channel ? ctx->channel : "", .lang = ctx->lang ? ctx->lang : "en",
		.segment = ctx->in ? ctx->in->segment : NULL,
	};
	struct copylab_buf buf = { SBUF_INIT };
	double v = 0;
	int rc = ps->c.score(ps->c.data, &in, &v, &buf);
	free(fields);
	if (rc < 0) {
		cl_err_set(err, CL_EINVAL, "plugin scorer '%s': %s", ps->name,
		           buf.sb.len ? sbuf_str(&buf.sb) : "failed");
		sbuf_free(&buf.sb);
		return -1;
	}
	if (rc == 0) {
		sbuf_free(&buf.sb);
		return 0;
	}
	if (!isfinite(v)) {
		sbuf_free(&buf.sb);
		return cl_err_set(err, CL_EINVAL, "plugin scorer '%s' returned a value that is not a number",
		                  ps->name);
	}
	*value = v < 0 ? 0 : v > 1 ? 1 : v;
	if (detail) {
		cJSON *d = buf.sb.len ? cJSON_Parse(sbuf_str(&buf.sb)) : NULL;
		if (buf.sb.len && (!d || !cJSON_IsObject(d))) {
			cJSON_Delete(d);
			d = cJSON_CreateObject();
			cJSON_AddStringToObject(d, "text", sbuf_str(&buf.sb));
		}
		*detail = d ? d : cJSON_CreateObject();
	}
	sbuf_free(&buf.sb);
	return 1;
}

static int so_complete(struct provider *p, const struct provider_req *req,
                       struct provider_result *res, struct cl_err *err)
{
	const struct preg_provider *pp = (const struct preg_provider *)p->type;
	char *bind = req->bind ? cJSON_PrintUnformatted(req->bind) : NULL;
	struct copylab_gen_request r = {
		.system = req->system, .user = req->user ? req->user : "",
		.model = req->model ? req->model : p->model, .temperature = req->temperature,
		.max_tokens = req->max_tokens, .seed = req->seed, .json = req->json,
		.language = req->language, .channel = req->channel, .tone = req->tone,
		.fields = req->fields, .nfields = req->nfields, .variant = req->variant,
		.bind_json = bind,
	};
	struct copylab_buf text = { SBUF_INIT }, e = { SBUF_INIT };
	double t0 = cl_now_ms();
	int rc = pp->c.generate(pp->c.data, &r, &text, &e);
	free(bind);
	res->latency_ms = cl_now_ms() - t0;
	res->attempts = 1;
	res->tokens_in = res->tokens_out = -1;
	if (rc) {
		res->error = xasprintf("plugin provider '%s': %s", pp->name,
		                       e.sb.len ? sbuf_str(&e.sb) : "failed");
		res->text = xstrdup("");
	} else {
		res->text = sbuf_detach(&text.sb);
		res->model = xstrdup(r.model ? r.model : pp->name);
		res->finish_reason = xstrdup("stop");
	}
	sbuf_free(&text.sb);
	sbuf_free(&e.sb);
	(void)err;
	return 0;
}

/* Run a read-only SELECT over src, calling begin(columns) once and row() per row. */
struct row_walk {
	int (*begin)(void *ctx, const char *const *cols, size_t n, struct cl_err *err);
	int (*row)(void *ctx, const char *const *vals, size_t n, struct cl_err *err);
	void *ctx;
};

static int walk_source(struct workspace *ws, const struct fmt_source *src,
                       const struct row_walk *w, int64_t *rows, struct cl_err *err)
{
	char *sql;
	if (src->table) {
		if (!ws_table_exists(ws, src->table))
			return cl_err_set(err, CL_ENOTFOUND, "no table '%s'", src->table);
		char *q = ws_quote_ident(src->table);
		sql = xasprintf("SELECT * FROM %s", q);
		free(q);
	} else if (src->sql)
		sql = xstrdup(src->sql);
	else
		return cl_err_set(err, CL_EINVAL, "nothing to export: give a table or a query");
	sqlite3_stmt *st = NULL;
	int rc = query_prepare(ws, sql, &st, err);
	free(sql);
	if (rc)
		return -1;
	int n = sqlite3_column_count(st);
	const char **cols = xcalloc((size_t)n + 1, sizeof *cols);
	const char **vals = xcalloc((size_t)n + 1, sizeof *vals);
	for (int i = 0; i < n; i++)
		cols[i] = sqlite3_column_name(st, i);
	int64_t count = 0;
	rc = w->begin(w->ctx, cols, (size_t)n, err);
	while (rc == 0) {
		int s = sqlite3_step(st);
		if (s == SQLITE_DONE)
			break;
		if (s != SQLITE_ROW) {
			rc = cl_err_set(err, CL_EDB, "reading rows: %s",
			                sqlite3_errmsg(sqlite3_db_handle(st)));
			break;
		}
		for (int i = 0; i < n; i++)
			vals[i] = sqlite3_column_type(st, i) == SQLITE_NULL
			          ? NULL : (const char *)sqlite3_column_text(st, i);
		rc = w->row(w->ctx, vals, (size_t)n, err);
		count++;
	}
	sqlite3_finalize(st);
	free(cols);
	free(vals);
	if (rows)
		*rows = count;
	return rc;
}

struct so_export_ctx {
	const struct preg_exporter *pe;
	void  *state;
	FILE  *out;
	struct copylab_buf buf;
	int    begun;
};

static int so_flush(struct so_export_ctx *x, int rc, const char *what, struct cl_err *err)
{
	if (rc) {
		cl_err_set(err, CL_EINVAL, "plugin exporter '%s' failed in %s: %s", x->pe->name, what,
		           x->buf.sb.len ? sbuf_str(&x->buf.sb) : "no reason given");
		sbuf_reset(&x->buf.sb);
		return -1;
	}
	if (x->buf.sb.len && fwrite(x->buf.sb.buf, 1, x->buf.sb.len, x->out) != x->buf.sb.len)
		return cl_err_set(err, CL_EIO, "write failed: %s", strerror(errno));
	sbuf_reset(&x->buf.sb);
	return 0;
}

static int so_ex_begin(void *ctx, const char *const *cols, size_t n, struct cl_err *err)
{
	struct so_export_ctx *x = ctx;
	x->begun = 1;
	return so_flush(x, x->pe->c.begin ? x->pe->c.begin(x->pe->c.data, &x->state, cols, n, &x->buf)
	                                   : 0, "begin", err);
}

static int so_ex_row(void *ctx, const char *const *vals, size_t n, struct cl_err *err)
{
	struct so_export_ctx *x = ctx;
	return so_flush(x, x->pe->c.row(x->pe->c.data, x->state, vals, n, &x->buf), "row", err);
}

static int so_export(const struct fmt_exporter *self, struct workspace *ws,
                     const struct fmt_source *src, FILE *out, int64_t *rows, struct cl_err *err)
{
	struct so_export_ctx x = { .pe = self->data, .out = out, .buf = { SBUF_INIT } };
	struct row_walk w = { so_ex_begin, so_ex_row, &x };
	int rc = walk_source(ws, src, &w, rows, err);
	if (x.begun) {
		/* end() always runs once begin did, so the plugin frees its state. */
		int erc = x.pe->c.end ? x.pe->c.end(x.pe->c.data, x.state, &x.buf) : 0;
		if (rc == 0)
			rc = so_flush(&x, erc, "end", err);
	}
	sbuf_free(&x.buf.sb);
	return rc;
}

/* Importer sink: rows go to a temporary JSONL file that ds_import reads, so
 * a plugin's import gets the same type inference and all-or-nothing import. */
struct so_import_ctx {
	FILE   *tmp;
	char  **cols;
	size_t  ncols;
	int     failed;
};

static int imp_columns(void *ctx, const char *const *names, size_t n)
{
	struct so_import_ctx *x = ctx;
	if (x->cols || !n)
		return x->failed = -1;
	x->cols = xcalloc(n, sizeof *x->cols);
	for (size_t i = 0; i < n; i++)
		x->cols[i] = xstrdup(names[i] ? names[i] : "");
	x->ncols = n;
	return 0;
}

static int imp_row(void *ctx, const char *const *vals, size_t n)
{
	struct so_import_ctx *x = ctx;
	if (!x->cols)
		return x->failed = -1;
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < x->ncols; i++) {
		const char *v = i < n ? vals[i] : NULL;
		cJSON_AddItemToObject(o, x->cols[i], v ? cJSON_CreateString(v) : cJSON_CreateNull());
	}
	char *line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	int bad = fprintf(x->tmp, "%s\n", line) < 0;
	free(line);
	return bad ? (x->failed = -1) : 0;
}

static char *table_from_path(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	char *t = xstrdup(b);
	char *dot = strchr(t, '.');
	if (dot && dot != t)
		*dot = '\0';
	for (char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	return t;
}

static int so_import(const struct fmt_importer *self, struct workspace *ws, const char *path,
                     const char *table, int replace, int64_t *rows, struct cl_err *err)
{
	const struct preg_importer *pi = self->data;
	const char *tmpdir = getenv("TMPDIR");
	char *tpath = xasprintf("%s/copylab-import-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	int fd = mkstemp(tpath);
	if (fd < 0) {
		cl_err_set(err, CL_EIO, "%s: cannot create a temporary file: %s", tpath, strerror(errno));
		free(tpath);
		return -1;
	}
	struct so_import_ctx x = { .tmp = fdopen(fd, "w") };
	struct copylab_row_sink sink = { &x, imp_columns, imp_row };
	struct copylab_buf e = { SBUF_INIT };
	int rc = x.tmp ? pi->c.import(pi->c.data, path, &sink, &e) : -1;
	if (x.tmp && fclose(x.tmp) && rc == 0)
		rc = -1;
	else if (!x.tmp)
		close(fd);
	if (rc || x.failed) {
		cl_err_set(err, CL_EINVAL, "%s: plugin importer '%s' failed: %s", path, pi->name,
		           e.sb.len ? sbuf_str(&e.sb) : "no reason given");
		rc = -1;
	} else {
		char *tname = table ? xstrdup(table) : table_from_path(path);
		struct ds_import_opts o = { .path = tpath, .table = tname, .format = DS_FMT_JSONL,
		                            .mode = replace ? DS_REPLACE : DS_CREATE };
		struct ds_import_report rep = {0};
		rc = ds_import(ws, &o, &rep, err);
		if (rc == 0 && rows)
			*rows = rep.rows;
		ds_import_report_clear(&rep);
		free(tname);
	}
	unlink(tpath);
	free(tpath);
	for (size_t i = 0; i < x.ncols; i++)
		free(x.cols[i]);
	free(x.cols);
	sbuf_free(&e.sb);
	return rc;
}

/* ---------------------------------------------------------------- registration (host API) */

#define GROW(arr, n) ((arr) = xreallocarray((arr), (n) + 1, sizeof *(arr)))

static struct preg_scorer *add_scorer(struct plugin *pl, const char *name, const char *summary,
                                      double weight)
{
	struct preg_scorer *ps = xcalloc(1, sizeof *ps);
	ps->pl = pl;
	ps->name = xstrdup(name);
	ps->summary = xstrdup(summary ? summary : "");
	ps->t.name = ps->name;
	ps->t.summary = ps->summary;
	ps->t.weight = isfinite(weight) && weight >= 0 ? weight : 1.0;
	ps->t.data = ps;
	GROW(pl->sc, pl->nsc);
	pl->sc[pl->nsc++] = ps;
	return ps;
}

static struct preg_provider *add_provider(struct plugin *pl, const char *name,
                                          const char *summary, const char *model)
{
	struct preg_provider *pp = xcalloc(1, sizeof *pp);
	pp->pl = pl;
	pp->name = xstrdup(name);
	pp->summary = xasprintf("%s (plugin %s)", summary && *summary ? summary : name, pl->name);
	pp->model = xstrdup(model && *model ? model : name);
	pp->t.name = pp->name;
	pp->t.summary = pp->summary;
	pp->t.default_model = pp->model;
	pp->t.local = 1;
	GROW(pl->pv, pl->npv);
	pl->pv[pl->npv++] = pp;
	return pp;
}

static struct preg_exporter *add_exporter(struct plugin *pl, const char *name,
                                          const char *summary, const char *ext)
{
	struct preg_exporter *pe = xcalloc(1, sizeof *pe);
	pe->pl = pl;
	pe->name = xstrdup(name);
	pe->summary = xstrdup(summary ? summary : "");
	pe->ext = xstrdup(ext && *ext ? ext : "txt");
	pe->t.name = pe->name;
	pe->t.summary = pe->summary;
	pe->t.extension = pe->ext;
	pe->t.data = pe;
	GROW(pl->ex, pl->nex);
	pl->ex[pl->nex++] = pe;
	return pe;
}

static int api_register_scorer(void *ctx, const struct copylab_scorer *s)
{
	struct plugin *pl = ctx;
	if (!s || !s->score) {
		plugin_log(pl, "scorer refused: no score function");
		pl->reg_failed = 1;
		return -1;
	}
	if (check_reg(pl, "scorer", s->name))
		return -1;
	struct preg_scorer *ps = add_scorer(pl, s->name, s->summary, s->weight);
	ps->c = *s;
	ps->t.score = so_score;
	return 0;
}

static int api_register_provider(void *ctx, const struct copylab_provider *p)
{
	struct plugin *pl = ctx;
	if (!p || !p->generate) {
		plugin_log(pl, "provider refused: no generate function");
		pl->reg_failed = 1;
		return -1;
	}
	if (check_reg(pl, "provider", p->name))
		return -1;
	struct preg_provider *pp = add_provider(pl, p->name, p->summary, p->default_model);
	pp->c = *p;
	pp->t.complete = so_complete;
	return 0;
}

static int api_register_importer(void *ctx, const struct copylab_importer *i)
{
	struct plugin *pl = ctx;
	if (!i || !i->import) {
		plugin_log(pl, "importer refused: no import function");
		pl->reg_failed = 1;
		return -1;
	}
	if (check_reg(pl, "importer", i->name))
		return -1;
	struct preg_importer *pi = xcalloc(1, sizeof *pi);
	pi->pl = pl;
	pi->name = xstrdup(i->name);
	pi->summary = xstrdup(i->summary ? i->summary : "");
	pi->ext = xstrdup(i->extensions ? i->extensions : "");
	pi->t.name = pi->name;
	pi->t.summary = pi->summary;
	pi->t.extensions = pi->ext;
	pi->t.import = so_import;
	pi->t.data = pi;
	pi->c = *i;
	GROW(pl->im, pl->nim);
	pl->im[pl->nim++] = pi;
	return 0;
}

static int api_register_exporter(void *ctx, const struct copylab_exporter *e)
{
	struct plugin *pl = ctx;
	if (!e || !e->row) {
		plugin_log(pl, "exporter refused: no row function");
		pl->reg_failed = 1;
		return -1;
	}
	if (check_reg(pl, "exporter", e->name))
		return -1;
	struct preg_exporter *pe = add_exporter(pl, e->name, e->summary, e->extension);
	pe->c = *e;
	pe->t.export = so_export;
	return 0;
}

static void api_log(void *ctx, int level, const char *msg)
{
	struct plugin *pl = ctx;
	plugin_log(pl, "%s: %s", level == COPYLAB_LOG_ERROR ? "error"
	                         : level == COPYLAB_LOG_WARN ? "warning" : "info",
	           msg ? msg : "");
}

/* ---------------------------------------------------------------- shared objects */

static int load_shared(struct plugin *pl, struct cl_err *err)
{
	dlerror();
	pl->dl = dlopen(pl->path, RTLD_NOW | RTLD_LOCAL);
	if (!pl->dl) {
		const char *e = dlerror();
		set_state(pl, PLUGIN_FAILED, "cannot load: %s", e ? e : "dlopen failed");
		return -1;
	}
	const struct copylab_plugin_info *info = dlsym(pl->dl, COPYLAB_PLUGIN_INFO_SYMBOL);
	int (*init)(const struct copylab_host *, int);
	*(void **)&init = dlsym(pl->dl, COPYLAB_PLUGIN_INIT_SYMBOL);
	if (!info) {
		set_state(pl, PLUGIN_REFUSED, "not a copylab plugin: no %s symbol "
		          "(declare it with COPYLAB_PLUGIN(...))", COPYLAB_PLUGIN_INFO_SYMBOL);
		goto undo;
	}
	if (info->abi != COPYLAB_PLUGIN_ABI_VERSION) {
		set_state(pl, PLUGIN_REFUSED, "built for plugin ABI %d, this copylab speaks ABI %d: "
		          "rebuild it against this copylab's plugins/copylab_plugin.h",
		          info->abi, COPYLAB_PLUGIN_ABI_VERSION);
		goto undo;
	}
	if (info->name && valid_name(info->name)) {
		free(pl->name);
		pl->name = xstrdup(info->name);
	}
	free(pl->version);
	pl->version = xstrdup(info->version ? info->version : "");
	free(pl->summary);
	pl->summary = xstrdup(info->summary ? info->summary : "");
	if (!init) {
		set_state(pl, PLUGIN_REFUSED, "not a copylab plugin: no %s function",
		          COPYLAB_PLUGIN_INIT_SYMBOL);
		goto undo;
	}
	pl->api = (struct copylab_host){
		.abi_version = COPYLAB_PLUGIN_ABI_VERSION, .size = sizeof pl->api,
		.host_version = HOST_VERSION, .ctx = pl,
		.register_scorer = api_register_scorer, .register_provider = api_register_provider,
		.register_importer = api_register_importer,
		.register_exporter = api_register_exporter, .log = api_log,
		.buf_append = hb_append, .buf_puts = hb_puts, .buf_json_string = hb_json_string,
		.buf_json_number = hb_json_number,
	};
	int rc = init(&pl->api, COPYLAB_PLUGIN_ABI_VERSION);
	if (rc != 0) {
		set_state(pl, PLUGIN_FAILED, "%s returned %d; its registrations were rolled back",
		          COPYLAB_PLUGIN_INIT_SYMBOL, rc);
		goto undo;
	}
	if (pl->reg_failed) {
		set_state(pl, PLUGIN_FAILED, "a registration was refused (%s); "
		          "its registrations were rolled back", sbuf_str(&pl->log));
		goto undo;
	}
	pl->state = PLUGIN_LOADED;
	return 0;
undo:
	free_regs(pl);
	dlclose(pl->dl);
	pl->dl = NULL;
	(void)err;
	return -1;
}

/* ---------------------------------------------------------------- executables */

static long long now_ms(void)
{
	return (long long)cl_now_ms();
}

static void drain_stderr(struct plugin *pl)
{
	char tmp[512];
	for (;;) {
		ssize_t r = read(pl->err_fd, tmp, sizeof tmp);
		if (r <= 0)
			return;
		for (ssize_t i = 0; i < r; i++) {
			if (pl->errlen == ERR_TAIL) {
				memmove(pl->errtail, pl->errtail + 1, ERR_TAIL - 1);
				pl->errlen--;
			}
			pl->errtail[pl->errlen++] = tmp[i];
		}
		pl->errtail[pl->errlen] = '\0';
	}
}

/* Kill the plugin's process group (if still running) and reap it; returns the
 * wait status, or -1 when it was not known. grace_ms: how long to wait for a
 * voluntary exit first. */
static int exec_stop(struct plugin *pl, long grace_ms)
{
	int status = -1;
	if (pl->in_fd >= 0) {
		close(pl->in_fd);
		pl->in_fd = -1;
	}
	if (pl->pid > 0) {
		long long end = now_ms() + grace_ms;
		pid_t r;
		while ((r = waitpid(pl->pid, &status, WNOHANG)) == 0 && now_ms() < end) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		if (r == 0) {
			kill(-pl->pid, SIGKILL);
			kill(pl->pid, SIGKILL);
			while (waitpid(pl->pid, &status, 0) < 0 && errno == EINTR)
				;
		} else if (r < 0)
			status = -1;
		pl->pid = 0;
	}
	if (pl->err_fd >= 0) {
		drain_stderr(pl);
		close(pl->err_fd);
		pl->err_fd = -1;
	}
	if (pl->out_fd >= 0) {
		close(pl->out_fd);
		pl->out_fd = -1;
	}
	return status;
}

static void describe_status(struct sbuf *sb, int status)
{
	if (status < 0)
		sbuf_adds(sb, "it exited");
	else if (WIFSIGNALED(status))
		sbuf_addf(sb, "it was killed by signal %d (%s)", WTERMSIG(status),
		          strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		sbuf_addf(sb, "it exited with status %d", WEXITSTATUS(status));
}

/* Disable an executable: what went wrong, then its exit and the end of its stderr. */
static void exec_disable(struct plugin *pl, int status_known, int status, const char *what)
{
	struct sbuf sb = SBUF_INIT;
	sbuf_adds(&sb, what);
	if (status_known) {
		sbuf_adds(&sb, "; ");
		describe_status(&sb, status);
	}
	if (pl->errlen) {
		/* the last line or two of stderr, trimmed */
		const char *t = pl->errtail;
		size_t n = pl->errlen;
		while (n && (t[n - 1] == '\n' || t[n - 1] == '\r'))
			n--;
		const char *start = t + n;
		int lines = 0;
		while (start > t && lines < 2) {
			start--;
			if (*start == '\n')
				lines++;
		}
		if (*start == '\n')
			start++;
		sbuf_addf(&sb, "; stderr: %.*s", (int)(t + n - start), start);
	}
	set_state(pl, PLUGIN_DISABLED, "%s", sbuf_str(&sb));
	sbuf_free(&sb);
}

static int exec_spawn(struct plugin *pl)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC)) {
		set_state(pl, PLUGIN_FAILED, "cannot start: pipe: %s", strerror(errno));
		goto fail;
	}
	/* The environment is built before fork: the child only calls
	 * async-signal-safe functions. */
	size_t ne = 0;
	while (environ && environ[ne])
		ne++;
	char **envp = xcalloc(ne + 2, sizeof *envp);
	char abi[] = "COPYLAB_PLUGIN_ABI=1";
	size_t k = 0;
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "COPYLAB_PLUGIN_ABI=", 19) != 0)
			envp[k++] = environ[i];
	envp[k++] = abi;
	envp[k] = NULL;
	char *argv[] = { pl->path, NULL };
	pid_t pid = fork();
	if (pid < 0) {
		free(envp);
		set_state(pl, PLUGIN_FAILED, "cannot start: fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(pin[0], 0) < 0 || dup2(pout[1], 1) < 0 || dup2(perr[1], 2) < 0)
			_exit(126);
		close_range(3, ~0u, 0);
		execve(pl->path, argv, envp);
		_exit(127);
	}
	free(envp);
	setpgid(pid, pid);   /* also from the parent, so kill(-pid) works at once */
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	pl->pid = pid;
	pl->in_fd = pin[1];
	pl->out_fd = pout[0];
	pl->err_fd = perr[0];
	fcntl(pl->in_fd, F_SETFL, fcntl(pl->in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(pl->out_fd, F_SETFL, fcntl(pl->out_fd, F_GETFL) | O_NONBLOCK);
	fcntl(pl->err_fd, F_SETFL, fcntl(pl->err_fd, F_GETFL) | O_NONBLOCK);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (pin[i] >= 0)
			close(pin[i]);
		if (pout[i] >= 0)
			close(pout[i]);
		if (perr[i] >= 0)
			close(perr[i]);
	}
	return -1;
}

/* Write all of buf before the deadline. 0 ok, -1 timed out, -2 the pipe closed. */
static int write_all(struct plugin *pl, const char *buf, size_t len, long long deadline)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	int rc = 0;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(pl->in_fd, buf + off, len - off);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN) {
			rc = -2;
			break;
		}
		long long left = deadline - now_ms();
		if (left <= 0) {
			rc = -1;
			break;
		}
		struct pollfd fds[2] = { { pl->in_fd, POLLOUT, 0 }, { pl->err_fd, POLLIN, 0 } };
		if (poll(fds, 2, (int)(left > 1000 ? 1000 : left)) > 0 && (fds[1].revents & POLLIN))
			drain_stderr(pl);
	}
	/* Consume a SIGPIPE raised by this thread's write before unblocking it. */
	sigset_t pending;
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&block, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Read one line before the deadline into *line (caller frees). 0 ok,
 * -1 timed out, -2 end of output, -3 line too long. */
static int read_line(struct plugin *pl, long long deadline, char **line)
{
	for (;;) {
		char *nl = pl->rbuf.len ? memchr(pl->rbuf.buf, '\n', pl->rbuf.len) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - pl->rbuf.buf);
			*line = xstrndup(pl->rbuf.buf, n);
			memmove(pl->rbuf.buf, nl + 1, pl->rbuf.len - n - 1);
			pl->rbuf.len -= n + 1;
			pl->rbuf.buf[pl->rbuf.len] = '\0';
			return 0;
		}
		if (pl->rbuf.len > LINE_MAX_BYTES)
			return -3;
		long long left = deadline - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd fds[2] = { { pl->out_fd, POLLIN, 0 }, { pl->err_fd, POLLIN, 0 } };
		int pr = poll(fds, pl->err_fd >= 0 ? 2 : 1, (int)(left > 1000 ? 1000 : left));
		if (pr < 0 && errno != EINTR)
			return -2;
		if (pr <= 0)
			continue;
		if (fds[1].revents & POLLIN)
			drain_stderr(pl);
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char tmp[65536];
			ssize_t r = read(pl->out_fd, tmp, sizeof tmp);
			if (r > 0)
				sbuf_add(&pl->rbuf, tmp, (size_t)r);
			else if (r == 0 || (errno != EAGAIN && errno != EINTR))
				return -2;
		}
	}
}

static char *shorten(const char *s, size_t max)
{
	size_t n = strlen(s);
	struct sbuf sb = SBUF_INIT;
	for (size_t i = 0; i < n && i < max; i++)
		sbuf_addc(&sb, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
	if (n > max)
		sbuf_adds(&sb, "…");
	return sbuf_detach(&sb);
}

/* Send req (takes it) and read the reply. Returns 0 with *reply (caller
 * frees) when the plugin answered {"ok": true, ...}; -1 with err set
 * otherwise. A broken protocol disables the plugin; an {"ok": false} reply
 * does not. Called with pl->mu held. */
static int exec_call_locked(struct plugin *pl, cJSON *req, const char *what, cJSON **reply,
                            struct cl_err *err)
{
	if (pl->state != PLUGIN_LOADED && !(pl->state == PLUGIN_FAILED && pl->pid > 0)) {
		cJSON_Delete(req);
		return cl_err_set(err, CL_EDENIED, "plugin '%s' is %s: %s", pl->name,
		                  plugin_state_name(pl->state), sbuf_str(&pl->message));
	}
	long id = ++pl->next_id;
	cJSON_AddNumberToObject(req, "id", (double)id);
	char *txt = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	size_t len = strlen(txt);
	txt = xrealloc(txt, len + 2);
	txt[len++] = '\n';
	txt[len] = '\0';
	long long deadline = now_ms() + pl->host->timeout_ms;
	int w = write_all(pl, txt, len, deadline);
	free(txt);
	char *line = NULL;
	int r = w ? w : read_line(pl, deadline, &line);
	char *why = NULL;
	if (r == -1) {
		why = xasprintf("did not answer %s within %ld ms, so it was killed", what,
		                pl->host->timeout_ms);
		exec_stop(pl, 0);
		exec_disable(pl, 0, 0, why);
	} else if (r == -2) {
		why = xasprintf("crashed while answering %s (its output ended)", what);
		int st = exec_stop(pl, 500);
		exec_disable(pl, st >= 0, st, why);
	} else if (r == -3) {
		why = xasprintf("wrote a reply line over %u bytes to %s", LINE_MAX_BYTES, what);
		exec_stop(pl, 0);
		exec_disable(pl, 0, 0, why);
	}
	if (why) {
		free(why);
		return cl_err_set(err, CL_EIO, "plugin '%s' %s", pl->name, sbuf_str(&pl->message));
	}
	cJSON *rep = cJSON_Parse(line);
	const cJSON *rid = rep ? cJSON_GetObjectItemCaseSensitive(rep, "id") : NULL;
	const cJSON *ok = rep ? cJSON_GetObjectItemCaseSensitive(rep, "ok") : NULL;
	if (!rep || !cJSON_IsObject(rep) || !cJSON_IsBool(ok) ||
	    (rid && (!cJSON_IsNumber(rid) || (long)rid->valuedouble != id))) {
		char *s = shorten(line, 60);
		why = xasprintf("wrote garbage instead of a JSON reply to %s: '%s'", what, s);
		free(s);
		cJSON_Delete(rep);
		free(line);
		exec_stop(pl, 0);
		exec_disable(pl, 0, 0, why);
		free(why);
		return cl_err_set(err, CL_EIO, "plugin '%s' %s", pl->name, sbuf_str(&pl->message));
	}
	free(line);
	if (!cJSON_IsTrue(ok)) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(rep, "error");
		cl_err_set(err, CL_EINVAL, "plugin '%s' could not %s: %s", pl->name, what,
		           cJSON_IsString(e) ? e->valuestring : "no reason given");
		cJSON_Delete(rep);
		return -1;
	}
	*reply = rep;
	return 0;
}

static int exec_call(struct plugin *pl, cJSON *req, const char *what, cJSON **reply,
                     struct cl_err *err)
{
	pthread_mutex_lock(&pl->mu);
	int rc = exec_call_locked(pl, req, what, reply, err);
	pthread_mutex_unlock(&pl->mu);
	return rc;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int ex_score(const struct scorer_type *self, const struct score_ctx *ctx, double *value,
                    cJSON **detail, struct cl_err *err)
{
	struct preg_scorer *ps = self->data;
	if (ps->pl->state != PLUGIN_LOADED)
		return 0;   /* a disabled plugin's scorer no longer applies */
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "type", "score");
	cJSON_AddStringToObject(req, "scorer", ps->name);
	cJSON_AddStringToObject(req, "text", ctx->text ? ctx->text : "");
	cJSON_AddStringToObject(req, "channel", ctx->channel ? ctx->channel : "");
	cJSON_AddStringToObject(req, "lang", ctx->lang ? ctx->lang : "en");
	if (ctx->in && ctx->in->segment)
		cJSON_AddStringToObject(req, "segment", ctx->in->segment);
	if (ctx->in && ctx->in->fields)
		cJSON_AddItemToObject(req, "fields", cJSON_Duplicate(ctx->in->fields, 1));
	cJSON *rep = NULL;
	struct cl_err e = {0};
	if (exec_call(ps->pl, req, "a score request", &rep, &e)) {
		plugin_log(ps->pl, "%s", e.msg);
		return 0;   /* reported in the plugin's state/log; scoring goes on */
	}
	const cJSON *applies = cJSON_GetObjectItemCaseSensitive(rep, "applies");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rep, "value");
	int rc = 1;
	if (cJSON_IsFalse(applies))
		rc = 0;
	else if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
		plugin_log(ps->pl, "score reply without a numeric \"value\"");
		rc = 0;
	} else {
		*value = v->valuedouble < 0 ? 0 : v->valuedouble > 1 ? 1 : v->valuedouble;
		if (detail) {
			cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(rep, "detail");
			if (d && !cJSON_IsObject(d)) {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddItemToObject(o, "value", d);
				d = o;
			}
			*detail = d ? d : cJSON_CreateObject();
		}
	}
	cJSON_Delete(rep);
	(void)err;
	return rc;
}

static int ex_complete(struct provider *p, const struct provider_req *req,
                       struct provider_result *res, struct cl_err *err)
{
	const struct preg_provider *pp = (const struct preg_provider *)p->type;
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "type", "generate");
	cJSON_AddStringToObject(r, "provider", pp->name);
	if (req->system)
		cJSON_AddStringToObject(r, "system", req->system);
	cJSON_AddStringToObject(r, "user", req->user ? req->user : "");
	cJSON_AddStringToObject(r, "model", req->model ? req->model : p->model ? p->model : pp->model);
	if (req->temperature >= 0)
		cJSON_AddNumberToObject(r, "temperature", req->temperature);
	if (req->max_tokens > 0)
		cJSON_AddNumberToObject(r, "max_tokens", req->max_tokens);
	if (req->seed >= 0)
		cJSON_AddNumberToObject(r, "seed", (double)req->seed);
	cJSON_AddBoolToObject(r, "json", req->json);
	if (req->language)
		cJSON_AddStringToObject(r, "language", req->language);
	if (req->channel)
		cJSON_AddStringToObject(r, "channel", req->channel);
	if (req->tone)
		cJSON_AddStringToObject(r, "tone", req->tone);
	cJSON *f = cJSON_AddArrayToObject(r, "fields");
	for (size_t i = 0; i < req->nfields; i++)
		cJSON_AddItemToArray(f, cJSON_CreateString(req->fields[i]));
	cJSON_AddNumberToObject(r, "variant", req->variant);
	if (req->bind)
		cJSON_AddItemToObject(r, "bind", cJSON_Duplicate(req->bind, 1));
	cJSON *rep = NULL;
	struct cl_err e = {0};
	double t0 = cl_now_ms();
	res->attempts = 1;
	res->tokens_in = res->tokens_out = -1;
	if (exec_call(pp->pl, r, "a generate request", &rep, &e)) {
		res->error = xstrdup(e.msg);
		res->text = xstrdup("");
	} else {
		const char *text = jstr(rep, "text");
		const char *model = jstr(rep, "model");
		const cJSON *ti = cJSON_GetObjectItemCaseSensitive(rep, "tokens_in");
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(rep, "tokens_out");
		if (!text)
			res->error = xasprintf("plugin provider '%s' replied without \"text\"", pp->name);
		res->text = xstrdup(text ? text : "");
		res->model = xstrdup(model ? model : pp->model);
		res->finish_reason = xstrdup("stop");
		if (cJSON_IsNumber(ti))
			res->tokens_in = (long)ti->valuedouble;
		if (cJSON_IsNumber(to))
			res->tokens_out = (long)to->valuedouble;
	}
	res->latency_ms = cl_now_ms() - t0;
	cJSON_Delete(rep);
	(void)err;
	return 0;
}

struct ex_export_ctx {
	const struct preg_exporter *pe;
	FILE  *out;
	cJSON *rows;        /* pending rows, sent in chunks */
	size_t nrows;
	int    begun;
};

static int ex_send(struct ex_export_ctx *x, cJSON *req, const char *phase, struct cl_err *err)
{
	cJSON_AddStringToObject(req, "type", "export");
	cJSON_AddStringToObject(req, "exporter", x->pe->name);
	cJSON_AddStringToObject(req, "phase", phase);
	cJSON *rep = NULL;
	char what[64];
	snprintf(what, sizeof what, "an export %s request", phase);
	if (exec_call(x->pe->pl, req, what, &rep, err))
		return -1;
	const char *o = jstr(rep, "output");
	size_t n = o ? strlen(o) : 0;
	int rc = 0;
	if (n && fwrite(o, 1, n, x->out) != n)
		rc = cl_err_set(err, CL_EIO, "write failed: %s", strerror(errno));
	cJSON_Delete(rep);
	return rc;
}

static int ex_flush_rows(struct ex_export_ctx *x, struct cl_err *err)
{
	if (!x->nrows)
		return 0;
	cJSON *req = cJSON_CreateObject();
	cJSON_AddItemToObject(req, "rows", x->rows);
	x->rows = cJSON_CreateArray();
	x->nrows = 0;
	return ex_send(x, req, "rows", err);
}

static int ex_ex_begin(void *ctx, const char *const *cols, size_t n, struct cl_err *err)
{
	struct ex_export_ctx *x = ctx;
	cJSON *req = cJSON_CreateObject();
	cJSON *c = cJSON_AddArrayToObject(req, "columns");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(c, cJSON_CreateString(cols[i] ? cols[i] : ""));
	x->begun = 1;
	return ex_send(x, req, "begin", err);
}

static int ex_ex_row(void *ctx, const char *const *vals, size_t n, struct cl_err *err)
{
	struct ex_export_ctx *x = ctx;
	cJSON *row = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(row, vals[i] ? cJSON_CreateString(vals[i]) : cJSON_CreateNull());
	cJSON_AddItemToArray(x->rows, row);
	if (++x->nrows >= EXPORT_CHUNK)
		return ex_flush_rows(x, err);
	return 0;
}

static int ex_export(const struct fmt_exporter *self, struct workspace *ws,
                     const struct fmt_source *src, FILE *out, int64_t *rows, struct cl_err *err)
{
	struct ex_export_ctx x = { .pe = self->data, .out = out, .rows = cJSON_CreateArray() };
	struct row_walk w = { ex_ex_begin, ex_ex_row, &x };
	int rc = walk_source(ws, src, &w, rows, err);
	if (rc == 0)
		rc = ex_flush_rows(&x, err);
	if (rc == 0 && x.begun)
		rc = ex_send(&x, cJSON_CreateObject(), "end", err);
	cJSON_Delete(x.rows);
	return rc;
}

/* Read the describe reply into registrations. */
static int exec_take_describe(struct plugin *pl, const cJSON *rep)
{
	const cJSON *abi = cJSON_GetObjectItemCaseSensitive(rep, "abi");
	if (cJSON_IsNumber(abi) && (int)abi->valuedouble != COPYLAB_PLUGIN_ABI_VERSION) {
		set_state(pl, PLUGIN_REFUSED, "speaks plugin protocol %d, this copylab speaks %d",
		          (int)abi->valuedouble, COPYLAB_PLUGIN_ABI_VERSION);
		return -1;
	}
	const char *name = jstr(rep, "name");
	if (name && valid_name(name)) {
		free(pl->name);
		pl->name = xstrdup(name);
	}
	const char *v = jstr(rep, "version");
	const char *s = jstr(rep, "summary");
	free(pl->version);
	pl->version = xstrdup(v ? v : "");
	free(pl->summary);
	pl->summary = xstrdup(s ? s : "");
	static const char *const kinds[] = { "scorers", "providers", "exporters" };
	size_t total = 0;
	for (size_t k = 0; k < 3; k++) {
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(rep, kinds[k]);
		if (arr && !cJSON_IsArray(arr)) {
			set_state(pl, PLUGIN_FAILED, "describe: \"%s\" is not an array", kinds[k]);
			return -1;
		}
		const cJSON *it;
		cJSON_ArrayForEach(it, arr) {
			const char *n = cJSON_IsString(it) ? it->valuestring : jstr(it, "name");
			const char *sum = cJSON_IsObject(it) ? jstr(it, "summary") : NULL;
			const char *singular = k == 0 ? "scorer" : k == 1 ? "provider" : "exporter";
			if (check_reg(pl, singular, n)) {
				set_state(pl, PLUGIN_FAILED, "describe: %s", sbuf_str(&pl->log));
				return -1;
			}
			if (k == 0) {
				const cJSON *wt = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "weight")
				                                     : NULL;
				struct preg_scorer *ps = add_scorer(pl, n, sum,
				                                    cJSON_IsNumber(wt) ? wt->valuedouble : 1.0);
				ps->t.score = ex_score;
			} else if (k == 1) {
				struct preg_provider *pp = add_provider(pl, n, sum,
				                                        cJSON_IsObject(it) ? jstr(it, "model") : NULL);
				pp->t.complete = ex_complete;
			} else {
				struct preg_exporter *pe = add_exporter(pl, n, sum,
				                                        cJSON_IsObject(it) ? jstr(it, "extension")
				                                                           : NULL);
				pe->t.export = ex_export;
			}
			total++;
		}
	}
	if (!total) {
		set_state(pl, PLUGIN_FAILED, "describe: it offers no scorers, providers or exporters");
		return -1;
	}
	return 0;
}

static int load_exec(struct plugin *pl, struct cl_err *err)
{
	if (exec_spawn(pl))
		return -1;
	pl->state = PLUGIN_FAILED;     /* until describe has been answered */
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "type", "describe");
	cJSON_AddNumberToObject(req, "abi", COPYLAB_PLUGIN_ABI_VERSION);
	cJSON_AddStringToObject(req, "copylab", HOST_VERSION);
	cJSON *rep = NULL;
	struct cl_err e = {0};
	pthread_mutex_lock(&pl->mu);
	int rc = exec_call_locked(pl, req, "describe", &rep, &e);
	pthread_mutex_unlock(&pl->mu);
	if (rc) {
		if (pl->state == PLUGIN_FAILED)   /* an {"ok": false} reply */
			set_state(pl, PLUGIN_FAILED, "%s", e.msg);
		exec_stop(pl, 200);
		return -1;
	}
	rc = exec_take_describe(pl, rep);
	cJSON_Delete(rep);
	if (rc) {
		free_regs(pl);
		exec_stop(pl, 200);
		return -1;
	}
	pl->state = PLUGIN_LOADED;
	(void)err;
	return 0;
}

/* ---------------------------------------------------------------- host */

static struct plugin *plugin_new(struct plugin_host *h, const char *path, int kind)
{
	struct plugin *pl = xcalloc(1, sizeof *pl);
	pl->host = h;
	pl->path = xstrdup(path);
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	pl->name = xstrdup(b);
	char *dot = strrchr(pl->name, '.');
	if (dot && dot != pl->name)
		*dot = '\0';
	pl->version = xstrdup("");
	pl->summary = xstrdup("");
	pl->kind = kind;
	pl->in_fd = pl->out_fd = pl->err_fd = -1;
	pl->mu_ok = pthread_mutex_init(&pl->mu, NULL) == 0;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8;
		h->p = xreallocarray(h->p, h->cap, sizeof *h->p);
	}
	h->p[h->n++] = pl;
	return pl;
}

static int is_shared_object(const char *path)
{
	size_t n = strlen(path);
	return n > 3 && strcmp(path + n - 3, ".so") == 0;
}

int plugin_load(struct plugin_host *h, const char *path, struct cl_err *err)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return cl_err_set(err, CL_ENOTFOUND, "%s: no such plugin file", path);
	int kind = is_shared_object(path) ? PLUGIN_SHARED : PLUGIN_EXEC;
	/* A plugin file name seen earlier in the search path wins. */
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	for (size_t i = 0; i < h->n; i++) {
		const char *ob = strrchr(h->p[i]->path, '/');
		ob = ob ? ob + 1 : h->p[i]->path;
		if (strcmp(ob, b) == 0 && h->p[i]->state == PLUGIN_LOADED) {
			struct plugin *pl = plugin_new(h, path, kind);
			set_state(pl, PLUGIN_SHADOWED, "%s is loaded instead", h->p[i]->path);
			return cl_err_set(err, CL_EINVAL, "%s: %s", path, sbuf_str(&pl->message));
		}
	}
	struct plugin *pl = plugin_new(h, path, kind);
	int rc;
	if (kind == PLUGIN_EXEC && access(path, X_OK) != 0) {
		set_state(pl, PLUGIN_FAILED, "not executable (chmod +x it, or name a shared object *.so)");
		rc = -1;
	} else
		rc = kind == PLUGIN_SHARED ? load_shared(pl, err) : load_exec(pl, err);
	if (rc)
		return cl_err_set(err, CL_EINVAL, "%s: %s", path, sbuf_str(&pl->message));
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int plugin_load_dir(struct plugin_host *h, const char *dir, struct cl_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		int keep = stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		           (is_shared_object(p) || access(p, X_OK) == 0);
		free(p);
		if (!keep)
			continue;
		GROW(names, n);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		struct cl_err e = {0};
		plugin_load(h, p, &e);   /* recorded in the plugin's state */
		free(p);
		free(names[i]);
	}
	free(names);
	(void)err;
	return 0;
}

char **plugin_search_dirs(size_t *n)
{
	char **dirs = NULL, **real = NULL;
	size_t k = 0;
	const char *pp = getenv("COPYLAB_PLUGIN_PATH");
	char *cand[64];
	size_t nc = 0;
	if (pp && *pp) {
		char *copy = xstrdup(pp);
		for (char *save = NULL, *t = strtok_r(copy, ":", &save); t && nc < 60;
		     t = strtok_r(NULL, ":", &save))
			cand[nc++] = xstrdup(t);
		free(copy);
	}
	char *data = cl_data_path("plugins");
	if (data)
		cand[nc++] = data;
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		cand[nc++] = xasprintf("%s/copylab/plugins", xdg);
	else if (home && *home)
		cand[nc++] = xasprintf("%s/.local/share/copylab/plugins", home);
	for (size_t i = 0; i < nc; i++) {
		char *rp = realpath(cand[i], NULL);
		int dup = 0;
		for (size_t j = 0; j < k && rp; j++)
			if (real[j] && strcmp(real[j], rp) == 0)
				dup = 1;
		if (dup) {
			free(rp);
			free(cand[i]);
			continue;
		}
		GROW(dirs, k);
		GROW(real, k);
		dirs[k] = cand[i];
		real[k] = rp;
		k++;
	}
	for (size_t i = 0; i < k; i++)
		free(real[i]);
	free(real);
	*n = k;
	return dirs;
}

int plugin_host_discover(struct plugin_host *h, struct cl_err *err)
{
	if (env_on("COPYLAB_NO_PLUGINS")) {
		h->disabled = 1;
		return 0;
	}
	size_t n;
	char **dirs = plugin_search_dirs(&n);
	for (size_t i = 0; i < n; i++) {
		plugin_load_dir(h, dirs[i], err);
		free(dirs[i]);
	}
	free(dirs);
	return 0;
}

int plugin_host_load_default(struct plugin_host **out, struct cl_err *err)
{
	struct plugin_host *h = plugin_host_new(NULL);
	if (plugin_host_discover(h, err)) {
		plugin_host_free(h);
		return -1;
	}
	*out = h;
	return 0;
}

int plugin_host_disabled(const struct plugin_host *h)
{
	return h->disabled;
}

void plugin_host_free(struct plugin_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++) {
		struct plugin *pl = h->p[i];
		if (pl->kind == PLUGIN_EXEC)
			exec_stop(pl, 300);
		free_regs(pl);
		if (pl->dl)
			dlclose(pl->dl);
		if (pl->mu_ok)
			pthread_mutex_destroy(&pl->mu);
		free(pl->path);
		free(pl->name);
		free(pl->version);
		free(pl->summary);
		sbuf_free(&pl->message);
		sbuf_free(&pl->log);
		sbuf_free(&pl->rbuf);
		free(pl);
	}
	free(h->p);
	free(h);
}

size_t plugin_count(const struct plugin_host *h)
{
	return h ? h->n : 0;
}

void plugin_get(const struct plugin_host *h, size_t i, struct plugin_info *out)
{
	const struct plugin *pl = h->p[i];
	out->path = pl->path;
	out->name = pl->name;
	out->version = pl->version;
	out->summary = pl->summary;
	out->kind = pl->kind;
	out->state = pl->state;
	out->message = sbuf_str(&pl->message);
	out->log = sbuf_str(&pl->log);
	out->nscorers = pl->nsc;
	out->nproviders = pl->npv;
	out->nimporters = pl->nim;
	out->nexporters = pl->nex;
}

const char *plugin_registered(const struct plugin_host *h, size_t i, const char *kind, size_t j)
{
	const struct plugin *pl = h->p[i];
	if (strcmp(kind, "scorer") == 0)
		return j < pl->nsc ? pl->sc[j]->name : NULL;
	if (strcmp(kind, "provider") == 0)
		return j < pl->npv ? pl->pv[j]->name : NULL;
	if (strcmp(kind, "importer") == 0)
		return j < pl->nim ? pl->im[j]->name : NULL;
	if (strcmp(kind, "exporter") == 0)
		return j < pl->nex ? pl->ex[j]->name : NULL;
	return NULL;
}

const char *plugin_state_name(int state)
{
	switch (state) {
	case PLUGIN_LOADED:   return "loaded";
	case PLUGIN_REFUSED:  return "refused";
	case PLUGIN_FAILED:   return "failed";
	case PLUGIN_DISABLED: return "disabled";
	case PLUGIN_SHADOWED: return "shadowed";
	}
	return "unknown";
}

char *plugin_host_problems(const struct plugin_host *h)
{
	struct sbuf sb = SBUF_INIT;
	for (size_t i = 0; i < plugin_count(h); i++) {
		const struct plugin *pl = h->p[i];
		if (pl->state == PLUGIN_LOADED || pl->state == PLUGIN_SHADOWED)
			continue;
		sbuf_addf(&sb, "%splugin '%s' is %s: %s", sb.len ? "\n" : "", pl->name,
		          plugin_state_name(pl->state), sbuf_str(&pl->message));
	}
	if (!sb.len) {
		sbuf_free(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

cJSON *plugin_host_json(const struct plugin_host *h)
{
	static const char *const kinds[] = { "scorer", "provider", "importer", "exporter" };
	static const char *const keys[] = { "scorers", "providers", "importers", "exporters" };
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < plugin_count(h); i++) {
		struct plugin_info in;
		plugin_get(h, i, &in);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", in.name);
		cJSON_AddStringToObject(o, "kind", in.kind == PLUGIN_SHARED ? "shared" : "executable");
		cJSON_AddStringToObject(o, "state", plugin_state_name(in.state));
		cJSON_AddStringToObject(o, "version", in.version);
		cJSON_AddStringToObject(o, "summary", in.summary);
		cJSON_AddStringToObject(o, "path", in.path);
		cJSON_AddStringToObject(o, "message", in.message);
		cJSON_AddStringToObject(o, "log", in.log);
		for (size_t k = 0; k < 4; k++) {
			cJSON *a = cJSON_AddArrayToObject(o, keys[k]);
			const char *nm;
			for (size_t j = 0; (nm = plugin_registered(h, i, kinds[k], j)); j++)
				cJSON_AddItemToArray(a, cJSON_CreateString(nm));
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

int plugin_attach_scorers(struct plugin_host *h, struct scoreset *set, struct cl_err *err)
{
	for (size_t i = 0; h && i < h->n; i++) {
		struct plugin *pl = h->p[i];
		if (pl->state != PLUGIN_LOADED)
			continue;
		for (size_t j = 0; j < pl->nsc; j++) {
			struct cl_err e = {0};
			if (scoreset_register(set, &pl->sc[j]->t, &e))
				plugin_log(pl, "scorer '%s' not added: %s", pl->sc[j]->name, e.msg);
		}
	}
	(void)err;
	return 0;
}

int plugin_attach_providers(struct plugin_host *h, struct provider_registry *reg,
                            struct cl_err *err)
{
	for (size_t i = 0; h && i < h->n; i++) {
		struct plugin *pl = h->p[i];
		if (pl->state != PLUGIN_LOADED)
			continue;
		for (size_t j = 0; j < pl->npv; j++) {
			struct cl_err e = {0};
			if (provider_register(reg, &pl->pv[j]->t, &e))
				plugin_log(pl, "provider '%s' not added: %s", pl->pv[j]->name, e.msg);
		}
	}
	(void)err;
	return 0;
}

int plugin_attach_formats(struct plugin_host *h, struct fmt_registry *reg, struct cl_err *err)
{
	for (size_t i = 0; h && i < h->n; i++) {
		struct plugin *pl = h->p[i];
		if (pl->state != PLUGIN_LOADED)
			continue;
		for (size_t j = 0; j < pl->nex; j++) {
			struct cl_err e = {0};
			if (fmt_register_exporter(reg, &pl->ex[j]->t, &e))
				plugin_log(pl, "exporter '%s' not added: %s", pl->ex[j]->name, e.msg);
		}
		for (size_t j = 0; j < pl->nim; j++) {
			struct cl_err e = {0};
			if (fmt_register_importer(reg, &pl->im[j]->t, &e))
				plugin_log(pl, "importer '%s' not added: %s", pl->im[j]->name, e.msg);
		}
	}
	(void)err;
	return 0;
}

int plugin_config_load(struct plugin_host **host, struct cl_config **cfg, struct cl_err *err)
{
	struct cl_err first = {0};
	*host = NULL;
	*cfg = NULL;
	if (config_load(NULL, cfg, &first) == 0)
		return 0;
	/* Only now run plugin code: config.json may name a plugin's type. */
	struct plugin_host *h = NULL;
	struct cl_err e = {0};
	if (env_on("COPYLAB_NO_PLUGINS") || plugin_host_load_default(&h, &e)) {
		plugin_host_free(h);
		if (err)
			*err = first;
		return -1;
	}
	size_t nprov = 0;
	for (size_t i = 0; i < h->n; i++)
		if (h->p[i]->state == PLUGIN_LOADED)
			nprov += h->p[i]->npv;
	if (!nprov) {
		plugin_host_free(h);
		if (err)
			*err = first;
		return -1;
	}
	struct provider_registry *reg = provider_registry_new();
	plugin_attach_providers(h, reg, &e);
	if (config_load(reg, cfg, err)) {   /* the config took reg over, even on failure */
		*cfg = NULL;
		plugin_host_free(h);
		return -1;
	}
	*host = h;
	return 0;
}
