/* The browser on the synthetic source (tests/synth_source.h), with irra browse's options, for
 * the tmux, pty and xterm tests of the terminal layers. */
#include "synth_source.h"
#include "tui/browse_run.h"

int main(int argc, char **argv)
{
    tui_run_opts o;
    int rc = tui_browse_parse(argc, argv, "usage: tool_browse [options]\n" TUI_BROWSE_OPTIONS, &o);
    if (rc) return rc == 1 ? 0 : rc;
    syn_ctx ctx;
    tui_source src;
    syn_open(&src, &ctx);
    return tui_browse_run(&src, &o);
}
