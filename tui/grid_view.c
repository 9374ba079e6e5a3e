/* Drawing the result grid: a box per tile (framed green/red in failure mode, thick and bright
 * when selected), identity (or file name) in the top edge, rank and cosine on the label row
 * (failure mode: the correct images first, labelled so, then the ranking); the image area
 * is left blank for the image layer, or holds the text description in text-only mode. */
#include "tui/browser_priv.h"

#include <string.h>

static const char *base_name(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p ? p : "";
}

/* Adds printable ASCII of s only: file names and captions never reach the tty raw. The one
 * place file text is written (swap it for a shared sanitiser in one spot). */
void tui_add_file_text(WINDOW *w, const char *s, int max)
{
    for (int i = 0; s[i] && i < max; i++) waddch(w, (unsigned char)s[i] >= 32 && (unsigned char)s[i] < 127 ? (unsigned char)s[i] : '?');
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

/* The labels of a tile cols wide: the score always with 3 decimals on the label row, after
 * the rank when both fit; the top edge names the identity, or the file when there is none
 * (folder galleries), after the rank when the label row had no room for it. */
static void tile_labels(const tui_hit *h, int rank, int mark, int cols, char *top, char *bottom,
                        size_t n)
{
    char score[32], who[64];
    snprintf(score, sizeof score, "%.3f%s", h->score, mark ? " *" : "");
    int with_rank = snprintf(bottom, n, "#%d %s", rank, score) <= cols;
    if (!with_rank) snprintf(bottom, n, "%s", score);
    if (h->pid >= 0) snprintf(who, sizeof who, "id %d", h->pid);
    else snprintf(who, sizeof who, "%s", base_name(h->path));
    if (with_rank) snprintf(top, n, "%s", who);
    else if (snprintf(top, n, "#%d %s", rank, who) > cols) snprintf(top, n, "#%d", rank);
}

static void text_tile(WINDOW *w, tui_rect r, const tui_hit *h, int rank)
{
    char line[64];
    int y = r.row, end = r.row + r.rows;
    if (snprintf(line, sizeof line, "rank %d", rank) > r.cols) snprintf(line, sizeof line, "#%d", rank);
    mvwaddnstr(w, y++, r.col, line, r.cols);
    if (snprintf(line, sizeof line, "cos %.3f", h->score) > r.cols) snprintf(line, sizeof line, "%.3f", h->score);
    if (y < end) mvwaddnstr(w, y++, r.col, line, r.cols);
    if (h->pid >= 0 && y < end) {
        snprintf(line, sizeof line, "id %d", h->pid);
        mvwaddnstr(w, y++, r.col, line, r.cols);
    }
    if (y < end) {
        wmove(w, y, r.col);
        tui_add_file_text(w, base_name(h->path), r.cols);
    }
}

void tui_draw_grid(tui_browser *b)
{
    WINDOW *w = stdscr;
    int fail_pid = b->fail_mode && b->fail_state == 2 && b->nfails ? b->fails[b->fail_i].pid : -2;
    for (int i = 0; i < b->L.per_page && i < TUI_MAX_SLOTS; i++) {
        int v = b->page * b->L.per_page + i;
        if (v >= tui_view_n(b)) break;
        int idx = tui_view_hit(b, v);
        const tui_hit *h = &b->hits[idx];
        tui_rect r = tui_layout_slot(&b->L, i);
        int sel = v == b->sel;
        short pair = fail_pid != -2 ? (h->pid == fail_pid ? TUI_PAIR_OK : TUI_PAIR_BAD)
                     : sel      ? TUI_PAIR_SEL : 0;
        if (b->caps.no_color && fail_pid == -2) pair = 0;
        box_at(w, r, sel, sel ? A_BOLD : A_NORMAL, pair);
        char top[96], bottom[96];
        tile_labels(h, idx + 1, b->heat_all || b->heat_on[idx], r.cols, top, bottom, sizeof top);
        if (v < b->npin) snprintf(top, sizeof top, "%s", r.cols >= 7 ? "correct" : "ok");
        wmove(w, r.row - 1, r.col);
        tui_add_file_text(w, top, r.cols);
        if (sel) wattron(w, A_REVERSE);
        mvwaddnstr(w, r.row + r.rows, r.col, bottom, r.cols);
        if (sel) wattroff(w, A_REVERSE);
        if (b->caps.gfx == TUI_GFX_NONE) text_tile(w, r, h, idx + 1);
    }
}

tui_rect tui_help_rect(const tui_browser *b)
{
    int n = 0;
    for (int i = 0; i < tui_nkeys; i++) n += tui_keys[i].help != NULL;
    int h = n + 4, wd = 72;
    if (h > b->L.lines - 2) h = b->L.lines - 2;
    if (wd > b->L.cols - 2) wd = b->L.cols - 2;
    if (h < 3 || wd < 10) return (tui_rect){0, 0, 0, 0};
    return (tui_rect){(b->L.lines - h) / 2, (b->L.cols - wd) / 2, h, wd};
}

void tui_draw_help(tui_browser *b)
{
    tui_rect r = tui_help_rect(b);
    int h = r.rows, wd = r.cols;
    if (h <= 0) return;
    WINDOW *w = newwin(h, wd, r.row, r.col);
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
