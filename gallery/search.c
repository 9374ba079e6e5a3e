/* Exact cosine top-k: the rows are split into chunks; each thread scores its chunks with one
 * sgemv (the matrix is read once, the scores stay in cache) and keeps a k-best heap; the heaps
 * are merged at the end. Order: higher score first, equal scores by lower row, so results do not
 * depend on the thread count. */
#include "gallery/search.h"

#include "model/blas.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 8192 /* rows per sgemv: 16 MB of 512-d features, 32 KB of scores */

/* a ranks before b */
static int better(gal_hit a, gal_hit b)
{
    return a.score > b.score || (a.score == b.score && a.idx < b.idx);
}

/* A min-heap of the k best hits seen so far, the worst at the root. */
typedef struct {
    gal_hit *h;
    int n, k;
} topk;

static void sift_down(topk *t, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, w = i;
        if (l < t->n && better(t->h[w], t->h[l])) w = l;
        if (r < t->n && better(t->h[w], t->h[r])) w = r;
        if (w == i) return;
        gal_hit tmp = t->h[i];
        t->h[i] = t->h[w];
        t->h[w] = tmp;
        i = w;
    }
}

static void topk_push(topk *t, gal_hit x)
{
    if (t->n < t->k) {
        int i = t->n++;
        t->h[i] = x;
        while (i > 0 && better(t->h[(i - 1) / 2], t->h[i])) {
            gal_hit tmp = t->h[i];
            t->h[i] = t->h[(i - 1) / 2];
            t->h[(i - 1) / 2] = tmp;
            i = (i - 1) / 2;
        }
    } else if (better(x, t->h[0])) {
        t->h[0] = x;
        sift_down(t, 0);
    }
}

/* Scores rows [r0, r1) into t, using scratch for the scores. */
static void scan_chunk(const gal_index *ix, const float *q, int r0, int r1, float *scratch,
                       topk *t)
{
    irra_gemv(r1 - r0, ix->dim, 1.0f, ix->feat + (size_t)r0 * ix->dim, ix->dim, q, 0.0f, scratch);
    for (int i = 0; i < r1 - r0; i++) {
        /* Most rows lose to the current k-th best: one comparison rejects them. */
        if (t->n == t->k && scratch[i] < t->h[0].score) continue;
        topk_push(t, (gal_hit){r0 + i, scratch[i]});
    }
}

static int by_rank(const void *a, const void *b)
{
    gal_hit x = *(const gal_hit *)a, y = *(const gal_hit *)b;
    return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

int gal_search(const gal_index *ix, const float *query, int k, gal_hit *out)
{
    if (k > ix->n) k = ix->n;
    if (k <= 0) return 0;
    int nchunks = (ix->n + CHUNK - 1) / CHUNK;
    int nt = omp_get_max_threads();
    if (nt > nchunks) nt = nchunks;
    gal_hit *all = malloc((size_t)nt * k * sizeof *all);
    float *scratch = malloc((size_t)nt * CHUNK * sizeof *scratch);
    int *got = calloc((size_t)nt, sizeof *got);
    if (!all || !scratch || !got) {
        free(all);
        free(scratch);
        free(got);
        return -1;
    }
#pragma omp parallel num_threads(nt)
    {
        int tid = omp_get_thread_num();
        topk t = {all + (size_t)tid * k, 0, k};
#pragma omp for schedule(static)
        for (int c = 0; c < nchunks; c++) {
            int r0 = c * CHUNK, r1 = r0 + CHUNK < ix->n ? r0 + CHUNK : ix->n;
            scan_chunk(ix, query, r0, r1, scratch + (size_t)tid * CHUNK, &t);
        }
        got[tid] = t.n;
    }
    topk best = {out, 0, k};
    for (int i = 0; i < nt; i++)
        for (int j = 0; j < got[i]; j++) topk_push(&best, all[(size_t)i * k + j]);
    qsort(out, (size_t)best.n, sizeof *out, by_rank);
    free(all);
    free(scratch);
    free(got);
    return best.n;
}
