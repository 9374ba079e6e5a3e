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
CLONES void layernorm(float *y, const float *x, const float *w, const float *b, int N, int C)
{
#pragma omp parallel for schedule(static) if ((size_t)N * C >= PAR_MIN)
    for (int i = 0; i < N; i++) {
        const float *xi = x + (size_t)i * C;
        float *yi = y + (size_t)i * C;
        /* Two passes, as PyTorch's CPU kernel is exact enough that one-pass E[x^2]-E[x]^2
         * would be the larger error at 1e-4 parity. */
        float mean = 0.0f, var = 0.0f;
#pragma omp simd reduction(+ : mean)
        for (int c = 0; c < C; c++) mean += xi[c];
        mean /= (float)C;
#pragma omp simd reduction(+ : var)
        for (int c = 0; c < C; c++) {
            float d = xi[c] - mean;
            var += d * d;
        }
        float rstd = 1.0f / sqrtf(var / (float)C + 1e-5f);
#pragma omp simd
        for (int c = 0; c < C; c++) yi[c] = (xi[c] - mean) * rstd * w[c] + b[c];
    }
}

void irra_layernorm(float *y, const float *x, const float *w, const float *b, int N, int C)
{
    layernorm(y, x, w, b, N, C);
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
CLONES void quick_gelu(float *x, size_t n)
{
#pragma omp parallel for simd schedule(static) if (n >= PAR_MIN)
    for (size_t i = 0; i < n; i++) x[i] = x[i] / (1.0f + vexpf(-1.702f * x[i]));
}

void irra_quick_gelu(float *x, size_t n) { quick_gelu(x, n); }

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

int irra_attention(float *out, int ldo, const float *q, int ldq, const float *k, int ldk,
                   const float *v, int ldv, const irra_seqs *qs, const irra_seqs *ks, int H,
                   int hd, int causal, float *attn)
{
    int qmax = seqs_max(qs), kmax = seqs_max(ks), n = qs->n * H, nt = omp_get_max_threads();
    size_t per = (size_t)qmax * kmax;
    /* Averaging over heads needs every head's weights; keeping them apart avoids a race and
     * sums the heads in a fixed order. Otherwise each thread has one score buffer, allocated
     * here: from a worker thread, a buffer this size would be mapped and unmapped every call. */
    float *all = attn ? calloc((size_t)n * per, sizeof *all) : malloc((size_t)nt * per * sizeof *all);
    if (!all) return -1;
#pragma omp parallel num_threads(nt)
    {
#pragma omp for schedule(dynamic)
        for (int p = 0; p < n; p++) {
            int s = p / H, h = p % H;
            float *sc = all + (size_t)(attn ? p : omp_get_thread_num()) * per;
            int tq = qs->len[s], tk = ks->len[s];
            size_t qo = (size_t)qs->off[s], ko = (size_t)ks->off[s];
            attend_one(out + qo * ldo + (size_t)h * hd, ldo, q + qo * ldq + (size_t)h * hd, ldq,
                       k + ko * ldk + (size_t)h * hd, ldk, v + ko * ldv + (size_t)h * hd, ldv,
                       tq, tk, hd, causal, sc);
        }
    }
    if (attn) {
        /* all[p] holds a dense [tq, tk] block; spread it into the [qmax, kmax] layout. */
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
    free(all);
    return 0;
}
