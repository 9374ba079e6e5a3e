/* Packs the image tower's Linear weights (and the patch convolution, a Linear over flattened
 * patches) into one buffer for model/gemm_packed.c, once per model. */
#include "model/model_priv.h"

#include <stdlib.h>
#include <sys/mman.h>

enum { HUGE = 2 << 20 };
#include <string.h>

static int pack_all(irra_vision_pk *p, const irra_model *m)
{
    const irra_config *c = &m->cfg;
    int W = c->v_width, K = 3 * c->patch * c->patch;
    size_t per = irra_packed_size(3 * W, W) + irra_packed_size(W, W) +
                 irra_packed_size(4 * W, W) + irra_packed_size(W, 4 * W);
    size_t total = irra_packed_size(W, K) + per * (size_t)c->v_layers;
    p->blocks = calloc((size_t)c->v_layers, sizeof *p->blocks);
    /* 2 MB aligned and advised as huge pages: ~340 MB of 4 KB pages would take ~80k page
     * faults on first touch, a good part of the packing time. */
    size_t bytes = (total * sizeof(float) + HUGE - 1) / HUGE * HUGE;
    if (!p->blocks || posix_memalign((void **)&p->buf, HUGE, bytes) != 0) return -1;
    madvise(p->buf, bytes, MADV_HUGEPAGE);
    float *at = p->buf;
    irra_pack(&p->conv, at, m->w.v_conv, W, K);
    at += irra_packed_size(W, K);
    for (int l = 0; l < c->v_layers; l++) {
        const irra_block_w *w = &m->w.v_blocks[l];
        irra_block_pk *b = &p->blocks[l];
        irra_pack(&b->in, at, w->in_w, 3 * W, W), at += irra_packed_size(3 * W, W);
        irra_pack(&b->out, at, w->out_w, W, W), at += irra_packed_size(W, W);
        irra_pack(&b->fc, at, w->fc_w, 4 * W, W), at += irra_packed_size(4 * W, W);
        irra_pack(&b->proj, at, w->proj_w, W, 4 * W), at += irra_packed_size(W, 4 * W);
    }
    return 0;
}

const irra_vision_pk *irra_vision_packed(irra_model *m, int B)
{
    pthread_mutex_lock(&m->pack_lock);
    /* Packing costs about what 2-3 single images take to encode, so a one-shot command (embed
     * or fill-mask on one image) never packs; a second call, or a batch, shows more work ahead. */
    if (!m->pack_tried && (m->image_calls++ > 0 || B >= 4)) {
        m->pack_tried = 1;
        const char *off = getenv("IRRA_NO_PACKED");
        if (irra_packed_available() && !(off && *off && *off != '0') && pack_all(&m->vpk, m) < 0)
            irra_vision_packed_free(&m->vpk); /* out of memory: OpenBLAS alone still works */
    }
    pthread_mutex_unlock(&m->pack_lock);
    return m->vpk.buf ? &m->vpk : NULL;
}

void irra_vision_packed_free(irra_vision_pk *p)
{
    free(p->blocks), free(p->buf);
    memset(p, 0, sizeof *p);
}
