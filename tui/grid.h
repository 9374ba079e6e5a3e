/* Screen layout: query line on row 0, an info line (legend, failure details) on row 1, the
 * result grid below, an optional detail pane on the right, the status bar on the last row. The
 * last row holds no image, so a sixel never makes the terminal scroll. */
#ifndef TUI_GRID_H
#define TUI_GRID_H

typedef struct {
    int row, col, rows, cols; /* cells */
} tui_rect;

typedef struct {
    int lines, cols;
    int tile_rows, tile_cols; /* image area of a tile, cells */
    int px_w, px_h;           /* its sixel size: cells times cell pixels, height a multiple of 6 */
    int gcols, grows, per_page;
    int top, left;            /* grid origin (the first box's top-left corner) */
    tui_rect detail;          /* the detail pane, cols 0 when closed */
    tui_rect detail_img;      /* the image inside it */
    int detail_px_w, detail_px_h;
} tui_layout;

/* Lays out a lines x cols screen with cells of cell_w x cell_h pixels. max_w/max_h clamp the
 * sixel size (0: no clamp). Tiles keep the thumbnails' 1:3 aspect. */
void tui_layout_compute(tui_layout *L, int lines, int cols, int cell_w, int cell_h,
                        int detail_open, int max_w, int max_h);

/* The image area of grid slot i (0 <= i < per_page); its box is one cell larger all round and
 * the rank/score label sits on the row below the image. */
tui_rect tui_layout_slot(const tui_layout *L, int i);

/* The slot under cell (y, x), -1 for none. */
int tui_layout_hit(const tui_layout *L, int y, int x);

#endif
