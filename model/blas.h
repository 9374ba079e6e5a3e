/* Every BLAS call in irra goes through this file, so threading and a future GPU backend change
 * one place. Matrices are row-major. */
#ifndef IRRA_BLAS_H
#define IRRA_BLAS_H

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

/* The OpenBLAS kernel family in use ("Haswell", "SkylakeX", "Zen", "Prescott", ...). */
const char *irra_blas_core(void);
/* The OpenBLAS build string (version, threading model). */
const char *irra_blas_config(void);
int irra_blas_threads(void);

#endif
