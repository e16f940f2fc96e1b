/* readwin.h — the input window the streaming readers (csv, jsonl) read
 * through: a file (or stdin) a 1 MiB read(2) at a time, or a copy of a
 * memory buffer handed over whole or in chunks, with the absolute offset of
 * the window kept for positions and progress.
 */
#ifndef CL_READWIN_H
#define CL_READWIN_H

#include <stddef.h>
#include <stdint.h>
#include "core/util.h"

#define RWIN_BUF (1u << 20)   /* a file window's size */

struct read_window {
	char    *name;        /* the path or the memory input's name (owned) */
	int      fd;          /* -1 for memory input */
	int      own_fd;      /* close fd at the end (not for stdin) */
	char    *buf;         /* the window (RWIN_BUF bytes for a file) */
	char    *p, *end;     /* next unread byte, end of the bytes in the window */
	uint64_t base_abs;    /* absolute offset of buf[0] */
	uint64_t total;       /* the input's size when known (regular file, memory), else 0 */
	int      eof;
	char    *mem;         /* memory input (owned copy) */
	size_t   memlen;
	size_t   chunk;       /* memory input: window size (0 = all at once) */
};

/* Open path ("-" is stdin when allow_stdin) into w; 0, or -1 with err
 * naming the file. Release with rwin_close. */
int rwin_open(struct read_window *w, const char *path, int allow_stdin, struct cl_err *err);
/* Set w up over a copy of data (chunk > 0: handed over that many bytes at a
 * time, for tests of split input). Release with rwin_close. */
void rwin_open_mem(struct read_window *w, const char *name, const char *data, size_t len,
                   size_t chunk);
/* Slide to the next window once p reached end: 1 more bytes, 0 end of
 * input, -1 read error (err set). */
int rwin_fill(struct read_window *w, struct cl_err *err);
/* Back to the first byte (a file is seeked: stdin cannot be). */
int rwin_rewind(struct read_window *w, struct cl_err *err);
/* Close the file (when owned) and free what w holds. */
void rwin_close(struct read_window *w);
/* Absolute offset of q, a pointer into the current window. */
static inline uint64_t rwin_abs(const struct read_window *w, const char *q)
{
	return w->base_abs + (uint64_t)(q - w->buf);
}

#endif
