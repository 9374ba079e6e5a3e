/* irra: one binary, subcommands like git. The table below is the whole command set; a command
 * is listed only once it really works. */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/model_opts.h"
#include "model/blas.h"

#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const cli_command commands[] = {
    {"help", cmd_help, "show the commands, or the manual of one (irra help CMD)"},
    {"version", cmd_version, "print the version and the BLAS kernels in use"},
    IRRA_COMMANDS
};
static const int ncommands = sizeof commands / sizeof *commands;

static const cli_command *find(const char *name)
{
    for (int i = 0; i < ncommands; i++)
        if (!strcmp(commands[i].name, name)) return &commands[i];
    return NULL;
}

static void overview(FILE *f)
{
    fprintf(f, "irra %s: text-to-image person retrieval (IRRA, CVPR 2023) in C\n\n"
               "usage: irra <command> [options]   (irra <command> --help for details)\n\n"
               "commands:\n", IRRA_VERSION);
    for (int i = 0; i < ncommands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        overview(stdout);
        return 0;
    }
    if (cli_wants_help(argc, argv, "usage: irra help [CMD]\n\n"
                                   "Lists the commands, or prints the usage of one (the same as\n"
                                   "irra CMD --help); man irra-CMD has the manual.\n"))
        return 0;
    if (argc > 2) return cli_error("help: one command at a time (irra help CMD)");
    const cli_command *c = find(argv[1]);
    if (!c) return cli_error("help: no command '%s' (irra help lists them)", argv[1]);
    char *sub[] = {argv[1], "--help", NULL};
    return c->run(2, sub);
}

static int cmd_version(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "usage: irra version\n       irra --version\n\n"
                                   "Prints irra's version, the folder of the shipped assets (the\n"
                                   "vocabulary, model and gallery: $IRRA_ASSETS, else\n"
                                   "<bindir>/../share/irra, <bindir>/../assets, " IRRA_DATADIR ",\n"
                                   "./assets), the OpenBLAS kernels in use and which\n"
                                   "matrix product runs the transformer layers.\n"))
        return 0;
    char vocab[4096], *assets = NULL;
    if (cli_asset_path(CLI_SHIPPED_VOCAB, vocab, sizeof vocab) == 0) {
        *strrchr(vocab, '/') = 0;
        assets = realpath(vocab, NULL);
    }
    printf("irra %s\nassets: %s\nopenblas: %s\nopenblas core: %s\nthreads: %d\nlinear layers: %s\n",
           IRRA_VERSION, assets ? assets : "none found (irra help version)", irra_blas_config(), irra_blas_core(), omp_get_max_threads(),
           irra_packed_enabled() ? "irra packed AVX-512 product (IRRA_NO_PACKED=1: OpenBLAS)"
           : irra_packed_available() ? "OpenBLAS (IRRA_NO_PACKED is set)"
                                     : "OpenBLAS (no AVX-512 on this CPU)");
    free(assets);
    return 0;
}

int main(int argc, char **argv)
{
    opterr = 0; /* every command reports a bad option in one line of its own (cli_bad_option) */
    cli_fix_blas_core(argc, argv);
    if (argc < 2) {
        const cli_command *dflt = find(IRRA_DEFAULT_COMMAND);
        if (dflt) return dflt->run(1, (char *[]){(char *)dflt->name, NULL});
        overview(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) return cmd_version(1, argv + 1);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) return cmd_help(1, argv + 1);
    const cli_command *c = find(argv[1]);
    if (!c) return cli_error("'%s' is not a command (irra help lists them)", argv[1]);
    return c->run(argc - 1, argv + 1);
}
