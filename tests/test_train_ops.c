/* Every training backward against central finite differences of its forward. The objective is
 * L = sum(r * y) for a fixed random r (so dy = r), accumulated in double; each coordinate of
 * each input moves by +-h (h = 1e-2, 2e-3 for the long chains) and (L+ - L-) / 2h must match the
 * analytic gradient within 2e-3 + 2e-2 |g| (float forward rounding over 2h is ~1e-5). Shapes are
 * odd on purpose (widths not multiples of 8, ragged sequences, one head or three). */
#include "model/cpu.h"
#include "model/ops.h"
#include "model/tensors.h"
#include "tests/check.h"
#include "train/block_train.h"
#include "train/init.h"
#include "train/losses.h"
#include "train/params.h"
#include "train/trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 777;
static float frand(void) /* uniform in [-1, 1) */
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (float)((rng_state >> 8) & 0xffff) / 32768.0f - 1.0f;
}
static float *rnd(size_t n, float scale)
{
    float *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) x[i] = scale * frand();
    return x;
}
static float *zeros(size_t n) { return calloc(n, sizeof(float)); }

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* The forward under test, returning L. */
typedef double (*objective)(void *ctx);

/* Compares g[n] with finite differences of f over x[n] (every coordinate, or 40 spread ones). */
static double check_grad(const char *what, objective f, void *ctx, float *x, const float *g,
                         size_t n, float h)
{
    size_t step = n <= 40 ? 1 : n / 40;
    double worst = 0;
    for (size_t i = 0; i < n; i += step) {
        float keep = x[i];
        x[i] = keep + h;
        double lp = f(ctx);
        x[i] = keep - h;
        double lm = f(ctx);
        x[i] = keep;
        double fd = (lp - lm) / (2.0 * h), err = fabs(fd - g[i]);
        double tol = 2e-3 + 2e-2 * fabs(g[i]);
        if (err / tol > worst) worst = err / tol;
        EXPECTF(err <= tol, "%s[%zu]: finite difference %.6g, backward %.6g", what, i, fd, g[i]);
        if (err > tol) break;
    }
    return worst;
}

/* ---- LayerNorm -------------------------------------------------------------------------- */
typedef struct {
    int N, C;
    float *x, *w, *b, *y, *r;
} ln_ctx;

static double ln_obj(void *p)
{
    ln_ctx *c = p;
    irra_layernorm(c->y, c->x, c->w, c->b, c->N, c->C);
    return dot(c->y, c->r, (size_t)c->N * c->C);
}

static void test_layernorm_backward_matches_finite_differences(void)
{
    ln_ctx c = {.N = 5, .C = 13};
    size_t nc = (size_t)c.N * c.C;
    c.x = rnd(nc, 2.0f), c.w = rnd(c.C, 1.0f), c.b = rnd(c.C, 1.0f), c.y = zeros(nc), c.r = rnd(nc, 1.0f);
    float *mean = zeros(c.N), *rstd = zeros(c.N), *dx = zeros(nc), *dw = zeros(c.C), *db = zeros(c.C);
    irra_layernorm_stats(c.y, mean, rstd, c.x, c.w, c.b, c.N, c.C);
    irra_layernorm_backward(dx, dw, db, c.r, c.x, mean, rstd, c.w, c.N, c.C);
    check_grad("ln.x", ln_obj, &c, c.x, dx, nc, 1e-2f);
    check_grad("ln.w", ln_obj, &c, c.w, dw, c.C, 1e-2f);
    check_grad("ln.b", ln_obj, &c, c.b, db, c.C, 1e-2f);
    free(c.x), free(c.w), free(c.b), free(c.y), free(c.r);
    free(mean), free(rstd), free(dx), free(dw), free(db);
}

/* ---- QuickGELU -------------------------------------------------------------------------- */
typedef struct {
    size_t n;
    float *x, *y, *r;
} gelu_ctx;

static double gelu_obj(void *p)
{
    gelu_ctx *c = p;
    memcpy(c->y, c->x, c->n * sizeof *c->y);
    irra_quick_gelu(c->y, c->n);
    return dot(c->y, c->r, c->n);
}

static void test_quick_gelu_backward_matches_finite_differences(void)
{
    gelu_ctx c = {.n = 37};
    c.x = rnd(c.n, 4.0f), c.y = zeros(c.n), c.r = rnd(c.n, 1.0f);
    float *dx = zeros(c.n);
    irra_quick_gelu_backward(dx, c.x, c.r, c.n);
    check_grad("gelu.x", gelu_obj, &c, c.x, dx, c.n, 1e-2f);
    free(c.x), free(c.y), free(c.r), free(dx);
}

/* ---- Linear ----------------------------------------------------------------------------- */
typedef struct {
    int N, in, out;
    float *x, *W, *b, *y, *r;
} lin_ctx;

static double lin_obj(void *p)
{
    lin_ctx *c = p;
    irra_linear(c->y, c->x, c->W, c->b, c->N, c->in, c->out, 0);
    return dot(c->y, c->r, (size_t)c->N * c->out);
}

static void test_linear_backward_matches_finite_differences(void)
{
    lin_ctx c = {.N = 7, .in = 11, .out = 5};
    c.x = rnd((size_t)c.N * c.in, 1.0f), c.W = rnd((size_t)c.out * c.in, 1.0f);
    c.b = rnd(c.out, 1.0f), c.y = zeros((size_t)c.N * c.out), c.r = rnd((size_t)c.N * c.out, 1.0f);
    float *dx = zeros((size_t)c.N * c.in), *dW = zeros((size_t)c.out * c.in), *db = zeros(c.out);
    irra_linear_backward(dx, dW, db, c.r, c.x, c.W, c.N, c.in, c.out);
    check_grad("linear.x", lin_obj, &c, c.x, dx, (size_t)c.N * c.in, 1e-2f);
    check_grad("linear.W", lin_obj, &c, c.W, dW, (size_t)c.out * c.in, 1e-2f);
    check_grad("linear.b", lin_obj, &c, c.b, db, c.out, 1e-2f);
    free(c.x), free(c.W), free(c.b), free(c.y), free(c.r), free(dx), free(dW), free(db);
}

/* Backward accumulates: a second call adds the same gradient again (fan-out needs no case). */
static void test_linear_backward_accumulates(void)
{
    enum { N = 3, IN = 4, OUT = 5 };
    float *x = rnd(N * IN, 1), *W = rnd(OUT * IN, 1), *dy = rnd(N * OUT, 1);
    float *dx = zeros(N * IN), *dW = zeros(OUT * IN), *db = zeros(OUT);
    irra_linear_backward(dx, dW, db, dy, x, W, N, IN, OUT);
    float once = dW[7], onceb = db[2], oncex = dx[5];
    irra_linear_backward(dx, dW, db, dy, x, W, N, IN, OUT);
    EXPECT_CLOSE(dW[7], 2 * once, 1e-6, 1e-6);
    EXPECT_CLOSE(db[2], 2 * onceb, 1e-6, 1e-6);
    EXPECT_CLOSE(dx[5], 2 * oncex, 1e-6, 1e-6);
    free(x), free(W), free(dy), free(dx), free(dW), free(db);
}

/* ---- attention -------------------------------------------------------------------------- */
typedef struct {
    irra_seqs qs, ks;
    int H, hd, causal, ldq, ldk, nq, nk;
    float *q, *k, *v, *o, *r, *probs;
} att_ctx;

static double att_obj(void *p)
{
    att_ctx *c = p;
    int E = c->H * c->hd;
    irra_attention(c->o, E, c->q, c->ldq, c->k, c->ldk, c->v, c->ldk, &c->qs, &c->ks, c->H, c->hd,
                   c->causal, NULL, c->probs);
    return dot(c->o, c->r, (size_t)c->nq * E);
}

/* q rows [nq, ldq], k and v [nk, ldk] as column slices of wider rows (strides), ragged. */
static void check_attention(const int *qoff, const int *qlen, const int *koff, const int *klen,
                            int S, int nq, int nk, int H, int hd, int causal)
{
    int E = H * hd, qmax = 0, kmax = 0;
    for (int s = 0; s < S; s++) qmax = qlen[s] > qmax ? qlen[s] : qmax, kmax = klen[s] > kmax ? klen[s] : kmax;
    att_ctx c = {.qs = {S, qoff, qlen}, .ks = {S, koff, klen}, .H = H, .hd = hd, .causal = causal, .ldq = E + 3, .ldk = 2 * E + 1, .nq = nq, .nk = nk};
    float *q = rnd((size_t)nq * c.ldq, 1.5f), *kv = rnd((size_t)nk * c.ldk, 1.5f);
    c.q = q, c.k = kv, c.v = kv + E;
    c.o = zeros((size_t)nq * E), c.r = rnd((size_t)nq * E, 1.0f);
    c.probs = zeros((size_t)S * H * qmax * kmax);
    float *dq = zeros((size_t)nq * c.ldq), *dkv = zeros((size_t)nk * c.ldk);
    att_obj(&c);
    EXPECT(irra_attention_backward(dq, dkv, dkv + E, c.r, E, c.q, c.ldq, c.k, c.ldk, c.v, c.ldk,
                                   c.probs, &c.qs, &c.ks, H, hd) == 0);
    check_grad("attention.q", att_obj, &c, q, dq, (size_t)nq * c.ldq, 1e-2f);
    check_grad("attention.kv", att_obj, &c, kv, dkv, (size_t)nk * c.ldk, 1e-2f);
    free(q), free(kv), free(c.o), free(c.r), free(c.probs), free(dq), free(dkv);
}

static void test_attention_backward_matches_finite_differences(void)
{
    int off[2] = {0, 3}, len[2] = {3, 5}; /* two ragged sequences, self attention */
    check_attention(off, len, off, len, 2, 8, 8, 3, 2, 0);
}

static void test_causal_attention_backward_matches_finite_differences(void)
{
    int off[2] = {0, 4}, len[2] = {4, 4};
    check_attention(off, len, off, len, 2, 8, 8, 1, 5, 1);
}

static void test_cross_attention_backward_matches_finite_differences(void)
{
    int qoff[2] = {0, 3}, qlen[2] = {3, 3}, koff[2] = {0, 5}, klen[2] = {5, 5}; /* text x image */
    check_attention(qoff, qlen, koff, klen, 2, 6, 10, 2, 3, 0);
}

/* ---- a stack of blocks (residuals, both LayerNorms, MLP, attention in one) --------------- */
typedef struct {
    irra_stack st;
    irra_block_w *w;
    float *in, *r;
    size_t n;
} stack_ctx;

static double stack_obj(void *p)
{
    stack_ctx *c = p;
    memcpy(c->st.blk[0].x, c->in, c->n * sizeof *c->in);
    irra_stack_forward(&c->st, c->w, NULL);
    return dot(c->st.out, c->r, c->n);
}

static void test_block_stack_backward_matches_finite_differences(void)
{
    enum { B = 2, T = 3, C = 12, H = 2, L = 2 }; /* two heads of width 6 */
    stack_ctx c = {0};
    for (int causal = 0; causal < 2; causal++) {
        EXPECT(irra_stack_init(&c.st, B, T, C, H, L, causal, NULL) == 0);
        irra_arena a = {0};
        irra_stack_carve(&c.st, &a);
        float *mem = zeros(a.used);
        a = (irra_arena){mem, 0};
        irra_stack_carve(&c.st, &a);
        /* parameters: one flat buffer per block, 12 tensors of the template */
        size_t sizes[12] = {3 * C * C, 3 * C, C * C, C, C, C, 4 * C * C, 4 * C, 4 * C * C, C, C, C};
        irra_block_w w[L], g[L];
        float *pw[L][12], *pg[L][12];
        for (int l = 0; l < L; l++)
            for (int k = 0; k < 12; k++) {
                pw[l][k] = rnd(sizes[k], k == 4 || k == 10 ? 0.2f : 0.4f);
                if (k == 4 || k == 10)
                    for (size_t i = 0; i < sizes[k]; i++) pw[l][k][i] += 1.0f; /* LN weights ~1 */
                pg[l][k] = zeros(sizes[k]);
            }
        for (int l = 0; l < L; l++) {
            const float **f = (const float **)&w[l], **fg = (const float **)&g[l];
            for (int k = 0; k < 12; k++) f[k] = pw[l][k], fg[k] = pg[l][k];
        }
        c.w = w, c.n = (size_t)B * T * C, c.in = rnd(c.n, 1.0f), c.r = rnd(c.n, 1.0f);
        float *dy = malloc(c.n * sizeof *dy);
        stack_obj(&c);
        memcpy(dy, c.r, c.n * sizeof *dy);
        EXPECT(irra_stack_backward(&c.st, w, g, dy, NULL) == 0);
        check_grad("stack.x", stack_obj, &c, c.in, dy, c.n, 2e-3f);
        for (int k = 0; k < 12; k++) check_grad("stack.param", stack_obj, &c, pw[0][k], pg[0][k], sizes[k], 2e-3f);
        for (int l = 0; l < L; l++)
            for (int k = 0; k < 12; k++) free(pw[l][k]), free(pg[l][k]);
        free(mem), free(c.in), free(c.r), free(dy);
        irra_stack_free(&c.st);
    }
}

/* ---- losses ----------------------------------------------------------------------------- */
typedef struct {
    int B, E, K, which; /* 0 sdm, 1 itc, 2 id */
    const int *pids;
    float *f, *g, *W, *b;
} loss_ctx;

static double loss_obj(void *p)
{
    loss_ctx *c = p;
    size_t be = (size_t)c->B * c->E;
    float *df = zeros(be), *dg = zeros(be), *dW = zeros((size_t)c->K * c->E + 1), *db = zeros(c->K + 1);
    double acc1, acc2, l = c->which == 0 ? irra_sdm_loss(c->f, c->g, c->pids, c->B, c->E, 50, df, dg)
                           : c->which == 1 ? irra_itc_loss(c->f, c->g, c->B, c->E, 50, df, dg)
                                           : irra_id_loss(c->f, c->g, c->pids, c->B, c->E, c->W, c->b,
                                                          c->K, 0.7, df, dg, dW, db, &acc1, &acc2);
    free(df), free(dg), free(dW), free(db);
    return l;
}

static void check_loss(int which, float h)
{
    int pids[5] = {3, 1, 3, 0, 1}; /* repeats: SDM positives off the diagonal */
    loss_ctx c = {.B = 5, .E = 7, .K = 4, .which = which, .pids = pids};
    size_t be = (size_t)c.B * c.E;
    c.f = rnd(be, 1.0f), c.g = rnd(be, 1.0f), c.W = rnd((size_t)c.K * c.E, 1.0f), c.b = rnd(c.K, 1.0f);
    float *df = zeros(be), *dg = zeros(be), *dW = zeros((size_t)c.K * c.E), *db = zeros(c.K);
    double a1, a2;
    if (which == 0) irra_sdm_loss(c.f, c.g, pids, c.B, c.E, 50, df, dg);
    if (which == 1) irra_itc_loss(c.f, c.g, c.B, c.E, 50, df, dg);
    if (which == 2) irra_id_loss(c.f, c.g, pids, c.B, c.E, c.W, c.b, c.K, 0.7, df, dg, dW, db, &a1, &a2);
    if (which < 2) {
        check_grad("loss.f", loss_obj, &c, c.f, df, be, h);
        check_grad("loss.g", loss_obj, &c, c.g, dg, be, h);
    } else {
        /* the features pass an fp16 rounding (a step function): only the classifier's own
         * gradients are smooth; the features' gradient is checked against PyTorch's in
         * tests/test_grad.sh */
        check_grad("id.W", loss_obj, &c, c.W, dW, (size_t)c.K * c.E, h);
        check_grad("id.b", loss_obj, &c, c.b, db, c.K, h);
    }
    free(c.f), free(c.g), free(c.W), free(c.b), free(df), free(dg), free(dW), free(db);
}

static void test_sdm_loss_backward_matches_finite_differences(void) { check_loss(0, 1e-3f); }
static void test_itc_loss_backward_matches_finite_differences(void) { check_loss(1, 1e-3f); }
static void test_id_loss_backward_matches_finite_differences(void) { check_loss(2, 1e-2f); }

/* The SDM value of spec 3.1 on a hand-checked case: two identical unit pairs of one identity
 * and a third of another, orthogonal: every positive row has q = 1/2 on two equal logits. */
static void test_sdm_loss_value_on_a_known_case(void)
{
    float f[6] = {1, 0, 1, 0, 0, 1}, g[6] = {1, 0, 1, 0, 0, 1}, d[6] = {0};
    int pids[3] = {0, 0, 1};
    double l = irra_sdm_loss(f, g, pids, 3, 2, 50, d, d);
    /* rows 0, 1: p = (1/2, 1/2, ~e^-50) vs q = (1/2, 1/2, 0): KL ~ 0; row 2: p = q = e_2 */
    EXPECT_CLOSE(l, 0.0, 1e-6, 0);
}

typedef struct {
    int M, V;
    const int *labels;
    float *z, *tmp;
} ce_ctx;

static double ce_obj(void *p)
{
    ce_ctx *c = p;
    memcpy(c->tmp, c->z, (size_t)c->M * c->V * sizeof *c->z);
    double acc;
    return irra_ce_loss(c->tmp, c->labels, c->M, c->V, 0.9, &acc);
}

static void test_cross_entropy_backward_matches_finite_differences(void)
{
    int labels[3] = {2, 0, 6};
    ce_ctx c = {.M = 3, .V = 7, .labels = labels};
    c.z = rnd(21, 3.0f), c.tmp = zeros(21);
    float *g = malloc(21 * sizeof *g);
    memcpy(g, c.z, 21 * sizeof *g);
    double acc;
    irra_ce_loss(g, labels, 3, 7, 0.9, &acc);
    check_grad("ce.z", ce_obj, &c, c.z, g, 21, 1e-2f);
    free(c.z), free(c.tmp), free(g);
}

/* ---- the whole model -------------------------------------------------------------------- */
/* A tiny IRRA with every module (two text passes, cross attention, MLM head, the embeddings and
 * gathers): every tensor's gradient at a few coordinates against finite differences of the
 * whole training loss (sdm + itc + mlm; id passes an fp16 rounding, see above). */
typedef struct {
    irra_trainer *t;
    irra_train_batch b;
    irra_loss_cfg lc;
    irra_param_buf *g;
} model_ctx;

static double model_obj(void *p)
{
    model_ctx *c = p;
    irra_losses l;
    irra_param_buf_zero(c->g);
    irra_train_step(c->t, &c->b, &c->lc, &l, NULL);
    return l.loss;
}

static void test_whole_model_gradients_match_finite_differences(void)
{
    irra_config cfg = {.embed_dim = 8, .v_width = 12, .v_layers = 1, .v_heads = 2, .patch = 4,
                       .img_h = 12, .img_w = 10, .stride = 3, .grid_h = 3, .grid_w = 3,
                       .v_tokens = 10, .t_width = 8, .t_layers = 2, .t_heads = 1, .context = 6,
                       .vocab = 20, .has_mlm = 1, .cmt_layers = 1, .cmt_heads = 2,
                       .mlm_vocab = 20, .num_classes = 3};
    irra_param_layout L;
    irra_param_buf p, g, g0;
    EXPECT(irra_param_layout_make(&L, &cfg, NULL) == 0);
    EXPECT(irra_param_buf_init(&p, &L, "p", NULL) == 0);
    EXPECT(irra_param_buf_init(&g, &L, "g", NULL) == 0);
    EXPECT(irra_param_buf_init(&g0, &L, "g0", NULL) == 0);
    for (size_t i = 0; i < L.total; i++) p.mem[i] = 0.5f * frand();
    for (int i = 0; i < L.n; i++) /* LayerNorm weights near 1 */
        if (strstr(L.name[i], "ln") && strstr(L.name[i], ".weight"))
            for (size_t k = 0; k < 64 && k < (size_t)L.shape[i][0]; k++) p.mem[L.off[i] + k] += 1.0f;
    int B = 3;
    float *px = rnd((size_t)B * 3 * 12 * 10, 1.0f);
    int pids[3] = {0, 2, 0};
    int32_t cap[18] = {18, 3, 5, 19, 0, 0, 18, 7, 17, 2, 19, 0, 18, 4, 19, 0, 0, 0};
    int32_t mlm[18] = {18, 17, 5, 19, 0, 0, 18, 7, 17, 17, 19, 0, 18, 17, 19, 0, 0, 0};
    int32_t lab[18] = {0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 0};
    model_ctx c = {irra_trainer_new(&p, &g, NULL), {B, px, pids, cap, mlm, lab}, {0}, &g};
    EXPECT(irra_loss_names_parse("sdm+itc+mlm", &c.lc, NULL) == 0);
    irra_losses l;
    EXPECT(irra_train_step(c.t, &c.b, &c.lc, &l, NULL) == 0);
    EXPECT(l.text_passes == 2 && l.mlm_rows == 3);
    memcpy(g0.mem, g.mem, L.total * sizeof *g.mem);
    for (int i = 0; i < L.n; i++) {
        size_t n = 1;
        for (int k = 0; k < L.ndim[i]; k++) n *= (size_t)L.shape[i][k];
        if (!strncmp(L.name[i], "classifier", 10)) continue; /* no id loss here */
        check_grad(L.name[i], model_obj, &c, p.mem + L.off[i], g0.mem + L.off[i], n, 2e-3f);
    }
    irra_trainer_free(c.t);
    irra_param_buf_free(&p), irra_param_buf_free(&g), irra_param_buf_free(&g0);
    irra_param_layout_free(&L);
    free(px);
}


/* ---- initialisation from scratch (spec 4.8, 4.9) ---------------------------------------- */
static void tensor_stats(const irra_param_buf *p, const char *name, double *mean, double *sd,
                         double *maxabs)
{
    int i = irra_param_find(p->L, name);
    EXPECTF(i >= 0, "no tensor %s", name);
    if (i < 0) return;
    size_t n = 1;
    for (int k = 0; k < p->L->ndim[i]; k++) n *= (size_t)p->L->shape[i][k];
    const float *x = p->mem + p->L->off[i];
    double s = 0, s2 = 0, m = 0;
    for (size_t j = 0; j < n; j++) s += x[j], s2 += (double)x[j] * x[j], m = fabs(x[j]) > m ? fabs(x[j]) : m;
    *mean = s / n, *sd = sqrt(s2 / n - (s / n) * (s / n)), *maxabs = m;
}

static void test_initialisation_follows_clip_and_irra(void)
{
    irra_config c = {.embed_dim = 128, .v_width = 192, .v_layers = 2, .v_heads = 3, .patch = 8,
                     .img_h = 32, .img_w = 16, .stride = 8, .grid_h = 4, .grid_w = 2, .v_tokens = 9,
                     .t_width = 128, .t_layers = 3, .t_heads = 2, .context = 16, .vocab = 3000,
                     .has_mlm = 1, .cmt_layers = 2, .cmt_heads = 2, .mlm_vocab = 3000,
                     .num_classes = 50};
    irra_param_layout L;
    irra_param_buf p, q;
    EXPECT(irra_param_layout_make(&L, &c, NULL) == 0);
    EXPECT(irra_param_buf_init(&p, &L, "p", NULL) == 0 && irra_param_buf_init(&q, &L, "q", NULL) == 0);
    irra_init_all(&p, 7);
    struct { const char *name; double sd; int uniform; } want[] = {
        {"base_model.token_embedding.weight", 0.02, 0},
        {"base_model.positional_embedding", 0.01, 0},
        {"base_model.text_projection", 1 / sqrt(128), 0},
        {"base_model.transformer.resblocks.1.attn.in_proj_weight", 1 / sqrt(128), 0},
        {"base_model.transformer.resblocks.1.attn.out_proj.weight", 1 / sqrt(128) / sqrt(6), 0},
        {"base_model.transformer.resblocks.1.mlp.c_fc.weight", 1 / sqrt(256), 0},
        {"base_model.visual.class_embedding", 1 / sqrt(192), 0},
        {"base_model.visual.proj", 1 / sqrt(192), 0},
        {"base_model.visual.transformer.resblocks.0.attn.in_proj_weight", sqrt(6.0 / (4 * 192)), 1},
        {"base_model.visual.transformer.resblocks.0.mlp.c_fc.weight", 1 / sqrt(192), 1},
        {"base_model.visual.transformer.resblocks.0.mlp.c_fc.bias", 1 / sqrt(192), 1},
        {"base_model.visual.conv1.weight", 1 / sqrt(3 * 64), 1},
        {"cross_modal_transformer.resblocks.0.attn.in_proj_weight", 1 / sqrt(128), 0},
        {"cross_modal_transformer.resblocks.0.mlp.c_proj.weight", 1 / sqrt(128) / sqrt(4), 0},
        {"cross_attn.out_proj.weight", 1 / sqrt(128) / sqrt(4), 0},
        {"mlm_head.dense.weight", 1 / sqrt(256), 0},
        {"mlm_head.fc.weight", 1 / sqrt(128) / sqrt(4), 0},
        {"classifier.weight", 0.001, 0},
    };
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        double m, sd, mx;
        tensor_stats(&p, want[k].name, &m, &sd, &mx);
        /* normal: the std; uniform(+-b): std b / sqrt(3) and nothing beyond b */
        double expect = want[k].uniform ? want[k].sd / sqrt(3) : want[k].sd;
        EXPECTF(fabs(sd - expect) <= 0.08 * expect, "%s: std %.5g, expected %.5g", want[k].name, sd, expect);
        EXPECTF(fabs(m) <= 0.1 * expect + 1e-4, "%s: mean %.5g", want[k].name, m);
        if (want[k].uniform) EXPECTF(mx <= want[k].sd, "%s: %.5g beyond the bound %.5g", want[k].name, mx, want[k].sd);
    }
    const char *zero[] = {"classifier.bias", "cross_attn.in_proj_bias", "base_model.visual.ln_pre.bias",
                          "base_model.transformer.resblocks.0.attn.out_proj.bias", "mlm_head.ln.bias"};
    const char *one[] = {"base_model.ln_final.weight", "ln_pre_t.weight", "mlm_head.ln.weight"};
    for (size_t k = 0; k < 5; k++) {
        double m, sd, mx;
        tensor_stats(&p, zero[k], &m, &sd, &mx);
        EXPECTF(mx == 0, "%s is not zero", zero[k]);
    }
    for (size_t k = 0; k < 3; k++) {
        double m, sd, mx;
        tensor_stats(&p, one[k], &m, &sd, &mx);
        EXPECTF(m == 1 && sd == 0, "%s is not all ones", one[k]);
    }
    irra_init_all(&q, 7);
    EXPECT(memcmp(p.mem, q.mem, L.total * sizeof(float)) == 0); /* the seed decides everything */
    irra_init_all(&q, 8);
    EXPECT(memcmp(p.mem, q.mem, L.total * sizeof(float)) != 0);
    irra_param_buf_free(&p), irra_param_buf_free(&q);
    irra_param_layout_free(&L);
}

/* irra_run sets FTZ/DAZ in every OpenMP thread: subnormal results become 0 there. */
static void test_denormals_flush_to_zero_in_every_thread(void)
{
    int bad = 0;
#pragma omp parallel reduction(+ : bad)
    {
        irra_cpu_flush_denormals();
        volatile float tiny = 1e-30f, scale = 1e-10f;
        float x = tiny * scale; /* 1e-40: subnormal, or 0 when flushed */
#if defined(__x86_64__)
        bad += x != 0;
#else
        (void)x;
#endif
    }
    EXPECT(bad == 0);
}

int main(void)
{
    RUN(test_layernorm_backward_matches_finite_differences);
    RUN(test_quick_gelu_backward_matches_finite_differences);
    RUN(test_linear_backward_matches_finite_differences);
    RUN(test_linear_backward_accumulates);
    RUN(test_attention_backward_matches_finite_differences);
    RUN(test_causal_attention_backward_matches_finite_differences);
    RUN(test_cross_attention_backward_matches_finite_differences);
    RUN(test_block_stack_backward_matches_finite_differences);
    RUN(test_sdm_loss_backward_matches_finite_differences);
    RUN(test_sdm_loss_value_on_a_known_case);
    RUN(test_itc_loss_backward_matches_finite_differences);
    RUN(test_id_loss_backward_matches_finite_differences);
    RUN(test_cross_entropy_backward_matches_finite_differences);
    RUN(test_whole_model_gradients_match_finite_differences);
    RUN(test_initialisation_follows_clip_and_irra);
    RUN(test_denormals_flush_to_zero_in_every_thread);
    return DONE();
}
