/* cmd_demo.c — `copylab demo prepare`: build the --demo workspace headlessly
 * (a command name cannot hold a dash in commands.def, hence the subcommand). */
#include "cli/cli.h"
#include "core/demo.h"

#include <stdio.h>
#include <string.h>

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	struct cl_err err = {0};
	struct demo_info info;
	int json = 0;
	if (argc < 2 || strcmp(argv[1], "prepare") != 0)
		return cli_usage("demo", "the only subcommand is 'prepare'");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			cli->db_path = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			cli->db_path = argv[i] + 5;
		else
			return cli_usage("demo", "unknown argument '%s'", argv[i]);
	}
	struct workspace *ws = cli_workspace(cli, WS_CREATE);
	if (!ws)
		return 1;
	if (demo_prepare(ws, NULL, NULL, &info, &err))
		return cli_fail(&err);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "workspace", cli->db_path);
		cJSON_AddBoolToObject(o, "already", info.already);
		cJSON_AddBoolToObject(o, "imported", info.imported);
		cJSON *runs = cJSON_AddArrayToObject(o, "runs");
		for (int i = 0; i < 3 && !info.already; i++)
			cJSON_AddItemToArray(runs, cJSON_CreateNumber((double)info.run[i]));
		cJSON_AddStringToObject(o, "experiment", info.experiment);
		cli_print_json(o);
	} else if (info.already) {
		printf("%s is already a demo workspace\n", cli->db_path);
	} else {
		printf("prepared the demo workspace %s: %s rounds 1-3 = runs %lld, %lld, %lld; "
		       "A/B test '%s'\n", cli->db_path, info.imported ? "sample data imported;" : "",
		       info.run[0], info.run[1], info.run[2], info.experiment);
	}
	return 0;
}
