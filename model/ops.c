#include "model/ops.h"

#include "model/blas.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Loops shorter than this run on one thread: a parallel region costs more than it saves. */
#define PAR_MIN 4096

/* AVX2 and AVX-512 clones of the functions below. The clones are static and the public names
 * plain functions that call them: clang 14 names a public clone's dispatcher "NAME.ifunc",
 * which callers in other files cannot link to. */
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default"))) static

/* Clones and simd reductions: the sums as plain loops are scalar chains (~4 cycles an
 * element), which made LayerNorm ~3% of the image tower. */
CLONES void layernorm_stats(float *y, float *mean, float *rstd, const float *x, const float *w,
                            const float *b, int N, int C)
{
#pragma omp parallel for schedule(static) if ((size_t)N * C >= PAR_MIN)
    for (int i = 0; i < N; i++) {
        const float *xi = x + (size_t)i * C;
        float *yi = y + (size_t)i * C;
        /* Two passes, as PyTorch's CPU kernel is exact enough that one-pass E[x^2]-E[x]^2
         * would be the larger error at 1e-4 parity. */
        float mu = 0.0f, var = 0.0f;
#pragma omp simd reduction(+ : mu)
        for (int c = 0; c < C; c++) mu += xi[c];
        mu /= (float)C;
#pragma omp simd reduction(+ : var)
        for (int c = 0; c < C; c++) {
            float d = xi[c] - mu;
            var += d * d;
        }
        float r = 1.0f / sqrtf(var / (float)C + 1e-5f);
        if (mean) mean[i] = mu, rstd[i] = r;
#pragma omp simd
        for (int c = 0; c < C; c++) yi[c] = (xi[c] - mu) * r * w[c] + b[c];
    }
}

void irra_layernorm_stats(float *y, float *mean, float *rstd, const float *x, const float *w,
                          const float *b, int N, int C)
{
    layernorm_stats(y, mean, rstd, x, w, b, N, C);
}

void irra_layernorm(float *y, const float *x, const float *w, const float *b, int N, int C)
{
    layernorm_stats(y, NULL, NULL, x, w, b, N, C);
}

/* Column sums of dy[N, C] added to acc[C], as one transposed matrix-vector product with a
 * vector of ones (OpenBLAS streams the rows once; a column-blocked loop cost ~5% of a step). */
static void colsum_add(float *acc, const float *dy, int N, int C)
{
    float *ones = malloc((size_t)N * sizeof *ones);
    if (!ones) { /* the slow way rather than none */
        for (int i = 0; i < N; i++)
            for (int c = 0; c < C; c++) acc[c] += dy[(size_t)i * C + c];
        return;
    }
    for (int i = 0; i < N; i++) ones[i] = 1.0f;
    irra_gemv_t(N, C, 1.0f, dy, C, ones, 1.0f, acc);
    free(ones);
}

/* llm.c's layernorm_backward: with n = (x - mean) rstd and dn = dy w,
 * dx = rstd (dn - mean(dn) - n mean(dn n)); dw = sum dy n, db = sum dy over rows. */
CLONES void layernorm_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                               const float *mean, const float *rstd, const float *w, int N, int C)
{
#pragma omp parallel for schedule(static) if ((size_t)N * C >= PAR_MIN)
    for (int i = 0; i < N; i++) {
        const float *xi = x + (size_t)i * C, *di = dy + (size_t)i * C;
        float *o = dx + (size_t)i * C, mu = mean[i], r = rstd[i], sd = 0.0f, sdn = 0.0f;
#pragma omp simd reduction(+ : sd, sdn)
        for (int c = 0; c < C; c++) {
            float dn = di[c] * w[c];
            sd += dn;
            sdn += dn * (xi[c] - mu) * r;
        }
        sd /= (float)C, sdn /= (float)C;
#pragma omp simd
        for (int c = 0; c < C; c++) o[c] += r * (di[c] * w[c] - sd - (xi[c] - mu) * r * sdn);
    }
    colsum_add(db, dy, N, C);
#pragma omp parallel for schedule(static) if ((size_t)N * C >= PAR_MIN)
    for (int c0 = 0; c0 < C; c0 += 64) {
        int c1 = c0 + 64 < C ? c0 + 64 : C;
        for (int i = 0; i < N; i++) {
            const float *xi = x + (size_t)i * C, *di = dy + (size_t)i * C;
            for (int c = c0; c < c1; c++) dw[c] += di[c] * (xi[c] - mean[i]) * rstd[i];
        }
    }
}

void irra_layernorm_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                             const float *mean, const float *rstd, const float *w, int N, int C)
{
    layernorm_backward(dx, dw, db, dy, x, mean, rstd, w, N, C);
}

/* expf written so that loops of it vectorise (libm's expf is a scalar call; QuickGELU and the
 * attention softmax spend ~20% of the image tower in it): e^x = 2^n * e^r, n = round(x/ln2),
 * |r| <= ln2/2, e^r by its degree-6 Taylor polynomial. Relative error < 3e-7 (tests/test_ops.c
 * checks it against exp); inputs are clamped to [-87, 88], below which fp32 underflows. */
static inline float vexpf(float x)
{
    x = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
    const float shift = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    float n = (x * 1.44269504088896341f + shift) - shift;
    float r = x - n * 0.693145751953125f - n * 1.42860682030941723212e-6f; /* ln2, split */
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 +
                                                                                  r * (1.0f / 720))))));
    union { float f; int32_t i; } scale = {.i = ((int32_t)n + 127) << 23};
    return p * scale.f;
}

float irra_expf(float x) { return vexpf(x); }

/* AVX2 and AVX-512 clones where the CPU has them: the baseline (SSE2) cannot vectorise vexpf. */
CLONES void quick_gelu(float *y, const float *x, size_t n)
{
#pragma omp parallel for simd schedule(static) if (n >= PAR_MIN)
    for (size_t i = 0; i < n; i++) y[i] = x[i] / (1.0f + vexpf(-1.702f * x[i]));
}

void irra_quick_gelu(float *x, size_t n) { quick_gelu(x, x, n); }
void irra_quick_gelu_to(float *y, const float *x, size_t n) { quick_gelu(y, x, n); }

/* d/dx x s(1.702 x) = s + 1.702 x s (1 - s), s = sigmoid(1.702 x). */
CLONES void quick_gelu_backward(float *dx, const float *x, const float *dy, size_t n)
{
#pragma omp parallel for simd schedule(static) if (n >= PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        float s = 1.0f / (1.0f + vexpf(-1.702f * x[i]));
        dx[i] = dy[i] * (s + 1.702f * x[i] * s * (1.0f - s));
    }
}

void irra_quick_gelu_backward(float *dx, const float *x, const float *dy, size_t n)
{
    quick_gelu_backward(dx, x, dy, n);
}

CLONES void softmax_row(float *x, int valid, int C)
{
    /* simd reductions: without them the max is a scalar chain (~4 cycles an element), which
     * made softmax as slow as both attention products together. */
    float mx = x[0];
#pragma omp simd reduction(max : mx)
    for (int j = 1; j < valid; j++) mx = x[j] > mx ? x[j] : mx;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int j = 0; j < valid; j++) {
        x[j] = vexpf(x[j] - mx);
        sum += x[j];
    }
    float inv = 1.0f / sum;
#pragma omp simd
    for (int j = 0; j < valid; j++) x[j] *= inv;
    for (int j = valid; j < C; j++) x[j] = 0.0f;
}

void irra_softmax_row(float *x, int valid, int C) { softmax_row(x, valid, C); }

/* OpenBLAS runs products with few rows (a text query: ~25 tokens) on one thread; splitting the
 * output columns across our threads uses them all. Each slice is a whole number of 64 columns. */
static void gemm_rows_few(int N, int in, int out, const float *x, const float *W, float beta,
                          float *y)
{
    int nt = omp_get_max_threads();
    int chunk = ((out + nt - 1) / nt + 63) / 64 * 64;
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int c0 = 0; c0 < out; c0 += chunk) {
        int n = out - c0 < chunk ? out - c0 : chunk;
        irra_gemm(N, n, in, 1.0f, x, in, W + (size_t)c0 * in, in, 1, beta, y + c0, out);
    }
}

void irra_linear(float *y, const float *x, const float *W, const float *b, int N, int in,
                 int out, int accumulate)
{
    float beta = accumulate ? 1.0f : 0.0f;
    if (N <= 64 && out >= 256 && omp_get_max_threads() > 1 && !omp_in_parallel())
        gemm_rows_few(N, in, out, x, W, beta, y);
    else
        irra_gemm(N, out, in, 1.0f, x, in, W, in, 1, beta, y, out);
    if (!b) return;
#pragma omp parallel for schedule(static) if ((size_t)N * out >= PAR_MIN)
    for (int i = 0; i < N; i++) {
        float *yi = y + (size_t)i * out;
        for (int c = 0; c < out; c++) yi[c] += b[c];
    }
}

void irra_linear_backward(float *dx, float *dW, float *db, const float *dy, const float *x,
                          const float *W, int N, int in, int out)
{
    if (dx) irra_gemm(N, in, out, 1.0f, dy, out, W, in, 0, 1.0f, dx, in);
    irra_gemm_at(out, in, N, 1.0f, dy, out, x, in, 0, 1.0f, dW, in);
    if (db) colsum_add(db, dy, N, out);
}
