/* The image and text towers for training (spec 2.2, 2.3): every token of both is kept, since the
 * IRR branch reads all image tokens and all caption positions. */
#include "model/blas.h"
#include "model/model_priv.h"
#include "train/trainer_priv.h"

#include <string.h>

#define G(p) ((float *)(p))

void irra_image_carve(irra_image_acts *a, const irra_config *c, int B, irra_arena *ar)
{
    size_t N = (size_t)B * c->v_tokens, W = c->v_width, E = c->embed_dim;
    size_t P = (size_t)B * c->grid_h * c->grid_w, K = 3 * (size_t)c->patch * c->patch;
    a->col = irra_arena_take(ar, P * K);
    a->x0 = irra_arena_take(ar, N * W);
    a->m0 = irra_arena_take(ar, N);
    a->r0 = irra_arena_take(ar, N);
    irra_stack_carve(&a->st, ar);
    a->mpost = irra_arena_take(ar, N);
    a->rpost = irra_arena_take(ar, N);
    a->lnp = irra_arena_take(ar, N * W);
    a->tokens = irra_arena_take(ar, N * E);
    a->dtokens = irra_arena_take(ar, N * E);
    a->dx = irra_arena_take(ar, N * W);
    a->dtmp = irra_arena_take(ar, N * W);
}

/* pixels [B, 3, H, W] -> tokens [B T, E]: conv1 as a product over patches, [CLS; patches] +
 * positions, ln_pre, the blocks, ln_post and proj on every token. */
int irra_image_forward(irra_image_acts *a, const irra_weights *w, const irra_config *c,
                       const float *pixels, irra_err *e)
{
    int B = a->st.B, T = c->v_tokens, W = c->v_width, E = c->embed_dim, N = B * T;
    int Gp = c->grid_h * c->grid_w, K = 3 * c->patch * c->patch;
    irra_im2col(a->col, pixels, B, c);
    /* patch embeddings go straight to their rows of x0 (row 0 of each image is CLS) */
    for (int b = 0; b < B; b++)
        irra_gemm(Gp, W, K, 1.0f, a->col + (size_t)b * Gp * K, K, w->v_conv, K, 1, 0.0f,
                  a->x0 + ((size_t)b * T + 1) * W, W);
#pragma omp parallel for schedule(static)
    for (int bt = 0; bt < N; bt++) {
        float *x = a->x0 + (size_t)bt * W;
        const float *pos = w->v_pos + (size_t)(bt % T) * W;
        if (bt % T == 0) memcpy(x, w->v_class, (size_t)W * sizeof *x);
        for (int i = 0; i < W; i++) x[i] += pos[i];
    }
    irra_layernorm_stats(a->st.blk[0].x, a->m0, a->r0, a->x0, w->v_ln_pre_w, w->v_ln_pre_b, N, W);
    if (irra_stack_forward(&a->st, w->v_blocks, e) < 0) return -1;
    irra_layernorm_stats(a->lnp, a->mpost, a->rpost, a->st.out, w->v_ln_post_w, w->v_ln_post_b,
                         N, W);
    irra_gemm(N, E, W, 1.0f, a->lnp, W, w->v_proj, E, 0, 0.0f, a->tokens, E);
    return 0;
}

int irra_image_backward(irra_image_acts *a, const irra_weights *w, irra_weights *gw,
                        const irra_config *c, irra_err *e)
{
    int B = a->st.B, T = c->v_tokens, W = c->v_width, E = c->embed_dim, N = B * T;
    int Gp = c->grid_h * c->grid_w, K = 3 * c->patch * c->patch;
    size_t nw = (size_t)N * W;
    /* tokens = lnp . proj */
    irra_gemm(N, W, E, 1.0f, a->dtokens, E, w->v_proj, E, 1, 0.0f, a->dtmp, W);
    irra_gemm_at(W, E, N, 1.0f, a->lnp, W, a->dtokens, E, 0, 1.0f, G(gw->v_proj), E);
    memset(a->dx, 0, nw * sizeof *a->dx);
    irra_layernorm_backward(a->dx, G(gw->v_ln_post_w), G(gw->v_ln_post_b), a->dtmp, a->st.out,
                            a->mpost, a->rpost, w->v_ln_post_w, N, W);
    if (irra_stack_backward(&a->st, w->v_blocks, gw->v_blocks, a->dx, e) < 0) return -1;
    memset(a->dtmp, 0, nw * sizeof *a->dtmp);
    irra_layernorm_backward(a->dtmp, G(gw->v_ln_pre_w), G(gw->v_ln_pre_b), a->dx, a->x0, a->m0,
                            a->r0, w->v_ln_pre_w, N, W);
    /* x0 = [class; patches] + pos: sums over the batch in a fixed order */
    float *dpos = G(gw->v_pos), *dcls = G(gw->v_class);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const float *d = a->dtmp + ((size_t)b * T + t) * W;
            float *dp = dpos + (size_t)t * W;
            for (int i = 0; i < W; i++) dp[i] += d[i];
            if (t == 0)
                for (int i = 0; i < W; i++) dcls[i] += d[i];
        }
    for (int b = 0; b < B; b++)
        irra_gemm_at(W, K, Gp, 1.0f, a->dtmp + ((size_t)b * T + 1) * W, W,
                     a->col + (size_t)b * Gp * K, K, 0, 1.0f, G(gw->v_conv), K);
    return 0;
}

void irra_text_carve(irra_text_acts *a, const irra_config *c, int B, irra_arena *ar)
{
    size_t N = (size_t)B * c->context, d = c->t_width, E = c->embed_dim;
    irra_stack_carve(&a->st, ar);
    a->mf = irra_arena_take(ar, N);
    a->rf = irra_arena_take(ar, N);
    a->lnf = irra_arena_take(ar, N * d);
    a->tokens = irra_arena_take(ar, N * E);
    a->dtokens = irra_arena_take(ar, N * E);
    a->dx = irra_arena_take(ar, N * d);
    a->dtmp = irra_arena_take(ar, N * d);
}

/* ids [B, ctx] -> tokens [B ctx, E]: token + position embeddings, the causal blocks, ln_final
 * and text_projection at every position. */
int irra_text_forward(irra_text_acts *a, const irra_weights *w, const irra_config *c,
                      const int32_t *ids, irra_err *e)
{
    int B = a->st.B, ctx = c->context, d = c->t_width, E = c->embed_dim, N = B * ctx;
    a->ids = ids;
    for (int b = 0; b < B; b++) a->eot[b] = irra_eot_pos(ids + (size_t)b * ctx, ctx);
    float *x = a->st.blk[0].x;
#pragma omp parallel for schedule(static)
    for (int bt = 0; bt < N; bt++) {
        const float *te = w->t_embed + (size_t)ids[bt] * d, *pe = w->t_pos + (size_t)(bt % ctx) * d;
        float *dst = x + (size_t)bt * d;
        for (int i = 0; i < d; i++) dst[i] = te[i] + pe[i];
    }
    if (irra_stack_forward(&a->st, w->t_blocks, e) < 0) return -1;
    irra_layernorm_stats(a->lnf, a->mf, a->rf, a->st.out, w->t_ln_w, w->t_ln_b, N, d);
    irra_gemm(N, E, d, 1.0f, a->lnf, d, w->t_proj, E, 0, 0.0f, a->tokens, E);
    return 0;
}

int irra_text_backward(irra_text_acts *a, const irra_weights *w, irra_weights *gw,
                       const irra_config *c, irra_err *e)
{
    int B = a->st.B, ctx = c->context, d = c->t_width, E = c->embed_dim, N = B * ctx;
    irra_gemm(N, d, E, 1.0f, a->dtokens, E, w->t_proj, E, 1, 0.0f, a->dtmp, d);
    irra_gemm_at(d, E, N, 1.0f, a->lnf, d, a->dtokens, E, 0, 1.0f, G(gw->t_proj), E);
    memset(a->dx, 0, (size_t)N * d * sizeof *a->dx);
    irra_layernorm_backward(a->dx, G(gw->t_ln_w), G(gw->t_ln_b), a->dtmp, a->st.out, a->mf, a->rf,
                            w->t_ln_w, N, d);
    if (irra_stack_backward(&a->st, w->t_blocks, gw->t_blocks, a->dx, e) < 0) return -1;
    /* scatter-add into the token table and the position table, in row order */
    float *dpos = G(gw->t_pos), *demb = G(gw->t_embed);
    for (int bt = 0; bt < N; bt++) {
        const float *dr = a->dx + (size_t)bt * d;
        float *dp = dpos + (size_t)(bt % ctx) * d, *de = demb + (size_t)a->ids[bt] * d;
        for (int i = 0; i < d; i++) dp[i] += dr[i], de[i] += dr[i];
    }
    return 0;
}
