/* cmd_info.c — `copylab info`: what the workspace holds. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static long count(struct workspace *ws, const char *table)
{
	char sql[128];
	sqlite3_stmt *st;
	long n = 0;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int cmd_info(struct cli *cli, int argc, char **argv)
{
	static const char *const tables[][2] = {
		{ "datasets", "cl_datasets" }, { "segments", "cl_segments" },
		{ "prompts", "cl_prompts" }, { "runs", "cl_runs" }, { "variants", "cl_variants" },
		{ "scores", "cl_scores" }, { "experiments", "cl_experiments" },
	};
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return cli_usage("info", "unknown argument '%s'", argv[i]);
	}
	struct workspace *ws = cli_workspace(cli, 0);
	if (!ws)
		return 1;
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", ws->path);
		cJSON_AddNumberToObject(o, "schema_version", workspace_schema_version());
		for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
			cJSON_AddNumberToObject(o, tables[i][0], (double)count(ws, tables[i][1]));
		cli_print_json(o);
		return 0;
	}
	printf("workspace  %s\nschema     v%d\n", ws->path, workspace_schema_version());
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
		printf("%-10s %ld\n", tables[i][0], count(ws, tables[i][1]));
	return 0;
}
