/* The browser's two worker threads: searches (latest request wins; the main thread drops
 * results of an older generation) and tiles (thumbnail, fit, highlight, encode; visible tiles
 * first, each tile encoded once and cached). */
#include "tui/blocks.h"
#include "tui/browser_priv.h"
#include "tui/failures.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double tui_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

uint32_t tui_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h ? h : 1;
}

static void wake_main(tui_browser *b)
{
    char c = 1;
    if (write(b->wake[1], &c, 1) < 0) { /* pipe full: the main loop is awake anyway */ }
}

static void fail_progress(void *arg, int done, int total)
{
    tui_browser *b = arg;
    pthread_mutex_lock(&b->mu);
    b->fail_done = done;
    b->fail_total = total;
    pthread_mutex_unlock(&b->mu);
    wake_main(b);
}

static void run_failures(tui_browser *b)
{
    tui_failcase *fc = NULL;
    int n = 0;
    float r1 = 0, map = 0;
    char err[256] = "";
    pthread_mutex_lock(&b->srcmu);
    int rc = b->src->failures
                 ? b->src->failures(b->src->ctx, &fc, &n, &r1, &map, fail_progress, b, err,
                                    sizeof err)
                 : -1;
    pthread_mutex_unlock(&b->srcmu);
    pthread_mutex_lock(&b->mu);
    if (rc == 0) {
        b->fails = fc;
        b->nfails = n;
        b->r1 = r1;
        b->map = map;
        b->fail_state = 2;
    } else {
        b->fail_state = 3;
        snprintf(b->msg, sizeof b->msg, "failure mode: %.200s", err[0] ? err : "not available");
    }
    pthread_mutex_unlock(&b->mu);
    wake_main(b);
}

static void *search_main(void *arg)
{
    tui_browser *b = arg;
    int served = 0;
    tui_hit *hits = malloc(sizeof *hits * (size_t)b->cap);
    if (!hits) return NULL;
    if (b->src->prepare) b->src->prepare(b->src->ctx); /* thread-safe on its own: no srcmu */
    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        if (b->req_fail) {
            b->req_fail = 0;
            pthread_mutex_unlock(&b->mu);
            run_failures(b);
            pthread_mutex_lock(&b->mu);
            continue;
        }
        if (b->req_gen == served) {
            pthread_cond_wait(&b->cv, &b->mu);
            continue;
        }
        char q[TUI_QMAX];
        int gen = served = b->req_gen, k = b->req_k;
        memcpy(q, b->req_query, sizeof q);
        pthread_mutex_unlock(&b->mu);
        char err[256] = "";
        pthread_mutex_lock(&b->srcmu);
        int n = b->src->search(b->src->ctx, q, k, hits, err, sizeof err);
        pthread_mutex_unlock(&b->srcmu);
        pthread_mutex_lock(&b->mu);
        if (gen == b->req_gen) { /* a newer request makes this one stale: drop it */
            b->res_gen = gen;
            b->res_n = n;
            if (n > 0) memcpy(b->res_hits, hits, sizeof *hits * (size_t)n);
            snprintf(b->res_err, sizeof b->res_err, "%s", err);
            b->res_ready = 1;
            wake_main(b);
        }
    }
    pthread_mutex_unlock(&b->mu);
    free(hits);
    return NULL;
}

/* Letterboxes img into a W x H canvas; reports where the picture landed. */
static void fit(const irra_image *img, uint8_t *dst, int W, int H, int *x0, int *y0, int *w,
                int *h)
{
    memset(dst, 24, (size_t)W * H * 3);
    double s = (double)W / img->w < (double)H / img->h ? (double)W / img->w : (double)H / img->h;
    *w = (int)(img->w * s + 0.5);
    *h = (int)(img->h * s + 0.5);
    if (*w < 1) *w = 1;
    if (*h < 1) *h = 1;
    if (*w > W) *w = W;
    if (*h > H) *h = H;
    *x0 = (W - *w) / 2;
    *y0 = (H - *h) / 2;
    uint8_t *px = malloc((size_t)*w * *h * 3);
    if (!px || irra_image_resize(img, *w, *h, px, NULL) != 0) {
        free(px); /* out of memory: the tile stays the background colour */
        return;
    }
    for (int y = 0; y < *h; y++)
        memcpy(dst + ((size_t)(*y0 + y) * W + *x0) * 3, px + (size_t)y * *w * 3, (size_t)*w * 3);
    free(px);
}

static int render_tile(tui_browser *b, const tui_tile_key *k, const char *query, tui_buf *out)
{
    irra_image img = {0};
    char err[256];
    pthread_mutex_lock(&b->srcmu);
    int rc = b->src->thumbnail(b->src->ctx, k->image_id, &img, err, sizeof err);
    pthread_mutex_unlock(&b->srcmu);
    if (rc != 0 || img.w <= 0 || img.h <= 0) return -1;
    uint8_t *px = malloc((size_t)k->w * k->h * 3);
    if (!px) { free(img.rgb); return -1; }
    int x0, y0, w, h;
    fit(&img, px, k->w, k->h, &x0, &y0, &w, &h);
    free(img.rgb);
    if (k->overlay) {
        float *map = NULL;
        int gh = 0, gw = 0;
        pthread_mutex_lock(&b->srcmu);
        rc = b->src->attn_map(b->src->ctx, query, k->image_id, k->overlay, k->word, &map, &gh,
                              &gw, err, sizeof err);
        pthread_mutex_unlock(&b->srcmu);
        if (rc == 0) {
            tui_heat_normalize(map, gh * gw);
            tui_heat_blend(px, k->w, x0, y0, w, h, map, gh, gw, 0.45f);
        }
        free(map);
    }
    out->n = 0;
    rc = k->mode == TUI_GFX_SIXEL ? tui_sixel_encode(px, k->w, k->h, b->caps.ncolors, out)
                                  : tui_blocks_encode_in(px, k->w, k->h / 2, b->caps.truecolor, x0,
                                                         y0, w, h, out);
    free(px);
    return rc;
}

static void *encode_main(void *arg)
{
    tui_browser *b = arg;
    tui_buf buf = {0}, probe = {0};
    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        int i = 0;
        while (i < b->njobs && b->jobs[i].done) i++;
        if (i == b->njobs) {
            pthread_cond_wait(&b->cv, &b->mu);
            continue;
        }
        tui_tile_key k = b->jobs[i].key;
        int gen = b->jobs_gen;
        char q[TUI_QMAX];
        memcpy(q, b->job_query, sizeof q);
        pthread_mutex_unlock(&b->mu);
        if (!tui_tile_cache_get(b->cache, &k, &probe) && render_tile(b, &k, q, &buf) == 0)
            tui_tile_cache_put(b->cache, &k, buf.p, buf.n);
        pthread_mutex_lock(&b->mu);
        if (gen == b->jobs_gen) b->jobs[i].done = 1;
        wake_main(b);
    }
    pthread_mutex_unlock(&b->mu);
    tui_buf_free(&buf);
    tui_buf_free(&probe);
    return NULL;
}

int tui_workers_start(tui_browser *b)
{
    if (pipe(b->wake) != 0) return -1;
    pthread_mutex_init(&b->mu, NULL);
    pthread_mutex_init(&b->srcmu, NULL);
    pthread_cond_init(&b->cv, NULL);
    if (pthread_create(&b->search_th, NULL, search_main, b) != 0) return -1;
    if (pthread_create(&b->enc_th, NULL, encode_main, b) != 0) {
        pthread_mutex_lock(&b->mu);
        b->stop = 1;
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
        pthread_join(b->search_th, NULL);
        return -1;
    }
    b->threads = 1;
    return 0;
}

void tui_workers_stop(tui_browser *b)
{
    if (!b->threads) return;
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->search_th, NULL);
    pthread_join(b->enc_th, NULL);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
    pthread_mutex_destroy(&b->srcmu);
    close(b->wake[0]);
    close(b->wake[1]);
    b->threads = 0;
}

void tui_search_request(tui_browser *b, const char *query, int failures, int all)
{
    pthread_mutex_lock(&b->mu);
    if (failures) {
        b->req_fail = 1;
    } else {
        snprintf(b->req_query, sizeof b->req_query, "%s", query);
        b->req_k = all || b->cap < TUI_MAX_HITS ? b->cap : TUI_MAX_HITS;
        b->req_gen++;
        b->dispatch_ms = tui_now_ms();
    }
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

tui_tile_key tui_want_key(const tui_browser *b, int idx, int w, int h)
{
    tui_tile_key k = {0};
    k.image_id = b->hits[idx].image_id;
    k.mode = b->caps.gfx;
    k.w = w;
    k.h = h;
    if (b->heat_all || b->heat_on[idx]) {
        k.overlay = b->heat_kind;
        k.word = b->heat_kind == TUI_MAP_RELATION ? b->word : 0;
        k.query = tui_hash(b->shown_query);
    }
    return k;
}

/* The tiles the screen wants, visible grid first, then the detail image. Replaces the job list
 * only when it changed, so the encoder never redoes finished work. */
void tui_jobs_update(tui_browser *b)
{
    if (b->caps.gfx == TUI_GFX_NONE) return;
    tui_job jobs[TUI_MAX_SLOTS + 1];
    int n = 0, blocks = b->caps.gfx == TUI_GFX_BLOCKS;
    for (int i = 0; i < b->L.per_page && i < TUI_MAX_SLOTS; i++) {
        int v = b->page * b->L.per_page + i;
        if (v >= tui_view_n(b)) break;
        jobs[n++] = (tui_job){tui_want_key(b, tui_view_hit(b, v), blocks ? b->L.tile_cols : b->L.px_w,
                                           blocks ? 2 * b->L.tile_rows : b->L.px_h), 0};
    }
    if (b->detail && b->sel < tui_view_n(b) && b->L.detail_img.cols > 0)
        jobs[n++] = (tui_job){tui_want_key(b, tui_view_hit(b, b->sel), blocks ? b->L.detail_img.cols : b->L.detail_px_w,
                                           blocks ? 2 * b->L.detail_img.rows : b->L.detail_px_h), 0};
    pthread_mutex_lock(&b->mu);
    int same = n == b->njobs;
    for (int i = 0; same && i < n; i++)
        same = tui_tile_key_eq(&jobs[i].key, &b->jobs[i].key);
    if (!same) {
        memcpy(b->jobs, jobs, sizeof *jobs * (size_t)n);
        b->njobs = n;
        b->jobs_gen++;
        snprintf(b->job_query, sizeof b->job_query, "%s", b->shown_query);
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
}
