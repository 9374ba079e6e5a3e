/* The inside of an irra_model, shared by the files that implement its towers. */
#ifndef IRRA_MODEL_PRIV_H
#define IRRA_MODEL_PRIV_H

#include "model/irra.h"
#include "model/ops.h"
#include "model/weights.h"

struct irra_model {
    irra_config cfg;
    irra_weights w;
    irra_tensors *ts;
    irra_bpe *bpe;
};

/* Runs n ResidualAttentionBlocks of width C with H heads over x[rows of sq, C] in place:
 * x += Attn(ln_1(x)); x += c_proj(QuickGELU(c_fc(ln_2(x)))). causal: the text tower's mask.
 * Returns -1 when memory runs out. */
int irra_blocks_forward(const irra_block_w *blocks, int n, float *x, const irra_seqs *sq, int C,
                        int H, int causal, irra_err *e);

/* Checks B and that B * per elements fit comfortably in memory arithmetic. */
int irra_check_batch(int B, size_t per, irra_err *e);

#endif
