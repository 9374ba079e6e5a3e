/* What the image layer shows, slot by slot: a slot whose wanted tile changed is blanked, and a
 * wanted tile goes out once its payload is in the cache. Called after every ncurses update. */
#include "tui/browser_priv.h"

/* Whether a tile's rectangle meets the help overlay: those tiles wait for it to close, the
 * others stay on screen. */
static int under_help(const tui_browser *b, tui_rect r)
{
    tui_rect h = tui_help_rect(b);
    return h.rows > 0 && r.row < h.row + h.rows && h.row < r.row + r.rows + 1 &&
           r.col < h.col + h.cols && h.col < r.col + r.cols;
}

static int slot_want(tui_browser *b, int s, tui_tile_key *k, tui_rect *r)
{
    int blocks = b->caps.gfx == TUI_GFX_BLOCKS;
    if (s == TUI_DETAIL_SLOT) {
        if (!b->detail || b->too_small || b->sel >= tui_view_n(b) || b->L.detail_img.cols <= 0) return 0;
        *r = b->L.detail_img;
        if (b->help && under_help(b, *r)) return 0;
        *k = tui_want_key(b, tui_view_hit(b, b->sel), blocks ? r->cols : b->L.detail_px_w,
                          blocks ? 2 * r->rows : b->L.detail_px_h);
        return 1;
    }
    int v = b->page * b->L.per_page + s;
    if (s >= b->L.per_page || v >= tui_view_n(b) || b->too_small) return 0;
    *r = tui_layout_slot(&b->L, s);
    if (b->help && under_help(b, *r)) return 0;
    *k = tui_want_key(b, tui_view_hit(b, v), blocks ? r->cols : b->L.px_w, blocks ? 2 * r->rows : b->L.px_h);
    return 1;
}

static void sync_slot(tui_browser *b, int s, tui_buf *buf)
{
    tui_slot *st = &b->slots[s];
    tui_tile_key k;
    tui_rect r;
    int want = slot_want(b, s, &k, &r);
    if (st->valid && (!want || !tui_tile_key_eq(&st->key, &k))) {
        if (!want) {
            /* no rectangle to blank from the wanted state: use the layout of the slot */
            r = s == TUI_DETAIL_SLOT ? b->L.detail_img : tui_layout_slot(&b->L, s);
        }
        if (!b->help) tui_layer_erase(b->out.f, r.row, r.col, r.rows, r.cols);
        st->valid = 0;
    }
    if (!want || st->valid || !tui_tile_cache_get(b->cache, &k, buf)) return;
    int tmux = b->caps.in_tmux && !b->caps.da1_sixel && k.mode == TUI_GFX_SIXEL;
    tui_layer_emit(b->out.f, r.row, r.col, buf->p, buf->n, tmux);
    st->valid = 1;
    st->key = k;
}

void tui_layer_sync(tui_browser *b)
{
    if (b->caps.gfx == TUI_GFX_NONE) return;
    tui_buf buf = {0};
    for (int s = 0; s < TUI_MAX_SLOTS; s++) sync_slot(b, s, &buf);
    sync_slot(b, TUI_DETAIL_SLOT, &buf);
    tui_buf_free(&buf);
    fflush(b->out.f);
}

/* The help overlay closed: ncurses rewrites the cells it covered, and may clear the rest of
 * such a row (EL), so every tile in its rows that is not wholly left of it goes out again. */
void tui_layer_help_closed(tui_browser *b)
{
    tui_rect h = tui_help_rect(b);
    for (int s = 0; s <= TUI_MAX_SLOTS; s++) {
        if (!b->slots[s].valid) continue;
        tui_rect r = s == TUI_DETAIL_SLOT ? b->L.detail_img : tui_layout_slot(&b->L, s);
        if (r.row < h.row + h.rows && h.row < r.row + r.rows + 1 && r.col + r.cols > h.col)
            b->slots[s].valid = 0;
    }
}

/* After a full repaint the terminal holds no image any more. */
void tui_layer_forget(tui_browser *b)
{
    for (int s = 0; s <= TUI_MAX_SLOTS; s++) b->slots[s].valid = 0;
}
