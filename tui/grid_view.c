/* Drawing the result grid: a box per tile (framed green/red in failure mode, thick and bright
 * when selected), identity in the top edge, rank and cosine on the label row; the image area
 * is left blank for the image layer, or holds the text description in text-only mode. */
#include "tui/browser_priv.h"

#include <string.h>

static const char *base_name(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p ? p : "";
}

/* Adds printable ASCII of s only: file names and captions never reach the tty raw. */
static void add_safe(WINDOW *w, const char *s, int max)
{
    for (int i = 0; s[i] && i < max; i++) waddch(w, (unsigned char)s[i] >= 32 && s[i] != 127 ? (unsigned char)s[i] : '?');
}

static void box_at(WINDOW *w, tui_rect r, int thick, attr_t attr, short pair)
{
    int top = r.row - 1, bot = r.row + r.rows + 1, left = r.col - 1, right = r.col + r.cols;
    const cchar_t *h = thick ? WACS_T_HLINE : WACS_HLINE, *v = thick ? WACS_T_VLINE : WACS_VLINE;
    wattr_set(w, attr, pair, NULL);
    mvwhline_set(w, top, left + 1, h, r.cols);
    mvwhline_set(w, bot, left + 1, h, r.cols);
    mvwvline_set(w, top + 1, left, v, r.rows + 1);
    mvwvline_set(w, top + 1, right, v, r.rows + 1);
    mvwadd_wch(w, top, left, thick ? WACS_T_ULCORNER : WACS_ULCORNER);
    mvwadd_wch(w, top, right, thick ? WACS_T_URCORNER : WACS_URCORNER);
    mvwadd_wch(w, bot, left, thick ? WACS_T_LLCORNER : WACS_LLCORNER);
    mvwadd_wch(w, bot, right, thick ? WACS_T_LRCORNER : WACS_LRCORNER);
    wattr_set(w, A_NORMAL, 0, NULL);
}

static void text_tile(WINDOW *w, tui_rect r, const tui_hit *h, int rank)
{
    char line[64];
    snprintf(line, sizeof line, "rank %d", rank);
    mvwaddnstr(w, r.row, r.col, line, r.cols);
    snprintf(line, sizeof line, "cos %.3f", h->score);
    if (r.rows > 1) mvwaddnstr(w, r.row + 1, r.col, line, r.cols);
    snprintf(line, sizeof line, "id %d", h->pid);
    if (r.rows > 2) mvwaddnstr(w, r.row + 2, r.col, line, r.cols);
    if (r.rows > 3) {
        wmove(w, r.row + 3, r.col);
        add_safe(w, base_name(h->path), r.cols);
    }
}

void tui_draw_grid(tui_browser *b)
{
    WINDOW *w = stdscr;
    int fail_pid = b->fail_mode && b->fail_state == 2 && b->nfails ? b->fails[b->fail_i].pid : -2;
    for (int i = 0; i < b->L.per_page && i < TUI_MAX_SLOTS; i++) {
        int idx = b->page * b->L.per_page + i;
        if (idx >= b->nhits) break;
        const tui_hit *h = &b->hits[idx];
        tui_rect r = tui_layout_slot(&b->L, i);
        int sel = idx == b->sel;
        short pair = fail_pid != -2 ? (h->pid == fail_pid ? TUI_PAIR_OK : TUI_PAIR_BAD)
                     : sel      ? TUI_PAIR_SEL : 0;
        if (b->caps.no_color && fail_pid == -2) pair = 0;
        box_at(w, r, sel, sel ? A_BOLD : A_NORMAL, pair);
        char lab[64];
        snprintf(lab, sizeof lab, "id %d", h->pid);
        if ((int)strlen(lab) <= r.cols) mvwaddstr(w, r.row - 1, r.col, lab);
        snprintf(lab, sizeof lab, "#%d %.3f%s", idx + 1, h->score,
                 b->heat_all || b->heat_on[idx] ? " *" : "");
        if (sel) wattron(w, A_REVERSE);
        mvwaddnstr(w, r.row + r.rows, r.col, lab, r.cols);
        if (sel) wattroff(w, A_REVERSE);
        if (b->caps.gfx == TUI_GFX_NONE) text_tile(w, r, h, idx + 1);
    }
}

void tui_draw_help(tui_browser *b)
{
    int n = 0;
    for (int i = 0; i < tui_nkeys; i++) n += tui_keys[i].help != NULL;
    int h = n + 4, wd = 72;
    if (h > b->L.lines - 2) h = b->L.lines - 2;
    if (wd > b->L.cols - 2) wd = b->L.cols - 2;
    if (h < 3 || wd < 10) return;
    WINDOW *w = newwin(h, wd, (b->L.lines - h) / 2, (b->L.cols - wd) / 2);
    if (!w) return;
    werase(w);
    box(w, 0, 0);
    mvwaddstr(w, 0, 2, " irra browse: keys (any key closes) ");
    int y = 1;
    for (int i = 0; i < tui_nkeys && y < h - 2; i++) {
        if (!tui_keys[i].help) continue;
        mvwaddnstr(w, y, 2, tui_keys[i].name, 10);
        mvwaddnstr(w, y++, 13, tui_keys[i].help, wd - 15);
    }
    mvwaddnstr(w, h - 2, 2, "query line: all readline keys; Enter searches, Esc/Tab to results", wd - 4);
    wnoutrefresh(w);
    delwin(w);
}
