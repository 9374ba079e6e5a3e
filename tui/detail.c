/* The detail pane: the selected crop larger (image layer), its rank and cosine, identity, path
 * and the dataset's captions for the image, word-wrapped. */
#include "tui/browser_priv.h"

#include <stdlib.h>
#include <string.h>

static void free_caps(tui_browser *b)
{
    for (int i = 0; i < b->det_ncaps; i++) free(b->det_caps[i]);
    free(b->det_caps);
    b->det_caps = NULL;
    b->det_ncaps = 0;
}

static void load_caps(tui_browser *b, int64_t id)
{
    if (b->det_id == id && (b->det_caps || b->det_ncaps == 0) && id != 0) return;
    free_caps(b);
    b->det_id = id;
    pthread_mutex_lock(&b->srcmu);
    if (b->src->captions && b->src->captions(b->src->ctx, id, &b->det_caps, &b->det_ncaps) != 0) {
        b->det_caps = NULL;
        b->det_ncaps = 0;
    }
    pthread_mutex_unlock(&b->srcmu);
}

/* Word-wraps printable text s into rows [*y, ymax) at columns [x, x + w). */
static void wrap(WINDOW *win, int *y, int ymax, int x, int w, const char *s)
{
    int len = (int)strlen(s), i = 0;
    while (i < len && *y < ymax) {
        int n = len - i < w ? len - i : w;
        if (i + n < len) {
            int cut = n;
            while (cut > 0 && s[i + cut] != ' ') cut--;
            if (cut > 0) n = cut;
        }
        wmove(win, *y, x);
        tui_add_file_text(win, s + i, n);
        (*y)++;
        i += n;
        while (i < len && s[i] == ' ') i++;
    }
}

void tui_draw_detail(tui_browser *b)
{
    if (!b->detail) {
        free_caps(b);
        b->det_id = 0;
        return;
    }
    tui_rect p = b->L.detail;
    if (p.cols < 8 || b->sel >= tui_view_n(b)) return;
    int idx = tui_view_hit(b, b->sel);
    const tui_hit *h = &b->hits[idx];
    load_caps(b, h->image_id);
    WINDOW *w = stdscr;
    for (int r = p.row; r < p.row + p.rows; r++) mvwaddch(w, r, p.col, ACS_VLINE);
    int x = p.col + 2, wd = p.cols - 3;
    int y = b->L.detail_img.row + b->L.detail_img.rows + 1;
    if (b->caps.gfx == TUI_GFX_NONE) y = p.row + 1;
    char line[128];
    snprintf(line, sizeof line, "rank %d   cosine %.4f", idx + 1, h->score);
    wattron(w, A_BOLD);
    wrap(w, &y, p.row + p.rows, x, wd, line);
    wattroff(w, A_BOLD);
    if (h->pid >= 0) snprintf(line, sizeof line, "identity %d", h->pid);
    else snprintf(line, sizeof line, "no identity (a folder gallery)");
    wrap(w, &y, p.row + p.rows, x, wd, line);
    wrap(w, &y, p.row + p.rows, x, wd, h->path ? h->path : "");
    if (y < p.row + p.rows) y++;
    if (y < p.row + p.rows) mvwaddstr(w, y++, x, b->det_ncaps ? "captions:" : "no captions");
    for (int i = 0; i < b->det_ncaps && y < p.row + p.rows; i++) {
        wrap(w, &y, p.row + p.rows, x, wd, b->det_caps[i]);
        y++;
    }
}

void tui_detail_free(tui_browser *b)
{
    free_caps(b);
}
