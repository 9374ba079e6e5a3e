/* The order in which an epoch visits the training samples (spec 4.4), drawn from the stream
 * (seed, IRRA_RNG_SAMPLER, epoch) alone, so any epoch's order can be rebuilt on resume.
 *   random:   a permutation of all samples; batches of batch_size in that order, the last
 *             partial batch kept (DataLoader(shuffle=True, drop_last=False)).
 *   identity: RandomIdentitySampler (datasets/sampler.py): each identity's samples shuffled
 *             (drawn with replacement up to num_instance when it has fewer) and cut into
 *             chunks of num_instance, the remainder dropped; then, while at least
 *             P = batch_size / num_instance identities have chunks left, P of them are chosen
 *             at random and each gives its next chunk. The list is then cut into batches of
 *             batch_size as the DataLoader does (last partial batch kept).
 *   similar:  the identity sampler with hard negatives (not in the official code): each batch's
 *             P identities are one chosen at random among those with chunks left and the P - 1
 *             nearest to it that have chunks left, by caption similarity (near, from
 *             train/neighbours.h), topped up at random when fewer are near. A batch of random
 *             identities almost never holds two people described alike; this one is made of
 *             them, so the towers must learn what tells them apart (shoes, bags, garment types)
 *             rather than the two main colours alone. */
#ifndef IRRA_TRAIN_SAMPLER_H
#define IRRA_TRAIN_SAMPLER_H

#include "model/err.h"

#include <stdint.h>

typedef enum { IRRA_SAMPLER_RANDOM, IRRA_SAMPLER_IDENTITY, IRRA_SAMPLER_SIMILAR } irra_sampler_kind;

typedef struct {
    irra_sampler_kind kind;
    int batch_size;
    int num_instance; /* identity and similar (official default 4) */
    uint64_t seed;
    const int *near;  /* similar only: [identities, n_near] in irra_sampler_identities' order */
    int n_near;
} irra_sampler_cfg;

/* "random", "identity" or "similar"; -1 otherwise. */
int irra_sampler_parse(const char *s, irra_sampler_kind *k);

/* Each sample's identity as an index 0..G-1, identities numbered in order of first appearance
 * (the order the samplers keep them in), into group[n]; returns G, or -1 out of memory. */
int irra_sampler_identities(const int *pids, int n, int *group);

/* Checks the configuration against the samples' identities pids[n] (n >= 1; any int labels):
 * batch_size >= 1; for identity and similar num_instance in 1..batch_size and at least P
 * identities; for similar a neighbour table. */
int irra_sampler_check(const irra_sampler_cfg *c, const int *pids, int n, irra_err *e);

/* The sample indices of epoch `epoch` in visiting order, into *order (malloc'd, the caller
 * frees) and their count into *len (n for random, at most n + n_ids * num_instance for
 * identity and similar). Checks as above. */
int irra_sampler_order(const irra_sampler_cfg *c, const int *pids, int n, uint32_t epoch,
                       int **order, int *len, irra_err *e);

/* Steps (batches) of an epoch of len samples: ceil(len / batch_size). */
static inline int irra_sampler_steps(const irra_sampler_cfg *c, int len)
{
    return (len + c->batch_size - 1) / c->batch_size;
}

#endif
