/* The browser on the synthetic source (tests/synth_source.h), with irra browse's options, for
 * the tmux, pty and xterm tests of the terminal layers. The environment picks a variant:
 * SYN_IMAGES=N images, SYN_FOLDER=1 a folder gallery, SYN_SQUARE=1 square crops. */
#include "synth_source.h"
#include "tui/browse_run.h"

static int env_int(const char *name)
{
    const char *v = getenv(name);
    return v ? atoi(v) : 0;
}

int main(int argc, char **argv)
{
    tui_run_opts o;
    int rc = tui_browse_parse(argc, argv, "usage: tool_browse [options]\n" TUI_BROWSE_OPTIONS, &o);
    if (rc) return rc == 1 ? 0 : rc;
    syn_ctx ctx;
    tui_source src;
    syn_open_with(&src, &ctx, env_int("SYN_IMAGES"), env_int("SYN_FOLDER"), env_int("SYN_SQUARE"));
    return tui_browse_run(&src, &o);
}
