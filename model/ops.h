/* The numeric building blocks of the transformers, fp32, row-major. Elementwise and attention
 * loops are OpenMP-parallel; matrix products go through model/blas.h. Shapes use N rows
 * (tokens) by C columns (features); weights are PyTorch's [out, in]. */
#ifndef IRRA_OPS_H
#define IRRA_OPS_H

#include <stddef.h>

/* y[N,C] = (x - mean) / sqrt(var + 1e-5) * w + b per row, biased variance (nn.LayerNorm).
 * y may equal x. */
void irra_layernorm(float *y, const float *x, const float *w, const float *b, int N, int C);

/* x = x * sigmoid(1.702 x), CLIP's QuickGELU, in place over n values. */
void irra_quick_gelu(float *x, size_t n);

/* Softmax of each row of x[N,C] over its first `valid` columns (valid = C, or i + 1 + off for a
 * causal row); the columns past it are set to 0, as -inf in the additive mask would give. */
void irra_softmax_row(float *x, int valid, int C);

/* y[N,out] = x[N,in] . W^T + b (nn.Linear), or y += that when accumulate (a fused residual).
 * b may be NULL. */
void irra_linear(float *y, const float *x, const float *W, const float *b, int N, int in,
                 int out, int accumulate);

/* Sequences of a ragged batch: sequence s occupies rows off[s] .. off[s] + len[s] - 1. */
typedef struct {
    int n;
    const int *off, *len;
} irra_seqs;

/* Scaled dot-product attention of H heads of width hd for every sequence of a batch:
 * o_h = softmax(q_h k_h^T / sqrt(hd) + M) v_h, head h in columns [h hd, (h+1) hd).
 * q: rows of sequence s at qs.off[s], row stride ldq; k, v likewise with ks and ldk/ldv.
 * out: [rows of qs, H hd] with stride ldo. causal: query i sees keys 0..i (text tower).
 * attn (optional): [qs.n, max q len, max k len], the weights averaged over heads.
 * Returns -1 when scratch memory cannot be allocated. */
int irra_attention(float *out, int ldo, const float *q, int ldq, const float *k, int ldk,
                   const float *v, int ldv, const irra_seqs *qs, const irra_seqs *ks, int H,
                   int hd, int causal, float *attn);

/* e^x with relative error < 3e-7, written to vectorise (QuickGELU, softmax). */
float irra_expf(float x);

#endif
