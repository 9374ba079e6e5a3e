/* Drives model/image.h for tests/test_image.sh:
 *   tool_image load IN OUT          decode; raw RGB bytes to OUT, "W H" on stdout
 *   tool_image resize IN W H OUT    decode and resize; raw RGB bytes to OUT
 *   tool_image preprocess IN H W OUT  decode and preprocess; float32 [3][H][W] to OUT
 *   tool_image time IN REPS         decode IN from memory REPS times; ms per decode, best of 5 rounds
 * Errors: the library's message on stderr, exit status 2. */
#include "model/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int write_all(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        perror(path);
        if (f) fclose(f);
        return 2;
    }
    return fclose(f) ? 2 : 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int timing(const char *path, int reps)
{
    FILE *f = fopen(path, "rb");
    if (!f) return perror(path), 2;
    static unsigned char buf[64 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    double best = 1e9;
    irra_err e = {{0}};
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (int r = 0; r < reps; r++) {
            irra_image img;
            if (irra_image_load_mem(buf, n, path, &img, &e)) return fprintf(stderr, "%s\n", e.msg), 2;
            irra_image_free(&img);
        }
        double t = (now() - t0) / reps;
        best = t < best ? t : best;
    }
    printf("%s: %.3f ms per decode\n", path, best * 1e3);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "time")) return timing(argv[2], atoi(argv[3]));
    if (argc < 4) {
        fprintf(stderr, "usage: tool_image load|resize|preprocess IN ... OUT\n");
        return 2;
    }
    irra_err e = {{0}};
    irra_image img;
    if (irra_image_load(argv[2], &img, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    int rc = 2;
    if (!strcmp(argv[1], "load")) {
        printf("%d %d\n", img.w, img.h);
        rc = write_all(argv[3], img.rgb, (size_t)img.w * img.h * 3);
    } else if (!strcmp(argv[1], "resize") && argc == 6) {
        int w = atoi(argv[3]), h = atoi(argv[4]);
        uint8_t *out = malloc((size_t)(w > 0 ? w : 1) * (h > 0 ? h : 1) * 3);
        if (irra_image_resize(&img, w, h, out, &e)) fprintf(stderr, "%s\n", e.msg);
        else rc = write_all(argv[5], out, (size_t)w * h * 3);
        free(out);
    } else if (!strcmp(argv[1], "preprocess") && argc == 6) {
        int h = atoi(argv[3]), w = atoi(argv[4]);
        float *out = malloc((size_t)(w > 0 ? w : 1) * (h > 0 ? h : 1) * 3 * sizeof *out);
        if (irra_image_preprocess(&img, h, w, out, &e)) fprintf(stderr, "%s\n", e.msg);
        else rc = write_all(argv[5], out, (size_t)w * h * 3 * sizeof *out);
        free(out);
    } else {
        fprintf(stderr, "tool_image: bad arguments\n");
    }
    irra_image_free(&img);
    return rc;
}
