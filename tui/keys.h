/* Every key binding of the browser in one table (as in nnn): the key handler, the help overlay
 * and the manual page all read it. */
#ifndef TUI_KEYS_H
#define TUI_KEYS_H

typedef enum {
    TUI_A_NONE, TUI_A_QUIT, TUI_A_HELP, TUI_A_REPAINT, TUI_A_FOCUS_QUERY, TUI_A_FOCUS_GRID,
    TUI_A_LEFT, TUI_A_RIGHT, TUI_A_UP, TUI_A_DOWN, TUI_A_PAGE_DOWN, TUI_A_PAGE_UP, TUI_A_FIRST,
    TUI_A_DETAIL, TUI_A_HEAT_TILE, TUI_A_HEAT_ALL, TUI_A_HEAT_KIND, TUI_A_WORD_NEXT,
    TUI_A_WORD_PREV, TUI_A_FAILURES, TUI_A_FAIL_NEXT, TUI_A_FAIL_PREV, TUI_A_COPY, TUI_A_EXPORT,
    TUI_A_LAST, TUI_A_NEXT_CORRECT,
    TUI_A_COUNT /* not an action: the number of them */
} tui_action;

enum { TUI_CTX_GRID = 1, TUI_CTX_QUERY = 2, TUI_CTX_ANY = 3 };

typedef struct {
    int key;          /* ncurses key code or character */
    int ctx;          /* where it applies */
    tui_action action;
    const char *name; /* as the help shows it */
    const char *help;
} tui_key;

extern const tui_key tui_keys[];
extern const int tui_nkeys;

/* The action bound to key in ctx (TUI_CTX_GRID or TUI_CTX_QUERY), TUI_A_NONE if none. */
tui_action tui_key_action(int key, int ctx);

#endif
