/* Text-to-image retrieval metrics exactly as IRRA's rank() (utils/metrics.py, spec section 5):
 * every query is ranked against the whole gallery, and
 *   R@K  = % of queries whose first correct image is within the top K,
 *   AP   = (1/R) * sum over i = 1..R of i / r_i, where r_i is the 1-based rank of the i-th
 *          correct image and R the number of gallery images with the query's identity,
 *   INP  = R / (rank of the last correct image),
 *   mAP and mINP are the means over queries, all in percent.
 *
 * Ties: the ranking sorts by score descending, then by gallery index ascending. The official
 * code uses torch.argsort on the GPU, which is not stable, so its order among exactly equal
 * scores is unspecified; ours is fixed, and it is what numpy's stable argsort of -score gives.
 *
 * Queries with no correct gallery image (the official code would crash on them): they count
 * with AP = 0 and INP = 0 and as a miss at every K, and their number is reported in no_match.
 * A negative identity means "unknown" and matches nothing, not even another negative one. */
#ifndef GAL_METRICS_H
#define GAL_METRICS_H

#include "model/err.h"

#define GAL_TOPK 10

typedef struct {
    double r1, r5, r10; /* percent */
    double map, minp;   /* percent */
    int nq, ng;
    int no_match; /* queries with no correct gallery image */
} gal_metrics;

typedef struct {
    int first;            /* 1-based rank of the first correct image; 0 when there is none */
    int last;             /* 1-based rank of the last correct image; 0 when there is none */
    int num_rel;          /* gallery images with the query's identity */
    double ap;            /* average precision, 0..1 */
    int top[GAL_TOPK];    /* gallery indices of the best GAL_TOPK, best first; -1 past ng */
} gal_query_result;

/* sim: [nq, ng] row-major, query x gallery (text x image). qpid: [nq], gpid: [ng].
 * per_query (optional): [nq]. Fails on non-positive sizes, sizes whose product overflows, or a
 * NaN score (naming the query). Queries are spread over OpenMP threads; the results do not
 * depend on the number of threads. */
int gal_eval_metrics(const float *sim, int nq, int ng, const int *qpid, const int *gpid,
                     gal_metrics *out, gal_query_result *per_query, irra_err *e);

#endif
