/* Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c, built and run by `make fuzz`).
 *
 * Each target is one LLVMFuzzerTestOneInput over one parser of untrusted input. A target that
 * makes its own seeds defines FUZZ_SEEDS(dir) before including this file: run with
 * IRRA_FUZZ_SEEDS=DIR, the program writes them into DIR and exits (tests/fuzz/run.sh does this
 * before fuzzing); small hand-made seeds live in tests/fuzz/seeds/NAME/. */
#ifndef IRRA_FUZZ_H
#define IRRA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A per-process scratch folder ($TMPDIR or /tmp), made on first use. */
static inline const char *fuzz_dir(void)
{
    static char dir[256];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/irra-fuzz-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror(dir);
            abort();
        }
    }
    return dir;
}

/* Writes n bytes to path; aborts on failure (the fuzzer's own fault, not the parser's). */
static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f)) {
        perror(path);
        abort();
    }
}

/* The input as a file named `name` in the scratch folder, for parsers that read files. */
static inline const char *fuzz_file(const uint8_t *data, size_t n, const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    fuzz_write(path, data, n);
    return path;
}

/* Reads every byte, so that ASan sees an out-of-bounds span as soon as it is handed out. */
static inline void fuzz_touch(const void *p, size_t n)
{
    const volatile uint8_t *b = p;
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++) x ^= b[i];
    (void)x;
}

/* Seed i of a target's generator, as DIR/seed-NNN. */
static inline void fuzz_seed(const char *dir, int i, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/seed-%03d", dir, i);
    fuzz_write(path, data, n);
}

static int fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) && 0;
}

/* Removes the scratch folder at exit. */
static void fuzz_cleanup(void) { nftw(fuzz_dir(), fuzz_rm, 8, FTW_DEPTH | FTW_PHYS); }

#ifdef FUZZ_SEEDS
static void FUZZ_SEEDS(const char *dir);
#endif
#ifndef FUZZ_INIT
#define FUZZ_INIT() ((void)0)
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    atexit(fuzz_cleanup);
    const char *seeds = getenv("IRRA_FUZZ_SEEDS");
    if (seeds && *seeds) {
#ifdef FUZZ_SEEDS
        FUZZ_SEEDS(seeds);
#endif
        exit(0);
    }
    FUZZ_INIT();
    return 0;
}

#endif
