/* Drives the training data pipeline for tests/test_train_data.sh:
 *   tool_train_data augment IN.rgb OUT.f32 H W FLIP CI CJ ERASE EI EJ EH EW
 *       applies the given augmentation to raw H x W x 3 bytes, writes [3][H][W] float32
 *   tool_train_data checks DIR
 *       the loader's behaviours on an `irra synth --size 96x32 --ids 20 --val-ids 2 --test-ids 2
 *       --images-per-id 3` dataset (16 train identities, 48 images, 96 captions), as ok/FAIL lines
 *   tool_train_data epoch SPEC H W CACHE_BYTES
 *       opens SPEC (error: the message, exit 2) and makes epoch 0: "rows R skipped S cached C"
 *   tool_train_data bench SPEC H W BATCH THREADS STEPS
 *       batches per second of the loader, the training step taking no time */
#include "model/bpe.h"
#include "model/image.h"
#include "tests/check.h"
#include "train/augment.h"
#include "train/loader.h"
#include "train/masking.h"
#include "train/train_rng.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MERGES "assets/bpe_simple_vocab_16e6.txt.gz"

static const irra_bpe *bpe;
static const char *dir;
static char spec[4096];

static irra_config cfg(int h, int w)
{
    irra_config c = {0};
    c.img_h = h, c.img_w = w, c.context = 77, c.vocab = 49408;
    return c;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t batch_hash(const irra_loader_out *o, int h, int w)
{
    int B = o->b.B;
    uint64_t x = fnv(0xcbf29ce484222325ULL, &B, sizeof B);
    x = fnv(x, o->pixels, (size_t)B * 3 * h * w * sizeof(float));
    x = fnv(x, o->pids, (size_t)B * sizeof(int));
    x = fnv(x, o->samples, (size_t)B * sizeof(int));
    x = fnv(x, o->caption_ids, (size_t)B * 77 * 4);
    x = fnv(x, o->mlm_ids, (size_t)B * 77 * 4);
    return fnv(x, o->mlm_labels, (size_t)B * 77 * 4);
}

static irra_loader *open_with(int h, int w, irra_loader_opts o)
{
    irra_err e;
    irra_config c = cfg(h, w);
    irra_loader *L = irra_loader_open(spec, &c, bpe, &o, &e);
    if (!L) printf("  open: %s\n", e.msg);
    return L;
}

static irra_loader_opts opts(int threads)
{
    irra_loader_opts o;
    irra_loader_opts_default(&o);
    o.batch_size = 8;
    o.threads = threads;
    return o;
}

/* Hashes of every batch of epochs 0 and 1, in order. */
static int epoch_hashes(irra_loader *L, int h, int w, uint64_t *out, int max)
{
    irra_loader_out b = {0};
    irra_err e;
    int n = 0;
    for (uint32_t ep = 0; ep < 2; ep++) {
        int steps = irra_loader_steps(L, ep, &e);
        for (int s = 0; s < steps && n < max; s++) {
            if (irra_loader_batch(L, ep, s, &b, &e) < 0) {
                printf("  batch %u/%d: %s\n", ep, s, e.msg);
                irra_loader_out_free(&b);
                return -1;
            }
            out[n++] = batch_hash(&b, h, w);
        }
    }
    irra_loader_out_free(&b);
    return n;
}

static void loader_reads_the_train_split(void)
{
    irra_loader *L = open_with(96, 32, opts(2));
    EXPECT(L);
    if (!L) return;
    irra_err e;
    EXPECT(irra_loader_samples(L) == 96 && irra_loader_num_classes(L) == 16 && irra_loader_cached(L));
    EXPECT(irra_loader_steps(L, 0, &e) == 12 && irra_loader_steps(L, 5, &e) == 12);
    irra_loader_free(L);
}

static void batches_follow_the_keyed_streams(void)
{
    /* 64x24 from 96x32 images: the resize path; row r of step s is sample k = 8s + r of the
     * epoch, augmented from (seed, AUG, e, k) and masked from (seed, MASK, e, k) */
    irra_loader *L = open_with(64, 24, opts(2));
    if (!L) { EXPECT(0); return; }
    const gal_dataset *d = irra_loader_dataset(L);
    irra_loader_out b = {0};
    irra_err e;
    EXPECT(irra_loader_batch(L, 1, 3, &b, &e) == 0 && b.b.B == 8 && b.epoch == 1 && b.step == 3);
    int bad = 0;
    float *px = malloc(3 * 64 * 24 * sizeof *px);
    uint8_t rs[64 * 24 * 3];
    for (int r = 0; r < b.b.B; r++) {
        int smp = b.samples[r];
        const gal_ds_caption *c = &d->captions[smp];
        irra_image im;
        irra_aug a;
        syn_rng ra = irra_train_rng(1, IRRA_RNG_AUG, 1, 24 + r), rm = irra_train_rng(1, IRRA_RNG_MASK, 1, 24 + r);
        irra_aug_draw(1, 64, 24, &ra, &a);
        if (irra_image_load(d->images[c->image].path, &im, &e) < 0 || irra_image_resize(&im, 24, 64, rs, &e) < 0 ||
            irra_aug_apply(rs, 64, 24, &a, NULL, px, &e) < 0)
            bad += 1000;
        irra_image_free(&im);
        bad += memcmp(px, b.pixels + (size_t)r * 3 * 64 * 24, 3 * 64 * 24 * sizeof *px) != 0;
        int32_t ids[77] = {0}, mlm[77], lab[77];
        irra_bpe_encode(bpe, c->text, ids, 77, &e);
        irra_mask_caption(ids, 77, 49408, &rm, mlm, lab);
        bad += memcmp(ids, b.caption_ids + r * 77, sizeof ids) != 0;
        bad += memcmp(mlm, b.mlm_ids + r * 77, sizeof mlm) != 0 || memcmp(lab, b.mlm_labels + r * 77, sizeof lab);
        bad += b.pids[r] != c->pid || b.pids[r] < 0 || b.pids[r] >= 16;
    }
    EXPECTF(bad == 0, "%d mismatches", bad);
    free(px);
    irra_loader_out_free(&b);
    irra_loader_free(L);
}

static void captions_are_the_masked_ids_unless_clean(void)
{
    irra_loader_opts o = opts(1);
    irra_loader *A = open_with(96, 32, o);
    o.clean_captions = 1;
    irra_loader *C = open_with(96, 32, o);
    if (!A || !C) { EXPECT(0); return; }
    irra_loader_out a = {0}, c = {0};
    irra_err e;
    EXPECT(irra_loader_batch(A, 0, 2, &a, &e) == 0 && irra_loader_batch(C, 0, 2, &c, &e) == 0);
    size_t ids = (size_t)a.b.B * 77 * 4;
    EXPECT(a.b.caption_ids == a.mlm_ids && a.b.mlm_ids == a.mlm_ids); /* the quirk: one array */
    EXPECT(c.b.caption_ids == c.caption_ids && memcmp(c.caption_ids, c.mlm_ids, ids) != 0);
    /* clean changes nothing else */
    EXPECT(!memcmp(a.mlm_ids, c.mlm_ids, ids) && !memcmp(a.mlm_labels, c.mlm_labels, ids) &&
           !memcmp(a.pixels, c.pixels, (size_t)a.b.B * 3 * 96 * 32 * 4));
    irra_loader_out_free(&a), irra_loader_out_free(&c);
    irra_loader_free(A), irra_loader_free(C);
}

static void same_batches_on_0_1_2_threads_and_after_reopening(void)
{
    uint64_t h[3][32] = {{0}};
    int n[3];
    for (int t = 0; t < 3; t++) {
        irra_loader *L = open_with(96, 32, opts(t));
        n[t] = L ? epoch_hashes(L, 96, 32, h[t], 32) : -1;
        irra_loader_free(L);
    }
    EXPECT(n[0] == 24 && n[1] == 24 && n[2] == 24);
    EXPECT(!memcmp(h[0], h[1], sizeof h[0]) && !memcmp(h[0], h[2], sizeof h[0]));
    int distinct = 1;
    for (int i = 1; i < 24; i++) distinct &= h[0][i] != h[0][i - 1];
    EXPECT(distinct);
    /* a resumed run: a fresh loader asked from epoch 1 step 3 on, and out of order */
    irra_loader *L = open_with(96, 32, opts(2));
    if (!L) { EXPECT(0); return; }
    irra_loader_out b = {0};
    irra_err e;
    int bad = 0;
    for (int s = 3; s < 12; s++)
        bad += irra_loader_batch(L, 1, s, &b, &e) < 0 || batch_hash(&b, 96, 32) != h[0][12 + s];
    int jumps[][2] = {{0, 5}, {1, 0}, {0, 11}, {0, 5}};
    for (int j = 0; j < 4; j++)
        bad += irra_loader_batch(L, (uint32_t)jumps[j][0], jumps[j][1], &b, &e) < 0 ||
               batch_hash(&b, 96, 32) != h[0][12 * jumps[j][0] + jumps[j][1]];
    EXPECTF(bad == 0, "%d batches differ", bad);
    EXPECT(irra_loader_batch(L, 0, 12, &b, &e) < 0 && strstr(e.msg, "steps 0..11"));
    irra_loader_out_free(&b);
    irra_loader_free(L);
}

static void decoding_each_use_gives_the_cached_bytes(void)
{
    irra_loader_opts o = opts(2);
    o.cache_bytes = 1;
    uint64_t a[32] = {0}, b[32] = {0};
    irra_loader *U = open_with(64, 24, o), *C = open_with(64, 24, opts(2));
    EXPECT(U && C && !irra_loader_cached(U) && irra_loader_cached(C));
    if (!U || !C) return;
    EXPECT(epoch_hashes(U, 64, 24, a, 32) == 24 && epoch_hashes(C, 64, 24, b, 32) == 24);
    EXPECT(!memcmp(a, b, sizeof a));
    irra_loader_free(U), irra_loader_free(C);
}

static void seed_changes_everything(void)
{
    irra_loader_opts o = opts(2);
    o.seed = 2;
    uint64_t a[32] = {0}, b[32] = {0};
    irra_loader *L = open_with(96, 32, o), *M = open_with(96, 32, opts(2));
    if (!L || !M) { EXPECT(0); return; }
    epoch_hashes(L, 96, 32, a, 32), epoch_hashes(M, 96, 32, b, 32);
    int same = 0;
    for (int i = 0; i < 24; i++) same += a[i] == b[i];
    EXPECT(same == 0);
    irra_loader_free(L), irra_loader_free(M);
}

static void identity_batches_hold_num_instance_per_identity(void)
{
    irra_loader_opts o = opts(2);
    o.sampler = IRRA_SAMPLER_IDENTITY, o.num_instance = 2; /* 4 identities x 2 */
    irra_loader *L = open_with(96, 32, o);
    if (!L) { EXPECT(0); return; }
    irra_loader_out b = {0};
    irra_err e;
    int steps = irra_loader_steps(L, 0, &e), bad = 0, rows = 0;
    /* 6 captions per identity: 3 chunks each, 48 chunks in rounds of 4 identities until fewer
     * than 4 have chunks left (the rest is dropped, as in the reference): 9 to 12 batches */
    EXPECTF(steps >= 9 && steps <= 12, "steps %d", steps);
    for (int s = 0; s < steps; s++) {
        if (irra_loader_batch(L, 0, s, &b, &e) < 0) { bad++; break; }
        rows += b.b.B;
        for (int q = 0; q < b.b.B; q += 2) {
            bad += b.pids[q] != b.pids[q + 1];
            for (int p = 0; p < q; p += 2) bad += b.pids[p] == b.pids[q];
        }
    }
    EXPECTF(bad == 0 && rows == 8 * steps, "bad %d rows %d", bad, rows);
    irra_loader_out_free(&b);
    irra_loader_free(L);
}

/* The similar sampler through the loader: identity batches (2 rows of each of 4 identities),
 * the same on another number of threads. */
static void similar_batches_hold_num_instance_per_identity_and_repeat(void)
{
    irra_loader_opts o = opts(2), o0 = opts(0);
    o.sampler = o0.sampler = IRRA_SAMPLER_SIMILAR, o.num_instance = o0.num_instance = 2;
    irra_loader *L = open_with(96, 32, o), *M = open_with(96, 32, o0);
    if (!L || !M) { EXPECT(0); return; }
    irra_loader_out b = {0}, c = {0};
    irra_err e;
    int steps = irra_loader_steps(L, 1, &e), bad = 0;
    EXPECTF(steps >= 9 && steps <= 12 && irra_loader_steps(M, 1, &e) == steps, "steps %d", steps);
    for (int s = 0; s < steps; s++) {
        if (irra_loader_batch(L, 1, s, &b, &e) < 0 || irra_loader_batch(M, 1, s, &c, &e) < 0) { bad++; break; }
        bad += b.b.B != 8 || memcmp(b.samples, c.samples, 8 * sizeof *b.samples);
        for (int q = 0; q < b.b.B; q += 2) {
            bad += b.pids[q] != b.pids[q + 1];
            for (int p = 0; p < q; p += 2) bad += b.pids[p] == b.pids[q];
        }
    }
    EXPECTF(bad == 0, "bad %d", bad);
    irra_loader_out_free(&b), irra_loader_out_free(&c);
    irra_loader_free(L), irra_loader_free(M);
}

static void without_augmentation_only_flips(void)
{
    irra_loader_opts o = opts(0);
    o.img_aug = 0;
    irra_loader *L = open_with(96, 32, o);
    if (!L) { EXPECT(0); return; }
    const gal_dataset *d = irra_loader_dataset(L);
    irra_loader_out b = {0};
    irra_err e;
    int bad = 0, flips = 0;
    size_t plane = 96 * 32;
    float *ref = malloc(3 * plane * sizeof *ref);
    for (int s = 0; s < 12; s++) {
        if (irra_loader_batch(L, 0, s, &b, &e) < 0) { bad++; break; }
        for (int r = 0; r < b.b.B; r++) {
            irra_image_load_input(d->images[d->captions[b.samples[r]].image].path, 96, 32, ref, &e);
            const float *p = b.pixels + (size_t)r * 3 * plane;
            int same = !memcmp(p, ref, 3 * plane * sizeof *ref), mirrored = 1;
            for (size_t i = 0; i < 3 * plane && mirrored; i++) mirrored = p[i] == ref[i - i % 32 + 31 - i % 32];
            bad += !same && !mirrored;
            flips += mirrored && !same;
        }
    }
    EXPECTF(bad == 0 && flips > 25 && flips < 71, "bad %d flips %d of 96", bad, flips);
    free(ref);
    irra_loader_out_free(&b);
    irra_loader_free(L);
}

static void refuses_a_vocabulary_that_is_not_the_tokenizers(void)
{
    irra_config c = cfg(96, 32);
    c.vocab = 1000;
    irra_loader_opts o = opts(0);
    irra_err e;
    EXPECT(!irra_loader_open(spec, &c, bpe, &o, &e) && strstr(e.msg, "vocabulary has 1000"));
    o.sampler = IRRA_SAMPLER_IDENTITY, o.batch_size = 64, o.num_instance = 2; /* 32 ids a batch */
    c.vocab = 49408;
    EXPECT(!irra_loader_open(spec, &c, bpe, &o, &e) && strstr(e.msg, "32 identities"));
}

static int checks(void)
{
    snprintf(spec, sizeof spec, "cuhk-pedes:%s", dir);
    RUN(loader_reads_the_train_split);
    RUN(batches_follow_the_keyed_streams);
    RUN(captions_are_the_masked_ids_unless_clean);
    RUN(same_batches_on_0_1_2_threads_and_after_reopening);
    RUN(decoding_each_use_gives_the_cached_bytes);
    RUN(seed_changes_everything);
    RUN(identity_batches_hold_num_instance_per_identity);
    RUN(similar_batches_hold_num_instance_per_identity_and_repeat);
    RUN(without_augmentation_only_flips);
    RUN(refuses_a_vocabulary_that_is_not_the_tokenizers);
    return DONE();
}

static int augment(char **a)
{
    int H = atoi(a[2]), W = atoi(a[3]);
    irra_aug g = {atoi(a[4]), atoi(a[5]), atoi(a[6]), atoi(a[7]), atoi(a[8]), atoi(a[9]), atoi(a[10]), atoi(a[11])};
    size_t n = (size_t)H * W * 3;
    uint8_t *rgb = malloc(n);
    float *out = malloc(n * sizeof *out);
    FILE *f = fopen(a[0], "rb");
    if (!f || fread(rgb, 1, n, f) != n) return fprintf(stderr, "%s: cannot read %zu bytes\n", a[0], n), 2;
    fclose(f);
    irra_err e;
    if (irra_aug_apply(rgb, H, W, &g, NULL, out, &e) < 0) return fprintf(stderr, "%s\n", e.msg), 2;
    f = fopen(a[1], "wb");
    if (!f || fwrite(out, sizeof *out, n, f) != n || fclose(f)) return fprintf(stderr, "%s: cannot write\n", a[1]), 2;
    free(rgb), free(out);
    return 0;
}

static int epoch(char **a)
{
    irra_config c = cfg(atoi(a[1]), atoi(a[2]));
    irra_loader_opts o = opts(2);
    o.cache_bytes = strtoull(a[3], NULL, 10);
    irra_err e;
    irra_loader *L = irra_loader_open(a[0], &c, bpe, &o, &e);
    if (!L) return fprintf(stderr, "%s\n", e.msg), 2;
    irra_loader_out b = {0};
    int steps = irra_loader_steps(L, 0, &e), rows = 0, rc = 0;
    for (int s = 0; s < steps && !rc; s++) {
        if (irra_loader_batch(L, 0, s, &b, &e) < 0) rc = 2, fprintf(stderr, "%s\n", e.msg);
        else rows += b.b.B;
    }
    char last[512];
    long sk = irra_loader_skipped(L, last, sizeof last);
    if (!rc) printf("rows %d skipped %ld cached %d%s%s\n", rows, sk, irra_loader_cached(L), sk ? " last: " : "", last);
    irra_loader_out_free(&b);
    irra_loader_free(L);
    return rc;
}

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }

static int bench(char **a)
{
    irra_config c = cfg(atoi(a[1]), atoi(a[2]));
    irra_loader_opts o = opts(atoi(a[4]));
    o.batch_size = atoi(a[3]);
    int steps = atoi(a[5]);
    irra_err e;
    double t0 = now();
    irra_loader *L = irra_loader_open(a[0], &c, bpe, &o, &e);
    if (!L) return fprintf(stderr, "%s\n", e.msg), 2;
    double t1 = now();
    irra_loader_out b = {0};
    int per = irra_loader_steps(L, 0, &e), done = 0;
    uint32_t ep = 0;
    int s = 0;
    double t2 = now(), c2 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (; done < steps; done++) {
        if (irra_loader_batch(L, ep, s, &b, &e) < 0) return fprintf(stderr, "%s\n", e.msg), 2;
        if (++s == per) s = 0, ep++, per = irra_loader_steps(L, ep, &e);
    }
    double t3 = now(), c3 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    printf("open %.2f s (%d samples, %d images, cached %d); %d batches of %d in %.2f s: %.1f batches/s, "
           "%.0f samples/s (%d loader threads; %.1f ms CPU a batch)\n",
           t1 - t0, irra_loader_samples(L), irra_loader_dataset(L)->n_images, irra_loader_cached(L), steps,
           o.batch_size, t3 - t2, steps / (t3 - t2), steps * o.batch_size / (t3 - t2), o.threads,
           (c3 - c2) * 1e3 / steps);
    irra_loader_out_free(&b);
    irra_loader_free(L);
    return 0;
}

int main(int argc, char **argv)
{
    irra_err e;
    irra_bpe *b = NULL;
    if (argc < 2) return fprintf(stderr, "usage: see tests/tool_train_data.c\n"), 2;
    if (strcmp(argv[1], "augment") && !(bpe = b = irra_bpe_load_file(MERGES, &e)))
        return fprintf(stderr, "%s\n", e.msg), 2;
    int rc = 2;
    if (!strcmp(argv[1], "augment") && argc == 14) rc = augment(argv + 2);
    else if (!strcmp(argv[1], "checks") && argc == 3) dir = argv[2], rc = checks();
    else if (!strcmp(argv[1], "epoch") && argc == 6) rc = epoch(argv + 2);
    else if (!strcmp(argv[1], "bench") && argc == 8) rc = bench(argv + 2);
    else fprintf(stderr, "usage: see tests/tool_train_data.c\n");
    irra_bpe_free(b);
    return rc;
}
