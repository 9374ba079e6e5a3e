/* A test double for tui_source: 40 synthetic "people" (flat-coloured crops with a stripe
 * pattern), 20 identities, two captions each, and a ranking that is a fixed function of the
 * query text. Variants for the browser's tests: n images (up to SYN_MAX), a folder gallery
 * (no identities, no captions, no failure mode), square crops. It lets the terminal layers be tested without a model; the shipped browser uses
 * tui/gal_source.c. Header-only, shared by tests/tool_browse.c and tests/test_browse_pty.c. */
#ifndef TESTS_SYNTH_SOURCE_H
#define TESTS_SYNTH_SOURCE_H

#include "tui/failures.h"
#include "tui/heatmap.h"
#include "tui/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYN_N 40
#define SYN_MAX 1000
#define SYN_W 64
#define SYN_H 192

typedef struct {
    int n, folder, square;
    char paths[SYN_MAX][32];
} syn_ctx;

static void syn_color(int id, unsigned char c[3])
{
    static const unsigned char pal[8][3] = {{220, 40, 40}, {40, 200, 60}, {40, 80, 220},
                                            {230, 200, 40}, {200, 60, 200}, {40, 200, 200},
                                            {240, 140, 30}, {150, 150, 150}};
    id %= SYN_N;
    int k = id % 8, shade = id / 8; /* five shades of eight hues */
    for (int i = 0; i < 3; i++) c[i] = (unsigned char)(pal[k][i] * (10 - shade) / 10);
}

static unsigned syn_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Rank r of query q shows image (h + 7 r) mod n: a permutation while 7 is prime to n. */
static int syn_search(void *ctx, const char *q, int k, tui_hit *out, char *err, size_t n)
{
    syn_ctx *s = ctx;
    (void)err, (void)n;
    unsigned h = syn_hash(q) % (unsigned)s->n;
    if (k > s->n) k = s->n;
    for (int r = 0; r < k; r++) {
        int id = (int)((h + 7u * (unsigned)r) % (unsigned)s->n);
        out[r] = (tui_hit){id, 0.9f - 0.9f * r / s->n, s->folder ? -1 : id / 2, id + 1, s->paths[id]};
    }
    return k;
}

static int syn_thumbnail(void *ctx, int64_t image_id, irra_image *out, char *err, size_t n)
{
    syn_ctx *s = ctx;
    if (image_id < 1 || image_id > s->n) return snprintf(err, n, "no image %ld", (long)image_id), -1;
    int W = SYN_W, H = s->square ? SYN_W : SYN_H;
    out->w = W;
    out->h = H;
    out->rgb = malloc((size_t)W * H * 3);
    if (!out->rgb) return -1;
    unsigned char c[3];
    syn_color((int)image_id - 1, c);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *p = out->rgb + (y * W + x) * 3;
            int stripe = (y / 24) % 2 && x > 8 && x < W - 8; /* a light band every 24 rows */
            for (int i = 0; i < 3; i++) p[i] = stripe ? (unsigned char)(c[i] / 2 + 100) : c[i];
        }
    return 0;
}

static int syn_captions(void *ctx, int64_t id, char ***caps, int *n)
{
    if (((syn_ctx *)ctx)->folder) {
        *caps = NULL;
        *n = 0;
        return 0;
    }
    *caps = malloc(2 * sizeof **caps);
    if (!*caps) return -1;
    char b[128];
    snprintf(b, sizeof b, "synthetic person %ld wearing colour %ld", (long)id, (long)(id - 1) % 8);
    (*caps)[0] = strdup(b);
    snprintf(b, sizeof b, "the second caption of image %ld", (long)id);
    (*caps)[1] = strdup(b);
    *n = 2;
    return 0;
}

static int syn_words(void *ctx, const char *q, int *st, int *en, int max)
{
    (void)ctx;
    int n = 0;
    for (int i = 0; q[i] && n < max;) {
        while (q[i] == ' ') i++;
        if (!q[i]) break;
        st[n] = i;
        while (q[i] && q[i] != ' ') i++;
        en[n++] = i;
    }
    return n;
}

/* similarity: bright at the top; relation: a band that moves down with the word. */
static int syn_attn(void *ctx, const char *q, int64_t id, int kind, int word, float **map,
                    int *gh, int *gw, char *err, size_t n)
{
    (void)ctx, (void)q, (void)id, (void)err, (void)n;
    *gh = 24;
    *gw = 8;
    *map = malloc(sizeof **map * 24 * 8);
    if (!*map) return -1;
    for (int y = 0; y < 24; y++)
        for (int x = 0; x < 8; x++)
            (*map)[y * 8 + x] = kind == TUI_MAP_SIMILARITY ? 1.0f - y / 23.0f
                                                            : (y / 4 == word % 6 ? 1.0f : 0.0f);
    return 0;
}

static int syn_failures(void *ctx, tui_failcase **out, int *n, float *r1, float *map,
                        void (*progress)(void *, int, int), void *arg, char *err, size_t en)
{
    syn_ctx *s = ctx;
    if (s->folder)
        return snprintf(err, en, "needs a gallery built from a dataset split: this one has no captions"), -1;
    tui_hit hits[SYN_MAX];
    int pids[SYN_MAX];
    tui_failcase *c = calloc(10, sizeof *c);
    if (!c) return -1;
    for (int i = 0; i < 10; i++) {
        char q[64];
        snprintf(q, sizeof q, "caption of identity %d", i);
        int k = syn_search(ctx, q, s->n, hits, err, en);
        for (int r = 0; r < k; r++) pids[r] = hits[r].pid;
        c[i].text = strdup(q);
        c[i].pid = i;
        c[i].ap = tui_rank_of_first(pids, k, i, &c[i].first_rank);
        progress(arg, i + 1, 10);
    }
    tui_failures_finish(c, 10, r1, map);
    *out = c;
    *n = 10;
    return 0;
}

/* n images (0: SYN_N); folder: no identities or captions; square: 64x64 crops. */
static inline void syn_open_with(tui_source *src, syn_ctx *s, int n, int folder, int square)
{
    memset(src, 0, sizeof *src);
    s->n = n > 0 && n <= SYN_MAX ? n : SYN_N;
    s->folder = folder;
    s->square = square;
    for (int i = 0; i < s->n; i++) snprintf(s->paths[i], sizeof s->paths[i], "/synth/p%02d.png", i);
    src->ctx = s;
    snprintf(src->model_name, sizeof src->model_name, "synthetic");
    src->size = s->n;
    src->search = syn_search;
    src->thumbnail = syn_thumbnail;
    src->captions = syn_captions;
    src->words = syn_words;
    src->attn_map = syn_attn;
    src->failures = syn_failures;
}

static inline void syn_open(tui_source *src, syn_ctx *s)
{
    syn_open_with(src, s, SYN_N, 0, 0);
}

#endif
