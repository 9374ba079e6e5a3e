#include "model/model_priv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int irra_check_batch(int B, size_t per, irra_err *e)
{
    if (B <= 0) return irra_fail(e, "batch size %d is not positive", B);
    if (per == 0 || (size_t)B > ((size_t)1 << 36) / per)
        return irra_fail(e, "batch of %d is too large", B);
    return 0;
}

static const irra_block_pk unpacked; /* all NULL: OpenBLAS */

/* y[N, out] (+)= x[N, in] . W^T + b through the packed weight when there is one (and memory for
 * its scratch), else through OpenBLAS. */
static void linear(float *y, const float *x, const irra_packed *pk, const float *W, const float *b,
                   int N, int in, int out, int accumulate)
{
    if (!pk->p || irra_linear_packed(y, x, pk, b, N, accumulate) < 0)
        irra_linear(y, x, W, b, N, in, out, accumulate);
}

/* Scratch per call: ln [N, C], then qkv [N, 3C] + attn out [N, C], whose 4NC floats the MLP
 * hidden [N, 4C] reuses once attention is done. */
int irra_blocks_forward(const irra_block_w *blocks, const irra_block_pk *pk, int n, float *x,
                        const irra_seqs *sq, int C, int H, int causal, irra_err *e)
{
    if (n <= 0) return 0; /* irra_blocks_forward_one of one block runs none here */
    int N = 0;
    for (int s = 0; s < sq->n; s++) N = sq->off[s] + sq->len[s] > N ? sq->off[s] + sq->len[s] : N;
    float *buf = malloc((size_t)N * C * 5 * sizeof *buf);
    if (!buf) return irra_fail(e, "out of memory for %d tokens of width %d", N, C);
    float *ln = buf, *qkv = buf + (size_t)N * C, *att = qkv + (size_t)N * 3 * C, *hid = qkv;
    for (int l = 0; l < n; l++) {
        const irra_block_w *w = &blocks[l];
        const irra_block_pk *p = pk ? &pk[l] : &unpacked;
        irra_layernorm(ln, x, w->ln1_w, w->ln1_b, N, C);
        linear(qkv, ln, &p->in, w->in_w, w->in_b, N, C, 3 * C, 0);
        if (irra_attention(att, C, qkv, 3 * C, qkv + C, 3 * C, qkv + 2 * C, 3 * C, sq, sq, H,
                           C / H, causal, NULL, NULL) < 0) {
            free(buf);
            return irra_fail(e, "out of memory in attention");
        }
        linear(x, att, &p->out, w->out_w, w->out_b, N, C, C, 1);
        irra_layernorm(ln, x, w->ln2_w, w->ln2_b, N, C);
        linear(hid, ln, &p->fc, w->fc_w, w->fc_b, N, C, 4 * C, 0);
        irra_quick_gelu(hid, (size_t)N * 4 * C);
        linear(x, hid, &p->proj, w->proj_w, w->proj_b, N, 4 * C, C, 1);
    }
    free(buf);
    return 0;
}

/* Rows [o0, o0 + n) of in_proj (Q: 0, K and V: C) through the packed weight when its panels split
 * there (C a multiple of 32), else through OpenBLAS. */
static void in_proj_part(float *y, const float *x, const irra_block_w *w, const irra_block_pk *pk,
                         int o0, int n, int N, int C)
{
    irra_packed part = {0};
    if (pk->in.p && C % 32 == 0) part = irra_packed_slice(&pk->in, o0, n);
    linear(y, x, &part, w->in_w + (size_t)o0 * C, w->in_b + o0, N, C, n, 0);
}

/* The last block for the picked rows alone (pick NULL: row 0 of each sequence). Scratch: ln
 * [N, C], kv [N, 2C], then per sequence q, attn, ln2 [B, C] and hidden [B, 4C]. */
static int block_forward_one(const irra_block_w *w, const irra_block_pk *pk, const float *x,
                             const irra_seqs *sq, const int *pick, int C, int H, float *out,
                             irra_err *e)
{
    int N = 0, B = sq->n;
    for (int s = 0; s < B; s++) N = sq->off[s] + sq->len[s] > N ? sq->off[s] + sq->len[s] : N;
    float *buf = malloc(((size_t)N * 3 * C + (size_t)B * 8 * C) * sizeof *buf);
    int *qoff = malloc((size_t)B * 2 * sizeof *qoff);
    if (!buf || !qoff) {
        free(buf), free(qoff);
        return irra_fail(e, "out of memory for %d tokens of width %d", N, C);
    }
    float *ln = buf, *kv = ln + (size_t)N * C, *lnq = kv + (size_t)N * 2 * C;
    float *q = lnq + (size_t)B * C, *att = q + (size_t)B * C, *hid = att + (size_t)B * C;
    irra_layernorm(ln, x, w->ln1_w, w->ln1_b, N, C);
    in_proj_part(kv, ln, w, pk, C, 2 * C, N, C);
    for (int s = 0; s < B; s++) {
        size_t row = (size_t)sq->off[s] + (pick ? pick[s] : 0);
        memcpy(out + (size_t)s * C, x + row * C, (size_t)C * sizeof *x);
        memcpy(lnq + (size_t)s * C, ln + row * C, (size_t)C * sizeof *x);
        qoff[s] = s, qoff[B + s] = 1;
    }
    in_proj_part(q, lnq, w, pk, 0, C, B, C);
    irra_seqs qs = {B, qoff, qoff + B};
    int rc = irra_attention(att, C, q, C, kv, 2 * C, kv + C, 2 * C, &qs, sq, H, C / H, 0, NULL, NULL);
    if (rc == 0) {
        linear(out, att, &pk->out, w->out_w, w->out_b, B, C, C, 1);
        irra_layernorm(lnq, out, w->ln2_w, w->ln2_b, B, C);
        linear(hid, lnq, &pk->fc, w->fc_w, w->fc_b, B, C, 4 * C, 0);
        irra_quick_gelu(hid, (size_t)B * 4 * C);
        linear(out, hid, &pk->proj, w->proj_w, w->proj_b, B, 4 * C, C, 1);
    }
    free(buf), free(qoff);
    return rc < 0 ? irra_fail(e, "out of memory in attention") : 0;
}

int irra_blocks_forward_one(const irra_block_w *blocks, const irra_block_pk *pk, int n, float *x,
                            const irra_seqs *sq, const int *pick, int C, int H, int causal,
                            float *out, irra_err *e)
{
    if (irra_blocks_forward(blocks, pk, n - 1, x, sq, C, H, causal, e) < 0) return -1;
    return block_forward_one(&blocks[n - 1], pk ? &pk[n - 1] : &unpacked, x, sq, pick, C, H, out,
                             e);
}
