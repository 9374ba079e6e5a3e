/* The random streams of a training run. Every random choice of the data pipeline draws from a
 * stream keyed by (seed, purpose, epoch, k), built on the synthetic dataset's counter-based
 * splitmix streams, so that a batch is a pure function of (seed, epoch, step): it comes out the
 * same on any number of threads, and a resumed run needs no RNG state beyond those numbers.
 *   sampler order of epoch e:            irra_train_rng(seed, IRRA_RNG_SAMPLER, e, 0)
 *   augmentation of sample k of epoch e: irra_train_rng(seed, IRRA_RNG_AUG, e, k)
 *   masking of sample k of epoch e:      irra_train_rng(seed, IRRA_RNG_MASK, e, k)
 * (k counts the samples of the epoch in sampler order: step * batch_size + row.) */
#ifndef IRRA_TRAIN_RNG_H
#define IRRA_TRAIN_RNG_H

#include "train/synth_rng.h"

/* Purposes, apart from the synthetic dataset's (1..4); new ones (initialisation, ...) go here. */
enum { IRRA_RNG_SAMPLER = 16, IRRA_RNG_AUG, IRRA_RNG_MASK, IRRA_RNG_INIT };

/* epoch and k each below 2^32: the pair packs into the stream index without collisions. */
static inline syn_rng irra_train_rng(uint64_t seed, int purpose, uint32_t epoch, uint32_t k)
{
    return syn_rng_key(seed, (uint64_t)purpose, (uint64_t)epoch << 32 | k);
}

#endif
