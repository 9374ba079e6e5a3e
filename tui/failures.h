/* Failure-case inspection: for each caption of a split, the rank of its first correct image
 * (same identity) and its average precision; captions sorted worst first; R@1 and mAP. */
#ifndef TUI_FAILURES_H
#define TUI_FAILURES_H

#include "tui/source.h"

/* ranked_pids: the identities of the whole gallery in the order one query ranked it (n).
 * Writes the 1-based rank of the first image with identity pid (n + 1 when none) and returns
 * the average precision (0 when no image matches). */
float tui_rank_of_first(const int *ranked_pids, int n, int pid, int *first_rank);

/* Sorts worst first (highest first_rank, then lowest AP) and computes R@1 and mAP in percent. */
void tui_failures_finish(tui_failcase *c, int n, float *r1, float *map);
void tui_failures_free(tui_failcase *c, int n);

#endif
