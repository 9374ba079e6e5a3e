/* irra browse: the terminal retrieval browser (the default command). */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "tui/browse_run.h"
#include "tui/gal_source.h"

static const char usage[] =
    "usage: irra browse [--model M] [--gallery G.db] [options]\n"
    "       irra        (no arguments: the same)\n\n"
    "Type a description of a person; the gallery's best matching crops appear as you type,\n"
    "with rank, cosine score and identity. ? shows the keys; man irra-browse has them all.\n\n"
    "options:\n" TUI_BROWSE_OPTIONS;

int cmd_browse(int argc, char **argv)
{
    tui_run_opts o;
    int rc = tui_browse_parse(argc, argv, usage, &o);
    if (rc) return rc == 1 ? 0 : rc;
    tui_source src;
    char err[1024];
    if (tui_gal_source_open(&src, o.model, o.gallery, o.vocab, err, sizeof err) != 0)
        return cli_error("browse: %s", err);
    rc = tui_browse_run(&src, &o);
    src.close(src.ctx);
    return rc;
}
