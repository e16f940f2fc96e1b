/* jsonl.h — a streaming reader of JSON Lines: one JSON object per line.
 *
 * Each object's members are returned as key/value pairs; strings are decoded,
 * numbers keep their exact text, true/false become 1/0, null is NULL, nested
 * objects and arrays are kept as their JSON text. Blank lines are skipped.
 * Errors say "FILE:LINE:COLUMN: what is wrong".
 */
#ifndef CL_JSONL_H
#define CL_JSONL_H

#include <stddef.h>
#include <stdint.h>
#include "core/util.h"

struct jsonl_reader;

enum jsonl_kind { JSONL_NULL = 0, JSONL_STRING, JSONL_NUMBER, JSONL_BOOL, JSONL_NESTED };

struct jsonl_member {
	const char *key;    /* NUL-terminated, decoded */
	size_t      key_len;
	const char *val;    /* NUL-terminated; NULL for JSON null */
	size_t      val_len;
	int         kind;   /* enum jsonl_kind */
};

/* Open path; lenient replaces invalid UTF-8 by U+FFFD. Free with jsonl_close. */
int jsonl_open(const char *path, int lenient, struct jsonl_reader **out, struct cl_err *err);
/* Read from memory (copied); name is used in messages. */
struct jsonl_reader *jsonl_open_mem(const char *name, const char *data, size_t len, int lenient);
void jsonl_close(struct jsonl_reader *r);
/* Next object: 1 with members (owned by the reader, valid until the next call),
 * 0 at end, -1 on error. */
int jsonl_next(struct jsonl_reader *r, const struct jsonl_member **members, size_t *n,
               struct cl_err *err);
long jsonl_record_line(const struct jsonl_reader *r);
uint64_t jsonl_bytes_done(const struct jsonl_reader *r);
uint64_t jsonl_bytes_total(const struct jsonl_reader *r);
/* 1 when the last object's bad bytes were replaced (lenient). */
int jsonl_record_fixed(const struct jsonl_reader *r);
int jsonl_rewind(struct jsonl_reader *r, struct cl_err *err);

#endif
