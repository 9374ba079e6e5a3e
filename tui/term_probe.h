/* What the terminal can show, probed once at start-up: one batch of queries ending in DA1
 * (every terminal answers DA1, so its reply ends the wait: one round trip over SSH), then a
 * decision between sixel, half-blocks and text with the reason written down for `irra doctor`. */
#ifndef TUI_TERM_PROBE_H
#define TUI_TERM_PROBE_H

#include <stddef.h>

typedef enum { TUI_GFX_NONE, TUI_GFX_BLOCKS, TUI_GFX_SIXEL } tui_gfx;

typedef struct {
    /* replies */
    int da1_seen, da1_sixel;   /* DA1 answered; its parameter list holds 4 */
    char da1[64];              /* the DA1 parameters as received */
    char version[64];          /* XTVERSION, "" when unanswered */
    int regs;                  /* XTSMGRAPHICS colour registers, 0 unknown */
    int max_w, max_h;          /* XTSMGRAPHICS sixel geometry, 0 unknown */
    int cell16_w, cell16_h;    /* CSI 16 t */
    int area_w, area_h;        /* CSI 14 t */
    int rows18, cols18;        /* CSI 18 t */
    int ws_rows, ws_cols, ws_xpix, ws_ypix; /* TIOCGWINSZ */
    double probe_ms;           /* time until DA1 (or the timeout) */
    int timed_out;
    /* environment */
    int in_tmux, tmux_passthrough; /* $TMUX; allow-passthrough on */
    char tmux_clipboard[16];   /* tmux's set-clipboard (on, external, off): OSC 52 needs on */
    int truecolor;             /* $COLORTERM truecolor/24bit */
    int no_color;              /* $NO_COLOR non-empty */
    /* decisions */
    int cell_w, cell_h;
    char cell_why[96];
    tui_gfx gfx;
    char gfx_why[160];
    int ncolors;               /* sixel palette size to use */
} tui_caps;

/* Parses terminal replies in buf (any order, partial sequences ignored) into c. Returns 1 once
 * the DA1 reply has been seen. */
int tui_probe_parse(const char *buf, int n, tui_caps *c);

/* Probes the terminal on fd_in/fd_out (raw mode while it waits, termios restored): sends the
 * batch, waits for DA1 up to timeout_ms. Also reads the window size and environment. Skips the
 * queries when fd_in is not a terminal or TERM is dumb/linux. */
void tui_probe(int fd_in, int fd_out, int timeout_ms, tui_caps *c);

/* Chooses the cell size (cell_spec "WxH" wins) and the graphics mode (force "sixel", "blocks",
 * "none" wins), filling the *_why strings. Returns 0, or -1 for a malformed spec. */
int tui_caps_decide(tui_caps *c, const char *force, const char *cell_spec);

const char *tui_gfx_name(tui_gfx g);

/* tmux's set-clipboard now ("" when tmux does not answer): the default, external, drops an
 * application's OSC 52, so a copy inside tmux works only with on. */
void tui_tmux_clipboard(char *buf, size_t n);

#endif
