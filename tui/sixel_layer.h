/* The image layer over ncurses' text: encoded tiles (sixel, or half-block text) are cached by
 * what they show, and written after ncurses has flushed as DECSC + CUP + payload + DECRC, so
 * ncurses never learns about them and its cursor stays where it thinks it is. */
#ifndef TUI_SIXEL_LAYER_H
#define TUI_SIXEL_LAYER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    char *p;
    size_t n, cap;
} tui_buf;

int tui_buf_add(tui_buf *b, const void *data, size_t n);
void tui_buf_free(tui_buf *b);

/* Encodes rgb (w x h, untouched: libsixel dithers a copy) as one sixel DCS with an adaptive
 * palette of ncolors and Floyd-Steinberg diffusion. Returns 0, or -1. */
int tui_sixel_encode(const uint8_t *rgb, int w, int h, int ncolors, tui_buf *out);

/* What a tile shows; equal keys mean equal payloads. */
typedef struct {
    int64_t image_id;
    int w, h;          /* pixels (sixel) or cells x half-rows (blocks) */
    int mode;          /* tui_gfx of the payload */
    int overlay, word; /* heatmap kind (0 none) and query word for the relation map */
    uint32_t query;    /* hash of the query the overlay was computed for, 0 without overlay */
    int frame;         /* colour burnt into the frame, 0 none */
} tui_tile_key;

int tui_tile_key_eq(const tui_tile_key *a, const tui_tile_key *b);

typedef struct tui_tile_cache tui_tile_cache;
tui_tile_cache *tui_tile_cache_new(int capacity);
void tui_tile_cache_free(tui_tile_cache *c);
/* Copies the payload of key into out (out->n = 0 first). Returns 1 when cached. Thread-safe. */
int tui_tile_cache_get(tui_tile_cache *c, const tui_tile_key *k, tui_buf *out);
/* Stores a copy of payload under key (evicting the least recently used). Thread-safe. */
int tui_tile_cache_put(tui_tile_cache *c, const tui_tile_key *k, const char *p, size_t n);

/* Writes a payload at cell (row, col) (0-based) inside DECSC/DECRC. A blocks payload holds one
 * line per text row, separated by '\n', each placed with its own CUP. tmux: wrap the sixel DCS
 * in tmux's passthrough (every ESC doubled). */
void tui_layer_emit(FILE *f, int row, int col, const char *p, size_t n, int tmux_wrap);
/* Blanks a rows x cols rectangle the terminal holds pixels in (ncurses thinks it is blank). */
void tui_layer_erase(FILE *f, int row, int col, int rows, int cols);

#endif
