/* jsonout.h — read the structured output of a model: a JSON object holding
 * the template's fields. Tolerant: trims whitespace, strips ``` code fences,
 * skips prose before the object and takes the first complete JSON object. A
 * reply that does not parse is never dropped: the caller keeps the raw text
 * and stores parse_ok = 0. */
#ifndef CL_JSONOUT_H
#define CL_JSONOUT_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct jsonout {
	cJSON *fields;     /* a JSON object; never NULL after jsonout_parse (maybe empty) */
	int    parse_ok;   /* 1: an object was found and every expected field is present */
	char   why[160];   /* when parse_ok is 0: what was wrong, e.g. "no JSON object" */
};

/* Parse reply text; expected (may be NULL) lists the field names the template
 * asked for (nexpected of them): out->fields then holds just those, in that
 * order (a key differing only in case counts), other members are dropped;
 * with none expected it holds the whole object. Non-string values stay JSON
 * values. Free out->fields with jsonout_clear. Never fails. */
void jsonout_parse(const char *text, const char *const *expected, size_t nexpected,
                   struct jsonout *out);
void jsonout_clear(struct jsonout *out);

/* Offset and length of the first balanced {...} in text that cJSON accepts,
 * skipping fences and prose; returns 0 when found, -1 otherwise. */
int jsonout_find_object(const char *text, size_t *off, size_t *len);

#endif
