/* Drives gallery/metrics.h for tests/test_metrics.sh.
 *   tool_metrics eval IN     IN: int32 nq, int32 ng, float32 sim[nq*ng], int32 qpid[nq],
 *                            int32 gpid[ng]. Prints "r1 r5 r10 map minp no_match", then one
 *                            line per query: "first last num_rel ap top0 .. top9".
 *   tool_metrics bench NQ NG PER_ID BOOST   timings on random scores (see bench()).
 * Errors: the library's message on stderr, exit status 2. */
#include "gallery/metrics.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int read_input(const char *path, int *nq, int *ng, float **sim, int **qpid, int **gpid)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    int ok = fread(nq, sizeof *nq, 1, f) == 1 && fread(ng, sizeof *ng, 1, f) == 1 && *nq > 0 &&
             *ng > 0 && *nq < (1 << 15) && *ng < (1 << 20);
    if (ok) {
        size_t n = (size_t)*nq * *ng;
        *sim = malloc(n * sizeof **sim);
        *qpid = malloc((size_t)*nq * sizeof **qpid);
        *gpid = malloc((size_t)*ng * sizeof **gpid);
        ok = *sim && *qpid && *gpid && fread(*sim, sizeof **sim, n, f) == n &&
             fread(*qpid, sizeof **qpid, (size_t)*nq, f) == (size_t)*nq &&
             fread(*gpid, sizeof **gpid, (size_t)*ng, f) == (size_t)*ng;
    }
    fclose(f);
    return ok ? 0 : -1;
}

static int eval(const char *path)
{
    int nq, ng, *qpid = NULL, *gpid = NULL;
    float *sim = NULL;
    if (read_input(path, &nq, &ng, &sim, &qpid, &gpid)) {
        fprintf(stderr, "%s: bad input\n", path);
        return 2;
    }
    gal_query_result *res = malloc((size_t)nq * sizeof *res);
    gal_metrics m;
    irra_err e = {{0}};
    int rc = 2;
    if (gal_eval_metrics(sim, nq, ng, qpid, gpid, &m, res, &e)) {
        fprintf(stderr, "%s\n", e.msg);
    } else {
        printf("%.9f %.9f %.9f %.9f %.9f %d\n", m.r1, m.r5, m.r10, m.map, m.minp, m.no_match);
        for (int q = 0; q < nq; q++) {
            printf("%d %d %d %.12f", res[q].first, res[q].last, res[q].num_rel, res[q].ap);
            for (int k = 0; k < GAL_TOPK; k++) printf(" %d", res[q].top[k]);
            printf("\n");
        }
        rc = 0;
    }
    free(res);
    free(sim);
    free(qpid);
    free(gpid);
    return rc;
}

typedef struct {
    float s;
    int i;
} scored;

static int cmp_scored(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->s != y->s) return x->s > y->s ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* PER_ID gallery images per identity; BOOST added to the correct images' uniform scores
 * (0: the worst case, correct images anywhere; 0.5: a trained model's ranking). Prints the CPU
 * seconds of gal_eval_metrics and of the plain way, a qsort of (score, index) per query. */
static int bench(int nq, int ng, int per_id, float boost)
{
    if (nq <= 0 || ng <= 0 || per_id <= 0) return 2;
    float *sim = malloc((size_t)nq * ng * sizeof *sim);
    int *qpid = malloc((size_t)nq * sizeof *qpid), *gpid = malloc((size_t)ng * sizeof *gpid);
    scored *row = malloc((size_t)ng * sizeof *row);
    if (!sim || !qpid || !gpid || !row) return 2;
    for (int g = 0; g < ng; g++) gpid[g] = g / per_id;
    for (int q = 0; q < nq; q++) qpid[q] = (int)((q * 7919L) % ((ng - 1) / per_id + 1));
    unsigned x = 12345;
    for (size_t i = 0; i < (size_t)nq * ng; i++) {
        x = x * 1664525u + 1013904223u;
        sim[i] = (float)(x >> 8) / (1 << 24) + (gpid[i % ng] == qpid[i / ng] ? boost : 0.0f);
    }
    gal_metrics m;
    irra_err e = {{0}};
    double c = cpu_seconds(), t = omp_get_wtime();
    int rc = gal_eval_metrics(sim, nq, ng, qpid, gpid, &m, NULL, &e);
    t = omp_get_wtime() - t;
    c = cpu_seconds() - c;
    if (rc) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    double c2 = cpu_seconds();
    long check = 0;
    for (int q = 0; q < nq; q++) {
        for (int j = 0; j < ng; j++) row[j] = (scored){sim[(size_t)q * ng + j], j};
        qsort(row, (size_t)ng, sizeof *row, cmp_scored);
        check += row[0].i;
    }
    c2 = cpu_seconds() - c2;
    printf("%d x %d, %d per id, boost %.2f: gal_eval_metrics %.3f s CPU (%.3f s wall, %d threads);"
           " qsort per query %.3f s CPU; R1 %.3f mAP %.3f mINP %.3f (%ld)\n",
           nq, ng, per_id, boost, c, t, omp_get_max_threads(), c2, m.r1, m.map, m.minp, check);
    free(sim);
    free(qpid);
    free(gpid);
    free(row);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && argv[1][0] == 'e') return eval(argv[2]);
    if (argc == 6 && argv[1][0] == 'b')
        return bench(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), (float)atof(argv[5]));
    fprintf(stderr, "usage: tool_metrics eval IN | bench NQ NG PER_ID BOOST\n");
    return 2;
}
