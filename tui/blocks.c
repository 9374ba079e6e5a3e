/* Half-block renderer. */
#include "tui/blocks.h"

#include <stdio.h>

static const int cube[6] = {0, 95, 135, 175, 215, 255};

static int cube_index(int v)
{
    return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40;
}

static int dist2(int r, int g, int b, int r2, int g2, int b2)
{
    return (r - r2) * (r - r2) + (g - g2) * (g - g2) + (b - b2) * (b - b2);
}

int tui_rgb_to_256(int r, int g, int b)
{
    int ri = cube_index(r), gi = cube_index(g), bi = cube_index(b);
    int grey = (r + g + b) / 3;
    int gidx = grey > 238 ? 23 : grey < 8 ? 0 : (grey - 8) / 10;
    int gv = 8 + 10 * gidx;
    if (dist2(r, g, b, gv, gv, gv) < dist2(r, g, b, cube[ri], cube[gi], cube[bi]))
        return 232 + gidx;
    return 16 + 36 * ri + 6 * gi + bi;
}

static int add_color(tui_buf *o, int fg, const uint8_t *p, int truecolor)
{
    char s[32];
    int n = truecolor ? snprintf(s, sizeof s, "\033[%d;2;%d;%d;%dm", fg ? 38 : 48, p[0], p[1], p[2])
                      : snprintf(s, sizeof s, "\033[%d;5;%dm", fg ? 38 : 48,
                                 tui_rgb_to_256(p[0], p[1], p[2]));
    return tui_buf_add(o, s, (size_t)n);
}

int tui_blocks_encode(const uint8_t *rgb, int cols, int rows, int truecolor, tui_buf *out)
{
    return tui_blocks_encode_in(rgb, cols, rows, truecolor, 0, 0, cols, 2 * rows, out);
}

int tui_blocks_encode_in(const uint8_t *rgb, int cols, int rows, int truecolor, int x0, int y0,
                         int w, int h, tui_buf *out)
{
    static const char upper[] = "\xe2\x96\x80"; /* U+2580 UPPER HALF BLOCK */
    static const char lower[] = "\xe2\x96\x84"; /* U+2584 LOWER HALF BLOCK */
    for (int r = 0; r < rows; r++) {
        if (r && tui_buf_add(out, "\n", 1)) return -1;
        for (int c = 0; c < cols; c++) {
            const uint8_t *top = rgb + ((size_t)(2 * r) * cols + c) * 3;
            const uint8_t *bot = top + (size_t)cols * 3;
            int in_x = c >= x0 && c < x0 + w;
            int t_in = in_x && 2 * r >= y0 && 2 * r < y0 + h;
            int b_in = in_x && 2 * r + 1 >= y0 && 2 * r + 1 < y0 + h;
            int rc;
            if (t_in && b_in)
                rc = add_color(out, 1, top, truecolor) || add_color(out, 0, bot, truecolor) ||
                     tui_buf_add(out, upper, 3);
            else if (t_in) /* the picture's last half row: the rest is the terminal's background */
                rc = add_color(out, 1, top, truecolor) || tui_buf_add(out, "\033[49m", 5) ||
                     tui_buf_add(out, upper, 3);
            else if (b_in)
                rc = add_color(out, 1, bot, truecolor) || tui_buf_add(out, "\033[49m", 5) ||
                     tui_buf_add(out, lower, 3);
            else
                rc = tui_buf_add(out, "\033[39;49m ", 9);
            if (rc) return -1;
        }
    }
    return 0;
}
