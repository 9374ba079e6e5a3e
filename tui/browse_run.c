/* Option parsing and the run of the browser. */
#include "tui/browse_run.h"
#include "cmd/cli.h"
#include "tui/browser.h"
#include "tui/query_line.h"
#include "tui/term_probe.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tui_browse_parse(int argc, char **argv, const char *usage, tui_run_opts *o)
{
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},      {"gallery", required_argument, 0, 'g'},
        {"graphics", required_argument, 0, 'G'},   {"cell-size", required_argument, 0, 'c'},
        {"query", required_argument, 0, 'q'},      {"history", required_argument, 0, 'H'},
        {"export-dir", required_argument, 0, 'e'}, {"probe-timeout", required_argument, 0, 't'},
        {"vocab", required_argument, 0, 'v'},
        {0, 0, 0, 0},
    };
    memset(o, 0, sizeof *o);
    o->probe_timeout_ms = 1500;
    if (cli_wants_help(argc, argv, usage)) return 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm': o->model = optarg; break;
        case 'g': o->gallery = optarg; break;
        case 'v': o->vocab = optarg; break;
        case 'G':
            if (strcmp(optarg, "sixel") && strcmp(optarg, "blocks") && strcmp(optarg, "none"))
                return cli_error("%s: --graphics takes sixel, blocks or none", argv[0]);
            o->graphics = optarg;
            break;
        case 'c': o->cell_size = optarg; break;
        case 'q': o->query = optarg; break;
        case 'H': o->history = optarg; break;
        case 'e': o->export_dir = optarg; break;
        case 't':
            o->probe_timeout_ms = atoi(optarg);
            if (o->probe_timeout_ms < 1 || o->probe_timeout_ms > 60000)
                return cli_error("%s: --probe-timeout takes 1 to 60000 ms", argv[0]);
            break;
        default: return cli_error("%s: unknown option '%s' (--help lists them)", argv[0], argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_error("%s: unexpected argument '%s'", argv[0], argv[optind]);
    return 0;
}

int tui_browse_run(tui_source *src, const tui_run_opts *o)
{
    setlocale(LC_ALL, "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return cli_error("browse: needs a terminal (stdin and stdout are not both ttys)");
    const char *term = getenv("TERM");
    if (!term || !*term || !strcmp(term, "dumb"))
        return cli_error("browse: TERM is '%s': needs a terminal with cursor addressing", term ? term : "");
    tui_caps caps;
    tui_probe(STDIN_FILENO, STDOUT_FILENO, o->probe_timeout_ms, &caps);
    if (tui_caps_decide(&caps, o->graphics, o->cell_size) != 0)
        return cli_error("browse: --cell-size '%s' is not WxH pixels", o->cell_size);
    char hist[4096] = "";
    if (o->history) snprintf(hist, sizeof hist, "%s", o->history);
    else if (tui_history_path(hist, sizeof hist) != 0) hist[0] = 0;
    tui_browse_opts bo = {.history = hist[0] ? hist : NULL, .export_dir = o->export_dir,
                          .query = o->query, .debounce_ms = 170};
    char err[512];
    tui_browser *b = tui_browser_new(src, &caps, &bo, STDIN_FILENO, STDOUT_FILENO, err, sizeof err);
    if (!b) return cli_error("browse: %s", err);
    tui_browser_run(b);
    tui_browser_free(b);
    return 0;
}
