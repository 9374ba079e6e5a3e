/* Times gal_search (top-10) over N random L2-normalised features: prints the median latency of
 * Q queries in milliseconds. Usage: tool_search_bench N DIM Q */
#include "gallery/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: tool_search_bench N DIM Q\n");
        return 2;
    }
    int n = atoi(argv[1]), dim = atoi(argv[2]), nq = atoi(argv[3]);
    if (n <= 0 || dim <= 0 || nq <= 0) return 2;
    gal_index ix = {.n = n, .dim = dim};
    ix.feat = malloc((size_t)n * dim * sizeof *ix.feat);
    float *q = malloc((size_t)dim * sizeof *q);
    double *ms = malloc((size_t)nq * sizeof *ms);
    if (!ix.feat || !q || !ms) return 1;
    unsigned r = 1;
    for (size_t i = 0; i < (size_t)n * dim; i++) {
        r = r * 1664525u + 1013904223u;
        ix.feat[i] = (float)(r >> 8) / 16777216.0f - 0.5f;
    }
    gal_hit hits[10];
    for (int t = -1; t < nq; t++) { /* one untimed warm-up */
        for (int d = 0; d < dim; d++) q[d] = ix.feat[(size_t)((t + 2) * 7919 % n) * dim + d];
        double t0 = now_ms();
        gal_search(&ix, q, 10, hits);
        if (t >= 0) ms[t] = now_ms() - t0;
    }
    qsort(ms, (size_t)nq, sizeof *ms, cmp_double);
    printf("%.3f\n", ms[nq / 2]);
    free(ix.feat);
    free(q);
    free(ms);
    return 0;
}
