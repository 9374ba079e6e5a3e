/* What `irra browse` and its test harness share: the options, the capability probe and the
 * run of the browser on a source. */
#ifndef TUI_BROWSE_RUN_H
#define TUI_BROWSE_RUN_H

#include "tui/source.h"

typedef struct {
    const char *model, *gallery; /* NULL: the shipped ones */
    const char *vocab;           /* merges file for a .pth */
    const char *graphics;        /* --graphics sixel|blocks|none */
    const char *cell_size;       /* --cell-size WxH */
    const char *query;           /* --query: initial query */
    const char *history;         /* --history FILE, "" for none */
    const char *export_dir;
    int probe_timeout_ms;
} tui_run_opts;

#define TUI_BROWSE_OPTIONS \
    "  --model M           model: irra safetensors or official IRRA .pth (default: shipped)\n" \
    "  --gallery G.db      gallery built by irra gallery build (default: shipped)\n" \
    "  --vocab F           BPE merges file, for a .pth without one\n" \
    "  --graphics MODE     sixel, blocks or none (default: what the terminal supports)\n" \
    "  --cell-size WxH     terminal cell size in pixels (default: probed)\n" \
    "  --probe-timeout MS  how long to wait for the terminal's replies (default 1500)\n" \
    "  --query TEXT        start with this query\n" \
    "  --history FILE      query history (default $XDG_STATE_HOME/irra/history)\n" \
    "  --export-dir DIR    where e writes JSON (default: the current folder)\n"

/* Parses the options (and --model/--gallery). Returns 0, 1 after printing help, or the exit
 * status of an error. */
int tui_browse_parse(int argc, char **argv, const char *usage, tui_run_opts *o);

/* Probes the terminal, opens the browser on src, runs it, restores the terminal. Returns the
 * exit status. */
int tui_browse_run(tui_source *src, const tui_run_opts *o);

#endif
