/* Times the image encoder alone: N random images in batches of B through irra_encode_image.
 * Prints images per second. The reference for the gallery build's throughput
 * (tests/bench_build.sh). Usage: tool_encode_bench MODEL HxW STRIDE N B */
#include "model/irra.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: tool_encode_bench MODEL HxW STRIDE N B\n");
        return 2;
    }
    irra_open_opts o = {0};
    if (sscanf(argv[2], "%dx%d", &o.img_h, &o.img_w) != 2) return 2;
    o.stride = atoi(argv[3]);
    int n = atoi(argv[4]), b = atoi(argv[5]);
    irra_err e;
    irra_model *m = irra_model_open(argv[1], &o, &e);
    if (!m || n <= 0 || b <= 0) {
        fprintf(stderr, "%s\n", m ? "bad N or B" : e.msg);
        return 2;
    }
    const irra_config *c = irra_model_config(m);
    size_t per = (size_t)3 * c->img_h * c->img_w;
    float *px = malloc(per * b * sizeof *px), *feat = malloc((size_t)b * c->embed_dim * sizeof *feat);
    for (size_t i = 0; i < per * b; i++) px[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    struct timespec t0, t1;
    /* as the gallery build does; bench_build.sh counts it with the build's fixed costs */
    irra_model_prepare(m, IRRA_PREPARE_IMAGE);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i += b)
        if (irra_encode_image(m, px, n - i < b ? n - i : b, feat, NULL, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            return 1;
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("%.2f\n", n / s);
    free(px);
    free(feat);
    irra_model_free(m);
    return 0;
}
