/* IRRA's rank() without sorting the gallery. Everything the metrics need is the rank of each
 * correct image, and the rank of image g is 1 + the number of images that sort before it. So per
 * query: sort only the R correct images, then for every other image binary-search how many
 * correct images sort before it; a prefix sum of those counts gives every correct image's rank.
 * That is O(ng log R) per query instead of O(ng log ng), and the top 10 come from a running
 * insertion list in the same pass. */
#include "gallery/metrics.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    float s;
    int i;
} scored;

/* The ranking order: higher score first, then lower gallery index. Written without && and ||
 * so that the search below compiles to conditional moves: its outcome is data, not a pattern a
 * branch predictor can learn. */
static inline int before(float sa, int ia, float sb, int ib)
{
    return (sa > sb) | ((sa == sb) & (ia < ib));
}

/* How many of rel[0..R) (sorted, R >= 1) sort before (s, j). */
static inline int count_before(const scored *rel, int R, float s, int j)
{
    const scored *b = rel;
    int n = R;
    while (n > 1) {
        int half = n / 2;
        b = before(b[half].s, b[half].i, s, j) ? b + half : b;
        n -= half;
    }
    return (int)(b - rel) + before(b->s, b->i, s, j);
}

static int cmp_rank(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    return before(x->s, x->i, y->s, y->i) ? -1 : before(y->s, y->i, x->s, x->i) ? 1 : 0;
}

/* Keeps top[0..*n) the best images seen so far, best first. Images arrive in index order, so
 * a newcomer never beats an equal score already listed (it has the higher index): hence the
 * strict comparisons. */
static void top_insert(float s, int j, float *ts, int *ti, int *n)
{
    if (*n == GAL_TOPK && !(s > ts[GAL_TOPK - 1])) return;
    int p = *n < GAL_TOPK ? (*n)++ : GAL_TOPK - 1;
    while (p > 0 && s > ts[p - 1]) {
        ts[p] = ts[p - 1];
        ti[p] = ti[p - 1];
        p--;
    }
    ts[p] = s;
    ti[p] = j;
}

/* One query. rel: room for ng, cnt: room for ng + 1. Returns -1 on a NaN score. */
static int rank_query(const float *row, int ng, int qp, const int *gpid, scored *rel, int *cnt,
                      gal_query_result *r)
{
    int R = 0;
    for (int j = 0; j < ng; j++) {
        if (row[j] != row[j]) return -1;
        if (qp >= 0 && gpid[j] == qp) rel[R++] = (scored){row[j], j};
    }
    qsort(rel, (size_t)R, sizeof *rel, cmp_rank);
    memset(cnt, 0, (size_t)(R + 1) * sizeof *cnt);
    float ts[GAL_TOPK];
    int ntop = 0;
    for (int j = 0; j < ng; j++) {
        float s = row[j];
        top_insert(s, j, ts, r->top, &ntop);
        if (R == 0 || gpid[j] == qp) continue;
        /* j sorts after the first p correct images and before the rest. Most of a real gallery
         * sorts after all of them, which changes no rank: a predictable early exit. */
        if (before(rel[R - 1].s, rel[R - 1].i, s, j)) continue;
        cnt[count_before(rel, R, s, j)]++;
    }
    for (int k = ntop; k < GAL_TOPK; k++) r->top[k] = -1;
    r->num_rel = R;
    r->first = r->last = 0;
    r->ap = 0.0;
    long ahead = 0; /* images other than correct ones ahead of correct image i */
    for (int i = 0; i < R; i++) {
        ahead += cnt[i];
        long rank = i + ahead + 1;
        r->ap += (double)(i + 1) / (double)rank;
        if (i == 0) r->first = (int)rank;
        r->last = (int)rank;
    }
    if (R) r->ap /= R;
    return 0;
}

/* Sums in query order, so the result is the same for any number of threads. */
static void summarise(const gal_query_result *res, int nq, int ng, gal_metrics *out)
{
    double hit1 = 0, hit5 = 0, hit10 = 0, ap = 0, inp = 0;
    int none = 0;
    for (int q = 0; q < nq; q++) {
        const gal_query_result *r = &res[q];
        if (r->num_rel == 0) {
            none++;
            continue;
        }
        hit1 += r->first <= 1;
        hit5 += r->first <= 5;
        hit10 += r->first <= 10;
        ap += r->ap;
        inp += (double)r->num_rel / r->last;
    }
    out->r1 = 100.0 * hit1 / nq;
    out->r5 = 100.0 * hit5 / nq;
    out->r10 = 100.0 * hit10 / nq;
    out->map = 100.0 * ap / nq;
    out->minp = 100.0 * inp / nq;
    out->nq = nq;
    out->ng = ng;
    out->no_match = none;
}

int gal_eval_metrics(const float *sim, int nq, int ng, const int *qpid, const int *gpid,
                     gal_metrics *out, gal_query_result *per_query, irra_err *e)
{
    if (!sim || !qpid || !gpid || !out) return irra_fail(e, "metrics: missing input");
    if (nq <= 0 || ng <= 0) return irra_fail(e, "metrics: empty similarity matrix (%d x %d)", nq, ng);
    if ((uint64_t)nq * (uint64_t)ng > SIZE_MAX / sizeof *sim)
        return irra_fail(e, "metrics: %d x %d similarity matrix is too large", nq, ng);
    gal_query_result *res = per_query ? per_query : malloc((size_t)nq * sizeof *res);
    if (!res) return irra_fail(e, "metrics: out of memory for %d queries", nq);
    int bad_q = INT_MAX, oom = 0;
#pragma omp parallel
    {
        scored *rel = malloc((size_t)ng * sizeof *rel);
        int *cnt = malloc(((size_t)ng + 1) * sizeof *cnt);
        if (!rel || !cnt) {
#pragma omp atomic write
            oom = 1;
        }
#pragma omp for schedule(dynamic, 8)
        for (int q = 0; q < nq; q++) {
            if (!rel || !cnt) continue;
            if (rank_query(sim + (size_t)q * ng, ng, qpid[q], gpid, rel, cnt, &res[q])) {
#pragma omp critical(gal_metrics_bad)
                if (q < bad_q) bad_q = q;
            }
        }
        free(rel);
        free(cnt);
    }
    int rc = 0;
    if (oom) rc = irra_fail(e, "metrics: out of memory for a gallery of %d", ng);
    else if (bad_q != INT_MAX) rc = irra_fail(e, "metrics: query %d has a NaN score", bad_q);
    else summarise(res, nq, ng, out);
    if (res != per_query) free(res);
    return rc;
}
