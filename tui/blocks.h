/* Unicode half-block rendering: each text cell shows two pixels (upper half block with the top
 * pixel as foreground, the bottom one as background), in truecolor SGR or the xterm 256-colour
 * cube. The payload is plain text plus SGR, one line per row, for tui_layer_emit. */
#ifndef TUI_BLOCKS_H
#define TUI_BLOCKS_H

#include "tui/sixel_layer.h"

#include <stdint.h>

/* rgb: cols x (2*rows) pixels. Appends rows lines separated by '\n' to out. Returns 0, or -1. */
int tui_blocks_encode(const uint8_t *rgb, int cols, int rows, int truecolor, tui_buf *out);
/* The same with only the pixels in [x0, x0+w) x [y0, y0+h) drawn: the letterbox around a crop
 * is left to the terminal's own background (a dark fill would read as a black band). */
int tui_blocks_encode_in(const uint8_t *rgb, int cols, int rows, int truecolor, int x0, int y0,
                         int w, int h, tui_buf *out);

/* The nearest colour of the xterm 256-colour palette (cube 16..231, greys 232..255). */
int tui_rgb_to_256(int r, int g, int b);

#endif
