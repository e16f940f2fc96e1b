/* formats.c — importer/exporter registry with the built-in CSV, TSV and JSONL
 * formats wrapping core/dataset.h. */
#include "core/formats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/dataset.h"

struct fmt_registry {
	const struct fmt_exporter **ex;
	size_t nex, capex;
	const struct fmt_importer **im;
	size_t nim, capim;
};

static int ds_fmt_of(const char *name)
{
	return strcmp(name, "tsv") == 0 ? DS_FMT_TSV : strcmp(name, "jsonl") == 0 ? DS_FMT_JSONL
	                                                                           : DS_FMT_CSV;
}

static int builtin_export(const struct fmt_exporter *self, struct workspace *ws,
                          const struct fmt_source *src, FILE *out, int64_t *rows,
                          struct cl_err *err)
{
	struct ds_export_opts o = { .table = src->table, .sql = src->sql,
	                            .format = ds_fmt_of(self->name), .out = out };
	return ds_export(ws, &o, rows, err);
}

static int builtin_import(const struct fmt_importer *self, struct workspace *ws,
                          const char *path, const char *table, int replace, int64_t *rows,
                          struct cl_err *err)
{
	struct ds_import_opts o = { .path = path, .table = table, .format = ds_fmt_of(self->name),
	                            .mode = replace ? DS_REPLACE : DS_CREATE };
	struct ds_import_report rep = {0};
	int rc = ds_import(ws, &o, &rep, err);
	if (rc == 0 && rows)
		*rows = rep.rows;
	ds_import_report_clear(&rep);
	return rc;
}

static const struct fmt_exporter ex_csv = { "csv", "comma-separated values (RFC 4180)", "csv",
                                            builtin_export, NULL };
static const struct fmt_exporter ex_tsv = { "tsv", "tab-separated values", "tsv",
                                            builtin_export, NULL };
static const struct fmt_exporter ex_jsonl = { "jsonl", "JSON Lines, one object per row", "jsonl",
                                              builtin_export, NULL };
static const struct fmt_importer im_csv = { "csv", "comma-separated values (RFC 4180)", "csv,txt",
                                            builtin_import, NULL };
static const struct fmt_importer im_tsv = { "tsv", "tab-separated values", "tsv,tab",
                                            builtin_import, NULL };
static const struct fmt_importer im_jsonl = { "jsonl", "JSON Lines, one object per row",
                                              "jsonl,ndjson,json", builtin_import, NULL };

struct fmt_registry *fmt_registry_new(void)
{
	struct fmt_registry *reg = xcalloc(1, sizeof *reg);
	/* Built-ins go through the same door as a plugin's formats. */
	fmt_register_exporter(reg, &ex_csv, NULL);
	fmt_register_exporter(reg, &ex_tsv, NULL);
	fmt_register_exporter(reg, &ex_jsonl, NULL);
	fmt_register_importer(reg, &im_csv, NULL);
	fmt_register_importer(reg, &im_tsv, NULL);
	fmt_register_importer(reg, &im_jsonl, NULL);
	return reg;
}

void fmt_registry_free(struct fmt_registry *reg)
{
	if (!reg)
		return;
	free(reg->ex);
	free(reg->im);
	free(reg);
}

int fmt_register_exporter(struct fmt_registry *reg, const struct fmt_exporter *e,
                          struct cl_err *err)
{
	if (!e || !e->name || !*e->name || !e->export)
		return cl_err_set(err, CL_EINVAL, "exporter without a name or an export function");
	if (fmt_exporter_find(reg, e->name))
		return cl_err_set(err, CL_EINVAL, "exporter '%s' is already registered", e->name);
	if (reg->nex == reg->capex) {
		reg->capex = reg->capex ? reg->capex * 2 : 8;
		reg->ex = xreallocarray(reg->ex, reg->capex, sizeof *reg->ex);
	}
	reg->ex[reg->nex++] = e;
	return 0;
}

int fmt_register_importer(struct fmt_registry *reg, const struct fmt_importer *i,
                          struct cl_err *err)
{
	if (!i || !i->name || !*i->name || !i->import)
		return cl_err_set(err, CL_EINVAL, "importer without a name or an import function");
	if (fmt_importer_find(reg, i->name))
		return cl_err_set(err, CL_EINVAL, "importer '%s' is already registered", i->name);
	if (reg->nim == reg->capim) {
		reg->capim = reg->capim ? reg->capim * 2 : 8;
		reg->im = xreallocarray(reg->im, reg->capim, sizeof *reg->im);
	}
	reg->im[reg->nim++] = i;
	return 0;
}

const struct fmt_exporter *fmt_exporter_find(const struct fmt_registry *reg, const char *name)
{
	for (size_t i = 0; reg && name && i < reg->nex; i++)
		if (strcmp(reg->ex[i]->name, name) == 0)
			return reg->ex[i];
	return NULL;
}

const struct fmt_importer *fmt_importer_find(const struct fmt_registry *reg, const char *name)
{
	for (size_t i = 0; reg && name && i < reg->nim; i++)
		if (strcmp(reg->im[i]->name, name) == 0)
			return reg->im[i];
	return NULL;
}

const struct fmt_importer *fmt_importer_for_path(const struct fmt_registry *reg,
                                                 const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;
	if (!dot || strchr(dot, '/'))
		return NULL;
	dot++;
	size_t dl = strlen(dot);
	for (size_t i = 0; reg && i < reg->nim; i++) {
		const char *e = reg->im[i]->extensions;
		while (e && *e) {
			size_t l = strcspn(e, ",");
			if (l == dl && strncasecmp(e, dot, l) == 0)
				return reg->im[i];
			e += l;
			if (*e == ',')
				e++;
		}
	}
	return NULL;
}

const struct fmt_exporter *fmt_exporter_at(const struct fmt_registry *reg, size_t i)
{
	return reg && i < reg->nex ? reg->ex[i] : NULL;
}

const struct fmt_importer *fmt_importer_at(const struct fmt_registry *reg, size_t i)
{
	return reg && i < reg->nim ? reg->im[i] : NULL;
}

int fmt_export_file(const struct fmt_exporter *e, struct workspace *ws,
                    const struct fmt_source *src, const char *path, int64_t *rows,
                    struct cl_err *err)
{
	int to_stdout = strcmp(path, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(path, "w");
	if (!f)
		return cl_err_set(err, CL_EIO, "%s: cannot create: %s", path, strerror(errno));
	int rc = e->export(e, ws, src, f, rows, err);
	if (to_stdout) {
		if (fflush(f) && rc == 0)
			rc = cl_err_set(err, CL_EIO, "stdout: write failed");
		return rc;
	}
	if (fclose(f) && rc == 0)
		rc = cl_err_set(err, CL_EIO, "%s: write failed: %s", path, strerror(errno));
	if (rc)
		remove(path);
	return rc;
}
