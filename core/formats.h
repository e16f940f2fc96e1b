/* formats.h — the importer and exporter registry: file formats a table can be
 * read from or written to. The built-ins (csv, tsv, jsonl) are small wrappers
 * over core/dataset.h and register through the same door a plugin's formats
 * do (core/plugin.h attaches those).
 */
#ifndef CL_FORMATS_H
#define CL_FORMATS_H

#include <stdint.h>
#include <stdio.h>
#include "core/util.h"
#include "core/workspace.h"

/* What is exported: a table, or the rows of a read-only query. */
struct fmt_source {
	const char *table;     /* one of table / sql */
	const char *sql;
};

/* An exporter writes src to out; *rows (may be NULL) gets the row count. */
struct fmt_exporter {
	const char *name;       /* "csv", "markdown" */
	const char *summary;
	const char *extension;  /* without the dot */
	int       (*export)(const struct fmt_exporter *self, struct workspace *ws,
	                    const struct fmt_source *src, FILE *out, int64_t *rows,
	                    struct cl_err *err);
	void       *data;
};

/* An importer reads path into table (created; replace = 1 replaces one of
 * that name), all or nothing; *rows (may be NULL) gets the rows added. */
struct fmt_importer {
	const char *name;
	const char *summary;
	const char *extensions; /* comma-separated, without dots */
	int       (*import)(const struct fmt_importer *self, struct workspace *ws,
	                    const char *path, const char *table, int replace, int64_t *rows,
	                    struct cl_err *err);
	void       *data;
};

struct fmt_registry;

/* A registry holding the built-in csv, tsv and jsonl formats; free with
 * fmt_registry_free. */
struct fmt_registry *fmt_registry_new(void);
void fmt_registry_free(struct fmt_registry *reg);
/* Add a format (kept by pointer: it must outlive the registry). A second one
 * with the same name is refused. */
int fmt_register_exporter(struct fmt_registry *reg, const struct fmt_exporter *e,
                          struct cl_err *err);
int fmt_register_importer(struct fmt_registry *reg, const struct fmt_importer *i,
                          struct cl_err *err);
/* By name, or NULL. */
const struct fmt_exporter *fmt_exporter_find(const struct fmt_registry *reg, const char *name);
const struct fmt_importer *fmt_importer_find(const struct fmt_registry *reg, const char *name);
/* The importer whose extensions hold path's extension, or NULL. */
const struct fmt_importer *fmt_importer_for_path(const struct fmt_registry *reg,
                                                 const char *path);
/* The i-th registered one, NULL past the end. */
const struct fmt_exporter *fmt_exporter_at(const struct fmt_registry *reg, size_t i);
const struct fmt_importer *fmt_importer_at(const struct fmt_registry *reg, size_t i);

/* Run exporter e on src into the file path ("-" = stdout); a failed export
 * removes the partial file. */
int fmt_export_file(const struct fmt_exporter *e, struct workspace *ws,
                    const struct fmt_source *src, const char *path, int64_t *rows,
                    struct cl_err *err);

#endif
