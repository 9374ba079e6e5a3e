/* The inside of an irra_model, shared by the files that implement its towers. */
#ifndef IRRA_MODEL_PRIV_H
#define IRRA_MODEL_PRIV_H

#include "model/blas.h"
#include "model/irra.h"
#include "model/ops.h"
#include "model/weights.h"

#include <pthread.h>
#include <stdint.h>

/* A block's Linear weights packed for irra_linear_packed (NULL p: not packed). */
typedef struct {
    irra_packed in, out, fc, proj;
} irra_block_pk;

/* A tower's packed weights: made by irra_model_prepare, not at open, so that a command with a
 * few inputs never pays the copy (~340 MB for the ViT-B/16 image tower, ~150 MB for the text
 * tower, 0.1-0.5 s). */
typedef struct {
    irra_packed conv; /* the image tower's patch embedding */
    irra_block_pk *blocks;
    float *buf;
} irra_tower_pk;

struct irra_model {
    irra_config cfg;
    irra_weights w;
    irra_tensors *ts;
    irra_bpe *bpe;
    pthread_mutex_t pack_lock; /* guards the one-time packing below */
    int pack_tried[2];
    irra_tower_pk pk[2]; /* [IRRA_TOWER_IMAGE], [IRRA_TOWER_TEXT] */
};

/* The packed weights of a tower (IRRA_TOWER_IMAGE or _TEXT) once irra_model_prepare has made
 * them; NULL before, and where the packed product is unavailable (no AVX-512), disabled
 * (IRRA_NO_PACKED=1 in the environment) or out of memory: the tower then runs on OpenBLAS
 * alone. Never packs by itself, so that a tower's results do not depend on how many inputs came
 * before. Thread-safe. */
const irra_tower_pk *irra_tower_packed(irra_model *m, int tower);
void irra_tower_packed_free(irra_tower_pk *p);

/* Runs n ResidualAttentionBlocks of width C with H heads over x[rows of sq, C] in place:
 * x += Attn(ln_1(x)); x += c_proj(QuickGELU(c_fc(ln_2(x)))). causal: the text tower's mask.
 * pk: the blocks' packed weights, or NULL. Returns -1 when memory runs out. */
int irra_blocks_forward(const irra_block_w *blocks, const irra_block_pk *pk, int n, float *x,
                        const irra_seqs *sq, int C, int H, int causal, irra_err *e);

/* The same n blocks when only one row of each sequence is wanted in the end (the image tower's
 * CLS, the text tower's EOT): the last block needs every row for keys and values, but its
 * queries, out_proj and MLP only that row (at ViT-B/16 this skips ~7% of a tower). The row,
 * pick[s] within sequence s (pick NULL: row 0), attends to every row of its sequence, so with a
 * causal mask it must be the sequence's last. x is updated by the first n - 1 blocks;
 * out[sq.n, C] gets the last block's output at the picked rows. */
int irra_blocks_forward_one(const irra_block_w *blocks, const irra_block_pk *pk, int n, float *x,
                            const irra_seqs *sq, const int *pick, int C, int H, int causal,
                            float *out, irra_err *e);

/* im2col for conv1: col[B * G, 3 * p * p], each patch of pixels [B, 3, img_h, img_w] flattened
 * in (c, ky, kx) order to match the weight [W, 3, p, p]; patch g = gy * grid_w + gx starts at
 * (gy * stride, gx * stride). The patch embedding is then col . conv1^T. */
void irra_im2col(float *col, const float *px, int B, const irra_config *c);

/* Position of the EOT token in ids[ctx]: torch.argmax of the ids, the first largest id, since
 * EOT is the largest id in CLIP's vocabulary (the mask id is smaller). */
int irra_eot_pos(const int32_t *ids, int ctx);

/* Checks B and that B * per elements fit comfortably in memory arithmetic. */
int irra_check_batch(int B, size_t per, irra_err *e);

#endif
