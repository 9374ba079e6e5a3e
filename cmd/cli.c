#include "cmd/cli.h"

#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("irra: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_ERROR;
}

int cli_wants_help(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 1;
        }
    }
    return 0;
}

int cli_bad_option(const char *cmd, const char *help, const char *optstring, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    if (arg[0] == '-' && arg[1] == '-') {
        int len = (int)strcspn(arg, "=");
        if (!optopt) return cli_error("%s: unknown option '%.*s' (%s)", cmd, len, arg, help);
        if (arg[len]) return cli_error("%s: option '%.*s' takes no value", cmd, len, arg);
        return cli_error("%s: option '%s' needs a value", cmd, arg);
    }
    if (optopt && optopt != ':' && strchr(optstring, optopt))
        return cli_error("%s: option '-%c' needs a value", cmd, optopt);
    if (optopt > ' ' && optopt < 127)
        return cli_error("%s: unknown option '-%c' (%s)", cmd, optopt, help);
    return cli_error("%s: unknown option '%s' (%s)", cmd, arg, help);
}

static int exists(const char *dir, const char *name, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%s/%s", dir, name);
    return len > 0 && (size_t)len < n && access(buf, R_OK) == 0;
}

int cli_asset_path(const char *name, char *buf, size_t n)
{
    const char *env = getenv("IRRA_ASSETS");
    if (env && *env) return exists(env, name, buf, n) ? 0 : -1;
    /* Beside the executable first: `make install PREFIX=P` does not rebuild, so the compiled-in
     * folder names the prefix of the build, not of the install. ../assets is the source tree's
     * folder, for build/irra (and the ./irra link to it). */
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = 0;
        char *dir = dirname(exe), alt[4200];
        snprintf(alt, sizeof alt, "%s/../share/irra", dir);
        if (exists(alt, name, buf, n)) return 0;
        snprintf(alt, sizeof alt, "%s/../assets", dir);
        if (exists(alt, name, buf, n)) return 0;
    }
    if (exists(IRRA_DATADIR, name, buf, n)) return 0;
    if (exists("assets", name, buf, n)) return 0;
    return -1;
}
