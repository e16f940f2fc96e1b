/* clipboard.c — OSC 52 copy, tmux-aware (see clipboard.h). */
#include "tui/clipboard.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *clip_base64(const void *data, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18 & 63]; *o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];  *o++ = tab[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = 0;
	return out;
}

char *clip_osc52(const char *text, int tmux)
{
	char *b64 = clip_base64(text, strlen(text));
	struct sbuf sb = SBUF_INIT;
	sbuf_addf(&sb, "\033]52;c;%s\a", b64);
	if (tmux)
		sbuf_addf(&sb, "\033Ptmux;\033\033]52;c;%s\a\033\\", b64);
	free(b64);
	return sbuf_detach(&sb);
}

int clip_copy(int fd, const char *text)
{
	const char *t = getenv("TMUX");
	char *seq = clip_osc52(text, t && *t);
	size_t n = strlen(seq), off = 0;
	int rc = 0;
	while (off < n) {
		ssize_t w = write(fd, seq + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	free(seq);
	return rc;
}
