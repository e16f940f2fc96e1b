/* util.h — allocation that never fails silently, growable strings, errors.
 *
 * Every function in core/ that can fail returns int (0 ok, -1 failure) and
 * fills a `struct cl_err` the caller passes in, so the front end can show the
 * message with its context. Allocation failure is fatal: x*alloc print and
 * exit after running the hook a front end installs (the TUI restores the
 * terminal there).
 */
#ifndef CL_UTIL_H
#define CL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CL_ERR_MAX 1024

struct cl_err {
	int  code;              /* 0 = none; otherwise a CL_E* value */
	char msg[CL_ERR_MAX];   /* human text, already with file:line context */
};

enum {
	CL_EOK = 0,
	CL_EINVAL,      /* bad input from the user or a file */
	CL_EIO,         /* file or network I/O */
	CL_EDB,         /* SQLite */
	CL_ECANCEL,     /* cancelled by the user */
	CL_ENOTFOUND,   /* a named thing does not exist */
	CL_EDENIED,     /* refused (read-only guard, policy) */
};

/* Set err (which may be NULL) and return -1, so `return cl_err_set(...)` reads well. */
int cl_err_set(struct cl_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepend "prefix: " to an existing message (adds context on the way up). */
int cl_err_prefix(struct cl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cl_err_clear(struct cl_err *err);

/* Called once before exiting on allocation failure; the TUI sets endwin here. */
void cl_set_fatal_hook(void (*hook)(void));
_Noreturn void cl_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocators that never return NULL. Caller frees with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* free(*pp) and set *pp to NULL. */
#define FREE(pp) do { free(*(pp)); *(pp) = NULL; } while (0)

/* Growable byte string, always NUL-terminated once anything is added. */
struct sbuf {
	char  *buf;
	size_t len;
	size_t cap;
};
#define SBUF_INIT { NULL, 0, 0 }
void sbuf_reserve(struct sbuf *sb, size_t extra);
void sbuf_add(struct sbuf *sb, const void *data, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addc(struct sbuf *sb, char c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void sbuf_reset(struct sbuf *sb);            /* len = 0, keeps memory */
/* Hand the buffer to the caller (who frees it) and reset sb; never NULL. */
char *sbuf_detach(struct sbuf *sb);
void sbuf_free(struct sbuf *sb);
/* "" when empty, never NULL. */
const char *sbuf_str(const struct sbuf *sb);

/* Monotonic clock in nanoseconds / milliseconds. */
uint64_t cl_now_ns(void);
double cl_now_ms(void);

/* Peak resident set size of this process in KiB (from /proc/self/status). */
long cl_peak_rss_kib(void);

/* Read a whole file; caller frees *out. Returns -1 with err naming the path. */
int cl_read_file(const char *path, char **out, size_t *len, struct cl_err *err);

/* True if s is valid UTF-8 of length n. */
int cl_utf8_valid(const char *s, size_t n);

#endif
