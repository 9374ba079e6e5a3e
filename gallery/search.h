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

#endif
