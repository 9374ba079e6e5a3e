/* The browser's speed and SSH budget, measured on a source: the browser runs on a pty in this
 * process (100x40 cells of 10x20 px, sixel) and the far side counts every byte it sends. */
#ifndef TUI_BENCH_H
#define TUI_BENCH_H

#include "tui/source.h"

typedef struct {
    double keystroke_ms;     /* a letter + Enter to results drawn (text tower, search, redraw) */
    double encode12_ms;      /* 12 tiles: thumbnail, fit, sixel encode, one thread */
    unsigned long long bytes12;        /* their sixel bytes */
    unsigned long long screen_bytes;   /* a full screen of results, text and images */
    unsigned long long move_bytes;     /* one selection move */
    unsigned long long repaint_bytes;  /* Ctrl-L: everything again */
    int tiles, tile_w, tile_h;
} tui_bench_result;

int tui_bench(tui_source *src, const char *query, tui_bench_result *r, char *err, size_t errn);

#endif
