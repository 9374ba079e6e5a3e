/* The inside of an irra_model, shared by the files that implement its towers. */
#ifndef IRRA_MODEL_PRIV_H
#define IRRA_MODEL_PRIV_H

#include "model/blas.h"
#include "model/irra.h"
#include "model/ops.h"
#include "model/weights.h"

#include <pthread.h>

/* A block's Linear weights packed for irra_linear_packed (NULL p: not packed). */
typedef struct {
    irra_packed in, out, fc, proj;
} irra_block_pk;

/* The image tower's packed weights: made on its first use, not at open, so that a text-only
 * process (a query, the browser before any heatmap) never pays the copy (~340 MB at ViT-B/16). */
typedef struct {
    irra_packed conv;
    irra_block_pk *blocks;
    float *buf;
} irra_vision_pk;

struct irra_model {
    irra_config cfg;
    irra_weights w;
    irra_tensors *ts;
    irra_bpe *bpe;
    pthread_mutex_t pack_lock; /* guards the one-time packing below */
    int pack_tried, image_calls;
    irra_vision_pk vpk;
};

/* The image tower's packed weights for a call encoding B images, packing them once it looks worth
 * it (from the second call, or a first batch of 4 or more); NULL before that, and where the packed
 * product is unavailable (no AVX-512), disabled (IRRA_NO_PACKED=1 in the environment) or out of
 * memory: the tower then runs on OpenBLAS alone. Thread-safe. */
const irra_vision_pk *irra_vision_packed(irra_model *m, int B);
void irra_vision_packed_free(irra_vision_pk *p);

/* Runs n ResidualAttentionBlocks of width C with H heads over x[rows of sq, C] in place:
 * x += Attn(ln_1(x)); x += c_proj(QuickGELU(c_fc(ln_2(x)))). causal: the text tower's mask.
 * pk: the blocks' packed weights, or NULL. Returns -1 when memory runs out. */
int irra_blocks_forward(const irra_block_w *blocks, const irra_block_pk *pk, int n, float *x,
                        const irra_seqs *sq, int C, int H, int causal, irra_err *e);

/* One block, non-causal, when only each sequence's first row (CLS) is wanted: keys and values
 * need every row, queries, out_proj and the MLP only that one (at ViT-B/16 384x128 this skips
 * ~7% of the image tower). Reads x[rows of sq, C]; first[sq.n, C] gets the block's output at
 * each sequence's first row. pk may be NULL. */
int irra_block_forward_first(const irra_block_w *w, const irra_block_pk *pk, const float *x,
                             const irra_seqs *sq, int C, int H, float *first, irra_err *e);

/* Checks B and that B * per elements fit comfortably in memory arithmetic. */
int irra_check_batch(int B, size_t per, irra_err *e);

#endif
