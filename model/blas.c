#include "model/blas.h"

#include <cblas.h>

void irra_gemm(int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
               int b_trans, float beta, float *C, int ldc)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, b_trans ? CblasTrans : CblasNoTrans, M, N, K, alpha, A,
                lda, B, ldb, beta, C, ldc);
}

void irra_gemm_at(int M, int N, int K, float alpha, const float *A, int lda, const float *B,
                  int ldb, int b_trans, float beta, float *C, int ldc)
{
    cblas_sgemm(CblasRowMajor, CblasTrans, b_trans ? CblasTrans : CblasNoTrans, M, N, K, alpha, A,
                lda, B, ldb, beta, C, ldc);
}

void irra_gemv(int M, int N, float alpha, const float *A, int lda, const float *x, float beta,
               float *y)
{
    cblas_sgemv(CblasRowMajor, CblasNoTrans, M, N, alpha, A, lda, x, 1, beta, y, 1);
}

void irra_gemv_t(int M, int N, float alpha, const float *A, int lda, const float *x, float beta,
                 float *y)
{
    cblas_sgemv(CblasRowMajor, CblasTrans, M, N, alpha, A, lda, x, 1, beta, y, 1);
}

const char *irra_blas_core(void) { return openblas_get_corename(); }
const char *irra_blas_config(void) { return openblas_get_config(); }
int irra_blas_threads(void) { return openblas_get_num_threads(); }
