/* One allocation carved into many activation buffers, llm.c style: run the same carving code
 * twice, first on an arena without memory (it only counts), then on one with it. */
#ifndef IRRA_TRAIN_ARENA_H
#define IRRA_TRAIN_ARENA_H

#include <stddef.h>

typedef struct {
    float *base; /* NULL: counting pass */
    size_t used; /* floats */
} irra_arena;

/* n floats, each buffer starting on a 64-byte boundary; NULL in the counting pass. */
static inline float *irra_arena_take(irra_arena *a, size_t n)
{
    float *p = a->base ? a->base + a->used : NULL;
    a->used += (n + 15) / 16 * 16;
    return p;
}

#endif
