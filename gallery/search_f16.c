/* Search over a half-precision copy of the features, exact by bounds. At 1M x 512 the fp32
 * matrix is 2 GB and a query is bound by memory bandwidth; the fp16 copy halves that. For row i
 * with fp32 feature f and fp16 copy h, and a unit query q:
 *   |q.f - q.h| <= |f - h| = err_i                      (Cauchy-Schwarz; stored per row)
 * and the fp32 sum of the fp16 products is within d * 2^-24 * |q| |h| of their real sum (taken
 * twice for safety), so with margin_i = |q| (err_i + 2 d 2^-24 |h_i|) a row whose fp16 score plus
 * its margin stays below k other rows' fp16 scores minus theirs cannot be in the top k. The
 * survivors are scored again from the fp32 features, accumulating in double. */
#include "gallery/search.h"

#include "model/cpu.h"

#include <immintrin.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 8192

struct gal_search_accel {
    int n, dim;
    uint16_t *h; /* [n, dim] IEEE half */
    float *bound; /* [n] |f_i - h_i| + 2 d 2^-24 |h_i|: the margin for a unit query */
};

#define AVX2 __attribute__((target("avx2,fma,f16c")))

static int cpu_ok(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && irra_cpu_has_f16c();
}

/* Converts one row to half (round to nearest even) and returns its score margin. */
AVX2 static float to_half(const float *f, uint16_t *h, int dim)
{
    double e = 0, n = 0;
    int d = 0;
    for (; d + 8 <= dim; d += 8)
        _mm_storeu_si128((__m128i *)(h + d), _mm256_cvtps_ph(_mm256_loadu_ps(f + d), 0));
    for (; d < dim; d++) h[d] = _cvtss_sh(f[d], 0);
    for (d = 0; d < dim; d++) {
        double x = (double)f[d] - (double)_cvtsh_ss(h[d]);
        e += x * x;
        n += (double)_cvtsh_ss(h[d]) * _cvtsh_ss(h[d]);
    }
    return (float)((sqrt(e) + 2.0 * dim * ldexp(1.0, -24) * sqrt(n)) * 1.01);
}

/* scores[r] = h[r] . q for rows [0, rows) */
AVX2 static void score_rows(const uint16_t *h, int rows, int dim, const float *q, float *scores)
{
    for (int r = 0; r < rows; r++) {
        const uint16_t *row = h + (size_t)r * dim;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        int d = 0;
        for (; d + 16 <= dim; d += 16) {
            __m256 x0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + d)));
            __m256 x1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + d + 8)));
            a0 = _mm256_fmadd_ps(x0, _mm256_loadu_ps(q + d), a0);
            a1 = _mm256_fmadd_ps(x1, _mm256_loadu_ps(q + d + 8), a1);
        }
        __m256 a = _mm256_add_ps(a0, a1);
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        s = _mm_hadd_ps(s, s);
        s = _mm_hadd_ps(s, s);
        float t = _mm_cvtss_f32(s);
        for (; d < dim; d++) t += _cvtsh_ss(row[d]) * q[d];
        scores[r] = t;
    }
}

gal_search_accel *gal_search_accel_new(const gal_index *ix)
{
    if (!cpu_ok() || ix->n <= 0 || ix->dim <= 0) return NULL;
    gal_search_accel *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->n = ix->n;
    a->dim = ix->dim;
    a->h = malloc((size_t)ix->n * ix->dim * sizeof *a->h);
    a->bound = malloc((size_t)ix->n * sizeof *a->bound);
    if (!a->h || !a->bound) {
        gal_search_accel_free(a);
        return NULL;
    }
#pragma omp parallel for schedule(static)
    for (int i = 0; i < ix->n; i++)
        a->bound[i] = to_half(ix->feat + (size_t)i * ix->dim, a->h + (size_t)i * ix->dim, ix->dim);
    return a;
}

void gal_search_accel_free(gal_search_accel *a)
{
    if (!a) return;
    free(a->h);
    free(a->bound);
    free(a);
}

typedef struct {
    int *idx;
    int n, cap;
} cands;

static int cands_add(cands *c, int i)
{
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 256;
        int *p = realloc(c->idx, (size_t)cap * sizeof *p);
        if (!p) return -1;
        c->idx = p;
        c->cap = cap;
    }
    c->idx[c->n++] = i;
    return 0;
}

/* One thread's pass over its chunks: a heap of the k best lower bounds, and every row whose
 * upper bound reached the heap's worst at the time (the final threshold is only higher). */
static int scan(const gal_search_accel *a, const float *q, float qn, int c0, int c1,
                float *scores, gal_topk *lo, cands *c)
{
    for (int ch = c0; ch < c1; ch++) {
        int r0 = ch * CHUNK, r1 = r0 + CHUNK < a->n ? r0 + CHUNK : a->n;
        score_rows(a->h + (size_t)r0 * a->dim, r1 - r0, a->dim, q, scores);
        for (int i = 0; i < r1 - r0; i++) {
            float m = a->bound[r0 + i] * qn;
            if (lo->n == lo->k && scores[i] + m < lo->h[0].score) continue;
            gal_topk_push(lo, (gal_hit){r0 + i, scores[i] - m});
            if (cands_add(c, r0 + i)) return -1;
        }
    }
    return 0;
}

int gal_search_accel_run(const gal_search_accel *a, const gal_index *ix, const float *query, int k,
                         gal_hit *out)
{
    if (k > ix->n) k = ix->n;
    if (k <= 0) return 0;
    int dim = ix->dim, nchunks = (ix->n + CHUNK - 1) / CHUNK, nt = omp_get_max_threads();
    if (nt > nchunks) nt = nchunks;
    double qq = 0;
    for (int d = 0; d < dim; d++) qq += (double)query[d] * query[d];
    float qn = (float)(sqrt(qq) * 1.0001);
    gal_hit *heaps = malloc((size_t)nt * k * sizeof *heaps);
    float *scores = malloc((size_t)nt * CHUNK * sizeof *scores);
    cands *c = calloc((size_t)nt, sizeof *c);
    int failed = !heaps || !scores || !c;
    if (!failed) {
#pragma omp parallel num_threads(nt)
        {
            int tid = omp_get_thread_num(), got = omp_get_num_threads();
            int per = (nchunks + got - 1) / got, c0 = tid * per;
            int c1 = c0 + per < nchunks ? c0 + per : nchunks;
            gal_topk lo = {heaps + (size_t)tid * k, 0, k};
            if (c0 < c1 && scan(a, query, qn, c0, c1, scores + (size_t)tid * CHUNK, &lo, &c[tid])) {
#pragma omp atomic write
                failed = 1;
            }
        }
    }
    /* Every row of the true top k is a candidate of its thread: score them exactly. */
    gal_topk best = {out, 0, k};
    for (int t = 0; !failed && t < nt; t++)
        for (int j = 0; j < c[t].n; j++) {
            const float *f = ix->feat + (size_t)c[t].idx[j] * dim;
            double s = 0;
            for (int d = 0; d < dim; d++) s += (double)f[d] * query[d];
            gal_topk_push(&best, (gal_hit){c[t].idx[j], (float)s});
        }
    for (int t = 0; c && t < nt; t++) free(c[t].idx);
    free(c);
    free(heaps);
    free(scores);
    if (failed) return gal_search(ix, query, k, out);
    gal_topk_sort(&best);
    return best.n;
}
