/* Ranking metrics for failure inspection. */
#include "tui/failures.h"

#include <stdlib.h>

float tui_rank_of_first(const int *ranked_pids, int n, int pid, int *first_rank)
{
    int hits = 0;
    double ap = 0;
    *first_rank = n + 1;
    for (int i = 0; i < n; i++) {
        if (ranked_pids[i] != pid) continue;
        if (!hits) *first_rank = i + 1;
        hits++;
        ap += (double)hits / (i + 1);
    }
    return hits ? (float)(ap / hits) : 0;
}

static int worst_first(const void *a, const void *b)
{
    const tui_failcase *x = a, *y = b;
    if (x->first_rank != y->first_rank) return y->first_rank - x->first_rank;
    return (x->ap > y->ap) - (x->ap < y->ap);
}

void tui_failures_finish(tui_failcase *c, int n, float *r1, float *map)
{
    double top1 = 0, ap = 0;
    for (int i = 0; i < n; i++) {
        top1 += c[i].first_rank == 1;
        ap += c[i].ap;
    }
    *r1 = n ? (float)(100 * top1 / n) : 0;
    *map = n ? (float)(100 * ap / n) : 0;
    qsort(c, (size_t)n, sizeof *c, worst_first);
}

void tui_failures_free(tui_failcase *c, int n)
{
    for (int i = 0; i < n; i++) free(c[i].text);
    free(c);
}
