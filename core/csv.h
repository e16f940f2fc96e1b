/* csv.h — a streaming RFC 4180 reader and the matching field writer.
 *
 * Quoted fields, doubled quotes, CR / LF / CRLF line ends, newlines inside
 * quotes, a UTF-8 byte-order mark, any one-byte delimiter (',' CSV, '\t'
 * TSV). Reads through a fixed 1 MiB buffer, so memory stays flat whatever the
 * file's size (a record is held whole, so a single huge record grows it).
 * Errors say "FILE:LINE:COLUMN: what is wrong" (LINE 1-based physical line,
 * COLUMN 1-based byte column on that line).
 */
#ifndef CL_CSV_H
#define CL_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/util.h"

struct csv_reader;

struct csv_opts {
	char delim;     /* 0 = ',' */
	int  lenient;   /* replace invalid UTF-8 by U+FFFD and close an unterminated
	                   quote at end of file instead of failing */
	int  no_utf8_check; /* skip the UTF-8 check (input already checked) */
	size_t mem_chunk;   /* csv_open_mem only: hand the input over this many bytes
	                       at a time, as reads would (tests); 0 = all at once */
};

/* One field of the current record. s points into the reader and stays valid
 * until the next csv_next call; it is NUL-terminated at s[len]. */
struct csv_field {
	const char *s;
	size_t      len;
	int         quoted;  /* written in quotes ("" is an empty string, not NULL) */
};

/* Open path for reading ("-" is stdin); free with csv_close. */
int csv_open(const char *path, const struct csv_opts *opts, struct csv_reader **out,
             struct cl_err *err);
/* Read from a memory buffer (copied); name appears in error messages. */
struct csv_reader *csv_open_mem(const char *name, const char *data, size_t len,
                                const struct csv_opts *opts);
void csv_close(struct csv_reader *r);

/* Read the next record: 1 with fields and nfields set, 0 at end of input, -1 on
 * error (err names file, line and column). The array belongs to the reader. */
int csv_next(struct csv_reader *r, const struct csv_field **fields, size_t *nfields,
             struct cl_err *err);

/* Physical line (1-based) on which the record last returned starts. */
long csv_record_line(const struct csv_reader *r);
/* Bytes consumed so far and the input's size (0 when unknown, e.g. a pipe). */
uint64_t csv_bytes_done(const struct csv_reader *r);
uint64_t csv_bytes_total(const struct csv_reader *r);
/* Fields whose bad UTF-8 was replaced (lenient mode) in the last record. */
int csv_record_fixed(const struct csv_reader *r);
/* Go back to the start of the input (files and memory only). */
int csv_rewind(struct csv_reader *r, struct cl_err *err);
/* The name used in messages (the path). */
const char *csv_name(const struct csv_reader *r);

/* Name the fields in error messages ("in field 3 (\"email\")"); names are not
 * copied and must outlive the reader or the next call. */
void csv_set_field_names(struct csv_reader *r, const char *const *names, size_t n);

/* Line and byte column where field i of the last record starts (for messages
 * about that field); -1 if there is no such field. */
int csv_field_pos(const struct csv_reader *r, size_t i, long *line, long *col);

/* Offset of the first byte of s that is not valid UTF-8, or n if all is. */
size_t csv_utf8_bad(const char *s, size_t n);
/* Append s to out with each invalid byte replaced by U+FFFD. */
void csv_utf8_fix(struct sbuf *out, const char *s, size_t n);

/* Append s (n bytes) to out as one CSV field for delimiter delim, quoting
 * only when it holds the delimiter, a quote, CR, LF or starts/ends with a
 * space; quote_empty writes "" for an empty string (so it is not read as NULL). */
void csv_put_field(struct sbuf *out, const char *s, size_t n, char delim, int quote_empty);

#endif
