/* Grid layout arithmetic. */
#include "tui/grid.h"

#include <string.h>

#define BOX_EXTRA_ROWS 3 /* top border, label, bottom border */
#define BOX_EXTRA_COLS 2

static int clamp_px(int px, int max)
{
    return max > 0 && px > max ? max : px;
}

void tui_layout_compute(tui_layout *L, int lines, int cols, int cell_w, int cell_h,
                        int detail_open, int max_w, int max_h)
{
    memset(L, 0, sizeof *L);
    L->lines = lines;
    L->cols = cols;
    L->top = 2;
    int avail_h = lines - 3; /* query, info, status */
    int grid_w = detail_open ? cols - cols * 2 / 5 : cols;
    /* two rows of tiles when there is room, tiles at least 4 rows tall */
    int th = avail_h / 2 - BOX_EXTRA_ROWS;
    if (th < 4) th = avail_h - BOX_EXTRA_ROWS;
    if (th < 1) th = 1;
    int tw = (th * cell_h + cell_w * 3 / 2) / (3 * cell_w);
    if (tw < 6) tw = 6; /* room for a score with 3 decimals, "-0.123" */
    L->tile_rows = th;
    L->tile_cols = tw;
    L->px_w = clamp_px(tw * cell_w, max_w);
    L->px_h = clamp_px(th * cell_h, max_h) / 6 * 6;
    L->gcols = grid_w / (tw + BOX_EXTRA_COLS);
    L->grows = avail_h / (th + BOX_EXTRA_ROWS);
    if (L->gcols < 0) L->gcols = 0;
    if (L->grows < 0) L->grows = 0;
    L->per_page = L->gcols * L->grows;
    L->left = 0;
    if (detail_open) {
        L->detail = (tui_rect){L->top, grid_w, avail_h, cols - grid_w};
        int ih = avail_h * 3 / 5, iw = (ih * cell_h + cell_w * 3 / 2) / (3 * cell_w);
        if (iw > L->detail.cols - 2) {
            iw = L->detail.cols - 2;
            ih = iw * 3 * cell_w / cell_h;
        }
        if (iw < 1 || ih < 1) iw = ih = 0;
        L->detail_img = (tui_rect){L->top + 1, grid_w + 1, ih, iw};
        L->detail_px_w = clamp_px(iw * cell_w, max_w);
        L->detail_px_h = clamp_px(ih * cell_h, max_h) / 6 * 6;
    }
}

tui_rect tui_layout_slot(const tui_layout *L, int i)
{
    int r = i / (L->gcols ? L->gcols : 1), c = i % (L->gcols ? L->gcols : 1);
    return (tui_rect){L->top + r * (L->tile_rows + BOX_EXTRA_ROWS) + 1,
                      L->left + c * (L->tile_cols + BOX_EXTRA_COLS) + 1, L->tile_rows,
                      L->tile_cols};
}

int tui_layout_hit(const tui_layout *L, int y, int x)
{
    for (int i = 0; i < L->per_page; i++) {
        tui_rect s = tui_layout_slot(L, i);
        if (y >= s.row - 1 && y <= s.row + s.rows + 1 && x >= s.col - 1 && x <= s.col + s.cols)
            return i;
    }
    return -1;
}
