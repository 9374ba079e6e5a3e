/* Spec 4.4 and datasets/sampler.py. The reference draws from Python's and NumPy's global
 * generators; here one stream per epoch serves every draw of that epoch, in a fixed order:
 * each identity's shuffle (identities in order of first appearance, as the reference's dict),
 * then the identities chosen round by round. */
#include "train/sampler.h"

#include "train/train_rng.h"

#include <stdlib.h>
#include <string.h>

int irra_sampler_parse(const char *s, irra_sampler_kind *k)
{
    if (!strcmp(s, "random")) *k = IRRA_SAMPLER_RANDOM;
    else if (!strcmp(s, "identity")) *k = IRRA_SAMPLER_IDENTITY;
    else if (!strcmp(s, "similar")) *k = IRRA_SAMPLER_SIMILAR;
    else return -1;
    return 0;
}

static void shuffle(int *a, int n, syn_rng *r)
{
    for (int i = n - 1; i > 0; i--) {
        int j = syn_below(r, i + 1), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

typedef struct {
    int pid, idx;
} pid_idx;

static int by_pid_then_idx(const void *a, const void *b)
{
    const pid_idx *x = a, *y = b;
    if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

typedef struct {
    int first, start, len; /* first sample index; members at start..start+len of the sorted list */
    int *chunks, n_chunks, next;
} id_group;

static int by_first(const void *a, const void *b)
{
    const id_group *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

/* The identities of pids[n] as groups in order of first appearance; *members holds the sample
 * indices grouped (each group's in increasing order). */
static id_group *group_ids(const int *pids, int n, int **members, int *n_groups)
{
    pid_idx *pi = malloc((size_t)n * sizeof *pi);
    id_group *g = calloc((size_t)n, sizeof *g);
    *members = malloc((size_t)n * sizeof **members);
    if (!pi || !g || !*members) {
        free(pi), free(g), free(*members);
        return NULL;
    }
    for (int i = 0; i < n; i++) pi[i] = (pid_idx){pids[i], i};
    qsort(pi, (size_t)n, sizeof *pi, by_pid_then_idx);
    int k = 0;
    for (int i = 0; i < n; i++) {
        (*members)[i] = pi[i].idx;
        if (i == 0 || pi[i].pid != pi[i - 1].pid) g[k++] = (id_group){pi[i].idx, i, 0, NULL, 0, 0};
        g[k - 1].len++;
    }
    free(pi);
    qsort(g, (size_t)k, sizeof *g, by_first);
    *n_groups = k;
    return g;
}

int irra_sampler_identities(const int *pids, int n, int *group)
{
    int *members, ng;
    id_group *g = group_ids(pids, n, &members, &ng);
    if (!g) return -1;
    for (int k = 0; k < ng; k++)
        for (int q = 0; q < g[k].len; q++) group[members[g[k].start + q]] = k;
    free(g), free(members);
    return ng;
}

int irra_sampler_check(const irra_sampler_cfg *c, const int *pids, int n, irra_err *e)
{
    if (n < 1) return irra_fail(e, "sampler: no samples");
    if (c->batch_size < 1) return irra_fail(e, "sampler: batch size %d: want at least 1", c->batch_size);
    if (c->kind == IRRA_SAMPLER_RANDOM) return 0;
    if (c->kind != IRRA_SAMPLER_IDENTITY && c->kind != IRRA_SAMPLER_SIMILAR)
        return irra_fail(e, "sampler: unknown kind %d", (int)c->kind);
    if (c->kind == IRRA_SAMPLER_SIMILAR && (!c->near || c->n_near < 1))
        return irra_fail(e, "sampler: similar sampling without caption neighbours");
    if (c->num_instance < 1 || c->num_instance > c->batch_size)
        return irra_fail(e, "sampler: --num-instance %d: want 1 to the batch size %d", c->num_instance,
                         c->batch_size);
    int *members, ng;
    id_group *g = group_ids(pids, n, &members, &ng);
    if (!g) return irra_fail(e, "sampler: out of memory for %d samples", n);
    free(g), free(members);
    int P = c->batch_size / c->num_instance;
    if (ng < P)
        return irra_fail(e, "sampler: identity sampling takes %d identities a batch (batch %d / %d instances), "
                            "the data has %d", P, c->batch_size, c->num_instance, ng);
    return 0;
}

/* Each identity's samples shuffled (drawn with replacement up to K when it has fewer) and cut
 * into G->n_chunks chunks of K. */
static int make_chunks(id_group *g, int ng, const int *members, int K, syn_rng *r)
{
    for (int k = 0; k < ng; k++) {
        id_group *G = &g[k];
        int m = G->len < K ? K : G->len;
        if (!(G->chunks = malloc((size_t)m * sizeof *G->chunks))) return -1;
        if (G->len < K) /* np.random.choice(idxs, size=K, replace=True) */
            for (int t = 0; t < K; t++) G->chunks[t] = members[G->start + syn_below(r, G->len)];
        else
            memcpy(G->chunks, members + G->start, (size_t)m * sizeof *G->chunks);
        shuffle(G->chunks, m, r);
        G->n_chunks = m / K;
    }
    return 0;
}

/* The next chunk of identity G into out; returns 1 when G has none left after it. */
static int take_chunk(id_group *G, int K, int *out)
{
    memcpy(out, G->chunks + (size_t)G->next * K, (size_t)K * sizeof *out);
    return ++G->next == G->n_chunks;
}

/* RandomIdentitySampler's rounds: P distinct identities at random, each giving a chunk. */
static int random_rounds(id_group *g, int ng, int K, int P, syn_rng *r, int *out)
{
    int *avail = malloc((size_t)ng * sizeof *avail), *pick = malloc((size_t)ng * sizeof *pick);
    if (!avail || !pick) return free(avail), free(pick), -1;
    for (int k = 0; k < ng; k++) avail[k] = k;
    int na = ng, total = 0;
    while (na >= P) { /* random.sample(avai_pids, P): P distinct, in random order */
        memcpy(pick, avail, (size_t)na * sizeof *pick);
        for (int t = 0; t < P; t++) {
            int j = t + syn_below(r, na - t), s = pick[t];
            pick[t] = pick[j];
            pick[j] = s;
        }
        for (int t = 0; t < P; t++) {
            int done = take_chunk(&g[pick[t]], K, out + total);
            total += K;
            if (!done) continue;
            int at = 0; /* avai_pids.remove(pid), keeping the others' order */
            while (avail[at] != pick[t]) at++;
            memmove(avail + at, avail + at + 1, (size_t)(na - at - 1) * sizeof *avail);
            na--;
        }
    }
    free(avail), free(pick);
    return total;
}

/* The similar sampler's rounds: an identity at random and its P - 1 nearest with chunks left
 * (near[k * n_near ...]), topped up at random. Identities without chunks left are swapped out
 * of avail[0..na), pos[] finding them. */
static int similar_rounds(id_group *g, int ng, int K, int P, const int *near, int n_near, syn_rng *r,
                          int *out)
{
    int *avail = malloc((size_t)ng * sizeof *avail), *pos = malloc((size_t)ng * sizeof *pos);
    int *pick = malloc((size_t)P * sizeof *pick);
    char *in = calloc((size_t)ng, 1);
    if (!avail || !pos || !pick || !in) return free(avail), free(pos), free(pick), free(in), -1;
    for (int k = 0; k < ng; k++) avail[k] = pos[k] = k;
    int na = ng, total = 0;
    while (na >= P) {
        int np = 0;
        pick[np++] = avail[syn_below(r, na)];
        in[pick[0]] = 1;
        const int *row = near + (size_t)pick[0] * n_near;
        for (int q = 0; q < n_near && np < P && row[q] >= 0; q++)
            if (row[q] < ng && pos[row[q]] < na && !in[row[q]]) in[row[q]] = 1, pick[np++] = row[q];
        while (np < P) { /* na >= P: there are enough left */
            int j = avail[syn_below(r, na)];
            if (!in[j]) in[j] = 1, pick[np++] = j;
        }
        for (int t = 0; t < P; t++) {
            int k = pick[t];
            in[k] = 0;
            int done = take_chunk(&g[k], K, out + total);
            total += K;
            if (!done) continue;
            int at = pos[k], last = avail[--na];
            avail[at] = last, pos[last] = at;
            avail[na] = k, pos[k] = na;
        }
    }
    free(avail), free(pos), free(pick), free(in);
    return total;
}

static int identity_order(const irra_sampler_cfg *c, const int *pids, int n, syn_rng *r, int *out,
                          int *len, irra_err *e)
{
    int K = c->num_instance, P = c->batch_size / K, ng, *members, total = -1;
    id_group *g = group_ids(pids, n, &members, &ng);
    if (g && make_chunks(g, ng, members, K, r) == 0)
        total = c->kind == IRRA_SAMPLER_SIMILAR ? similar_rounds(g, ng, K, P, c->near, c->n_near, r, out)
                                                : random_rounds(g, ng, K, P, r, out);
    for (int k = 0; g && k < ng; k++) free(g[k].chunks);
    free(g), free(members);
    if (total < 0) return irra_fail(e, "sampler: out of memory for %d samples", n);
    *len = total;
    return 0;
}

int irra_sampler_order(const irra_sampler_cfg *c, const int *pids, int n, uint32_t epoch,
                       int **order, int *len, irra_err *e)
{
    *order = NULL;
    *len = 0;
    if (irra_sampler_check(c, pids, n, e) < 0) return -1;
    /* identity: every kept sample belongs to a chunk of num_instance, and an identity gives at
     * most max(len, K) of them */
    size_t cap = (size_t)n + (c->kind != IRRA_SAMPLER_RANDOM ? (size_t)n * c->num_instance : 0);
    int *o = malloc(cap * sizeof *o);
    if (!o) return irra_fail(e, "sampler: out of memory for %d samples", n);
    syn_rng r = irra_train_rng(c->seed, IRRA_RNG_SAMPLER, epoch, 0);
    if (c->kind == IRRA_SAMPLER_RANDOM) {
        for (int i = 0; i < n; i++) o[i] = i;
        shuffle(o, n, &r);
        *len = n;
    } else if (identity_order(c, pids, n, &r, o, len, e) < 0) {
        free(o);
        return -1;
    }
    *order = o;
    return 0;
}
