/* The identities whose captions read most alike, for the `similar` sampler (train/sampler.h).
 *
 * Each identity is the bag of the words (BPE ids) of all its captions, weighted tf-idf
 * (count x ln(identities / identities that use the word)) and L2-normalised; two identities are
 * as similar as the cosine of their bags. Words that more than half the identities use are
 * left out: their idf is below ln 2, they tell identities apart least, and their postings would
 * make the pass quadratic in the identities ("a", "the", "wears" in every caption).
 *
 * On a person dataset the nearest identities are those described with the same colours and
 * garments: the hard negatives that a batch of random identities almost never holds. */
#ifndef IRRA_TRAIN_NEIGHBOURS_H
#define IRRA_TRAIN_NEIGHBOURS_H

#include "model/err.h"

#include <stdint.h>

/* tokens[n, ctx]: the captions as the loader holds them (SOT, ids, EOT, zero padding; ids from
 * vocab - 3 up are special and skipped); group[n]: each caption's identity, 0..n_groups-1.
 * Writes into *near (malloc'd, the caller frees) n_groups rows of k identities, each row the
 * k most similar other identities, most similar first (ties: the lower index first); a row
 * with fewer candidates (identities sharing no kept word) ends in -1s. Deterministic, whatever
 * the number of threads. */
int irra_caption_neighbours(const int32_t *tokens, const int *group, int n, int ctx, int vocab,
                            int n_groups, int k, int **near, irra_err *e);

#endif
