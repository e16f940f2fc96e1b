/* cmd_report.c — `copylab report`: a stakeholder report of a run and its
 * A/B test as one self-contained HTML file or Markdown. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report.h"

int cmd_report(struct cli *cli, int argc, char **argv)
{
	struct report_opts o = { .generator = "copylab" };
	const char *out = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v && (strcmp(a, "--out") == 0 || strcmp(a, "--experiment") == 0 ||
		           strcmp(a, "--lang") == 0 || strcmp(a, "--format") == 0 ||
		           strcmp(a, "--run") == 0))
			return cli_usage("report", "%s needs a value", a);
		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--out") == 0 && v)
			out = v, i++;
		else if (strcmp(a, "--experiment") == 0 && v)
			o.experiment = v, i++;
		else if (strcmp(a, "--lang") == 0 && v) {
			if (strcmp(v, "en") && strcmp(v, "zh"))
				return cli_usage("report", "--lang is en or zh");
			o.lang = v, i++;
		} else if (strcmp(a, "--format") == 0 && v) {
			if (strcmp(v, "html") == 0)
				o.format = REPORT_HTML;
			else if (strcmp(v, "md") == 0 || strcmp(v, "markdown") == 0)
				o.format = REPORT_MD;
			else
				return cli_usage("report", "--format is html or md");
			i++;
		} else if (strcmp(a, "--run") == 0 && v) {
			long r;
			if (cli_parse_int("report", "--run", v, &r))
				return 2;
			if (r < 1)
				return cli_usage("report", "--run takes a run id (see copylab runs)");
			o.run_id = r, i++;
		} else
			return cli_usage("report", "unknown argument '%s'", a);
	}
	if (!out)
		return cli_usage("report", "--out FILE.html or FILE.md is required");
	if (!o.format && !report_format_for_path(out))
		return cli_usage("report", "%s: name a .html or .md file (or give --format)", out);
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	struct cl_err err = {0};
	struct report_summary sum;
	if (report_write(ws, &o, out, &sum, &err))
		return cli_fail(&err);
	if (json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "path", out);
		cJSON_AddNumberToObject(j, "run", (double)sum.run_id);
		cJSON_AddNumberToObject(j, "variants", sum.nvariants);
		if (*sum.experiment)
			cJSON_AddStringToObject(j, "experiment", sum.experiment);
		else
			cJSON_AddNullToObject(j, "experiment");
		cJSON_AddBoolToObject(j, "simulated", sum.simulated);
		cJSON_AddNumberToObject(j, "redacted", (double)sum.redacted);
		cJSON_AddNumberToObject(j, "bytes", (double)sum.bytes);
		cli_print_json(j);
	} else {
		printf("wrote %s (%zu bytes): run #%lld, %d variants", out, sum.bytes, sum.run_id,
		       sum.nvariants);
		if (*sum.experiment)
			printf(", experiment %s%s", sum.experiment, sum.simulated ? " (SIMULATED)" : "");
		if (sum.redacted)
			printf(", %zu personal values redacted", sum.redacted);
		printf("\n");
	}
	return 0;
}
