/* tf-idf bags of caption words per identity, an inverted index of the kept words, and for each
 * identity one pass over the postings of its words: the scores of every identity it shares a
 * word with, of which the k best are kept. */
#include "train/neighbours.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int g;
    int32_t t;
} word_of;

static int by_group_then_word(const void *a, const void *b)
{
    const word_of *x = a, *y = b;
    if (x->g != y->g) return x->g < y->g ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

typedef struct {
    int *start;   /* [rows + 1] */
    int *id;      /* a word (bags) or an identity (postings) */
    float *w;
} csr;

static void csr_free(csr *c) { free(c->start), free(c->id), free(c->w); }

/* Every caption word as (identity, word), sorted; returns how many. */
static long words(const int32_t *tokens, const int *group, int n, int ctx, int vocab, word_of **out)
{
    long m = 0;
    word_of *w = malloc((size_t)n * ctx * sizeof *w);
    if (!w) return -1;
    for (int i = 0; i < n; i++)
        for (int j = 1; j < ctx; j++) { /* position 0 is SOT */
            int32_t t = tokens[(size_t)i * ctx + j];
            if (t == vocab - 1) break; /* EOT */
            if (t >= 0 && t < vocab - 3) w[m++] = (word_of){group[i], t};
        }
    qsort(w, (size_t)m, sizeof *w, by_group_then_word);
    *out = w;
    return m;
}

/* The identities' bags over the kept words (rows: identities; ids: words; w: normalised tf-idf)
 * from the sorted (identity, word) list w[m]. */
static int bags(const word_of *w, long m, int vocab, int G, csr *bag)
{
    int *df = calloc((size_t)vocab, sizeof *df);
    bag->start = calloc((size_t)G + 1, sizeof *bag->start);
    bag->id = malloc(((size_t)m + 1) * sizeof *bag->id);
    bag->w = malloc(((size_t)m + 1) * sizeof *bag->w);
    if (!df || !bag->start || !bag->id || !bag->w) return free(df), -1;
    for (long i = 0; i < m; i++)
        if (i == 0 || w[i].g != w[i - 1].g || w[i].t != w[i - 1].t) df[w[i].t]++;
    int nb = 0;
    for (long i = 0, j; i < m; i = j) { /* one distinct (identity, word) a step */
        for (j = i; j < m && w[j].g == w[i].g && w[j].t == w[i].t;) j++;
        if (2L * df[w[i].t] > G) continue;
        bag->start[w[i].g + 1]++;
        bag->id[nb] = w[i].t;
        bag->w[nb++] = (float)((double)(j - i) * log((double)G / df[w[i].t]));
    }
    free(df);
    for (int g = 0; g < G; g++) {
        int lo = bag->start[g], hi = bag->start[g + 1] += lo;
        double s = 0;
        for (int q = lo; q < hi; q++) s += (double)bag->w[q] * bag->w[q];
        for (int q = lo; q < hi; q++) bag->w[q] = (float)(bag->w[q] / sqrt(s));
    }
    return 0;
}

/* The postings of the bags' words (rows: words; ids: identities, increasing in each row). */
static int postings(const csr *bag, int vocab, int G, csr *post)
{
    int nb = bag->start[G];
    post->start = calloc((size_t)vocab + 1, sizeof *post->start);
    post->id = malloc(((size_t)nb + 1) * sizeof *post->id);
    post->w = malloc(((size_t)nb + 1) * sizeof *post->w);
    int *fill = malloc(((size_t)vocab + 1) * sizeof *fill);
    if (!post->start || !post->id || !post->w || !fill) return free(fill), -1;
    for (int q = 0; q < nb; q++) post->start[bag->id[q] + 1]++;
    for (int t = 0; t < vocab; t++) post->start[t + 1] += post->start[t];
    memcpy(fill, post->start, (size_t)vocab * sizeof *fill);
    for (int g = 0; g < G; g++)
        for (int q = bag->start[g]; q < bag->start[g + 1]; q++) {
            int at = fill[bag->id[q]]++;
            post->id[at] = g, post->w[at] = bag->w[q];
        }
    free(fill);
    return 0;
}

/* Does (s, j) rank before (s2, j2)? Higher score first, then the lower index. */
static int before(float s, int j, float s2, int j2) { return s > s2 || (s == s2 && j < j2); }

/* Row g of near: the k best of the identities that share a word with g. acc[G] zeroed and
 * touched[G] are the caller's scratch; acc is left zeroed. */
static void best_k(const csr *bag, const csr *post, int g, int k, float *acc, int *touched,
                   float *top_s, int *row)
{
    int nt = 0, nk = 0;
    for (int q = bag->start[g]; q < bag->start[g + 1]; q++) {
        int t = bag->id[q];
        for (int p = post->start[t]; p < post->start[t + 1]; p++) {
            int j = post->id[p];
            if (acc[j] == 0) touched[nt++] = j; /* weights are positive: 0 means untouched */
            acc[j] += bag->w[q] * post->w[p];
        }
    }
    for (int a = 0; a < nt; a++) {
        int j = touched[a];
        float s = acc[j];
        acc[j] = 0;
        if (j == g || (nk == k && !before(s, j, top_s[k - 1], row[k - 1]))) continue;
        int at = nk < k ? nk++ : k - 1; /* insertion into the sorted top */
        while (at > 0 && before(s, j, top_s[at - 1], row[at - 1])) {
            top_s[at] = top_s[at - 1], row[at] = row[at - 1];
            at--;
        }
        top_s[at] = s, row[at] = j;
    }
    for (int a = nk; a < k; a++) row[a] = -1;
}

int irra_caption_neighbours(const int32_t *tokens, const int *group, int n, int ctx, int vocab,
                            int n_groups, int k, int **near, irra_err *e)
{
    *near = NULL;
    if (n < 1 || ctx < 1 || vocab < 4 || n_groups < 1 || k < 1)
        return irra_fail(e, "caption neighbours: nothing to compare (%d captions, %d identities)", n, n_groups);
    for (int i = 0; i < n; i++)
        if (group[i] < 0 || group[i] >= n_groups)
            return irra_fail(e, "caption neighbours: caption %d has identity %d of %d", i, group[i], n_groups);
    word_of *w = NULL;
    csr bag = {0}, post = {0};
    long m = words(tokens, group, n, ctx, vocab, &w);
    int rc = m < 0 || bags(w, m, vocab, n_groups, &bag) < 0 || postings(&bag, vocab, n_groups, &post) < 0 ? -1 : 0;
    free(w);
    int *out = rc ? NULL : malloc((size_t)n_groups * k * sizeof *out);
    if (!out) rc = -1;
    int fail = 0;
    if (rc == 0) {
#pragma omp parallel reduction(| : fail)
        {
            float *acc = calloc((size_t)n_groups, sizeof *acc), *top_s = malloc((size_t)k * sizeof *top_s);
            int *touched = malloc((size_t)n_groups * sizeof *touched);
            fail = !acc || !top_s || !touched;
#pragma omp for schedule(dynamic, 64)
            for (int g = 0; g < n_groups; g++)
                if (!fail) best_k(&bag, &post, g, k, acc, touched, top_s, out + (size_t)g * k);
            free(acc), free(top_s), free(touched);
        }
    }
    if (fail) rc = -1;
    csr_free(&bag), csr_free(&post);
    if (rc < 0) {
        free(out);
        return irra_fail(e, "caption neighbours: out of memory for %d identities", n_groups);
    }
    *near = out;
    return 0;
}
