/* A stack of ResidualAttentionBlocks for training: the forward keeps what the backward needs,
 * the backward adds the parameter gradients into a second irra_block_w bound to gradient
 * memory. The stack runs over B sequences of T rows each (N = B T rows of width C). */
#ifndef IRRA_TRAIN_BLOCK_TRAIN_H
#define IRRA_TRAIN_BLOCK_TRAIN_H

#include "model/err.h"
#include "model/ops.h"
#include "model/weights.h"
#include "train/arena.h"

/* What one block's backward reads: its input and the tensors in between, [N, C] unless said. */
typedef struct {
    float *x;                  /* block input */
    float *ln1, *mean1, *rstd1; /* ln_1 output, its row statistics [N] */
    float *qkv;                /* [N, 3C] */
    float *probs;              /* [B, H, T, T] attention weights */
    float *att;                /* heads concatenated, before out_proj */
    float *res1;               /* x + attention */
    float *ln2, *mean2, *rstd2;
    float *fc;                 /* [N, 4C] c_fc output, before QuickGELU */
    float *gelu;               /* [N, 4C] after QuickGELU, c_proj's input */
} irra_block_acts;

typedef struct {
    int B, T, C, H, L, causal;
    int *seq;                /* offsets and lengths for irra_seqs: [2 B] */
    irra_block_acts *blk;    /* [L] */
    float *out;              /* [N, C] the last block's output */
    float *scratch;          /* [N, 5C]: the hidden gradient and dln; datt and dqkv in it */
} irra_stack;

/* Carves the stack's buffers from a (counting pass when a->base is NULL). blk and seq are
 * allocated separately by irra_stack_init. */
void irra_stack_carve(irra_stack *s, irra_arena *a);
int irra_stack_init(irra_stack *s, int B, int T, int C, int H, int L, int causal, irra_err *e);
void irra_stack_free(irra_stack *s);

/* s->blk[0].x holds the input; runs the L blocks of w into s->out. */
int irra_stack_forward(irra_stack *s, const irra_block_w *w, irra_err *e);
/* dy [N, C]: the gradient of s->out, replaced by the gradient of the stack input. g: gradient
 * views of the L blocks (accumulated). */
int irra_stack_backward(irra_stack *s, const irra_block_w *w, irra_block_w *g, float *dy,
                        irra_err *e);

#endif
