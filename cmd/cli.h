/* What every subcommand shares: the command table entry, error reporting on stderr with exit
 * status 2, and where the shipped assets live. */
#ifndef IRRA_CLI_H
#define IRRA_CLI_H

#include <stddef.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name; returns the exit status */
    const char *summary;
} cli_command;

#define CLI_EXIT_ERROR 2

/* Prints "irra: <message>" on stderr and returns CLI_EXIT_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints usage text to stdout when argv holds --help or -h (before any "--"); returns 1 if so. */
int cli_wants_help(int argc, char **argv, const char *usage);

/* The one line for an option getopt_long refused ('?' or ':'), with opterr 0 (main sets it, so
 * getopt prints nothing of its own): "CMD: unknown option '--x' (HELP)", or that the option
 * needs a value (or takes none). optstring: the short options given to getopt_long. Returns
 * CLI_EXIT_ERROR. */
int cli_bad_option(const char *cmd, const char *help, const char *optstring, char **argv);

/* Finds a shipped asset: $IRRA_ASSETS alone when it is set; otherwise <bindir>/../share/irra (an
 * installed binary, whatever its prefix), <bindir>/../assets (build/irra in the source tree), the
 * share folder compiled in, then ./assets. Writes the path to buf; returns 0, or -1 if absent. */
int cli_asset_path(const char *name, char *buf, size_t n);

/* OpenBLAS picks its kernels once, when it loads; an old OpenBLAS falls back to its slowest
 * (Prescott) kernels on CPUs it does not know. Re-executes the program once with
 * OPENBLAS_CORETYPE set to the best family the CPU supports when that happened. */
void cli_fix_blas_core(int argc, char **argv);

#endif
