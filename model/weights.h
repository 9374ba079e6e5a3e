/* The model's parameters as fp32 pointers, one per state-dict tensor (llm.c style). fp32
 * contiguous tensors point into the file mapping; the others are converted once into one owned
 * flat buffer. Names in comments are the state-dict keys of spec 1.5 without base_model. */
#ifndef IRRA_WEIGHTS_H
#define IRRA_WEIGHTS_H

#include "model/err.h"
#include "model/irra.h"
#include "model/tensors.h"

/* A ResidualAttentionBlock of width d: attn.in_proj [3d, d] + [3d], attn.out_proj [d, d] + [d],
 * ln_1, mlp.c_fc [4d, d] + [4d], mlp.c_proj [d, 4d] + [d], ln_2. */
typedef struct {
    const float *in_w, *in_b, *out_w, *out_b;
    const float *ln1_w, *ln1_b;
    const float *fc_w, *fc_b, *proj_w, *proj_b;
    const float *ln2_w, *ln2_b;
} irra_block_w;

typedef struct {
    /* visual. */
    const float *v_class, *v_pos, *v_proj, *v_conv; /* [W], [T, W], [W, E], [W, 3, p, p] */
    const float *v_ln_pre_w, *v_ln_pre_b, *v_ln_post_w, *v_ln_post_b;
    irra_block_w *v_blocks;
    /* text */
    const float *t_pos, *t_proj, *t_embed;          /* [ctx, w], [w, E], [vocab, w] */
    const float *t_ln_w, *t_ln_b;                   /* ln_final */
    irra_block_w *t_blocks;
    /* IRR branch (NULL when the model has none) */
    const float *x_in_w, *x_in_b, *x_out_w, *x_out_b; /* cross_attn */
    irra_block_w *c_blocks;
    const float *ln_pre_t_w, *ln_pre_t_b, *ln_pre_i_w, *ln_pre_i_b, *ln_post_w, *ln_post_b;
    const float *mlm_dense_w, *mlm_dense_b, *mlm_ln_w, *mlm_ln_b, *mlm_fc_w, *mlm_fc_b;
    float *owned; /* converted tensors */
} irra_weights;

/* Binds every tensor the config implies; a missing tensor or one of another shape is an error
 * naming it with the expected and actual shapes. */
int irra_weights_load(irra_weights *w, const irra_tensors *ts, const irra_config *c, irra_err *e);
void irra_weights_free(irra_weights *w);

#endif
