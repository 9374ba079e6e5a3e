/* The retrieval browser: query line, result grid, detail pane, highlights, failure mode. */
#ifndef TUI_BROWSER_H
#define TUI_BROWSER_H

#include "tui/source.h"
#include "tui/term_probe.h"

typedef struct {
    const char *history;    /* history file, NULL: none */
    const char *term;       /* terminal type for newterm, NULL: $TERM */
    const char *export_dir; /* where `e` writes, NULL: the current folder */
    const char *query;      /* initial query, NULL: none */
    int lines, cols;        /* force the screen size (benchmarks), 0: the terminal's */
    int debounce_ms;        /* search-as-you-type delay */
} tui_browse_opts;

typedef struct tui_browser tui_browser;

/* Takes over the terminal on in_fd/out_fd. */
tui_browser *tui_browser_new(tui_source *src, const tui_caps *caps, const tui_browse_opts *o,
                             int in_fd, int out_fd, char *err, size_t errn);
/* Runs until the user quits or a signal arrives. Returns 0. */
int tui_browser_run(tui_browser *b);
/* Restores the terminal, stops the workers, frees everything (not the source). */
void tui_browser_free(tui_browser *b);

/* For benchmarks: one turn of the loop (waits at most timeout_ms), a key as if typed, the bytes
 * the image layer sent so far, whether all wanted tiles are on screen, the results' generation. */
void tui_browser_step(tui_browser *b, int timeout_ms);
void tui_browser_key(tui_browser *b, int key);
unsigned long long tui_browser_bytes(const tui_browser *b);
int tui_browser_settled(const tui_browser *b);
int tui_browser_results(const tui_browser *b, double *latency_ms);

#endif
