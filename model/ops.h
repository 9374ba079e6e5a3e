/* The numeric building blocks of the transformers, fp32, row-major, each forward beside its
 * backward. Elementwise and attention loops are OpenMP-parallel; matrix products go through
 * model/blas.h. Shapes use N rows (tokens) by C columns (features); weights are PyTorch's
 * [out, in]. Backward functions add into parameter gradients (+=), so a parameter used twice
 * (one classifier for both modalities) needs no special case; what they do with activation
 * gradients is said at each. Gradient sums over rows run in row order whatever the thread
 * count, so 1 and 2 threads agree to the bit where OpenBLAS does. */
#ifndef IRRA_OPS_H
#define IRRA_OPS_H

#include <stddef.h>

/* y[N,C] = (x - mean) / sqrt(var + 1e-5) * w + b per row, biased variance (nn.LayerNorm).
 * y may equal x. */
void irra_layernorm(float *y, const float *x, const float *w, const float *b, int N, int C);
/* The same, keeping each row's mean and 1/sqrt(var + 1e-5) in mean[N], rstd[N] (both NULL:
 * irra_layernorm) for the backward. */
void irra_layernorm_stats(float *y, float *mean, float *rstd, const float *x, const float *w,
                          const float *b, int N, int C);
/* dx[N,C] += dL/dx (dx must not alias dy), dw[C] += dL/dw, db[C] += dL/db, given dy[N,C], the
 * forward's input x and its mean and rstd. */
void irra_layernorm_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                             const float *mean, const float *rstd, const float *w, int N, int C);

/* x = x * sigmoid(1.702 x), CLIP's QuickGELU, in place over n values. */
void irra_quick_gelu(float *x, size_t n);
/* y = QuickGELU(x) over n values, x kept (the training forward keeps both). */
void irra_quick_gelu_to(float *y, const float *x, size_t n);
/* dx = dy * QuickGELU'(x) over n values, x the forward's input; dx may equal dy (written, not
 * added: the input of a QuickGELU feeds nothing else). */
void irra_quick_gelu_backward(float *dx, const float *x, const float *dy, size_t n);

/* Softmax of each row of x[N,C] over its first `valid` columns (valid = C, or i + 1 + off for a
 * causal row); the columns past it are set to 0, as -inf in the additive mask would give. */
void irra_softmax_row(float *x, int valid, int C);

/* y[N,out] = x[N,in] . W^T + b (nn.Linear), or y += that when accumulate (a fused residual).
 * b may be NULL. */
void irra_linear(float *y, const float *x, const float *W, const float *b, int N, int in,
                 int out, int accumulate);
/* For y = x W^T + b: dx[N,in] += dy W (dx NULL: not wanted), dW[out,in] += dy^T x, db[out] +=
 * the column sums of dy (db NULL: no bias). */
void irra_linear_backward(float *dx, float *dW, float *db, const float *dy, const float *x,
                          const float *W, int N, int in, int out);

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
 * probs (optional): every head's weights for the backward, pair p = s H + h as a dense
 * [tq, tk] block at probs + p * (max q len) * (max k len).
 * Returns -1 when scratch memory cannot be allocated. (model/attention.c) */
int irra_attention(float *out, int ldo, const float *q, int ldq, const float *k, int ldk,
                   const float *v, int ldv, const irra_seqs *qs, const irra_seqs *ks, int H,
                   int hd, int causal, float *attn, float *probs);
/* The backward of irra_attention given dout (stride ldo) and the forward's q, k, v and probs:
 * adds into dq, dk, dv, which have the strides of q, k, v (they may be column slices of one
 * packed dQKV). The causal mask needs no flag: its weights are 0 in probs. Returns -1 when
 * scratch memory cannot be allocated. */
int irra_attention_backward(float *dq, float *dk, float *dv, const float *dout, int ldo,
                            const float *q, int ldq, const float *k, int ldk, const float *v,
                            int ldv, const float *probs, const irra_seqs *qs, const irra_seqs *ks,
                            int H, int hd);

/* e^x with relative error < 3e-7, written to vectorise (QuickGELU, softmax). */
float irra_expf(float x);

#endif
