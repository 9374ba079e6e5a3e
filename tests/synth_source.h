/* A test double for tui_source: 40 synthetic "people" (flat-coloured crops with a stripe
 * pattern), 20 identities, two captions each, and a ranking that is a fixed function of the
 * query text. It lets the terminal layers be tested without a model; the shipped browser uses
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
#define SYN_W 64
#define SYN_H 192

typedef struct {
    char paths[SYN_N][32];
} syn_ctx;

static void syn_color(int id, unsigned char c[3])
{
    static const unsigned char pal[8][3] = {{220, 40, 40}, {40, 200, 60}, {40, 80, 220},
                                            {230, 200, 40}, {200, 60, 200}, {40, 200, 200},
                                            {240, 140, 30}, {150, 150, 150}};
    int k = id % 8, shade = id / 8; /* five shades of eight hues */
    for (int i = 0; i < 3; i++) c[i] = (unsigned char)(pal[k][i] * (10 - shade) / 10);
}

static unsigned syn_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Rank r of query q shows image (h + 7 r) mod 40: a permutation, since 7 is prime to 40. */
static int syn_search(void *ctx, const char *q, int k, tui_hit *out, char *err, size_t n)
{
    syn_ctx *s = ctx;
    (void)err, (void)n;
    unsigned h = syn_hash(q) % SYN_N;
    if (k > SYN_N) k = SYN_N;
    for (int r = 0; r < k; r++) {
        int id = (int)((h + 7u * (unsigned)r) % SYN_N);
        out[r] = (tui_hit){id, 0.9f - 0.01f * r, id / 2, id + 1, s->paths[id]};
    }
    return k;
}

static int syn_thumbnail(void *ctx, int64_t image_id, irra_image *out, char *err, size_t n)
{
    (void)ctx;
    if (image_id < 1 || image_id > SYN_N) return snprintf(err, n, "no image %ld", (long)image_id), -1;
    out->w = SYN_W;
    out->h = SYN_H;
    out->rgb = malloc(SYN_W * SYN_H * 3);
    if (!out->rgb) return -1;
    unsigned char c[3];
    syn_color((int)image_id - 1, c);
    for (int y = 0; y < SYN_H; y++)
        for (int x = 0; x < SYN_W; x++) {
            unsigned char *p = out->rgb + (y * SYN_W + x) * 3;
            int stripe = (y / 24) % 2 && x > 8 && x < SYN_W - 8; /* a light band every 24 rows */
            for (int i = 0; i < 3; i++) p[i] = stripe ? (unsigned char)(c[i] / 2 + 100) : c[i];
        }
    return 0;
}

static int syn_captions(void *ctx, int64_t id, char ***caps, int *n)
{
    (void)ctx;
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
    tui_hit hits[SYN_N];
    int pids[SYN_N];
    tui_failcase *c = calloc(10, sizeof *c);
    if (!c) return -1;
    for (int i = 0; i < 10; i++) {
        char q[64];
        snprintf(q, sizeof q, "caption of identity %d", i);
        int k = syn_search(ctx, q, SYN_N, hits, err, en);
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

static void syn_open(tui_source *src, syn_ctx *s)
{
    memset(src, 0, sizeof *src);
    for (int i = 0; i < SYN_N; i++) snprintf(s->paths[i], sizeof s->paths[i], "synth/p%02d.png", i);
    src->ctx = s;
    snprintf(src->model_name, sizeof src->model_name, "synthetic");
    src->size = SYN_N;
    src->search = syn_search;
    src->thumbnail = syn_thumbnail;
    src->captions = syn_captions;
    src->words = syn_words;
    src->attn_map = syn_attn;
    src->failures = syn_failures;
}

#endif
