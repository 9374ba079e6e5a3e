/* The query line: GNU readline through its callback interface inside ncurses. ncurses owns the
 * terminal; readline gets the keys as bytes, edits its buffer, and we draw it. So every readline
 * binding, the user's ~/.inputrc ($if irra), history with Up/Down and Ctrl-R work. */
#ifndef TUI_QUERY_LINE_H
#define TUI_QUERY_LINE_H

#include <ncurses.h>

/* Called with each accepted line (Enter), and with NULL for Ctrl-D on an empty line. */
typedef void (*tui_query_accept)(void *arg, const char *line);

/* Installs readline (one query line per process: readline's state is global). history_path:
 * where history is read from and appended to (NULL: no history file). */
int tui_query_init(const char *history_path, tui_query_accept on_accept, void *arg);
void tui_query_finish(void);

/* Adds a query to the history (and its file) unless it repeats the last one. Enter does it:
 * only submitted queries are kept, never one searched as it was typed. */
void tui_query_remember(const char *line);

/* Feeds one key (an ncurses key code is translated to the bytes readline binds). */
void tui_query_key(int key);
/* Feeds raw bytes (an ESC-prefixed Meta key). */
void tui_query_bytes(const char *s, int n);

/* The text being edited (readline's buffer). */
const char *tui_query_text(void);
/* Replaces the text (failure mode puts the caption there). */
void tui_query_set(const char *text);

/* Draws prompt and text on row y of w, cols wide, bytes [hl0, hl1) of the text highlighted
 * (hl0 < 0: none); places the cursor when focused. */
void tui_query_draw(WINDOW *w, int y, int cols, int hl0, int hl1, int focused);

/* The default history file: $XDG_STATE_HOME/irra/history or ~/.local/state/irra/history
 * (folders created, mode 0700). Returns 0, or -1 when there is no home. */
int tui_history_path(char *buf, size_t n);

#endif
