/* readwin.c — the readers' input window: a file a read(2) at a time, or memory. */
#include "core/readwin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rwin_open(struct read_window *w, const char *path, int allow_stdin, struct cl_err *err)
{
	int fd = allow_stdin && strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	memset(w, 0, sizeof *w);
	if (fd < 0)
		return cl_err_set(err, CL_EIO, "%s: %s", path, strerror(errno));
	w->name = xstrdup(path);
	w->fd = fd;
	w->own_fd = fd != 0;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		w->total = (uint64_t)sb.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	w->buf = xmalloc(RWIN_BUF);
	w->p = w->end = w->buf;
	return 0;
}

void rwin_open_mem(struct read_window *w, const char *name, const char *data, size_t len,
                   size_t chunk)
{
	memset(w, 0, sizeof *w);
	w->name = xstrdup(name);
	w->fd = -1;
	w->mem = xmalloc(len + 1);
	memcpy(w->mem, data, len);
	w->memlen = len;
	w->total = len;
	w->chunk = chunk;
	w->buf = w->p = w->mem;
	w->end = w->mem + (chunk && chunk < len ? chunk : len);
}

int rwin_fill(struct read_window *w, struct cl_err *err)
{
	if (w->eof)
		return 0;
	w->base_abs += (uint64_t)(w->end - w->buf);
	if (w->fd < 0) {
		/* memory: the next window starts where this one ended */
		char *memend = w->mem + w->memlen;
		w->buf = w->p = w->end;
		if (w->buf >= memend) {
			w->eof = 1;
			return 0;
		}
		size_t n = (size_t)(memend - w->buf);
		if (w->chunk && n > w->chunk)
			n = w->chunk;
		w->end = w->buf + n;
		return 1;
	}
	ssize_t n;
	do
		n = read(w->fd, w->buf, RWIN_BUF);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return cl_err_set(err, CL_EIO, "%s: %s", w->name, strerror(errno));
	w->p = w->buf;
	w->end = w->buf + n;
	if (n == 0) {
		w->eof = 1;
		return 0;
	}
	return 1;
}

int rwin_rewind(struct read_window *w, struct cl_err *err)
{
	if (w->fd >= 0) {
		if (lseek(w->fd, 0, SEEK_SET) < 0)
			return cl_err_set(err, CL_EIO, "%s: cannot read twice (%s)", w->name,
			                  strerror(errno));
		w->p = w->end = w->buf;
	} else {
		w->buf = w->p = w->mem;
		w->end = w->mem + (w->chunk && w->chunk < w->memlen ? w->chunk : w->memlen);
	}
	w->base_abs = 0;
	w->eof = 0;
	return 0;
}

void rwin_close(struct read_window *w)
{
	if (w->own_fd && w->fd >= 0)
		close(w->fd);
	if (w->fd >= 0)
		free(w->buf);
	free(w->mem);
	free(w->name);
	memset(w, 0, sizeof *w);
	w->fd = -1;
}
