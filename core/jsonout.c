/* jsonout.c — tolerant extraction of the first JSON object from model text. */
#include "core/jsonout.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

/* Length of the balanced object starting at s[0] == '{', honouring strings
 * and escapes; 0 when it never closes. */
static size_t balanced_len(const char *s)
{
	int depth = 0, in_str = 0, esc = 0;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{')
			depth++;
		else if (c == '}' && --depth == 0)
			return i + 1;
	}
	return 0;
}

int jsonout_find_object(const char *text, size_t *off, size_t *len)
{
	/* Each '{' in turn: the first that starts a balanced object cJSON accepts
	 * wins. Fences and prose around it are simply not part of the match. */
	for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
		size_t n = balanced_len(p);
		if (!n)
			continue;
		cJSON *j = cJSON_ParseWithLength(p, n);
		if (j) {
			int ok = cJSON_IsObject(j);
			cJSON_Delete(j);
			if (ok) {
				*off = (size_t)(p - text);
				*len = n;
				return 0;
			}
		}
	}
	return -1;
}

void jsonout_parse(const char *text, const char *const *expected, size_t nexpected,
                   struct jsonout *out)
{
	size_t off, len;
	memset(out, 0, sizeof *out);
	if (!text || jsonout_find_object(text, &off, &len)) {
		out->fields = cJSON_CreateObject();
		snprintf(out->why, sizeof out->why, "no JSON object in the reply");
		return;
	}
	cJSON *all = cJSON_ParseWithLength(text + off, len);
	out->parse_ok = 1;
	if (!nexpected) {
		out->fields = all;
		return;
	}
	/* Keep the asked-for fields, in the asked order; a key that differs only
	 * in case ("Subject") still counts. Extra members stay in the raw text. */
	out->fields = cJSON_CreateObject();
	for (size_t i = 0; i < nexpected; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(all, expected[i]);
		if (!v)
			v = cJSON_GetObjectItem(all, expected[i]);
		if (v) {
			cJSON_AddItemToObject(out->fields, expected[i], cJSON_Duplicate(v, 1));
		} else if (out->parse_ok) {
			out->parse_ok = 0;
			snprintf(out->why, sizeof out->why, "the reply has no field '%s'", expected[i]);
		}
	}
	cJSON_Delete(all);
}

void jsonout_clear(struct jsonout *out)
{
	cJSON_Delete(out->fields);
	out->fields = NULL;
}
