/* The build pipeline. Batches follow the store's row order over the images still pending, so an
 * interrupted and resumed build makes the same batches as an uninterrupted one and its features
 * are bit-identical. Images that failed in an earlier build are retried after the others, for the
 * same reason. */
#include "gallery/build.h"

#include "gallery/thumb.h"
#include "model/fingerprint.h"

#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t id;
    char *file;   /* root/path */
    int ok;       /* decoded; its pixels are the next row of the batch's pixels */
    char err[512];
    int w, h;
    uint8_t *jpeg;
    size_t njpeg;
} item;

typedef struct {
    item *it;
    int n, nok;
    float *pixels; /* [nok, 3, img_h, img_w] */
    int img_h, img_w;
    pthread_t thread;
} batch;

/* Decodes one image into its thumbnail and model input. */
static void prepare_item(item *x, float *pixels, int img_h, int img_w)
{
    irra_err e;
    irra_image img;
    x->ok = 0;
    if (irra_image_load(x->file, &img, &e)) {
        snprintf(x->err, sizeof x->err, "%s", e.msg);
        return;
    }
    x->w = img.w;
    x->h = img.h;
    if (gal_thumbnail(&img, &x->jpeg, &x->njpeg, &e) ||
        irra_image_preprocess(&img, img_h, img_w, pixels, &e)) {
        snprintf(x->err, sizeof x->err, "%.200s: %.300s", x->file, e.msg);
        free(x->jpeg);
        x->jpeg = NULL;
    } else {
        x->ok = 1;
    }
    irra_image_free(&img);
}

/* Runs on a helper thread while the previous batch is encoded. Each image is decoded into its
 * own slot of pixels; the decoded ones are then packed to the front. */
static void *prepare_batch(void *arg)
{
    batch *b = arg;
    size_t per = (size_t)3 * b->img_h * b->img_w;
    int nt = omp_get_num_procs() / 4;
    nt = nt < 1 ? 1 : nt > b->n ? b->n : nt;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
    for (int i = 0; i < b->n; i++) prepare_item(&b->it[i], b->pixels + per * i, b->img_h, b->img_w);
    b->nok = 0;
    for (int i = 0; i < b->n; i++) {
        if (!b->it[i].ok) continue;
        if (b->nok != i) memmove(b->pixels + per * b->nok, b->pixels + per * i, per * sizeof(float));
        b->nok++;
    }
    return NULL;
}

static void batch_clear(batch *b)
{
    for (int i = 0; i < b->n; i++) {
        free(b->it[i].file);
        free(b->it[i].jpeg);
    }
    memset(b->it, 0, (size_t)b->n * sizeof *b->it);
    b->n = b->nok = 0;
}

/* Fills b with pending[from, from + size) and starts preparing it. */
static int batch_start(batch *b, const gal_pending *p, int from, int size, const char *root)
{
    batch_clear(b);
    for (int i = 0; i < size; i++) {
        item *x = &b->it[b->n++];
        size_t len = strlen(root) + strlen(p[from + i].path) + 2;
        if (!(x->file = malloc(len))) return -1;
        snprintf(x->file, len, "%s/%s", root, p[from + i].path);
        x->id = p[from + i].id;
    }
    return pthread_create(&b->thread, NULL, prepare_batch, b) ? -1 : 0;
}

void gal_normalise(float *v, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++) s += (double)v[i] * v[i];
    float inv = (float)(1.0 / fmax(sqrt(s), 1e-12)); /* F.normalize's eps */
    for (int i = 0; i < d; i++) v[i] *= inv;
}

/* Encodes the decoded images of b and commits the batch. */
static int encode_commit(gal_store *s, irra_model *m, batch *b, float *feat, int dim,
                         const gal_build_opts *o, gal_build_stats *st, irra_err *e)
{
    if (b->nok && irra_encode_image(m, b->pixels, b->nok, feat, NULL, e)) return -1;
    if (gal_store_begin(s, e)) return -1;
    int k = 0;
    for (int i = 0; i < b->n; i++) {
        item *x = &b->it[i];
        int rc;
        if (x->ok) {
            float *f = feat + (size_t)k++ * dim;
            gal_normalise(f, dim);
            rc = gal_store_put_encoded(s, x->id, x->w, x->h, x->jpeg, x->njpeg, f, dim, e);
            st->encoded++;
        } else {
            rc = gal_store_put_error(s, x->id, x->err, e);
            st->skipped++;
            if (o->skipped) o->skipped(o->ctx, x->err);
        }
        if (rc) return -1;
    }
    return gal_store_commit(s, e);
}

int gal_build_claim(gal_store *s, irra_model *m, const char *model_path, irra_err *e)
{
    int dim = irra_model_config(m)->embed_dim;
    char fp[32], have[64], d[16];
    irra_model_fingerprint(m, fp);
    if (gal_store_meta_get(s, "model_fingerprint", have, sizeof have, e)) return -1;
    if (have[0] && strcmp(have, fp)) {
        char path[1024];
        if (gal_store_meta_get(s, "model_path", path, sizeof path, e)) return -1;
        return irra_fail(e, "%s: features were made by another model (%s, fingerprint %s), not by "
                            "%s (fingerprint %s); build a new gallery for it",
                         gal_store_path(s), path, have, model_path, fp);
    }
    snprintf(d, sizeof d, "%d", dim);
    if (have[0]) return 0;
    return gal_store_begin(s, e) || gal_store_meta_set(s, "model_fingerprint", fp, e) ||
                   gal_store_meta_set(s, "model_path", model_path ? model_path : "", e) ||
                   gal_store_meta_set(s, "dim", d, e) || gal_store_commit(s, e)
               ? -1
               : 0;
}

int gal_build_encode(gal_store *s, irra_model *m, const char *model_path,
                     const gal_build_opts *o, gal_build_stats *st, irra_err *e)
{
    memset(st, 0, sizeof *st);
    const irra_config *c = irra_model_config(m);
    int dim = c->embed_dim, bs = o->batch > 0 ? o->batch : 16;
    if (gal_build_claim(s, m, model_path, e)) return -1;
    gal_pending *p;
    int n;
    if (gal_store_pending(s, &p, &n, e)) return -1;
    /* every batch through the same product, so a resumed build stores the same bits */
    if (n > 0) irra_model_prepare(m, IRRA_PREPARE_IMAGE);
    size_t per = (size_t)3 * c->img_h * c->img_w;
    batch b[2] = {{.img_h = c->img_h, .img_w = c->img_w}, {.img_h = c->img_h, .img_w = c->img_w}};
    float *feat = malloc((size_t)bs * dim * sizeof *feat);
    int rc = -1, joinable[2] = {0, 0};
    for (int j = 0; j < 2; j++) {
        b[j].it = calloc((size_t)bs, sizeof *b[j].it);
        b[j].pixels = malloc((size_t)bs * per * sizeof(float));
    }
    if (!feat || !b[0].it || !b[1].it || !b[0].pixels || !b[1].pixels) {
        irra_fail(e, "out of memory for a batch of %d images", bs);
        goto done;
    }
    if (o->progress) o->progress(o->ctx, 0, n);
    if (n && batch_start(&b[0], p, 0, bs < n ? bs : n, o->root)) goto thread_fail;
    joinable[0] = n > 0;
    for (int from = 0, cur = 0; from < n; from += bs, cur ^= 1) {
        pthread_join(b[cur].thread, NULL);
        joinable[cur] = 0;
        int next = from + bs;
        if (next < n) {
            if (batch_start(&b[cur ^ 1], p, next, bs < n - next ? bs : n - next, o->root))
                goto thread_fail;
            joinable[cur ^ 1] = 1;
        }
        if (encode_commit(s, m, &b[cur], feat, dim, o, st, e)) goto done;
        if (o->progress) o->progress(o->ctx, next < n ? next : n, n);
    }
    rc = gal_store_meta_set(s, "build", "complete", e);
    goto done;
thread_fail:
    irra_fail(e, "cannot start a decoding thread");
done:
    for (int j = 0; j < 2; j++) {
        if (joinable[j]) pthread_join(b[j].thread, NULL);
        if (b[j].it) batch_clear(&b[j]);
        free(b[j].it);
        free(b[j].pixels);
    }
    free(feat);
    gal_pending_free(p, n);
    return rc;
}
