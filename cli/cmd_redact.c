/* cmd_redact.c — `copylab redact`: show what the redactor takes out of text
 * before it goes to a provider (e-mails, phone numbers, long digit runs). */
#include "cli/cli.h"
#include "core/redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_only(const char *list, unsigned *flags)
{
	char *s = xstrdup(list), *save = NULL;
	*flags = 0;
	for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "email") == 0)
			*flags |= REDACT_EMAIL;
		else if (strcmp(t, "phone") == 0)
			*flags |= REDACT_PHONE;
		else if (strcmp(t, "digits") == 0 || strcmp(t, "number") == 0)
			*flags |= REDACT_DIGITS;
		else {
			free(s);
			return cli_usage("redact", "--only takes email, phone, digits; not '%s'", t), -1;
		}
	}
	free(s);
	return 0;
}

int cmd_redact(struct cli *cli, int argc, char **argv)
{
	const char *text = NULL;
	const char **literals = xcalloc((size_t)argc + 1, sizeof *literals);
	size_t nlit = 0, total = 0;
	unsigned flags = REDACT_ALL;
	int json = 0;
	(void)cli;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			if (parse_only(argv[++i], &flags)) {
				free(literals);
				return 2;
			}
		} else if (strcmp(argv[i], "--literal") == 0 && i + 1 < argc) {
			literals[nlit++] = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(literals);
			return cli_usage("redact", "unknown option or missing value: '%s'", argv[i]);
		} else if (!text) {
			text = argv[i];
		} else {
			free(literals);
			return cli_usage("redact", "give one TEXT, or - (or nothing) for standard input");
		}
	}
	struct redactor *r = redactor_new(flags | (nlit ? REDACT_PERSONAL : 0));
	for (size_t i = 0; i < nlit; i++)
		redactor_add_literal(r, literals[i], "personal");
	free(literals);
	if (text && strcmp(text, "-") != 0) {
		char *out = redactor_text(r, text, &total);
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "text", out);
			cJSON_AddNumberToObject(o, "redacted", (double)total);
			cli_print_json(o);
		} else {
			puts(out);
		}
		free(out);
		redactor_free(r);
		return 0;
	}
	/* Standard input, a line at a time, so a large file streams through. */
	struct sbuf all = SBUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		size_t hits = 0;
		if (memchr(line, 0, (size_t)n))
			continue;          /* skip binary junk rather than truncate at the NUL */
		char *out = redactor_text(r, line, &hits);
		total += hits;
		if (json)
			sbuf_adds(&all, out);
		else
			fputs(out, stdout);
		free(out);
	}
	free(line);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "text", sbuf_str(&all));
		cJSON_AddNumberToObject(o, "redacted", (double)total);
		cli_print_json(o);
	}
	sbuf_free(&all);
	redactor_free(r);
	if (ferror(stdin))
		return cli_failf("reading standard input failed");
	return 0;
}
