/* Multi-head scaled dot-product attention, forward and backward (spec 2.1). One (sequence,
 * head) pair is one unit of work: its rows of q, k, v are column slices [h hd, (h+1) hd) of
 * row-major matrices with arbitrary row strides, so packed QKV, cross attention's separate Q and
 * KV, and the ragged batches of inference all go through the same code. */
#include "model/ops.h"

#include "model/blas.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static int seqs_max(const irra_seqs *s)
{
    int m = 0;
    for (int i = 0; i < s->n; i++) m = s->len[i] > m ? s->len[i] : m;
    return m;
}

/* One (sequence, head) pair: scores in sc[tq, tk], then out = P v. */
static void attend_one(float *out, int ldo, const float *q, int ldq, const float *k, int ldk,
                       const float *v, int ldv, int tq, int tk, int hd, int causal, float *sc)
{
    irra_gemm(tq, tk, hd, 1.0f / sqrtf((float)hd), q, ldq, k, ldk, 1, 0.0f, sc, tk);
    for (int i = 0; i < tq; i++) {
        int valid = causal ? (i + 1 < tk ? i + 1 : tk) : tk;
        irra_softmax_row(sc + (size_t)i * tk, valid, tk);
    }
    irra_gemm(tq, hd, tk, 1.0f, sc, tk, v, ldv, 0, 0.0f, out, ldo);
}

/* attn[s] = the mean over heads of the weights in all (per-pair [tq, tk] blocks of `per`). */
static void average_heads(float *attn, const float *all, const irra_seqs *qs, const irra_seqs *ks,
                          int H, int kmax, size_t per)
{
    memset(attn, 0, (size_t)qs->n * per * sizeof *attn);
    for (int s = 0; s < qs->n; s++)
        for (int h = 0; h < H; h++) {
            const float *src = all + ((size_t)s * H + h) * per;
            int tq = qs->len[s], tk = ks->len[s];
            for (int i = 0; i < tq; i++)
                for (int j = 0; j < tk; j++)
                    attn[(size_t)s * per + (size_t)i * kmax + j] += src[(size_t)i * tk + j] / H;
        }
}

int irra_attention(float *out, int ldo, const float *q, int ldq, const float *k, int ldk,
                   const float *v, int ldv, const irra_seqs *qs, const irra_seqs *ks, int H,
                   int hd, int causal, float *attn, float *probs)
{
    int qmax = seqs_max(qs), kmax = seqs_max(ks), n = qs->n * H, nt = omp_get_max_threads();
    size_t per = (size_t)qmax * kmax;
    /* Averaging over heads, and the backward, need every head's weights; keeping them apart
     * avoids a race and sums the heads in a fixed order. Otherwise each thread has one score
     * buffer, allocated here: from a worker thread, a buffer this size would be mapped and
     * unmapped every call. */
    int keep = attn || probs;
    float *all = probs ? probs
                 : attn ? calloc((size_t)n * per, sizeof *all)
                        : malloc((size_t)nt * per * sizeof *all);
    if (!all) return -1;
#pragma omp parallel num_threads(nt)
    {
#pragma omp for schedule(dynamic)
        for (int p = 0; p < n; p++) {
            int s = p / H, h = p % H;
            float *sc = all + (size_t)(keep ? p : omp_get_thread_num()) * per;
            int tq = qs->len[s], tk = ks->len[s];
            size_t qo = (size_t)qs->off[s], ko = (size_t)ks->off[s];
            attend_one(out + qo * ldo + (size_t)h * hd, ldo, q + qo * ldq + (size_t)h * hd, ldq,
                       k + ko * ldk + (size_t)h * hd, ldk, v + ko * ldv + (size_t)h * hd, ldv,
                       tq, tk, hd, causal, sc);
        }
    }
    if (attn) average_heads(attn, all, qs, ks, H, kmax, per);
    if (!probs) free(all);
    return 0;
}

/* One pair backward, with P the forward's weights [tq, tk] and dp scratch [tq, tk]:
 * dv += P^T do; dP = do v^T; dS = P (dP - rowsum(dP P)); dq += dS k / sqrt(hd);
 * dk += dS^T q / sqrt(hd). Masked weights are 0, so their dS is 0 too. */
static void attend_one_backward(float *dq, float *dk, float *dv, const float *dout, int ldo,
                                const float *q, int ldq, const float *k, int ldk, const float *v,
                                int ldv, const float *P, int tq, int tk, int hd, float *dp)
{
    float scale = 1.0f / sqrtf((float)hd);
    irra_gemm_at(tk, hd, tq, 1.0f, P, tk, dout, ldo, 0, 1.0f, dv, ldv);
    irra_gemm(tq, tk, hd, 1.0f, dout, ldo, v, ldv, 1, 0.0f, dp, tk);
    for (int i = 0; i < tq; i++) {
        const float *pi = P + (size_t)i * tk;
        float *di = dp + (size_t)i * tk, dot = 0.0f;
        for (int j = 0; j < tk; j++) dot += di[j] * pi[j];
        for (int j = 0; j < tk; j++) di[j] = pi[j] * (di[j] - dot);
    }
    irra_gemm(tq, hd, tk, scale, dp, tk, k, ldk, 0, 1.0f, dq, ldq);
    irra_gemm_at(tk, hd, tq, scale, dp, tk, q, ldq, 0, 1.0f, dk, ldk);
}

int irra_attention_backward(float *dq, float *dk, float *dv, const float *dout, int ldo,
                            const float *q, int ldq, const float *k, int ldk, const float *v,
                            int ldv, const float *probs, const irra_seqs *qs, const irra_seqs *ks,
                            int H, int hd)
{
    int qmax = seqs_max(qs), kmax = seqs_max(ks), n = qs->n * H, nt = omp_get_max_threads();
    size_t per = (size_t)qmax * kmax;
    float *scratch = malloc((size_t)nt * per * sizeof *scratch);
    if (!scratch) return -1;
#pragma omp parallel for schedule(dynamic) num_threads(nt)
    for (int p = 0; p < n; p++) {
        int s = p / H;
        size_t h = (size_t)(p % H) * hd, qo = (size_t)qs->off[s], ko = (size_t)ks->off[s];
        attend_one_backward(dq + qo * ldq + h, dk + ko * ldk + h, dv + ko * ldv + h,
                            dout + qo * ldo + h, ldo, q + qo * ldq + h, ldq, k + ko * ldk + h,
                            ldk, v + ko * ldv + h, ldv, probs + (size_t)p * per, qs->len[s],
                            ks->len[s], hd, scratch + (size_t)omp_get_thread_num() * per);
    }
    free(scratch);
    return 0;
}
