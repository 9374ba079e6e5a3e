/* Times irra's model paths for `make bench` (tests/bench_model.py runs it beside PyTorch):
 * model open, readying the towers (irra_model_prepare), one text query, image encoding at batch 1
 * and 8. Prints one JSON object.
 * usage: tool_bench_model MODEL IDS_CSV REPS */
#include "model/irra.h"

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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    if (argc != 4) return fprintf(stderr, "usage: %s MODEL IDS_CSV REPS\n", argv[0]), 2;
    int reps = atoi(argv[3]);
    irra_err e = {{0}};
    double *t = calloc(reps, sizeof *t), t0;
    for (int r = 0; r < reps; r++) {
        t0 = now();
        irra_model *m = irra_model_open(argv[1], NULL, &e);
        if (!m) return fprintf(stderr, "%s\n", e.msg), 2;
        t[r] = now() - t0;
        irra_model_free(m);
    }
    double load = median(t, reps);
    irra_model *m = irra_model_open(argv[1], NULL, &e);
    const irra_config *c = irra_model_config(m);
    /* Steady state, as in the browser or a gallery build: both towers readied first (timed on
     * its own; a one-shot command skips it). */
    t0 = now();
    irra_model_prepare(m, IRRA_PREPARE_TEXT | IRRA_PREPARE_IMAGE);
    double prepare = now() - t0;
    int32_t *ids = calloc(c->context, sizeof *ids);
    char *tok = strtok(argv[2], ",");
    for (int i = 0; tok && i < c->context; i++, tok = strtok(NULL, ",")) ids[i] = atoi(tok);
    float *feat = malloc(sizeof(float) * 8 * c->embed_dim);
    for (int r = -2; r < reps; r++) {
        t0 = now();
        if (irra_encode_text(m, ids, 1, feat, NULL, &e)) return fprintf(stderr, "%s\n", e.msg), 2;
        if (r >= 0) t[r] = now() - t0;
    }
    double text = median(t, reps);
    size_t npx = (size_t)3 * c->img_h * c->img_w;
    float *px = malloc(sizeof(float) * 8 * npx);
    srand(1);
    for (size_t i = 0; i < 8 * npx; i++) px[i] = (float)((double)rand() / RAND_MAX * 4 - 2);
    double img[2];
    for (int b = 0; b < 2; b++) {
        int B = b ? 8 : 1;
        for (int r = -1; r < reps; r++) {
            t0 = now();
            if (irra_encode_image(m, px, B, feat, NULL, &e)) return fprintf(stderr, "%s\n", e.msg), 2;
            if (r >= 0) t[r] = now() - t0;
        }
        img[b] = B / median(t, reps);
    }
    printf("{\"load_s\": %.6f, \"prepare_s\": %.6f, \"text_s\": %.6f, \"image_b1_per_s\": %.3f, "
           "\"image_b8_per_s\": %.3f}\n", load, prepare, text, img[0], img[1]);
    irra_model_free(m);
    free(ids), free(feat), free(px), free(t);
    return 0;
}
