/* cmd_report.c — `:report FILE [RUN]`: write the stakeholder report (HTML or
 * Markdown by the file's extension) of RUN, or of the newest run, through
 * core/report.h. It takes milliseconds, so it runs in place. */
#include "tui/cmd_report.h"

#include <stdlib.h>
#include <string.h>

#include "core/report.h"

static int cmd_report(struct app *a, int argc, char **argv, const char *rest)
{
	(void)rest;
	if (argc < 2 || argc > 3) {
		app_errorf(a, "usage: report FILE.html|FILE.md [RUN]");
		return -1;
	}
	struct report_opts o = { .generator = "copylab" };
	if (argc == 3) {
		char *end;
		long long r = strtoll(argv[2], &end, 10);
		if (*end || r < 1) {
			app_errorf(a, "report: RUN is a run id, not '%s'", argv[2]);
			return -1;
		}
		o.run_id = r;
	}
	if (!report_format_for_path(argv[1])) {
		app_errorf(a, "report: name a .html or .md file");
		return -1;
	}
	struct report_summary sum;
	struct cl_err err = {0};
	if (report_write(app_workspace(a), &o, argv[1], &sum, &err)) {
		app_error(a, &err);
		return -1;
	}
	app_msg(a, "wrote %s: run #%lld, %d variants%s%s", argv[1], sum.run_id, sum.nvariants,
	        *sum.experiment ? ", experiment " : "", sum.experiment);
	return 0;
}

const struct app_cmd tui_report_cmds[] = {
	{ "report", "report FILE.html|FILE.md [RUN]",
	  "write a stakeholder report of RUN (default: the newest run)", "file any", cmd_report },
	{ NULL, NULL, NULL, NULL, NULL },
};
