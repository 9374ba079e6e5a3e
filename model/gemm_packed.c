/* irra's own fp32 matrix product for Linear layers whose weights are packed once (blas.h).
 * Why not OpenBLAS alone: it packs both operands on every call, and at the image tower's ~200
 * rows the weight packing (a DRAM-bound copy of 28 MB per layer) costs 15% of the time. With the
 * weights already in panel order the kernel streams them once, and the activations are read in
 * place (rows of x are broadcast, 14 at a time), so nothing is copied per call.
 *
 * Micro-kernel: a 14 x 32 tile of y in 28 zmm accumulators; per k, two loads of the weight panel
 * and 14 broadcasts of x feed 28 FMAs. Blocking: KC = 768 of the inner dimension (the panel's
 * 96 KB stays in L2 across the row blocks), MC = 196 rows. Threads take disjoint ranges of
 * panels, so no two write the same y. Measured on this project's machine (AMD EPYC, AVX-512,
 * one core's FMA peak ~216 GFLOP/s) at 193 rows with the weights cold: 170-195 GFLOP/s on one
 * core against 160-177 for OpenBLAS's sgemm on the same shapes. At ~1500 rows (batch 8) the
 * two are level: OpenBLAS's packing is then spread over enough rows. */
#include "model/blas.h"

#include <immintrin.h>
#include <omp.h>
#include <stdlib.h>

enum { NR = 32, MR = 14, KC = 768, MC = 14 * MR };

int irra_packed_available(void)
{
    return __builtin_cpu_supports("avx512f");
}

int irra_packed_enabled(void)
{
    const char *off = getenv("IRRA_NO_PACKED");
    return irra_packed_available() && !(off && *off && *off != '0');
}

size_t irra_packed_size(int out, int in)
{
    return (size_t)(out + NR - 1) / NR * NR * (size_t)in;
}

void irra_pack(irra_packed *pk, float *dst, const float *W, int out, int in)
{
    int np = (out + NR - 1) / NR;
    /* k outer: each k writes one contiguous 32-float row of the panel, and the 32 source rows'
     * current cache lines stay in L1 for the next 15 k (the other order is ~10x slower). */
#pragma omp parallel for schedule(static) if (np > 1 && (size_t)out * in >= 65536)
    for (int j = 0; j < np; j++) {
        float *panel = dst + (size_t)j * in * NR;
        int cols = out - j * NR < NR ? out - j * NR : NR;
        const float *rows = W + (size_t)j * NR * in;
        for (int k = 0; k < in; k++) {
            float *d = panel + (size_t)k * NR;
            for (int c = 0; c < cols; c++) d[c] = rows[(size_t)c * in + k];
            for (int c = cols; c < NR; c++) d[c] = 0.0f;
        }
    }
    *pk = (irra_packed){dst, out, in};
}

irra_packed irra_packed_slice(const irra_packed *pk, int o0, int n)
{
    return (irra_packed){pk->p + (size_t)o0 / NR * NR * pk->in, n, pk->in};
}

/* Where a tile's sums start and go, all [rows, cols] at row stride ld (the caller offsets them):
 * part: earlier kc blocks' sums to continue from (NULL: start at 0); dst: where the result goes;
 * bias [cols] and res (a residual, read before dst is written, may equal it) are added at the
 * end, in PyTorch's order x + (x W^T + b), so the residual stream is not rounded per FMA. */
typedef struct {
    const float *part, *bias, *res;
    float *dst;
    int ld, cols;
} tile_io;

/* dst = part + A[rows, kc] . B[kc, 32 panel] (+ bias) (+ res); ROWS is a compile-time constant
 * so the 2 x ROWS accumulators live in registers. */
__attribute__((target("avx512f"), always_inline)) static inline void
tile(int kc, const float *A, int lda, const float *B, const tile_io *io, const int ROWS)
{
    int cols = io->cols;
    size_t ld = (size_t)io->ld;
    __mmask16 m0 = cols >= 16 ? 0xffff : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols >= 32 ? 0xffff : cols > 16 ? (__mmask16)((1u << (cols - 16)) - 1) : 0;
    __m512 c0[MR], c1[MR];
    for (int r = 0; r < ROWS; r++) {
        c0[r] = io->part ? _mm512_maskz_loadu_ps(m0, io->part + r * ld) : _mm512_setzero_ps();
        c1[r] = io->part ? _mm512_maskz_loadu_ps(m1, io->part + r * ld + 16) : _mm512_setzero_ps();
    }
    for (int k = 0; k < kc; k++) {
        __m512 b0 = _mm512_load_ps(B + (size_t)k * NR), b1 = _mm512_load_ps(B + (size_t)k * NR + 16);
#pragma GCC unroll 14
        for (int r = 0; r < ROWS; r++) {
            __m512 a = _mm512_set1_ps(A[(size_t)r * lda + k]);
            c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
            c1[r] = _mm512_fmadd_ps(a, b1, c1[r]);
        }
    }
    if (io->bias) {
        __m512 b0 = _mm512_maskz_loadu_ps(m0, io->bias), b1 = _mm512_maskz_loadu_ps(m1, io->bias + 16);
        for (int r = 0; r < ROWS; r++) c0[r] = _mm512_add_ps(c0[r], b0), c1[r] = _mm512_add_ps(c1[r], b1);
    }
    for (int r = 0; r < ROWS && io->res; r++) {
        c0[r] = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, io->res + r * ld), c0[r]);
        c1[r] = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, io->res + r * ld + 16), c1[r]);
    }
    for (int r = 0; r < ROWS; r++) {
        _mm512_mask_storeu_ps(io->dst + r * ld, m0, c0[r]);
        _mm512_mask_storeu_ps(io->dst + r * ld + 16, m1, c1[r]);
    }
}

typedef void tile_fn(int, const float *, int, const float *, const tile_io *);
#define TILE(R)                                                                                  \
    __attribute__((target("avx512f"))) static void tile##R(int kc, const float *A, int lda,    \
                                                           const float *B, const tile_io *io)   \
    {                                                                                            \
        tile(kc, A, lda, B, io, R);                                                              \
    }
TILE(1) TILE(2) TILE(3) TILE(4) TILE(5) TILE(6) TILE(7)
TILE(8) TILE(9) TILE(10) TILE(11) TILE(12) TILE(13) TILE(14)
static tile_fn *const tiles[MR + 1] = {NULL,   tile1,  tile2,  tile3,  tile4,
                                       tile5,  tile6,  tile7,  tile8,  tile9,
                                       tile10, tile11, tile12, tile13, tile14};

/* One product y = x W^T (+ b) (+ y) split into blocks: rows in chunks of MC, the inner
 * dimension in blocks of KC whose partial sums wait in part (y itself unless accumulating). */
typedef struct {
    float *y, *part;
    const float *x, *b;
    int N, accumulate;
    const irra_packed *W;
} product_args;

/* One thread's share: panels [j0, j1) for every row. */
static void product(const product_args *a, int j0, int j1)
{
    int K = a->W->in, out = a->W->out;
    for (int i0 = 0; i0 < a->N; i0 += MC) {
        int i1 = a->N - i0 < MC ? a->N : i0 + MC;
        for (int pc = 0; pc < K; pc += KC) {
            int kc = K - pc < KC ? K - pc : KC, last = pc + kc == K;
            for (int j = j0; j < j1; j++) {
                const float *panel = a->W->p + ((size_t)j * K + pc) * NR;
                for (int i = i0; i < i1; i += MR) {
                    size_t at = (size_t)i * out + j * NR; /* part has y's layout */
                    tile_io io = {pc ? a->part + at : NULL, last && a->b ? a->b + j * NR : NULL,
                                  last && a->accumulate ? a->y + at : NULL,
                                  last ? a->y + at : a->part + at, out,
                                  out - j * NR < NR ? out - j * NR : NR};
                    int rows = i1 - i < MR ? i1 - i : MR;
                    tiles[rows](kc, a->x + (size_t)i * K + pc, K, panel, &io);
                }
            }
        }
    }
}

int irra_linear_packed(float *y, const float *x, const irra_packed *W, const float *b, int N,
                       int accumulate)
{
    int np = (W->out + NR - 1) / NR;
    /* A few rows are bound by reading the weight, which one thread per panel range does best;
     * below ~16 KFLOP per panel a parallel region costs more than it saves. */
    int nt = (size_t)N * W->in * NR < 16384 ? 1 : omp_get_max_threads();
    if (nt > np) nt = np;
    product_args a = {y, y, x, b, N, accumulate, W};
    /* Accumulating over several KC blocks: the partial sums cannot wait in y, which holds the
     * residual until the last block adds it. */
    float *part = NULL;
    if (accumulate && W->in > KC && !(a.part = part = malloc((size_t)N * W->out * sizeof *part)))
        return -1;
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num(), n = omp_get_num_threads();
        product(&a, np * t / n, np * (t + 1) / n);
    }
    free(part);
    return 0;
}
