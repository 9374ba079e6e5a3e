/* A counter-based random stream for the synthetic dataset: every identity, image and caption
 * draws from its own stream, keyed by (seed, purpose, index), so images can be rendered in any
 * order on any number of threads and still come out byte-identical for a seed. */
#ifndef SYN_RNG_H
#define SYN_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} syn_rng;

/* The splitmix64 finaliser: a bijective mix with full avalanche, good enough to key streams. */
static inline uint64_t syn_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Purposes of streams, so that e.g. image 3 and identity 3 never share numbers. */
enum { SYN_STREAM_IDENTITY = 1, SYN_STREAM_IMAGE, SYN_STREAM_CAPTION, SYN_STREAM_PIXELS,
       SYN_STREAM_SHORT_CAPTION, SYN_STREAM_ITEM_CAPTION, SYN_STREAM_ITEM_TWIN };

static inline syn_rng syn_rng_key(uint64_t seed, uint64_t purpose, uint64_t index)
{
    syn_rng r = {syn_mix64(syn_mix64(seed ^ 0x9e3779b97f4a7c15ULL) + purpose * 0x632be59bd9b4e019ULL)
                 ^ syn_mix64(index + 0x2545f4914f6cdd1dULL)};
    return r;
}

static inline uint64_t syn_next(syn_rng *r)
{
    r->state += 0x9e3779b97f4a7c15ULL;
    return syn_mix64(r->state);
}

/* Uniform in [0, 1). */
static inline double syn_unif(syn_rng *r) { return (double)(syn_next(r) >> 11) * 0x1.0p-53; }

static inline double syn_range(syn_rng *r, double lo, double hi) { return lo + (hi - lo) * syn_unif(r); }

/* Uniform in 0..n-1 for n >= 1 (the modulo bias is below 2^-40 for the small n used here). */
static inline int syn_below(syn_rng *r, int n) { return (int)(syn_next(r) % (uint64_t)n); }

static inline int syn_chance(syn_rng *r, double p) { return syn_unif(r) < p; }

#endif
