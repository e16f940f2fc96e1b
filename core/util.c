/* util.c — allocation, strings, errors, clocks. */
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Set once at start-up by the front end; read only on the fatal path. */
static void (*fatal_hook)(void);

void cl_set_fatal_hook(void (*hook)(void)) { fatal_hook = hook; }

void cl_fatal(const char *fmt, ...)
{
	va_list ap;
	if (fatal_hook)
		fatal_hook();
	fputs("copylab: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

int cl_err_set(struct cl_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return -1;
	err->code = code ? code : CL_EINVAL;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int cl_err_prefix(struct cl_err *err, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	if (!err)
		return -1;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	sbuf_adds(&sb, ": ");
	sbuf_adds(&sb, err->msg);
	size_t n = sb.len < sizeof err->msg - 1 ? sb.len : sizeof err->msg - 1;
	memcpy(err->msg, sb.buf, n);
	err->msg[n] = '\0';
	sbuf_free(&sb);
	return -1;
}

void cl_err_clear(struct cl_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		cl_fatal("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		cl_fatal("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		cl_fatal("out of memory (%zu bytes)", n);
	return q;
}

void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		cl_fatal("allocation overflow (%zu x %zu)", nmemb, size);
	return xrealloc(p, nmemb * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sbuf_detach(&sb);
}

void sbuf_reserve(struct sbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sbuf_add(struct sbuf *sb, const void *data, size_t n)
{
	sbuf_reserve(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sbuf_adds(struct sbuf *sb, const char *s) { sbuf_add(sb, s, strlen(s)); }

void sbuf_addc(struct sbuf *sb, char c) { sbuf_add(sb, &c, 1); }

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sbuf_reserve(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *sbuf_detach(struct sbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void sbuf_free(struct sbuf *sb)
{
	FREE(&sb->buf);
	sb->len = sb->cap = 0;
}

const char *sbuf_str(const struct sbuf *sb) { return sb->buf ? sb->buf : ""; }

uint64_t cl_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double cl_now_ms(void) { return (double)cl_now_ns() / 1e6; }

long cl_peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int cl_read_file(const char *path, char **out, size_t *len, struct cl_err *err)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	char buf[65536];
	size_t n;
	if (!f)
		return cl_err_set(err, CL_EIO, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&sb, buf, n);
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		sbuf_free(&sb);
		return cl_err_set(err, CL_EIO, "%s: %s", path, strerror(e));
	}
	fclose(f);
	if (len)
		*len = sb.len;
	*out = sbuf_detach(&sb);
	return 0;
}

int cl_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned c = *p;
		size_t k;
		uint32_t cp;
		if (c < 0x80) { p++; continue; }
		else if ((c & 0xE0) == 0xC0) { k = 1; cp = c & 0x1F; }
		else if ((c & 0xF0) == 0xE0) { k = 2; cp = c & 0x0F; }
		else if ((c & 0xF8) == 0xF0) { k = 3; cp = c & 0x07; }
		else return 0;
		if ((size_t)(end - p) <= k)
			return 0;
		for (size_t i = 1; i <= k; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += k + 1;
	}
	return 1;
}
