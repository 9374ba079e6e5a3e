/* Times the C model on the inputs the speed goals name: one 25-token text query and image
 * batches of 1 and 8 (random pixels), best of N runs after a warm-up. Prints one line per case.
 * usage: tool_model_bench MODEL [runs [text]]   (threads: OMP_NUM_THREADS; text: no images) */
#include "model/irra.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: tool_model_bench MODEL [runs]\n"), 2;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    irra_err e = {{0}};
    irra_model *m = irra_model_open(argv[1], NULL, &e);
    if (!m) return fprintf(stderr, "%s\n", e.msg), 2;
    const irra_config *c = irra_model_config(m);
    int32_t *ids = calloc((size_t)c->context, sizeof *ids);
    for (int t = 0; t < 25 && t < c->context; t++) ids[t] = 1000 + t;
    ids[0] = c->vocab - 2, ids[24] = c->vocab - 1; /* SOT ... EOT: 25 tokens */
    float *feat = malloc(8 * (size_t)c->embed_dim * sizeof *feat);
    double best = 1e9;
    for (int r = 0; r <= runs; r++) {
        double t0 = now();
        if (irra_encode_text(m, ids, 1, feat, NULL, &e) < 0) return fprintf(stderr, "%s\n", e.msg), 2;
        if (r && now() - t0 < best) best = now() - t0;
    }
    printf("threads %d text_query_25 %.2f ms\n", omp_get_max_threads(), best * 1e3);
    fflush(stdout);
    int images = !(argc > 3 && !strcmp(argv[3], "text"));
    size_t n = (size_t)3 * c->img_h * c->img_w;
    float *px = malloc(8 * n * sizeof *px);
    for (size_t i = 0; i < 8 * n; i++) px[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    for (int B = 1; images && B <= 8; B += 7) {
        best = 1e9;
        for (int r = 0; r <= runs; r++) {
            double t0 = now();
            if (irra_encode_image(m, px, B, feat, NULL, &e) < 0) return fprintf(stderr, "%s\n", e.msg), 2;
            if (r && now() - t0 < best) best = now() - t0;
        }
        printf("threads %d image_batch_%d %.2f ms (%.2f img/s)\n", omp_get_max_threads(), B,
               best * 1e3, B / best);
        fflush(stdout);
    }
    free(ids), free(feat), free(px);
    irra_model_free(m);
    return 0;
}
