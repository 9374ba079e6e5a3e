/* The browser's main loop: keys and mouse from ncurses, the query line through readline,
 * results and tiles from the worker threads, then one ncurses update followed by the image
 * layer. */
#include "tui/browser_priv.h"
#include "tui/blocks.h"
#include "tui/export.h"
#include "tui/failures.h"
#include "tui/osc52.h"
#include "tui/query_line.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* The one piece of process state: a signal handler can only reach the loop through a file
 * descriptor it knows. */
static volatile int sig_fd = -1;

static void on_signal(int sig)
{
    char c = (char)sig;
    if (sig_fd >= 0 && write(sig_fd, &c, 1) < 0) { /* nothing to do in a handler */ }
}

static void relayout(tui_browser *b)
{
    int lines = LINES, cols = COLS;
    if (!strncmp(b->caps.cell_why, "TIOCGWINSZ", 10) && b->out.fd >= 0) {
        struct winsize ws;
        if (ioctl(b->out.fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row && ws.ws_xpixel &&
            ws.ws_ypixel) {
            b->caps.cell_w = ws.ws_xpixel / ws.ws_col; /* font zoom changes it */
            b->caps.cell_h = ws.ws_ypixel / ws.ws_row;
        }
    }
    tui_layout_compute(&b->L, lines, cols, b->caps.cell_w, b->caps.cell_h, b->detail,
                       b->caps.max_w, b->caps.max_h);
    if (b->L.per_page > 0) b->page = b->sel / b->L.per_page;
}

/* viridis in 8 steps: 256-colour cells where the terminal has them, the nearest hues of the 8
 * basic colours elsewhere (xterm -ti vt340 has 8), a density ramp without colour. */
static void draw_legend(tui_browser *b, int y, int x)
{
    mvaddstr(y, x, "low ");
    for (int i = 0; i < 8; i++) {
        if (has_colors() && COLORS >= 8 && !b->caps.no_color) {
            attron(COLOR_PAIR(TUI_PAIR_LEGEND + i));
            addstr("  ");
            attroff(COLOR_PAIR(TUI_PAIR_LEGEND + i));
        } else {
            addch((chtype)".:-=+*#@"[i]);
            addch((chtype)".:-=+*#@"[i]);
        }
    }
    addstr(" high");
}

int tui_heat_visible(const tui_browser *b)
{
    if (!b->heat_kind) return 0;
    if (b->heat_all) return b->nhits > 0;
    for (int i = 0; i < b->nhits; i++)
        if (b->heat_on[i]) return 1;
    return 0;
}

static void draw_info(tui_browser *b)
{
    char s[512] = "";
    move(1, 0);
    clrtoeol();
    if (b->msg[0]) { /* a message wins until the next key: it says what a key just did */
        move(1, 0);
        tui_add_file_text(stdscr, b->msg, COLS - 1);
        return;
    }
    if (b->fail_mode) {
        if (b->fail_state == 1)
            snprintf(s, sizeof s, "failure mode: ranking the split's captions %d/%d ...",
                     b->fail_done, b->fail_total);
        else if (b->fail_state == 2 && b->nfails) {
            const tui_failcase *f = &b->fails[b->fail_i];
            int n = snprintf(s, sizeof s, "R@1 %.1f mAP %.1f | caption %d/%d, identity %d: first correct #%d, AP %.2f; correct:",
                             b->r1, b->map, b->fail_i + 1, b->nfails, f->pid, f->first_rank, f->ap);
            for (int i = 0; i < b->nhits && n < (int)sizeof s - 16; i++)
                if (b->hits[i].pid == f->pid) n += snprintf(s + n, sizeof s - n, " #%d", i + 1);
        }
        mvaddnstr(1, 0, s, COLS - 1);
        return;
    }
    if (b->heat_kind && (b->heat_all || b->nhits)) {
        if (tui_heat_visible(b)) {
            if (b->heat_kind == TUI_MAP_SIMILARITY)
                snprintf(s, sizeof s, "similarity: query vs patches ");
            else if (b->nwords)
                snprintf(s, sizeof s, "relation: word '%.*s' ", b->wend[b->word] - b->wstart[b->word],
                         b->shown_query + b->wstart[b->word]);
            mvaddnstr(1, 0, s, COLS / 2);
            draw_legend(b, 1, getcurx(stdscr));
            return;
        }
    }
    mvaddnstr(1, 0, b->nhits ? "" : "type a description of a person; Enter searches, F1 help, Ctrl-D quits",
              COLS - 1);
}

/* The status bar; the hint of how to get help and quit sits at its right end and is the last
 * thing a narrow terminal cuts. */
static void draw_status(tui_browser *b)
{
    char s[512] = " irra";
    int n = (int)strlen(s);
    int per = b->L.per_page, first = b->page * per, last = first + per - 1;
    if (last >= tui_view_n(b)) last = tui_view_n(b) - 1;
    if (first < b->npin) first = b->npin;
    if (b->nhits && per && first <= last)
        n += snprintf(s + n, sizeof s - n, " | %d-%d of %d", first - b->npin + 1, last - b->npin + 1,
                      b->nhits);
    /* the model name last: a narrow terminal cuts it first */
    snprintf(s + n, sizeof s - n, " | gallery %d | %.0f ms | %s | %s", b->src->size, b->latency_ms,
             tui_gfx_name(b->caps.gfx), b->src->model_name);
    /* the hint also says where the focus is */
    const char *hint = b->focus == TUI_FOCUS_QUERY ? " query: Tab results  F1 help  Ctrl-D quit "
                                                   : " results: / query  ? help  q quit ";
    int hl = (int)strlen(hint), room = COLS - hl - 1;
    attron(A_REVERSE);
    move(LINES - 1, 0);
    for (int x = 0; x < COLS; x++) addch(' ');
    if (room > 0) mvaddnstr(LINES - 1, 0, s, room);
    mvaddnstr(LINES - 1, COLS > hl ? COLS - hl : 0, hint, COLS);
    attroff(A_REVERSE);
}

static void draw_all(tui_browser *b, int full)
{
    if (full) {
        clearok(curscr, TRUE);
        tui_layer_forget(b);
    }
    erase();
    b->too_small = LINES < 8 || COLS < 24;
    if (b->too_small) {
        mvaddnstr(0, 0, "terminal too small (needs 24x8)", COLS - 1);
    } else {
        draw_info(b);
        tui_draw_grid(b);
        tui_draw_detail(b);
        draw_status(b);
        int hl0 = -1, hl1 = -1;
        if (b->heat_kind == TUI_MAP_RELATION && b->nwords && tui_heat_visible(b) &&
            !strcmp(tui_query_text(), b->shown_query)) {
            hl0 = b->wstart[b->word];
            hl1 = b->wend[b->word];
        }
        tui_query_draw(stdscr, 0, COLS, hl0, hl1, b->focus == TUI_FOCUS_QUERY);
    }
    /* no cursor on the "too small" line: it would sit there as a stray cell */
    curs_set(b->focus == TUI_FOCUS_QUERY && !b->help && !b->too_small ? 1 : 0);
    wnoutrefresh(stdscr);
    if (b->help) tui_draw_help(b);
    doupdate();
    fflush(b->out.f);
    tui_jobs_update(b);
    tui_layer_sync(b);
}

static void load_words(tui_browser *b)
{
    b->nwords = 0;
    b->word = 0;
    if (!b->src->words) return;
    pthread_mutex_lock(&b->srcmu);
    b->nwords = b->src->words(b->src->ctx, b->shown_query, b->wstart, b->wend, TUI_MAX_WORDS);
    pthread_mutex_unlock(&b->srcmu);
    if (b->nwords < 0) b->nwords = 0;
}

/* Failure mode pins the correct images of the caption on screen before the ranking; the
 * selected ranking entry stays selected. */
static void update_pins(tui_browser *b)
{
    int h = b->sel < tui_view_n(b) ? tui_view_hit(b, b->sel) : 0;
    b->npin = 0;
    if (b->fail_mode && b->fail_state == 2 && b->nfails &&
        !strcmp(b->shown_query, b->fails[b->fail_i].text))
        for (int i = 0; i < b->nhits && b->npin < TUI_MAX_PINS; i++)
            if (b->hits[i].pid == b->fails[b->fail_i].pid) b->pin[b->npin++] = i;
    b->sel = b->npin + h;
    if (b->sel >= tui_view_n(b)) b->sel = tui_view_n(b) > 0 ? tui_view_n(b) - 1 : 0;
    if (b->L.per_page > 0) b->page = b->sel / b->L.per_page;
}

static void select_idx(tui_browser *b, int i)
{
    if (i < 0 || i >= tui_view_n(b)) return;
    b->sel = i;
    if (b->L.per_page > 0) b->page = i / b->L.per_page;
}

/* Installs finished search results (a stale generation was already dropped by the worker). A
 * whole-gallery ranking of the query on screen keeps the selection and highlights and then
 * goes where the key that asked for it wanted. */
static int take_results(tui_browser *b)
{
    pthread_mutex_lock(&b->mu);
    int got = b->res_ready && b->res_gen == b->req_gen;
    int extend = got && b->res_gen == b->extend_gen;
    b->res_ready = 0;
    if (got) {
        b->nhits = b->res_n > 0 ? b->res_n : 0;
        memcpy(b->hits, b->res_hits, sizeof *b->hits * (size_t)b->nhits);
        snprintf(b->shown_query, sizeof b->shown_query, "%s", b->req_query);
        if (b->res_n < 0) snprintf(b->msg, sizeof b->msg, "search failed: %.200s", b->res_err);
        else b->msg[0] = 0;
    }
    pthread_mutex_unlock(&b->mu);
    if (!got) return 0;
    b->results_gen++;
    if (extend) {
        int want = b->pending_sel;
        b->pending_sel = -1;
        update_pins(b);
        if (want >= 0) select_idx(b, want < tui_view_n(b) ? want : tui_view_n(b) - 1);
        return 1;
    }
    b->pending_sel = -1;
    b->sel = b->page = b->npin = 0;
    memset(b->heat_on, 0, (size_t)b->cap);
    load_words(b);
    update_pins(b);
    b->sel = b->page = 0; /* failure mode: the first correct image first */
    return 1;
}

/* Ranks the whole gallery for the query on screen (the first TUI_MAX_HITS were not enough),
 * then selects view entry want (INT_MAX: the last). Returns 1 when it asked. */
static int rank_all(tui_browser *b, int want)
{
    if (b->nhits >= b->src->size || !b->shown_query[0]) return 0;
    b->pending_sel = want;
    tui_search_request(b, b->shown_query, 0, 1);
    pthread_mutex_lock(&b->mu);
    b->extend_gen = b->req_gen;
    pthread_mutex_unlock(&b->mu);
    snprintf(b->msg, sizeof b->msg, "ranking all %d images ...", b->src->size);
    return 1;
}

static void on_accept(void *arg, const char *line)
{
    tui_browser *b = arg;
    if (!line) { /* Ctrl-D on an empty query line */
        b->quit = 1;
        return;
    }
    b->debounce_at = 0;
    snprintf(b->typed, sizeof b->typed, "%s", line);
    if (*line) tui_search_request(b, line, 0, 0);
}

static void show_failure(tui_browser *b)
{
    if (b->fail_state != 2 || !b->nfails) return;
    const char *t = b->fails[b->fail_i].text;
    tui_query_set(t);
    snprintf(b->typed, sizeof b->typed, "%s", t);
    b->debounce_at = 0;
    tui_search_request(b, t, 0, 1); /* its correct images may rank anywhere: rank them all */
}

static void move_sel(tui_browser *b, int dx, int dy)
{
    if (!tui_view_n(b) || !b->L.gcols) return;
    int i = b->sel + dx + dy * b->L.gcols;
    if (i < 0) i = 0;
    if (i >= tui_view_n(b)) {
        if (rank_all(b, i)) return;
        i = tui_view_n(b) - 1;
    }
    select_idx(b, i);
}

/* Failure mode: the next correct image in the ranking after the selection (from a pinned
 * tile: the first), wrapping round. */
static void next_correct(tui_browser *b)
{
    if (!b->fail_mode || b->fail_state != 2 || !b->nfails) {
        snprintf(b->msg, sizeof b->msg, "c jumps to the next correct image in failure mode (f)");
        return;
    }
    int pid = b->fails[b->fail_i].pid, from = b->sel < b->npin ? -1 : tui_view_hit(b, b->sel);
    for (int k = 1; k <= b->nhits; k++) {
        int i = (from + k) % b->nhits;
        if (b->hits[i].pid == pid) {
            select_idx(b, b->npin + i);
            return;
        }
    }
    snprintf(b->msg, sizeof b->msg, "no image of identity %d in the gallery", pid);
}

static void copy_path(tui_browser *b)
{
    if (b->sel >= tui_view_n(b)) return;
    const tui_hit *h = &b->hits[tui_view_hit(b, b->sel)];
    const char *p = h->path ? h->path : "";
    tui_osc52_copy(b->out.f, p);
    if (b->caps.in_tmux) /* asked now: the user may have changed it since start-up */
        tui_tmux_clipboard(b->caps.tmux_clipboard, sizeof b->caps.tmux_clipboard);
    if (!b->caps.in_tmux)
        snprintf(b->msg, sizeof b->msg, "copied to the clipboard (OSC 52): %.400s", p);
    else if (!strcmp(b->caps.tmux_clipboard, "on"))
        snprintf(b->msg, sizeof b->msg, "copied to the clipboard (OSC 52 through tmux): %.400s", p);
    else /* tmux's default, external, drops an application's OSC 52 */
        snprintf(b->msg, sizeof b->msg,
                 "%.300s: not copied, tmux drops OSC 52 unless set-clipboard is on (it is %s)", p,
                 b->caps.tmux_clipboard[0] ? b->caps.tmux_clipboard : "unknown");
}

static void export_results(tui_browser *b)
{
    char dir[4096], path[4200], err[512];
    const char *d = b->opt.export_dir ? b->opt.export_dir : ".";
    if (!realpath(d, dir)) {
        snprintf(b->msg, sizeof b->msg, "not exported: %.300s: %s", d, strerror(errno));
        return;
    }
    long t = (long)time(NULL);
    snprintf(path, sizeof path, "%s/irra-results-%ld.json", dir, t);
    for (int k = 2; access(path, F_OK) == 0 && k < 100; k++) /* two exports in one second */
        snprintf(path, sizeof path, "%s/irra-results-%ld-%d.json", dir, t, k);
    if (tui_export_json(path, b->shown_query, b->src->model_name, b->src->size, b->hits, b->nhits,
                        err, sizeof err) == 0)
        snprintf(b->msg, sizeof b->msg, "exported %d results to %.400s", b->nhits, path);
    else
        snprintf(b->msg, sizeof b->msg, "not exported: %.400s", err);
}

static void toggle_failures(tui_browser *b)
{
    b->fail_mode = !b->fail_mode;
    if (!b->fail_mode) {
        update_pins(b);
        return;
    }
    pthread_mutex_lock(&b->mu);
    int st = b->fail_state;
    if (st == 0 || st == 3) b->fail_state = 1;
    pthread_mutex_unlock(&b->mu);
    if (st == 0 || st == 3) tui_search_request(b, NULL, 1, 0);
    else show_failure(b);
}

/* Returns 1 when the screen needs a full repaint. */
static int do_action(tui_browser *b, tui_action a)
{
    int per = b->L.per_page > 0 ? b->L.per_page : 1;
    switch (a) {
    case TUI_A_QUIT: b->quit = 1; break;
    case TUI_A_HELP: b->help = 1; break; /* tiles under it wait (layer.c), the others stay */
    case TUI_A_REPAINT: return 1;
    case TUI_A_FOCUS_QUERY: b->focus = TUI_FOCUS_QUERY; break;
    case TUI_A_FOCUS_GRID:
        b->focus = b->focus == TUI_FOCUS_QUERY ? TUI_FOCUS_GRID : TUI_FOCUS_QUERY;
        break;
    case TUI_A_LEFT: move_sel(b, -1, 0); break;
    case TUI_A_RIGHT: move_sel(b, 1, 0); break;
    case TUI_A_UP: move_sel(b, 0, -1); break;
    case TUI_A_DOWN: move_sel(b, 0, 1); break;
    case TUI_A_PAGE_DOWN:
        if ((b->page + 1) * per >= tui_view_n(b) && rank_all(b, (b->page + 1) * per)) break;
        select_idx(b, (b->page + 1) * per);
        break;
    case TUI_A_PAGE_UP: select_idx(b, b->page > 0 ? (b->page - 1) * per : 0); break;
    case TUI_A_FIRST: select_idx(b, 0); break;
    case TUI_A_LAST:
        if (!rank_all(b, INT_MAX)) select_idx(b, tui_view_n(b) - 1);
        break;
    case TUI_A_NEXT_CORRECT: next_correct(b); break;
    case TUI_A_DETAIL:
        b->detail = !b->detail;
        relayout(b);
        return 1;
    case TUI_A_HEAT_TILE:
        if (b->sel < tui_view_n(b)) b->heat_on[tui_view_hit(b, b->sel)] ^= 1;
        if (!b->heat_kind) b->heat_kind = TUI_MAP_SIMILARITY;
        break;
    case TUI_A_HEAT_ALL:
        b->heat_all = !b->heat_all;
        if (!b->heat_kind) b->heat_kind = TUI_MAP_SIMILARITY;
        break;
    case TUI_A_HEAT_KIND:
        b->heat_kind = b->heat_kind == TUI_MAP_RELATION ? TUI_MAP_SIMILARITY : TUI_MAP_RELATION;
        break;
    case TUI_A_WORD_NEXT:
    case TUI_A_WORD_PREV:
        if (b->nwords) b->word = (b->word + (a == TUI_A_WORD_NEXT ? 1 : b->nwords - 1)) % b->nwords;
        b->heat_kind = TUI_MAP_RELATION;
        break;
    case TUI_A_FAILURES: toggle_failures(b); break;
    case TUI_A_FAIL_NEXT:
    case TUI_A_FAIL_PREV:
        if (b->fail_mode && b->nfails) {
            b->fail_i = (b->fail_i + (a == TUI_A_FAIL_NEXT ? 1 : b->nfails - 1)) % b->nfails;
            show_failure(b);
        }
        break;
    case TUI_A_COPY: copy_path(b); break;
    case TUI_A_EXPORT: export_results(b); break;
    case TUI_A_NONE:
    case TUI_A_COUNT: break;
    }
    return 0;
}

static int on_mouse(tui_browser *b)
{
    MEVENT ev;
    if (getmouse(&ev) != OK) return 0;
    if (ev.bstate & BUTTON4_PRESSED) return do_action(b, TUI_A_PAGE_UP);
    if (ev.bstate & BUTTON5_PRESSED) return do_action(b, TUI_A_PAGE_DOWN);
    if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED))) return 0;
    if (ev.y == 0) {
        b->focus = TUI_FOCUS_QUERY;
        return 0;
    }
    int s = tui_layout_hit(&b->L, ev.y, ev.x);
    if (s < 0) return 0;
    b->focus = TUI_FOCUS_GRID;
    if (b->page * b->L.per_page + s < tui_view_n(b)) select_idx(b, b->page * b->L.per_page + s);
    if (ev.bstate & BUTTON1_DOUBLE_CLICKED) return do_action(b, TUI_A_DETAIL);
    return 0;
}

/* The length of one terminal reply at b[0..n) (after its ESC): a CSI of parameters ending in
 * c, S, t, R or $y, or a DCS up to ESC \\. 0 when it is not one. */
static int reply_len(const int *b, int n)
{
    if (n >= 2 && b[0] == 'P') {
        for (int i = 1; i + 1 < n; i++)
            if (b[i] == 27 && b[i + 1] == '\\') return i + 2;
        return 0;
    }
    if (n < 2 || b[0] != '[') return 0;
    int i = 1;
    while (i < n && (b[i] == '?' || b[i] == '>' || b[i] == ';' || b[i] == '$' || (b[i] >= '0' && b[i] <= '9')))
        i++;
    return i < n && i > 1 && b[i] < 256 && strchr("cStRy", b[i]) ? i + 1 : 0;
}

/* After a probe that timed out (slow SSH), the terminal's replies can still arrive. They are
 * not keys: drop them instead of typing them into the query, and put back whatever follows. */
static int swallow_reply(tui_browser *b)
{
    if (!b->caps.timed_out || tui_now_ms() - b->start_ms > 10000) return 0;
    int buf[256], n = 0, c, pos = 0, k;
    while (n < 256 && (c = getch()) != ERR) buf[n++] = c;
    while ((k = reply_len(buf + pos, n - pos)) > 0) {
        pos += k;
        if (pos < n && buf[pos] == 27) pos++;
        else break;
    }
    if (pos > 0 && pos <= n && buf[pos - 1] == 27 && reply_len(buf + pos, n - pos) == 0) pos--;
    for (int i = n - 1; i >= pos; i--) ungetch(buf[i]);
    return pos > 0;
}

/* Returns 1 when the screen needs a full repaint. */
static int on_key(tui_browser *b, int ch)
{
    if (ch == 27 && swallow_reply(b)) return 0;
    if (ch != KEY_RESIZE && ch != KEY_MOUSE) b->msg[0] = 0; /* a message lasts until the next key */
    if (b->help) {
        b->help = 0;
        if (ch == KEY_RESIZE) {
            relayout(b);
            return 1;
        }
        tui_layer_help_closed(b); /* ncurses rewrites the covered cells; those tiles go again */
        return 0;
    }
    if (ch == KEY_RESIZE) {
        relayout(b);
        return 1;
    }
    if (ch == KEY_MOUSE) return on_mouse(b);
    if (b->focus == TUI_FOCUS_QUERY) {
        if (ch == 27) {
            int next = getch(); /* ESC + key within the escape delay is Meta-key for readline */
            if (next != ERR && next < 256) {
                char seq[2] = {27, (char)next};
                tui_query_bytes(seq, 2);
            } else {
                b->focus = TUI_FOCUS_GRID;
            }
            return 0;
        }
        tui_action a = tui_key_action(ch, TUI_CTX_QUERY);
        if (a != TUI_A_NONE) return do_action(b, a);
        tui_query_key(ch);
        const char *t = tui_query_text();
        if (strcmp(t, b->typed)) {
            snprintf(b->typed, sizeof b->typed, "%s", t);
            b->debounce_at = *t ? tui_now_ms() + b->opt.debounce_ms : 0;
        }
        return 0;
    }
    return do_action(b, tui_key_action(ch, TUI_CTX_GRID));
}

void tui_browser_key(tui_browser *b, int ch)
{
    int full = on_key(b, ch);
    draw_all(b, full);
}

void tui_browser_step(tui_browser *b, int timeout_ms)
{
    double now = tui_now_ms();
    if (b->debounce_at > 0) {
        int left = (int)(b->debounce_at - now);
        if (left < timeout_ms) timeout_ms = left < 0 ? 0 : left;
    }
    struct pollfd pf[3] = {{b->in_fd, POLLIN, 0}, {b->wake[0], POLLIN, 0}, {-1, POLLIN, 0}};
    pf[2].fd = b->wake_sig[0];
    int n = poll(pf, 3, timeout_ms);
    int full = 0, changed = 0;
    if (n > 0 && (pf[2].revents & POLLIN)) {
        char c;
        if (read(pf[2].fd, &c, 1) == 1) b->quit = 1;
        return;
    }
    if (n > 0 && (pf[1].revents & POLLIN)) {
        char buf[256];
        if (read(b->wake[0], buf, sizeof buf) < 0) { /* drained */ }
        changed = 1;
        take_results(b);
    }
    if (n > 0 && (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
        b->quit = 1; /* the terminal went away (SSH dropped, tmux killed): nothing to draw on */
        return;
    }
    if (n > 0 && (pf[0].revents & POLLIN)) {
        /* readable with nothing to read is end of file: a hung-up terminal that did not report
         * POLLHUP; left alone, poll would return at once forever and spin a core */
        int avail = 1;
        if (ioctl(b->in_fd, FIONREAD, &avail) == 0 && avail == 0) {
            b->quit = 1;
            return;
        }
        changed = 1;
    }
    if (n < 0 && errno == EINTR) changed = 1; /* SIGWINCH: ncurses queues KEY_RESIZE */
    int ch;
    while (changed && (ch = getch()) != ERR) full |= on_key(b, ch);
    if (b->debounce_at > 0 && tui_now_ms() >= b->debounce_at) {
        b->debounce_at = 0;
        tui_search_request(b, b->typed, 0, 0);
    }
    if (changed || full) {
        draw_all(b, full);
        pthread_mutex_lock(&b->mu);
        double t0 = b->dispatch_ms;
        pthread_mutex_unlock(&b->mu);
        if (t0 > 0 && b->results_gen != b->latency_gen) {
            b->latency_ms = tui_now_ms() - t0;
            b->latency_gen = b->results_gen;
            draw_status(b);
            wnoutrefresh(stdscr);
            doupdate();
            fflush(b->out.f);
        }
    }
    if (b->fail_mode && b->fail_state == 3) { /* the message says why (a folder gallery) */
        b->fail_mode = 0;
        draw_all(b, 0);
    }
    if (b->fail_mode && b->fail_state == 2 && b->fail_shown == 0) {
        b->fail_shown = 1;
        show_failure(b);
    }
}

static void init_colors(tui_browser *b)
{
    if (!has_colors()) return;
    start_color();
    use_default_colors();
    init_pair(TUI_PAIR_OK, COLOR_GREEN, -1);
    init_pair(TUI_PAIR_BAD, COLOR_RED, -1);
    init_pair(TUI_PAIR_SEL, COLOR_YELLOW, -1);
    init_pair(TUI_PAIR_BAR, COLOR_BLACK, COLOR_WHITE);
    if (COLORS < 256) { /* the basic colours nearest viridis' hues, dark purple to yellow */
        static const short basic[8] = {COLOR_MAGENTA, COLOR_BLUE, COLOR_BLUE, COLOR_CYAN,
                                       COLOR_CYAN, COLOR_GREEN, COLOR_GREEN, COLOR_YELLOW};
        for (int i = 0; i < 8 && COLORS >= 8; i++) init_pair((short)(TUI_PAIR_LEGEND + i), -1, basic[i]);
        return;
    }
    for (int i = 0; i < 8; i++) {
        uint8_t c[3];
        tui_colormap(i / 7.0f, c);
        init_pair((short)(TUI_PAIR_LEGEND + i), -1, (short)tui_rgb_to_256(c[0], c[1], c[2]));
    }
    (void)b;
}

static void install_signals(tui_browser *b, int on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_signal : SIG_DFL;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sig_fd = on ? b->wake_sig[1] : -1;
}

tui_browser *tui_browser_new(tui_source *src, const tui_caps *caps, const tui_browse_opts *o,
                             int in_fd, int out_fd, char *err, size_t errn)
{
    tui_browser *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->src = src;
    b->caps = *caps;
    b->opt = *o;
    if (b->opt.debounce_ms <= 0) b->opt.debounce_ms = 170;
    b->in_fd = in_fd;
    b->start_ms = tui_now_ms();
    b->focus = TUI_FOCUS_QUERY;
    b->wake_sig[0] = b->wake_sig[1] = -1;
    b->cache = tui_tile_cache_new(512);
    b->cap = src->size > 0 ? src->size : 1;
    b->pending_sel = -1;
    b->hits = calloc((size_t)b->cap, sizeof *b->hits);
    b->res_hits = calloc((size_t)b->cap, sizeof *b->res_hits);
    b->heat_on = calloc((size_t)b->cap, 1);
    int dupfd = dup(in_fd);
    b->in_f = dupfd >= 0 ? fdopen(dupfd, "r") : NULL;
    if (!b->cache || !b->in_f || !b->hits || !b->res_hits || !b->heat_on || tui_out_open(&b->out, out_fd) != 0 || pipe(b->wake_sig) != 0 ||
        tui_workers_start(b) != 0) {
        snprintf(err, errn, "cannot set up the browser: %s", strerror(errno));
        tui_browser_free(b);
        return NULL;
    }
    b->scr = newterm(o->term, b->out.curses, b->in_f);
    if (!b->scr) {
        snprintf(err, errn, "cannot open terminal '%s'", o->term ? o->term : getenv("TERM"));
        tui_browser_free(b);
        return NULL;
    }
    set_term(b->scr);
    if (o->lines > 0 && o->cols > 0) resize_term(o->lines, o->cols);
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    idlok(stdscr, FALSE); /* terminal scrolling would move the images */
    scrollok(stdscr, FALSE);
    set_escdelay(25);
    mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(200);
    init_colors(b);
    tui_query_init(o->history, on_accept, b);
    install_signals(b, 1);
    relayout(b);
    if (o->query && *o->query) {
        tui_query_set(o->query);
        snprintf(b->typed, sizeof b->typed, "%s", o->query);
        tui_search_request(b, o->query, 0, 0);
    }
    draw_all(b, 1);
    return b;
}

int tui_browser_run(tui_browser *b)
{
    while (!b->quit) tui_browser_step(b, 1000);
    return 0;
}

void tui_browser_free(tui_browser *b)
{
    if (!b) return;
    if (b->scr) {
        install_signals(b, 0);
        tui_query_finish(); /* history holds what was submitted with Enter, nothing half-typed */
        endwin();
        fflush(b->out.f);
    }
    tui_workers_stop(b);
    if (b->scr) delscreen(b->scr);
    tui_detail_free(b);
    if (b->fails) tui_failures_free(b->fails, b->nfails);
    tui_out_close(&b->out);
    if (b->in_f) fclose(b->in_f);
    for (int i = 0; i < 2; i++)
        if (b->wake_sig[i] >= 0) close(b->wake_sig[i]);
    tui_tile_cache_free(b->cache);
    free(b->hits);
    free(b->res_hits);
    free(b->heat_on);
    free(b);
}

unsigned long long tui_browser_bytes(const tui_browser *b)
{
    return b->out.bytes;
}

int tui_browser_settled(const tui_browser *b)
{
    if (b->caps.gfx == TUI_GFX_NONE) return 1;
    for (int i = 0; i < b->njobs; i++)
        if (!b->jobs[i].done) return 0;
    int visible = tui_view_n(b) - b->page * b->L.per_page;
    if (visible > b->L.per_page) visible = b->L.per_page;
    for (int s = 0; s < visible && s < TUI_MAX_SLOTS; s++)
        if (!b->slots[s].valid) return 0;
    return 1;
}

int tui_browser_results(const tui_browser *b, double *latency_ms)
{
    if (latency_ms) *latency_ms = b->latency_ms;
    return b->results_gen;
}
