/* Every BLAS call in irra goes through this file, so threading and a future GPU backend change
 * one place. Matrices are row-major. */
#ifndef IRRA_BLAS_H
#define IRRA_BLAS_H

#include <stddef.h>

/* C[M,N] = alpha * A[M,K] . op(B) + beta * C, where op(B) = B^T when b_trans (B stored [N,K],
 * PyTorch's Linear layout) and B otherwise (B stored [K,N]). lda/ldb/ldc are row strides. */
void irra_gemm(int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
               int b_trans, float beta, float *C, int ldc);

/* Same, with A transposed: C[M,N] = alpha * A^T . op(B) + beta * C, A stored [K,M]. */
void irra_gemm_at(int M, int N, int K, float alpha, const float *A, int lda, const float *B,
                  int ldb, int b_trans, float beta, float *C, int ldc);

/* y[M] = alpha * A[M,N] . x[N] + beta * y, A row-major with row stride lda. */
void irra_gemv(int M, int N, float alpha, const float *A, int lda, const float *x, float beta,
               float *y);

/* y[N] = alpha * A[M,N]^T . x[M] + beta * y (column sums when x is all ones). */
void irra_gemv_t(int M, int N, float alpha, const float *A, int lda, const float *x, float beta,
                 float *y);

/* A Linear weight W[out, in] repacked for irra's own product (model/gemm_packed.c): panels of
 * 32 output columns, each stored [in][32], the last one zero-padded. Packing costs one copy of
 * the weight; in return the product skips the per-call packing that OpenBLAS does, which at the
 * image tower's ~200 rows is 15% of its time. A view of whole panels (a Q/K/V slice) shares p. */
typedef struct {
    const float *p;
    int out, in;
} irra_packed;

/* Whether this CPU runs the packed product (AVX-512F); when not, irra uses OpenBLAS alone. */
int irra_packed_available(void);
/* Available and not disabled by IRRA_NO_PACKED=1 in the environment (for comparisons). */
int irra_packed_enabled(void);
/* Floats that irra_pack writes for W[out, in]. */
size_t irra_packed_size(int out, int in);
/* Packs W[out, in] into dst (irra_packed_size floats, 64-byte aligned) and points pk at it. */
void irra_pack(irra_packed *pk, float *dst, const float *W, int out, int in);
/* The panels of output columns [o0, o0 + n) of pk (o0 a multiple of 32). */
irra_packed irra_packed_slice(const irra_packed *pk, int o0, int n);
/* y[N, out] = x[N, in] . W^T + b, or y += that when accumulate; b may be NULL. Same contract as
 * irra_linear; OpenMP-parallel over panels. Only when irra_packed_available(). Returns -1, with
 * y untouched, when its scratch cannot be allocated. */
int irra_linear_packed(float *y, const float *x, const irra_packed *W, const float *b, int N,
                       int accumulate);

/* The OpenBLAS kernel family in use ("Haswell", "SkylakeX", "Zen", "Prescott", ...). */
const char *irra_blas_core(void);
/* The OpenBLAS build string (version, threading model). */
const char *irra_blas_config(void);
int irra_blas_threads(void);

#endif
