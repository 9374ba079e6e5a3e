/* Packs a tower's Linear weights (and the image tower's patch convolution, a Linear over
 * flattened patches) into one buffer for model/gemm_packed.c, once per model and tower. */
#include "model/model_priv.h"

#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

enum { HUGE = 2 << 20 };

static size_t block_floats(int W)
{
    return irra_packed_size(3 * W, W) + irra_packed_size(W, W) + irra_packed_size(4 * W, W) +
           irra_packed_size(W, 4 * W);
}

/* Once W[n] is packed, its pages of the read-only file mapping (if it lies there, rather than in
 * memory irra converted it into) are only ever read again by fallbacks: drop them from the
 * process, so that a readied model holds its weights once, not twice. The kernel re-reads them
 * from the file should a fallback touch them. */
static void drop_source(const irra_tensors *ts, const float *W, size_t n)
{
    uintptr_t lo = (uintptr_t)W, hi = lo + n * sizeof *W, base = (uintptr_t)ts->map;
    if (!ts->map || lo < base || hi > base + ts->map_len) return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    lo = (lo + page - 1) / page * page, hi = hi / page * page;
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

static void pack_one(irra_packed *pk, float **at, const irra_tensors *ts, const float *W, int out,
                     int in)
{
    irra_pack(pk, *at, W, out, in);
    *at += irra_packed_size(out, in);
    drop_source(ts, W, (size_t)out * in);
}

/* blocks [L] of width W; conv [W, K] or NULL. */
static int pack(irra_tower_pk *p, const irra_tensors *ts, const irra_block_w *blocks, int L, int W,
                const float *conv, int K)
{
    size_t total = (conv ? irra_packed_size(W, K) : 0) + block_floats(W) * (size_t)L;
    /* 2 MB aligned and advised as huge pages: ~340 MB of 4 KB pages (the ViT-B/16 tower) would
     * take ~80k page faults on first touch, a good part of the packing time. */
    size_t bytes = (total * sizeof(float) + HUGE - 1) / HUGE * HUGE;
    p->blocks = calloc((size_t)L, sizeof *p->blocks);
    if (!p->blocks || posix_memalign((void **)&p->buf, HUGE, bytes) != 0) return -1;
    madvise(p->buf, bytes, MADV_HUGEPAGE);
    float *at = p->buf;
    if (conv) pack_one(&p->conv, &at, ts, conv, W, K);
    for (int l = 0; l < L; l++) {
        const irra_block_w *w = &blocks[l];
        irra_block_pk *b = &p->blocks[l];
        pack_one(&b->in, &at, ts, w->in_w, 3 * W, W);
        pack_one(&b->out, &at, ts, w->out_w, W, W);
        pack_one(&b->fc, &at, ts, w->fc_w, 4 * W, W);
        pack_one(&b->proj, &at, ts, w->proj_w, W, 4 * W);
    }
    return 0;
}

static void pack_tower(irra_model *m, int tower)
{
    const irra_config *c = &m->cfg;
    irra_tower_pk *p = &m->pk[tower];
    m->pack_tried[tower] = 1;
    if (!irra_packed_enabled()) return;
    int rc = tower == IRRA_TOWER_IMAGE
                 ? pack(p, m->ts, m->w.v_blocks, c->v_layers, c->v_width, m->w.v_conv,
                        3 * c->patch * c->patch)
                 : pack(p, m->ts, m->w.t_blocks, c->t_layers, c->t_width, NULL, 0);
    if (rc < 0) irra_tower_packed_free(p); /* out of memory: OpenBLAS alone still works */
}

const irra_tower_pk *irra_tower_packed(irra_model *m, int tower)
{
    pthread_mutex_lock(&m->pack_lock); /* pairs with irra_model_prepare on another thread */
    const irra_tower_pk *p = m->pk[tower].buf ? &m->pk[tower] : NULL;
    pthread_mutex_unlock(&m->pack_lock);
    return p;
}

void irra_model_prepare(irra_model *m, int towers)
{
    pthread_mutex_lock(&m->pack_lock);
    for (int t = 0; t < 2; t++)
        if (towers & (1 << t) && !m->pack_tried[t]) pack_tower(m, t);
    pthread_mutex_unlock(&m->pack_lock);
}

void irra_tower_packed_free(irra_tower_pk *p)
{
    free(p->blocks), free(p->buf);
    memset(p, 0, sizeof *p);
}
