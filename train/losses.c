#include "train/losses.h"

#include "model/ops.h"
#include "model/tensors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Row-normalised copies of x [B, E] in xn and the norms in nrm (plain division, as the
 * official x / x.norm(dim=1), no epsilon). */
static void normalize(const float *x, int B, int E, double *xn, double *nrm)
{
    for (int i = 0; i < B; i++) {
        double s = 0;
        for (int k = 0; k < E; k++) s += (double)x[(size_t)i * E + k] * x[(size_t)i * E + k];
        nrm[i] = sqrt(s);
        for (int k = 0; k < E; k++) xn[(size_t)i * E + k] = x[(size_t)i * E + k] / nrm[i];
    }
}

/* dx += (dxn - xn (xn . dxn)) / |x|, the backward of x / |x|. */
static void normalize_backward(float *dx, const double *dxn, const double *xn, const double *nrm,
                               int B, int E)
{
    for (int i = 0; i < B; i++) {
        const double *u = xn + (size_t)i * E, *du = dxn + (size_t)i * E;
        double dot = 0;
        for (int k = 0; k < E; k++) dot += u[k] * du[k];
        for (int k = 0; k < E; k++) dx[(size_t)i * E + k] += (float)((du[k] - u[k] * dot) / nrm[i]);
    }
}

/* The cosine similarities of both feature sets, and the path back from dS. */
typedef struct {
    int B, E;
    double *fn, *gn, *nf, *ng, *S, *dS; /* S[i][j] = g^_i . f^_j (text rows, image columns) */
} cosine;

static int cosine_forward(cosine *c, const float *f, const float *g, int B, int E)
{
    size_t be = (size_t)B * E, bb = (size_t)B * B;
    c->B = B, c->E = E;
    c->fn = malloc((2 * be + 2 * B + 2 * bb) * sizeof(double));
    if (!c->fn) return -1;
    c->gn = c->fn + be, c->nf = c->gn + be, c->ng = c->nf + B, c->S = c->ng + B, c->dS = c->S + bb;
    normalize(f, B, E, c->fn, c->nf);
    normalize(g, B, E, c->gn, c->ng);
    memset(c->dS, 0, bb * sizeof(double));
    for (int i = 0; i < B; i++)
        for (int j = 0; j < B; j++) {
            double s = 0;
            for (int k = 0; k < E; k++) s += c->gn[(size_t)i * E + k] * c->fn[(size_t)j * E + k];
            c->S[(size_t)i * B + j] = s;
        }
    return 0;
}

static void cosine_backward(cosine *c, float *df, float *dg)
{
    int B = c->B, E = c->E;
    double *dfn = calloc((size_t)B * E * 2, sizeof(double)), *dgn = dfn + (size_t)B * E;
    if (!dfn) return; /* the caller's cosine_forward buffer was allocated; this one is small */
    for (int i = 0; i < B; i++)
        for (int j = 0; j < B; j++) {
            double d = c->dS[(size_t)i * B + j];
            for (int k = 0; k < E; k++) {
                dgn[(size_t)i * E + k] += d * c->fn[(size_t)j * E + k];
                dfn[(size_t)j * E + k] += d * c->gn[(size_t)i * E + k];
            }
        }
    normalize_backward(df, dfn, c->fn, c->nf, B, E);
    normalize_backward(dg, dgn, c->gn, c->ng, B, E);
    free(dfn);
}

/* log_softmax of z[n] into lp; returns nothing, softmax is exp(lp). */
static void log_softmax(const double *z, int n, double *lp)
{
    double mx = z[0], s = 0;
    for (int j = 1; j < n; j++) mx = z[j] > mx ? z[j] : mx;
    for (int j = 0; j < n; j++) s += exp(z[j] - mx);
    double lse = mx + log(s);
    for (int j = 0; j < n; j++) lp[j] = z[j] - lse;
}

/* One SDM direction over rows of z = scale * (S or S^T): returns mean_i KL_i and adds
 * scale * dKL/dz / B into dS (transposed for i2t). With p = softmax(z), a = log p - log(q + eps):
 * dKL/dz_k = p_k (a_k - sum_j p_j a_j) (spec 4.9). */
static double sdm_direction(cosine *c, const int *pids, double scale, int transpose, double *row)
{
    int B = c->B;
    double *lp = row, *a = row + B, loss = 0;
    for (int i = 0; i < B; i++) {
        int cnt = 0;
        for (int j = 0; j < B; j++) {
            cnt += pids[i] == pids[j];
            row[2 * B + j] = scale * (transpose ? c->S[(size_t)j * B + i] : c->S[(size_t)i * B + j]);
        }
        log_softmax(row + 2 * B, B, lp);
        double kl = 0, pa = 0;
        for (int j = 0; j < B; j++) {
            double q = pids[i] == pids[j] ? 1.0 / cnt : 0.0;
            a[j] = lp[j] - log(q + 1e-8);
            kl += exp(lp[j]) * a[j];
        }
        pa = kl;
        loss += kl;
        for (int j = 0; j < B; j++) {
            double dz = exp(lp[j]) * (a[j] - pa) / B * scale;
            if (transpose) c->dS[(size_t)j * B + i] += dz;
            else c->dS[(size_t)i * B + j] += dz;
        }
    }
    return loss / B;
}

double irra_sdm_loss(const float *f, const float *g, const int *pids, int B, int E, double scale,
                     float *df, float *dg)
{
    cosine c;
    double *row = malloc((size_t)B * 3 * sizeof *row);
    if (!row || cosine_forward(&c, f, g, B, E) < 0) {
        free(row);
        return NAN;
    }
    double loss = sdm_direction(&c, pids, scale, 1, row) + sdm_direction(&c, pids, scale, 0, row);
    cosine_backward(&c, df, dg);
    free(c.fn), free(row);
    return loss;
}

/* Mean CE of rows of z = scale * (S or S^T) against the diagonal; adds its gradient times w. */
static double itc_direction(cosine *c, double scale, int transpose, double w, double *row)
{
    int B = c->B;
    double loss = 0;
    for (int i = 0; i < B; i++) {
        for (int j = 0; j < B; j++)
            row[B + j] = scale * (transpose ? c->S[(size_t)j * B + i] : c->S[(size_t)i * B + j]);
        log_softmax(row + B, B, row);
        loss -= row[i];
        for (int j = 0; j < B; j++) {
            double dz = (exp(row[j]) - (i == j)) / B * scale * w;
            if (transpose) c->dS[(size_t)j * B + i] += dz;
            else c->dS[(size_t)i * B + j] += dz;
        }
    }
    return loss / B;
}

double irra_itc_loss(const float *f, const float *g, int B, int E, double scale, float *df,
                     float *dg)
{
    cosine c;
    double *row = malloc((size_t)B * 2 * sizeof *row);
    if (!row || cosine_forward(&c, f, g, B, E) < 0) {
        free(row);
        return NAN;
    }
    /* logits_per_image = s f^ g^T = (s S)^T: image rows */
    double loss = (itc_direction(&c, scale, 1, 0.5, row) + itc_direction(&c, scale, 0, 0.5, row)) / 2;
    cosine_backward(&c, df, dg);
    free(c.fn), free(row);
    return loss;
}

/* CE of classifier(half(x)) for one modality; adds the gradients times w. z: [B, K] scratch. */
static double id_one(const float *x, const int *pids, int B, int E, const float *W,
                     const float *b, int K, double w, float *dx, float *dW, float *db,
                     double *acc, float *z, float *xh)
{
    for (size_t i = 0; i < (size_t)B * E; i++) xh[i] = irra_f16_to_f32(irra_f32_to_f16(x[i]));
    irra_linear(z, xh, W, b, B, E, K, 0);
    int hits = 0;
    double loss = 0;
    for (int i = 0; i < B; i++) {
        float *zi = z + (size_t)i * K;
        int best = 0;
        for (int c = 1; c < K; c++)
            if (zi[c] > zi[best]) best = c;
        hits += best == pids[i];
        double s = 0;
        for (int c = 0; c < K; c++) s += exp((double)zi[c] - zi[best]);
        double lse = zi[best] + log(s);
        loss += lse - zi[pids[i]];
        for (int c = 0; c < K; c++)
            zi[c] = (float)((exp((double)zi[c] - lse) - (c == pids[i])) / B * w);
    }
    irra_linear_backward(dx, dW, db, z, xh, W, B, E, K);
    *acc = (double)hits / B;
    return loss / B;
}

double irra_id_loss(const float *f, const float *g, const int *pids, int B, int E, const float *W,
                    const float *b, int K, double weight, float *df, float *dg, float *dW,
                    float *db, double *acc_f, double *acc_g)
{
    float *z = malloc(((size_t)B * K + (size_t)B * E) * sizeof *z);
    if (!z) return NAN;
    float *xh = z + (size_t)B * K;
    double l = id_one(f, pids, B, E, W, b, K, weight / 2, df, dW, db, acc_f, z, xh) +
               id_one(g, pids, B, E, W, b, K, weight / 2, dg, dW, db, acc_g, z, xh);
    free(z);
    return l / 2 * weight;
}

double irra_ce_loss(float *logits, const int *labels, int M, int V, double weight, double *acc)
{
    double loss = 0;
    int hits = 0;
    /* softmax through irra_softmax_row (vectorised exp; the libm exp in double cost ~5% of a
     * step over 49408 columns); log-sum-exp from the largest logit's probability, which is at
     * least 1/V and so never underflows: lse = max - log p[argmax]. */
#pragma omp parallel for reduction(+ : loss, hits) schedule(static)
    for (int i = 0; i < M; i++) {
        float *z = logits + (size_t)i * V;
        int best = 0;
        for (int j = 1; j < V; j++)
            if (z[j] > z[best]) best = j;
        double mx = z[best], zl = z[labels[i]];
        irra_softmax_row(z, V, V);
        loss += mx - log((double)z[best]) - zl;
        hits += best == labels[i];
        float s = (float)(weight / M);
        for (int j = 0; j < V; j++) z[j] *= s;
        z[labels[i]] -= s;
    }
    *acc = M ? (double)hits / M : 0;
    return M ? loss / M * weight : 0;
}
