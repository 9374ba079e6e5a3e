#include "model/blas.h"
#include "model/model_priv.h"

#include <stdlib.h>
#include <string.h>

int irra_eot_pos(const int32_t *ids, int ctx)
{
    int best = 0;
    for (int t = 1; t < ctx; t++)
        if (ids[t] > ids[best]) best = t;
    return best;
}

/* Rows of each sequence in x: all ctx positions when every token is wanted, else up to EOT
 * (the causal mask makes later positions irrelevant to it). Returns the total row count. */
static int layout(int *off, int *len, int *eot, const int32_t *ids, int B, int ctx, int all)
{
    int N = 0;
    for (int b = 0; b < B; b++) {
        eot[b] = irra_eot_pos(ids + (size_t)b * ctx, ctx);
        off[b] = N;
        len[b] = all ? ctx : eot[b] + 1;
        N += len[b];
    }
    return N;
}

static int check_ids(const int32_t *ids, int B, const irra_config *c, irra_err *e)
{
    for (size_t i = 0; i < (size_t)B * c->context; i++)
        if (ids[i] < 0 || ids[i] >= c->vocab)
            return irra_fail(e, "token id %d at position %zu is outside the vocabulary of %d",
                             (int)ids[i], i, c->vocab);
    return 0;
}

/* ids [B, ctx] -> feat [B, E] (row at argmax id), tokens [B, ctx, E] (every position). */
int irra_encode_text(irra_model *m, const int32_t *ids, int B, float *feat, float *tokens,
                     irra_err *e)
{
    const irra_config *c = &m->cfg;
    int d = c->t_width, E = c->embed_dim, ctx = c->context, rc = -1;
    if (irra_check_batch(B, (size_t)ctx * d * 6, e) < 0 || check_ids(ids, B, c, e) < 0) return -1;
    int *off = malloc((size_t)B * 3 * sizeof *off);
    float *x = malloc((size_t)B * ctx * d * sizeof *x), *y = NULL;
    if (!off || !x) {
        irra_fail(e, "out of memory for %d texts", B);
        goto out;
    }
    int *len = off + B, *eot = off + 2 * B;
    int N = layout(off, len, eot, ids, B, ctx, tokens != NULL);
    irra_seqs sq = {B, off, len};
#pragma omp parallel for schedule(static)
    for (int b = 0; b < B; b++)
        for (int t = 0; t < len[b]; t++) {
            const float *te = m->w.t_embed + (size_t)ids[(size_t)b * ctx + t] * d;
            const float *pe = m->w.t_pos + (size_t)t * d;
            float *dst = x + ((size_t)off[b] + t) * d;
            for (int i = 0; i < d; i++) dst[i] = te[i] + pe[i];
        }
    const irra_tower_pk *tp = irra_tower_packed(m, IRRA_TOWER_TEXT);
    const irra_block_pk *pk = tp ? tp->blocks : NULL;
    int L = c->t_layers, H = c->t_heads;
    if (tokens) {
        if (irra_blocks_forward(m->w.t_blocks, pk, L, x, &sq, d, H, 1, e) < 0) goto out;
        irra_layernorm(x, x, m->w.t_ln_w, m->w.t_ln_b, N, d);
        irra_gemm(N, E, d, 1.0f, x, d, m->w.t_proj, E, 0, 0.0f, tokens, E);
        for (int b = 0; b < B && feat; b++)
            memcpy(feat + (size_t)b * E, tokens + ((size_t)b * ctx + eot[b]) * E,
                   (size_t)E * sizeof *feat);
    } else if (feat) {
        /* Only EOT is wanted: the last block runs for it alone (it is each sequence's last row,
         * so it sees every row, as the causal mask lets it), then ln_final and proj on B rows. */
        if (!(y = malloc((size_t)B * d * sizeof *y))) {
            irra_fail(e, "out of memory for %d texts", B);
            goto out;
        }
        if (irra_blocks_forward_one(m->w.t_blocks, pk, L, x, &sq, eot, d, H, 1, y, e) < 0) goto out;
        irra_layernorm(y, y, m->w.t_ln_w, m->w.t_ln_b, B, d);
        irra_gemm(B, E, d, 1.0f, y, d, m->w.t_proj, E, 0, 0.0f, feat, E);
    }
    rc = 0;
out:
    free(off), free(x), free(y);
    return rc;
}
