#include "model/blas.h"
#include "model/model_priv.h"

#include <stdlib.h>
#include <string.h>

void irra_im2col(float *col, const float *px, int B, const irra_config *c)
{
    int p = c->patch, G = c->grid_h * c->grid_w, K = 3 * p * p;
#pragma omp parallel for schedule(static)
    for (int bg = 0; bg < B * G; bg++) {
        int b = bg / G, g = bg % G, y0 = (g / c->grid_w) * c->stride, x0 = (g % c->grid_w) * c->stride;
        float *dst = col + (size_t)bg * K;
        for (int ch = 0; ch < 3; ch++)
            for (int ky = 0; ky < p; ky++) {
                const float *src = px + (((size_t)b * 3 + ch) * c->img_h + y0 + ky) * c->img_w + x0;
                memcpy(dst + (ch * p + ky) * p, src, (size_t)p * sizeof *dst);
            }
    }
}

/* x[B * T, W] = [class_embedding; conv1(patches)] + positional_embedding, T = v_tokens. */
static int embed(float *x, const float *px, int B, const irra_model *m, const irra_tower_pk *vp,
                 irra_err *e)
{
    const irra_config *c = &m->cfg;
    int p = c->patch, G = c->grid_h * c->grid_w, K = 3 * p * p, W = c->v_width, T = c->v_tokens;
    float *col = malloc((size_t)B * G * K * sizeof *col);
    float *pe = malloc((size_t)B * G * W * sizeof *pe);
    if (!col || !pe) {
        free(col), free(pe);
        return irra_fail(e, "out of memory for %d images", B);
    }
    irra_im2col(col, px, B, c);
    if (!vp || irra_linear_packed(pe, col, &vp->conv, NULL, B * G, 0) < 0)
        irra_gemm(B * G, W, K, 1.0f, col, K, m->w.v_conv, K, 1, 0.0f, pe, W);
#pragma omp parallel for schedule(static)
    for (int bt = 0; bt < B * T; bt++) {
        int b = bt / T, t = bt % T;
        const float *src = t ? pe + ((size_t)b * G + t - 1) * W : m->w.v_class;
        const float *pos = m->w.v_pos + (size_t)t * W;
        float *dst = x + (size_t)bt * W;
        for (int i = 0; i < W; i++) dst[i] = src[i] + pos[i];
    }
    free(col), free(pe);
    return 0;
}

/* x[B * T, W] = the image tower up to the input of its last block. */
static int tower_prefix(irra_model *m, const float *pixels, int B, float *x, const irra_seqs *sq,
                        const irra_tower_pk *vp, irra_err *e)
{
    const irra_config *c = &m->cfg;
    if (embed(x, pixels, B, m, vp, e) < 0) return -1;
    irra_layernorm(x, x, m->w.v_ln_pre_w, m->w.v_ln_pre_b, B * c->v_tokens, c->v_width);
    return irra_blocks_forward(m->w.v_blocks, vp ? vp->blocks : NULL, c->v_layers - 1, x, sq,
                               c->v_width, c->v_heads, 0, e);
}

/* out[rows, E] = ln_post(x) . proj, in place on x */
static void tower_head(irra_model *m, float *x, int rows, float *out)
{
    const irra_config *c = &m->cfg;
    irra_layernorm(x, x, m->w.v_ln_post_w, m->w.v_ln_post_b, rows, c->v_width);
    irra_gemm(rows, c->embed_dim, c->v_width, 1.0f, x, c->v_width, m->w.v_proj, c->embed_dim, 0,
              0.0f, out, c->embed_dim);
}

/* pixels [B, 3, H, W] -> feat [B, E] (CLS), tokens [B, T, E] (all, after ln_post and proj) and
 * dense [B, T, E], each optional (dense only beside tokens). The dense features are MaskCLIP's
 * (Zhou, Loy and Dai, ECCV 2022): in the last block each token attends to itself alone, so its
 * attention output is its own value and it keeps what its patch shows instead of gathering, as
 * CLS does, from the whole image. Run as the same block over B * T sequences of one token each. */
static int encode(irra_model *m, const float *pixels, int B, float *feat, float *tokens,
                  float *dense, irra_err *e)
{
    const irra_config *c = &m->cfg;
    int W = c->v_width, T = c->v_tokens, E = c->embed_dim, L = c->v_layers;
    if (irra_check_batch(B, (size_t)T * (W * (dense ? 6 : 5) + 3 * c->patch * c->patch), e) < 0)
        return -1;
    const irra_tower_pk *vp = irra_tower_packed(m, IRRA_TOWER_IMAGE);
    const irra_block_pk *last = vp ? vp->blocks + L - 1 : NULL;
    const irra_block_w *last_w = m->w.v_blocks + L - 1;
    size_t n = (size_t)B * T;
    float *x = malloc(n * W * sizeof *x), *xd = NULL, *cls = NULL;
    int *off = malloc((size_t)B * 2 * sizeof *off), *one = NULL, rc = -1;
    if (dense) xd = malloc(n * W * sizeof *xd), one = malloc(n * 2 * sizeof *one);
    if (!x || !off || (dense && (!xd || !one))) {
        irra_fail(e, "out of memory for %d images", B);
        goto out;
    }
    for (int b = 0; b < B; b++) off[b] = b * T, off[B + b] = T;
    irra_seqs sq = {B, off, off + B};
    if (tower_prefix(m, pixels, B, x, &sq, vp, e) < 0) goto out;
    if (dense) {
        for (size_t i = 0; i < n; i++) one[i] = (int)i, one[n + i] = 1;
        irra_seqs self = {(int)n, one, one + n};
        memcpy(xd, x, n * W * sizeof *x);
        if (irra_blocks_forward(last_w, last, 1, xd, &self, W, c->v_heads, 0, e) < 0) goto out;
        tower_head(m, xd, (int)n, dense);
    }
    if (tokens) {
        if (irra_blocks_forward(last_w, last, 1, x, &sq, W, c->v_heads, 0, e) < 0) goto out;
        tower_head(m, x, (int)n, tokens);
        for (int b = 0; b < B && feat; b++)
            memcpy(feat + (size_t)b * E, tokens + (size_t)b * T * E, (size_t)E * sizeof *feat);
    } else if (feat) {
        /* Only CLS is wanted: the last block runs for it alone, then ln_post and proj on B rows. */
        if (!(cls = malloc((size_t)B * W * sizeof *cls))) {
            irra_fail(e, "out of memory for %d images", B);
            goto out;
        }
        if (irra_blocks_forward_one(last_w, last, 1, x, &sq, NULL, W, c->v_heads, 0, cls, e) < 0)
            goto out;
        tower_head(m, cls, B, feat);
    }
    rc = 0;
out:
    free(x), free(xd), free(off), free(one), free(cls);
    return rc;
}

int irra_encode_image(irra_model *m, const float *pixels, int B, float *feat, float *tokens,
                      irra_err *e)
{
    return encode(m, pixels, B, feat, tokens, NULL, e);
}

int irra_encode_image_dense(irra_model *m, const float *pixels, int B, float *tokens,
                            float *dense, irra_err *e)
{
    return encode(m, pixels, B, NULL, tokens, dense, e);
}
