/* mdtable.c — an example copylab plugin: an exporter writing a table as a
 * GitHub-flavoured Markdown table (pipes and newlines in values escaped),
 * for pasting results into a wiki page, an issue or a brief.
 *
 * Build: cc -fPIC -shared -I.. -o mdtable.so mdtable.c
 */
#include <string.h>

#include "copylab_plugin.h"

COPYLAB_PLUGIN("mdtable", "1.0", "export tables as Markdown");

static const struct copylab_host *host;

static void cell(struct copylab_buf *out, const char *v)
{
	host->buf_puts(out, " ");
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '|')
			host->buf_puts(out, "\\|");
		else if (*p == '\n')
			host->buf_puts(out, "<br>");
		else if (*p != '\r')
			host->buf_append(out, p, 1);
	}
	host->buf_puts(out, " |");
}

static int md_begin(void *data, void **state, const char *const *cols, size_t n,
                    struct copylab_buf *out)
{
	(void)data;
	(void)state;
	host->buf_puts(out, "|");
	for (size_t i = 0; i < n; i++)
		cell(out, cols[i]);
	host->buf_puts(out, "\n|");
	for (size_t i = 0; i < n; i++)
		host->buf_puts(out, " --- |");
	host->buf_puts(out, "\n");
	return 0;
}

static int md_row(void *data, void *state, const char *const *vals, size_t n,
                  struct copylab_buf *out)
{
	(void)data;
	(void)state;
	host->buf_puts(out, "|");
	for (size_t i = 0; i < n; i++)
		cell(out, vals[i]);
	host->buf_puts(out, "\n");
	return 0;
}

int copylab_plugin_init(const struct copylab_host *h, int abi_version)
{
	static const struct copylab_exporter e = {
		.name = "markdown", .summary = "GitHub-flavoured Markdown table", .extension = "md",
		.begin = md_begin, .row = md_row,
	};
	(void)abi_version;
	host = h;
	return h->register_exporter(h->ctx, &e);
}
