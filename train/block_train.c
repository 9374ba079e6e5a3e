#include "train/block_train.h"

#include <stdlib.h>
#include <string.h>

/* Gradient views are irra_block_w bound to writable gradient memory. */
#define G(p) ((float *)(p))

int irra_stack_init(irra_stack *s, int B, int T, int C, int H, int L, int causal, irra_err *e)
{
    memset(s, 0, sizeof *s);
    s->B = B, s->T = T, s->C = C, s->H = H, s->L = L, s->causal = causal;
    s->blk = calloc((size_t)L + 1, sizeof *s->blk);
    s->seq = malloc((size_t)B * 2 * sizeof *s->seq);
    if (!s->blk || !s->seq) {
        irra_stack_free(s);
        return irra_fail(e, "out of memory for a stack of %d blocks", L);
    }
    for (int b = 0; b < B; b++) s->seq[b] = b * T, s->seq[B + b] = T;
    return 0;
}

void irra_stack_free(irra_stack *s)
{
    free(s->blk), free(s->seq);
    memset(s, 0, sizeof *s);
}

void irra_stack_carve(irra_stack *s, irra_arena *a)
{
    size_t N = (size_t)s->B * s->T, C = (size_t)s->C;
    for (int l = 0; l < s->L; l++) {
        irra_block_acts *k = &s->blk[l];
        k->x = irra_arena_take(a, N * C);
        k->ln1 = irra_arena_take(a, N * C);
        k->mean1 = irra_arena_take(a, N);
        k->rstd1 = irra_arena_take(a, N);
        k->qkv = irra_arena_take(a, N * 3 * C);
        k->probs = irra_arena_take(a, N * s->H * (size_t)s->T);
        k->att = irra_arena_take(a, N * C);
        k->res1 = irra_arena_take(a, N * C);
        k->ln2 = irra_arena_take(a, N * C);
        k->mean2 = irra_arena_take(a, N);
        k->rstd2 = irra_arena_take(a, N);
        k->fc = irra_arena_take(a, N * 4 * C);
        k->gelu = irra_arena_take(a, N * 4 * C);
    }
    /* With no blocks the output is the input: one buffer either way. */
    s->out = irra_arena_take(a, N * C);
    if (s->L == 0) s->blk[0].x = s->out;
    s->scratch = irra_arena_take(a, N * 5 * C);
}

/* x -> y: x += Attn(ln_1(x)); y = x + c_proj(QuickGELU(c_fc(ln_2(x)))). */
static int block_forward(const irra_stack *s, const irra_block_w *w, irra_block_acts *k, float *y)
{
    int N = s->B * s->T, C = s->C;
    size_t nc = (size_t)N * C;
    irra_seqs sq = {s->B, s->seq, s->seq + s->B};
    irra_layernorm_stats(k->ln1, k->mean1, k->rstd1, k->x, w->ln1_w, w->ln1_b, N, C);
    irra_linear(k->qkv, k->ln1, w->in_w, w->in_b, N, C, 3 * C, 0);
    if (irra_attention(k->att, C, k->qkv, 3 * C, k->qkv + C, 3 * C, k->qkv + 2 * C, 3 * C, &sq,
                       &sq, s->H, C / s->H, s->causal, NULL, k->probs) < 0)
        return -1;
    memcpy(k->res1, k->x, nc * sizeof *y);
    irra_linear(k->res1, k->att, w->out_w, w->out_b, N, C, C, 1);
    irra_layernorm_stats(k->ln2, k->mean2, k->rstd2, k->res1, w->ln2_w, w->ln2_b, N, C);
    irra_linear(k->fc, k->ln2, w->fc_w, w->fc_b, N, C, 4 * C, 0);
    irra_quick_gelu_to(k->gelu, k->fc, nc * 4);
    memcpy(y, k->res1, nc * sizeof *y);
    irra_linear(y, k->gelu, w->proj_w, w->proj_b, N, 4 * C, C, 1);
    return 0;
}

int irra_stack_forward(irra_stack *s, const irra_block_w *w, irra_err *e)
{
    for (int l = 0; l < s->L; l++) {
        float *y = l + 1 < s->L ? s->blk[l + 1].x : s->out;
        if (block_forward(s, &w[l], &s->blk[l], y) < 0)
            return irra_fail(e, "out of memory in attention");
    }
    return 0;
}

/* dy: gradient of the block output on entry, of its input on return. */
static int block_backward(const irra_stack *s, const irra_block_w *w, irra_block_w *g,
                          const irra_block_acts *k, float *dy)
{
    int N = s->B * s->T, C = s->C;
    size_t nc = (size_t)N * C;
    irra_seqs sq = {s->B, s->seq, s->seq + s->B};
    float *dhid = s->scratch, *dln = dhid + nc * 4;
    float *datt = dhid, *dqkv = dhid + nc; /* reuse dhid once the MLP is done */
    /* MLP: y = res1 + c_proj(QuickGELU(fc)) */
    memset(dhid, 0, nc * 4 * sizeof *dhid);
    irra_linear_backward(dhid, G(g->proj_w), G(g->proj_b), dy, k->gelu, w->proj_w, N, 4 * C, C);
    irra_quick_gelu_backward(dhid, k->fc, dhid, nc * 4);
    memset(dln, 0, nc * sizeof *dln);
    irra_linear_backward(dln, G(g->fc_w), G(g->fc_b), dhid, k->ln2, w->fc_w, N, C, 4 * C);
    irra_layernorm_backward(dy, G(g->ln2_w), G(g->ln2_b), dln, k->res1, k->mean2, k->rstd2,
                            w->ln2_w, N, C);
    /* attention: res1 = x + out_proj(Attn(ln_1(x))) */
    memset(datt, 0, nc * 4 * sizeof *datt); /* datt and dqkv */
    irra_linear_backward(datt, G(g->out_w), G(g->out_b), dy, k->att, w->out_w, N, C, C);
    if (irra_attention_backward(dqkv, dqkv + C, dqkv + 2 * C, datt, C, k->qkv, 3 * C,
                                k->qkv + C, 3 * C, k->qkv + 2 * C, 3 * C, k->probs, &sq, &sq,
                                s->H, C / s->H) < 0)
        return -1;
    memset(dln, 0, nc * sizeof *dln);
    irra_linear_backward(dln, G(g->in_w), G(g->in_b), dqkv, k->ln1, w->in_w, N, C, 3 * C);
    irra_layernorm_backward(dy, G(g->ln1_w), G(g->ln1_b), dln, k->x, k->mean1, k->rstd1,
                            w->ln1_w, N, C);
    return 0;
}

int irra_stack_backward(irra_stack *s, const irra_block_w *w, irra_block_w *g, float *dy,
                        irra_err *e)
{
    for (int l = s->L - 1; l >= 0; l--)
        if (block_backward(s, &w[l], &g[l], &s->blk[l], dy) < 0)
            return irra_fail(e, "out of memory in the attention backward");
    return 0;
}
