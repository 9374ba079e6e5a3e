/* Each op of model/ops.c against a naive double-precision C reference on small random inputs,
 * and config inference on hand-built tensor sets. */
#include "model/blas.h"
#include "model/config.h"
#include "model/ops.h"
#include "tests/check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 12345;
static float frand(void) /* uniform in [-1, 1) */
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}
static void fill(float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++) x[i] = scale * frand();
}

static void test_layernorm_matches_definition(void)
{
    enum { N = 7, C = 33 };
    float x[N * C], w[C], b[C], y[N * C];
    fill(x, N * C, 3.0f), fill(w, C, 1.0f), fill(b, C, 1.0f);
    for (int i = 0; i < C; i++) x[i] += 100.0f; /* a large mean must not hurt precision */
    irra_layernorm(y, x, w, b, N, C);
    for (int i = 0; i < N; i++) {
        double mean = 0, var = 0;
        for (int c = 0; c < C; c++) mean += x[i * C + c];
        mean /= C;
        for (int c = 0; c < C; c++) var += (x[i * C + c] - mean) * (x[i * C + c] - mean);
        var /= C; /* biased, as nn.LayerNorm */
        for (int c = 0; c < C; c++) {
            double want = (x[i * C + c] - mean) / sqrt(var + 1e-5) * w[c] + b[c];
            EXPECT_CLOSE(y[i * C + c], want, 1e-5, 1e-5);
        }
    }
}

static void test_layernorm_in_place(void)
{
    enum { N = 3, C = 16 };
    float x[N * C], w[C], b[C], y[N * C];
    fill(x, N * C, 1.0f), fill(w, C, 1.0f), fill(b, C, 1.0f);
    irra_layernorm(y, x, w, b, N, C);
    irra_layernorm(x, x, w, b, N, C);
    EXPECT(memcmp(x, y, sizeof x) == 0);
}

/* irra_expf against libm's exp in double over the range QuickGELU and softmax feed it, and its
 * clamped tails: relative error under 3e-7, about 2 ulp (documented in ops.h), exact 0-ish below -87. */
static void test_expf_relative_error(void)
{
    double worst = 0;
    for (float x = -87.0f; x <= 88.0f; x += 0.001953125f) {
        double want = exp((double)x), got = irra_expf(x);
        double rel = fabs(got - want) / want;
        worst = rel > worst ? rel : worst;
    }
    EXPECTF(worst < 3e-7, "worst relative error %.3g", worst);
    EXPECT(irra_expf(-1000.0f) < 1e-37f);
    EXPECT(irra_expf(0.0f) == 1.0f);
}

static void test_quick_gelu_values(void)
{
    /* x * sigmoid(1.702 x): 0 -> 0, 1 -> 1/(1+e^-1.702) = 0.8457958, -1 -> -1/(1+e^1.702) = -0.1542042 */
    float x[3] = {0.0f, 1.0f, -1.0f};
    irra_quick_gelu(x, 3);
    EXPECT_CLOSE(x[0], 0.0, 1e-7, 0);
    EXPECT_CLOSE(x[1], 0.8457958, 1e-6, 0);
    EXPECT_CLOSE(x[2], -0.1542042, 1e-6, 0);
}

static void test_softmax_sums_to_one_and_masks_tail(void)
{
    float x[6] = {1.0f, 2.0f, 3.0f, 50.0f, -7.0f, 9.0f};
    irra_softmax_row(x, 3, 6);
    double z = exp(1) + exp(2) + exp(3);
    EXPECT_CLOSE(x[0], exp(1) / z, 1e-7, 1e-6);
    EXPECT_CLOSE(x[2], exp(3) / z, 1e-7, 1e-6);
    EXPECT(x[3] == 0.0f && x[4] == 0.0f && x[5] == 0.0f);
    float big[2] = {1000.0f, 1000.0f}; /* max subtraction keeps exp finite */
    irra_softmax_row(big, 2, 2);
    EXPECT_CLOSE(big[0], 0.5, 1e-7, 0);
}

static void naive_gemm(int M, int N, int K, const float *A, const float *B, int bt, double *C)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) s += (double)A[i * K + k] * (bt ? B[j * K + k] : B[k * N + j]);
            C[i * N + j] = s;
        }
}

static void test_gemm_both_layouts(void)
{
    enum { M = 5, N = 7, K = 9 };
    float A[M * K], B[N * K], C[M * N];
    double want[M * N];
    fill(A, M * K, 1.0f), fill(B, N * K, 1.0f);
    for (int bt = 0; bt < 2; bt++) {
        irra_gemm(M, N, K, 1.0f, A, K, B, bt ? K : N, bt, 0.0f, C, N);
        naive_gemm(M, N, K, A, B, bt, want);
        for (int i = 0; i < M * N; i++) EXPECT_CLOSE(C[i], want[i], 1e-5, 1e-5);
    }
}

static void test_linear_bias_and_accumulate(void)
{
    enum { N = 4, IN = 6, OUT = 3 };
    float x[N * IN], W[OUT * IN], b[OUT], y[N * OUT], acc[N * OUT];
    double want[N * OUT];
    fill(x, sizeof x / 4, 1.0f), fill(W, sizeof W / 4, 1.0f), fill(b, OUT, 1.0f), fill(acc, N * OUT, 1.0f);
    memcpy(y, acc, sizeof y);
    irra_linear(y, x, W, b, N, IN, OUT, 1);
    naive_gemm(N, OUT, IN, x, W, 1, want);
    for (int i = 0; i < N * OUT; i++) EXPECT_CLOSE(y[i], acc[i] + want[i] + b[i % OUT], 1e-5, 1e-5);
    irra_linear(y, x, W, NULL, N, IN, OUT, 0);
    for (int i = 0; i < N * OUT; i++) EXPECT_CLOSE(y[i], want[i], 1e-5, 1e-5);
}

/* softmax(q_h k_h^T / sqrt(hd) + mask) v_h for sequence s, head h, in double. */
static void naive_attention(double *o, const float *q, const float *k, const float *v, int tq,
                            int tk, int H, int hd, int causal, double *avg)
{
    int C = H * hd;
    double p[64];
    for (int h = 0; h < H; h++)
        for (int i = 0; i < tq; i++) {
            double mx = -1e300, z = 0;
            for (int j = 0; j < tk; j++) {
                double s = 0;
                for (int d = 0; d < hd; d++) s += (double)q[i * C + h * hd + d] * k[j * C + h * hd + d];
                p[j] = (causal && j > i) ? -INFINITY : s / sqrt(hd);
                mx = p[j] > mx ? p[j] : mx;
            }
            for (int j = 0; j < tk; j++) z += (p[j] = exp(p[j] - mx));
            for (int d = 0; d < hd; d++) {
                double s = 0;
                for (int j = 0; j < tk; j++) s += p[j] / z * v[j * C + h * hd + d];
                o[i * C + h * hd + d] = s;
            }
            for (int j = 0; avg && j < tk; j++) avg[i * tk + j] += p[j] / z / H;
        }
}

static void check_attention(int causal, int with_weights)
{
    enum { S = 3, TQ = 5, TK = 7, H = 2, HD = 4, C = H * HD };
    int tk = causal ? TQ : TK;
    float q[S * TQ * C], k[S * TK * C], v[S * TK * C], o[S * TQ * C], w[S * TQ * TK];
    fill(q, sizeof q / 4, 2.0f), fill(k, sizeof k / 4, 2.0f), fill(v, sizeof v / 4, 1.0f);
    int qo[S] = {0, TQ, 2 * TQ}, ql[S] = {TQ, TQ, TQ}, ko[S] = {0, tk, 2 * tk}, kl[S] = {tk, tk, tk};
    irra_seqs qs = {S, qo, ql}, ks = {S, ko, kl};
    EXPECT(irra_attention(o, C, q, C, k, C, v, C, &qs, &ks, H, HD, causal, with_weights ? w : NULL, NULL) == 0);
    for (int s = 0; s < S; s++) {
        double want[TQ * C], avg[TQ * TK] = {0};
        naive_attention(want, q + s * TQ * C, k + s * tk * C, v + s * tk * C, TQ, tk, H, HD, causal, avg);
        for (int i = 0; i < TQ * C; i++) EXPECT_CLOSE(o[s * TQ * C + i], want[i], 1e-5, 1e-5);
        for (int i = 0; with_weights && i < TQ * tk; i++)
            EXPECT_CLOSE(w[s * TQ * tk + i], avg[i], 1e-6, 1e-5);
    }
}

static void test_attention_unmasked(void) { check_attention(0, 0); }
static void test_attention_causal(void) { check_attention(1, 0); }
static void test_attention_head_averaged_weights(void) { check_attention(0, 1); }

static void test_attention_ragged_sequences(void)
{
    /* Two sequences of different lengths packed back to back, as the text tower packs them. */
    enum { H = 1, HD = 3 };
    float x[9 * HD], o[9 * HD];
    fill(x, sizeof x / 4, 1.0f);
    int off[2] = {0, 4}, len[2] = {4, 5};
    irra_seqs sq = {2, off, len};
    EXPECT(irra_attention(o, HD, x, HD, x, HD, x, HD, &sq, &sq, H, HD, 1, NULL, NULL) == 0);
    double want[5 * HD];
    naive_attention(want, x + 4 * HD, x + 4 * HD, x + 4 * HD, 5, 5, H, HD, 1, NULL);
    for (int i = 0; i < 5 * HD; i++) EXPECT_CLOSE(o[4 * HD + i], want[i], 1e-6, 1e-5);
}

/* A tensor set holding only shapes (config inference never reads data): a 2-layer CLIP of
 * width 128 with a 13-row visual positional table, i.e. a 48x16 image at patch 8 stride 8. */
static irra_tensor fake[32];
static int nfake;
static void add(const char *name, int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3)
{
    irra_tensor *t = &fake[nfake++];
    memset(t, 0, sizeof *t);
    t->name = (char *)name, t->dtype = IRRA_F32, t->ndim = ndim;
    int64_t d[4] = {d0, d1, d2, d3};
    for (int i = 0; i < ndim; i++) t->shape[i] = d[i];
}
static irra_tensors fake_set(void)
{
    nfake = 0;
    add("base_model.text_projection", 2, 128, 64, 0, 0);
    add("base_model.positional_embedding", 2, 16, 128, 0, 0);
    add("base_model.token_embedding.weight", 2, 600, 128, 0, 0);
    add("base_model.ln_final.weight", 1, 128, 0, 0, 0);
    add("base_model.visual.conv1.weight", 4, 192, 3, 8, 8);
    add("base_model.visual.positional_embedding", 2, 13, 192, 0, 0);
    add("base_model.visual.transformer.resblocks.0.attn.in_proj_weight", 2, 576, 192, 0, 0);
    add("base_model.visual.transformer.resblocks.1.attn.in_proj_weight", 2, 576, 192, 0, 0);
    add("base_model.transformer.resblocks.0.attn.in_proj_weight", 2, 384, 128, 0, 0);
    irra_tensors ts = {.t = fake, .n = nfake, .path = (char *)"fake.pth"};
    return ts;
}

static void test_config_from_shapes(void)
{
    irra_tensors ts = fake_set();
    irra_open_opts o = {.img_h = 48, .img_w = 16, .stride = 8};
    irra_config c;
    irra_err e = {{0}};
    EXPECTF(irra_config_infer(&c, &ts, &o, &e) == 0, "%s", e.msg);
    EXPECT(c.embed_dim == 64 && c.v_width == 192 && c.v_heads == 3 && c.v_layers == 2);
    EXPECT(c.patch == 8 && c.grid_h == 6 && c.grid_w == 2 && c.v_tokens == 13);
    EXPECT(c.t_width == 128 && c.t_heads == 2 && c.t_layers == 1);
    EXPECT(c.context == 16 && c.vocab == 600 && !c.has_mlm && c.num_classes == 0);
}

static void test_config_pos_table_misfit_names_both_sizes(void)
{
    irra_tensors ts = fake_set();
    irra_open_opts o = {.img_h = 40, .img_w = 16, .stride = 8}; /* 5x2 grid: 11 tokens */
    irra_config c;
    irra_err e = {{0}};
    EXPECT(irra_config_infer(&c, &ts, &o, &e) == -1);
    EXPECTF(strstr(e.msg, "13") && strstr(e.msg, "11") && strstr(e.msg, "fake.pth"), "%s", e.msg);
}

static void test_config_default_geometry_is_384x128(void)
{
    irra_tensors ts = fake_set(); /* 13 rows cannot be the default 24x8 grid */
    irra_config c;
    irra_err e = {{0}};
    EXPECT(irra_config_infer(&c, &ts, NULL, &e) == -1);
    EXPECTF(strstr(e.msg, "193") && strstr(e.msg, "13 rows"), "%s", e.msg);
}

int main(void)
{
    RUN(test_layernorm_matches_definition);
    RUN(test_layernorm_in_place);
    RUN(test_expf_relative_error);
    RUN(test_quick_gelu_values);
    RUN(test_softmax_sums_to_one_and_masks_tail);
    RUN(test_gemm_both_layouts);
    RUN(test_linear_bias_and_accumulate);
    RUN(test_attention_unmasked);
    RUN(test_attention_causal);
    RUN(test_attention_head_averaged_weights);
    RUN(test_attention_ragged_sequences);
    RUN(test_config_from_shapes);
    RUN(test_config_pos_table_misfit_names_both_sizes);
    RUN(test_config_default_geometry_is_384x128);
    return DONE();
}
