/* irra's packed Linear product (model/gemm_packed.c) against a double-precision reference, over
 * the shapes where blocked kernels go wrong: row counts around the 14-row tile and the 196-row
 * chunk, column counts around the 32-wide panel, inner sizes around the 768 block. On a CPU
 * without AVX-512 the product is never used and these tests say so and pass. */
#include "model/blas.h"
#include "model/ops.h"
#include "tests/check.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 777;
static float frand(void) /* uniform in [-1, 1) */
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}

typedef struct {
    float *x, *W, *b, *y, *pk;
    irra_packed P;
} fixture;

static fixture make(int N, int in, int out)
{
    fixture f = {malloc(sizeof(float) * N * in), malloc(sizeof(float) * out * in),
                 malloc(sizeof(float) * out), malloc(sizeof(float) * N * out),
                 aligned_alloc(64, irra_packed_size(out, in) * sizeof(float)), {0}};
    for (int i = 0; i < N * in; i++) f.x[i] = frand();
    for (int i = 0; i < out * in; i++) f.W[i] = frand();
    for (int i = 0; i < out; i++) f.b[i] = frand();
    for (int i = 0; i < N * out; i++) f.y[i] = frand();
    irra_pack(&f.P, f.pk, f.W, out, in);
    return f;
}

static void drop(fixture *f) { free(f->x), free(f->W), free(f->b), free(f->y), free(f->pk); }

/* Worst |got - want| / (1 + sum of |terms|) of y = [y0 +] x W^T [+ b] over all N x out outputs:
 * fp32 summation error grows with the terms' magnitudes, not the result's (the result can cancel
 * to ~0); an indexing bug gives errors of order 1. */
static double worst_error(const fixture *f, const float *y0, const float *y, int N, int in,
                          int out, int with_bias)
{
    double worst = 0;
    for (int i = 0; i < N; i++)
        for (int o = 0; o < out; o++) {
            double s = y0 ? y0[(size_t)i * out + o] : 0.0, mag = fabs(s);
            for (int k = 0; k < in; k++) {
                double t = (double)f->x[(size_t)i * in + k] * f->W[(size_t)o * in + k];
                s += t, mag += fabs(t);
            }
            if (with_bias) s += f->b[o], mag += fabs(f->b[o]);
            double err = fabs(y[(size_t)i * out + o] - s) / (1 + mag);
            worst = err > worst ? err : worst;
        }
    return worst;
}

#define NEED_AVX512()                                                                             \
    if (!irra_packed_available()) {                                                               \
        printf("  (no AVX-512 on this CPU: the packed product is not used)\n");                  \
        return;                                                                                   \
    }

static void test_packed_product_matches_reference_on_edge_shapes(void)
{
    NEED_AVX512();
    const int rows[] = {1, 13, 14, 15, 29, 197, 230}, cols[] = {1, 16, 31, 32, 33, 70};
    const int inner[] = {1, 7, 64, 800};
    for (size_t a = 0; a < sizeof rows / sizeof *rows; a++)
        for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
            for (size_t k = 0; k < sizeof inner / sizeof *inner; k++) {
                int N = rows[a], out = cols[c], in = inner[k];
                fixture f = make(N, in, out);
                irra_linear_packed(f.y, f.x, &f.P, f.b, N, 0);
                double err = worst_error(&f, NULL, f.y, N, in, out, 1);
                EXPECTF(err < 1e-6, "N=%d out=%d in=%d: error %.3g", N, out, in, err);
                drop(&f);
            }
}

/* y += x W^T (+ b): a fused residual, within one inner block (in = 64) and across two (1000). */
static void test_packed_product_accumulates_into_y(void)
{
    NEED_AVX512();
    const int inner[] = {64, 1000};
    for (int k = 0; k < 2; k++)
        for (int with_bias = 0; with_bias < 2; with_bias++) {
            enum { N = 31, OUT = 45 };
            fixture f = make(N, inner[k], OUT);
            float *y0 = malloc(sizeof(float) * N * OUT);
            memcpy(y0, f.y, sizeof(float) * N * OUT);
            EXPECT(irra_linear_packed(f.y, f.x, &f.P, with_bias ? f.b : NULL, N, 1) == 0);
            double err = worst_error(&f, y0, f.y, N, inner[k], OUT, with_bias);
            EXPECTF(err < 1e-6, "in=%d bias=%d: error %.3g", inner[k], with_bias, err);
            free(y0), drop(&f);
        }
}

static void test_packed_slice_is_those_output_rows(void)
{
    NEED_AVX512();
    enum { N = 20, IN = 50, OUT = 96 };
    fixture f = make(N, IN, OUT);
    irra_packed kv = irra_packed_slice(&f.P, 32, 64);
    float *y = malloc(sizeof(float) * N * 64), *want = malloc(sizeof(float) * N * 64);
    irra_linear_packed(y, f.x, &kv, f.b + 32, N, 0);
    irra_linear(want, f.x, f.W + 32 * IN, f.b + 32, N, IN, 64, 0);
    for (int i = 0; i < N * 64; i++) EXPECT_CLOSE(y[i], want[i], 1e-5, 1e-5);
    free(y), free(want), drop(&f);
}

static void test_packed_product_is_the_same_on_one_and_two_threads(void)
{
    NEED_AVX512();
    enum { N = 193, IN = 96, OUT = 160 };
    fixture f = make(N, IN, OUT);
    float *one = malloc(sizeof(float) * N * OUT);
    int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    irra_linear_packed(one, f.x, &f.P, f.b, N, 0);
    omp_set_num_threads(2);
    irra_linear_packed(f.y, f.x, &f.P, f.b, N, 0);
    omp_set_num_threads(threads);
    EXPECT(memcmp(one, f.y, sizeof(float) * N * OUT) == 0);
    free(one), drop(&f);
}

int main(void)
{
    RUN(test_packed_product_matches_reference_on_edge_shapes);
    RUN(test_packed_product_accumulates_into_y);
    RUN(test_packed_slice_is_those_output_rows);
    RUN(test_packed_product_is_the_same_on_one_and_two_threads);
    return DONE();
}
