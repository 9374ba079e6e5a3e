/* Clipboard copy by OSC 52: the terminal (even at the far end of SSH) puts the text on its
 * clipboard. tmux forwards it when set-clipboard is on. */
#ifndef TUI_OSC52_H
#define TUI_OSC52_H

#include <stdio.h>

/* Writes ESC ] 52 ; c ; base64(text) BEL. Returns the bytes written. */
int tui_osc52_copy(FILE *f, const char *text);

#endif
