/* libsixel encoding, the tile cache and the escape sequences that place tiles. */
#include "tui/sixel_layer.h"

#include <sixel.h>
#include <stdlib.h>
#include <string.h>

int tui_buf_add(tui_buf *b, const void *data, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = 0;
    return 0;
}

void tui_buf_free(tui_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static int sixel_sink(char *data, int size, void *priv)
{
    return tui_buf_add(priv, data, (size_t)size) == 0 ? 0 : -1;
}

int tui_sixel_encode(const uint8_t *rgb, int w, int h, int ncolors, tui_buf *out)
{
    if (w <= 0 || h <= 0 || w > 4096 || h > 4096) return -1;
    size_t bytes = (size_t)w * h * 3;
    /* sixel_encode dithers its input in place: encode a copy so the source can be reused. */
    unsigned char *copy = malloc(bytes);
    if (!copy) return -1;
    memcpy(copy, rgb, bytes);
    sixel_output_t *o = NULL;
    sixel_dither_t *d = NULL;
    int rc = -1;
    if (SIXEL_FAILED(sixel_output_new(&o, sixel_sink, out, NULL))) goto done;
    sixel_output_set_encode_policy(o, SIXEL_ENCODEPOLICY_SIZE);
    if (SIXEL_FAILED(sixel_dither_new(&d, ncolors > 256 ? 256 : ncolors, NULL))) goto done;
    if (SIXEL_FAILED(sixel_dither_initialize(d, copy, w, h, SIXEL_PIXELFORMAT_RGB888,
                                             SIXEL_LARGE_AUTO, SIXEL_REP_AUTO,
                                             SIXEL_QUALITY_AUTO)))
        goto done;
    sixel_dither_set_diffusion_type(d, SIXEL_DIFFUSE_FS);
    if (SIXEL_FAILED(sixel_encode(copy, w, h, 3, d, o))) goto done;
    rc = 0;
done:
    if (d) sixel_dither_unref(d);
    if (o) sixel_output_unref(o);
    free(copy);
    return rc;
}

typedef struct {
    tui_tile_key key;
    char *p;
    size_t n;
    uint64_t used;
} cache_entry;

struct tui_tile_cache {
    pthread_mutex_t mu;
    cache_entry *e;
    int cap;
    uint64_t clock;
};

tui_tile_cache *tui_tile_cache_new(int capacity)
{
    tui_tile_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->e = calloc((size_t)capacity, sizeof *c->e);
    if (!c->e) { free(c); return NULL; }
    c->cap = capacity;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void tui_tile_cache_free(tui_tile_cache *c)
{
    if (!c) return;
    for (int i = 0; i < c->cap; i++) free(c->e[i].p);
    pthread_mutex_destroy(&c->mu);
    free(c->e);
    free(c);
}

int tui_tile_key_eq(const tui_tile_key *a, const tui_tile_key *b)
{
    return a->image_id == b->image_id && a->w == b->w && a->h == b->h && a->mode == b->mode &&
           a->overlay == b->overlay && a->word == b->word && a->query == b->query &&
           a->frame == b->frame;
}

int tui_tile_cache_get(tui_tile_cache *c, const tui_tile_key *k, tui_buf *out)
{
    int hit = 0;
    out->n = 0;
    pthread_mutex_lock(&c->mu);
    for (int i = 0; i < c->cap && !hit; i++) {
        if (!c->e[i].p || !tui_tile_key_eq(&c->e[i].key, k)) continue;
        c->e[i].used = ++c->clock;
        hit = tui_buf_add(out, c->e[i].p, c->e[i].n) == 0;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

int tui_tile_cache_put(tui_tile_cache *c, const tui_tile_key *k, const char *p, size_t n)
{
    char *copy = malloc(n ? n : 1);
    if (!copy) return -1;
    memcpy(copy, p, n);
    pthread_mutex_lock(&c->mu);
    int victim = 0;
    for (int i = 0; i < c->cap; i++) {
        if (c->e[i].p && tui_tile_key_eq(&c->e[i].key, k)) { victim = i; break; }
        if (!c->e[i].p) { victim = i; break; }
        if (c->e[i].used < c->e[victim].used) victim = i;
    }
    free(c->e[victim].p);
    c->e[victim] = (cache_entry){*k, copy, n, ++c->clock};
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static void emit_tmux(FILE *f, const char *p, size_t n)
{
    fputs("\033Ptmux;", f);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\033') fputc('\033', f);
        fputc(p[i], f);
    }
    fputs("\033\\", f);
}

void tui_layer_emit(FILE *f, int row, int col, const char *p, size_t n, int tmux_wrap)
{
    fputs("\0337", f);
    if (n >= 2 && p[0] == '\033' && p[1] == 'P') {
        fprintf(f, "\033[%d;%dH", row + 1, col + 1);
        if (tmux_wrap) emit_tmux(f, p, n);
        else fwrite(p, 1, n, f);
    } else {
        for (size_t i = 0, line = 0; i < n; line++) {
            const char *nl = memchr(p + i, '\n', n - i);
            size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
            fprintf(f, "\033[%d;%dH", row + 1 + (int)line, col + 1);
            fwrite(p + i, 1, len, f);
            i += len + (nl != NULL);
        }
        fputs("\033[0m", f);
    }
    fputs("\0338", f);
}

void tui_layer_erase(FILE *f, int row, int col, int rows, int cols)
{
    fputs("\0337\033[0m", f);
    for (int r = 0; r < rows; r++) fprintf(f, "\033[%d;%dH%*s", row + r + 1, col + 1, cols, "");
    fputs("\0338", f);
}
