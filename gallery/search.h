/* Exact cosine top-k over a gallery index. */
#ifndef GAL_SEARCH_H
#define GAL_SEARCH_H

#include "gallery/store.h"

typedef struct {
    int idx;     /* row of the index */
    float score; /* cosine similarity */
} gal_hit;

/* query: [dim], L2-normalised. Writes min(k, n) hits, best first; ties go to the lower row.
 * Returns the number written. */
int gal_search(const gal_index *ix, const float *query, int k, gal_hit *out);

/* A half-precision copy of the features that lets a search read half the memory: every row is
 * first scored in fp16 with a bound on that score's error (from the row's rounding error and the
 * fp32 summation), and only the rows whose bound reaches the k-th best are scored again from the
 * fp32 features. The hits are those of gal_search up to fp32 rounding of the scores. NULL when
 * the CPU lacks AVX2/F16C/FMA or memory is short: then use gal_search. */
typedef struct gal_search_accel gal_search_accel;
gal_search_accel *gal_search_accel_new(const gal_index *ix);
void gal_search_accel_free(gal_search_accel *a);
int gal_search_accel_run(const gal_search_accel *a, const gal_index *ix, const float *query, int k,
                         gal_hit *out);

/* Internal to search.c and search_f16.c: the k-best heap, best = higher score, then lower row. */
typedef struct {
    gal_hit *h;
    int n, k;
} gal_topk;
void gal_topk_push(gal_topk *t, gal_hit x);
void gal_topk_sort(gal_topk *t);

#endif
