/* Terminal capability probe: query batch, reply parser, decision. */
#include "tui/term_probe.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* XTVERSION, sixel colour registers and geometry (XTSMGRAPHICS read), cell / text-area pixels,
 * text-area cells, then DA1 last as the sentinel. */
static const char probe_batch[] =
    "\033[>0q" "\033[?1;1;0S" "\033[?2;1;0S" "\033[16t" "\033[14t" "\033[18t" "\033[c";

static int parse_params(const char *s, int n, int *p, int maxp)
{
    int np = 0, v = 0, have = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (v < 100000) v = v * 10 + (s[i] - '0');
            have = 1;
        } else if (s[i] == ';') {
            if (np < maxp) p[np++] = v;
            v = 0; have = 1;
        }
    }
    if (have && np < maxp) p[np++] = v;
    return np;
}

static void on_csi(const char *par, int n, char fin, tui_caps *c)
{
    int p[32], np, priv = n > 0 && par[0] == '?';
    np = parse_params(par + priv, n - priv, p, 32);
    if (fin == 'c' && priv) {
        c->da1_seen = 1;
        snprintf(c->da1, sizeof c->da1, "%.*s", n - 1, par + 1);
        /* 4 as a whole parameter: "14" or "42" must not count */
        for (int i = 1; i < np; i++) if (p[i] == 4) c->da1_sixel = 1;
    } else if (fin == 'S' && priv && np >= 3 && p[1] == 0) {
        if (p[0] == 1) c->regs = p[2];
        if (p[0] == 2 && np >= 4) { c->max_w = p[2]; c->max_h = p[3]; }
    } else if (fin == 't' && np >= 3) {
        if (p[0] == 6) { c->cell16_h = p[1]; c->cell16_w = p[2]; }
        if (p[0] == 4) { c->area_h = p[1]; c->area_w = p[2]; }
        if (p[0] == 8) { c->rows18 = p[1]; c->cols18 = p[2]; }
    }
}

int tui_probe_parse(const char *b, int n, tui_caps *c)
{
    for (int i = 0; i + 1 < n; i++) {
        if (b[i] != '\033') continue;
        if (b[i + 1] == '[') {
            int j = i + 2;
            while (j < n && (unsigned char)b[j] >= 0x20 && (unsigned char)b[j] < 0x40) j++;
            while (j < n && (b[j] == '$' || b[j] == ' ')) j++;  /* intermediates */
            if (j >= n) break;
            on_csi(b + i + 2, j - i - 2, b[j], c);
            i = j;
        } else if (b[i + 1] == 'P') {  /* DCS ... ST: XTVERSION is "DCS >| text ST" */
            int j = i + 2;
            while (j + 1 < n && !(b[j] == '\033' && b[j + 1] == '\\')) j++;
            if (j + 1 >= n) break;
            if (j - i - 2 > 2 && b[i + 2] == '>' && b[i + 3] == '|')
                snprintf(c->version, sizeof c->version, "%.*s", j - i - 4, b + i + 4);
            i = j + 1;
        }
    }
    return c->da1_seen;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

void tui_tmux_clipboard(char *buf, size_t n)
{
    FILE *p = popen("tmux show-options -sv set-clipboard 2>/dev/null", "r");
    char line[64] = "";
    if (p) {
        if (!fgets(line, sizeof line, p)) line[0] = 0;
        pclose(p);
    }
    line[strcspn(line, "\r\n")] = 0;
    snprintf(buf, n, "%s", line);
}

static void probe_tmux(tui_caps *c)
{
    const char *t = getenv("TMUX");
    c->in_tmux = t && *t;
    if (!c->in_tmux) return;
    FILE *p = popen("tmux show-options -Apv allow-passthrough 2>/dev/null", "r");
    char line[64] = "";
    if (p) {
        if (!fgets(line, sizeof line, p)) line[0] = 0;
        pclose(p);
    }
    c->tmux_passthrough = !strncmp(line, "on", 2) || !strncmp(line, "all", 3);
    tui_tmux_clipboard(c->tmux_clipboard, sizeof c->tmux_clipboard);
}

static void probe_env(int fd, tui_caps *c)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
        c->ws_rows = ws.ws_row; c->ws_cols = ws.ws_col;
        c->ws_xpix = ws.ws_xpixel; c->ws_ypix = ws.ws_ypixel;
    }
    const char *ct = getenv("COLORTERM"), *nc = getenv("NO_COLOR");
    c->truecolor = ct && (!strcmp(ct, "truecolor") || !strcmp(ct, "24bit"));
    c->no_color = nc && *nc;
    probe_tmux(c);
}

void tui_probe(int fd_in, int fd_out, int timeout_ms, tui_caps *c)
{
    memset(c, 0, sizeof *c);
    probe_env(fd_out, c);
    const char *term = getenv("TERM");
    if (!isatty(fd_in) || !isatty(fd_out) || !term || !strcmp(term, "dumb")) return;
    int linux_con = !strcmp(term, "linux");
    struct termios old, raw;
    if (tcgetattr(fd_in, &old) != 0) return;
    raw = old;
    raw.c_lflag &= ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 0; raw.c_cc[VTIME] = 0;
    tcsetattr(fd_in, TCSANOW, &raw);
    const char *q = linux_con ? "\033[c" : probe_batch;  /* the console prints what it ignores */
    double t0 = now_ms();
    if (write(fd_out, q, strlen(q)) < 0) { tcsetattr(fd_in, TCSANOW, &old); return; }
    char buf[2048];
    int n = 0;
    while (!tui_probe_parse(buf, n, c)) {
        int left = timeout_ms - (int)(now_ms() - t0);
        struct pollfd pf = {fd_in, POLLIN, 0};
        if (left <= 0 || poll(&pf, 1, left) <= 0) { c->timed_out = 1; break; }
        ssize_t r = read(fd_in, buf + n, sizeof buf - 1 - n);
        if (r <= 0) break;
        n += (int)r;
        if (n >= (int)sizeof buf - 1) n = 0;  /* garbage flood: keep waiting for DA1 */
    }
    c->probe_ms = now_ms() - t0;
    tcsetattr(fd_in, TCSAFLUSH, &old);
}

static void decide_cell(tui_caps *c)
{
    int wsok = c->ws_xpix >= 2 * c->ws_cols && c->ws_ypix >= 4 * c->ws_rows && c->ws_cols > 0 &&
               c->ws_rows > 0;
    if (wsok && c->in_tmux && c->ws_xpix == 16 * c->ws_cols && c->ws_ypix == 32 * c->ws_rows)
        wsok = 0;  /* tmux's made-up 16x32 cell when it knows no client pixel size */
    if (c->cell16_w > 0 && c->cell16_h > 0) {
        c->cell_w = c->cell16_w; c->cell_h = c->cell16_h;
        snprintf(c->cell_why, sizeof c->cell_why, "CSI 16 t reply");
    } else if (wsok) {
        c->cell_w = c->ws_xpix / c->ws_cols; c->cell_h = c->ws_ypix / c->ws_rows;
        snprintf(c->cell_why, sizeof c->cell_why, "TIOCGWINSZ %dx%d px over %dx%d cells",
                 c->ws_xpix, c->ws_ypix, c->ws_cols, c->ws_rows);
    } else if (c->area_w > 0 && c->rows18 > 0 && c->cols18 > 0 && !c->in_tmux) {
        c->cell_w = c->area_w / c->cols18; c->cell_h = c->area_h / c->rows18;
        snprintf(c->cell_why, sizeof c->cell_why, "CSI 14 t / CSI 18 t");
    } else {
        c->cell_w = 10; c->cell_h = 20;
        snprintf(c->cell_why, sizeof c->cell_why, "default (no usable pixel size reported)");
    }
}

static void decide_gfx(tui_caps *c)
{
    if (c->da1_sixel) {
        c->gfx = TUI_GFX_SIXEL;
        snprintf(c->gfx_why, sizeof c->gfx_why, "DA1 lists 4 (sixel): ?%s", c->da1);
    } else if (c->in_tmux && c->tmux_passthrough) {
        c->gfx = TUI_GFX_SIXEL;
        snprintf(c->gfx_why, sizeof c->gfx_why,
                 "inside tmux with allow-passthrough on: sixel through DCS passthrough");
    } else {
        c->gfx = TUI_GFX_BLOCKS;
        snprintf(c->gfx_why, sizeof c->gfx_why, "%s",
                 !c->da1_seen ? "no DA1 reply: half-blocks"
                 : c->in_tmux ? "tmux without sixel and passthrough off: half-blocks"
                              : "DA1 does not list sixel: half-blocks");
    }
}

int tui_caps_decide(tui_caps *c, const char *force, const char *cell_spec)
{
    if (cell_spec) {
        int w, h;
        char extra;
        if (sscanf(cell_spec, "%dx%d%c", &w, &h, &extra) != 2 || w < 2 || h < 2 || w > 200 ||
            h > 400)
            return -1;
        c->cell_w = w; c->cell_h = h;
        snprintf(c->cell_why, sizeof c->cell_why, "--cell-size %dx%d", w, h);
    } else {
        decide_cell(c);
    }
    decide_gfx(c);
    if (force) {
        if (!strcmp(force, "sixel")) c->gfx = TUI_GFX_SIXEL;
        else if (!strcmp(force, "blocks")) c->gfx = TUI_GFX_BLOCKS;
        else if (!strcmp(force, "none")) c->gfx = TUI_GFX_NONE;
        else return -1;
        snprintf(c->gfx_why, sizeof c->gfx_why, "--graphics %s", force);
    }
    c->ncolors = c->regs > 0 && c->regs < 256 ? c->regs : 256;
    if (c->ncolors < 2) c->ncolors = 2;
    return 0;
}

const char *tui_gfx_name(tui_gfx g)
{
    return g == TUI_GFX_SIXEL ? "sixel" : g == TUI_GFX_BLOCKS ? "blocks" : "none";
}
