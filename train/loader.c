/* The training data pipeline. The caller asks for (epoch, step); the loader keeps
 * IRRA_LOADER_PREFETCH + 1 slots, one per batch it is making, and worker threads take rows of
 * the earliest unfinished slot one at a time, the caller's thread helping with the batch it
 * waits for. A row depends only on (seed, epoch, position in the epoch), so who makes it and when
 * changes nothing. Each batch is handed over by swapping its buffers with the caller's. */
#include "train/loader.h"

#include "model/image.h"
#include "train/augment.h"
#include "train/masking.h"
#include "train/neighbours.h"
#include "train/train_rng.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NSLOT (IRRA_LOADER_PREFETCH + 1)
/* A thread's work space for one row: a decoded image and the augmentation's scratch. */
#define ROW_BUF(L) ((size_t)2 * (L)->H * (L)->W * 3)

enum { SLOT_FREE, SLOT_FILLING, SLOT_READY };

typedef struct {
    int state;
    uint32_t epoch;
    int step, B;
    long seq;               /* scheduling order: workers serve the lowest first */
    int next_row, done_rows, busy;
    float *pixels;
    int *pids, *samples;
    int32_t *cap, *mlm, *lab;
    char *row_ok;
    int fatal;              /* a row failed for another reason than its image */
    int err_row;            /* the row whose failure err holds, -1 for none */
    irra_err err;
} slot;

typedef struct {
    uint32_t epoch;
    int valid, len, *order;
} epoch_order;

struct irra_loader {
    gal_dataset *ds;
    irra_loader_opts o;
    irra_sampler_cfg sc;
    int H, W, ctx, vocab, n;    /* n samples */
    int *pid, *image;           /* per sample */
    int32_t *tokens;            /* [n, ctx] */
    uint8_t *cache;             /* [n_images, H, W, 3] or NULL */
    int *near;                  /* the similar sampler's neighbour table, or NULL */
    epoch_order orders[2];
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    pthread_t *th;
    int n_th, quit;
    long seq;
    slot slots[NSLOT];
    long skipped;
    irra_err last_skip;
};

void irra_loader_opts_default(irra_loader_opts *o)
{
    *o = (irra_loader_opts){.seed = 1, .batch_size = 64, .sampler = IRRA_SAMPLER_RANDOM,
                            .num_instance = 4, .img_aug = 1, .threads = 2};
}

int irra_loader_samples(const irra_loader *L) { return L->n; }
int irra_loader_num_classes(const irra_loader *L) { return L->ds->num_classes; }
int irra_loader_cached(const irra_loader *L) { return L->cache != NULL; }
const gal_dataset *irra_loader_dataset(const irra_loader *L) { return L->ds; }

long irra_loader_skipped(const irra_loader *L, char *last, size_t n)
{
    if (last && n) snprintf(last, n, "%s", L->skipped ? L->last_skip.msg : "");
    return L->skipped;
}

/* ---- the batch buffers ---------------------------------------------------------------- */

typedef struct {
    float *pixels;
    int *pids, *samples;
    int32_t *cap, *mlm, *lab;
} bufs;

static void bufs_free(bufs *b)
{
    free(b->pixels), free(b->pids), free(b->samples), free(b->cap), free(b->mlm), free(b->lab);
    memset(b, 0, sizeof *b);
}

static int bufs_alloc(bufs *b, const irra_loader *L)
{
    if (b->pixels) return 0;
    size_t B = (size_t)L->o.batch_size, px = (size_t)3 * L->H * L->W, ids = B * L->ctx;
    b->pixels = malloc(B * px * sizeof *b->pixels);
    b->pids = malloc(B * sizeof *b->pids);
    b->samples = malloc(B * sizeof *b->samples);
    b->cap = malloc(ids * sizeof *b->cap);
    b->mlm = malloc(ids * sizeof *b->mlm);
    b->lab = malloc(ids * sizeof *b->lab);
    if (b->pixels && b->pids && b->samples && b->cap && b->mlm && b->lab) return 0;
    bufs_free(b);
    return -1;
}

static bufs slot_bufs(const slot *s) { return (bufs){s->pixels, s->pids, s->samples, s->cap, s->mlm, s->lab}; }

static void slot_set_bufs(slot *s, bufs b)
{
    s->pixels = b.pixels, s->pids = b.pids, s->samples = b.samples;
    s->cap = b.cap, s->mlm = b.mlm, s->lab = b.lab;
}

void irra_loader_out_free(irra_loader_out *out)
{
    bufs b = {out->pixels, out->pids, out->samples, out->caption_ids, out->mlm_ids, out->mlm_labels};
    bufs_free(&b);
    memset(out, 0, sizeof *out);
}

/* ---- one row ---------------------------------------------------------------------------- */

/* Image img of d decoded and resized to h x w into buf[h][w][3]. */
static int decode_resized(const gal_dataset *d, int img, int h, int w, uint8_t *buf, irra_err *e)
{
    irra_image im;
    if (irra_image_load(d->images[img].path, &im, e) < 0) return -1;
    int rc = 0;
    if (im.w == w && im.h == h) memcpy(buf, im.rgb, (size_t)h * w * 3); /* Pillow's resize copies */
    else rc = irra_image_resize(&im, w, h, buf, e);
    irra_image_free(&im);
    return rc;
}

/* The image of a sample as H x W x 3 bytes: the cached copy, or decoded into buf (NULL, e set,
 * when it does not decode). */
static const uint8_t *sample_image(const irra_loader *L, int img, uint8_t *buf, irra_err *e)
{
    if (L->cache) return L->cache + (size_t)img * L->H * L->W * 3;
    return decode_resized(L->ds, img, L->H, L->W, buf, e) < 0 ? NULL : buf;
}

/* Makes row r of slot s (no lock held: the row's memory is this call's alone) with buf, a
 * thread's ROW_BUF bytes. Returns 0, 1 when the image failed to decode (e set), -1 on another
 * failure. */
static int make_row(const irra_loader *L, const slot *s, int r, uint8_t *buf, irra_err *e)
{
    int smp = s->samples[r], ctx = L->ctx;
    uint32_t k = (uint32_t)((size_t)s->step * L->o.batch_size + r);
    const uint8_t *rgb = sample_image(L, L->image[smp], buf, e);
    if (!rgb) return 1;
    irra_aug a;
    syn_rng ra = irra_train_rng(L->o.seed, IRRA_RNG_AUG, s->epoch, k);
    irra_aug_draw(L->o.img_aug, L->H, L->W, &ra, &a);
    uint8_t *scratch = buf + (size_t)L->H * L->W * 3;
    if (irra_aug_apply(rgb, L->H, L->W, &a, scratch, s->pixels + (size_t)r * 3 * L->H * L->W, e) < 0) return -1;
    const int32_t *ids = L->tokens + (size_t)smp * ctx;
    memcpy(s->cap + (size_t)r * ctx, ids, (size_t)ctx * sizeof *ids);
    syn_rng rm = irra_train_rng(L->o.seed, IRRA_RNG_MASK, s->epoch, k);
    irra_mask_caption(ids, ctx, L->vocab, &rm, s->mlm + (size_t)r * ctx, s->lab + (size_t)r * ctx);
    s->pids[r] = L->pid[smp];
    return 0;
}

/* With the lock held: takes a row of slot s, makes it without the lock, records it. The error
 * kept is that of the lowest failed row, so the message does not depend on timing either. */
static void work_row(irra_loader *L, slot *s, uint8_t *buf)
{
    int r = s->next_row++;
    s->busy++;
    pthread_mutex_unlock(&L->mu);
    irra_err e;
    int rc = make_row(L, s, r, buf, &e);
    pthread_mutex_lock(&L->mu);
    s->busy--;
    if (s->state != SLOT_FILLING) { /* cancelled meanwhile: cancel_slot waits for busy == 0 */
        pthread_cond_broadcast(&L->done);
        return;
    }
    s->row_ok[r] = rc == 0;
    int fatal = rc < 0; /* another failure outranks a bad image */
    if (rc != 0 && (s->err_row < 0 || (fatal && !s->fatal) || (fatal == s->fatal && r < s->err_row))) {
        s->err = e;
        s->err_row = r;
        s->fatal |= fatal;
    }
    if (++s->done_rows == s->B) {
        s->state = SLOT_READY;
        pthread_cond_broadcast(&L->done);
    }
}

/* The slot workers should serve next: filling, rows left, lowest seq. Lock held. */
static slot *next_work(irra_loader *L)
{
    slot *best = NULL;
    for (int i = 0; i < NSLOT; i++) {
        slot *s = &L->slots[i];
        if (s->state == SLOT_FILLING && s->next_row < s->B && (!best || s->seq < best->seq)) best = s;
    }
    return best;
}

static void *worker_main(void *arg)
{
    irra_loader *L = arg;
    uint8_t *buf = malloc(ROW_BUF(L));
    if (!buf) return NULL; /* the caller's thread makes the rows instead */
    pthread_mutex_lock(&L->mu);
    while (!L->quit) {
        slot *s = next_work(L);
        if (s) work_row(L, s, buf);
        else pthread_cond_wait(&L->work, &L->mu);
    }
    pthread_mutex_unlock(&L->mu);
    free(buf);
    return NULL;
}

/* ---- epochs and scheduling ------------------------------------------------------------- */

static epoch_order *get_order(irra_loader *L, uint32_t epoch, irra_err *e)
{
    epoch_order *eo = &L->orders[epoch & 1];
    if (eo->valid && eo->epoch == epoch) return eo;
    free(eo->order);
    eo->valid = 0;
    eo->order = NULL;
    if (irra_sampler_order(&L->sc, L->pid, L->n, epoch, &eo->order, &eo->len, e) < 0) return NULL;
    eo->epoch = epoch;
    eo->valid = 1;
    return eo;
}

int irra_loader_steps(irra_loader *L, uint32_t epoch, irra_err *e)
{
    epoch_order *eo = get_order(L, epoch, e);
    return eo ? irra_sampler_steps(&L->sc, eo->len) : -1;
}

static slot *find_slot(irra_loader *L, uint32_t epoch, int step)
{
    for (int i = 0; i < NSLOT; i++) {
        slot *s = &L->slots[i];
        if (s->state != SLOT_FREE && s->epoch == epoch && s->step == step) return s;
    }
    return NULL;
}

/* Stops work on s and waits until no worker is inside one of its rows. Lock held. */
static void cancel_slot(irra_loader *L, slot *s)
{
    s->state = SLOT_FREE;
    s->next_row = s->B;
    while (s->busy > 0) pthread_cond_wait(&L->done, &L->mu);
}

/* Puts (epoch, step) into a free slot. Lock held. Returns the slot or NULL (e set). */
static slot *schedule(irra_loader *L, uint32_t epoch, int step, const epoch_order *eo, irra_err *e)
{
    slot *s = NULL;
    for (int i = 0; i < NSLOT && !s; i++)
        if (L->slots[i].state == SLOT_FREE && L->slots[i].busy == 0) s = &L->slots[i];
    if (!s) {
        irra_fail(e, "loader: no free slot (internal error)");
        return NULL;
    }
    bufs b = slot_bufs(s);
    if (bufs_alloc(&b, L) < 0) {
        irra_fail(e, "loader: out of memory for a batch of %d", L->o.batch_size);
        return NULL;
    }
    slot_set_bufs(s, b);
    int B0 = step * L->o.batch_size, B = eo->len - B0 < L->o.batch_size ? eo->len - B0 : L->o.batch_size;
    memcpy(s->samples, eo->order + B0, (size_t)B * sizeof *s->samples);
    s->epoch = epoch;
    s->step = step;
    s->B = B;
    s->next_row = s->done_rows = 0;
    s->fatal = 0;
    s->err_row = -1;
    s->seq = L->seq++;
    s->state = SLOT_FILLING;
    pthread_cond_broadcast(&L->work);
    return s;
}

/* The batch after (epoch, step), crossing into the next epoch. */
static int next_key(irra_loader *L, uint32_t *epoch, int *step, irra_err *e)
{
    int n = irra_loader_steps(L, *epoch, e);
    if (n < 0) return -1;
    if (*step + 1 < n) {
        (*step)++;
        return 0;
    }
    if (*epoch == UINT32_MAX) return 1;
    (*epoch)++;
    *step = 0;
    return 0;
}

/* Makes slots hold (epoch, step) and, with workers, the next IRRA_LOADER_PREFETCH batches;
 * cancels every other. Lock held. Returns the slot of (epoch, step). */
static slot *arrange(irra_loader *L, uint32_t epoch, int step, irra_err *e)
{
    uint32_t ke[NSLOT];
    int ks[NSLOT], nk = L->n_th ? NSLOT : 1;
    ke[0] = epoch, ks[0] = step;
    for (int i = 1; i < nk; i++) {
        ke[i] = ke[i - 1], ks[i] = ks[i - 1];
        int rc = next_key(L, &ke[i], &ks[i], e);
        if (rc < 0) return NULL;
        if (rc > 0) nk = i;
    }
    for (int i = 0; i < NSLOT; i++) {
        slot *s = &L->slots[i];
        if (s->state == SLOT_FREE) continue;
        int wanted = 0;
        for (int k = 0; k < nk && !wanted; k++) wanted = s->epoch == ke[k] && s->step == ks[k];
        if (!wanted) cancel_slot(L, s);
    }
    for (int k = 0; k < nk; k++) {
        if (find_slot(L, ke[k], ks[k])) continue;
        epoch_order *eo = get_order(L, ke[k], e);
        if (!eo || !schedule(L, ke[k], ks[k], eo, e)) return NULL;
    }
    return find_slot(L, epoch, step);
}

/* Moves the finished slot s into out, leaving out's old buffers in s. Lock held. */
static int hand_over(irra_loader *L, slot *s, irra_loader_out *out, irra_err *e)
{
    if (s->fatal) {
        irra_fail(e, "%s", s->err.msg);
        s->state = SLOT_FREE;
        return -1;
    }
    size_t px = (size_t)3 * L->H * L->W, ctx = (size_t)L->ctx;
    int B = 0;
    for (int r = 0; r < s->B; r++) {
        if (!s->row_ok[r]) continue;
        if (B != r) { /* close the gap a failed image left */
            memmove(s->pixels + B * px, s->pixels + r * px, px * sizeof *s->pixels);
            memmove(s->cap + B * ctx, s->cap + r * ctx, ctx * sizeof *s->cap);
            memmove(s->mlm + B * ctx, s->mlm + r * ctx, ctx * sizeof *s->mlm);
            memmove(s->lab + B * ctx, s->lab + r * ctx, ctx * sizeof *s->lab);
            s->pids[B] = s->pids[r];
            s->samples[B] = s->samples[r];
        }
        B++;
    }
    int skipped = s->B - B;
    if (skipped) {
        L->skipped += skipped;
        L->last_skip = s->err;
    }
    if (B == 0) {
        irra_fail(e, "epoch %u step %d: no image of the batch decodes (%s)", s->epoch, s->step, s->err.msg);
        s->state = SLOT_FREE;
        return -1;
    }
    bufs mine = {out->pixels, out->pids, out->samples, out->caption_ids, out->mlm_ids, out->mlm_labels};
    bufs theirs = slot_bufs(s);
    slot_set_bufs(s, mine);
    out->pixels = theirs.pixels, out->pids = theirs.pids, out->samples = theirs.samples;
    out->caption_ids = theirs.cap, out->mlm_ids = theirs.mlm, out->mlm_labels = theirs.lab;
    out->epoch = s->epoch;
    out->step = s->step;
    out->skipped = skipped;
    out->b = (irra_train_batch){B, out->pixels, out->pids, L->o.clean_captions ? out->caption_ids : out->mlm_ids,
                                out->mlm_ids, out->mlm_labels};
    s->state = SLOT_FREE;
    return 0;
}

int irra_loader_batch(irra_loader *L, uint32_t epoch, int step, irra_loader_out *out, irra_err *e)
{
    int n = irra_loader_steps(L, epoch, e);
    if (n < 0) return -1;
    if (step < 0 || step >= n) return irra_fail(e, "epoch %u has steps 0..%d, not %d", epoch, n - 1, step);
    int geom[4] = {L->o.batch_size, L->H, L->W, L->ctx};
    if (memcmp(out->geom, geom, sizeof geom)) { /* buffers made by another loader: other sizes */
        irra_loader_out_free(out);
        memcpy(out->geom, geom, sizeof geom);
    }
    uint8_t *buf = malloc(ROW_BUF(L));
    if (!buf)
        return irra_fail(e, "loader: out of memory for an image of %d x %d", L->W, L->H);
    pthread_mutex_lock(&L->mu);
    int rc = -1;
    slot *s = arrange(L, epoch, step, e);
    if (s) {
        while (s->next_row < s->B) work_row(L, s, buf);
        while (s->state == SLOT_FILLING) pthread_cond_wait(&L->done, &L->mu);
        rc = hand_over(L, s, out, e);
    }
    pthread_mutex_unlock(&L->mu);
    free(buf);
    return rc;
}

/* ---- opening ---------------------------------------------------------------------------- */

/* Tokenises every train caption (spec 4.7: SOT, BPE, EOT, truncated, zero padded). */
static int tokenise(irra_loader *L, const irra_bpe *bpe, const char *spec, irra_err *e)
{
    size_t ids = (size_t)L->n * L->ctx;
    if (!(L->tokens = calloc(ids, sizeof *L->tokens))) return irra_fail(e, "%s: out of memory for the captions", spec);
    int bad = -1;
    irra_err first;
#pragma omp parallel for schedule(dynamic, 256)
    for (int i = 0; i < L->n; i++) {
        irra_err ei;
        if (irra_bpe_encode(bpe, L->ds->captions[i].text, L->tokens + (size_t)i * L->ctx, L->ctx, &ei) >= 0)
            continue;
#pragma omp critical(loader_tok)
        if (bad < 0 || i < bad) {
            bad = i;
            first = ei;
        }
    }
    if (bad >= 0)
        return irra_fail(e, "%s: train caption %d (of %s): %s", spec, bad + 1,
                         L->ds->images[L->ds->captions[bad].image].rel, first.msg);
    return 0;
}

/* The similar sampler's table: each identity's nearest by caption words, enough of them that a
 * batch still finds P - 1 with chunks left late in an epoch. */
static int neighbours(irra_loader *L, irra_err *e)
{
    if (L->sc.kind != IRRA_SAMPLER_SIMILAR) return 0;
    int *group = malloc((size_t)L->n * sizeof *group);
    int G = group ? irra_sampler_identities(L->pid, L->n, group) : -1;
    if (G < 0) return free(group), irra_fail(e, "out of memory for %d captions", L->n);
    int P = L->sc.num_instance >= 1 ? L->sc.batch_size / L->sc.num_instance : 1;
    int k = 4 * (P > 1 ? P : 2);
    if (k > G - 1) k = G > 1 ? G - 1 : 1;
    int rc = irra_caption_neighbours(L->tokens, group, L->n, L->ctx, L->vocab, G, k, &L->near, e);
    free(group);
    L->sc.near = L->near, L->sc.n_near = k;
    return rc;
}

/* Decodes and resizes every train image into the cache. */
static int fill_cache(irra_loader *L, irra_err *e)
{
    size_t sz = (size_t)L->H * L->W * 3;
    int n = L->ds->n_images, bad = -1;
    if (!(L->cache = malloc((size_t)n * sz))) return irra_fail(e, "out of memory for %d decoded images", n);
    irra_err first;
#pragma omp parallel for schedule(dynamic, 8)
    for (int i = 0; i < n; i++) {
        irra_err ei;
        uint8_t *dst = L->cache + (size_t)i * sz;
        if (decode_resized(L->ds, i, L->H, L->W, dst, &ei) == 0) continue;
#pragma omp critical(loader_img)
        if (bad < 0 || i < bad) {
            bad = i;
            first = ei;
        }
    }
    if (bad >= 0) return irra_fail(e, "%s", first.msg);
    return 0;
}

/* Without a cache, every image must at least exist now rather than fail an epoch later. */
static int check_files(const irra_loader *L, irra_err *e)
{
    for (int i = 0; i < L->ds->n_images; i++) {
        struct stat st;
        const char *p = L->ds->images[i].path;
        if (stat(p, &st) != 0) return irra_fail(e, "%s: %s (train image %d)", p, strerror(errno), i + 1);
        if (!S_ISREG(st.st_mode)) return irra_fail(e, "%s: not a file (train image %d)", p, i + 1);
    }
    return 0;
}

static int open_checks(const char *spec, const irra_config *c, const irra_bpe *bpe,
                       const irra_loader_opts *o, irra_err *e)
{
    if (!bpe) return irra_fail(e, "%s: no tokenizer for the captions (--vocab)", spec);
    if (c->vocab != irra_bpe_vocab_size(bpe))
        return irra_fail(e, "the model's vocabulary has %d ids, the tokenizer's %d", c->vocab,
                         irra_bpe_vocab_size(bpe));
    if (c->context < 2) return irra_fail(e, "context %d: want at least 2", c->context);
    if (c->img_h < 1 || c->img_w < 1 || c->img_h > 16384 || c->img_w > 16384)
        return irra_fail(e, "image size %dx%d: want 1..16384 a side", c->img_h, c->img_w);
    if (o->batch_size < 1 || o->batch_size > 1 << 20)
        return irra_fail(e, "batch size %d: want 1 to %d", o->batch_size, 1 << 20);
    if (o->threads < 0 || o->threads > 256) return irra_fail(e, "loader threads %d: want 0 to 256", o->threads);
    return 0;
}

static int start_workers(irra_loader *L, irra_err *e)
{
    if (L->o.threads == 0) return 0;
    if (!(L->th = calloc((size_t)L->o.threads, sizeof *L->th))) return irra_fail(e, "out of memory for threads");
    for (; L->n_th < L->o.threads; L->n_th++)
        if (pthread_create(&L->th[L->n_th], NULL, worker_main, L) != 0)
            return irra_fail(e, "cannot start loader thread %d", L->n_th + 1);
    return 0;
}

irra_loader *irra_loader_open(const char *spec, const irra_config *c, const irra_bpe *bpe,
                              const irra_loader_opts *o, irra_err *e)
{
    if (open_checks(spec, c, bpe, o, e) < 0) return NULL;
    irra_loader *L = calloc(1, sizeof *L);
    if (!L) return irra_fail(e, "out of memory"), NULL;
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->work, NULL);
    pthread_cond_init(&L->done, NULL);
    L->o = *o;
    L->H = c->img_h, L->W = c->img_w, L->ctx = c->context, L->vocab = c->vocab;
    L->sc = (irra_sampler_cfg){o->sampler, o->batch_size, o->num_instance, o->seed, NULL, 0};
    int ok = 0;
    if (!(L->ds = gal_dataset_open(spec, "train", e))) goto done;
    if (L->ds->n_images == 0 || L->ds->n_captions == 0) {
        irra_fail(e, "%s: no training data (no entry with \"split\": \"train\"%s)", spec,
                  L->ds->n_images ? " has captions" : "");
        goto done;
    }
    L->n = L->ds->n_captions;
    L->pid = malloc((size_t)L->n * sizeof *L->pid);
    L->image = malloc((size_t)L->n * sizeof *L->image);
    int have = L->pid && L->image;
    for (int s = 0; s < NSLOT; s++) have &= (L->slots[s].row_ok = malloc((size_t)o->batch_size)) != NULL;
    if (!have) {
        irra_fail(e, "%s: out of memory", spec);
        goto done;
    }
    for (int i = 0; i < L->n; i++) {
        L->pid[i] = L->ds->captions[i].pid;
        L->image[i] = L->ds->captions[i].image;
    }
    if (tokenise(L, bpe, spec, e) < 0 || neighbours(L, e) < 0 || irra_sampler_check(&L->sc, L->pid, L->n, e) < 0)
        goto done;
    size_t budget = o->cache_bytes ? o->cache_bytes : IRRA_LOADER_CACHE_DEFAULT;
    size_t need = (size_t)L->ds->n_images * L->H * L->W * 3;
    if (need <= budget ? fill_cache(L, e) < 0 : check_files(L, e) < 0) goto done;
    ok = start_workers(L, e) == 0;
done:
    if (!ok) {
        irra_loader_free(L);
        return NULL;
    }
    return L;
}

void irra_loader_free(irra_loader *L)
{
    if (!L) return;
    pthread_mutex_lock(&L->mu);
    L->quit = 1;
    pthread_cond_broadcast(&L->work);
    pthread_mutex_unlock(&L->mu);
    for (int i = 0; i < L->n_th; i++) pthread_join(L->th[i], NULL);
    free(L->th);
    for (int s = 0; s < NSLOT; s++) {
        bufs b = slot_bufs(&L->slots[s]);
        bufs_free(&b);
        free(L->slots[s].row_ok);
    }
    for (int k = 0; k < 2; k++) free(L->orders[k].order);
    free(L->pid), free(L->image), free(L->tokens), free(L->cache), free(L->near);
    gal_dataset_free(L->ds);
    pthread_mutex_destroy(&L->mu);
    pthread_cond_destroy(&L->work);
    pthread_cond_destroy(&L->done);
    free(L);
}
