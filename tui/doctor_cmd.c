/* irra doctor: what the terminal reported, what the browser chose and why; --bench measures
 * the browser's latency and bytes on the model and gallery. */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "tui/bench.h"
#include "tui/browse_run.h"
#include "tui/gal_source.h"
#include "tui/term_probe.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: irra doctor [--graphics MODE] [--cell-size WxH] [--probe-timeout MS]\n"
    "       irra doctor --bench [--model M] [--gallery G.db] [--query TEXT]\n\n"
    "Probes the terminal once, as irra browse does, and prints what it answered, the graphics\n"
    "mode and cell size the browser would use, and why. --bench runs the browser on a\n"
    "pseudo-terminal and reports keystroke-to-results latency, sixel encode time and the bytes a\n"
    "screen and a selection move send.\n";

/* What the terminal answered and the environment say is text from outside: made safe. */
static void report(const tui_caps *c)
{
    char a[1024], b[1024];
    printf("terminal: TERM=%s%s%s\n", getenv("TERM") ? cli_safe(getenv("TERM"), a, sizeof a) : "(unset)",
           c->in_tmux ? ", inside tmux" : "", c->truecolor ? ", COLORTERM truecolor" : "");
    if (!c->da1_seen && !c->timed_out && c->probe_ms == 0)
        printf("probe: skipped (no terminal, or TERM is dumb)\n");
    else if (!c->da1_seen)
        printf("probe: no DA1 reply%s (%.1f ms)\n", c->timed_out ? " before the timeout" : "", c->probe_ms);
    else
        printf("probe: answered in %.1f ms\n", c->probe_ms);
    printf("  DA1: %s%s\n", c->da1_seen ? "?" : "-", cli_safe(c->da1, a, sizeof a));
    printf("  XTVERSION: %s\n", c->version[0] ? cli_safe(c->version, b, sizeof b) : "-");
    printf("  sixel colour registers: %d%s\n", c->regs, c->regs ? "" : " (unknown)");
    printf("  sixel max geometry: %dx%d px%s\n", c->max_w, c->max_h, c->max_w ? "" : " (unknown)");
    printf("  CSI 16 t cell: %dx%d, CSI 14 t area: %dx%d, CSI 18 t: %d rows %d cols\n", c->cell16_w,
           c->cell16_h, c->area_w, c->area_h, c->rows18, c->cols18);
    printf("  TIOCGWINSZ: %d rows %d cols, %dx%d px\n", c->ws_rows, c->ws_cols, c->ws_xpix, c->ws_ypix);
    if (c->in_tmux) printf("  tmux allow-passthrough: %s\n", c->tmux_passthrough ? "on" : "off");
    if (c->in_tmux)
        printf("  tmux set-clipboard: %s%s\n", c->tmux_clipboard[0] ? c->tmux_clipboard : "unknown",
               strcmp(c->tmux_clipboard, "on") ? " (y cannot copy: OSC 52 needs set -s set-clipboard on)" : "");
    printf("cell size: %dx%d px (%s)\n", c->cell_w, c->cell_h, c->cell_why);
    printf("graphics: %s (%s)\n", tui_gfx_name(c->gfx), cli_safe(c->gfx_why, a, sizeof a));
    if (c->gfx == TUI_GFX_SIXEL) printf("sixel palette: %d colours\n", c->ncolors);
}

static int bench(const tui_run_opts *o)
{
    tui_source src;
    char err[1024];
    if (tui_gal_source_open(&src, o->model, o->gallery, o->vocab, err, sizeof err) != 0)
        return cli_error("doctor: %s", err);
    tui_bench_result r;
    const char *q = o->query ? o->query : "a woman in a red jacket with a black bag";
    int rc = tui_bench(&src, q, &r, err, sizeof err);
    src.close(src.ctx);
    if (rc != 0) return cli_error("doctor --bench: %s", err);
    char a[4200], b[4200];
    printf("bench: model %s, gallery %d images, query \"%s\", 100x40 cells of 10x20 px\n",
           cli_safe(src.model_name, a, sizeof a), src.size, cli_safe(q, b, sizeof b));
    printf("keystroke to redrawn results: %.1f ms (median of 5: letter + Enter, text encode, search, redraw)\n", r.keystroke_ms);
    printf("sixel encode of %d tiles %dx%d: %.1f ms (one thread), %llu bytes\n", r.tiles, r.tile_w,
           r.tile_h, r.encode12_ms, r.bytes12);
    printf("bytes per full screen (Ctrl-L repaint, text and images): %llu\n", r.screen_bytes);
    printf("bytes per selection move: %llu\n", r.move_bytes);
    return 0;
}

int cmd_doctor(int argc, char **argv)
{
    int do_bench = 0;
    char *rest[64];
    int nrest = 0;
    for (int i = 0; i < argc && nrest < 63; i++) {
        if (!strcmp(argv[i], "--bench")) do_bench = 1;
        else rest[nrest++] = argv[i];
    }
    rest[nrest] = NULL;
    tui_run_opts o;
    int rc = tui_browse_parse(nrest, rest, usage, &o);
    if (rc) return rc == 1 ? 0 : rc;
    if (do_bench) return bench(&o);
    /* the controlling terminal, so `irra doctor > report.txt` still probes it */
    int tty = open("/dev/tty", O_RDWR | O_NOCTTY);
    tui_caps c;
    tui_probe(tty >= 0 ? tty : STDIN_FILENO, tty >= 0 ? tty : STDOUT_FILENO, o.probe_timeout_ms, &c);
    if (tty >= 0) close(tty);
    if (tui_caps_decide(&c, o.graphics, o.cell_size) != 0)
        return cli_error("doctor: --cell-size '%s' is not WxH pixels", o.cell_size);
    report(&c);
    return 0;
}
