#include "model/model_priv.h"

#include <stdlib.h>

/* The cross attention of spec 2.4: q = ln_pre_t(text) [B*ctx, E], kv = ln_pre_i(image)
 * [B*T, E] (k and v are the same tensor). Writes the result, with no residual, to out. */
static int cross_attend(float *out, float *q, float *kv, const irra_model *m, int B, float *attn,
                        irra_err *e)
{
    const irra_config *c = &m->cfg;
    const irra_weights *w = &m->w;
    int E = c->embed_dim, ctx = c->context, T = c->v_tokens, rc = -1;
    float *Q = malloc((size_t)B * ctx * E * sizeof *Q), *O = malloc((size_t)B * ctx * E * sizeof *O);
    float *KV = malloc((size_t)B * T * 2 * E * sizeof *KV);
    int *idx = malloc((size_t)B * 4 * sizeof *idx);
    if (!Q || !O || !KV || !idx) {
        irra_fail(e, "out of memory in cross attention");
        goto out;
    }
    for (int b = 0; b < B; b++) {
        idx[b] = b * ctx, idx[B + b] = ctx;
        idx[2 * B + b] = b * T, idx[3 * B + b] = T;
    }
    irra_seqs qs = {B, idx, idx + B}, ks = {B, idx + 2 * B, idx + 3 * B};
    irra_linear(Q, q, w->x_in_w, w->x_in_b, B * ctx, E, E, 0);
    irra_linear(KV, kv, w->x_in_w + (size_t)E * E, w->x_in_b + E, B * T, E, 2 * E, 0);
    if (irra_attention(O, E, Q, E, KV, 2 * E, KV + E, 2 * E, &qs, &ks, c->cmt_heads,
                       E / c->cmt_heads, 0, attn, NULL) < 0) {
        irra_fail(e, "out of memory in cross attention");
        goto out;
    }
    irra_linear(out, O, w->x_out_w, w->x_out_b, B * ctx, E, E, 0);
    rc = 0;
out:
    free(Q), free(O), free(KV), free(idx);
    return rc;
}

/* ids [B, ctx], img_tokens [B, T, E] -> logits [B, ctx, V], attn [B, ctx, T]. */
int irra_mlm(irra_model *m, const int32_t *ids, const float *img_tokens, int B, float *logits,
             float *attn, irra_err *e)
{
    const irra_config *c = &m->cfg;
    const irra_weights *w = &m->w;
    if (!c->has_mlm) return irra_fail(e, "the model has no MLM head");
    int E = c->embed_dim, ctx = c->context, T = c->v_tokens, rc = -1;
    if (irra_check_batch(B, (size_t)(ctx + T) * E * 8 + (size_t)ctx * c->mlm_vocab, e) < 0)
        return -1;
    float *t = malloc((size_t)B * ctx * E * sizeof *t), *x = malloc((size_t)B * ctx * E * sizeof *x);
    float *kv = malloc((size_t)B * T * E * sizeof *kv);
    int *idx = malloc((size_t)B * 2 * sizeof *idx);
    if (!t || !x || !kv || !idx) {
        irra_fail(e, "out of memory for %d MLM queries", B);
        goto out;
    }
    if (irra_encode_text(m, ids, B, NULL, t, e) < 0) goto out;
    irra_layernorm(t, t, w->ln_pre_t_w, w->ln_pre_t_b, B * ctx, E);
    irra_layernorm(kv, img_tokens, w->ln_pre_i_w, w->ln_pre_i_b, B * T, E);
    if (cross_attend(x, t, kv, m, B, attn, e) < 0) goto out;
    for (int b = 0; b < B; b++) idx[b] = b * ctx, idx[B + b] = ctx;
    irra_seqs sq = {B, idx, idx + B};
    if (irra_blocks_forward(w->c_blocks, NULL, c->cmt_layers, x, &sq, E, c->cmt_heads, 0, e) < 0) goto out;
    irra_layernorm(x, x, w->ln_post_w, w->ln_post_b, B * ctx, E);
    irra_linear(t, x, w->mlm_dense_w, w->mlm_dense_b, B * ctx, E, E, 0);
    irra_quick_gelu(t, (size_t)B * ctx * E);
    irra_layernorm(t, t, w->mlm_ln_w, w->mlm_ln_b, B * ctx, E);
    irra_linear(logits, t, w->mlm_fc_w, w->mlm_fc_b, B * ctx, E, c->mlm_vocab, 0);
    rc = 0;
out:
    free(t), free(x), free(kv), free(idx);
    return rc;
}
