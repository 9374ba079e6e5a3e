#include "model/model_priv.h"

#include <stdint.h>
#include <stdlib.h>

int irra_check_batch(int B, size_t per, irra_err *e)
{
    if (B <= 0) return irra_fail(e, "batch size %d is not positive", B);
    if (per == 0 || (size_t)B > ((size_t)1 << 36) / per)
        return irra_fail(e, "batch of %d is too large", B);
    return 0;
}

/* Scratch per call: ln [N, C], then qkv [N, 3C] + attn out [N, C], whose 4NC floats the MLP
 * hidden [N, 4C] reuses once attention is done. */
int irra_blocks_forward(const irra_block_w *blocks, int n, float *x, const irra_seqs *sq, int C,
                        int H, int causal, irra_err *e)
{
    int N = 0;
    for (int s = 0; s < sq->n; s++) N = sq->off[s] + sq->len[s] > N ? sq->off[s] + sq->len[s] : N;
    float *buf = malloc((size_t)N * C * 5 * sizeof *buf);
    if (!buf) return irra_fail(e, "out of memory for %d tokens of width %d", N, C);
    float *ln = buf, *qkv = buf + (size_t)N * C, *att = qkv + (size_t)N * 3 * C, *hid = qkv;
    for (int l = 0; l < n; l++) {
        const irra_block_w *w = &blocks[l];
        irra_layernorm(ln, x, w->ln1_w, w->ln1_b, N, C);
        irra_linear(qkv, ln, w->in_w, w->in_b, N, C, 3 * C, 0);
        if (irra_attention(att, C, qkv, 3 * C, qkv + C, 3 * C, qkv + 2 * C, 3 * C, sq, sq, H,
                           C / H, causal, NULL) < 0) {
            free(buf);
            return irra_fail(e, "out of memory in attention");
        }
        irra_linear(x, att, w->out_w, w->out_b, N, C, C, 1);
        irra_layernorm(ln, x, w->ln2_w, w->ln2_b, N, C);
        irra_linear(hid, ln, w->fc_w, w->fc_b, N, C, 4 * C, 0);
        irra_quick_gelu(hid, (size_t)N * 4 * C);
        irra_linear(x, hid, w->proj_w, w->proj_b, N, 4 * C, C, 1);
    }
    free(buf);
    return 0;
}
