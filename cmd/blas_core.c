#include "cmd/cli.h"
#include "model/blas.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The kernel families that OpenBLAS 0.3.21 picks when it does not recognise a CPU. */
static int is_fallback_core(const char *core)
{
    static const char *slow[] = {"Prescott", "Core2", "Katmai", "Coppermine", "Northwood",
                                 "Banias", "Penryn", "Dunnington", "Nehalem", "Unknown"};
    for (size_t i = 0; i < sizeof slow / sizeof *slow; i++)
        if (!strcasecmp(core, slow[i])) return 1;
    return 0;
}

static const char *best_core(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    if (__builtin_cpu_supports("avx")) return "Sandybridge";
    return NULL;
}

void cli_fix_blas_core(int argc, char **argv)
{
    (void)argc;
    const char *core = irra_blas_core();
    if (!core || !is_fallback_core(core) || getenv("IRRA_BLAS_REEXEC")) return;
    const char *want = best_core();
    if (!want) return;
    setenv("OPENBLAS_CORETYPE", want, 1);
    setenv("IRRA_BLAS_REEXEC", "1", 1); /* once: never loop if OpenBLAS ignores the setting */
    execv("/proc/self/exe", argv);
    /* exec failed: run on the slow kernels rather than not at all */
}
