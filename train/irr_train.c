/* The IRR branch for training (spec 2.4, 3.3, 4.9): cross attention of the masked caption's
 * tokens over the image tokens, the cross-modal blocks over every position, then ln_post and
 * the MLM head at the labelled positions only (the head works per position and the loss
 * ignores the others, so this is exact and skips ~97% of the head's vocabulary product). */
#include "model/blas.h"
#include "train/losses.h"
#include "train/trainer_priv.h"

#include <stdlib.h>
#include <string.h>

#define G(p) ((float *)(p))

void irra_irr_carve(irra_irr_acts *a, const irra_config *c, int B, irra_arena *ar)
{
    size_t Nq = (size_t)B * c->context, Nk = (size_t)B * c->v_tokens, E = c->embed_dim;
    irra_stack_carve(&a->st, ar);
    a->qln = irra_arena_take(ar, Nq * E);
    a->mq = irra_arena_take(ar, Nq);
    a->rq = irra_arena_take(ar, Nq);
    a->kvln = irra_arena_take(ar, Nk * E);
    a->mk = irra_arena_take(ar, Nk);
    a->rk = irra_arena_take(ar, Nk);
    a->Q = irra_arena_take(ar, Nq * E);
    a->KV = irra_arena_take(ar, Nk * 2 * E);
    a->probs = irra_arena_take(ar, Nq * c->cmt_heads * (size_t)c->v_tokens);
    a->O = irra_arena_take(ar, Nq * E);
    a->dQ = irra_arena_take(ar, Nq * E);
    a->dKV = irra_arena_take(ar, Nk * 2 * E);
    a->dqln = irra_arena_take(ar, Nq * E);
    a->dkvln = irra_arena_take(ar, Nk * E);
    a->dx = irra_arena_take(ar, Nq * E);
}

/* q = ln_pre_t(tt), k = v = ln_pre_i(it); x = out_proj(attention) with no residual, into the
 * cross-modal blocks' input. */
static int cross_forward(irra_irr_acts *a, const irra_weights *w, const irra_config *c,
                         const float *tt, const float *it)
{
    int B = a->st.B, E = c->embed_dim, Nq = B * c->context, Nk = B * c->v_tokens;
    irra_seqs qs = {B, a->qk, a->qk + B}, ks = {B, a->qk + 2 * B, a->qk + 3 * B};
    irra_layernorm_stats(a->qln, a->mq, a->rq, tt, w->ln_pre_t_w, w->ln_pre_t_b, Nq, E);
    irra_layernorm_stats(a->kvln, a->mk, a->rk, it, w->ln_pre_i_w, w->ln_pre_i_b, Nk, E);
    irra_linear(a->Q, a->qln, w->x_in_w, w->x_in_b, Nq, E, E, 0);
    irra_linear(a->KV, a->kvln, w->x_in_w + (size_t)E * E, w->x_in_b + E, Nk, E, 2 * E, 0);
    if (irra_attention(a->O, E, a->Q, E, a->KV, 2 * E, a->KV + E, 2 * E, &qs, &ks, c->cmt_heads,
                       E / c->cmt_heads, 0, NULL, a->probs) < 0)
        return -1;
    irra_linear(a->st.blk[0].x, a->O, w->x_out_w, w->x_out_b, Nq, E, E, 0);
    return 0;
}

/* From a->dx (the gradient of the blocks' input) back to dtt and dit. */
static int cross_backward(irra_irr_acts *a, const irra_weights *w, irra_weights *gw,
                          const irra_config *c, const float *tt, const float *it, float *dtt,
                          float *dit)
{
    int B = a->st.B, E = c->embed_dim, Nq = B * c->context, Nk = B * c->v_tokens;
    size_t EE = (size_t)E * E;
    irra_seqs qs = {B, a->qk, a->qk + B}, ks = {B, a->qk + 2 * B, a->qk + 3 * B};
    float *dO = a->dqln; /* free until the Q projection's backward */
    memset(dO, 0, (size_t)Nq * E * sizeof *dO);
    irra_linear_backward(dO, G(gw->x_out_w), G(gw->x_out_b), a->dx, a->O, w->x_out_w, Nq, E, E);
    memset(a->dQ, 0, (size_t)Nq * E * sizeof *a->dQ);
    memset(a->dKV, 0, (size_t)Nk * 2 * E * sizeof *a->dKV);
    if (irra_attention_backward(a->dQ, a->dKV, a->dKV + E, dO, E, a->Q, E, a->KV, 2 * E,
                                a->KV + E, 2 * E, a->probs, &qs, &ks, c->cmt_heads,
                                E / c->cmt_heads) < 0)
        return -1;
    memset(a->dqln, 0, (size_t)Nq * E * sizeof *a->dqln);
    memset(a->dkvln, 0, (size_t)Nk * E * sizeof *a->dkvln);
    irra_linear_backward(a->dqln, G(gw->x_in_w), G(gw->x_in_b), a->dQ, a->qln, w->x_in_w, Nq, E, E);
    irra_linear_backward(a->dkvln, G(gw->x_in_w) + EE, G(gw->x_in_b) + E, a->dKV, a->kvln,
                         w->x_in_w + EE, Nk, E, 2 * E);
    irra_layernorm_backward(dtt, G(gw->ln_pre_t_w), G(gw->ln_pre_t_b), a->dqln, tt, a->mq, a->rq,
                            w->ln_pre_t_w, Nq, E);
    irra_layernorm_backward(dit, G(gw->ln_pre_i_w), G(gw->ln_pre_i_b), a->dkvln, it, a->mk, a->rk,
                            w->ln_pre_i_w, Nk, E);
    return 0;
}

/* The head's buffers for M labelled rows: xs (the blocks' output there), ln_post, dense, its
 * QuickGELU, the head's LayerNorm, their statistics, the logits, and gradients. */
typedef struct {
    int M;
    int *row, *label;
    float *xs, *lp, *m1, *r1, *dn, *gl, *lh, *m2, *r2, *logits, *d1, *d2;
    float *mem;
} head;

static int head_alloc(head *h, int M, int E, int V, size_t *floats)
{
    size_t me = (size_t)M * E, n = 8 * me + 4 * (size_t)M + (size_t)M * V;
    *floats = n;
    h->M = M;
    h->mem = malloc(n * sizeof *h->mem);
    h->row = malloc((size_t)M * 2 * sizeof *h->row);
    if (!h->mem || !h->row) return -1;
    h->label = h->row + M;
    float *p = h->mem;
    h->xs = p, h->lp = p + me, h->dn = p + 2 * me, h->gl = p + 3 * me, h->lh = p + 4 * me;
    h->d1 = p + 5 * me, h->d2 = p + 6 * me, h->m1 = p + 8 * me;
    h->r1 = h->m1 + M, h->m2 = h->r1 + M, h->r2 = h->m2 + M, h->logits = h->r2 + M;
    return 0;
}

static void head_free(head *h) { free(h->mem), free(h->row); }

/* xs -> ln_post -> dense -> QuickGELU -> ln -> fc, then CE; logits become their gradient. */
static double head_forward(head *h, const irra_weights *w, int E, int V, double weight,
                           double *acc)
{
    int M = h->M;
    irra_layernorm_stats(h->lp, h->m1, h->r1, h->xs, w->ln_post_w, w->ln_post_b, M, E);
    irra_linear(h->dn, h->lp, w->mlm_dense_w, w->mlm_dense_b, M, E, E, 0);
    memcpy(h->gl, h->dn, (size_t)M * E * sizeof *h->gl);
    irra_quick_gelu(h->gl, (size_t)M * E);
    irra_layernorm_stats(h->lh, h->m2, h->r2, h->gl, w->mlm_ln_w, w->mlm_ln_b, M, E);
    irra_linear(h->logits, h->lh, w->mlm_fc_w, w->mlm_fc_b, M, E, V, 0);
    return irra_ce_loss(h->logits, h->label, M, V, weight, acc);
}

/* The gradient of xs in h->d2, from the logits' gradient. */
static void head_backward(head *h, const irra_weights *w, irra_weights *gw, int E, int V)
{
    int M = h->M;
    size_t me = (size_t)M * E;
    memset(h->d1, 0, 2 * me * sizeof *h->d1);
    irra_linear_backward(h->d1, G(gw->mlm_fc_w), G(gw->mlm_fc_b), h->logits, h->lh, w->mlm_fc_w,
                         M, E, V);
    irra_layernorm_backward(h->d2, G(gw->mlm_ln_w), G(gw->mlm_ln_b), h->d1, h->gl, h->m2, h->r2,
                            w->mlm_ln_w, M, E);
    irra_quick_gelu_backward(h->d2, h->dn, h->d2, me);
    memset(h->d1, 0, me * sizeof *h->d1);
    irra_linear_backward(h->d1, G(gw->mlm_dense_w), G(gw->mlm_dense_b), h->d2, h->lp,
                         w->mlm_dense_w, M, E, E);
    memset(h->d2, 0, me * sizeof *h->d2);
    irra_layernorm_backward(h->d2, G(gw->ln_post_w), G(gw->ln_post_b), h->d1, h->xs, h->m1, h->r1,
                            w->ln_post_w, M, E);
}

int irra_irr_step(irra_irr_acts *a, const irra_weights *w, irra_weights *gw,
                  const irra_config *c, const float *tt, const float *it, const int32_t *labels,
                  double weight, float *dtt, float *dit, double *loss, double *acc, int *rows,
                  size_t *head_floats, irra_err *e)
{
    int B = a->st.B, ctx = c->context, E = c->embed_dim, V = c->mlm_vocab, M = 0, rc = -1;
    for (size_t i = 0; i < (size_t)B * ctx; i++) M += labels[i] != 0;
    if (M == 0) return irra_fail(e, "mlm_labels: no labelled position (the MLM loss needs one)");
    head h = {0};
    if (head_alloc(&h, M, E, V, head_floats) < 0) {
        head_free(&h);
        return irra_fail(e, "out of memory for %d MLM positions", M);
    }
    if (cross_forward(a, w, c, tt, it) < 0 || irra_stack_forward(&a->st, w->c_blocks, e) < 0) {
        irra_fail(e, "out of memory in the IRR branch");
        goto out;
    }
    for (int i = 0, k = 0; i < B * ctx; i++)
        if (labels[i]) {
            h.row[k] = i, h.label[k] = labels[i];
            memcpy(h.xs + (size_t)k * E, a->st.out + (size_t)i * E, (size_t)E * sizeof *h.xs);
            k++;
        }
    *loss = head_forward(&h, w, E, V, weight, acc);
    *rows = M;
    head_backward(&h, w, gw, E, V);
    memset(a->dx, 0, (size_t)B * ctx * E * sizeof *a->dx);
    for (int k = 0; k < M; k++)
        memcpy(a->dx + (size_t)h.row[k] * E, h.d2 + (size_t)k * E, (size_t)E * sizeof *a->dx);
    if (irra_stack_backward(&a->st, w->c_blocks, gw->c_blocks, a->dx, e) < 0 ||
        cross_backward(a, w, gw, c, tt, it, dtt, dit) < 0) {
        irra_fail(e, "out of memory in the IRR branch's backward");
        goto out;
    }
    rc = 0;
out:
    head_free(&h);
    return rc;
}
