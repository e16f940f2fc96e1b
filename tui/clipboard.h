/* clipboard.h — copy text to the user's clipboard with OSC 52.
 *
 * OSC 52 (ESC ] 52 ; c ; BASE64 BEL) asks the terminal to set its clipboard;
 * it travels over SSH. Inside tmux ($TMUX set) the sequence is sent twice:
 * plain, which tmux takes into a paste buffer (and passes on to the outer
 * terminal) when `set-clipboard on`; and wrapped in tmux's DCS passthrough
 * (ESC P tmux; … ESC \, every ESC doubled), which reaches the outer terminal
 * when `allow-passthrough on`.
 */
#ifndef CL_TUI_CLIPBOARD_H
#define CL_TUI_CLIPBOARD_H

#include <stddef.h>

/* Standard base64 of n bytes; caller frees. */
char *clip_base64(const void *data, size_t n);

/* The bytes to write to the terminal to copy text (tmux != 0 adds the
 * passthrough form); caller frees. */
char *clip_osc52(const char *text, int tmux);

/* Write the OSC 52 sequence for text to fd (the terminal); tmux-aware by
 * $TMUX. Returns 0, or -1 when the write failed. */
int clip_copy(int fd, const char *text);

#endif
